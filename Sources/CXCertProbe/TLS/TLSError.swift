import CXCertCore

/// Why a TLS client connection failed, as the socket and OpenSSL reported it. `TLSHandshake` throws it;
/// `ProbeError.connection` carries it to callers, which keep its wording.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name lookup failed (the resolver's words).
    case cannotResolve(host: String, reason: String)
    /// Nothing listens on the port (ECONNREFUSED).
    case refused(String)
    /// The address could not be reached; `reason` is the system's (`strerror`).
    case unreachable(String, reason: String)
    /// No complete answer before the deadline.
    case timeout(String, seconds: Double)
    /// Something answered, but not with TLS (e.g. plain HTTP on the port).
    case notTLS(String, OpenSSLError)
    /// The server ended the handshake with an alert, or offered nothing in common.
    case handshakeRefused(String, OpenSSLError)
    /// The server closed the connection during the handshake.
    case closedEarly(String)
    /// The server's handshake messages exceed the limits set for the probe.
    case tooLarge(String, OpenSSLError)
    /// cxcert could not set the session up (context, cipher list): `reason` says what, `cause` what OpenSSL queued.
    case setup(String, reason: String, cause: OpenSSLError)
    /// Any other OpenSSL failure during the handshake.
    case failed(String, OpenSSLError)
    /// libssl, which cxcert loads on its first handshake, could not be loaded: nothing was sent.
    case missingLibrary(MissingLibrary)

    /// True when no server could be talked to at all (as opposed to one that answered and refused).
    public var isUnreachable: Bool {
        switch self {
        case .cannotResolve, .refused, .unreachable, .timeout: true
        case .notTLS, .handshakeRefused, .closedEarly, .tooLarge, .setup, .failed, .missingLibrary: false
        }
    }

    /// The OpenSSL error stack behind the failure, when OpenSSL was involved.
    public var openSSL: OpenSSLError? {
        switch self {
        case .notTLS(_, let cause), .handshakeRefused(_, let cause), .tooLarge(_, let cause), .failed(_, let cause): cause
        case .setup(_, _, let cause): cause
        case .cannotResolve, .refused, .unreachable, .timeout, .closedEarly, .missingLibrary: nil
        }
    }

    /// One line for the admin; OpenSSL's first reason stands for the stack (see `openSSL` for all of it).
    public var description: String {
        switch self {
        case .cannotResolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .refused(let target): "\(target): connection refused (nothing listens on that port)"
        case .unreachable(let target, let reason): "\(target): unreachable (\(reason))"
        case .timeout(let target, let seconds): "\(target): no complete answer within \(groupedNumber(seconds)) s"
        case .notTLS(let target, let cause): "\(target): the server does not speak TLS on this port (\(cause))"
        case .handshakeRefused(let target, let cause): "\(target): the server refused the handshake (\(cause))"
        case .closedEarly(let target): "\(target): the server closed the connection during the handshake"
        case .tooLarge(let target, let cause): "\(target): the server's handshake is too large (\(cause))"
        case .setup(let target, let reason, _): "\(target): TLS error: \(reason)"
        case .failed(let target, let cause): "\(target): TLS error: \(cause)"
        case .missingLibrary(let missing): missing.description
        }
    }
}
