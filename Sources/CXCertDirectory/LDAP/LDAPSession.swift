internal import CLDAP
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A change to one attribute, as LDAP modify applies it.
struct LDAPModification: Sendable, Hashable {
    enum Operation: Sendable { case add, delete, replace }
    let operation: Operation
    let attribute: String
    let values: [[UInt8]]
}

/// One `ldap://` or `ldaps://` URL, parsed by libldap's own parser so that cxcert decides the TLS rule
/// on exactly what libldap would connect to (`ldap_initialize` also takes lists such as
/// `"ldaps://dc1 ldap://dc2"`, which would slip a plain second server past the check).
public struct LDAPURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the URL is `ldaps://`, so TLS starts before any LDAP message is sent.
    public let isTLS: Bool
    /// The server name or address, without brackets.
    public let host: String
    /// The TCP port: the URL's, or 636 for `ldaps` and 389 for `ldap` when it names none.
    public let port: Int

    /// Parses one URL with libldap's parser.
    /// - Parameter text: One `ldap://` or `ldaps://` URL naming a host, with no list, base DN, attributes,
    ///   filter or extensions.
    /// - Throws: ``DirectoryError/invalidURL(_:)`` when the text is not exactly one such URL;
    ///   ``DirectoryError/missingLibrary(_:)`` when libldap (loaded here, on first use) cannot be loaded.
    public init(parsing text: String) throws(DirectoryError) {
        if let missing = SystemLibrary.ldapMissing { throw .missingLibrary(missing) }
        guard !text.contains(where: { $0.isWhitespace || $0 == "," }), ldap_is_ldap_url(text) != 0 else { throw .invalidURL(text) }
        var parsed: UnsafeMutablePointer<LDAPURLDesc>?
        guard ldap_url_parse(text, &parsed) == 0, let parsed else { throw .invalidURL(text) }
        defer { ldap_free_urldesc(parsed) }
        let url = parsed.pointee
        let scheme = url.lud_scheme.map { String(cString: $0).lowercased() } ?? ""
        let host = url.lud_host.map { String(cString: $0) } ?? ""
        guard url.lud_next == nil, scheme == "ldap" || scheme == "ldaps", !host.isEmpty else { throw .invalidURL(text) }
        // A base DN, attributes, filter or extensions would be ignored or change the connection: refuse.
        guard
            (url.lud_dn.map { String(cString: $0).isEmpty } ?? true) && url.lud_attrs == nil && url.lud_filter == nil
                && url.lud_exts == nil
        else {
            throw .invalidURL(text)
        }
        isTLS = scheme == "ldaps"
        self.host = host
        port = url.lud_port > 0 && url.lud_port <= 65_535 ? Int(url.lud_port) : (isTLS ? 636 : 389)
    }

    /// The one URL libldap is given.
    public var description: String {
        "\(isTLS ? "ldaps" : "ldap")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Shuts a socket down when a libldap call overruns its deadline. libldap's own timeouts bound each
/// wait, not the whole call: the TLS handshake inside `ldap_install_tls` blocks on a peer that
/// accepts and never speaks, and a peer that dribbles a byte a second resets every per-read timer.
/// The blocking executor calls ``fire()`` at the deadline while the call still runs; `shutdown(2)` makes
/// the blocked read fail at once.
private final class Watchdog: @unchecked Sendable {
    private let lock = Lock()
    private var socket: Int32 = -1
    private var fired = false

    var hasFired: Bool { lock.withLock { fired } }

    func attach(_ socket: Int32) { lock.withLock { self.socket = socket } }

    /// Called before libldap closes the socket, so a late interrupt can never hit a reused descriptor.
    func detach() { lock.withLock { socket = -1 } }

    func fire() {
        lock.withLock {
            guard socket >= 0 else { return }
            fired = true
            _ = shutdown(socket, Int32(SHUT_RDWR))
        }
    }
}

/// A libldap pointer handed to the executor's thread; the caller waits for the call that uses it to return.
private struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
}

