internal import COpenSSL
internal import CSSL
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TLS client handshake by OpenSSL over a non-blocking socket with a hard deadline, so a server
/// that never answers, dribbles bytes or sends garbage cannot hold a probe longer than its timeout.
/// The server's certificates are recorded, never verified here.
enum TLSHandshake {
    struct Settings: Sendable {
        var host: String
        var port: Int
        /// Server Name Indication; nil sends none (as a phone does).
        var serverName: String?
        var versions: ClosedRange<TLSVersion>
        /// OpenSSL cipher list for TLS 1.2 and below (`@SECLEVEL=0` is added: probes must reach legacy servers).
        var ciphers: String = "ALL:COMPLEMENTOFALL"
        /// TLS 1.3 suites; nil keeps OpenSSL's default.
        var tls13Suites: String?
        var timeout: TimeInterval
        /// A deadline shared by every handshake of one probe: each ends at the earlier of the two.
        var deadline: Date? = nil
        /// Addresses resolved once for the whole probe (sockaddr bytes); nil resolves here.
        var addresses: [Data]? = nil
        /// The largest certificate list accepted from the server.
        var maxCertificateList: Int = 1 << 20
        /// What to send once the handshake is done, and how much of the answer to read (nil: handshake only).
        var conversation: Conversation? = nil
    }

    /// One request written over the session and its answer read back, bounded in size and by the same deadline
    /// as the handshake (a server that answers slowly or never cannot hold the caller past it).
    struct Conversation: Sendable {
        var request: [UInt8]
        /// The most answer bytes read; reading stops there.
        var maxAnswer: Int
        /// Whether the bytes read so far hold a whole answer (reading stops there).
        var isComplete: @Sendable ([UInt8]) -> Bool
    }

    /// What a conversation read, and why reading stopped.
    struct Answer: Sendable {
        enum End: Sendable, Equatable {
            /// ``Conversation/isComplete`` held.
            case complete
            /// The server closed the connection first.
            case closed
            /// The deadline came first.
            case timeout
            /// ``Conversation/maxAnswer`` bytes were read without a whole answer.
            case tooLarge
            /// The request could not be written, or reading failed (OpenSSL's words).
            case failed(String)
        }
        let bytes: [UInt8]
        let end: End
    }

    struct Result: Sendable {
        let version: TLSVersion
        let cipher: String
        /// The certificates as the server sent them, leaf first.
        let chain: [[UInt8]]
        /// The answer to ``Settings/conversation``, when one was asked for.
        var answer: Answer? = nil
    }

