internal import CCurl
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
        /// The `Location` of the last response whose headers were read (a new status line clears it).
        var location: String?
        /// The `Content-Type` of the last response whose headers were read.
        var contentType: String?
        /// Set when libcurl was about to ask a resolver and the fetch refused it.
        var refusedResolve = false
        init(limit: Int) { self.limit = limit }
    }

    /// Why libcurl cannot be used (it is loaded and initialised once, on the first fetch); nil when it can.
    private static let unusable: HTTPError? =
        if let missing = SystemLibrary.curlMissing {
            .missingLibrary(missing)
        } else if curl_global_init(Int(CURL_GLOBAL_DEFAULT)) != CURLE_OK {
            .cannotStart
        } else {
            nil
        }

    /// A new easy handle: the first loads libcurl.
    private static func handle() throws(HTTPError) -> UnsafeMutableRawPointer {
        if let unusable { throw unusable }
        guard let curl = curl_easy_init() else { throw .cannotStart }
        return curl
    }

    /// GETs `url` (http or https only, no redirects, no proxy: `http_proxy`, `https_proxy`, `ALL_PROXY` and
    /// `no_proxy` are ignored) and returns the body of a 200 answer. The name in `url` is resolved by the
    /// machine's resolver. Over plain
    /// http only Negotiate and NTLM may answer a challenge (neither sends the password itself); Basic,
    /// which sends it in clear, only over https or with `allowBasicInClear`.
    public static func get(
        _ url: String, credentials: HTTPCredentials? = nil, allowBasicInClear: Bool = false, limits: Limits = Limits()
    ) throws(HTTPError) -> [UInt8] {
        let curl = try handle()
        defer { curl_easy_cleanup(curl) }
        let body = Body(limit: limits.maxBodyBytes)
        let context = Unmanaged.passRetained(body)
        defer { context.release() }
        _ = cx_curl_set_string(curl, CURLOPT_URL, url)
        _ = cx_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = cx_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        ignoreProxyEnvironment(curl)
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

    /// GETs `url` from `address`, following no redirect, using no proxy (the proxy environment is ignored)
    /// and keeping at most 64 KiB of the body; the redirect is read from the headers, so a longer body does
    /// not hide it. Used to read a redirect, as the phone's autodiscover step does.
    ///
    /// The host libcurl will connect to (`target(of:)`, the A-label as written, never Foundation's decoded
    /// form) is pinned to `address`, and libcurl may ask no resolver: a transfer that would (a name the pin
    /// does not cover) is refused with ``HTTPError/unpinnedHost(url:host:)``. The caller resolves the host
    /// through its own DNS first.
    public static func answer(_ url: String, address: String, timeout: TimeInterval) throws(HTTPError) -> Answer {
        let target = try target(of: url)
        return try answer(url, pins: pins(host: target.host, port: target.port, address: address), timeout: timeout)
    }

    /// What a server answered to one POST: the status, the `Content-Type` and the body, bounded.
    public struct Reply: Sendable, Hashable {
        /// The HTTP status code (0 when the server sent none).
        public let status: Int
        /// The `Content-Type` header of the answer, when there was one.
        public let contentType: String?
        /// The body, at most the ``Limits/maxBodyBytes`` of the request.
        public let body: [UInt8]

        /// An answer read elsewhere (a capture's), judged as one fetched.
        package init(status: Int, contentType: String?, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// POSTs `body` to `url` from `address` with these extra header lines, sending no credential, following no
    /// redirect and using no proxy; `url`'s host is pinned to `address` and libcurl may ask no resolver, as
    /// ``answer(_:address:timeout:)`` does. The answer of any status is returned; a body longer than
    /// `limits.maxBodyBytes` fails with ``HTTPError/bodyTooLarge(url:limit:)``, a transfer longer than
    /// `limits.timeout` with libcurl's timeout (code 28).
    public static func post(
        _ url: String, body: [UInt8], headers: [String], address: String, limits: Limits
    ) throws(HTTPError) -> Reply {
        let target = try target(of: url)
        let pins = pins(host: target.host, port: target.port, address: address)
        let curl = try handle()
        defer { curl_easy_cleanup(curl) }
        var resolve: UnsafeMutablePointer<curl_slist>?
        for pin in pins { resolve = curl_slist_append(resolve, pin) }
        defer { curl_slist_free_all(resolve) }
        // No Expect: 100-continue (the phone sends the body at once), then the caller's lines.
        var lines: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        for line in headers { lines = curl_slist_append(lines, line) }
        defer { curl_slist_free_all(lines) }
        let collected = Body(limit: limits.maxBodyBytes)
        let context = Unmanaged.passRetained(collected)
        defer { context.release() }
        pinned(curl, url: url, resolve: resolve, context: context, timeout: limits.timeout)
        _ = cx_curl_set_pointer(curl, CURLOPT_HTTPHEADER, lines)
        _ = cx_curl_set_long(curl, CURLOPT_POSTFIELDSIZE, body.count)
        // COPYPOSTFIELDS copies `POSTFIELDSIZE` bytes, so the body may hold any byte.
        _ = body.withUnsafeBufferPointer {
            cx_curl_set_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
        }
        _ = cx_curl_set_write_callback(curl, collect)
        _ = cx_curl_set_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
        _ = cx_curl_set_header_callback(curl, header, context.toOpaque())
        let result = curl_easy_perform(curl)
        if collected.refusedResolve { throw .unpinnedHost(url: url, host: target.host) }
        if collected.overflowed { throw .bodyTooLarge(url: url, limit: limits.maxBodyBytes) }
        guard result == CURLE_OK else { throw curlFailure(url, result) }
        var status = 0
        _ = cx_curl_response_code(curl, &status)
        return Reply(status: status, contentType: collected.contentType, body: collected.data)
    }

    /// The host and port libcurl connects to for `url`, read from the URL's text as libcurl reads it: the
    /// scheme (http or https), the authority without its user information, the host lowercased without a
    /// trailing dot (an IPv6 literal without its brackets) and the port, or the scheme's. Only ASCII names
    /// (A-labels such as `xn--bcher-kva.example`, letters, digits, `-`, `_` and `.`) and IP literals are
    /// accepted: a Unicode or percent-encoded host would be converted by libcurl to a name nobody resolved.
    package static func target(of url: String) throws(HTTPError) -> (host: String, port: Int) {
        guard let separator = url.firstScalarRange(of: "://") else { throw .invalidURL(url) }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .invalidURL(url) }
        let rest = url[separator.upperBound...]
        var authority = rest.prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(url) }
                portText = after.dropFirst()
            }
            guard HostnameMatcher.ipAddress(String(host)) != nil else { throw .unsupportedHost(url: url, host: String(host)) }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            portText = parts.count > 1 ? parts[1] : nil
            if host.hasSuffix(".") { host = host.dropLast() }
            let allowed = host.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_"
            }
            guard !host.isEmpty, allowed, !host.contains("..") else { throw .unsupportedHost(url: url, host: String(host)) }
        }
        var port = scheme == "https" ? 443 : 80
        if let portText, !portText.isEmpty {
            guard portText.count <= 5, portText.allSatisfy(\.isASCII), let value = Int(portText), (1...65535).contains(value),
                portText.allSatisfy(\.isNumber)
            else { throw .invalidURL(url) }
            port = value
        }
        return (host.lowercased(), port)
    }

    /// The CURLOPT_RESOLVE entries that pin `host:port` to `address`: the name as `target(of:)` gives it and
    /// with a trailing dot, so either spelling in the URL reaches `address` without a resolver.
    package static func pins(host: String, port: Int, address: String) -> [String] {
        let literal = address.contains(":") ? "[\(address)]" : address
        return [host, host + "."].map { "\($0):\(port):\(literal)" }
    }

    /// Asks `url` from `address` for its headers only (HEAD), pinned as ``answer(_:address:timeout:)`` is: the phone's
    /// offered update files are checked without downloading them.
    public static func head(_ url: String, address: String, timeout: TimeInterval) throws(HTTPError) -> Answer {
        let target = try target(of: url)
        return try answer(url, pins: pins(host: target.host, port: target.port, address: address), timeout: timeout, headOnly: true)
    }

    /// GETs (or with `headOnly`, HEADs) `url` with these CURLOPT_RESOLVE entries and no resolver: see
    /// ``answer(_:address:timeout:)``.
    package static func answer(_ url: String, pins: [String], timeout: TimeInterval, headOnly: Bool = false) throws(HTTPError) -> Answer {
        let curl = try handle()
        defer { curl_easy_cleanup(curl) }
        var list: UnsafeMutablePointer<curl_slist>?
        for pin in pins { list = curl_slist_append(list, pin) }
        defer { curl_slist_free_all(list) }
        let body = Body(limit: 64 << 10)
        let context = Unmanaged.passRetained(body)
        defer { context.release() }
        pinned(curl, url: url, resolve: list, context: context, timeout: timeout)
        _ = cx_curl_set_write_callback(curl, collect)
        _ = cx_curl_set_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
        _ = cx_curl_set_header_callback(curl, header, context.toOpaque())
        if headOnly { _ = cx_curl_set_long(curl, CURLOPT_NOBODY, 1) }
        let result = curl_easy_perform(curl)
        if body.refusedResolve {
            throw .unpinnedHost(url: url, host: (try? target(of: url).host) ?? url)
        }
        guard result == CURLE_OK || (result == CURLE_WRITE_ERROR && body.overflowed) else {
            throw curlFailure(url, result)
        }
        var status = 0
        _ = cx_curl_response_code(curl, &status)
        var computed: UnsafeMutablePointer<CChar>?
        _ = cx_curl_redirect_url(curl, &computed)
        let location = computed.map { String(cString: $0) } ?? body.location.flatMap { resolve($0, against: url) }
        return Answer(status: status, location: location)
    }

    /// `reference` (a `Location` value) made absolute against `base` by libcurl's own URL parser, as
    /// libcurl does for the redirects it computes; `nil` when it is not a URL.
    private static func resolve(_ reference: String, against base: String) -> String? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, base, 0) == CURLUE_OK,
            curl_url_set(handle, CURLUPART_URL, reference, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK
        else { return nil }
        var text: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, CURLUPART_URL, &text, 0) == CURLUE_OK, let text else { return nil }
        defer { curl_free(text) }
        return String(cString: text)
    }

    /// The walk's request settings, one place for every pinned request: `url` over HTTP(S) only, its host answered
    /// by `resolve` (CURLOPT_RESOLVE) and never by a resolver (the resolver-start callback refuses and marks
    /// `context`'s body), no redirect followed, no proxy, `timeout` for the connection and the whole transfer.
    private static func pinned(
        _ curl: UnsafeMutableRawPointer, url: String, resolve: UnsafeMutablePointer<curl_slist>?, context: Unmanaged<Body>,
        timeout: TimeInterval
    ) {
        _ = cx_curl_set_string(curl, CURLOPT_URL, url)
        _ = cx_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = cx_curl_set_pointer(curl, CURLOPT_RESOLVE, resolve)
        _ = cx_curl_set_resolver_start(curl, refuseResolve, context.toOpaque())
        _ = cx_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        ignoreProxyEnvironment(curl)
        _ = cx_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = cx_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        _ = cx_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000))
    }

    /// No proxy, whatever the environment says: libcurl reads `http_proxy`, `https_proxy`, `ALL_PROXY` and
    /// `no_proxy` unless CURLOPT_PROXY is set; the empty string turns proxies off.
    private static func ignoreProxyEnvironment(_ curl: UnsafeMutableRawPointer) {
        _ = cx_curl_set_string(curl, CURLOPT_PROXY, "")
        _ = cx_curl_set_string(curl, CURLOPT_NOPROXY, "*")
    }

    /// libcurl's code and words for a failed transfer.
    private static func curlFailure(_ url: String, _ result: CURLcode) -> HTTPError {
        .curl(url: url, code: Int(result.rawValue), message: String(cString: curl_easy_strerror(result)))
    }

    private static let refuseResolve:
        @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = {
            _, _, context in
            if let context { Unmanaged<Body>.fromOpaque(context).takeUnretainedValue().refusedResolve = true }
            return 1
        }

    private static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let body = Unmanaged<Body>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        let line = String(
            decoding: UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            body.location = nil
            body.contentType = nil
        } else if line.prefix(13).lowercased() == "content-type:" {
            body.contentType = line.dropFirst(13).trimmingSpacesAndNewlines()
        } else if line.prefix(9).lowercased() == "location:" {
            let value = line.dropFirst(9).trimmingSpacesAndNewlines()
            body.location = value.isEmpty ? nil : value
        }
        return length
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
