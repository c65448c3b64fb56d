import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The network chooses how many candidates there are; the walk chooses how long it takes.
@Suite("The walk's deadline and candidate caps", .integration, .tags(.integration))
struct BootDeadlineTests {
    // In-process, the walk's wall clock is not measured: its async steps share the test process's cooperative pool (two
    // threads on a 2-core machine) with every test running at the same time, and the lab tests block it while they
    // start servers. The time is measured on the command below, a process of its own.
    @Test("40 silent time servers and a silent DNS server: 16 tried, the rest named, the walk stops at its deadline")
    func deadlineAndCandidateCap() async throws {
        let dns = try LoopbackUDP()
        let ntp = try (0..<40).map { _ in try LoopbackUDP() }
        defer { for socket in [dns] + ntp { socket.close() } }
        let inputs = try BootInputs(
            sipDomain: "contoso.test", dnsServers: [DNSServer(address: "127.0.0.1", port: dns.port)],
            ntpServers: ntp.map { Endpoint(host: "127.0.0.1", port: $0.port) })
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "cx700")], timeout: 1)
        configuration.deadline = 3
        let report = await BootWalker(configuration).walk()
        let trace = try #require(report.builds.first)
        let notes = trace.steps.flatMap(\.notes)
        #expect(notes.contains { $0.contains("40 time sources") && $0.contains("the first 16 are tried") }, "\(notes)")
        #expect(notes.contains { $0.contains("deadline (3") && $0.contains("passed") }, "\(notes)")
        let samples = trace.steps.flatMap(\.timeSamples)
        #expect(samples.count <= 16)
        #expect(samples.contains { if case .failure(let error) = $0.result { "\(error)".contains("deadline passed") } else { false } })
    }

    @Test("cxcert boot with 40 silent time servers and a silent DNS server ends at its 3 s deadline, and says so")
    func commandEndsAtDeadline() throws {
        let dns = try LoopbackUDP()
        let ntp = try (0..<40).map { _ in try LoopbackUDP() }
        defer { for socket in [dns] + ntp { socket.close() } }
        let started = Date()
        let result = try CLI.run(
            ["boot", "--device", "cx700", "--sip-domain", "contoso.test", "--dns-server", "127.0.0.1:\(dns.port)"]
                + ntp.flatMap { ["--ntp-server", "127.0.0.1:\($0.port)"] } + ["--timeout", "1", "--deadline", "3"],
            deadline: .seconds(60))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 6, "cxcert boot took \(elapsed) s with a 3 s deadline")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("40 time sources") && result.stdout.contains("the first 16 are tried"), "\(result.stdout)")
        #expect(result.stdout.contains("deadline (3") && result.stdout.contains("passed"), "\(result.stdout)")
    }
}
