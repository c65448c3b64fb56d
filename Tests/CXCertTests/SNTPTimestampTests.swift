import Foundation
import Testing

@testable import CXCertDiscovery

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
}
