import Foundation
import Testing

@testable import CXCertCapture
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertTestSupport

/// Captures recorded at test time with tcpdump while real clients talk to real servers, then read back.
@Suite("cxcert trace: captures of real clients and servers", .serialized, .integration, .tags(.integration))
struct TraceTests {
    /// Runs `body` while tcpdump records `interface` (only `filter`), and returns the capture file.
    func capture(_ lab: BootLab, interface: String = "lo", filter: String, snap: Int = 0, _ body: () throws -> Void) throws -> String {
        let file = lab.directory.appendingPathComponent("capture-\(UUID().uuidString.prefix(6)).pcap").path
        let tcpdump = try lab.launch(["tcpdump", "-i", interface, "-s", "\(snap)", "-U", "--immediate-mode", "-n", "-w", file, filter]) {
            log in
            log.contains("listening on")
        }
        try body()
        Thread.sleep(forTimeInterval: 0.3)
        // tcpdump exits on SIGINT. --immediate-mode hands it each packet as it comes: in the default mode the kernel
        // holds packets in a block for up to a second, and what a block holds at the SIGINT is lost.
        let ended = tcpdump.signal(SIGINT)
        try #require(ended != nil, "tcpdump ended on SIGINT: \(tcpdump.printed)")
        return file
    }

    func read(_ file: String, device: String? = "cx700", firmware: String? = nil, trust: [TrustAnchor] = []) throws -> CaptureReport {
        try CaptureReader(options: .init(device: device, firmware: firmware, trusted: trust)).read(paths: [file])
    }

    /// The guide's lab on loopback, recorded while `cxcert boot` and an `openssl s_client` that refuses the chain run.
    func labCapture() throws -> (BootLab, String) {
        let bootTests = BootTests()
        let (lab, dns) = try bootTests.guideLab()
        let unrelated = try TestPKI.get().url("root.pem").path
        let file = try capture(lab, filter: "net \(lab.prefix).0/24") {
            _ = try CLI.run([
                "boot", "--sip-domain", "fabrikam.com", "--dhcp-domain", "contoso.com", "--dns-server", dns.description, "--device",
                "cx700",
                "--firmware", "3.5.6907.35", "--timeout", "1",
            ])
            // A TLS 1.0 client without SNI that does not trust the chain and says so with an alert.
            _ = try? Shell.run(
                [
                    "openssl", "s_client", "-tls1", "-noservername", "-cipher", "AES128-SHA:@SECLEVEL=0", "-connect",
                    "\(lab.address(10)):5061",
                    "-verify_return_error", "-CAfile", unrelated,
                ], input: Data())
        }
        return (lab, file)
    }

    @Test("DNS, time and TLS as the phone saw them, judged per build; the phone's alert explained")
    func tlsDNSAndTime() throws {
        let (lab, file) = try labCapture()
        defer { lab.stop() }
        let root = try BootFixtures.root()
        let r2 = try #require(try read(file, firmware: "3.5.6907.35", trust: [root]).phones.first)
        #expect(r2.phone.reason.contains("TLS 1.0 ClientHello without SNI"))
        #expect(r2.buildSource.contains("--firmware"))
        // DNS: the questions boot asked, in order, with their answers.
        let dns = try #require(r2.trace.step(.dns))
        let srv = try #require(dns.queries.first { $0.name == "_sipinternaltls._tcp.fabrikam.com" })
        #expect(srv.answer.services.map(\.target) == ["pool01.contoso.com"])
        #expect(dns.queries.first?.name == "_ntp._udp.fabrikam.com")
        // Time: chrony's answer, and the phone's clock from it.
        let time = try #require(r2.trace.step(.time))
        #expect(time.timeSamples.contains { if case .success(let response) = $0.result { response.stratum == 8 } else { false } })
        #expect(r2.trace.phoneClock != nil)
        // TLS: the chain the server sent, the phone's alert, and the verdict for the build.
        let tls = try #require(r2.trace.step(.tls))
        let refused = try #require(tls.endpoints.first { $0.outcome.contains("unknown_ca") })
        #expect(refused.host == "pool01.contoso.com")
        #expect(refused.chain.first?.subject.displayName == "pool01.contoso.com")
        #expect(
            tls.findings.contains {
                guard $0.code == .phoneAlert,
                    case .tlsAlert("pool01.contoso.com", 5061, 48, "unknown_ca", true, _, false, let codes, _) = $0.detail.captureFacts
                else { return false }
                return codes.contains("sha2-unsupported")
            })
        #expect(tls.notes.contains { $0.contains("TLS 1.0") && $0.contains("no SNI") })

