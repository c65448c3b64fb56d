import CXCert
import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("Device families, firmware builds and capabilities")
struct DeviceKnowledgeTests {
    @Test func firmwareVersionsOrderNumerically() throws {
        let versions = ["4.0.7577.4463", "1.0.522.101", "3.5.6907.187", "3.5.6907.35", "4.0.7577.107", "1.0.199.123", "3.5.6907.9"]
            .compactMap(FirmwareVersion.init)
        #expect(
            versions.sorted().map(\.text) == [
                "1.0.199.123", "1.0.522.101", "3.5.6907.9", "3.5.6907.35", "3.5.6907.187", "4.0.7577.107", "4.0.7577.4463",
            ])
        #expect(FirmwareVersion("4.0") == FirmwareVersion("4.0.0.0"))
        for bad in ["", "4.0.x", "1.2.3.4.5", "-1", "4..0", " 4.0.7577.4363 junk"] { #expect(FirmwareVersion(bad) == nil, "\(bad)") }
    }

    @Test("the issue's builds are all listed, with their families")
    func knownBuilds() {
        let builds = DeviceKnowledgeBase.builtIn.builds.map(\.version.text)
        for version in [
            "1.0.199.123", "1.0.522.101", "1.0.522.103", "3.5.6907.9", "3.5.6907.35", "3.5.6907.187", "4.0.7577.107",
            "4.0.7577.4363", "4.0.7577.4366", "4.0.7577.4372", "4.0.7577.4387", "4.0.7577.4463",
        ] {
            #expect(builds.contains(version), "\(version)")
        }
        #expect(DeviceKnowledgeBase.builtIn.build(FirmwareVersion("1.0.199.123")!)?.families == ["tanjay"])
    }

    @Test("SHA-2: 1.0.x and 3.5.x cannot, 4.0.7577.x can; unlisted builds by version order")
    func sha2ByBuild() throws {
        let cases: [(String, String, Bool)] = [
            ("cx700", "1.0.199.123", false), ("cx700", "1.0.522.101", false), ("tanjay", "3.5.6907.35", false),
            ("tanjay", "3.5.6907.187", false), ("cx600", "4.0.7577.107", true), ("hp4120", "4.0.7577.4463", true),
            ("tanjay", "3.5.6907.250", false), ("aries", "4.0.7577.9000", true),
        ]
        for (device, firmware, expected) in cases {
            let profile = try DeviceProfile.resolve(device: device, firmware: firmware)
            #expect(profile.validatesSHA2 == expected, "\(device) \(firmware)")
            #expect(!profile.acceptsWildcards)
            #expect(profile.maxTLSVersion == "1.0")
            #expect(profile.usesBuiltInCache)
            let rule = try #require(profile.facts[.sha2Signatures])
            #expect(!rule.source.isEmpty)
        }
        let unlisted = try DeviceProfile.resolve(device: "tanjay", firmware: "3.5.6907.250")
        #expect(unlisted.build == nil)
        #expect(unlisted.placement.below?.version.text == "3.5.6907.187")
        #expect(unlisted.placement.above?.version.text == "4.0.7577.107")
    }

    @Test("ucupdates-r2 lookups and root discovery follow the guide")
    func discoveryFacts() throws {
        #expect(try !DeviceProfile.resolve(device: "cx700", firmware: "1.0.199.123").looksUpUCUpdates)
        let r2 = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        #expect(r2.looksUpUCUpdates)
        #expect(r2.rootDiscovery == ["ad-certificationAuthority", "ad-pkiEnrollmentService-certsrv"])
        let lpe = try DeviceProfile.resolve(device: "cx600", firmware: "4.0.7577.4387")
        #expect(lpe.rootDiscovery.contains("certprov-web-service"))
        #expect(lpe.lookupPlan.deviceUpdateDomains == [.dhcpOption15, .dhcpOption119])
    }

