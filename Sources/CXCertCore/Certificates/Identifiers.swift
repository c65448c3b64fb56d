#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A certificate's serial number: its magnitude as big-endian bytes, and its sign (RFC 5280 requires a positive
/// serial; some certificates in the field carry a negative one, and the web-PKI rules say so).
public struct SerialNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The magnitude, big-endian, without leading zero bytes (one zero byte for zero).
    public let magnitude: [UInt8]
    /// Whether the DER INTEGER was negative.
    public let isNegative: Bool

    /// Creates a serial number from its magnitude (leading zero bytes are dropped) and its sign.
    public init(magnitude: [UInt8], isNegative: Bool) {
        let trimmed = Array(magnitude.drop { $0 == 0 })
        self.magnitude = trimmed.isEmpty ? [0] : trimmed
        self.isNegative = isNegative
    }

    /// Uppercase hex without separators, a leading `-` when negative: as `openssl x509 -serial` prints it.
    public var hex: String { (isNegative ? "-" : "") + hexString(magnitude) }
    public var description: String { hex }

    /// Zero or negative, or longer than 20 octets: what RFC 5280 4.1.2.2 forbids.
    public var isWellFormed: Bool { !isNegative && magnitude != [0] && magnitude.count <= 20 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        guard let bytes = hexBytes(digits) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a hex serial"))
        }
        self.init(magnitude: bytes, isNegative: negative)
    }
}

/// A digest of a certificate's DER: the SHA-256 fingerprint, or the SHA-1 Windows thumbprint.
public struct Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The digest a fingerprint uses.
    public enum Algorithm: String, Sendable, Hashable, Codable {
        /// SHA-1 (the Windows thumbprint) or SHA-256.
        case sha1, sha256
    }
    /// The digest used.
    public let algorithm: Algorithm
    /// The digest's bytes: 20 for SHA-1, 32 for SHA-256.
    public let bytes: [UInt8]

    /// Creates a fingerprint from a digest already computed.
    public init(algorithm: Algorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// The digest of `der` with `algorithm`.
    init(_ algorithm: Algorithm, of der: [UInt8]) {
        self.init(algorithm: algorithm, bytes: algorithm == .sha1 ? Digest.sha1.hash(der) : Digest.sha256.hash(der))
    }

    /// Uppercase hex without separators, as `certutil` and cxcert's JSON print it.
    public var hex: String { hexString(bytes) }
    public var description: String { hex }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = hexBytes(text), bytes.count == 20 || bytes.count == 32 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a fingerprint"))
        }
        self.init(algorithm: bytes.count == 20 ? .sha1 : .sha256, bytes: bytes)
    }
}
