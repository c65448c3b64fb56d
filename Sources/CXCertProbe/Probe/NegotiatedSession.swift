import CXCertCore
/// The protocol version and cipher suite a handshake agreed on.
public struct NegotiatedSession: Sendable, Hashable {
    /// The protocol version agreed on.
    public let version: TLSVersion
    /// OpenSSL's name of the suite.
    public let cipher: String

    /// A session as the handshake reported it.
    /// - Parameters:
    ///   - version: The protocol version agreed on.
    ///   - cipher: OpenSSL's name of the cipher suite agreed on.
    public init(version: TLSVersion, cipher: String) {
        self.version = version
        self.cipher = cipher
    }
}
