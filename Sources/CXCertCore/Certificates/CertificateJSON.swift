#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one JSON schema of a certificate, in two views, shared by every command's output.
///
/// ``Reference`` identifies a certificate wherever output points at one (a chain link, a finding, a presented
/// chain, a cache row, a directory value); ``Full`` adds everything `inspect --json` shows. A command writes a
/// view flattened into its own object, beside the keys that say what the certificate is *to that command*
/// (a chain link's `role`, a cache row's `row`), so a script that reads a certificate from one command reads it
/// from every other. Both views decode strictly — every key present, every value in its documented form — which
/// is how the tests hold every command to this schema.
public enum CertificateJSON {
    /// The view that identifies a certificate, plus the facts the phones' verdicts turn on: `subject`, `issuer`,
    /// `serial`, `sha1`, `sha256`, `notBefore`, `notAfter`, `signatureAlgorithm`, `keyType`, `keyBits`.
    ///
    /// Values are kept as JSON writes them (RFC 4514 names, uppercase hex, ISO 8601 UTC), so a reference read back
    /// from any command's output compares equal to `Reference(certificate)`.
    public struct Reference: Sendable, Hashable, Codable {
        /// The subject as an RFC 4514 string.
        public let subject: String
        /// The issuer as an RFC 4514 string.
        public let issuer: String
        /// Uppercase hex, as `openssl x509 -serial` prints it (a leading `-` when negative).
        public let serial: String
        /// The SHA-1 digest of the DER, uppercase hex: the Windows thumbprint.
        public let sha1: String
        /// The SHA-256 digest of the DER, uppercase hex.
        public let sha256: String
        /// ISO 8601 UTC, e.g. `2028-12-31T23:59:59Z`.
        public let notBefore: String
        /// ISO 8601 UTC; the certificate is still valid during this second (RFC 5280 4.1.2.5).
        public let notAfter: String
        /// OpenSSL's name, e.g. `sha256WithRSAEncryption`: what decides `sha2-unsupported` on a phone.
        public let signatureAlgorithm: String
        /// `RSA`, `RSA-PSS`, `EC`, `DSA`, `Ed25519`, `Ed448` or `unknown`.
        public let keyType: String
        /// The key size in bits (1000 for RSA's old Secure Server CA).
        public let keyBits: Int

        /// The reference view of `certificate`.
        public init(_ certificate: Certificate) {
            subject = certificate.subject.rfc4514
            issuer = certificate.issuer.rfc4514
            serial = certificate.serialNumber
            sha1 = certificate.sha1Thumbprint
            sha256 = certificate.sha256Fingerprint
            notBefore = iso8601(certificate.notBefore)
            notAfter = iso8601(certificate.notAfter)
            signatureAlgorithm = certificate.signatureAlgorithm.name
            keyType = certificate.publicKey.algorithm.rawValue
            keyBits = certificate.publicKey.bits
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case subject, issuer, serial, sha1, sha256, notBefore, notAfter, signatureAlgorithm, keyType, keyBits
        }

        /// The keys this view writes, in schema order: for documentation and schema checks.
        public static let keys: [String] = CodingKeys.allCases.map(\.rawValue)

