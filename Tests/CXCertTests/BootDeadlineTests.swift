import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// The network chooses how many candidates there are; the walk chooses how long it takes.
@Suite("The walk's deadline and candidate caps", .integration, .tags(.integration))
struct BootDeadlineTests {
    /// A UDP socket on loopback that never answers, and its port.
    static func silentUDP() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(fd >= 0 && bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("40 silent time servers and a silent DNS server: 16 tried, the rest named, the walk ends at its deadline")
    func deadlineAndCandidateCap() throws {
        let dns = try Self.silentUDP()
        let ntp = try (0..<40).map { _ in try Self.silentUDP() }
        defer { for socket in [dns] + ntp { close(socket.fd) } }
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
