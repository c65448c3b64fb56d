import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// "Repeated codes and repeated DNS lines" (#27): a step lists each question to each server once, and each note once,
/// however many lookup steps of the build's order name the same host (`sipinternal.{sip}` on 5061, then on 443).
@Suite("boot: each DNS question and note once per step", .serialized, .integration, .tags(.integration))
struct RepeatedLinesTests {
    @Test("Several DHCP domains, option 119 suffixes and DNS servers: no step repeats a question or a note")
    func noRepeats() async throws {
        let lab = try BootLab()
        defer { lab.stop() }
        // Two DNS servers that know nothing: every registrar name is looked up and fails.
        let first = try lab.dns([])
        let second = try lab.dns([], at: 54)
        let inputs = try BootInputs(
            sipDomain: "fabrikam.com", dhcpDomain: "contoso.com", searchDomains: ["contoso.com", "branch.contoso.com"],
            dnsServers: [first, second])
        let profiles = try ["4.0.7577.4463", "3.5.6907.35"].map { try DeviceProfile.resolve(device: "cx700", firmware: $0) }
        let report = await BootWalker(.init(inputs: inputs, profiles: profiles, timeout: 2)).walk()
        for trace in report.builds {
            for step in trace.steps {
                let questions = step.queries.map { "\($0.name) \($0.type) @\($0.server?.description ?? "-")" }
                #expect(Set(questions).count == questions.count, "\(trace.profile.name) \(step.kind): \(questions)")
                #expect(Set(step.notes).count == step.notes.count, "\(trace.profile.name) \(step.kind): \(step.notes)")
                let codes = step.findings.map { "\($0.code) \($0.detail)" }
                #expect(Set(codes).count == codes.count, "\(trace.profile.name) \(step.kind)")
            }
            let registrar = try #require(trace.step(.registrar))
            #expect(registrar.notes.filter { $0.hasPrefix("sipinternal.fabrikam.com ") }.count == 1, "\(registrar.notes)")
        }
    }
}
