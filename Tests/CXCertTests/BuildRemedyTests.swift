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
        let tried = code == .timeSourceMissing ? profile.lookupPlan.time : profile.lookupPlan.registrar
        return Finding(
            code: code, severity: .error, detail: .walk(.search(tried: tried, domains: ["fabrikam.com"], roots: nil)),
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
