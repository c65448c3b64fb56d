import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("inspect: files that are not certificates, and escaping")
struct InspectTests {
    @Test("PKCS#12 and DER CRLs are named with the command that helps; concatenated DER certificates decode")
    func otherFiles() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("other-files")
        try pki.openssl([
            "pkcs12", "-export", "-in", pki.url("leaf.pem").path, "-inkey", pki.url("leaf.key").path, "-passout", "pass:x", "-out",
            folder.appendingPathComponent("leaf.p12").path,
        ])
        try folder.write("index.txt", "")
        try folder.write("crlnumber", "01\n")
        try folder.write(
            "ca.cnf",
            "[ca]\ndefault_ca = d\n[d]\ndatabase = \(folder.path)/index.txt\ncrlnumber = \(folder.path)/crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n"
        )
        try pki.openssl([
            "ca", "-config", folder.appendingPathComponent("ca.cnf").path, "-gencrl", "-keyfile", "rsa2048.key", "-cert", "root.pem",
            "-out",
            folder.appendingPathComponent("root.crl").path,
        ])
        try pki.openssl([
            "crl", "-in", folder.appendingPathComponent("root.crl").path, "-outform", "DER", "-out",
            folder.appendingPathComponent("root.crl.der").path,
        ])
        // inspect decodes each file with CertificateDecoder and prints its error (exit 2).
        let p12 = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode(path: folder.appendingPathComponent("leaf.p12").path)
        }
        let p12Message = p12?.description ?? ""
        #expect(p12Message.contains("PKCS#12") && p12Message.contains("openssl pkcs12 -in FILE -nokeys"), "\(p12Message)")
        let crl = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode(path: folder.appendingPathComponent("root.crl.der").path)
        }
        #expect(crl?.description.contains("certificate revocation list (CRL)") == true, "\(String(describing: crl))")
        let der =
            try pki.openssl(["x509", "-in", "leaf.pem", "-outform", "DER"]) + pki.openssl(["x509", "-in", "inter.pem", "-outform", "DER"])
        let decoded = try CertificateDecoder().decode(Array(der))
        #expect(decoded.certificates.map(\.subject.commonName) == ["pool01.contoso.com", "Contoso Issuing CA"])
    }

    @Test("control characters from certificates are escaped in inspect text; Markdown escapes HTML")
    func escaping() throws {
        #expect(CertificateText.printable("a\u{1B}[2Jb\nc\u{9B}") == "a\\u{1b}[2Jb\\u{a}c\\u{9b}")
        #expect(AuditReport.markdownText("<script>alert(1)</script> | *x*") == "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*")
        let pki = try TestPKI.get()
        try pki.ensure("esc-leaf") {
            try pki.issue(
                "esc-leaf", issuer: "inter", subject: "/CN=esc.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:esc.contoso.com,URI:http://x/\u{1B}[2J"])
        }
        // What inspect prints for it: the renderer escapes by itself, before the command's output net.
        let text = CertificateText.render(try pki.certificate("esc-leaf.pem"))
        #expect(!text.contains("\u{1B}") && text.contains("\\u{1b}[2J"), "\(text)")
    }
}

@Suite("inspect --json: documented keys")
struct InspectJSONTests {
    static let documentedKeys: Set<String> = [
        "file", "format", "encoding", "subject", "issuer", "subjectAttributes", "issuerAttributes", "serial", "version", "notBefore",
        "notAfter", "signatureAlgorithm", "signatureAlgorithmOID", "signatureHash", "signatureScheme", "keyType", "keyBits", "keyCurve",
        "isCA", "pathLength", "keyUsage", "extendedKeyUsage", "san", "subjectKeyIdentifier", "authorityKeyIdentifier",
        "crlDistributionPoints", "ocsp", "caIssuers", "selfIssued", "extensions", "sha1", "sha256",
    ]

