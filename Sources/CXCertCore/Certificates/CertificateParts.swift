import Foundation

/// An X.501 distinguished name, kept both as ordered attributes and as an RFC 4514 string.
public struct DistinguishedName: Sendable, Hashable, CustomStringConvertible {
    /// One attribute of a relative distinguished name, such as `CN=Contoso Root CA`.
    public struct Attribute: Sendable, Hashable, Codable {
        /// Short name as OpenSSL knows it (`CN`, `OU`, `DC`, ...), or the dotted OID.
        public let type: String
        /// The attribute type's object identifier.
        public let oid: String
        /// The value as UTF-8 text.
        public let value: String
    }

    /// Attributes in encoded order (most significant first, e.g. `C` before `CN`).
    public let attributes: [Attribute]
    /// The RFC 4514 string (least significant first, e.g. `CN=...,O=...,C=US`).
    public let rfc4514: String
    /// The DER encoding; two names are the same name when these bytes are equal.
    public let der: Data

    public var description: String { rfc4514 }

    /// The values of every attribute of `type` (short name, e.g. `"CN"`), in encoded order.
    public func values(of type: String) -> [String] {
        attributes.filter { $0.type == type }.map(\.value)
    }

    /// The most specific common name, if any.
    public var commonName: String? { values(of: "CN").last }

    /// A short human name: the CN, else the last OU, else the O (as Windows shows old roots without a CN).
    public var displayName: String {
        commonName ?? values(of: "OU").last ?? values(of: "O").last ?? rfc4514
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

/// The digest inside a signature algorithm.
public enum HashAlgorithm: String, Sendable, Codable, CaseIterable {
    case md2, md4, md5, sha1
    case sha224, sha256, sha384, sha512
    case sha3_256 = "sha3-256"
    case sha3_384 = "sha3-384"
    case sha3_512 = "sha3-512"
    case none, unknown

    /// SHA-2 family digests, which old phone firmware cannot validate.
    public var isSHA2: Bool {
        switch self {
        case .sha224, .sha256, .sha384, .sha512: true
        default: false
        }
    }
    /// Digests no current verifier should accept (collisions are practical or the digest is gone).
    public var isBroken: Bool {
        switch self {
        case .md2, .md4, .md5, .sha1: true
        default: false
        }
    }
}

/// How a certificate is signed: the scheme and the digest.
public struct SignatureAlgorithm: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The signature scheme family.
    public enum Scheme: String, Sendable, Codable {
        case rsaPKCS1 = "rsa-pkcs1"
        case rsaPSS = "rsassa-pss"
        case ecdsa, dsa, ed25519, ed448, unknown
    }
    /// The algorithm's dotted object identifier.
    public let oid: String
    /// OpenSSL's long name, e.g. `sha256WithRSAEncryption`, `md2WithRSAEncryption`, `rsassaPss`.
    public let name: String
    public let scheme: Scheme
    public let hash: HashAlgorithm

    public var description: String { name }
}

/// The subject public key: algorithm and size.
public struct PublicKeyInfo: Sendable, Hashable, Codable {
    /// Key algorithm families.
    public enum Algorithm: String, Sendable, Codable {
        case rsa = "RSA"
        case rsaPSS = "RSA-PSS"
        case ec = "EC"
        case dsa = "DSA"
        case ed25519 = "Ed25519"
        case ed448 = "Ed448"
        case unknown
    }
    public let algorithm: Algorithm
    /// The key size in bits (the modulus length for RSA, e.g. 1000 for RSA's old Secure Server CA).
    public let bits: Int
    /// The named curve for EC keys (`prime256v1`, `secp384r1`, ...).
    public let curve: String?
}

/// The basicConstraints extension.
public struct BasicConstraints: Sendable, Hashable, Codable {
    public let isCA: Bool
    /// The pathLenConstraint, when present.
    public let pathLength: Int?
    public let critical: Bool
}

/// The keyUsage bits.
public struct KeyUsage: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
    public static let nonRepudiation = KeyUsage(rawValue: 1 << 1)
    public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
    public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
    public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
    public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
    public static let cRLSign = KeyUsage(rawValue: 1 << 6)
    public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
    public static let decipherOnly = KeyUsage(rawValue: 1 << 8)

    static let named: [(KeyUsage, String)] = [
        (.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
        (.keyEncipherment, "keyEncipherment"), (.dataEncipherment, "dataEncipherment"),
        (.keyAgreement, "keyAgreement"), (.keyCertSign, "keyCertSign"), (.cRLSign, "cRLSign"),
        (.encipherOnly, "encipherOnly"), (.decipherOnly, "decipherOnly"),
    ]

    /// The RFC 5280 names of the bits that are set.
    public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }
}

/// One extendedKeyUsage purpose.
public struct ExtendedKeyUsage: Sendable, Hashable, Codable, CustomStringConvertible {
    public let oid: String
    /// OpenSSL's short name (`serverAuth`, `clientAuth`, ...) or the OID when unnamed.
    public let name: String

    public static let serverAuthOID = OID.serverAuth
    public static let anyOID = OID.anyExtendedKeyUsage
    public var description: String { name }
}

/// One subjectAltName entry.
public enum GeneralName: Sendable, Hashable, CustomStringConvertible {
    case dns(String)
    case ip(String)
    case uri(String)
    case email(String)
    case directory(String)
    /// otherName (e.g. a Microsoft UPN) or another form we only name by type.
    case other(String)

    /// The kind as written in JSON and text: `DNS`, `IP`, `URI`, `email`, `dirName`, `other`.
    public var kind: String {
        switch self {
        case .dns: "DNS"
        case .ip: "IP"
        case .uri: "URI"
        case .email: "email"
        case .directory: "dirName"
        case .other: "other"
        }
    }

    public var value: String {
        switch self {
        case .dns(let v), .ip(let v), .uri(let v), .email(let v), .directory(let v), .other(let v): v
        }
    }

    public var description: String { "\(kind):\(value)" }
}

/// An extension's identity and criticality.
public struct ExtensionInfo: Sendable, Hashable, Codable {
    public let oid: String
    public let name: String
    public let critical: Bool
}
