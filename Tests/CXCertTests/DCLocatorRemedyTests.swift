import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports

/// `dc-not-found` for a `DOMAIN\alias` sign-in gives the guide's fix (CX700 guide l.1128-1145): the option 119 suffix
/// that completes the DC locator name, or WINS; in process, from the walk's inputs.
@Suite("dc-not-found: the guide's fix for NetBIOS sign-ins")
struct DCLocatorRemedyTests {
    func finding(search: [String], adDomains: [String]? = nil, directoryGiven: Bool = true) throws -> Finding {
        let inputs = try BootInputs(
            sipDomain: "fabrikam.dk", dhcpDomain: "fabrikam.dk", searchDomains: search, user: "FABRIKAM\\jens")
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        let detail = inputs.dcNotFound(
            tried: profile.lookupPlan.dcLocator, adDomains: adDomains, directoryGiven: directoryGiven, roots: directoryGiven ? 1 : nil)
        return Finding(code: .dcNotFound, severity: .error, detail: detail, client: FindingClient(profile))
    }

    @Test("The guide's example: option 15 fabrikam.dk, option 119 without dk: add dk to option 119, or WINS")
    func missingSuffix() throws {
        let finding = try finding(search: ["fabrikam.dk"])
        guard case .dcLocator(_, _, "fabrikam", _, "dk", true, _) = finding.detail.walkFacts else {
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
