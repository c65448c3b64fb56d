internal import CCurl
import CXCertCore
import Foundation

/// Credentials for an HTTP server that asks for Basic, NTLM or Negotiate authentication.
public struct HTTPCredentials: Sendable {
    /// The account name libcurl authenticates as.
    public let user: String
    /// The password; cxcert's copy is wiped when released, libcurl keeps its own only for the transfer.
    public let password: Secret

    /// Credentials for one fetch.
    public init(user: String, password: Secret) {
        self.user = user
        self.password = password
    }
}

/// Plain GETs through libcurl, which speaks Basic, NTLM and Negotiate (SPNEGO) as certsrv asks, with a
/// body-size cap and timeouts. The only code that touches libcurl pointers.
public enum HTTPFetcher {
    /// Bounds on one GET, so a hostile or stuck server cannot fill memory or hold the caller.
    public struct Limits: Sendable {
        /// The largest body kept, in bytes; a longer answer fails with ``HTTPError/bodyTooLarge(url:limit:)``.
        public var maxBodyBytes: Int
        /// The connect timeout and the whole-transfer timeout, each in seconds.
        public var timeout: TimeInterval

        /// Limits for one GET.
        /// - Parameters:
        ///   - maxBodyBytes: The largest body kept, in bytes (1 MiB by default).
        ///   - timeout: Seconds allowed for the connection and, separately, for the whole transfer (15 by default).
        public init(maxBodyBytes: Int = 1 << 20, timeout: TimeInterval = 15) {
            self.maxBodyBytes = maxBodyBytes
            self.timeout = timeout
        }
    }

    private final class Body {
        var data: [UInt8] = []
        let limit: Int
        var overflowed = false
        init(limit: Int) { self.limit = limit }
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// GETs `url` (http or https only, no redirects) and returns the body of a 200 answer. Over plain
    /// http only Negotiate and NTLM may answer a challenge (neither sends the password itself); Basic,
    /// which sends it in clear, only over https or with `allowBasicInClear`.
    public static func get(
        _ url: String, credentials: HTTPCredentials? = nil, allowBasicInClear: Bool = false, limits: Limits = Limits()
    ) throws(HTTPError) -> [UInt8] {
        guard initialized, let curl = curl_easy_init() else { throw .cannotStart }
        defer { curl_easy_cleanup(curl) }
        let body = Body(limit: limits.maxBodyBytes)
        let context = Unmanaged.passRetained(body)
        defer { context.release() }
        _ = cx_curl_set_string(curl, CURLOPT_URL, url)
        _ = cx_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = cx_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        _ = cx_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = cx_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(limits.timeout * 1000))
        _ = cx_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(limits.timeout * 1000))
        _ = cx_curl_set_write_callback(curl, collect)
        _ = cx_curl_set_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
        if let credentials {
            let encrypted = url.lowercased().hasPrefix("https://")
            _ = cx_curl_set_long(curl, CURLOPT_HTTPAUTH, encrypted || allowBasicInClear ? cx_curlauth_any() : cx_curlauth_negotiate_ntlm())
            _ = cx_curl_set_string(curl, CURLOPT_USERNAME, credentials.user)
            // libcurl keeps its own copy until curl_easy_cleanup; ours is wiped when the caller drops it.
            _ = credentials.password.withCString { cx_curl_set_string(curl, CURLOPT_PASSWORD, $0) }
        }
        let result = curl_easy_perform(curl)
        if body.overflowed { throw .bodyTooLarge(url: url, limit: limits.maxBodyBytes) }
        guard result == CURLE_OK else { throw curlFailure(url, result) }
        var status = 0
        _ = cx_curl_response_code(curl, &status)
        guard status == 200 else {
            let basicWithheld = credentials != nil && !url.lowercased().hasPrefix("https://") && !allowBasicInClear
            throw .status(url: url, code: status, basicWithheld: basicWithheld)
        }
        return body.data
    }

    /// What a server answered to one plain request: the status and, for a redirect, where it points.
    public struct Answer: Sendable, Hashable {
        /// The HTTP status code (0 when the server sent none).
        public let status: Int
        /// The redirect target libcurl read from the answer's `Location`, or `nil` when there was none.
        public let location: String?
    }

    /// GETs `url` from `address` (the name in the URL is pinned to it, so no resolver is asked), following no
    /// redirect and keeping at most 64 KiB of the body. Used to read a redirect, as the phone's autodiscover step does.
    public static func answer(_ url: String, address: String, timeout: TimeInterval) throws(HTTPError) -> Answer {
        guard initialized, let curl = curl_easy_init() else { throw .cannotStart }
        defer { curl_easy_cleanup(curl) }
        guard let components = URLComponents(string: url), let host = components.host, let scheme = components.scheme else {
            throw .invalidURL(url)
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let pinned = curl_slist_append(nil, "\(host):\(port):\(address.contains(":") ? "[\(address)]" : address)")
        defer { curl_slist_free_all(pinned) }
        let body = Body(limit: 64 << 10)
        let context = Unmanaged.passRetained(body)
        defer { context.release() }
        _ = cx_curl_set_string(curl, CURLOPT_URL, url)
        _ = cx_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = cx_curl_set_pointer(curl, CURLOPT_RESOLVE, pinned)
        _ = cx_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        _ = cx_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = cx_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        _ = cx_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000))
        _ = cx_curl_set_write_callback(curl, collect)
        _ = cx_curl_set_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
        let result = curl_easy_perform(curl)
        guard result == CURLE_OK || (result == CURLE_WRITE_ERROR && body.overflowed) else {
            throw curlFailure(url, result)
        }
        var status = 0
        _ = cx_curl_response_code(curl, &status)
        var location: UnsafeMutablePointer<CChar>?
        _ = cx_curl_redirect_url(curl, &location)
        return Answer(status: status, location: location.map { String(cString: $0) })
    }

    /// libcurl's code and words for a failed transfer.
    private static func curlFailure(_ url: String, _ result: CURLcode) -> HTTPError {
        .curl(url: url, code: Int(result.rawValue), message: String(cString: curl_easy_strerror(result)))
    }

    private static let collect: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let body = Unmanaged<Body>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        guard body.data.count + length <= body.limit else {
            body.overflowed = true
            return 0
        }
        body.data.append(contentsOf: UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length))
        return length
    }
}
