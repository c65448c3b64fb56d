import Foundation
import Testing

@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// `trace --phone`: the spellings a MAC comes in, addresses, refusals, and phones found by the address DHCP gave
/// them or by UDP alone.
@Suite("trace --phone: which phone is followed")
struct TracePhoneSelectionTests {
    static let phoneMAC: [UInt8] = [0x82, 0x7F, 0xE6, 0xE6, 0x49, 0xC4]
    static let serverMAC: [UInt8] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x01]

    @Test("every usual MAC spelling is one MAC; addresses are canonical; anything else is refused")
    func parsing() throws {
        for spelling in ["82:7f:e6:e6:49:c4", "82-7F-E6-E6-49-C4", "827f.e6e6.49c4", "827FE6E649C4", " 82:7f:e6:e6:49:c4 "] {
            #expect(try PhoneSelector(parsing: spelling) == .mac("82:7f:e6:e6:49:c4"), "\(spelling)")
        }
        #expect(try PhoneSelector(parsing: "10.0.0.50") == .address("10.0.0.50"))
        #expect(try PhoneSelector(parsing: "2001:DB8:0:0::1") == .address("2001:db8::1"))
        for bad in ["bogus", "82:7f:e6:e6:49", "82:7f:e6:e6:49:c4:00", "zz7fe6e649c4", "1.2.3", "827f.e6e6.49c", "82:7f-e6:e6:49:c4", ""] {
            #expect(throws: PhoneSelector.ParseError.self, "\(bad)") { try PhoneSelector(parsing: bad) }
        }
    }

    /// Ethernet (from `sourceMAC`) + IPv4 + UDP.
    static func frame(_ sourceMAC: [UInt8], _ source: [UInt8], _ sourcePort: Int, to destination: [UInt8], _ port: Int, _ payload: [UInt8])
        -> [UInt8]
    {
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let udp = be16(sourcePort) + be16(port) + be16(8 + payload.count) + [0, 0] + payload
        let ip: [UInt8] = [0x45, 0] + be16(20 + udp.count) + [0, 0, 0, 0, 64, 17, 0, 0] + source + destination
        return [UInt8](repeating: 0xFF, count: 6) + sourceMAC + [0x08, 0x00] + ip + udp
    }

    /// A DHCP message of the phone's exchange; the phone's own carry vendor class MS-UC-Client when `vendor` is set.
    static func dhcp(_ op: UInt8, _ type: DHCPMessage.MessageType, yours: [UInt8] = [0, 0, 0, 0], vendor: Bool = false) -> [UInt8] {
        var options: [(UInt8, [UInt8])] = [(53, [type.rawValue])]
        if vendor && op == 1 { options.append((60, Array("MS-UC-Client".utf8))) }
        var message = DHCPMessage(op: op, transactionID: 0xABCD, hardwareAddress: phoneMAC, options: options)
        message.yourAddress = yours
        return message.encoded()
    }

    /// DISCOVER/OFFER/REQUEST/ACK of the phone (the ACK gives `leased`), from 0.0.0.0 and the server 10.0.0.1.
    static func lease(_ leased: [UInt8], vendor: Bool = false) -> [[UInt8]] {
        [
            frame(phoneMAC, [0, 0, 0, 0], 68, to: [255, 255, 255, 255], 67, dhcp(1, .discover, vendor: vendor)),
            frame(serverMAC, [10, 0, 0, 1], 67, to: [255, 255, 255, 255], 68, dhcp(2, .offer, yours: leased)),
            frame(phoneMAC, [0, 0, 0, 0], 68, to: [255, 255, 255, 255], 67, dhcp(1, .request, vendor: vendor)),
            frame(serverMAC, [10, 0, 0, 1], 67, to: [255, 255, 255, 255], 68, dhcp(2, .ack, yours: leased)),
        ]
    }

    /// DISCOVER from 0.0.0.0, an ACK giving 10.0.0.50, then only a DNS question from that address.
    static func capture() -> [UInt8] {
        let question: [UInt8] =
            [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + [4] + Array("pool".utf8) + [7] + Array("contoso".utf8) + [3]
            + Array("com".utf8) + [0, 0, 1, 0, 1]
        return TestCapture.pcap(
            lease([10, 0, 0, 50]) + [
                // The phone's next frames come from its new address, but this capture filtered them out: only its DNS.
                frame([0x02, 0, 0, 0, 0, 9], [10, 0, 0, 50], 5353, to: [10, 0, 0, 1], 53, question)
            ])
    }

    func read(_ phones: [PhoneSelector], capture: [UInt8] = Self.capture()) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("phone-selection")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("lease.pcap", capture)
        return try CaptureReader(options: .init(phones: phones, device: "cx700")).read(paths: [
            folder.appendingPathComponent("lease.pcap").path
        ])
    }

    @Test("a phone whose capture starts with DISCOVER/OFFER/REQUEST/ACK is found by its MAC, at the address it was given")
    func byMACThroughTheLease() throws {
        let report = try read([try PhoneSelector(parsing: "82-7F-E6-E6-49-C4")])
        #expect(report.phones.map(\.phone.address) == ["10.0.0.50"])
        #expect(report.notFound.isEmpty)
    }

    @Test("the phone found by its MAC keeps that MAC, so its trace starts with the DHCP exchange that gave it the address")
    func byMACKeepsTheDHCPStep() throws {
        let report = try read([.mac("82:7f:e6:e6:49:c4")])
        let phone = try #require(report.phones.first)
        #expect(phone.phone.mac == "82:7f:e6:e6:49:c4")
        let notes = try #require(phone.trace.step(.dhcp)?.notes, "no dhcp step")
        #expect(notes.contains { $0.contains("DHCP discover") } && notes.contains { $0.contains("DHCP request") }, "\(notes)")
    }

    @Test("a capture of the DHCP exchange alone: the phone is found by the address it was leased and by its MAC")
    func leaseOnly() throws {
        let capture = TestCapture.pcap(Self.lease([10, 0, 0, 77]))
        #expect(try read([.address("10.0.0.77")], capture: capture).phones.map(\.phone.address) == ["10.0.0.77"])
        #expect(try read([.mac("82:7f:e6:e6:49:c4")], capture: capture).phones.map(\.phone.address) == ["10.0.0.77"])
        // An address nothing in the capture names is missing.
        let missing = try read([.address("10.0.0.78")], capture: capture)
        #expect(missing.phones.isEmpty && missing.notFound == [.address("10.0.0.78")])
    }

    @Test("without --phone, a DISCOVER/REQUEST with vendor class MS-UC-Client from 0.0.0.0 is the phone at its leased address")
    func foundByVendorClassThroughTheLease() throws {
        let report = try read([], capture: TestCapture.pcap(Self.lease([10, 0, 0, 60], vendor: true)))
        #expect(report.phones.map(\.phone.address) == ["10.0.0.60"])
        #expect(report.phones.first?.phone.mac == "82:7f:e6:e6:49:c4")
        #expect(report.phones.first?.phone.reason == "DHCP with vendor class MS-UC-Client")
        // Without the vendor class nothing marks it as a phone.
        #expect(try read([], capture: TestCapture.pcap(Self.lease([10, 0, 0, 60]))).phones.isEmpty)
    }

    @Test("a phone that only asked DNS is found by its address; a phone not in the capture is said to be missing")
    func byAddressAndMissing() throws {
        let report = try read([.address("10.0.0.50"), .address("10.9.9.9"), .mac("00:11:22:33:44:55")])
        #expect(report.phones.map(\.phone.address) == ["10.0.0.50"])
        #expect(report.notFound == [.address("10.9.9.9"), .mac("00:11:22:33:44:55")])
    }

    @Test("trace --json written a phone at a time is JSONEncoder's document of the whole report, byte for byte")
    func jsonAPhoneAtATime() throws {
        let two = try read([.address("10.0.0.50"), .address("10.0.0.1"), .address("10.9.9.9")])
        #expect(two.phones.count == 2 && two.notFound.count == 1)
        for report in [two, try read([.address("10.0.0.50")]), try read([.address("10.9.9.9")])] {
            var pieces: [String] = []
            CaptureRendering.json(report) { pieces.append($0) }
            #expect(pieces.joined() == JSONOutput.encode(CaptureRendering.model(report)))
            #expect(pieces.count == (report.phones.isEmpty ? 1 : report.phones.count + 2))
        }
    }

    @Test("cxcert trace: a --phone that is neither a MAC nor an address exits 2; a named phone not in the capture exits 1")
    func exitCodes() throws {
        let folder = try makeTemporaryDirectory("phone-selection-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("lease.pcap", Self.capture())
        let file = folder.appendingPathComponent("lease.pcap").path
        let bogus = try CLI.run(["trace", file, "--phone", "bogus"])
        #expect(bogus.status == 2 && bogus.stderr.contains("'bogus' is neither a MAC address"), "\(bogus.stderr)")
        let missing = try CLI.run(["trace", file, "--phone", "10.9.9.9", "--json"])
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("--phone 10.9.9.9: not in the capture"), "\(missing.stderr)")
        #expect(missing.stdout.contains("\"notFound\" : [\n    \"10.9.9.9\""), "\(missing.stdout)")
    }
}

