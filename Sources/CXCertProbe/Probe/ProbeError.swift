import CXCertCore

/// Why a TLS connection could not be made, in words an admin can act on.
public enum ProbeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The target is not `HOST[:PORT]`.
    case invalidTarget(String)
    /// The connection or the handshake failed; the cause keeps what the socket and OpenSSL said.
    case connection(TLSError)

    /// True when no server could be talked to at all, so there is nothing to judge.
    public var isUnreachable: Bool {
        switch self {
        case .invalidTarget: true
        case .connection(let cause): cause.isUnreachable
        }
    }

    /// One line for the admin; a connection failure reads exactly as its `TLSError` does.
    public var description: String {
        switch self {
        case .invalidTarget(let text): "'\(text)' is not HOST[:PORT]"
        case .connection(let cause): cause.description
        }
    }
}

/// TLS protocol versions a probe can offer.
public enum TLSVersion: String, Sendable, Codable, CaseIterable, Comparable {
    /// TLS 1.0, the highest version Lync Phone Edition speaks.
    case tls10 = "TLS 1.0"
    /// TLS 1.1.
    case tls11 = "TLS 1.1"
    /// TLS 1.2.
    case tls12 = "TLS 1.2"
    /// TLS 1.3.
    case tls13 = "TLS 1.3"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    /// Orders versions from oldest to newest, so ranges such as `.tls10 ... .tls13` can be offered.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Parses `1.0`, `TLS 1.0`, `tls1.2`...
    public init?(loose text: String) {
        let digits = text.lowercased().replacingAll("tls", with: "").trimmingSpaces()
        guard let match = Self.allCases.first(where: { $0.rawValue.hasSuffix(" " + digits) }) else { return nil }
        self = match
    }
}
