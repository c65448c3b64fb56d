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
            // The reference: OpenSSL's reading of the whole certificate, which must accept whatever the DER reader read.
            let handle = try #require(try? X509Handle(der: certificate.der), context)
            #expect(fields.version == handle.version, context)
            #expect(fields.subject == handle.subject, context)
            #expect(fields.subject.attributes == handle.subject.attributes, context)
            #expect(fields.subject.rfc4514 == handle.subject.rfc4514, context)
            #expect(fields.issuer == handle.issuer, context)
            #expect(fields.issuer.attributes == handle.issuer.attributes, context)
            #expect(fields.issuer.rfc4514 == handle.issuer.rfc4514, context)
            #expect(fields.serial == handle.serial, context)
            #expect(fields.notBefore == handle.notBefore, context)
            #expect(fields.notAfter == handle.notAfter, context)
            #expect(fields.signatureAlgorithm == handle.signatureAlgorithm, context)
            #expect(fields.publicKey == handle.publicKey, context)
            let critical = handle.extensions.first { $0.oid == OID.basicConstraints }?.critical ?? false
            #expect(fields.basicConstraints == handle.basicConstraints(critical: critical), context)
            #expect(fields.keyUsage == handle.keyUsage, context)
            #expect(fields.extendedKeyUsage == handle.extendedKeyUsage, context)
            #expect(fields.subjectAlternativeNames == handle.subjectAlternativeNames, context)
            #expect(fields.authorityKeyIdentifier == handle.authorityKeyIdentifier, context)
            #expect(fields.subjectKeyIdentifier == handle.subjectKeyIdentifier, context)
            #expect(fields.crlDistributionPoints == handle.crlDistributionPoints, context)
            #expect(fields.authorityInformationAccess.map(\.method) == handle.authorityInformationAccess.map(\.method), context)
            #expect(fields.authorityInformationAccess.map(\.location) == handle.authorityInformationAccess.map(\.location), context)
            #expect(fields.extensions == handle.extensions, context)
            // And the certificate built from them says the same.
            #expect(certificate.subjectAlternativeNames == handle.subjectAlternativeNames, context)
            #expect(certificate.handle != nil, context)
        }
        // Most certificates of the kind it is for (an RSA key under a PKCS#1 signature) must take the DER path, or it
        // would save nothing. Counted on those alone: other suites add EC, Ed25519, DSA and PSS certificates to the test
        // PKI's folder, as many as they like and in any order.
        let meant = all.filter { $0.certificate.publicKey.algorithm == .rsa && $0.certificate.signatureAlgorithm.scheme == .rsaPKCS1 }
        let readMeant = meant.filter { DERCertificateFields($0.certificate.der) != nil }.count
        #expect(readMeant * 10 >= meant.count * 8, "the DER reader read \(readMeant) of \(meant.count) (all: \(read) of \(all.count))")
    }

    @Test("OIDs are named as OpenSSL writes them: a long one, a second arc over 39 under 2, an arc of 2^56 and more")
    func oddObjectIdentifiers() throws {
        let pki = try TestPKI.get()
        let long = "1.3.6.1.4.1." + (1...40).map { String(1_000_000 + $0) }.joined(separator: ".")
        let oids = [long, "2.999.3", "1.2.72057594037927936", "1.2.18446744073709551617", "2.5.4.3"]
        try pki.ensure("fields-odd-oids") {
            // OIDs OpenSSL does not know are named in the request's configuration (`-subj` would skip them).
            let names = oids.dropLast().indices.map { "odd\($0)" } + ["CN"]
            let config =
                "oid_section = oids\n[oids]\n" + zip(names, oids).dropLast().map { "\($0) = \($1)\n" }.joined()
                + "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n" + names.indices.map { "\(names[$0]) = v\($0)\n" }.joined()
            try pki.directory.write("fields-odd-oids.cnf", config)
            _ = try pki.openssl([
                "req", "-x509", "-new", "-key", "leaf.key", "-config", "fields-odd-oids.cnf", "-days", "30", "-out", "fields-odd-oids.pem",
            ])
        }
        let certificate = try pki.certificate("fields-odd-oids.pem")
        #expect(certificate.subject.attributes.map(\.oid) == oids)
        let text = String(
            decoding: try pki.openssl(["x509", "-in", "fields-odd-oids.pem", "-noout", "-subject", "-nameopt", "oid,sep_multiline"]),
            as: UTF8.self)
        // OpenSSL's name printer cuts an OID at 79 characters (an 80-byte buffer); the name itself is whole above.
        for oid in oids.dropLast() { #expect(text.contains(oid.count > 79 ? String(oid.prefix(79)) : "\(oid)="), "\(oid)") }
    }

    @Test("a certificate the DER reader declines is read by OpenSSL whole, and one it reads decodes later on demand")
    func fallbackAndLazyHandle() throws {
        let all = try Self.certificates()
        let declined = all.filter { DERCertificateFields($0.certificate.der) == nil }
        #expect(!declined.isEmpty, "no certificate in the repository exercises the OpenSSL path")
        for (_, certificate) in all {
            let copy = certificate
            // Copies share one decoded object: path validation keys certificates on it.
            #expect(copy.handle === certificate.handle)
        }
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