        // The same capture for the LPE build: the chain is trusted, so the alert is not explained by it.
        let lpe = try #require(try read(file, firmware: "4.0.7577.4463", trust: [root]).phones.first)
        let lpeTLS = try #require(lpe.trace.step(.tls))
        #expect(
            lpeTLS.findings.contains {
                if case .tlsAlert(_, _, _, "unknown_ca", true, _, true, [], _) = $0.detail.captureFacts {
                    $0.code == .phoneAlert
                } else {
                    false
                }
            })
        _ = try FindingDetailTests.check(r2.trace.steps.flatMap(\.findings) + lpe.trace.steps.flatMap(\.findings), "lab capture")
        #expect(!lpeTLS.findings.contains { $0.code == .sha2Unsupported })
    }

    @Test("A root downloaded over plain HTTP is a root the phone has for later handshakes")
    func httpRootDownload() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let pki = try BootFixtures.directory()
        let web = lab.directory.appendingPathComponent("certsrv")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        try web.write("certnew.p7b", try TestPKI.get().directory.read("root-sha1.pem"))
        try lab.launch(["python3", "-m", "http.server", "80", "--bind", lab.address(20), "--directory", lab.directory.path]) { _ in
            (try? Prober.reach(address: lab.address(20), port: 80, timeout: 0.3)) != nil
        }
        try lab.tls(at: 10, port: 5061, certificate: "boot-pool-sha1.pem", key: "leaf.key", in: pki)
        let file = try capture(lab, filter: "net \(lab.prefix).0/24") {
            _ = try Shell.run([
                "curl", "-s", "-o", "/dev/null", "http://\(lab.address(20))/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64",
            ])
            _ = try? Shell.run(
                [
                    "openssl", "s_client", "-tls1", "-noservername", "-cipher", "AES128-SHA:@SECLEVEL=0", "-connect",
                    "\(lab.address(10)):5061",
                ],
                input: Data())
        }
        let phone = try #require(try read(file, firmware: "3.5.6907.35").phones.first)
        let roots = try #require(phone.trace.step(.roots))
        #expect(roots.roots.map(\.certificate.subject.displayName) == ["Contoso Root CA SHA1"])
        #expect(roots.roots.first?.source.contains("/certsrv/certnew.p7b") == true)
        #expect(phone.trace.step(.http)?.notes.contains { $0.contains("HTTP 200") } == true)
        let endpoint = try #require(phone.trace.step(.tls)?.endpoints.first)
        #expect(endpoint.verdict?.isTrusted == true)

        // Without the download the same chain has no root the phone knows.
        let withoutDownload = try #require(try read(file, firmware: "3.5.6907.35").phones.first?.trace.step(.tls)?.endpoints.first?.verdict)
        let request = VerificationRequest(
            leaf: try #require(endpoint.chain.first), intermediates: [], anchors: TrustAnchor.builtInCache, hosts: [], plan: nil,
            time: Date())
        #expect(withoutDownload.isTrusted)
        #expect(!Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")).isTrusted)
    }

    @Test("The phone's DHCPINFORM and the answers, read from a capture on the veth")
    func dhcp() throws {
        let dhcpLab = try DHCPLab()
        defer { dhcpLab.stop() }
        try dhcpLab.dnsmasq(DHCPLiveTests.ucOptions(dhcpLab))
        let file = try capture(dhcpLab.lab, interface: dhcpLab.clientInterface, filter: "udp port 67 or udp port 68") {
            _ = try dhcpLab.inform(timeout: 1)
        }
        let report = try read(file, device: nil)
        let phone = try #require(report.phones.first)
        #expect(phone.phone.address == dhcpLab.clientAddress)
        #expect(phone.phone.reason.contains("MS-UC-Client"))
        #expect(phone.phone.mac != nil)
        let step = try #require(phone.trace.step(.dhcp))
        #expect(step.notes.contains { $0.contains("https://pool01.contoso.com:443/CertProv/CertProvisioningService.svc") })
        #expect(step.findings.isEmpty)
    }

    @Test("Cut at every packet boundary and inside packets, a small snap length, flipped bytes: findings, never a crash")
    func hostileCaptures() throws {
        let (lab, file) = try labCapture()
        defer { lab.stop() }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        // Record boundaries of the classic pcap format: a 24-byte header, then 16-byte record headers.
        var boundaries: [Int] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            boundaries.append(offset)
            let length =
                Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            offset += 16 + length
        }
        #expect(boundaries.count > 20)
        var damaged = 0
        for cut in boundaries + boundaries.map({ $0 + 20 }) where cut <= bytes.count {
            let path = lab.directory.appendingPathComponent("cut.pcap")
            try Data(bytes.prefix(cut)).write(to: path)
            let report = try read(path.path)
            if report.findings.contains(where: { $0.code == .captureDamaged }) { damaged += 1 }
        }
        #expect(damaged >= boundaries.count / 2)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            var flipped = bytes
            for _ in 0..<8 {
                let index = Int.random(in: 24..<flipped.count, using: &generator)
                flipped[index] ^= UInt8.random(in: 1...255, using: &generator)
            }
            let path = lab.directory.appendingPathComponent("flipped.pcap")
            try Data(flipped).write(to: path)
            _ = try? read(path.path)
        }
        // A 4 GiB record length claims more than the file holds.
        var huge = bytes
        huge.replaceSubrange((boundaries[3] + 8)..<(boundaries[3] + 12), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let hugePath = lab.directory.appendingPathComponent("huge.pcap")
        try Data(huge).write(to: hugePath)
        #expect((try? read(hugePath.path))?.findings.contains { $0.code == .captureDamaged } != false)

        // A snap length of 96 bytes cuts the certificates: said, not guessed.
        let short = try capture(lab, filter: "net \(lab.prefix).0/24", snap: 96) {
            _ = try? Shell.run(
                [
                    "openssl", "s_client", "-tls1", "-noservername", "-cipher", "AES128-SHA:@SECLEVEL=0", "-connect",
                    "\(lab.address(10)):5061",
                ],
                input: Data())
        }
        let report = try read(short)
        #expect(
            report.findings.contains {
                if case .captureGap(.snapLength, nil, let count?, nil, nil, nil) = $0.detail.captureFacts { count > 0 } else { false }
            })
        _ = try FindingDetailTests.check(report.findings, "snap length 96")
        #expect(report.phones.allSatisfy { $0.trace.step(.tls)?.endpoints.allSatisfy { $0.verdict == nil } ?? true })
    }

    @Test("A Network Monitor capture is refused with the conversion command; a missing file is an input error")
    func wrongFiles() throws {
        let directory = try makeTemporaryDirectory("netmon")
        try directory.write("trace.cap", Data("GMBU".utf8) + Data(repeating: 0, count: 64))
        #expect(throws: CaptureError.networkMonitor(directory.appendingPathComponent("trace.cap").path)) {
            try CaptureReader().read(paths: [directory.appendingPathComponent("trace.cap").path])
        }
        let result = try CLI.run(["trace", directory.appendingPathComponent("trace.cap").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("editcap -F pcapng"))
        #expect(try CLI.run(["trace", "/nonexistent.pcap"]).status == 2)
    }

    @Test("LDAP search entries: the cACertificate values a phone received, placeholders skipped")
    func ldapEntries() throws {
        let der = [UInt8](try TestPKI.get().certificate("root-sha1.pem").der)
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            let length: [UInt8] =
                content.count < 128 ? [UInt8(content.count)] : [0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)]
            return [tag] + length + content
        }
        let attribute = tlv(0x30, tlv(0x04, Array("cACertificate".utf8)) + tlv(0x31, tlv(0x04, der) + tlv(0x04, [0])))
        let entry = tlv(0x64, tlv(0x04, Array("CN=ContosoCA,CN=Certification Authorities".utf8)) + tlv(0x30, attribute))
        let message = tlv(0x30, tlv(0x02, [2]) + entry)
        let parsed = LDAPMessageView.parse(message + message.prefix(10))
        #expect(parsed.messages.count == 1)
        #expect(parsed.problem != nil)
        guard case .searchEntry(let dn, let attributes) = parsed.messages.first?.message else {
            Issue.record("no entry")
            return
        }
        #expect(dn.hasPrefix("CN=ContosoCA"))
        #expect(attributes["cacertificate"]?.map(\.count) == [der.count, 1])
    }

    @Test("The registrar questions in the phone's order, against its build's data")
    func lookupOrder() throws {
        func query(_ name: String) -> BootQuery {
            BootQuery(name: name, type: .srv, server: nil, answer: .nxdomain, purpose: "captured")
        }
        let r2 = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        let expected = ["_sipinternaltls._tcp.fabrikam.com", "_sip._tls.fabrikam.com", "_sipinternal._tcp.fabrikam.com"].map(query)
        #expect(PhoneJudge.fresh(r2, asked: expected).dnsOrder().isEmpty)
        // The 1.0.199.123 trace's order (_sipinternal before _sip._tls) is not what the OCS R2 table says for 3.5.
        let observed = ["_sipinternaltls._tcp.fabrikam.com", "_sipinternal._tcp.fabrikam.com", "_sip._tls.fabrikam.com"].map(query)
        let finding = try #require(PhoneJudge.fresh(r2, asked: observed).dnsOrder().first)
        #expect(finding.code == .dnsOrderDiffers)
        guard case .dnsOrder(let seen, let order, r2.name, _) = finding.detail.captureFacts else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(seen == observed.map(\.name))
        #expect(order == ["_sipinternaltls._tcp.fabrikam.com", "_sip._tls.fabrikam.com", "_sipinternal._tcp.fabrikam.com"])
        let r1 = try DeviceProfile.resolve(device: "cx700", firmware: "1.0.199.123")
        #expect(PhoneJudge.fresh(r1, asked: observed).dnsOrder().isEmpty)
    }

    @Test("ldapsearch -x to the Samba AD DC: the cACertificate values the client received are its roots")
    func ldapFromSamba() throws {
        let dc = try SambaDC.get()
        let lab = try BootLab()
        defer { lab.stop() }
        let root = try TestPKI.get().url("root-sha1.pem").path
        let published = try CLI.run(["ds", "publish", root] + dc.connectionArguments)
        #expect(published.status == 0, "\(published.stderr)")
        let password = try String(contentsOfFile: dc.adminPasswordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let file = try capture(lab, filter: "tcp port 389") {
            _ = try Shell.run(
                [
                    "ldapsearch", "-x", "-H", dc.plainURL, "-D", dc.admin, "-y", "/dev/stdin", "-b",
                    "CN=Certification Authorities,\(dc.publicKeyServices)", "(objectClass=certificationAuthority)", "cACertificate",
                ], input: Data(password.utf8))
        }
        let report = try CaptureReader(options: .init(phones: [.address("127.0.0.1")], device: "cx700")).read(paths: [file])
        let phone = try #require(report.phones.first)
        let ldap = try #require(phone.trace.step(.ldap))
        #expect(
            ldap.notes.contains { $0.contains("search") && $0.contains("CN=Certification Authorities") && $0.contains("cACertificate") })
        let roots = try #require(phone.trace.step(.roots))
        #expect(
            roots.roots.contains {
                $0.certificate.subject.displayName == "Contoso Root CA SHA1" && $0.source.hasPrefix("LDAP 127.0.0.1:389")
            })
    }

    @Test("A Device Update request tells the device and build when no --firmware is given")
    func deviceUpdateIdentifiesBuild() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        try lab.launch(["python3", "-m", "http.server", "80", "--bind", lab.address(21), "--directory", lab.directory.path]) { _ in
            (try? Prober.reach(address: lab.address(21), port: 80, timeout: 0.3)) != nil
        }
        let body =
            "<Request><DeviceType>UCPhone</DeviceType><Vendor>POLYCOM</Vendor><Model>CX600</Model><Version>4.0.7577.4420</Version></Request>"
        let file = try capture(lab, filter: "net \(lab.prefix).0/24") {
            _ = try? Shell.run([
                "curl", "-s", "-o", "/dev/null", "-X", "POST", "--data", body, "http://\(lab.address(21))/RequestHandler/ucdevice.upx",
            ])
        }
        let phone = try #require(try read(file, device: nil).phones.first)
        #expect(phone.phone.reason.contains("Device Update"))
        #expect(phone.trace.profile.name == "cx600 (aries) 4.0.7577.4420")
        #expect(phone.buildSource.contains("Device Update request (4.0.7577.4420)"))
    }
}

