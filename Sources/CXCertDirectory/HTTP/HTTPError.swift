import CXCertCore

/// Why an HTTP GET through libcurl failed. `HTTPFetcher` throws it; `DirectoryError.http` and the boot walk
/// carry it, keeping its wording.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl could not be initialised or could not create a handle.
    case cannotStart
    /// libcurl cannot be loaded (cxcert loads it on the first fetch): the library and the package to install.
    case missingLibrary(MissingLibrary)
    /// The text is not a URL cxcert can fetch.
    case invalidURL(String)
    /// libcurl failed the transfer: its `CURLcode` and its words for it (`curl_easy_strerror`).
    case curl(url: String, code: Int, message: String)
    /// The body grew past the fetch's limit; the transfer was stopped there.
    case bodyTooLarge(url: String, limit: Int)
    /// The URL's host is neither an ASCII name (an A-label such as `xn--bcher-kva.example`) nor an IP literal,
    /// so libcurl would convert it to a name the caller did not resolve; not fetched.
    case unsupportedHost(url: String, host: String)
    /// libcurl was about to ask a resolver for `host`, which the caller did not pin to an address it resolved
    /// through its own DNS; the transfer was refused before any question was sent.
    case unpinnedHost(url: String, host: String)
    /// The server answered with a status other than 200. `basicWithheld` is true when credentials were given
    /// but Basic was not offered (plain http without `allowBasicInClear`), which the 401 hint explains.
    case status(url: String, code: Int, basicWithheld: Bool)

    /// The URL the failure concerns, when there was one.
    public var url: String? {
        switch self {
        case .cannotStart, .missingLibrary: nil
        case .invalidURL(let url), .curl(let url, _, _), .bodyTooLarge(let url, _), .status(let url, _, _),
            .unsupportedHost(let url, _), .unpinnedHost(let url, _):
            url
        }
    }

    /// One line for the admin, naming the URL.
    public var description: String {
        switch self {
        case .cannotStart: "libcurl could not start"
        case .missingLibrary(let missing): missing.description
        case .invalidURL(let url): "\(url): not a URL"
        case .curl(let url, _, let message): "\(url): \(message)"
        case .unsupportedHost(let url, let host):
            "\(url): the host \(host) is not an ASCII name (A-label) or an IP address: not fetched"
        case .unpinnedHost(let url, let host):
            "\(url): libcurl would have asked the machine's resolver for \(host), which was not resolved through the walk's DNS: refused"
        case .bodyTooLarge(let url, let limit): "\(url): the answer is larger than \(limit) bytes"
        case .status(let url, let code, let basicWithheld):
            "\(url): HTTP \(code)\(code == 401 ? Self.hint(basicWithheld: basicWithheld) : "")"
        }
    }

    private static func hint(basicWithheld: Bool) -> String {
        basicWithheld
            ? " (authentication required or refused; over http only Negotiate and NTLM are offered — Basic would send the password in clear: --http-basic-in-clear allows it)"
            : " (authentication required or refused)"
    }
}
