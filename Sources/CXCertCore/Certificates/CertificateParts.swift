#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
    public let der: [UInt8]

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
    /// MD2, MD4, MD5 and SHA-1: digests with practical collisions (see ``isBroken``); the phones' oldest roots use MD2 and MD5.
    case md2, md4, md5, sha1
    /// The SHA-2 family, which old phone firmware cannot validate.
    case sha224, sha256, sha384, sha512
    // The SHA-3 names keep their underscore, as the algorithms are spelled (SHA3-256), not camel case.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// SHA3-256.
    case sha3_256 = "sha3-256"
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// SHA3-384.
    case sha3_384 = "sha3-384"
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// SHA3-512.
    case sha3_512 = "sha3-512"
    /// `none`: the scheme has no separate digest (Ed25519, Ed448); `unknown`: a digest OpenSSL does not name.
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
        /// RSA with PKCS#1 v1.5 padding, the scheme every phone verifies.
        case rsaPKCS1 = "rsa-pkcs1"
        /// RSASSA-PSS.
        case rsaPSS = "rsassa-pss"
        /// ECDSA, DSA, EdDSA over Curve25519 or Curve448, or a scheme cxcert does not name.
        case ecdsa, dsa, ed25519, ed448, unknown
    }
    /// The algorithm's dotted object identifier.
    public let oid: String
    /// OpenSSL's long name, e.g. `sha256WithRSAEncryption`, `md2WithRSAEncryption`, `rsassaPss`.
    public let name: String
    /// The signature scheme family, such as RSA PKCS#1 v1.5 or ECDSA.
    public let scheme: Scheme
    /// The digest signed, which decides whether old firmware can validate the signature.
    public let hash: HashAlgorithm

    public var description: String { name }
}

/// The subject public key: algorithm and size.
public struct PublicKeyInfo: Sendable, Hashable, Codable {
    /// Key algorithm families.
    public enum Algorithm: String, Sendable, Codable {
        /// RSA (`rsaEncryption`).
        case rsa = "RSA"
        /// RSA restricted to RSASSA-PSS (`id-RSASSA-PSS`).
        case rsaPSS = "RSA-PSS"
        /// Elliptic curve; see ``PublicKeyInfo/curve``.
        case ec = "EC"
        /// DSA.
        case dsa = "DSA"
        /// Ed25519.
        case ed25519 = "Ed25519"
        /// Ed448.
        case ed448 = "Ed448"
        /// A key type cxcert does not name.
        case unknown
    }
    /// The key's algorithm family.
    public let algorithm: Algorithm
    /// The key size in bits (the modulus length for RSA, e.g. 1000 for RSA's old Secure Server CA).
    public let bits: Int
    /// The named curve for EC keys (`prime256v1`, `secp384r1`, ...).
    public let curve: String?
}

/// The basicConstraints extension.
public struct BasicConstraints: Sendable, Hashable, Codable {
    /// Whether the certificate is a CA (`cA` TRUE).
    public let isCA: Bool
    /// The pathLenConstraint, when present.
    public let pathLength: Int?
    /// Whether the extension is marked critical.
    public let critical: Bool
}

/// The keyUsage bits.
public struct KeyUsage: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Bit 0: verifying signatures other than on certificates and CRLs (a TLS server's ECDHE signature).
    public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
    /// Bit 1 (contentCommitment).
    public static let nonRepudiation = KeyUsage(rawValue: 1 << 1)
    /// Bit 2: key transport, as in TLS RSA key exchange.
    public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
    /// Bit 3.
    public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
    /// Bit 4.
    public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
    /// Bit 5: signing certificates, which a CA needs.
    public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
    /// Bit 6: signing CRLs.
    public static let cRLSign = KeyUsage(rawValue: 1 << 6)
    /// Bit 7.
    public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
    /// Bit 8.
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
    /// The purpose's dotted object identifier.
    public let oid: String
    /// OpenSSL's short name (`serverAuth`, `clientAuth`, ...) or the OID when unnamed.
    public let name: String

    /// `id-kp-serverAuth` (1.3.6.1.5.5.7.3.1), the purpose a TLS server certificate needs.
    public static let serverAuthOID = OID.serverAuth
    /// `anyExtendedKeyUsage` (2.5.29.37.0).
    public static let anyOID = OID.anyExtendedKeyUsage
    public var description: String { name }
}

/// One subjectAltName entry.
public enum GeneralName: Sendable, Hashable, CustomStringConvertible {
    /// A DNS name, as written (a wildcard keeps its `*`).
    case dns(String)
    /// An IP address as text (dotted IPv4 or IPv6).
    case ip(String)
    /// A URI.
    case uri(String)
    /// An email address (rfc822Name).
    case email(String)
    /// A directory name, as an RFC 4514 string.
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

    /// The entry's value as text, without its kind.
    public var value: String {
        switch self {
        case .dns(let v), .ip(let v), .uri(let v), .email(let v), .directory(let v), .other(let v): v
        }
    }

    public var description: String { "\(kind):\(value)" }
}

/// An extension's identity and criticality.
public struct ExtensionInfo: Sendable, Hashable, Codable {
    /// The extension's dotted object identifier.
    public let oid: String
    /// OpenSSL's short name (`basicConstraints`, `subjectAltName`, ...) or the OID when unnamed.
    public let name: String
    /// Whether the extension is marked critical.
    public let critical: Bool
}
