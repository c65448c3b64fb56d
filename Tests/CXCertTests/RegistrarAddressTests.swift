import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports

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
        guard case .dhcpOption(120, [1, 127, 0, 0, 1], ["127.0.0.1"]) = finding.detail.dhcpFacts else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(finding.severity == .error)
    }
}
