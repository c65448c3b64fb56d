import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports

/// A fix names only what the build's own lookup order (`Knowledge/discovery.json`) uses: in process, from the
/// findings the walk makes for each build.
@Suite("Fixes name only what the build reads")
struct BuildRemedyTests {
    func profile(_ firmware: String) throws -> DeviceProfile { try DeviceProfile.resolve(device: "cx700", firmware: firmware) }

    func remedy(_ code: FindingCode, _ firmware: String) throws -> String {
        let profile = try profile(firmware)
        let tried = code == .timeSourceMissing ? profile.timeSources : profile.registrarLookup
        return Finding(
            code: code, severity: .error, detail: .search(tried: tried, domains: ["fabrikam.com"], roots: nil),
            client: FindingClient(profile)
        ).remedy
    }

    @Test("time-source-missing: _ntp._udp and option 42 only for the builds that use them")
    func time() throws {
        let r1 = try remedy(.timeSourceMissing, "1.0.199.123")
        #expect(!r1.contains("_ntp._udp") && !r1.contains("option 42") && r1.contains("time.windows.com"))
        let r2 = try remedy(.timeSourceMissing, "3.5.6907.35")
        #expect(r2.contains("_ntp._udp.fabrikam.com") && !r2.contains("option 42"))
        let lpe = try remedy(.timeSourceMissing, "4.0.7577.4463")
        #expect(lpe.contains("_ntp._udp.fabrikam.com") && lpe.contains("option 42"))
    }

    @Test("registrar-not-found: option 120 only for the builds that read it")
    func registrar() throws {
        let r2 = try remedy(.registrarNotFound, "3.5.6907.35")
        #expect(r2.contains("_sipinternaltls._tcp.fabrikam.com") && !r2.contains("option 120"))
        let r1 = try remedy(.registrarNotFound, "1.0.199.123")
        #expect(!r1.contains("option 120"))
        let lpe = try remedy(.registrarNotFound, "4.0.7577.4463")
        #expect(lpe.contains("_sipinternaltls._tcp.fabrikam.com") && lpe.contains("option 120"))
    }
}

/// `dc-not-found` for a `DOMAIN\alias` sign-in gives the guide's fix (CX700 guide l.1128-1145): the option 119 suffix
/// that completes the DC locator name, or WINS; in process, from the walk's inputs.
@Suite("dc-not-found: the guide's fix for NetBIOS sign-ins")
struct DCLocatorRemedyTests {
    func finding(search: [String], adDomains: [String]? = nil, directoryGiven: Bool = true) throws -> Finding {
        let inputs = try BootInputs(
            sipDomain: "fabrikam.dk", dhcpDomain: "fabrikam.dk", searchDomains: search, user: "FABRIKAM\\jens")
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        let detail = inputs.dcNotFound(
            tried: profile.dcLocator, adDomains: adDomains, directoryGiven: directoryGiven, roots: directoryGiven ? 1 : nil)
        return Finding(code: .dcNotFound, severity: .error, detail: detail, client: FindingClient(profile))
    }

    @Test("The guide's example: option 15 fabrikam.dk, option 119 without dk: add dk to option 119, or WINS")
    func missingSuffix() throws {
        let finding = try finding(search: ["fabrikam.dk"])
        guard case .dcLocator(_, _, "fabrikam", _, "dk", true, _) = finding.detail else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(finding.remedy.hasPrefix("Add dk to DHCP option 119"))
        #expect(finding.remedy.contains("WINS"))
        #expect(!finding.remedy.contains("give option 15 the AD domain"))
    }

    @Test("With dk in option 119 the locator name is built: the record itself is missing")
    func suffixGiven() throws {
        let finding = try finding(search: ["fabrikam.dk", "dk"])
        #expect(finding.remedy == "Publish _ldap._tcp.dc._msdcs.fabrikam.dk in the DNS the phones use (option 6).")
    }

