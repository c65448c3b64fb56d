import Foundation
import Testing

@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// NTP timestamps on both sides of 2036-02-07T06:28:16Z, where the 32-bit seconds field wraps (RFC 4330 section 3).
@Suite("SNTP timestamps: era 0 and era 1")
struct SNTPTimestampTests {
    static let wrap = Date(timeIntervalSince1970: 2_085_978_496)  // 2036-02-07T06:28:16Z

    /// The wrap's own second encodes as all zeros, which RFC 4330 reserves for "not set".
    @Test("a time written and read back is the same time, before, at and after the 2036 wrap")
    func roundTrip() throws {
        for seconds in [946_684_800.25, 1_900_000_000.5, 2_085_978_495, 2_085_978_496.5, 2_085_978_497.75, 2_208_988_800, 4_102_444_800] {
            let date = Date(timeIntervalSince1970: seconds)
            let read = try #require(SNTPClient.date([UInt8](repeating: 0, count: 40) + SNTPClient.ntpTimestamp(date), at: 40))
            #expect(abs(read.timeIntervalSince(date)) < 0.000_001, "\(date): read as \(read)")
        }
    }

    @Test("seconds with the top bit clear are era 1 (after 2036), not 1900")
    func eraOne() throws {
        let one = try #require(SNTPClient.date([0, 0, 0, 1, 0, 0, 0, 0], at: 0))
        #expect(one == Self.wrap.addingTimeInterval(1))
        let lastOfEraZero = try #require(SNTPClient.date([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], at: 0))
        #expect(lastOfEraZero == Self.wrap.addingTimeInterval(-1))
        // 1968-01-20T03:14:08Z, the first second RFC 4330 reads in era 0.
        let firstOfEraZero = try #require(SNTPClient.date([0x80, 0, 0, 0, 0, 0, 0, 0], at: 0))
        #expect(firstOfEraZero == Date(timeIntervalSince1970: -61_505_152))
    }

    @Test("An SNTP timestamp outside the packet is no date")
    func sntpTimestampBounds() {
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 47), at: 40) == nil)
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 48), at: 40) != nil)
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 48), at: -1) == nil)
    }
}

/// The SNTP client against a peer on loopback (an integration test: loopback is down in a bare `unshare -n`).
@Suite("SNTP client: a peer that answers badly", .integration, .tags(.integration))
struct SNTPClientTests {
    @Test("A reply that is not SNTP says so once, with its reason")
    func sntpWording() throws {
        let peer = try LoopbackUDP()
        defer { peer.close() }
        let (fd, port) = (peer.fd, peer.port)
        // Answers the one request with 10 bytes.
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 512)
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength) }
            }
            guard count > 0 else { return }
            let reply = [UInt8](repeating: 0x24, count: 10)
            _ = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, reply, reply.count, 0, $0, peerLength) }
            }
        }
        let result = SNTPClient.query(address: "127.0.0.1", port: port, timeout: 1)
        guard case .failure(let error) = result else {
            Issue.record("10 bytes were read as time")
            return
        }
        #expect(error.description == "not an SNTP answer: 10 bytes, an SNTP packet has at least 48", "\(error)")
    }
}
