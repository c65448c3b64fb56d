import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The network chooses how many candidates there are; the walk chooses how long it takes.
@Suite("The walk's deadline and candidate caps", .integration, .tags(.integration))
struct BootDeadlineTests {
    @Test("40 silent time servers and a silent DNS server: 16 tried, the rest named, the walk ends at its deadline")
    func deadlineAndCandidateCap() throws {
        let dns = try LoopbackUDP()
        let ntp = try (0..<40).map { _ in try LoopbackUDP() }
        defer { for socket in [dns] + ntp { socket.close() } }
        let inputs = try BootInputs(
            sipDomain: "contoso.test", dnsServers: [DNSServer(address: "127.0.0.1", port: dns.port)],
            ntpServers: ntp.map { Endpoint(host: "127.0.0.1", port: $0.port) })
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "cx700")], timeout: 1)
        configuration.deadline = 3
        let started = Date()
        let report = BootWalker(configuration).run()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 6, "the walk took \(elapsed) s with a 3 s deadline")
        let trace = try #require(report.builds.first)
        let notes = trace.steps.flatMap(\.notes)
        #expect(notes.contains { $0.contains("40 time sources") && $0.contains("the first 16 are tried") }, "\(notes)")
        #expect(notes.contains { $0.contains("deadline (3") && $0.contains("passed") }, "\(notes)")
        let samples = trace.steps.flatMap(\.timeSamples)
        #expect(samples.count <= 16)
        #expect(samples.contains { if case .failure(let error) = $0.result { "\(error)".contains("deadline passed") } else { false } })
    }
}