    /// A write to a socket the server has closed must be an error, not a process-killing SIGPIPE.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    static func perform(_ settings: Settings) throws(TLSError) -> Result {
        _ = ignoreSIGPIPE
        if let missing = SystemLibrary.sslMissing { throw .missingLibrary(missing) }
        let target = "\(settings.host):\(settings.port)"
        let own = Date().addingTimeInterval(settings.timeout)
        let deadline = settings.deadline.map { min($0, own) } ?? own
        let socket = try connect(settings, target: target, deadline: deadline)
        defer { close(socket) }

        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .setup(target, reason: "cannot create a TLS context", cause: OpenSSLError.drain(or: "SSL_CTX_new failed"))
        }
        defer { SSL_CTX_free(context) }
        _ = cx_SSL_CTX_set_min_proto_version(context, protocolNumber(settings.versions.lowerBound))
        _ = cx_SSL_CTX_set_max_proto_version(context, protocolNumber(settings.versions.upperBound))
        _ = cx_SSL_CTX_set_max_cert_list(context, settings.maxCertificateList)
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        ERR_clear_error()
        guard SSL_CTX_set_cipher_list(context, settings.ciphers + ":@SECLEVEL=0") == 1 || settings.versions.lowerBound == .tls13 else {
            throw .setup(target, reason: "no usable cipher in '\(settings.ciphers)'", cause: OpenSSLError.drain(or: "no cipher match"))
        }
        if let suites = settings.tls13Suites { _ = SSL_CTX_set_ciphersuites(context, suites) }
        guard let ssl = SSL_new(context) else {
            throw .setup(target, reason: "cannot create a TLS session", cause: OpenSSLError.drain(or: "SSL_new failed"))
        }
        defer { SSL_free(ssl) }
        _ = SSL_set_fd(ssl, socket)
        if let name = settings.serverName { _ = cx_SSL_set_tlsext_host_name(ssl, name) }

        ERR_clear_error()
        while true {
            let rc = SSL_connect(ssl)
            if rc == 1 { break }
            let error = SSL_get_error(ssl, rc)
            switch error {
            case SSL_ERROR_WANT_READ: try wait(socket, events: Int16(POLLIN), deadline: deadline, target: target, timeout: settings.timeout)
            case SSL_ERROR_WANT_WRITE:
                try wait(socket, events: Int16(POLLOUT), deadline: deadline, target: target, timeout: settings.timeout)
            case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: throw .closedEarly(target)
            default: throw classify(target: target)
            }
        }
        var chain: [[UInt8]] = []
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<cx_sk_X509_num(stack) {
                guard let certificate = cx_sk_X509_value(stack, index) else { continue }
                var buffer: UnsafeMutablePointer<UInt8>?
                let length = i2d_X509(certificate, &buffer)
                if length > 0, let buffer {
                    chain.append(Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
                    cx_OPENSSL_free(buffer)
                }
            }
        }
        let version: TLSVersion =
            switch SSL_version(ssl) {
            case TLS1_VERSION: .tls10
            case TLS1_1_VERSION: .tls11
            case TLS1_2_VERSION: .tls12
            default: .tls13
            }
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? "unknown"
        let answer = settings.conversation.map { converse(ssl, socket: socket, $0, deadline: deadline) }
        _ = SSL_shutdown(ssl)
        return Result(version: version, cipher: cipher, chain: chain, answer: answer)
    }

    /// Writes the request and reads until the answer is whole, the server closes, the limit or the deadline.
    private static func converse(_ ssl: OpaquePointer, socket: Int32, _ conversation: Conversation, deadline: Date) -> Answer {
        func await(_ events: Int32) -> Bool {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(events), revents: 0)
            return poll(&descriptor, 1, Int32(min(remaining * 1000, 2_000_000))) > 0
        }
        var written = 0
        while written < conversation.request.count {
            ERR_clear_error()
            let rc = conversation.request[written...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            if rc > 0 {
                written += Int(rc)
                continue
            }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_WRITE: if !await(POLLOUT) { return Answer(bytes: [], end: .timeout) }
            case SSL_ERROR_WANT_READ: if !await(POLLIN) { return Answer(bytes: [], end: .timeout) }
            default: return Answer(bytes: [], end: .failed(OpenSSLError.drain(or: "the request could not be written").description))
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            if conversation.isComplete(bytes) { return Answer(bytes: bytes, end: .complete) }
            if bytes.count >= conversation.maxAnswer { return Answer(bytes: Array(bytes.prefix(conversation.maxAnswer)), end: .tooLarge) }
            ERR_clear_error()
            let want = min(chunk.count, conversation.maxAnswer - bytes.count)
            let rc = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(want)) }
            if rc > 0 {
                bytes += chunk[0..<Int(rc)]
                continue
            }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ: if !await(POLLIN) { return Answer(bytes: bytes, end: .timeout) }
            case SSL_ERROR_WANT_WRITE: if !await(POLLOUT) { return Answer(bytes: bytes, end: .timeout) }
            case SSL_ERROR_ZERO_RETURN: return Answer(bytes: bytes, end: .closed)
            case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: return Answer(bytes: bytes, end: .closed)
            default:
                let cause = OpenSSLError.drain(or: "read failed")
                // A peer that closes without close_notify is a close, as for the handshake.
                if ERR_GET_REASON(cause.firstCode) == SSL_R_UNEXPECTED_EOF_WHILE_READING { return Answer(bytes: bytes, end: .closed) }
                return Answer(bytes: bytes, end: .failed(cause.description))
            }
        }
    }

    private static func protocolNumber(_ version: TLSVersion) -> Int32 {
        switch version {
        case .tls10: TLS1_VERSION
        case .tls11: TLS1_1_VERSION
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }

    /// Names the OpenSSL failure: not TLS, an alert from the server, or a size limit. Classified by the
    /// first queued error (the cause); the whole stack travels with the error.
    private static func classify(target: String) -> TLSError {
        let cause = OpenSSLError.drain(or: "handshake failed")
        let code = cause.firstCode
        let library = ERR_GET_LIB(code)
        let number = ERR_GET_REASON(code)
        guard library == ERR_LIB_SSL else { return .failed(target, cause) }
        switch number {
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
            return .closedEarly(target)
        case SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_UNKNOWN_PROTOCOL, SSL_R_RECORD_LENGTH_MISMATCH,
            SSL_R_UNEXPECTED_MESSAGE, SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST, SSL_R_LENGTH_MISMATCH, SSL_R_BAD_PACKET:
            return .notTLS(target, cause)
        case SSL_R_EXCESSIVE_MESSAGE_SIZE, SSL_R_DATA_LENGTH_TOO_LONG:
            return .tooLarge(target, cause)
        default:
            // 1000+ are alerts the server sent (SSL_AD_REASON_OFFSET), e.g. "tlsv1 alert protocol version".
            if number >= 1000 || number == SSL_R_UNSUPPORTED_PROTOCOL || number == SSL_R_NO_PROTOCOLS_AVAILABLE
                || number == SSL_R_NO_SHARED_CIPHER || number == SSL_R_NO_CIPHERS_AVAILABLE
            {
                return .handshakeRefused(target, cause)
            }
            return .failed(target, cause)
        }
    }

    private static func wait(_ socket: Int32, events: Int16, deadline: Date, target: String, timeout: TimeInterval) throws(TLSError) {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { throw .timeout(target, seconds: timeout) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        let rc = poll(&descriptor, 1, Int32(min(remaining * 1000, 2_000_000)))
        guard rc > 0 else { throw .timeout(target, seconds: timeout) }
    }

    /// Resolves (under the deadline) unless the probe did already.
    static func resolve(host: String, port: Int, deadline: Date, timeout: TimeInterval) throws(TLSError) -> [Data] {
        guard let answer = AddressLookup.resolve(host: host, port: port, until: deadline) else {
            throw .timeout("\(host):\(port) (name lookup)", seconds: timeout)
        }
        if let failure = answer.failure { throw .cannotResolve(host: host, reason: failure) }
        guard !answer.list.isEmpty else { throw .cannotResolve(host: host, reason: "no address") }
        return answer.list
    }

    /// Opens and closes a TCP connection to an address (plain HTTP reachability), under the same deadline rules.
    static func reach(address: String, port: Int, timeout: TimeInterval) throws(TLSError) {
        let settings = Settings(host: address, port: port, serverName: nil, versions: .tls10 ... .tls13, timeout: timeout)
        close(
            try connect(
                settings, target: "\(address.contains(":") ? "[\(address)]" : address):\(port)",
                deadline: Date().addingTimeInterval(timeout)))
    }

    /// Connects (non-blocking) to the first address that answers before the deadline.
    private static func connect(_ settings: Settings, target: String, deadline: Date) throws(TLSError) -> Int32 {
        var addresses = settings.addresses ?? []
        if settings.addresses == nil {
            addresses = try resolve(host: settings.host, port: settings.port, deadline: deadline, timeout: settings.timeout)
        }
        var lastError: TLSError = .unreachable(target, reason: "no address")
        for address in addresses {
            let family = address.withUnsafeBytes { Int32($0.load(fromByteOffset: 0, as: sa_family_t.self)) }
            let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var noSignal: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
            let started = address.withUnsafeBytes { raw in
                Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if started == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = errno == ECONNREFUSED ? .refused(target) : .unreachable(target, reason: String(cString: strerror(errno)))
                close(fd)
                continue
            }
            do {
                try wait(fd, events: Int16(POLLOUT), deadline: deadline, target: target, timeout: settings.timeout)
            } catch {
                close(fd)
                throw error
            }
            var status: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length)
            if status == 0 { return fd }
            lastError = status == ECONNREFUSED ? .refused(target) : .unreachable(target, reason: String(cString: strerror(status)))
            close(fd)
        }
        throw lastError
    }
}
