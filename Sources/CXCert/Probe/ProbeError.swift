/// Why a TLS connection could not be made, in words an admin can act on.
public enum ProbeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidTarget(String)
    case cannotResolve(host: String, reason: String)
    case refused(String)
    case unreachable(String, reason: String)
    case timeout(String, seconds: Double)
    /// Something answered, but not with TLS (e.g. plain HTTP on the port).
    case notTLS(String, reason: String)
    /// The server ended the handshake: an alert, or a closed connection.
    case handshakeRefused(String, reason: String)
    case closedEarly(String)
    case tooLarge(String, reason: String)
    case tls(String, reason: String)

    public var description: String {
        switch self {
        case .invalidTarget(let text): "'\(text)' is not HOST[:PORT]"
        case .cannotResolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .refused(let target): "\(target): connection refused (nothing listens on that port)"
        case .unreachable(let target, let reason): "\(target): unreachable (\(reason))"
        case .timeout(let target, let seconds): "\(target): no complete answer within \(seconds.formatted()) s"
        case .notTLS(let target, let reason): "\(target): the server does not speak TLS on this port (\(reason))"
        case .handshakeRefused(let target, let reason): "\(target): the server refused the handshake (\(reason))"
        case .closedEarly(let target): "\(target): the server closed the connection during the handshake"
        case .tooLarge(let target, let reason): "\(target): the server's handshake is too large (\(reason))"
        case .tls(let target, let reason): "\(target): TLS error: \(reason)"
        }
    }
}

/// TLS protocol versions a probe can offer.
public enum TLSVersion: String, Sendable, Codable, CaseIterable, Comparable {
    case tls10 = "TLS 1.0"
    case tls11 = "TLS 1.1"
    case tls12 = "TLS 1.2"
    case tls13 = "TLS 1.3"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Parses `1.0`, `TLS 1.0`, `tls1.2`...
    public init?(loose text: String) {
        let digits = text.lowercased().replacingOccurrences(of: "tls", with: "").trimmingCharacters(in: .whitespaces)
        guard let match = Self.allCases.first(where: { $0.rawValue.hasSuffix(" " + digits) }) else { return nil }
        self = match
    }
}