    @Test("devices are found by family, model id or name; unknown names list the known ones")
    func deviceNames() throws {
        #expect(try DeviceProfile.resolve(device: "HP 4120").familyID == "aries")
        #expect(try DeviceProfile.resolve(device: "CX700").familyID == "tanjay")
        #expect(try DeviceProfile.resolve(device: "aastra6725ip").familyID == "aries")
        #expect(try DeviceProfile.resolve(device: "generic").isGeneric)
        // Without --firmware, the newest known build of the family.
        #expect(try DeviceProfile.resolve(device: "tanjay").firmware?.text == "4.0.7577.4463")
        #expect(throws: DeviceKnowledgeError.self) { try DeviceProfile.resolve(device: "nokia") }
        #expect(throws: DeviceKnowledgeError.invalidFirmware("4.0.x")) { try DeviceProfile.resolve(device: "cx600", firmware: "4.0.x") }
    }

    @Test("every capability resolves for every family from the oldest to the newest build, with a source")
    func completeness() throws {
        let knowledge = DeviceKnowledgeBase.builtIn
        for family in knowledge.families.map(\.id) {
            for version in ["0.0.0.1", "1.0.199.123", "3.5.6907.35", "4.0.7577.4463", "99.0"] {
                for capability in Capability.allCases {
                    let rule = knowledge.rule(for: capability, version: FirmwareVersion(version)!, family: family)
                    #expect(rule != nil, "\(family) \(version) \(capability)")
                    #expect(rule?.source.isEmpty == false)
                }
            }
        }
    }

    @Test("the user overrides any capability from a file or the command line")
    func overrides() throws {
        var knowledge = DeviceKnowledgeBase.builtIn
        let file = """
            {"capabilities": [{"capability": "sha2Signatures", "from": "3.5.6907.187", "through": "3.5.6907.187",
              "families": ["tanjay"], "value": true, "source": "our lab, 2026-11", "confidence": "user", "note": null}]}
            """
        try knowledge.merge(userJSON: Array(file.utf8))
        #expect(try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.187", knowledge: knowledge).validatesSHA2)
        #expect(try !DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35", knowledge: knowledge).validatesSHA2)
        try knowledge.override("wildcardNames", value: .bool(true))
        let profile = try DeviceProfile.resolve(device: "cx600", firmware: "4.0.7577.4463", knowledge: knowledge)
        #expect(profile.acceptsWildcards)
        #expect(profile.facts[.wildcardNames]?.confidence == .user)
        #expect(throws: DeviceKnowledgeError.self) { try knowledge.override("wildcardNames", value: .string("maybe")) }
        #expect(throws: DeviceKnowledgeError.self) { try knowledge.override("colour", value: .bool(true)) }
    }

    @Test("every finding code has a symptom row with a source, or an explicit no-device-symptom row")
    func symptoms() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for code in FindingCode.allKnown {
            let row = Symptom.builtIn[code]
            #expect(row != nil, "no symptom row for \(code)")
            #expect(row?.source.isEmpty == false, "\(code) has no source")
            if let row, row.display == nil, row.lastUpdateStatus == nil, row.noDeviceSymptom == nil {
                #expect(row.note?.isEmpty == false, "\(code): a row without a symptom must say why")
            }
            #expect(readme.contains("`\(code.rawValue)`"), "the README does not name \(code)")
        }
        #expect(Symptom.builtIn[.untrustedRoot]?.lastUpdateStatus?.hex == "0x2F0D")
        #expect(Symptom.builtIn[.weakSignature]?.noDeviceSymptom != nil)
    }

    @Test("devices --json lists every build with sourced capabilities")
    func devicesCommand() throws {
        // What `cxcert devices --json` prints: the DeviceReport of the built-in knowledge.
        let text = JSONOutput.encode(DeviceReport(knowledge: .builtIn))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count >= 12)
        let first = try #require(rows.first?["capabilities"] as? [String: [String: Any]])
        #expect(first["sha2Signatures"]?["source"] as? String != nil)
    }
}
