import Foundation
import Testing

@testable import CXCert

/// Every finding's JSON `detail` is the README's contract: its `kind` is documented for its code, and every
/// key the README lists for that kind is present.
@Suite("Findings as data: the documented detail of every code")
struct FindingDetailTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.withScenarios() }

    /// The README's detail table: kind → (keys, codes).
    static func documented() throws -> [String: (keys: Set<String>, codes: Set<String>)] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "| `kind` | keys | codes |"))
        var table: [String: (Set<String>, Set<String>)] = [:]
        for line in readme[start.upperBound...].split(separator: "\n").dropFirst() {
            guard line.hasPrefix("| `") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func ticked(_ text: String) -> [String] {
                text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                    String($0.element)
                }
            }
            // Keys are the ticked words before any parenthesis of explanation.
            let keys = ticked(cells[1].replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression))
            table[ticked(cells[0])[0]] = (Set(keys), Set(ticked(cells[2])))
        }
        return table
    }

    @Test("every finding of every scenario, for every profile, has a documented detail with all its keys")
    func detailsMatchTheReadme() throws {
        let table = try Self.documented()
        #expect(table.count >= 14)
        let leaves = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).filter { $0.hasSuffix(".pem") }.sorted()
        let anchors = try ["root", "root-sha1"].map { TrustAnchor(certificate: try pki.certificate("\($0).pem"), source: .user(file: $0)) }
        let intermediates = try ["inter", "v-sha1-inter"].map { try pki.certificate("\($0).pem") }
        var seen: Set<String> = []
        for file in leaves {
            guard let leaf = try? pki.certificate(file), !leaf.isCA else { continue }
            for (device, firmware) in [("generic", nil), ("cx700", "3.5.6907.35"), ("cx600", "4.0.7577.4463")] as [(String, String?)] {
                let request = VerificationRequest(
                    leaf: leaf, intermediates: intermediates, anchors: anchors, hosts: ["pool01.contoso.com", "10.9.9.9"],
                    time: Date().addingTimeInterval(file.hasPrefix("v-") ? 0 : 86_400))
                let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(VerdictReport.json([verdict]).utf8)) as? [String: Any])
                for finding in try #require(json["findings"] as? [[String: Any]]) {
                    let code = try #require(finding["code"] as? String)
                    let detail = try #require(finding["detail"] as? [String: Any], "\(file) \(code): no detail")
                    let kind = try #require(detail["kind"] as? String)
                    let row = try #require(table[kind], "\(file) \(code): kind \(kind) is not in the README")
                    #expect(row.codes.contains(code), "\(file): the README does not list \(code) under \(kind)")
                    #expect(Set(detail.keys).subtracting(["kind"]) == row.keys, "\(file) \(code) \(kind): keys \(detail.keys.sorted())")
                    seen.insert(code)
                }
            }
        }
        // The scenarios reach the common codes; each is asserted above.
        #expect(seen.isSuperset(of: ["missing-intermediate", "sha2-unsupported", "name-not-covered", "weak-signature"]), "\(seen)")
    }

    @Test("a sha2-unsupported finding names the first later build the data says validates SHA-2, and none when none does")
    func sha2UpgradeFromData() throws {
        let leaf = try pki.certificate("leaf.pem")
        let request = VerificationRequest(
            leaf: leaf, intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))])
        let old = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35"))
        let finding = try #require(old.findings.first { $0.code == .sha2Unsupported })
        guard case .algorithm(_, .signature, let rule?) = finding.detail, let first = rule.firstBuildWith else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(first > FirmwareVersion("3.5.6907.35")!)
        let knowledge = DeviceKnowledgeBase.builtIn
        #expect(knowledge.rule(for: .sha2Signatures, version: first, family: "tanjay")?.value == .bool(true))
        #expect(finding.remedy.contains("update them to Lync Phone Edition \(first) or later"))
        var never = knowledge
        try never.override(.sha2Signatures, value: .bool(false))
        let stuck = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35", knowledge: never))
        let noUpgrade = try #require(stuck.findings.first { $0.code == .sha2Unsupported })
        #expect(!noUpgrade.remedy.contains("update them"))
    }
}
