import Foundation

/// The stable JSON form of one certificate (the `cxcert inspect --json` schema).
///
/// Every key is always present; absent extensions are `null`. See the README for the schema.
public struct CertificateSummary: Encodable, Sendable {
    /// The certificate summarised.
    public let certificate: Certificate
    /// Where the certificate came from, when it came from a file.
    public let file: String?
    /// The container it was found in.
    public let format: InputFormat?
    /// How the input was encoded, when known.
    public let encoding: TextEncoding?

    /// Creates the summary of a certificate, with where it came from when known.
    public init(_ certificate: Certificate, file: String? = nil, format: InputFormat? = nil, encoding: TextEncoding? = nil) {
        self.certificate = certificate
        self.file = file
        self.format = format
        self.encoding = encoding
    }

    private struct Name: Encodable {
        let type: String
        let value: String
    }

    private enum Key: String, CodingKey {
        case file, format, encoding, subject, subjectAttributes, issuer, issuerAttributes, serial, version
        case notBefore, notAfter, signatureAlgorithm, signatureAlgorithmOID, signatureHash, signatureScheme
        case keyType, keyBits, keyCurve, isCA, pathLength, keyUsage, extendedKeyUsage, san
        case subjectKeyIdentifier, authorityKeyIdentifier, crlDistributionPoints, ocsp, caIssuers
        case selfIssued, extensions, sha1, sha256
    }

    public func encode(to encoder: any Encoder) throws {
        let c = certificate
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(file, forKey: .file)
        try out.encode(format, forKey: .format)
        try out.encode(encoding, forKey: .encoding)
        try out.encode(c.subject.rfc4514, forKey: .subject)
        try out.encode(c.subject.attributes, forKey: .subjectAttributes)
        try out.encode(c.issuer.rfc4514, forKey: .issuer)
        try out.encode(c.issuer.attributes, forKey: .issuerAttributes)
        try out.encode(c.serialNumber, forKey: .serial)
        try out.encode(c.version, forKey: .version)
        try out.encode(iso8601(c.notBefore), forKey: .notBefore)
        try out.encode(iso8601(c.notAfter), forKey: .notAfter)
        try out.encode(c.signatureAlgorithm.name, forKey: .signatureAlgorithm)
        try out.encode(c.signatureAlgorithm.oid, forKey: .signatureAlgorithmOID)
        try out.encode(c.signatureAlgorithm.hash, forKey: .signatureHash)
        try out.encode(c.signatureAlgorithm.scheme, forKey: .signatureScheme)
        try out.encode(c.publicKey.algorithm, forKey: .keyType)
        try out.encode(c.publicKey.bits, forKey: .keyBits)
        try out.encode(c.publicKey.curve, forKey: .keyCurve)
        try out.encode(c.isCA, forKey: .isCA)
        try out.encode(c.basicConstraints?.pathLength, forKey: .pathLength)
        try out.encode(c.keyUsage?.names, forKey: .keyUsage)
        try out.encode(c.extendedKeyUsage, forKey: .extendedKeyUsage)
        try out.encode(c.subjectAlternativeNames.map { Name(type: $0.kind, value: $0.value) }, forKey: .san)
        try out.encode(c.subjectKeyIdentifier.map { hexString($0) }, forKey: .subjectKeyIdentifier)
        try out.encode(c.authorityKeyIdentifier.map { hexString($0) }, forKey: .authorityKeyIdentifier)
        try out.encode(c.crlDistributionPoints, forKey: .crlDistributionPoints)
        try out.encode(c.ocspURLs, forKey: .ocsp)
        try out.encode(c.caIssuerURLs, forKey: .caIssuers)
        try out.encode(c.isSelfIssued, forKey: .selfIssued)
        try out.encode(c.extensions, forKey: .extensions)
        try out.encode(c.sha1Thumbprint, forKey: .sha1)
        try out.encode(c.sha256Fingerprint, forKey: .sha256)
    }
}

/// The project's JSON: pretty, keys sorted, slashes unescaped.
public enum JSONOutput {
    /// `value` as the project's JSON text (`null` if it cannot be encoded).
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
