import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// Floods of DHCP answers and of UDP events are counted, not kept.
@Suite("Floods: DHCP answers and UDP events counted, not kept")
struct FloodTests {
    static func answer(from server: String, xid: UInt32 = 7) -> DHCPAnswer {
        let address = server.split(separator: ".").compactMap { UInt8($0) }
        return DHCPAnswer(
            server: server, vendorClass: "MS-UC-Client",
            message: DHCPMessage(
                op: 2, transactionID: xid, hardwareAddress: TestCapture.phoneMAC,
                options: [(53, [5]), (54, address), (15, Array("contoso.com".utf8))]),
            elapsed: 0.1)
    }

    @Test("A flood of answers keeps the first of each server and a bounded whole, and says how many were dropped from whom")
    func dhcpAnswerCap() throws {
        let flood =
            [Self.answer(from: "10.0.0.1")] + (0..<20_000).map { _ in Self.answer(from: "10.0.0.66") }
            + (0..<100).map { Self.answer(from: "10.0.1.\($0)") }
        let exchange = DHCPExchange(interface: "eth0", clientAddress: "10.0.0.2", answers: flood)
        let limit = DHCPAnswerLimit()
        #expect(exchange.answers.count == limit.total)
        #expect(Dictionary(grouping: exchange.answers, by: \.server).values.allSatisfy { $0.count <= limit.perServer })
        #expect(exchange.phoneAnswer?.server == "10.0.0.1", "the first answer is still the one the phone uses")
        #expect(exchange.droppedCount == flood.count - limit.total)
        #expect(exchange.dropped.first == DHCPDroppedAnswers(server: "10.0.0.66", count: 20_000 - limit.perServer))
        #expect(exchange.dropped.count <= limit.namedDropServers + 1 && exchange.dropped.last?.server == nil)
        let text = DHCPRendering.text(exchange)
        #expect(
            text.contains("Dropped \(exchange.droppedCount) more answer(s)") && text.contains("10.0.0.66 ×19992"), "\(text.suffix(400))")
        #expect(text.utf8.count < 64 << 10, "bounded text: \(text.utf8.count) bytes")
        let json = DHCPRendering.json(exchange)
        #expect(json.utf8.count < 512 << 10, "bounded JSON: \(json.utf8.count) bytes")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["dropped"] as? [[String: Any]])?.first?["count"] as? Int == 19_992)
    }

    @Test("trace: a flood of DHCP answers and DNS packets is counted, not kept")
    func traceFloods() throws {
        typealias Capture = TestCapture
        let phone: [UInt8] = [10, 0, 0, 2]
        let inform = DHCPMessage.inform(
            transactionID: 7, hardwareAddress: Capture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client", requested: [15])
        var frames = [Capture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform.encoded())]
        for index in 0..<500 {
            let server: [UInt8] = [10, 0, 1, UInt8(index % 200)]
            frames.append(
                Capture.frame(from: server, 67, to: phone, 68, payload: Self.answer(from: "10.0.1.\(index % 200)").message.encoded()))
        }
        // DNS queries from the phone: a 12-byte header, one question for a.contoso.com A.
        let question: [UInt8] =
            [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 7] + Array("contoso".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]
        for _ in 0..<300 { frames.append(Capture.frame(from: phone, 5353, to: [10, 0, 0, 1], 53, payload: question)) }
        let folder = try makeTemporaryDirectory("floods")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("flood.pcap")
        try Data(Capture.pcap(frames)).write(to: file)
        var options = CaptureReader.Options(device: "cx700")
        options.maxEvents = 200
        let report = try CaptureReader(options: options).read(paths: [file.path])
        let limits = report.findings.compactMap { finding -> (Int, String)? in
            if case .captureGap(.eventLimit, _, let count, _, _, let kind) = finding.detail.captureFacts { return (count ?? 0, kind ?? "") }
            return nil
        }
        #expect(limits.contains { $0 == (301, "DHCP") } && limits.contains { $0 == (100, "DNS") }, "\(limits)")
        let dhcp = try #require(report.phones.first?.trace.step(.dhcp))
        #expect(dhcp.notes.count <= 1 + DHCPAnswerLimit().total + 3, "\(dhcp.notes.count) notes")
        #expect(dhcp.notes.contains { $0.contains("more answers over the limit") }, "\(dhcp.notes.suffix(3))")
    }
}
