import Foundation
import Testing

@testable import CXCertCapture
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The capture index: events grouped by client, DHCP matched by transaction, time order, the budget for clients that
/// are not phones, and the one-line summary of other clients' gaps.
@Suite("Capture index: grouping, DHCP transactions, time order, bounded memory")
struct CaptureIndexTests {
    static let phone: [UInt8] = [10, 0, 0, 2]
    static let dnsServer: [UInt8] = [10, 0, 0, 1]
    static let start = Date(timeIntervalSince1970: 1_764_000_000)

    /// A classic pcap whose frames carry the given times (seconds after ``start``), in the order given.
    static func pcap(_ frames: [(seconds: Double, bytes: [UInt8])]) -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        var bytes = TestCapture.pcap([])
        for (seconds, frame) in frames {
            let micros = UInt64((seconds * 1_000_000).rounded())
            bytes += le32(UInt32(1_764_000_000 + micros / 1_000_000)) + le32(UInt32(micros % 1_000_000))
            bytes += le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
        }
        return bytes
    }

    static func question(_ id: UInt16, _ name: String, type: UInt8 = 1) -> [UInt8] {
        let labels = name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        return [UInt8(id >> 8), UInt8(id & 0xFF), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0] + labels + [0, 0, type, 0, 1]
    }

    static func answer(_ id: UInt16, _ name: String, _ address: [UInt8]) -> [UInt8] {
        var bytes = question(id, name)
        bytes[2] = 0x81
        bytes[3] = 0x80
        bytes[7] = 1
        return bytes + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 1, 0x2C, 0, 4] + address
    }

    static func inform(_ xid: UInt32 = 7) -> [UInt8] {
        DHCPMessage.inform(
            transactionID: xid, hardwareAddress: TestCapture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client", requested: [15]
        ).encoded()
    }

    static func read(_ bytes: [UInt8], options: CaptureReader.Options = .init(device: "cx700")) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("capture-index")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("capture.pcap", bytes)
        return try CaptureReader(options: options).read(paths: [folder.appendingPathComponent("capture.pcap").path])
    }

    @Test("DNS and SNTP are grouped by client; DHCP requests by MAC, source or ciaddr, answers by transaction id")
    func grouping() {
        var index = CaptureIndex(selectors: [], maxEvents: 100, maxOtherEvents: 100)
        func dhcp(_ op: UInt8, xid: UInt32, mac: [UInt8], source: String, ciaddr: [UInt8] = [0, 0, 0, 0], at seconds: Double)
            -> CaptureReader.DHCPEvent
        {
            var message = DHCPMessage(op: op, transactionID: xid, hardwareAddress: mac, options: [(53, [op == 1 ? 8 : 5])])
            message.clientAddress = ciaddr
            let frameMAC = op == 1 ? mac.map { String(format: "%02x", $0) }.joined(separator: ":") : "52:54:00:00:00:01"
            return .init(time: Self.start + seconds, source: source, mac: frameMAC, message: message)
        }
        let other: [UInt8] = [0x02, 0, 0, 0, 0, 9]
        index.add(dhcp(1, xid: 1, mac: TestCapture.phoneMAC, source: "0.0.0.0", at: 0))  // by MAC
        index.add(dhcp(1, xid: 2, mac: other, source: "10.0.0.9", at: 1))  // another client
        index.add(dhcp(2, xid: 2, mac: other, source: "10.0.0.1", at: 2))
        index.add(dhcp(2, xid: 1, mac: TestCapture.phoneMAC, source: "10.0.0.1", at: 3))
        index.add(dhcp(1, xid: 3, mac: other, source: "10.0.0.7", ciaddr: Self.phone, at: 4))  // by ciaddr
        index.add(dhcp(2, xid: 1, mac: TestCapture.phoneMAC, source: "10.0.0.66", at: 5))
        for (client, seconds) in [("10.0.0.2", 1.0), ("10.0.0.9", 2.0), ("10.0.0.2", 3.0)] {
            let summary = DNSMessageSummary.parse(Self.question(1, "a.contoso.com"))!
            index.add(CaptureReader.DNSEvent(time: Self.start + seconds, client: client, server: "10.0.0.1", port: 53, summary: summary))
        }
        index.finish()
        let mac = TestCapture.phoneMAC.map { String(format: "%02x", $0) }.joined(separator: ":")
        let requests = index.dhcpRequests(mac: mac, address: "10.0.0.2")
        #expect(requests.map(\.message.transactionID) == [1, 3])
        #expect(index.dhcpReplies(transaction: 1).map(\.source) == ["10.0.0.1", "10.0.0.66"], "answers of xid 1, in capture order")
        #expect(index.dhcpReplies(transaction: 2).map(\.source) == ["10.0.0.1"])
        #expect(index.dhcpReplies(transaction: 9).isEmpty)
        #expect(index.dhcp(hardwareAddress: mac).count == 3)
        #expect(index.dns["10.0.0.2"]?.map(\.time) == [Self.start + 1, Self.start + 3])
        #expect(index.dns["10.0.0.9"]?.count == 1)
        #expect(index.udpClients == ["10.0.0.2", "10.0.0.9"])
        #expect(index.dhcpSources == ["0.0.0.0", "10.0.0.9", "10.0.0.1", "10.0.0.7", "10.0.0.66"])
        // A phone whose MAC is unknown is matched by its address alone, not by every request without a MAC.
        #expect(index.dhcpRequests(mac: nil, address: "10.0.0.2").map(\.message.transactionID) == [3])
    }

    @Test("out-of-order timestamps: each client's events are put in time order, equal times keep capture order")
    func timeOrder() throws {
        let times = [5.0, 1.0, 3.0, 3.0, 0.5]
        let ordered = CaptureIndex.timeOrdered(Array(times.enumerated()), time: { Self.start + $0.element })
        #expect(ordered.map(\.offset) == [4, 1, 2, 3, 0])
        // A capture whose answer is written before its question (merged files): still matched, in time order.
        let frames: [(Double, [UInt8])] = [
            (0, TestCapture.frame(from: Self.phone, 68, to: [255, 255, 255, 255], 67, payload: Self.inform())),
            (
                2.2,
                TestCapture.frame(from: Self.dnsServer, 53, to: Self.phone, 5353, payload: Self.answer(2, "b.contoso.com", [10, 9, 9, 2]))
            ),
            (2.1, TestCapture.frame(from: Self.phone, 5353, to: Self.dnsServer, 53, payload: Self.question(2, "b.contoso.com"))),
            (1.1, TestCapture.frame(from: Self.phone, 5353, to: Self.dnsServer, 53, payload: Self.question(1, "a.contoso.com"))),
            (
                1.2,
                TestCapture.frame(from: Self.dnsServer, 53, to: Self.phone, 5353, payload: Self.answer(1, "a.contoso.com", [10, 9, 9, 1]))
            ),
        ]
        let report = try Self.read(Self.pcap(frames))
        let dns = try #require(report.phones.first?.trace.step(.dns))
        #expect(dns.queries.map(\.name) == ["a.contoso.com", "b.contoso.com"])
        #expect(dns.queries.map(\.answer.addresses) == [["10.9.9.1"], ["10.9.9.2"]])
    }

    @Test("the last entry at or before a time and a stream's arrival times answer as the scans they replace")
    func lookups() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let entries = (0..<Int.random(in: 0..<40, using: &generator)).map { position in
                (position: position, time: Self.start + Double(Int.random(in: 0..<20, using: &generator)))
            }
            let lookup = LastAtOrBefore(entries) { $0.time }
            for probe in -1...21 {
                let time = Self.start + Double(probe)
                #expect(lookup(time)?.position == entries.last { $0.time <= time }?.position)
            }
        }
        // Segments out of order and a retransmission: the first arrival at an offset counts.
        var stream = TCPStream()
        func segment(_ sequence: UInt32, _ bytes: Int, at seconds: Double) -> TransportPacket {
            TransportPacket(
                time: Self.start + seconds, sourceMAC: nil, source: "10.0.0.2", destination: "10.0.0.1", transport: .tcp, sourcePort: 5000,
                destinationPort: 443, sequence: sequence, flags: 0x18, payload: [UInt8](repeating: 0x41, count: bytes), isCut: false)
        }
        stream.add(segment(100, 10, at: 1))
        stream.add(segment(120, 10, at: 2))
        stream.add(segment(110, 10, at: 3))
        stream.add(segment(120, 10, at: 4))
        let timeline = stream.timeline()
        #expect([0, 9, 10, 19, 20, 29, 500].map { timeline.time(at: $0) } == [1, 1, 3, 3, 2, 2, 2].map { Self.start + Double($0) })
        #expect(timeline.time(at: -1) == Self.start + 1, "before the first segment: the stream's first packet")
    }

    @Test("the clock of a trace line is what a DateFormatter writes, without one per line; MACs as before")
    func clockAndMAC() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss.SSS"
        var generator = SystemRandomNumberGenerator()
        var dates = [0, 0.001, 0.0005, 0.9999, 86_399.999, -0.001, -86_400.5].map { Date(timeIntervalSince1970: 1_764_000_000 + $0) }
        dates += (0..<2_000).map { _ in
            let micros = Double(Int.random(in: 0..<1_000_000, using: &generator)) / 1_000_000
            return Date(timeIntervalSince1970: Double(Int.random(in: 0..<2_000_000_000, using: &generator)) + micros)
        }
        for date in dates { #expect(CaptureReader.clock(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)") }
        let bytes: [UInt8] = [0x00, 0x04, 0xF2, 0xAB, 0x0C, 0xFF]
        #expect(TransportPacket.macText(bytes) == bytes.map { String(format: "%02x", $0) }.joined(separator: ":"))
    }

    @Test("many other clients' DNS packets: kept up to their budget, the rest counted; the phone's are all kept")
    func otherClientsBounded() throws {
        var frames: [(Double, [UInt8])] = [
            (0, TestCapture.frame(from: Self.phone, 68, to: [255, 255, 255, 255], 67, payload: Self.inform()))
        ]
        for index in 0..<3_000 {
            let client: [UInt8] = [10, 2, UInt8(index / 250), UInt8(index % 250)]
            let id = UInt16(index)
            let time = 0.001 * Double(index + 1)
            frames.append(
                (time, TestCapture.frame(from: client, 40000, to: Self.dnsServer, 53, payload: Self.question(id, "x.example.net"))))
            frames.append(
                (
                    time,
                    TestCapture.frame(
                        from: Self.dnsServer, 53, to: client, 40000, payload: Self.answer(id, "x.example.net", [192, 0, 2, 1]))
                ))
        }
        // The phone's questions come after the flood.
        for id in UInt16(1)...20 {
            let time = 10 + Double(id)
            frames.append(
                (time, TestCapture.frame(from: Self.phone, 5353, to: Self.dnsServer, 53, payload: Self.question(id, "pool.contoso.com"))))
            frames.append(
                (
                    time,
                    TestCapture.frame(
                        from: Self.dnsServer, 53, to: Self.phone, 5353, payload: Self.answer(id, "pool.contoso.com", [10, 1, 1, 1]))
                ))
        }
        var options = CaptureReader.Options(device: "cx700")
        options.maxOtherClientEvents = 1_000
        let report = try Self.read(Self.pcap(frames), options: options)
        let limits = report.findings.compactMap { finding -> (count: Int?, limit: Int?, kind: String?)? in
            if case .captureGap(.otherClientLimit, nil, let count, let limit, nil, let kind) = finding.detail.captureFacts {
                return (count, limit, kind)
            }
            return nil
        }
        #expect(limits.count == 1)
        #expect(limits.first?.count == 6_000 - 1_000 && limits.first?.limit == 1_000 && limits.first?.kind == "DNS", "\(limits)")
        #expect(
            !report.findings.contains { if case .captureGap(.eventLimit, _, _, _, _, _) = $0.detail.captureFacts { true } else { false } })
        #expect(report.phones.map(\.phone.address) == ["10.0.0.2"])
        let dns = try #require(report.phones.first?.trace.step(.dns))
        #expect(dns.queries.count == 20 && dns.queries.allSatisfy { $0.answer.addresses == ["10.1.1.1"] })
        #expect(report.findings.first { $0.code == .captureGap }?.message.contains("5000 later ones were not kept") == true)

        // Named with --phone: other clients cannot be phones, so nothing of theirs is kept and nothing is dropped.
        var named = options
        named.phones = [.address("10.0.0.2")]
        let selected = try Self.read(Self.pcap(frames), options: named)
        #expect(!selected.findings.contains { $0.code == .captureGap })
        #expect(selected.phones.first?.trace.step(.dns)?.queries.count == 20)
    }

    @Test("gaps: each one of a phone's connections is reported, other clients' in one line with the count")
    func gapSummary() throws {
        let server: [UInt8] = [10, 0, 0, 80]
        var frames: [(Double, [UInt8])] = [
            (0, TestCapture.frame(from: Self.phone, 68, to: [255, 255, 255, 255], 67, payload: Self.inform()))
        ]
        let request = Array("GET /a HTTP/1.1\r\nHost: web\r\n\r\n".utf8)
        // Every connection starts mid-flow (no SYN): the phone's one and 40 of other clients.
        frames.append((1, TestCapture.frame(from: Self.phone, 50000, to: server, 80, tcp: (1000, 0x18), payload: request)))
        for index in 0..<40 {
            let client: [UInt8] = [10, 3, 0, UInt8(index + 1)]
            frames.append((2, TestCapture.frame(from: client, 50000, to: server, 80, tcp: (1000, 0x18), payload: request)))
        }
        let report = try Self.read(Self.pcap(frames))
        let gaps = report.findings.compactMap { finding -> CaptureFacts? in finding.code == .captureGap ? finding.detail.captureFacts : nil
        }
        #expect(gaps.count == 2, "\(gaps)")
        #expect(
            gaps.contains { if case .captureGap(.midConnection, let name?, _, _, _, _) = $0 { name.hasPrefix("10.0.0.2:") } else { false } }
        )
        #expect(gaps.contains { if case .captureGap(.otherConnections, nil, 40, 40, nil, nil) = $0 { true } else { false } })
        let line = try #require(report.findings.last?.message)
        #expect(line == "40 gaps in 40 connections of clients that are not phones (not listed one by one).")
    }
}
