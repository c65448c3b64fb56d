import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// `Knowledge/updates.json`: Lync 2013 support, upgrade paths and the Last Update Status decoder.
@Suite("Device Update knowledge: Lync 2013 builds, upgrade paths, Last Update Status")
struct UpdateKnowledgeTests {
    let knowledge = UpdateKnowledge.builtIn

    func build(_ text: String) -> FirmwareVersion { FirmwareVersion(text)! }

    @Test("Lync 2013: 1.0.522 fails, 3.5.6907.187 registers unsupported, CU7 and later supported; every row sourced")
    func lync2013() {
        #expect(knowledge.lync2013(build("1.0.522.101"), family: "tanjay")?.support == "fails")
        #expect(knowledge.lync2013(build("3.5.6907.35"), family: "tanjay")?.support == "unknown")
        #expect(knowledge.lync2013(build("3.5.6907.187"), family: "tanjay")?.support == "registers-unsupported")
        #expect(knowledge.lync2013(build("4.0.7577.4100"), family: "aries")?.support == "registers-unsupported")
        #expect(knowledge.lync2013(build("4.0.7577.4363"), family: "aries")?.needsUpdate == false)
        #expect(knowledge.lync2013(build("4.0.7577.4512"), family: "tanjay")?.support == "supported")
        #expect(knowledge.lync2013(build("5.0"), family: "aries") == nil)
        #expect(knowledge.lync2013.allSatisfy { !$0.source.isEmpty && $0.from <= $0.through })
        #expect(knowledge.upgradePaths.allSatisfy { !$0.source.isEmpty && !$0.via.isEmpty })
    }

    @Test("Upgrade paths: 1.0.199.123 goes through 1.0.522 first; an offer within reach needs nothing")
    func paths() {
        let first = knowledge.upgradePath(from: build("1.0.199.123"), to: build("3.5.6907.35"), family: "tanjay")
        #expect(first?.via == ["1.0.522.101", "1.0.522.103"] && first?.confidence == .high)
        #expect(knowledge.upgradePath(from: build("1.0.199.123"), to: build("1.0.522.103"), family: "tanjay") == nil)
        #expect(knowledge.upgradePath(from: build("1.0.522.101"), to: build("4.0.7577.4463"), family: "tanjay")?.via == ["3.5.6907.187"])
        #expect(knowledge.upgradePath(from: build("4.0.7577.4100"), to: build("4.0.7577.4463"), family: "aries") == nil)
    }

    @Test("Last Update Status: the article's values decode with their sources; the suffix is said to be undocumented")
    func status() throws {
        let invalidCA = try UpdateStatusReport("0x2F0D/0")
        #expect(invalidCA.known && invalidCA.code == 12045 && invalidCA.name == "ERROR_WINHTTP_SECURE_INVALID_CA")
        #expect(invalidCA.suffix == 0 && invalidCA.suffixNote?.contains("NOT FOUND") == true && invalidCA.confidence == .medium)
        #expect(try UpdateStatusReport("0x2ee2/0").name == "ERROR_WINHTTP_TIMEOUT")
        #expect(try UpdateStatusReport("12045/200").hex == "0x2F0D")
        #expect(try UpdateStatusReport("0x2F0D").suffix == nil)
        let unknown = try UpdateStatusReport("0x1234/0")
        #expect(!unknown.known && unknown.confidence == .low && unknown.text.contains("not a code cxcert knows"))
        for bad in ["", "bogus", "0x/0", "0x2F0D/", "0x2F0D/x", "0x2F0D/0/1", "-5", "0x\u{1b}[31m"] {
            #expect(throws: UpdateKnowledge.StatusError.self, "\(bad)") { try UpdateStatusReport(bad) }
        }
    }

    @Test("The symptom table's Last Update Status codes agree with the decoding table")
    func symptomsAgree() {
        for symptom in Symptom.builtIn.values {
            guard let status = symptom.lastUpdateStatus else { continue }
            let row = knowledge.statusCodes.first { $0.code == status.code }
            #expect(row?.hex == status.hex && row?.name == status.name, "\(symptom.finding)")
        }
    }

    @Test("devices --update-status: a known value exits 0, an unknown code 1, a malformed value 2 (escaped)")
    func command() throws {
        let known = try CLI.run(["devices", "--update-status", "0x2F0D/0"])
        #expect(known.status == 0 && known.stdout.contains("ERROR_WINHTTP_SECURE_INVALID_CA"))
        let json = try CLI.run(["devices", "--update-status", "0x2EE2/0", "--json"])
        #expect(
            json.status == 0 && json.stdout.contains("\"name\" : \"ERROR_WINHTTP_TIMEOUT\"")
                || json.stdout.contains("\"name\":\"ERROR_WINHTTP_TIMEOUT\""))
        #expect(try CLI.run(["devices", "--update-status", "0x1234"]).status == 1)
        let bad = try CLI.run(["devices", "--update-status", "a\u{1b}[31mb"])
        #expect(bad.status == 2 && !bad.stderr.contains("\u{1b}"))
    }
}