    @Test("A NetBIOS name unlike the AD domain: no suffix can complete it; WINS or UPN")
    func noSuffixCan() throws {
        let finding = try finding(search: ["fabrikam.dk"], adDomains: ["contoso.net"])
        #expect(finding.remedy.hasPrefix("No option 119 suffix completes FABRIKAM"))
        #expect(finding.remedy.contains("WINS") && finding.remedy.contains("alias@contoso.net"))
    }

    @Test("No --ad: the finding says no DC was found, without claiming roots it cannot count")
    func noDirectory() throws {
        let finding = try finding(search: ["fabrikam.dk"], directoryGiven: false)
        #expect(finding.message.contains("finds no domain controller") && finding.message.contains("no --ad"))
    }
}

/// "signs in" means what it says: a failing Device Update and a missing Device Update record alike leave it at yes;
/// the exit status (`passes`) still sees a failed step. In process, from traces built in the test.
@Suite("The signs-in column")
struct SignsInTests {
    func trace(deviceUpdate: BootStepStatus) throws -> BootTrace {
        func step(_ kind: BootStepKind, _ status: BootStepStatus) -> BootStep {
            BootStep(kind: kind, status: status, queries: [], endpoints: [], timeSamples: [], roots: [], notes: [], findings: [])
        }
        return BootTrace(
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), phoneClock: nil, clockSource: nil,
            steps: [step(.time, .ok), step(.deviceUpdate, deviceUpdate), step(.registrar, .ok), step(.registrarTLS, .ok)])
    }

    @Test("A failing Device Update and a missing Device Update record: the phone signs in either way")
    func deviceUpdate() throws {
        let failing = try trace(deviceUpdate: .failed)
        let missing = try trace(deviceUpdate: .warning)
        #expect(failing.signsIn && missing.signsIn)
        #expect(!failing.passes && missing.passes)
        let report = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [failing])
        #expect(report.allSignIn && !report.allPass)
        let text = BootRendering.text(report)
        #expect(text.contains("⚠ signs in, but a step it signs in without failed"))
        #expect(text.contains("1 of 1 builds have a failed step; 0 would not sign in."))
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("cx700") && $0.hasSuffix("yes") })
        #expect(row.contains("✘"))
    }

    @Test("A failed step the phone needs to sign in: signs in no")
    func registrarFails() throws {
        func step(_ kind: BootStepKind, _ status: BootStepStatus) -> BootStep {
            BootStep(kind: kind, status: status, queries: [], endpoints: [], timeSamples: [], roots: [], notes: [], findings: [])
        }
        let trace = BootTrace(
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), phoneClock: nil, clockSource: nil,
            steps: [step(.registrarTLS, .failed)])
        #expect(!trace.signsIn && !trace.passes)
    }
}

/// `--registrar` given as an address is option 120 encoding 1: the same `dhcp-option-120-address` as `dhcp decode`,
/// for the builds that read option 120. In process; every connection fails at once (a closed loopback port).
@Suite("--registrar as an address")
struct RegistrarAddressTests {
    @Test("dhcp-option-120-address for a build that reads option 120, nothing for one that does not")
    func address() throws {
        let closed = try WalkFindingDetailTests().closedLoopbackPort()
        let inputs = try BootInputs(
            sipDomain: "fabrikam.com", registrars: [Endpoint(host: "127.0.0.1", port: closed)],
            dnsServers: [DNSServer(address: "127.0.0.1", port: closed)])
        let profiles = try ["3.5.6907.35", "4.0.7577.4463"].map { try DeviceProfile.resolve(device: "cx700", firmware: $0) }
        var configuration = BootWalker.Configuration(inputs: inputs, profiles: profiles, timeout: 0.5)
        configuration.deadline = 20
        let report = BootWalker(configuration).run()
        let codes = report.builds.map { Set($0.step(.registrar)?.findings.map(\.code) ?? []) }
        #expect(!codes[0].contains(.dhcpOption120Address))
        let finding = try #require(report.builds[1].step(.registrar)?.findings.first { $0.code == .dhcpOption120Address })
        guard case .dhcpOption(120, [1, 127, 0, 0, 1], ["127.0.0.1"]) = finding.detail else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(finding.severity == .error)
    }
}
