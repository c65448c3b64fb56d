import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// ``DERCertificateFields`` against ``X509Handle``: every certificate in the repository (the test PKI, the trust store
/// and its alternates, the fixtures and the examples) reads the same both ways, or the DER reader declines it.
@Suite struct CertificateFieldsTests {
    /// Every certificate file the repository holds or the test PKI writes.
    static func certificates() throws -> [(file: String, certificate: Certificate)] {
        let pki = try TestPKI.get()
        // Every kind of entry the summary prints, on one leaf and one constrained CA.
        try pki.ensure("fields-every-entry") {
            try pki.issue(
                "fields-every-entry", issuer: "inter", subject: "/C=US/O=Contoso \"Ltd\"/OU=A+B/CN=every.contoso.com",
                key: "leaf.key",
                extensions: [
                    "subjectAltName=DNS:every.contoso.com,DNS:*.contoso.com,IP:10.0.0.1,IP:fe80::1,URI:sip:a@contoso.com,"
                        + "email:a@contoso.com,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:a@contoso.com,dirName:dir",
                    "extendedKeyUsage=serverAuth,clientAuth,1.3.6.1.4.1.311.10.3.4",
                    "keyUsage=critical,digitalSignature,keyEncipherment,decipherOnly",
                    "crlDistributionPoints=URI:http://crl.contoso.com/a.crl,URI:ldap://dc/a",
                    "authorityInfoAccess=OCSP;URI:http://ocsp.contoso.com,caIssuers;URI:http://pki.contoso.com/i.crt",
                    "certificatePolicies=2.5.29.32.0", "nsComment=\"a comment\"", "[dir]", "CN=Directory Name", "O=Contoso",
                ])
        }
        try pki.ensure("fields-path-length") {
            try pki.issue(
                "fields-path-length", issuer: "inter", subject: "/CN=Constrained CA", key: "leaf.key",
                extensions: ["basicConstraints=critical,CA:TRUE,pathlen:2", "keyUsage=keyCertSign"])
        }
        var files = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).map { pki.url($0) }
        for folder in ["TrustStore", "Tests/CXCertTests/Fixtures", "Examples"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            files += (FileManager.default.subpaths(atPath: root.path) ?? []).map { root.appendingPathComponent($0) }
        }
        let suffixes = [".pem", ".der", ".cer", ".crt", ".p7b", ".p7c"]
        var found: [(String, Certificate)] = []
        for file in files where suffixes.contains(where: file.lastPathComponent.hasSuffix) {
            guard let decoded = try? CertificateDecoder().decode(contentsOf: file) else { continue }
            found += decoded.certificates.map { (file.path, $0) }
        }
        return found
    }

    @Test("the DER reader gives X509Handle's values on every certificate in the repository, or declines")
    func sameAsOpenSSL() throws {
        let all = try Self.certificates()
        #expect(all.count >= 30, "\(all.count)")
        var read = 0
        for (file, certificate) in all {
            guard let fields = DERCertificateFields(certificate.der) else { continue }
            read += 1
            let context = Comment(rawValue: "\(file): \(certificate.subject)")
            #expect(fields.version == certificate.version, context)
            #expect(fields.subject == certificate.subject, context)
            #expect(fields.subject.attributes == certificate.subject.attributes, context)
            #expect(fields.subject.rfc4514 == certificate.subject.rfc4514, context)
            #expect(fields.issuer == certificate.issuer, context)
            #expect(fields.issuer.attributes == certificate.issuer.attributes, context)
            #expect(fields.issuer.rfc4514 == certificate.issuer.rfc4514, context)
            #expect(fields.serial == certificate.serial, context)
            #expect(fields.notBefore == certificate.notBefore, context)
            #expect(fields.notAfter == certificate.notAfter, context)
            #expect(fields.signatureAlgorithm == certificate.signatureAlgorithm, context)
            #expect(fields.publicKey == certificate.publicKey, context)
            #expect(fields.basicConstraints == certificate.basicConstraints, context)
            #expect(fields.keyUsage == certificate.keyUsage, context)
            #expect(fields.extendedKeyUsage == certificate.extendedKeyUsage, context)
            #expect(fields.subjectAlternativeNames == certificate.subjectAlternativeNames, context)
            #expect(fields.authorityKeyIdentifier == certificate.authorityKeyIdentifier, context)
            #expect(fields.subjectKeyIdentifier == certificate.subjectKeyIdentifier, context)
            #expect(fields.crlDistributionPoints == certificate.crlDistributionPoints, context)
            let ocsp = fields.authorityInformationAccess.filter { $0.method == "OCSP" }.map(\.location)
            let caIssuers = fields.authorityInformationAccess.filter { $0.method == "caIssuers" }.map(\.location)
            #expect(ocsp == certificate.ocspURLs, context)
            #expect(caIssuers == certificate.caIssuerURLs, context)
            #expect(fields.extensions == certificate.extensions, context)
        }
        // Most certificates must take the DER path, or it would save nothing.
        #expect(read * 2 > all.count, "the DER reader read \(read) of \(all.count)")
    }

    @Test("the DER reader declines what it cannot match: truncation, trailing bytes, a non-RSA key, RSA-PSS")
    func declines() throws {
        let all = try Self.certificates()
        let plain = try #require(all.first { DERCertificateFields($0.certificate.der) != nil }).certificate
        #expect(DERCertificateFields(Array(plain.der.dropLast())) == nil)
        #expect(DERCertificateFields(plain.der + [0]) == nil)
        #expect(DERCertificateFields([]) == nil)
        for (_, certificate) in all where certificate.publicKey.algorithm != .rsa || certificate.signatureAlgorithm.scheme == .rsaPSS {
            #expect(DERCertificateFields(certificate.der) == nil, "\(certificate.subject)")
        }
    }
}