/// A real DHCP client (busybox `udhcpc`, which sends DISCOVER and REQUEST from 0.0.0.0 as a phone fresh from reset
/// does) leasing from dnsmasq over the DHCP lab's veth pair, recorded by tcpdump.
@Suite("trace --phone: a lease recorded live", .serialized, .integration, .tags(.integration))
struct TraceLeaseLabTests {
    @Test("udhcpc leases from dnsmasq: the capture finds the client by its MAC, by its leased address and by its vendor class")
    func lease() throws {
        let dhcpLab = try DHCPLab()
        defer { dhcpLab.stop() }
        // no-ping: dnsmasq otherwise waits for an echo to the address before it offers it.
        try dhcpLab.dnsmasq(DHCPLiveTests.ucOptions(dhcpLab) + ["no-ping"])
        // The client side's MAC, from `ip -o link` ("... link/ether 82:7f:e6:e6:49:c4 brd ..."): this namespace's /sys is not its own.
        let link = try Shell.text(["ip", "-o", "link", "show", dhcpLab.clientInterface]).split(separator: " ")
        let mac = String(try #require(link.firstIndex(of: "link/ether").map { link[$0 + 1] }, "\(link)"))
        let file = try TraceTests().capture(dhcpLab.lab, interface: dhcpLab.clientInterface, filter: "udp port 67 or udp port 68") {
            // -s /bin/true: the lease is not applied to the interface; -q: quit once leased.
            try Shell.run(
                [
                    "udhcpc", "-i", dhcpLab.clientInterface, "-f", "-q", "-n", "-t", "3", "-T", "2", "-V", "MS-UC-Client", "-s",
                    "/bin/true",
                ], deadline: .seconds(20))
        }
        // dnsmasq's lease file: "<expiry> <mac> <address> <name> <client id>".
        let leases = try String(contentsOf: dhcpLab.lab.directory.appendingPathComponent("leases"), encoding: .utf8)
        let lease = try #require(leases.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.count > 2 && $0[1] == mac })
        let leased = String(lease[2])
        #expect(leased.hasPrefix("10.77.\(dhcpLab.index).") && leased != dhcpLab.clientAddress)
        for selector in [PhoneSelector.mac(mac), .address(leased)] {
            let report = try CaptureReader(options: .init(phones: [selector], device: "hp4120")).read(paths: [file])
            #expect(report.phones.map(\.phone.address) == [leased], "\(selector)")
            #expect(report.notFound.isEmpty)
        }
        let byMAC = try #require(try CaptureReader(options: .init(phones: [.mac(mac)], device: "hp4120")).read(paths: [file]).phones.first)
        let notes = try #require(byMAC.trace.step(.dhcp)?.notes)
        #expect(notes.contains { $0.contains("DHCP discover vendor class MS-UC-Client") }, "\(notes)")
        #expect(notes.contains { $0.contains("DHCP request vendor class MS-UC-Client") }, "\(notes)")
        // Without --phone: the DISCOVER's vendor class marks it, at the address the ACK gave it.
        let found = try #require(try CaptureReader(options: .init(device: "hp4120")).read(paths: [file]).phones.first)
        #expect(found.phone.address == leased && found.phone.mac == mac && found.phone.reason == "DHCP with vendor class MS-UC-Client")
    }
}
