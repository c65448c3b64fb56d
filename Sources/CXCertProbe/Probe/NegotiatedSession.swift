import CXCertCore
/// The protocol version and cipher suite a handshake agreed on.
public struct NegotiatedSession: Sendable, Hashable {
    public let version: TLSVersion
    /// OpenSSL's name of the suite.
    public let cipher: String

    public init(version: TLSVersion, cipher: String) {
        self.version = version
        self.cipher = cipher
    }
}