@Suite("Capture parsing: frames and TCP streams")
struct CaptureParsingTests {
    static func ipv4UDP(payload: [UInt8], source: [UInt8] = [10, 0, 0, 2], destination: [UInt8] = [10, 0, 0, 1]) -> [UInt8] {
        let total = 20 + 8 + payload.count
        let ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0, 0, 64, 17, 0, 0] + source + destination
        return ip + [0x30, 0x39, 0, 53, UInt8((8 + payload.count) >> 8), UInt8((8 + payload.count) & 0xFF), 0, 0] + payload
    }

    @Test("The bundled capture reads the same in every process: JSON, text and HTML byte for byte")
    func deterministicOutput() throws {
        // Dictionary order changes from one process to the next (per-process hash seeds), so only separate
        // runs show an order that leaks from a hash table into the output.
        let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path
        for format in [["--json"], [], ["--html", "-"]] {
            let runs = try (0..<4).map { _ in try CLI.run(["trace", capture] + format) }
            #expect(runs.allSatisfy { $0.status == runs[0].status && !$0.stdout.isEmpty }, "\(format)")
            #expect(Set(runs.map(\.stdout)).count == 1, "trace \(format) differs between runs")
        }
    }

    @Test("Ethernet with two VLAN tags, Linux cooked (SLL), raw IPv6 with TCP")
    func linkLayers() throws {
        let mac: [UInt8] = [0x00, 0x04, 0xF2, 0x01, 0x02, 0x03]
        let ethernet: [UInt8] =
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + mac + [0x88, 0xA8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00]
            + Self.ipv4UDP(payload: [1, 2, 3])
        let tagged = try #require(
            TransportPacket.decode(CapturedFrame(time: Date(), bytes: ethernet, originalLength: ethernet.count), link: .ethernet))
        #expect(
            tagged.sourceMAC == "00:04:f2:01:02:03" && tagged.source == "10.0.0.2" && tagged.destinationPort == 53
                && tagged.payload == [1, 2, 3])
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + mac + [0, 0, 0x08, 0x00] + Self.ipv4UDP(payload: [9])
        let cooked = try #require(
            TransportPacket.decode(CapturedFrame(time: Date(), bytes: sll, originalLength: sll.count), link: .linuxCooked))
        #expect(cooked.sourceMAC == "00:04:f2:01:02:03" && cooked.payload == [9])
        var v6: [UInt8] =
            [0x60, 0, 0, 0, 0, 24, 6, 64] + [UInt8](repeating: 0, count: 15) + [1] + [0x20, 0x01, 0x0d, 0xb8]
            + [UInt8](repeating: 0, count: 11) + [5]
        v6 += [0x13, 0xC5, 0x01, 0xBB, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, 0x18, 0, 0, 0, 0, 0, 0] + [0x16, 3, 1, 0]
        let tcp = try #require(TransportPacket.decode(CapturedFrame(time: Date(), bytes: v6, originalLength: v6.count + 100), link: .rawIP))
        #expect(
            tcp.source == "::1" && tcp.destination == "2001:db8::5" && tcp.transport == .tcp && tcp.sequence == 7
                && tcp.payload == [0x16, 3, 1, 0])
        #expect(tcp.isCut)
        // A frame cut inside the IP header is not a packet.
        #expect(
            TransportPacket.decode(
                CapturedFrame(time: Date(), bytes: Array(ethernet.prefix(30)), originalLength: ethernet.count), link: .ethernet) == nil)
    }

    @Test("TCP segments out of order, retransmitted and overlapping are placed; a gap is reported, not filled")
    func reassembly() throws {
        func segment(_ sequence: UInt32, _ bytes: String, syn: Bool = false) -> TransportPacket {
            TransportPacket(
                time: Date(), sourceMAC: nil, source: "10.0.0.2", destination: "10.0.0.1", transport: .tcp, sourcePort: 40000,
                destinationPort: 389, sequence: sequence, flags: syn ? 0x02 : 0x18, payload: Array(bytes.utf8), isCut: false)
        }
        var stream = TCPStream()
        stream.add(segment(999, "", syn: true))
        stream.add(segment(1006, "world"))  // out of order
        stream.add(segment(1000, "hello "))
        stream.add(segment(1000, "hello "))  // retransmission
        stream.add(segment(1003, "lo wor"))  // overlap: the first copy wins
        var (bytes, gaps) = stream.assembled()
        #expect(String(decoding: bytes, as: UTF8.self) == "hello world" && gaps.isEmpty)
        stream.add(segment(1020, "later"))
        (bytes, gaps) = stream.assembled()
        #expect(String(decoding: bytes, as: UTF8.self) == "hello world")
        #expect(gaps == [TCPStream.Gap(offset: 11, length: 9)])
        var small = TCPStream(maxBytes: 8)
        small.add(segment(0, "0123456789"))
        #expect(small.overflowed)
    }
}

extension PhoneJudge {
    /// A judge for a phone fresh from reset that holds its built-in cache only.
    static func fresh(_ profile: DeviceProfile) -> PhoneJudge {
        PhoneJudge(
            profile: profile, state: .start(profile: profile, signedIn: false, trusted: [], held: [], signIn: nil, network: .internal))
    }

    /// A fresh phone's judge that recorded these DNS questions, in order, as a producer feeds them.
    static func fresh(_ profile: DeviceProfile, asked queries: [BootQuery]) -> PhoneJudge {
        var judge = fresh(profile)
        for query in queries { judge.record(.dns(query, at: Date())) }
        return judge
    }
}