    @Test("the direct writer prints what JSONEncoder prints, byte for byte, for every fixture and trust-store certificate")
    func directWriterMatchesEncoder() throws {
        let pki = try TestPKI.get()
        // A URI with an ESC in it: JSONEncoder's \u001b, then the output net's escapes.
        try pki.ensure("esc-leaf") {
            try pki.issue(
                "esc-leaf", issuer: "inter", subject: "/CN=esc.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:esc.contoso.com,URI:http://x/\u{1B}[2J"])
        }
        var files = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).filter {
            $0.hasSuffix(".pem") || $0.hasSuffix(".der") || $0.hasSuffix(".p7b") || $0.hasSuffix(".cer")
        }.map { pki.url($0) }
        let store = repositoryRoot.appendingPathComponent("TrustStore")
        files += try FileManager.default.subpathsOfDirectory(atPath: store.path).filter { $0.hasSuffix(".pem") }.map {
            store.appendingPathComponent($0)
        }
        var summaries: [CertificateSummary] = []
        for file in files {
            guard let decoded = try? CertificateDecoder().decode(contentsOf: file) else { continue }
            // Every optional the summary has, both ways: a file and a format, or neither.
            summaries += decoded.certificates.map {
                CertificateSummary($0, file: file.path, format: decoded.format, encoding: decoded.encoding)
            }
            summaries += decoded.certificates.map { CertificateSummary($0) }
        }
        // Escapes in names (esc-leaf: an ESC and more), quotes and backslashes in a file name, and no certificate at all.
        let odd = try #require(summaries.first).certificate
        summaries.append(CertificateSummary(odd, file: "a \"b\" \\ c/\u{7}\u{8}\u{C}\t\r\n\u{1F}\u{7F}\u{85}\u{202E}é😀", format: .der))
        #expect(summaries.count > 50, "\(summaries.count)")
        #expect(files.contains { $0.lastPathComponent == "esc-leaf.pem" })
        for summary in summaries {
            let direct = CertificateSummary.json([summary])
            let encoded = JSONOutput.encode([summary])
            #expect(direct == encoded, "\(summary.file ?? "-"): \(direct.utf8.count) vs \(encoded.utf8.count) bytes")
        }
        #expect(CertificateSummary.json(summaries) == JSONOutput.encode(summaries))
        #expect(CertificateSummary.json([]) == JSONOutput.encode([CertificateSummary]()))
    }

    @Test("every documented key is present (absent extensions null); registeredID keeps its OID, otherName its value")
    func keysAndOtherNames() throws {
        let pki = try TestPKI.get()
        try pki.ensure("san-other") {
            try pki.issue(
                "san-other", issuer: "inter", subject: "/CN=o.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:admin@contoso.com,RID:1.2.3.4,DNS:o.contoso.com"])
        }
        // A bare v1 certificate has none of the optional extensions.
        try pki.ensure("bare-v1") {
            try pki.openssl([
                "req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=bare", "-days", "30", "-out", "bare-v1.pem", "-config",
                "/dev/null",
            ])
        }
        for (file, absent) in [
            ("san-other.pem", [] as [String]), ("bare-v1.pem", ["keyUsage", "extendedKeyUsage", "pathLength", "subjectKeyIdentifier"]),
        ] {
            // inspect --json: one CertificateSummary per certificate, encoded by JSONOutput.
            let decoded = try CertificateDecoder().decode(path: pki.url(file).path)
            let summaries = decoded.certificates.map {
                CertificateSummary($0, file: pki.url(file).path, format: decoded.format, encoding: decoded.encoding)
            }
            let output = JSONOutput.encode(summaries)
            let entry = try #require((try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])?.first)
            #expect(Set(entry.keys) == Self.documentedKeys, "\(file): \(Set(entry.keys).symmetricDifference(Self.documentedKeys))")
            for key in absent { #expect(entry[key] is NSNull, "\(file): \(key) = \(String(describing: entry[key]))") }
        }
        let san = try pki.certificate("san-other.pem").subjectAlternativeNames.map(\.value)
        #expect(san.contains("UPN: admin@contoso.com") && san.contains("registeredID 1.2.3.4"), "\(san)")
    }
}
