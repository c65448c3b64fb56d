import Foundation
import Testing

@testable import CXCertCore

/// Each build's lookup order is typed when the device data loads: a bad template fails there, with its file and row.
@Suite("Lookup plan")
struct LookupPlanTests {
    @Test("the built-in builds' plans parse, in the data's order, and print back as written")
    func builtIn() throws {
        let lpe = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4463").lookupPlan
        #expect(lpe.readsOption120)
        #expect(lpe.time.first == .srv(try NameTemplate(parsing: "_ntp._udp.{sip}")))
        #expect(lpe.time.contains(.option42))
        #expect(
            lpe.registrar.map(\.description).prefix(3) == [
                "option120", "srv-tls _sipinternaltls._tcp.{sip}", "srv-tcp _sipinternal._tcp.{sip}",
            ])
        #expect(lpe.registrar.contains(.host(try NameTemplate(parsing: "sip.{sip}"), port: 443)))
        #expect(lpe.autodiscover.map(\.kind) == [.https, .https, .httpRedirect])
        #expect(lpe.deviceUpdateDomains == [.dhcpOption15, .dhcpOption119])

        let r1 = try DeviceProfile.resolve(device: "cx700", firmware: "1.0.199.123").lookupPlan
        #expect(!r1.readsOption120)
        let concatenated = try #require(r1.time.last?.name)
        #expect(concatenated.description == "time.windows.com.{dhcp}" && concatenated.isConcatenation)
        #expect(try NameTemplate(parsing: "{userdomain}").isConcatenation == false)
        #expect(try DeviceProfile.resolve(device: "generic").lookupPlan == LookupPlan())
    }

    @Test("a template expands to one name per value, and names the placeholder that has none")
    func expand() throws {
        let template = try NameTemplate(parsing: "_sip._tls.{sip}.{search}")
        let names = try template.expand { $0 == .sip ? ["contoso.com"] : ["a.local", "b.local"] }.get()
        #expect(names == ["_sip._tls.contoso.com.a.local", "_sip._tls.contoso.com.b.local"])
        #expect(template.expand { $0 == .sip ? ["contoso.com"] : [] } == .failure(.init(placeholder: .search)))
    }

    @Test(
        "a bad template fails when the data loads, naming the file, the row and what is wrong",
        arguments: [
            ("timeSources", "carrier-pigeon time.example", "'carrier-pigeon' is not a kind of lookup"),
            ("registrarLookup", "srv-tls _sip._tls.{sipdomain}", "'{sipdomain}' is not a placeholder"),
            ("registrarLookup", "host sip.{sip}:99999", "the port is not 1-65535"),
            ("dcLocator", "option120", "is not a lookup this list takes"),
            ("autodiscoverOrder", "https", "needs one name"),
            ("ucupdatesDomains", "dhcp-option-66", "is not a list of"),
        ])
    func badRow(capability: String, template: String, reason: String) {
        let json = """
            {"capabilities": [
              {"capability": "dnsSuffixRetry", "from": "0", "through": "99", "families": ["*"], "value": true, "source": "t", "confidence": "low"},
              {"capability": "\(capability)", "from": "0", "through": "99", "families": ["*"], "value": ["\(template)"],
               "source": "test", "confidence": "low"}]}
            """
        var knowledge = DeviceKnowledgeBase.builtIn
        #expect {
            try knowledge.merge(userJSON: Array(json.utf8), file: "site.json")
        } throws: { error in
            "\(error)".contains("site.json, capabilities[1] (\(capability))") && "\(error)".contains(reason)
        }
    }

    @Test("--capability with a bad template is refused, and a good one is used by the build")
    func override() throws {
        var knowledge = DeviceKnowledgeBase.builtIn
        #expect(throws: DeviceKnowledgeError.self) { try knowledge.override("timeSources", value: .list(["ntp time.example"])) }
        try knowledge.override("timeSources", value: .list(["host ntp.{dhcp}:1123"]))
        let plan = try DeviceProfile.resolve(device: "cx700", knowledge: knowledge).lookupPlan
        #expect(plan.time == [.host(try NameTemplate(parsing: "ntp.{dhcp}"), port: 1123)])
    }
}
