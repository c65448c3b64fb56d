import CXCert
import Foundation
import Testing

/// Finding codes and facts are open: a module (here, a user's) declares its own, and a finding that carries them is
/// encoded and worded like any other, through the public API only.
@Suite("Finding codes and facts declared outside the core")
struct OpenFindingVocabularyTests {
    /// A user's own facts, as the walk's, DHCP's and capture's facts are declared in CXCertDiscovery.
    enum LabFacts: FindingFacts {
        case probe(host: String, attempts: Int)

        var kind: String { "lab-probe" }

        func message(for finding: Finding) -> String {
            switch self {
            case .probe(let host, let attempts): "\(host) did not answer after \(attempts) attempts (\(finding.code))."
            }
        }

        func remedy(for finding: Finding) -> String { "Start the lab." }

        func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey { case kind, host, attempts }
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(kind, forKey: .kind)
            switch self {
            case .probe(let host, let attempts):
                try out.encode(host, forKey: .host)
                try out.encode(attempts, forKey: .attempts)
            }
        }
    }

    @Test("a finding with a user's code and facts is worded and encoded through its facts")
    func userFacts() throws {
        let code = FindingCode("lab-unreachable")
        let finding = Finding(
            code: code, severity: .warning, detail: .facts(AnyFindingFacts(LabFacts.probe(host: "lab.example", attempts: 3))),
            client: .anyPhone)
        #expect(finding.message == "lab.example did not answer after 3 attempts (lab-unreachable).")
        #expect(finding.remedy == "Start the lab.")
        #expect(finding.detail.kind == "lab-probe")
        #expect(finding.detail == .facts(AnyFindingFacts(LabFacts.probe(host: "lab.example", attempts: 3))))
        #expect(finding.detail != .facts(AnyFindingFacts(LabFacts.probe(host: "lab.example", attempts: 4))))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONOutput.line(finding).utf8)) as? [String: Any])
        #expect(json["code"] as? String == "lab-unreachable")
        let detail = try #require(json["detail"] as? [String: Any])
        #expect(detail["kind"] as? String == "lab-probe")
        #expect(detail["host"] as? String == "lab.example")
        #expect(detail["attempts"] as? Int == 3)
    }

    @Test("every module's codes are gathered once, each code once, and a code reads back from its name")
    func knownCodes() throws {
        let names = FindingCode.allKnown.map(\.rawValue)
        #expect(Set(names).count == names.count, "a code is declared twice")
        #expect(
            FindingCode.allKnown.count == FindingCode.certificateCodes.count + FindingCode.walkCodes.count
                + FindingCode.dhcpCodes.count + FindingCode.captureCodes.count)
        for code in [FindingCode.untrustedRoot, .dnsUnanswered, .dhcpOption43Missing, .phoneAlert] {
            #expect(FindingCode.allKnown.contains(code))
            #expect(try JSONDecoder().decode(FindingCode.self, from: JSONEncoder().encode(code)) == code)
            #expect(JSONOutput.line(code) == "\"\(code.rawValue)\"")
        }
        // Declared in CXCertDiscovery, spelled as before at the call site.
        #expect(FindingCode.dhcpOption43Missing.rawValue == "dhcp-option-43-missing")
        #expect(FindingCode.phoneAlert == FindingCode(rawValue: "phone-alert"))
    }
}
