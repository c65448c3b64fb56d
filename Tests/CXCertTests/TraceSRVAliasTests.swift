import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// `trace` points out an SRV target that is a CNAME (RFC 2782) by boot's rule (``SRVTargetAliases``), from the DNS
/// answers of a capture built byte by byte (``TestCapture``).
@Suite("trace: an SRV target that is an alias, from a capture's DNS answers")
struct TraceSRVAliasTests {
    typealias Packets = ClockAndNameRuleTests

    static func header(_ id: UInt8, response: Bool, answers: UInt8) -> [UInt8] {
        [0, id, response ? 0x81 : 0x01, response ? 0x80 : 0x00, 0, 1, 0, answers, 0, 0, 0, 0]
    }

    /// A query of `type` for `name` and its answer with `records` (each a whole resource record) from 10.0.0.1.
    static func exchange(_ id: UInt8, _ name: String, type: UInt8, records: [[UInt8]]) -> [[UInt8]] {
        let question = Packets.name(name) + [0, type, 0, 1]
        let query = header(id, response: false, answers: 0) + question
        let answer = header(id, response: true, answers: UInt8(records.count)) + question + records.flatMap { $0 }
        return [
            TestCapture.frame(from: Packets.phone, 40000 + Int(id), to: Packets.dns, 53, payload: query),
            TestCapture.frame(from: Packets.dns, 53, to: Packets.phone, 40000 + Int(id), payload: answer),
        ]
    }

    static func record(_ owner: [UInt8], type: UInt8, _ data: [UInt8]) -> [UInt8] {
        owner + [0, type, 0, 1, 0, 0, 0x0E, 0x10, UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    @Test("An SRV target whose A answer went through a CNAME is srv-target-cname in trace, as in boot; other aliases are not")
    func srvTargetAliasInCapture() throws {
        let owner: [UInt8] = [0xC0, 0x0C]  // the question's name
        let frames =
            Self.exchange(
                1, "_sipinternaltls._tcp.fabrikam.com", type: 33,
                records: [Self.record(owner, type: 33, [0, 0, 0, 0, 0x13, 0xC5] + Packets.name("pool.fabrikam.com"))])
            + Self.exchange(
                2, "pool.fabrikam.com", type: 1,
                records: [
                    Self.record(owner, type: 5, Packets.name("sip.fabrikam.com")),
                    Self.record(Packets.name("sip.fabrikam.com"), type: 1, Packets.pool),
                ])
            // Asked again: said once.
            + Self.exchange(
                3, "pool.fabrikam.com", type: 1,
                records: [
                    Self.record(owner, type: 5, Packets.name("sip.fabrikam.com")),
                    Self.record(Packets.name("sip.fabrikam.com"), type: 1, Packets.pool),
                ])
            // A CNAME for a name no SRV answer gave is allowed.
            + Self.exchange(
                4, "web.fabrikam.com", type: 1,
                records: [
                    Self.record(owner, type: 5, Packets.name("sip.fabrikam.com")),
                    Self.record(Packets.name("sip.fabrikam.com"), type: 1, Packets.pool),
                ])
        let folder = try makeTemporaryDirectory("trace-srv-alias")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("phone.pcap", TestCapture.pcap(frames))
        let report = try CaptureReader(options: .init(phones: [.address("10.0.0.2")], device: "cx700", firmware: "4.0.7577.4463"))
            .read(paths: [folder.appendingPathComponent("phone.pcap").path])
        let trace = try #require(report.phones.first).trace
        let step = try #require(trace.step(.dns))
        let aliases = trace.steps.flatMap(\.findings).filter { $0.code == .srvTargetAlias }
        #expect(aliases.count == 1)
        let alias = try #require(aliases.first)
        guard case .dnsAlias(let target, let record, let names, let addresses) = alias.detail.walkFacts else {
            Issue.record("detail \(alias.detail)")
            return
        }
        #expect(target == "pool.fabrikam.com" && record == "_sipinternaltls._tcp.fabrikam.com")
        #expect(names == ["pool.fabrikam.com"] && addresses == ["10.0.0.10"])
        #expect(alias.severity == .warning)
        #expect(step.queries.contains { $0.name == "pool.fabrikam.com" && $0.aliases == ["pool.fabrikam.com"] })
        #expect(step.queries.contains { $0.name == "web.fabrikam.com" && $0.aliases == ["web.fabrikam.com"] })
        _ = try FindingDetailTests.check([alias], "srv-target-cname in trace")
    }
}
