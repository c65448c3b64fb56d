import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// Every container the field produces, made with openssl from the same three certificates.
struct FormatFixtures: Sendable {
    let pki: TestPKI
    /// openssl's SHA-256 fingerprints of leaf, intermediate and root.
    let expected: Set<String>

    static let shared: Result<FormatFixtures, any Error> = Result { try FormatFixtures.build() }

    static func build() throws -> FormatFixtures {
        let pki = try TestPKI.get()
        let dir = pki.directory
        try pki.openssl(["x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"])
        try dir.write("chain.pem", try dir.read("leaf.pem") + dir.read("inter.pem") + dir.read("root.pem"))
        // PEM as `openssl x509 -text` prints it: a text dump around the base64.
        try dir.write("leaf-text.pem", try pki.openssl(["x509", "-in", "leaf.pem", "-text"]))
        try dir.write("leaf.b64", try pki.openssl(["base64", "-in", "leaf.der"]))
        let crlf = String(decoding: try dir.read("leaf.b64"), as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
        try dir.write("leaf-crlf.b64", crlf)
        // PKCS#7 with the root first: decoders must not rely on order.
        try pki.openssl([
            "crl2pkcs7", "-nocrl", "-certfile", "root.pem", "-certfile", "leaf.pem", "-certfile", "inter.pem",
            "-outform", "DER", "-out", "chain.p7b",
        ])
        try pki.openssl(["crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain-p7.pem"])
        try pki.openssl(["pkcs7", "-inform", "DER", "-in", "chain.p7b", "-outform", "PEM", "-out", "chain-p7-roundtrip.pem"])
        let p7base64 = try pki.openssl(["base64", "-in", "chain.p7b"])
        try dir.write("chain-p7.b64", p7base64)
        // certsrv's certnew.p7b?...&Enc=b64: base64 PKCS#7 under a CERTIFICATE label, CRLF lines.
        let certsrv =
            "-----BEGIN CERTIFICATE-----\r\n"
            + String(decoding: p7base64, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
            + "-----END CERTIFICATE-----\r\n"
        try dir.write("certnew.p7b", certsrv)
        try dir.write("chain-utf16le.pem", try Shell.run(["iconv", "-f", "UTF-8", "-t", "UTF-16LE", dir.file("chain.pem").path]))
        try dir.write("chain-utf16le-bom.pem", Data([0xFF, 0xFE]) + (try dir.read("chain-utf16le.pem")))
        try dir.write("chain-utf16be.pem", try Shell.run(["iconv", "-f", "UTF-8", "-t", "UTF-16BE", dir.file("chain.pem").path]))
        try dir.write("chain-bom.pem", Data([0xEF, 0xBB, 0xBF]) + (try dir.read("chain.pem")))
        try dir.write("rootcertchains.xml", soapAnswer(chains: [String(decoding: p7base64, as: UTF8.self)], prefix: "a"))
        try dir.write("rootcertchains-default-ns.xml", soapAnswer(chains: [String(decoding: p7base64, as: UTF8.self)], prefix: nil))
        let expected = Set(try pki.opensslFingerprints(ofPEM: "chain.pem"))
        return FormatFixtures(pki: pki, expected: expected)
    }

    /// A GetRootCertChains answer shaped like the Lync Certificate Provisioning service's.
    static func soapAnswer(chains: [String], prefix: String?) -> String {
        let ns = CertificateDecoder.authWebServicesNamespace
        let p = prefix.map { "\($0):" } ?? ""
        let declaration = prefix.map { "xmlns:\($0)=\"\(ns)\"" } ?? "xmlns=\"\(ns)\""
        let chainElements = chains.map { "<\(p)Chain>\r\n\($0)</\(p)Chain>" }.joined(separator: "\r\n")
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
              <s:Body>
                <\(p)GetRootCertChainsResponse \(declaration)>
                  <!-- captured from a pool's CertProvisioningService.svc -->
                  <\(p)RootCertChains>\(chainElements)</\(p)RootCertChains>
                </\(p)GetRootCertChainsResponse>
              </s:Body>
            </s:Envelope>
            """
    }
}

@Suite("CertificateDecoder reads every format")
struct DecoderFormatTests {
    static let cases: [(file: String, format: InputFormat, encoding: TextEncoding, count: Int)] = [
        ("leaf.der", .der, .binary, 1),
        ("leaf.pem", .pem, .utf8, 1),
        ("leaf-text.pem", .pem, .utf8, 1),
        ("chain.pem", .pem, .utf8, 3),
        ("leaf.b64", .base64, .utf8, 1),
        ("leaf-crlf.b64", .base64, .utf8, 1),
        ("chain.p7b", .pkcs7DER, .binary, 3),
        ("chain-p7.pem", .pkcs7PEM, .utf8, 3),
        ("chain-p7-roundtrip.pem", .pkcs7PEM, .utf8, 3),
        ("chain-p7.b64", .pkcs7Base64, .utf8, 3),
        ("certnew.p7b", .certsrvP7B, .utf8, 3),
        ("chain-utf16le.pem", .pem, .utf16LE, 3),
        ("chain-utf16le-bom.pem", .pem, .utf16LE, 3),
        ("chain-utf16be.pem", .pem, .utf16BE, 3),
        ("chain-bom.pem", .pem, .utf8BOM, 3),
        ("rootcertchains.xml", .rootCertChainsSOAP, .utf8, 3),
        ("rootcertchains-default-ns.xml", .rootCertChainsSOAP, .utf8, 3),
    ]

    @Test("decodes each container and agrees with openssl's SHA-256", arguments: cases.map(\.file))
    func decodesLikeOpenSSL(file: String) throws {
        let fixtures = try FormatFixtures.shared.get()
        let expectation = try #require(Self.cases.first { $0.file == file })
        let decoded = try CertificateDecoder().decode(contentsOf: fixtures.pki.url(file))
        #expect(decoded.format == expectation.format)
        #expect(decoded.encoding == expectation.encoding)
        #expect(decoded.certificates.count == expectation.count)
        let fingerprints = Set(decoded.certificates.map(\.sha256Fingerprint))
        #expect(fingerprints.isSubset(of: fixtures.expected))
        if expectation.count == 3 { #expect(fingerprints == fixtures.expected) }
    }

    @Test("the file name is never trusted")
    func ignoresFileName() throws {
        let fixtures = try FormatFixtures.shared.get()
        let dir = fixtures.pki.directory
        try dir.write("misnamed.pem", try dir.read("chain.p7b"))
        #expect(try CertificateDecoder().decode(contentsOf: dir.file("misnamed.pem")).format == .pkcs7DER)
    }

    @Test("PEM blocks without certificates are skipped and reported")
    func skipsOtherBlocks() throws {
        let fixtures = try FormatFixtures.shared.get()
        let dir = fixtures.pki.directory
        try dir.write("with-key.pem", try dir.read("leaf.key") + dir.read("leaf.pem"))
        let decoded = try CertificateDecoder().decode(contentsOf: dir.file("with-key.pem"))
        #expect(decoded.certificates.count == 1)
        #expect(decoded.skipped == ["PRIVATE KEY block at line 1"])
    }
}

@Suite("Certificate fields match openssl")
struct CertificateFieldTests {
    @Test func leafFields() throws {
        let pki = try TestPKI.get()
        let leaf = try #require(try CertificateDecoder().decode(contentsOf: pki.url("leaf.pem")).certificates.first)
        let subject = try Shell.text(["openssl", "x509", "-in", pki.url("leaf.pem").path, "-noout", "-subject", "-nameopt", "RFC2253"])
        #expect("subject=" + leaf.subject.rfc4514 == subject.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(leaf.issuer.commonName == "Contoso Issuing CA")
        #expect(leaf.subject.values(of: "O") == ["Contoso"])
        let serial = try Shell.text(["openssl", "x509", "-in", pki.url("leaf.pem").path, "-noout", "-serial"])
        #expect("serial=" + leaf.serialNumber == serial.trimmingCharacters(in: .whitespacesAndNewlines))
        let sha1 = try Shell.text(["openssl", "x509", "-in", pki.url("leaf.pem").path, "-noout", "-fingerprint", "-sha1"])
        #expect(sha1.contains(leaf.sha1Thumbprint.chunked(2).joined(separator: ":")))
        #expect(leaf.version == 3)
        #expect(leaf.signatureAlgorithm.name == "sha256WithRSAEncryption")
        #expect(leaf.signatureAlgorithm.hash == .sha256)
        #expect(leaf.publicKey == PublicKeyInfo(algorithm: .rsa, bits: 2048, curve: nil))
        #expect(
            leaf.subjectAlternativeNames == [
                .dns("pool01.contoso.com"), .dns("ucupdates-r2.contoso.com"), .dns("ucupdates-r2"), .ip("10.0.0.5"),
                .ip("2001:db8::1"), .uri("https://pool01.contoso.com/"), .email("admin@contoso.com"),
            ])
        #expect(leaf.extendedKeyUsage?.map(\.name) == ["serverAuth", "clientAuth"])
        #expect(leaf.keyUsage == [.digitalSignature, .keyEncipherment])
        #expect(leaf.basicConstraints == nil)
        #expect(!leaf.isCA)
        #expect(leaf.crlDistributionPoints == ["http://pki.contoso.com/crl/issuing.crl"])
        #expect(leaf.ocspURLs == ["http://ocsp.contoso.com/"])
        #expect(leaf.caIssuerURLs == ["http://pki.contoso.com/issuing.cer"])
        let inter = try #require(try CertificateDecoder().decode(contentsOf: pki.url("inter.pem")).certificates.first)
        #expect(inter.basicConstraints == BasicConstraints(isCA: true, pathLength: 0, critical: true))
        #expect(leaf.authorityKeyIdentifier == inter.subjectKeyIdentifier)
        #expect(leaf.authorityKeyIdentifier != nil)
        // Validity agrees with openssl's dates.
        let end = try Shell.text(["openssl", "x509", "-in", pki.url("leaf.pem").path, "-noout", "-enddate", "-dateopt", "iso_8601"])
        #expect(end.contains(CertificateText.day(leaf.notAfter)))
    }

    @Test("signature algorithms are named, including MD2, MD5, SHA-1, SHA-2, PSS and ECDSA")
    func signatureAlgorithms() throws {
        let pki = try TestPKI.get()
        let variants: [(String, String, [String], String, HashAlgorithm, SignatureAlgorithm.Scheme)] = [
            ("sig-md5", "md5", [], "md5WithRSAEncryption", .md5, .rsaPKCS1),
            ("sig-sha1", "sha1", [], "sha1WithRSAEncryption", .sha1, .rsaPKCS1),
            ("sig-sha384", "sha384", [], "sha384WithRSAEncryption", .sha384, .rsaPKCS1),
            ("sig-sha512", "sha512", [], "sha512WithRSAEncryption", .sha512, .rsaPKCS1),
            ("sig-pss", "sha256", ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"], "rsassaPss", .sha256, .rsaPSS),
        ]
        for (name, digest, sigopts, expectedName, hash, scheme) in variants {
            try pki.issue(name, issuer: "root", subject: "/CN=\(name)", key: "leaf.key", digest: digest, sigopts: sigopts)
            let certificate = try #require(try CertificateDecoder().decode(contentsOf: pki.url("\(name).pem")).certificates.first)
            #expect(certificate.signatureAlgorithm.name == expectedName, "\(name)")
            #expect(certificate.signatureAlgorithm.hash == hash, "\(name)")
            #expect(certificate.signatureAlgorithm.scheme == scheme, "\(name)")
        }
        try pki.selfSigned("ec-root", subject: "/CN=EC Root", key: "ec256.key", digest: "sha384")
        let ec = try #require(try CertificateDecoder().decode(contentsOf: pki.url("ec-root.pem")).certificates.first)
        #expect(ec.signatureAlgorithm.name == "ecdsa-with-SHA384")
        #expect(ec.signatureAlgorithm.scheme == .ecdsa)
        #expect(ec.publicKey == PublicKeyInfo(algorithm: .ec, bits: 256, curve: "prime256v1"))
        // MD2 is gone from OpenSSL 3's digests but must still be named (VeriSign's PCA roots use it).
        let md2 = try CertificateDecoder().decode(
            contentsOf: repositoryRoot.appendingPathComponent("TrustStore/verisign-class3-pca-md2.pem"))
        #expect(md2.certificates.first?.signatureAlgorithm.hash == .md2)
        #expect(md2.certificates.first?.signatureAlgorithm.name == "md2WithRSAEncryption")
        #expect(md2.certificates.first?.subject.displayName == "Class 3 Public Primary Certification Authority")
    }

    @Test("the 1000-bit RSA key of the old Secure Server CA is measured exactly")
    func oddKeySize() throws {
        let url = repositoryRoot.appendingPathComponent("TrustStore/rsa-secure-server-ca-1000bit.pem")
        let certificate = try #require(try CertificateDecoder().decode(contentsOf: url).certificates.first)
        #expect(certificate.publicKey.bits == 1000)
        #expect(certificate.version == 1)
        #expect(certificate.sha1Thumbprint == "4463C531D7CCC1006794612BB656D3BF8257846F")
    }
}

extension String {
    func chunked(_ size: Int) -> [String] {
        stride(from: 0, to: count, by: size).map {
            let start = index(startIndex, offsetBy: $0)
            return String(self[start..<(index(start, offsetBy: size, limitedBy: endIndex) ?? endIndex)])
        }
    }
}

@Suite("cxcert inspect: the command-line contract")
struct InspectCLITests {
    @Test("JSON schema keys, standard input, one-line errors with exit code 2")
    func contract() throws {
        let fixtures = try FormatFixtures.shared.get()
        let p7b = fixtures.pki.url("chain.p7b").path
        // What inspect --json prints for it: one CertificateSummary per certificate.
        let decoded = try CertificateDecoder().decode(path: p7b)
        let summaries = decoded.certificates.map {
            CertificateSummary($0, file: p7b, format: decoded.format, encoding: decoded.encoding)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(summaries).utf8)) as? [[String: Any]])
        #expect(json.count == 3)
        for key in [
            "subject", "issuer", "serial", "notBefore", "notAfter", "signatureAlgorithm", "keyType", "keyBits", "san", "isCA", "sha1",
            "sha256", "format",
        ] {
            #expect(json[0].keys.contains(key), "\(key)")
        }
        #expect(json.allSatisfy { $0["format"] as? String == "pkcs7-der" })
        #expect(Set(json.compactMap { $0["sha256"] as? String }) == fixtures.expected)
        #expect((json.first { ($0["isCA"] as? Bool) == false }?["notAfter"] as? String)?.hasSuffix("Z") == true)

        let stdin = try CLI.run(["inspect", "-"], input: try fixtures.pki.directory.read("certnew.p7b"))
        #expect(stdin.status == 0)
        #expect(stdin.stdout.contains("certsrv-p7b"))
        #expect(stdin.stdout.contains("pool01.contoso.com"))

        try fixtures.pki.directory.write("broken.cer", Data(try fixtures.pki.directory.read("leaf.der").prefix(200)))
        let broken = try CLI.run(["inspect", fixtures.pki.url("broken.cer").path])
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("cxcert: \(fixtures.pki.url("broken.cer").path): truncated DER at offset 0"))
        #expect(broken.stderr.split(separator: "\n").count == 1)
    }
}
