import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// Lints never decide trust (issue 24): every web-PKI rule is either one a strict verifier enforces or a lint
/// (a warning), the README's table says which for every rule, and the three cases the issue asks to decide.
@Suite("generic: rules that decide trust and lints that do not")
struct TrustDecisionTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI.get()
        let pki = pki
        // x509-limbo rfc5280::aki::cross-signed-root-missing-aki: the trusted root is a CA another root issued,
        // without an authorityKeyIdentifier.
        try pki.ensure("td-leaf") {
            try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "td-xs.key"])
            try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "td-root.key"])
            try pki.selfSigned("td-xsigner", subject: "/CN=TD Cross Signer", key: "td-xs.key", digest: "sha256")
            try pki.openssl(["req", "-new", "-key", "td-root.key", "-subj", "/CN=TD Root", "-out", "td-root.csr"])
            try pki.directory.write(
                "td-root.ext",
                [
                    "[ext]", "basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign",
                    "subjectKeyIdentifier=hash", "authorityKeyIdentifier=none", "",
                ].joined(separator: "\n"))
            try pki.openssl([
                "x509", "-req", "-in", "td-root.csr", "-CA", "td-xsigner.pem", "-CAkey", "td-xs.key", "-set_serial", "0x1234", "-sha256",
                "-extfile", "td-root.ext", "-extensions", "ext", "-days", "825", "-out", "td-root.pem",
            ])
            try pki.directory.write("td-root.keyfile", "td-root.key")
            try pki.issue(
                "td-leaf", issuer: "td-root", subject: "/CN=td.example.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:td.example.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature"])
        }
    }

    @Test("a cross-signed root without AKI, trusted directly, is a lint (RFC 5280 4.2.1.1): trusted by generic and the phones")
    func crossSignedRootWithoutAKI() throws {
        let root = try pki.certificate("td-root.pem")
        #expect(root.authorityKeyIdentifier == nil && !root.isSelfIssued)
        let request = VerificationRequest(
            leaf: try pki.certificate("td-leaf.pem"), anchors: [TrustAnchor(certificate: root, source: .user(file: "td-root"))],
            hosts: ["td.example.com"])
        let generic = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "generic"))
        #expect(generic.isTrusted, "\(generic.findings.map(\.message))")
        let lint = try #require(generic.findings.first { $0.severity == .warning })
        guard case .rule(let id, let reference, _) = lint.detail else {
            Issue.record("detail is \(lint.detail)")
            return
        }
        #expect(id == WebPKIRule.anchorWithoutAuthorityKeyIdentifier.rawValue && reference == "RFC 5280 4.2.1.1")
        // The phones judge it with OpenSSL's RFC 5280 rules only and accept it too.
        let phone = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx600", firmware: "4.0.7577.4463"))
        #expect(phone.isTrusted, "\(phone.findings.map(\.message))")
    }

    @Test("a lint never changes trust: every lint finding is a warning and every rule that decides trust an error")
    func lintsAreWarnings() throws {
        for rule in WebPKIRule.allCases {
            #expect(rule.severity == (rule.effect == .lint ? .warning : .error), "\(rule)")
            #expect(!rule.basis.isEmpty && !rule.reference.isEmpty, "\(rule)")
        }
        // The issue's example: CN not among the SAN entries is a lint (CABF BR 7.1.4.3).
        #expect(WebPKIRule.commonNameNotInSAN.effect == .lint)
        #expect(WebPKIRule.endEntityWithoutExtendedKeyUsage.effect == .lint)
        #expect(WebPKIRule.caAsEndEntity.effect == .decidesTrust)
    }

    @Test("the README's table lists every web-PKI rule with its effect and reference")
    func readmeTable() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md"),
            encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for rule in WebPKIRule.allCases {
            let row = try #require(rows.first { $0.hasPrefix("| `\(rule.rawValue)` |") }, "\(rule.rawValue) has no README row")
            #expect(row.contains("| \(rule.effect.rawValue) |"), "\(row)")
            #expect(row.contains(rule.reference), "\(row)")
        }
    }
}
