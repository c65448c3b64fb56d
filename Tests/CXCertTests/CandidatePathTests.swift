import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// Candidate path building: every path from the leaf is judged by the client's policies, the first accepted one
/// wins, and a hostile graph of cross-signed CAs stops at the budget with its own finding.
@Suite("Candidate paths and policies")
struct CandidatePathTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI.get()
        let pki = pki
        // An old root (the one the phone has) cross-signs a modern root (one it lacks); the server sends both
        // the modern root's self-signed certificate and the cross-certificate.
        try pki.ensure("cp-leaf") {
            for name in ["cp-old", "cp-modern"] {
                try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(name).key"])
            }
            try pki.selfSigned("cp-old", subject: "/CN=CP Old Root", key: "cp-old.key", digest: "sha256")
            try pki.selfSigned("cp-modern", subject: "/CN=CP Modern Root", key: "cp-modern.key", digest: "sha256")
            let ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]
            try pki.issue("cp-cross", issuer: "cp-old", subject: "/CN=CP Modern Root", key: "cp-modern.key", extensions: ca)
            try pki.issue("cp-inter", issuer: "cp-modern", subject: "/CN=CP Issuing CA", key: "rsa2048.key", extensions: ca)
            try pki.issue(
                "cp-leaf", issuer: "cp-inter", subject: "/CN=cp.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:cp.contoso.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature"])
        }
    }

    func verdict(anchor: String, device: String = "cx600") throws -> Verdict {
        let request = VerificationRequest(
            leaf: try pki.certificate("cp-leaf.pem"),
            intermediates: try ["cp-inter", "cp-modern", "cp-cross"].map { try pki.certificate("\($0).pem") },
            anchors: [TrustAnchor(certificate: try pki.certificate("\(anchor).pem"), source: .user(file: anchor))])
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: "4.0.7577.4463"))
    }

    func subjects(_ links: [ChainLink]) -> [String] { links.map(\.certificate.subject.displayName) }

    @Test("a phone with only the old root accepts the cross-signed path; the path to the modern root is listed as refused")
    func crossSignedToOldRoot() throws {
        let verdict = try verdict(anchor: "cp-old")
        #expect(verdict.isTrusted, "\(verdict.findings.map(\.message))")
        #expect(subjects(verdict.chain) == ["cp.contoso.com", "CP Issuing CA", "CP Modern Root", "CP Old Root"])
        #expect(verdict.chain.last?.certificate == (try pki.certificate("cp-old.pem")))
        let refused = try #require(verdict.alternatives.first)
        #expect(!refused.isAccepted)
        #expect(refused.path.anchor == nil)
        #expect(Set(refused.findings.map(\.code)) == [.untrustedRoot])
    }

    @Test("the reverse: with only the modern root, the direct path is accepted and the cross path is not needed")
    func modernRootDirect() throws {
        let verdict = try verdict(anchor: "cp-modern")
        #expect(verdict.isTrusted, "\(verdict.findings.map(\.message))")
        #expect(subjects(verdict.chain) == ["cp.contoso.com", "CP Issuing CA", "CP Modern Root"])
        #expect(verdict.chain.last?.certificate == (try pki.certificate("cp-modern.pem")))
        #expect(verdict.alternatives.isEmpty)
    }

    @Test("with neither root, every candidate is listed and the best one is reported")
    func neitherRoot() throws {
        let request = VerificationRequest(
            leaf: try pki.certificate("cp-leaf.pem"),
            intermediates: try ["cp-inter", "cp-modern", "cp-cross"].map { try pki.certificate("\($0).pem") })
        let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "generic"))
        #expect(!verdict.isTrusted)
        #expect(verdict.alternatives.count == 1)
        // Both dead ends are judged: the modern root the server sent (untrusted) and the cross-certificate whose
        // issuer, the old root, nobody supplied. With one error each, the first one found is shown.
        #expect(verdict.chain.last?.certificate == (try pki.certificate("cp-modern.pem")))
        #expect(verdict.chain.last?.role == .untrustedRoot)
        #expect(Set(verdict.findings.map(\.code)) == [.untrustedRoot])
        #expect(verdict.alternatives[0].path.certificates.last == (try pki.certificate("cp-cross.pem")))
        #expect(Set(verdict.alternatives[0].findings.map(\.code)) == [.missingIntermediate])
        let json = VerdictReport.json([verdict])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let alternatives = try #require(object["alternatives"] as? [[String: Any]])
        #expect(alternatives.count == 1)
        #expect(alternatives[0]["accepted"] as? Bool == false)
    }

    @Test("twelve CAs all cross-signing each other: the search stops at its budget with path-budget-exhausted")
    func hostileGraph() throws {
        let count = 12
        try pki.ensure("hg-leaf") {
            for i in 0..<count {
                try pki.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "hg\(i).key"])
                try pki.selfSigned("hg\(i)", subject: "/CN=HG CA \(i)", key: "hg\(i).key", digest: "sha256")
            }
            let ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]
            for i in 0..<count {
                for j in 0..<count where i != j {
                    try pki.issue("hg-\(i)-\(j)", issuer: "hg\(i)", subject: "/CN=HG CA \(j)", key: "hg\(j).key", extensions: ca)
                }
            }
            try pki.issue(
                "hg-leaf", issuer: "hg0", subject: "/CN=hg.contoso.com", key: "ec256.key",
                extensions: ["subjectAltName=DNS:hg.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        var cross: [Certificate] = []
        for i in 0..<count {
            for j in 0..<count where i != j { cross.append(try pki.certificate("hg-\(i)-\(j).pem")) }
        }
        let budget = PathBudget()
        let request = VerificationRequest(leaf: try pki.certificate("hg-leaf.pem"), intermediates: cross, budget: budget)
        let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "generic"))
        #expect(!verdict.isTrusted)
        let finding = try #require(verdict.findings.first { $0.code == .pathBudgetExhausted })
        guard case .pathBudget(let candidates, let checks, let maxCandidates, let maxChecks) = finding.detail else {
            Issue.record("detail is \(finding.detail)")
            return
        }
        #expect(checks <= maxChecks && candidates <= maxCandidates)
        #expect(checks == budget.maxSignatureChecks || candidates == budget.maxCandidates)
        #expect(finding.message.hasPrefix("Path budget exhausted"))
        // The same graph with a trusted root for CA 0's issuer is found before the budget runs out.
        let anchored = VerificationRequest(
            leaf: try pki.certificate("hg-leaf.pem"), intermediates: cross,
            anchors: [TrustAnchor(certificate: try pki.certificate("hg0.pem"), source: .user(file: "hg0"))])
        let found = Verifier.verify(anchored, profile: try DeviceProfile.resolve(device: "generic"))
        #expect(found.isTrusted, "\(found.findings.map(\.message))")
        #expect(found.chain.count == 2)
    }
}