        /// Reads the view strictly: every key must be present and every value in its documented form; keys of the
        /// enclosing object (a chain link's `role`) are ignored.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func hex(_ key: CodingKeys, bytes: Int?) throws -> String {
                let text = try c.decode(String.self, forKey: key)
                let digits = key == .serial && text.hasPrefix("-") ? String(text.dropFirst()) : text
                guard let decoded = hexBytes(digits), !decoded.isEmpty, hexString(decoded) == digits,
                    bytes.map({ $0 == decoded.count }) ?? true
                else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c, debugDescription: "'\(text)' is not uppercase hex of the right length")
                }
                return text
            }
            func date(_ key: CodingKeys) throws -> String {
                let text = try c.decode(String.self, forKey: key)
                guard let parsed = try? Date(text, strategy: .iso8601), iso8601(parsed) == text else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not an ISO 8601 UTC time")
                }
                return text
            }
            subject = try c.decode(String.self, forKey: .subject)
            issuer = try c.decode(String.self, forKey: .issuer)
            serial = try hex(.serial, bytes: nil)
            sha1 = try hex(.sha1, bytes: 20)
            sha256 = try hex(.sha256, bytes: 32)
            notBefore = try date(.notBefore)
            notAfter = try date(.notAfter)
            signatureAlgorithm = try c.decode(String.self, forKey: .signatureAlgorithm)
            keyType = try c.decode(String.self, forKey: .keyType)
            guard PublicKeyInfo.Algorithm(rawValue: keyType) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .keyType, in: c, debugDescription: "'\(keyType)' is not a key type")
            }
            keyBits = try c.decode(Int.self, forKey: .keyBits)
        }
    }

    /// Everything `inspect --json` shows about a certificate: the ``Reference`` keys plus names by attribute,
    /// version, the signature's OID, hash and scheme, the key's curve, the extensions and `selfIssued`.
    ///
    /// Absent extensions are `null`, never missing keys. The README's `inspect` table documents each key.
    public struct Full: Sendable, Hashable, Codable {
        /// One subjectAltName entry: `type` is `DNS`, `IP`, `URI`, `email`, `dirName` or `other`.
        public struct AlternativeName: Sendable, Hashable, Codable {
            /// The entry's form, as `inspect` names it.
            public let type: String
            /// The name, address or URI; an `other` entry keeps what it holds (`UPN: admin@contoso.com`).
            public let value: String
        }

        /// The identifying keys, written at the same level as the rest.
        public let reference: Reference
        /// The subject's attributes in encoded order, each with its type, OID and value.
        public let subjectAttributes: [DistinguishedName.Attribute]
        /// The issuer's attributes in encoded order.
        public let issuerAttributes: [DistinguishedName.Attribute]
        /// 1, 2 or 3.
        public let version: Int
        /// The signature algorithm's dotted OID.
        public let signatureAlgorithmOID: String
        /// The signature's digest (`md2` ... `sha512`): what firmware limits are about.
        public let signatureHash: HashAlgorithm
        /// The signature's scheme (`rsa-pkcs1`, `rsassa-pss`, `ecdsa`, ...).
        public let signatureScheme: SignatureAlgorithm.Scheme
        /// The named curve of an EC key, null otherwise.
        public let keyCurve: String?
        /// basicConstraints CA:TRUE.
        public let isCA: Bool
        /// basicConstraints' pathLenConstraint, null when absent.
        public let pathLength: Int?
        /// The RFC 5280 names of the keyUsage bits set, null without the extension.
        public let keyUsage: [String]?
        /// The extendedKeyUsage purposes (`oid`, `name`), null without the extension.
        public let extendedKeyUsage: [ExtendedKeyUsage]?
        /// The subjectAltName entries in encoded order.
        public let san: [AlternativeName]
        /// Uppercase hex, null without the extension.
        public let subjectKeyIdentifier: String?
        /// The authorityKeyIdentifier's key id, uppercase hex, null without one.
        public let authorityKeyIdentifier: String?
        /// CRL distribution point URLs.
        public let crlDistributionPoints: [String]
        /// Authority Information Access OCSP URLs.
        public let ocsp: [String]
        /// Authority Information Access caIssuers URLs: where a phone could fetch a missing intermediate.
        public let caIssuers: [String]
        /// The subject equals the issuer.
        public let selfIssued: Bool
        /// Every extension (`oid`, `name`, `critical`), in encoded order.
        public let extensions: [ExtensionInfo]

        /// The full view of `certificate`.
        public init(_ certificate: Certificate) {
            let c = certificate
            reference = Reference(c)
            subjectAttributes = c.subject.attributes
            issuerAttributes = c.issuer.attributes
            version = c.version
            signatureAlgorithmOID = c.signatureAlgorithm.oid
            signatureHash = c.signatureAlgorithm.hash
            signatureScheme = c.signatureAlgorithm.scheme
            keyCurve = c.publicKey.curve
            isCA = c.isCA
            pathLength = c.basicConstraints?.pathLength
            keyUsage = c.keyUsage?.names
            extendedKeyUsage = c.extendedKeyUsage
            san = c.subjectAlternativeNames.map { AlternativeName(type: $0.kind, value: $0.value) }
            subjectKeyIdentifier = c.subjectKeyIdentifier.map { hexString($0) }
            authorityKeyIdentifier = c.authorityKeyIdentifier.map { hexString($0) }
            crlDistributionPoints = c.crlDistributionPoints
            ocsp = c.ocspURLs
            caIssuers = c.caIssuerURLs
            selfIssued = c.isSelfIssued
            extensions = c.extensions
        }

        enum Key: String, CodingKey, CaseIterable {
            case subjectAttributes, issuerAttributes, version, signatureAlgorithmOID, signatureHash, signatureScheme, keyCurve
            case isCA, pathLength, keyUsage, extendedKeyUsage, san, subjectKeyIdentifier, authorityKeyIdentifier
            case crlDistributionPoints, ocsp, caIssuers, selfIssued, extensions
        }

        /// The keys this view writes: the reference keys, then the rest in schema order.
        public static let keys: [String] = Reference.keys + Key.allCases.map(\.rawValue)

        /// Writes every key, a missing value as `null`, into the encoder's keyed container.
        public func encode(to encoder: any Encoder) throws {
            try reference.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(subjectAttributes, forKey: .subjectAttributes)
            try out.encode(issuerAttributes, forKey: .issuerAttributes)
            try out.encode(version, forKey: .version)
            try out.encode(signatureAlgorithmOID, forKey: .signatureAlgorithmOID)
            try out.encode(signatureHash, forKey: .signatureHash)
            try out.encode(signatureScheme, forKey: .signatureScheme)
            try out.encode(keyCurve, forKey: .keyCurve)
            try out.encode(isCA, forKey: .isCA)
            try out.encode(pathLength, forKey: .pathLength)
            try out.encode(keyUsage, forKey: .keyUsage)
            try out.encode(extendedKeyUsage, forKey: .extendedKeyUsage)
            try out.encode(san, forKey: .san)
            try out.encode(subjectKeyIdentifier, forKey: .subjectKeyIdentifier)
            try out.encode(authorityKeyIdentifier, forKey: .authorityKeyIdentifier)
            try out.encode(crlDistributionPoints, forKey: .crlDistributionPoints)
            try out.encode(ocsp, forKey: .ocsp)
            try out.encode(caIssuers, forKey: .caIssuers)
            try out.encode(selfIssued, forKey: .selfIssued)
            try out.encode(extensions, forKey: .extensions)
        }

        /// Reads the view strictly: every key must be present (null where the schema allows it).
        public init(from decoder: any Decoder) throws {
            reference = try Reference(from: decoder)
            let c = try decoder.container(keyedBy: Key.self)
            subjectAttributes = try c.decode([DistinguishedName.Attribute].self, forKey: .subjectAttributes)
            issuerAttributes = try c.decode([DistinguishedName.Attribute].self, forKey: .issuerAttributes)
            version = try c.decode(Int.self, forKey: .version)
            signatureAlgorithmOID = try c.decode(String.self, forKey: .signatureAlgorithmOID)
            signatureHash = try c.decode(HashAlgorithm.self, forKey: .signatureHash)
            signatureScheme = try c.decode(SignatureAlgorithm.Scheme.self, forKey: .signatureScheme)
            keyCurve = try c.decode(String?.self, forKey: .keyCurve)
            isCA = try c.decode(Bool.self, forKey: .isCA)
            pathLength = try c.decode(Int?.self, forKey: .pathLength)
            keyUsage = try c.decode([String]?.self, forKey: .keyUsage)
            extendedKeyUsage = try c.decode([ExtendedKeyUsage]?.self, forKey: .extendedKeyUsage)
            san = try c.decode([AlternativeName].self, forKey: .san)
            subjectKeyIdentifier = try c.decode(String?.self, forKey: .subjectKeyIdentifier)
            authorityKeyIdentifier = try c.decode(String?.self, forKey: .authorityKeyIdentifier)
            crlDistributionPoints = try c.decode([String].self, forKey: .crlDistributionPoints)
            ocsp = try c.decode([String].self, forKey: .ocsp)
            caIssuers = try c.decode([String].self, forKey: .caIssuers)
            selfIssued = try c.decode(Bool.self, forKey: .selfIssued)
            extensions = try c.decode([ExtensionInfo].self, forKey: .extensions)
        }
    }
}

/// How JSON output points at a certificate: the reference view of ``CertificateJSON``.
///
/// Kept under this name because findings, probes and directory listings have always exposed it.
public typealias CertificateReference = CertificateJSON.Reference