/// Owns one libldap connection. Referrals are off (AD answers subtree searches under the
/// Configuration NC with a reference to the Schema NC, which must be skipped, never chased),
/// results are paged, and every call has a hard deadline. Every blocking libldap call runs on the shared
/// `BlockingExecutor`, awaited by the caller. Not shared between tasks.
final class LDAPSession {
    struct Options: Sendable {
        var url: String
        /// CA certificates to verify the server with (default: the system's).
        var caFile: String?
        /// Upgrade ldap:// with StartTLS.
        var startTLS: Bool
        /// Allow ldap:// without TLS. Only when asked explicitly.
        var allowPlain: Bool
        /// Deadline of the connection (name lookup, TCP, TLS) and of every single operation.
        var timeout: TimeInterval
        var maxEntries: Int = 100_000
        var pageSize: Int = 500
        /// Paged searches stop after this many pages or this long in total, whatever the server's cookie says.
        var maxPages: Int = 1_000
        var maxSearchTime: TimeInterval = 300
        /// The largest single LDAP message accepted from the server (LBER_SB_OPT_SET_MAX_INCOMING).
        var maxIncomingBytes: Int = 16 << 20
        /// Only false for the second handshake that tells a certificate failure from any other.
        var verifyCertificate = true
    }

    private let handle: OpaquePointer
    private let options: Options
    private let url: LDAPURL
    private let watchdog = Watchdog()

