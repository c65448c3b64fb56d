/// The object identifiers cxcert reads, in one namespace: dotted text for the OpenSSL-backed side, DER
/// content bytes for the lean reader (``OID/der(_:)``).
enum OID {
    // Keys and RSA PKCS#1 v1.5 signatures.
    static let rsaEncryption = "1.2.840.113549.1.1.1"
    static let sha1WithRSA = "1.2.840.113549.1.1.5"
    static let sha256WithRSA = "1.2.840.113549.1.1.11"
    static let sha384WithRSA = "1.2.840.113549.1.1.12"
    static let sha512WithRSA = "1.2.840.113549.1.1.13"
    static let sha224WithRSA = "1.2.840.113549.1.1.14"

    /// The RSA PKCS#1 v1.5 signature algorithms the batch fast path verifies itself, with their digests.
    static let rsaSignatures: [SignatureAlgorithm] = [
        SignatureAlgorithm(oid: sha1WithRSA, name: "sha1WithRSAEncryption", scheme: .rsaPKCS1, hash: .sha1),
        SignatureAlgorithm(oid: sha256WithRSA, name: "sha256WithRSAEncryption", scheme: .rsaPKCS1, hash: .sha256),
        SignatureAlgorithm(oid: sha384WithRSA, name: "sha384WithRSAEncryption", scheme: .rsaPKCS1, hash: .sha384),
        SignatureAlgorithm(oid: sha512WithRSA, name: "sha512WithRSAEncryption", scheme: .rsaPKCS1, hash: .sha512),
        SignatureAlgorithm(oid: sha224WithRSA, name: "sha224WithRSAEncryption", scheme: .rsaPKCS1, hash: .sha224),
    ]

    // Certificate extensions (RFC 5280 4.2).
    static let basicConstraints = "2.5.29.19"
    static let keyUsage = "2.5.29.15"
    static let extendedKeyUsage = "2.5.29.37"
    static let subjectAltName = "2.5.29.17"
    static let authorityKeyIdentifier = "2.5.29.35"
    static let nameConstraints = "2.5.29.30"
    static let policyConstraints = "2.5.29.36"
    static let inhibitAnyPolicy = "2.5.29.54"
    /// Netscape certificate type: OpenSSL's TLS purpose check reads it.
    static let netscapeCertType = "2.16.840.1.113730.1.1"
    /// Authority information access (RFC 5280 4.2.2.1).
    static let authorityInfoAccess = "1.3.6.1.5.5.7.1.1"

    // Extended key usages.
    static let serverAuth = "1.3.6.1.5.5.7.3.1"
    static let clientAuth = "1.3.6.1.5.5.7.3.2"
    static let codeSigning = "1.3.6.1.5.5.7.3.3"
    static let emailProtection = "1.3.6.1.5.5.7.3.4"
    static let timeStamping = "1.3.6.1.5.5.7.3.8"
    static let ocspSigning = "1.3.6.1.5.5.7.3.9"
    /// Certificate Transparency's precertificate signing (RFC 6962).
    static let precertificateSigning = "1.3.6.1.4.1.11129.2.4.4"
    static let anyExtendedKeyUsage = "2.5.29.37.0"

    // Names and containers.
    static let commonName = "2.5.4.3"
    /// Microsoft's user principal name (an otherName in a SAN).
    static let userPrincipalName = "1.3.6.1.4.1.311.20.2.3"
    static let pkcs7SignedData = "1.2.840.113549.1.7.2"
    /// The other PKCS#7 content types, named in errors (a certificate bundle is always signedData).
    static let pkcs7ContentTypes = [
        "1.2.840.113549.1.7.1": "data", "1.2.840.113549.1.7.3": "envelopedData",
        "1.2.840.113549.1.7.4": "signedAndEnvelopedData", "1.2.840.113549.1.7.5": "digestedData",
        "1.2.840.113549.1.7.6": "encryptedData", "1.2.840.113549.1.9.16.1.2": "authenticatedData",
    ]

    /// The DER content bytes of a dotted OID (base-128 arcs, the first two combined).
    static func der(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").compactMap { UInt64($0) }
        guard arcs.count >= 2 else { return [] }
        var out: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 {
                chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                rest >>= 7
            }
            out += chunk
        }
        return out
    }
}
