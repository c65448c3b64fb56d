import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("Chains past the depth limit, and remedies that fit the command")
struct ChainRemedyTests {
    @Test("8. a chain past the depth limit is chain-too-long only, never also missing-intermediate, and untrusted")
    func tooLong() throws {
        let pki = try TestPKI.get()
        var issuer = "root"
        var intermediates: [Certificate] = []
        try pki.ensure("long-19") {
            for level in 1...19 {
                try pki.issue(
                    "long-\(level)", issuer: level == 1 ? "root" : "long-\(level - 1)", subject: "/CN=Long CA \(level)", key: "rsa2048.key",
                    extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
            }
        }
        try pki.ensure("long-leaf") {
            try pki.issue(
                "long-leaf", issuer: "long-19", subject: "/CN=pool01.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        for level in 1...19 { intermediates.append(try pki.certificate("long-\(level).pem")) }
        issuer = "long-19"
        #expect(issuer == "long-19")
        for device in ["generic", "cx700", "aries"] {
            let verdict = Verifier.verify(
                VerificationRequest(
                    leaf: try pki.certificate("long-leaf.pem"), intermediates: intermediates.reversed(),
                    anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))]),
                profile: try DeviceProfile.resolve(device: device))
            let codes = Set(verdict.findings.map(\.code))
            #expect(codes.contains(.chainTooLong), "\(device): \(codes)")
            #expect(!codes.contains(.missingIntermediate), "\(device): \(codes)")
            #expect(!verdict.isTrusted, "\(device)")
        }
    }

    @Test("9. every remedy fits the command printing it: audit never suggests --chain or --trust")
    func remediesFitTheCommand() async throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("audit-remedy")
        try folder.write("leaf-only.pem", try pki.directory.read("leaf.pem"))
        try folder.write(
            "with-root.pem", try pki.directory.read("leaf.pem") + pki.directory.read("inter.pem") + pki.directory.read("root.pem"))
        try folder.write(
            "d.yaml",
            "servers: [{name: a, certificate: leaf-only.pem}, {name: b, certificate: with-root.pem}]\nfleet: [{device: cx700}, {device: generic}]\n"
        )
        let result = try await InProcess.audit(folder.appendingPathComponent("d.yaml"))
        #expect(!result.allTrusted)
        let json = AuditReport.json(result)
        #expect(json.contains("missing-intermediate") && json.contains("untrusted-root"), "\(json)")
        #expect(!json.contains("--chain") && !json.contains("--trust"), "\(json)")
        #expect(json.contains("trust.roots"))
        #expect(!json.contains("ContosoRootCA.cer") && !json.contains("ContosoIssuingCA.cer"))
    }
}