    /// A write to a socket the watchdog (or the server) has shut must be an error, not a fatal SIGPIPE.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    init(_ options: Options) async throws(DirectoryError) {
        _ = Self.ignoreSIGPIPE
        let url = try LDAPURL(parsing: options.url)
        if !url.isTLS && !options.startTLS && !options.allowPlain {
            throw .encryptionRequired(
                "refusing plain LDAP to \(options.url): use ldaps://, StartTLS (the default for ldap://), or --plain to send the password unencrypted"
            )
        }
        guard options.timeout.isFinite, options.timeout > 0 else { throw .refused("the timeout must be a positive number of seconds") }
        self.url = url
        self.options = options
        // cxcert connects the socket itself (lookup and TCP under the deadline) and hands it to libldap,
        // so the watchdog knows the descriptor before the TLS handshake starts.
        let deadline = Date().addingTimeInterval(options.timeout)
        let socket = try await Self.connect(url, deadline: deadline, timeout: options.timeout)
        var raw: OpaquePointer?
        guard ldap_init_fd(ber_socket_t(socket), LDAP_PROTO_TCP, url.description, &raw) == LDAP_SUCCESS, let raw else {
            close(socket)
            throw .invalidURL(options.url)
        }
        handle = raw
        watchdog.attach(socket)
        var version = LDAP_VERSION3
        _ = ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version)
        _ = ldap_set_option(handle, LDAP_OPT_REFERRALS, cx_ldap_opt_off())
        // No LDAP_OPT_NETWORK_TIMEOUT: with it libldap runs the TLS handshake non-blocking and busy-polls a
        // silent peer (a core at 100 %); blocking I/O under the watchdog waits without spinning.
        var limit = timeval(tv_sec: Int(options.timeout.rounded(.up)), tv_usec: 0)
        _ = ldap_set_option(handle, LDAP_OPT_TIMEOUT, &limit)
        _ = cx_ldap_set_max_incoming(handle, ber_len_t(options.maxIncomingBytes))
        var demand = options.verifyCertificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
        _ = ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
        if let caFile = options.caFile { _ = ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile) }
        var isServer: Int32 = 0
        _ = ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &isServer)
        let remaining = deadline.timeIntervalSinceNow
        if url.isTLS {
            let operation = "TLS handshake with \(url)"
            try await checkTLS(blocking(seconds: remaining, operation) { ldap_install_tls($0) }, operation)
        } else if options.startTLS {
            let operation = "StartTLS with \(url)"
            try await checkTLS(blocking(seconds: remaining, operation) { ldap_start_tls_s($0, nil, nil) }, operation)
        }
    }

    /// Runs one blocking libldap call on the shared executor for `seconds` at most: at the deadline the watchdog
    /// shuts the socket, the call returns with an error, and ``check(_:_:dn:detail:matchedDN:)`` reports a timeout.
    private func blocking<T: Sendable>(
        seconds: TimeInterval, _ operation: String, _ body: @escaping @Sendable (OpaquePointer) -> T
    ) async throws(DirectoryError) -> T {
        let handle = Unchecked(value: handle)
        let watchdog = watchdog
        do {
            return try await BlockingExecutor.shared.run(
                deadline: Date().addingTimeInterval(max(seconds, 0.001)), atDeadline: .interrupt { watchdog.fire() }
            ) { body(handle.value) }
        } catch {
            switch error {
            case .deadlinePassed: throw .timeout("\(operation): no answer within \(Self.seconds(options.timeout)) s")
            case .cancelled, .queueFull: throw .refused("\(operation): \(error)")
            }
        }
    }

    deinit {
        watchdog.detach()
        ldap_unbind_ext_s(handle, nil, nil)
    }

    /// A TLS failure with the reason libldap recorded; a certificate that does not verify says what to pass.
    private func checkTLS(_ rc: Int32, _ operation: String) async throws(DirectoryError) {
        guard rc != LDAP_SUCCESS else { return }
        if watchdog.hasFired { throw .timeout("\(operation): no answer within \(Self.seconds(options.timeout)) s") }
        var diagnostic = diagnosticMessage() ?? ""
        // libldap often records only "(unknown error code)" when OpenSSL rejects the certificate. A second
        // handshake that does not verify (no bind, nothing sent) tells a certificate failure from the rest.
        if diagnostic.contains("unknown error code") { diagnostic = "" }
        if options.verifyCertificate && (rc == LDAP_CONNECT_ERROR || rc == LDAP_SERVER_DOWN) {
            var probe = options
            probe.verifyCertificate = false
            if (try? await LDAPSession(probe)) != nil {
                throw .certificateNotVerified(
                    "the TLS certificate of \(url) could not be verified\(diagnostic.isEmpty ? "" : " (\(diagnostic))"): pass --ca-file with the PEM certificate of the CA that issued the domain controller's certificate, and connect by a name that certificate holds (its subjectAltName)"
                )
            }
        }
        try check(rc, operation, detail: diagnostic.isEmpty ? nil : diagnostic)
    }

    private func diagnosticMessage() -> String? { stringOption(LDAP_OPT_DIAGNOSTIC_MESSAGE) }

    /// A string option of the last result (diagnostic message, matched DN), trimmed; nil when empty.
    private func stringOption(_ option: Int32) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        guard ldap_get_option(handle, option, &message) == LDAP_OPT_SUCCESS, let message else { return nil }
        defer { ldap_memfree(message) }
        let text = String(cString: message).trimmingSpacesAndNewlines()
        return text.isEmpty ? nil : text
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : fixed(value, decimals: 1)
    }

    /// Resolves (on the name-lookup executor, so a slow resolver cannot outlast the deadline) and connects a
    /// blocking TCP socket to the first address that answers before the deadline: one job on the blocking
    /// executor, so that no wait for the caller's thread falls between the lookup and the connect.
    private static func connect(_ url: LDAPURL, deadline: Date, timeout: TimeInterval) async throws(DirectoryError) -> Int32 {
        let result: Result<Int32, DirectoryError>
        do throws(BlockingExecutor.Failure) {
            result = try await BlockingExecutor.shared.run {
                Result { () throws(DirectoryError) in
                    guard let addresses = AddressLookup.resolve(host: url.host, port: url.port, until: deadline) else {
                        throw .timeout("looking up \(url.host): no answer within \(seconds(timeout)) s")
                    }
                    if let failure = addresses.failure { throw .cannotConnect("\(url): cannot resolve \(url.host) (\(failure))") }
                    return try connect(url, to: addresses.list, deadline: deadline, timeout: timeout)
                }
            }
        } catch {
            throw .refused("connecting to \(url): \(error)")
        }
        return try result.get()
    }

    private static func connect(_ url: LDAPURL, to list: [Data], deadline: Date, timeout: TimeInterval) throws(DirectoryError) -> Int32 {
        let target = "\(url)"
        var lastError: DirectoryError = .cannotConnect("\(target): no address")
        for address in list {
            let fd = address.withUnsafeBytes { raw -> Int32 in
                socket(Int32(raw.load(fromByteOffset: 0, as: sa_family_t.self)), Int32(SOCK_STREAM.rawValue), 0)
            }
            guard fd >= 0 else { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let started = address.withUnsafeBytes { raw in
                Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            var status: Int32 = 0
            if started != 0 {
                guard errno == EINPROGRESS else {
                    lastError = .cannotConnect("\(target): \(String(cString: strerror(errno)))")
                    close(fd)
                    continue
                }
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0, poll(&descriptor, 1, Int32(min(remaining * 1000, 2_000_000))) > 0 else {
                    close(fd)
                    throw .timeout("connecting to \(target): no answer within \(seconds(timeout)) s")
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length)
            }
            if status == 0 {
                // libldap expects a blocking socket; its reads are bounded by the watchdog.
                _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
                return fd
            }
            lastError = .cannotConnect("\(target): \(String(cString: strerror(status)))")
            close(fd)
        }
        throw lastError
    }

    /// Simple bind; AD accepts a DN, a UPN (`user@contoso.com`) or `DOMAIN\user` as the name. The
    /// credential points into the secret's own buffer, which is zeroed when the caller drops it.
    func bind(name: String, password: Secret) async throws(DirectoryError) {
        let operation = "bind as \(name)"
        let rc = try await blocking(seconds: options.timeout, operation) { handle in
            password.withBytes { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(bytes.count, 1)) { pointer in
                    var credential = berval(bv_len: ber_len_t(bytes.count), bv_val: bytes.count > 0 ? pointer : nil)
                    return ldap_sasl_bind_s(handle, name, nil, &credential, nil, nil, nil)
                }
            }
        }
        try check(rc, operation)
    }

    enum Scope { case base, oneLevel, subtree }

    /// Searches with the paged-results control, skipping search references.
    func search(base: String, scope: Scope, filter: String, attributes: [String]) async throws(DirectoryError)
        -> [DirectoryEntry]
    {
        var entries: [DirectoryEntry] = []
        // The server's paging cookie, owned here (libldap allocated it) until the next page.
        var cookie = berval(bv_len: 0, bv_val: nil)
        var hasCookie = false
        defer { if let value = cookie.bv_val { ber_memfree(value) } }
        let scopeValue: Int32 =
            switch scope {
            case .base: LDAP_SCOPE_BASE
            case .oneLevel: LDAP_SCOPE_ONELEVEL
            case .subtree: LDAP_SCOPE_SUBTREE
            }
        let started = Date()
        var pages = 0
        repeat {
            pages += 1
            guard pages <= options.maxPages else {
                throw .refused("the search under \(base) went on for more than \(options.maxPages) pages; refusing the rest")
            }
            let left = options.maxSearchTime - Date().timeIntervalSince(started)
            guard left > 0 else {
                throw .timeout("search under \(base): more than \(Self.seconds(options.maxSearchTime)) s in total")
            }
            var control: UnsafeMutablePointer<LDAPControl>?
            var rc =
                hasCookie
                ? ldap_create_page_control(handle, ber_int_t(clamping: options.pageSize), &cookie, 0, &control)
                : ldap_create_page_control(handle, ber_int_t(clamping: options.pageSize), nil, 0, &control)
            try check(rc, "paged search under \(base)")
            defer { ldap_control_free(control) }
            let seconds = min(options.timeout, left)
            let pageControl = Unchecked(value: control)
            let answer: (rc: Int32, failure: Int32, message: Unchecked<OpaquePointer?>)
            do {
                answer = try await blocking(seconds: seconds, "search under \(base)") { handle in
                    Self.withCStrings(attributes) { names in
                        var controls: [UnsafeMutablePointer<LDAPControl>?] = [pageControl.value, nil]
                        var limit = timeval(tv_sec: Int(seconds.rounded(.up)), tv_usec: 0)
                        var message: OpaquePointer?
                        errno = 0
                        let rc = ldap_search_ext_s(handle, base, scopeValue, filter, names, 0, &controls, nil, &limit, 0, &message)
                        return (rc: rc, failure: errno, message: Unchecked(value: message))
                    }
                }
            } catch .timeout where seconds < options.timeout {
                // Cut short by the search's total time, not by the per-operation timeout.
                throw .timeout("search under \(base): more than \(Self.seconds(options.maxSearchTime)) s in total")
            }
            let message = answer.message.value
            defer { if let message { ldap_msgfree(message) } }
            let failure = answer.failure
            rc = answer.rc
            if rc != LDAP_SUCCESS && watchdog.hasFired && seconds < options.timeout {
                throw .timeout("search under \(base): more than \(Self.seconds(options.maxSearchTime)) s in total")
            }
            // liblber refuses a message over LBER_SB_OPT_SET_MAX_INCOMING with ERANGE; libldap then
            // reports only "server down".
            if rc == LDAP_SERVER_DOWN && failure == ERANGE {
                throw .refused(
                    "the directory sent a message larger than \(options.maxIncomingBytes) bytes during the search under \(base); refused")
            }
            try check(rc, "search under \(base)")
            var next: berval? = nil
            var current = ldap_first_message(handle, message)
            while let item = current {
                let type = ldap_msgtype(item)
                if type == cx_ldap_res_search_entry() {
                    entries.append(entry(item))
                    guard entries.count <= options.maxEntries else { throw .sizeLimit(options.maxEntries) }
                } else if type == cx_ldap_res_search_result() {
                    next = try pageCookie(item)
                }
                // Search references (the Schema NC under CN=Configuration) are skipped on purpose.
                current = ldap_next_message(handle, item)
            }
            if let value = cookie.bv_val { ber_memfree(value) }
            cookie = next ?? berval(bv_len: 0, bv_val: nil)
            hasCookie = cookie.bv_len > 0
        } while hasCookie
        return entries
    }

    private func pageCookie(_ result: OpaquePointer) throws(DirectoryError) -> berval? {
        var code: Int32 = 0
        var matched: UnsafeMutablePointer<CChar>?
        var diagnostic: UnsafeMutablePointer<CChar>?
        var controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        let rc = ldap_parse_result(handle, result, &code, &matched, &diagnostic, nil, &controls, 0)
        defer {
            if let matched { ldap_memfree(matched) }
            if let diagnostic { ldap_memfree(diagnostic) }
            if let controls { ldap_controls_free(controls) }
        }
        try check(rc, "reading a search result")
        if code != LDAP_SUCCESS {
            try check(code, "search", detail: diagnostic.map { String(cString: $0) }, matchedDN: matched.map { String(cString: $0) })
        }
        guard let found = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, nil) else { return nil }
        var count: ber_int_t = 0
        var cookie = berval(bv_len: 0, bv_val: nil)
        guard ldap_parse_pageresponse_control(handle, found, &count, &cookie) == LDAP_SUCCESS else { return nil }
        return cookie
    }

    private func entry(_ message: OpaquePointer) -> DirectoryEntry {
        var dn = ""
        if let raw = ldap_get_dn(handle, message) {
            dn = String(cString: raw)
            ldap_memfree(raw)
        }
        var attributes: [String: [[UInt8]]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(handle, message, &ber)
        while let attribute = name {
            let key = String(cString: attribute)
            if let values = ldap_get_values_len(handle, message, attribute) {
                var list: [[UInt8]] = []
                var index = 0
                while let value = values[index] {
                    list.append(
                        value.pointee.bv_val.map {
                            $0.withMemoryRebound(to: UInt8.self, capacity: Int(value.pointee.bv_len)) {
                                Array(UnsafeBufferPointer(start: $0, count: Int(value.pointee.bv_len)))
                            }
                        } ?? [])
                    index += 1
                }
                ldap_value_free_len(values)
                attributes[key] = list
            }
            ldap_memfree(attribute)
            name = ldap_next_attribute(handle, message, ber)
        }
        if let ber { ber_free(ber, 0) }
        return DirectoryEntry(dn: dn, attributes: attributes)
    }

    func add(dn: String, attributes: [(String, [[UInt8]])]) async throws(DirectoryError) {
        let modifications = attributes.map { LDAPModification(operation: .add, attribute: $0.0, values: $0.1) }
        let rc = try await blocking(seconds: options.timeout, "add \(dn)") { handle in
            Self.withModifications(modifications) { mods in ldap_add_ext_s(handle, dn, mods, nil, nil) }
        }
        try check(rc, "add", dn: dn)
    }

    func modify(dn: String, _ modifications: [LDAPModification]) async throws(DirectoryError) {
        let rc = try await blocking(seconds: options.timeout, "modify \(dn)") { handle in
            Self.withModifications(modifications) { mods in ldap_modify_ext_s(handle, dn, mods, nil, nil) }
        }
        try check(rc, "modify", dn: dn)
    }

    /// Renames an object within its container (modify DN; the old RDN value is replaced).
    func rename(dn: String, to newRDN: String) async throws(DirectoryError) {
        let rc = try await blocking(seconds: options.timeout, "rename \(dn)") { ldap_rename_s($0, dn, newRDN, nil, 1, nil, nil) }
        try check(rc, "rename", dn: dn)
    }

    func delete(dn: String) async throws(DirectoryError) {
        let rc = try await blocking(seconds: options.timeout, "delete \(dn)") { ldap_delete_ext_s($0, dn, nil, nil) }
        try check(rc, "delete", dn: dn)
    }

    /// Builds a NULL-terminated LDAPMod* array of binary values, runs `body`, frees everything.
    private static func withModifications(
        _ modifications: [LDAPModification], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>) -> Int32
    ) -> Int32 {
        var allocations: [UnsafeMutableRawPointer] = []
        defer { for allocation in allocations { free(allocation) } }
        func copy(_ data: [UInt8]) -> UnsafeMutablePointer<CChar> {
            let memory = malloc(max(data.count, 1))!
            allocations.append(memory)
            data.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            return memory.assumingMemoryBound(to: CChar.self)
        }
        let mods = UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>.allocate(capacity: modifications.count + 1)
        defer { mods.deallocate() }
        var built: [UnsafeMutablePointer<LDAPMod>] = []
        var valueArrays: [UnsafeMutablePointer<UnsafeMutablePointer<berval>?>] = []
        var bervals: [UnsafeMutablePointer<berval>] = []
        defer {
            for mod in built { mod.deallocate() }
            for values in valueArrays { values.deallocate() }
            for value in bervals { value.deallocate() }
        }
        for (index, modification) in modifications.enumerated() {
            let values = UnsafeMutablePointer<UnsafeMutablePointer<berval>?>.allocate(capacity: modification.values.count + 1)
            valueArrays.append(values)
            for (position, value) in modification.values.enumerated() {
                let item = UnsafeMutablePointer<berval>.allocate(capacity: 1)
                item.initialize(to: berval(bv_len: ber_len_t(value.count), bv_val: copy(value)))
                bervals.append(item)
                values[position] = item
            }
            values[modification.values.count] = nil
            let op: Int32 =
                switch modification.operation {
                case .add: LDAP_MOD_ADD
                case .delete: LDAP_MOD_DELETE
                case .replace: LDAP_MOD_REPLACE
                }
            let mod = UnsafeMutablePointer<LDAPMod>.allocate(capacity: 1)
            mod.initialize(to: LDAPMod())
            mod.pointee.mod_op = op | LDAP_MOD_BVALUES
            mod.pointee.mod_type = copy(Array(modification.attribute.utf8) + [0])
            cx_ldapmod_set_bvalues(mod, values)
            built.append(mod)
            mods[index] = mod
        }
        mods[modifications.count] = nil
        return body(mods)
    }

    /// Turns an LDAP result code into a typed error naming the operation and object, with the result
    /// (code, diagnostic, matched DN) kept as its cause.
    private func check(_ rc: Int32, _ operation: String, dn: String = "", detail: String? = nil, matchedDN: String? = nil)
        throws(DirectoryError)
    {
        guard rc != LDAP_SUCCESS else { return }
        if watchdog.hasFired {
            throw .timeout("\(dn.isEmpty ? operation : "\(operation) \(dn)"): no answer within \(Self.seconds(options.timeout)) s")
        }
        let cause = LDAPError(
            code: rc, operation: dn.isEmpty ? operation : "\(operation) \(dn)", diagnostic: detail ?? diagnosticMessage(),
            matchedDN: matchedDN ?? stringOption(LDAP_OPT_MATCHED_DN))
        switch rc {
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR: throw .cannotConnect("\(options.url): \(cause.reason)", cause: cause)
        case LDAP_INVALID_CREDENTIALS: throw .invalidCredentials(cause)
        case LDAP_INSUFFICIENT_ACCESS: throw .insufficientRights(operation: operation, dn: dn, cause: cause)
        case LDAP_STRONG_AUTH_REQUIRED, LDAP_CONFIDENTIALITY_REQUIRED:
            throw .encryptionRequired(
                "the directory requires an encrypted connection for \(operation): use ldaps:// or StartTLS", cause: cause)
        case LDAP_NO_SUCH_OBJECT: throw .noSuchObject(dn.isEmpty ? cause.reason : dn, cause: cause)
        case LDAP_TIMEOUT, LDAP_TIMELIMIT_EXCEEDED: throw .timeout(operation)
        default: throw .ldap(cause)
        }
    }

    /// A NULL-terminated char* array for attribute lists.
    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

extension LDAPSession {
    static let alreadyExists = LDAP_ALREADY_EXISTS
    static let valueExists = LDAP_TYPE_OR_VALUE_EXISTS
    static let objectClassViolation = LDAP_OBJECT_CLASS_VIOLATION
    static let noSuchAttribute = LDAP_NO_SUCH_ATTRIBUTE
}
