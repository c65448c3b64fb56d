import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// Issue 25: rogue peers on the phone's network, round three. Captures are built in the test, byte by byte.
@Suite("Hostile networks, round three")
struct HostileNetworksRoundThreeTests {
    // MARK: Captures built in memory

    /// A classic pcap file (little-endian, Ethernet) holding these frames, one per microsecond.
    static func pcap(_ frames: [[UInt8]]) -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        var bytes = le32(0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)
        for (index, frame) in frames.enumerated() {
            bytes += le32(1_764_000_000) + le32(UInt32(index)) + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
        }
        return bytes
    }

    static let phoneMAC: [UInt8] = [0x00, 0x04, 0xF2, 0x01, 0x02, 0x03]
    static let serverMAC: [UInt8] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x01]

    /// Ethernet + IPv4 + UDP or TCP (`tcp` is the sequence number and flags).
    static func frame(
        from source: [UInt8], _ sourcePort: Int, to destination: [UInt8], _ destinationPort: Int, tcp: (UInt32, UInt8)? = nil,
        payload: [UInt8]
    ) -> [UInt8] {
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let transport: [UInt8]
        if let (sequence, flags) = tcp {
            transport =
                be16(sourcePort) + be16(destinationPort) + withUnsafeBytes(of: sequence.bigEndian, Array.init) + [0, 0, 0, 0, 0x50, flags]
                + [0xFF, 0xFF, 0, 0, 0, 0] + payload
        } else {
            transport = be16(sourcePort) + be16(destinationPort) + be16(8 + payload.count) + [0, 0] + payload
        }
        let ip: [UInt8] =
            [0x45, 0] + be16(20 + transport.count) + [0, 0, 0, 0, 64, tcp == nil ? 17 : 6, 0, 0] + source + destination
        let fromPhone = source == [10, 0, 0, 2]
        let macs = fromPhone ? [UInt8](repeating: 0xFF, count: 6) + phoneMAC : phoneMAC + serverMAC
        return macs + [0x08, 0x00] + ip + transport
    }

    /// One DHCPINFORM with vendor class MS-UC-Client, then `GET /ucdevice.upx` on port 80 and this answer.
    static func deviceUpdateCapture(answer: [UInt8]) -> [UInt8] {
        let phone: [UInt8] = [10, 0, 0, 2]
        let server: [UInt8] = [10, 0, 0, 1]
        let inform = DHCPMessage.inform(
            transactionID: 0x1234_5678, hardwareAddress: phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client",
            requested: [1, 3, 6, 15, 42, 43, 119, 120]
        ).encoded()
        let request = Array("GET /RequestHandler/ucdevice.upx HTTP/1.1\r\nHost: ucupdates-r2.contoso.com\r\n\r\n".utf8)
        return pcap([
            frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform),
            frame(from: phone, 40000, to: server, 80, tcp: (999, 0x02), payload: []),
            frame(from: server, 80, to: phone, 40000, tcp: (4999, 0x12), payload: []),
            frame(from: phone, 40000, to: server, 80, tcp: (1000, 0x18), payload: request),
            frame(from: server, 80, to: phone, 40000, tcp: (5000, 0x18), payload: answer),
        ])
    }

    static func read(_ capture: [UInt8]) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("capture")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("chunked.pcap")
        try Data(capture).write(to: file)
        return try CaptureReader(options: .init(device: "cx700")).read(paths: [file.path])
    }

    static let chunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"

    // MARK: 1. Chunked HTTP in captures

    @Test(
        "A chunked answer cut or lying about its sizes is a finding, never a trap",
        arguments: [
            ("5\r\nhello", "its CRLF is not in the capture"),  // the capture stopped inside the download
            ("5\r\nhel", "3 of 5 bytes captured"),
            ("-1\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
            ("5\r\nhello\r\n7fffffffffffffff\r\nxx\r\n", "malformed chunk size"),  // 16 digits: refused before any sum
            ("5\r\nhello\r\nfffffffffffffff\r\nxx\r\n", "over 1048576 bytes"),
            ("5\r\nhelloXY0\r\n\r\n", "does not end with CRLF"),
            ("0x5\r\nhello\r\n", "malformed chunk size"),
            ("5", "a chunk is cut"),
            (String(repeating: "0", count: 2000) + "\r\n", "chunk-size line over 1024 bytes"),
        ])
    func chunkedCapture(body: String, expected: String) throws {
        let report = try Self.read(Self.deviceUpdateCapture(answer: Array((Self.chunkedHead + body).utf8)))
        let reasons = report.findings.compactMap { finding -> String? in
            if case .captureGap(_, _, _, _, _, let reason) = finding.detail { return reason }
            return nil
        }
        #expect(reasons.contains { $0.contains(expected) }, "\(reasons)")
        // The phone and its request are still read, and the cut answer is said to be cut.
        let phone = try #require(report.phones.first)
        let http = try #require(phone.trace.steps.first { $0.kind == .http })
        #expect(http.notes.contains { $0.contains("HTTP 200") && $0.contains("(cut:") }, "\(http.notes)")
    }

    @Test("A whole chunked answer is read, its trailers skipped, and the next message follows")
    func chunkedWhole() {
        let stream = Array(
            (Self.chunkedHead + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n").utf8)
        let parsed = HTTPMessageView.parse(stream)
        #expect(parsed.problem == nil)
        #expect(parsed.messages.map(\.body) == [Array("hello world".utf8), []])
        #expect(parsed.messages.map(\.isComplete) == [true, true])
        #expect(parsed.messages.last?.status == 204)
        // A capture that ends right after the last chunk has the whole body.
        let ended = HTTPMessageView.parse(Array((Self.chunkedHead + "2\r\nok\r\n0\r\n").utf8))
        #expect(ended.problem == nil && ended.messages.first?.body == Array("ok".utf8) && ended.messages.first?.isComplete == true)
    }

    @Test("Content-Length is read as digits only; a cut body is kept as cut")
    func contentLength() {
        func parse(_ length: String, _ body: String) -> (messages: [HTTPMessageView], problem: String?) {
            HTTPMessageView.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\n\r\n\(body)".utf8), maxBody: 1024)
        }
        #expect(parse("5", "hello").messages.first?.body == Array("hello".utf8))
        for bad in ["-5", "+5", "0x5", "5, 5", "99999999999999999999", ""] {
            let parsed = parse(bad, "hello")
            #expect(parsed.problem?.contains("malformed Content-Length") == true, "\(bad)")
            #expect(parsed.messages.first?.isComplete == false)
        }
        #expect(parse("2000", "x").problem?.contains("over 1024") == true)
        let cut = parse("10", "hello")
        #expect(cut.problem?.contains("5 of 10 bytes captured") == true && cut.messages.first?.body == Array("hello".utf8))
    }

    @Test("Every prefix of a chunked answer parses without a trap, within the body limit")
    func chunkedPrefixes() {
        let stream = Array((Self.chunkedHead + "5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n").utf8)
        for end in 0...stream.count {
            let parsed = HTTPMessageView.parse(Array(stream[..<end]), maxBody: 16)
            #expect(parsed.messages.allSatisfy { $0.body.count <= 16 })
            #expect(parsed.messages.allSatisfy(\.isComplete) || parsed.problem != nil)
        }
    }

    @Test("A reply that is not SNTP says so once, with its reason")
    func sntpWording() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(fd >= 0 && bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
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

    @Test("An SNTP timestamp outside the packet is no date")
    func sntpTimestampBounds() {
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 47), at: 40) == nil)
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 48), at: 40) != nil)
        #expect(SNTPClient.date([UInt8](repeating: 1, count: 48), at: -1) == nil)
    }
}

/// Issue 25, item 5: the one output writer replaces only regular files, writes through devices, pipes and
/// the process's own descriptors, and refuses other kinds by name.
@Suite("Hostile networks, round three: output files")
struct OutputFileTests {
    static func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test("A regular file is replaced whole and keeps its mode; a new one gets 0666 less the umask")
    func regularFiles() throws {
        let folder = try makeTemporaryDirectory("output-regular")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.html").path
        try AtomicFile.write(Array("new".utf8), to: path)
        let mask = umask(0o022)
        umask(mask)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o666 & ~mask)
        #expect(chmod(path, 0o600) == 0)
        let before = info.st_ino
        try AtomicFile.write(Array("second".utf8), to: path)
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600, "a 0600 report became \(String(info.st_mode & 0o777, radix: 8))")
        #expect(info.st_ino != before, "replaced by rename, not rewritten in place")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.html"], "no temporary file left")
    }

    @Test("/dev/null stays the null device; a FIFO with a reader is written through; one without is refused at once")
    func devicesAndPipes() throws {
        try AtomicFile.write(Array("report".utf8), to: "/dev/null")
        #expect(Self.kind("/dev/null") == S_IFCHR)
        #expect(try AtomicFile.destination(of: "/dev/null") == .device)

        let folder = try makeTemporaryDirectory("output-fifo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        #expect(throws: FileWriteError.self) { try AtomicFile.write(Array("x".utf8), to: fifo) }
        #expect(Date().timeIntervalSince(started) < 2, "a FIFO with no reader must not wait for one")
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try AtomicFile.write(Array("through the pipe".utf8), to: fifo)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(reader, &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "through the pipe")
        #expect(Self.kind(fifo) == S_IFIFO, "the FIFO is still a FIFO")
        // Through a link to the FIFO, the same.
        let link = folder.appendingPathComponent("link").path
        #expect(symlink(fifo, link) == 0)
        #expect(try AtomicFile.destination(of: link) == .device)
    }

    @Test("/dev/stdout-style paths write to the process's own descriptor")
    func ownDescriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        for path in ["/dev/fd/\(ends[1])", "/proc/self/fd/\(ends[1])"] {
            #expect(try AtomicFile.destination(of: path) == .descriptor(ends[1]))
            try AtomicFile.write(Array("via \(path)\n".utf8), to: path)
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(ends[0], &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "via /dev/fd/\(ends[1])\nvia /proc/self/fd/\(ends[1])\n")
        #expect(try AtomicFile.destination(of: "/dev/stdout") == .descriptor(1))
        #expect(try AtomicFile.destination(of: "/dev/stderr") == .descriptor(2))
    }

    @Test("A link to a regular file is replaced, not followed; a directory and a socket are refused by kind")
    func linksAndRefusals() throws {
        let folder = try makeTemporaryDirectory("output-kinds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = folder.appendingPathComponent("victim").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        let link = folder.appendingPathComponent("out.html").path
        #expect(symlink(victim, link) == 0)
        try AtomicFile.write(Array("report".utf8), to: link)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(Self.kind(link) == S_IFREG)

        do {
            try AtomicFile.write(Array("x".utf8), to: folder.path)
            Issue.record("a directory was written")
        } catch {
            #expect(error.reason.contains("is a directory"), "\(error)")
        }
        let socketPath = folder.appendingPathComponent("sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(socketPath.utf8)
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        do {
            try AtomicFile.write(Array("x".utf8), to: socketPath)
            Issue.record("a socket was written")
        } catch {
            #expect(error.reason.contains("is a socket"), "\(error)")
        }
        #expect(Self.kind(socketPath) == S_IFSOCK)
    }
}

/// Issue 25, item 6: control characters from the network and from certificates reach no output raw.
@Suite("Hostile networks, round three: escaping")
struct EscapingTests {
    static let hostile = "a\u{1B}[2J\u{07}b\rc\r\nd\ne\u{9B}31m\u{202E}f\u{7F}"

    /// Every scalar of `text` that is a control character, line breaks allowed or not.
    static func controls(_ text: String, allowingNewlines: Bool = true) -> [UInt32] {
        text.unicodeScalars.filter { Escaping.isControl($0) && !(allowingNewlines && $0 == "\n") }.map(\.value)
    }

    @Test("Each output kind's one function: terminal, Markdown (CR LF as one break), HTML, JSON")
    func functions() throws {
        #expect(Escaping.terminal(Self.hostile) == "a\\u{1b}[2J\\u{7}b\\u{d}c\\u{d}\\u{a}d\\u{a}e\\u{9b}31m\\u{202e}f\\u{7f}")
        #expect(Escaping.markdown("CN=a\r\nb\nc\rd") == "CN=a b c d")
        #expect(Self.controls(Escaping.markdown(Self.hostile), allowingNewlines: false).isEmpty)
        #expect(Escaping.html("<b>\u{1B}[31m'\"&") == "&lt;b&gt;\\u{1b}[31m&#39;&quot;&amp;")
        let json = Escaping.json(JSONOutput.encode([Self.hostile]))
        #expect(Self.controls(json).isEmpty, "\(json)")
        let decoded = try JSONDecoder().decode([String].self, from: Data(json.utf8))
        #expect(decoded == [Self.hostile], "the JSON string reads back as sent")
        // The net under the renderers keeps line breaks, tabs and TextStyle's colours, nothing else.
        let styled = TextStyle(color: true).red("x") + "\t" + Self.hostile + "\n"
        let net = Escaping.terminalOutput(styled)
        #expect(net.hasPrefix("\u{1B}[31mx\u{1B}[0m\t"))
        #expect(Self.controls(net).allSatisfy { $0 == 0x1B || $0 == 0x09 } && net.components(separatedBy: "\u{1B}").count == 3, "\(net)")
    }

    /// A capture whose HTTP request line and Host, and DHCP answer (option 15 and option 43's FQDN), carry control characters.
    static func hostileCapture() -> [UInt8] {
        typealias Capture = HostileNetworksRoundThreeTests
        let phone: [UInt8] = [10, 0, 0, 2]
        let server: [UInt8] = [10, 0, 0, 1]
        let inform = DHCPMessage.inform(
            transactionID: 7, hardwareAddress: Capture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client", requested: [15, 43])
        func sub(_ code: UInt8, _ text: String) -> [UInt8] { [code, UInt8(text.utf8.count)] + Array(text.utf8) }
        let option43 =
            sub(1, "MS-UC-Client") + sub(2, "https") + sub(3, "srv\u{1B}[2J\r\n.contoso.com") + sub(4, "443")
            + sub(5, "/CertProv/CertProvisioningService.svc")
        let answer = DHCPMessage(
            op: 2, transactionID: 7, clientAddress: phone, hardwareAddress: Capture.phoneMAC,
            options: [(53, [5]), (54, server), (15, Array("contoso\r\n.com\u{1B}]0;owned\u{07}".utf8)), (43, option43)])
        let request = Array("GET /ucdevice.upx\u{1B}[2J HTTP/1.1\r\nHost: evil\u{1B}]0;t\u{07}\rfake\u{9B}31m\r\n\r\n".utf8)
        return Capture.pcap([
            Capture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform.encoded()),
            Capture.frame(from: server, 67, to: phone, 68, payload: answer.encoded()),
            Capture.frame(from: phone, 40000, to: server, 80, tcp: (999, 0x02), payload: []),
            Capture.frame(from: server, 80, to: phone, 40000, tcp: (4999, 0x12), payload: []),
            Capture.frame(from: phone, 40000, to: server, 80, tcp: (1000, 0x18), payload: request),
            Capture.frame(
                from: server, 80, to: phone, 40000, tcp: (5000, 0x18), payload: Array("HTTP/1.1 404 Not\u{1B}[1A Found\r\n\r\n".utf8)),
        ])
    }

    @Test("trace and boot renderings: text, Markdown, HTML and JSON carry no raw control character")
    func renderings() throws {
        let report = try HostileNetworksRoundThreeTests.read(Self.hostileCapture())
        let trace = try #require(report.phones.first).trace
        let notes = trace.steps.flatMap(\.notes).joined(separator: "\n")
        #expect(notes.contains("\u{1B}"), "the hostile text is in the model: \(notes)")
        let boot = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "contoso.com"), builds: [trace])
        let outputs: [(String, String)] = [
            ("trace text", CaptureRendering.text(report)),
            ("trace text in colour", CaptureRendering.text(report, style: TextStyle(color: true))),
            ("trace JSON", CaptureRendering.json(report)), ("trace HTML", CaptureRendering.html(report)),
            ("boot text", BootRendering.text(boot)), ("boot Markdown", BootRendering.markdown(boot)),
            ("boot HTML", BootRendering.html(boot)),
            ("boot JSON", BootRendering.json(boot)),
        ]
        for (name, output) in outputs {
            let found = name.hasSuffix("in colour") ? Self.controls(output).filter { $0 != 0x1B } : Self.controls(output)
            #expect(found.isEmpty, "\(name): raw control characters \(found)")
            #expect(!output.contains("\r\n"), "\(name)")
        }
        // A note is one line: the CR LF inside option 15 did not start a new one.
        let text = CaptureRendering.text(report)
        #expect(text.split(separator: "\n").contains { $0.contains("evil\\u{1b}]0;t\\u{7}\\u{d}fake") }, "\(text)")
        for json in [CaptureRendering.json(report), BootRendering.json(boot)] {
            #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil)
        }
    }

    /// A self-signed root whose CN holds ESC, BEL, CR, LF and a C1 control, made once per test process.
    static func hostileRoot() throws -> Certificate {
        let pki = try TestPKI.get()
        try pki.ensure("hostile-cn") {
            try pki.selfSigned("hostile-cn", subject: "/CN=Evil\u{1B}[2J\u{07}Root\r\nx\u{9B}31m", key: "rsa2048.key", digest: "sha256")
        }
        return try pki.certificate("hostile-cn.pem")
    }

    @Test("probe, ds, names and truststore text escape every field: a CN with ESC, CR and LF reaches none raw")
    func otherTextRenderers() throws {
        let root = try Self.hostileRoot()
        #expect(root.subject.displayName.contains("\u{1B}"), "the hostile CN is in the certificate: \(root.subject.displayName)")
        let probe = ProbeResult(
            report: ProbeReport(
                target: ProbeTarget(host: "10.0.0.5", port: 443, serverName: "sni\u{1B}]0;t\u{07}"), presented: [root, root],
                chainIssues: [.duplicate(root.subject.displayName), .rootSent(root.subject.displayName)],
                protocols: [.tls12: .accepted(cipher: "AES\r\n")], cipherSuites: ["S\u{1B}[1A"],
                asPhone: .refused("alert\u{1B}[2J\r\nfake"),
                negotiated: nil),
            verdicts: [])
        let der = root.der
        let snapshot = DirectorySnapshot(
            certificationAuthorities: [
                DirectoryEntry(dn: "CN=Evil\u{1B}[2J\r\n,CN=Certification Authorities", attributes: ["cACertificate": [der]])
            ],
            enrollmentServices: [])
        let discovery = PhoneDiscovery.walk(snapshot, fetch: nil)
        let change = DirectoryChange(dn: "CN=a\u{1B}[2J\rb,CN=AIA", action: .objectKept, ldif: "", note: "kept\u{07}\n")
        let report = DirectoryReport(changes: [change], dryRun: false)
        let plan = NamePlan(Deployment(adDomains: ["contoso.com"], sipDomains: ["contoso.com"], pool: "pool\u{1B}[2J\r\n01.contoso.com"))
        let template = try #require(BuiltInTrustStore.entries.first)
        let entry = TrustStoreEntry(
            row: 99, guide: .init(vendor: "V\u{1B}[2J", name: "N\r\n", expiry: "E", keyLength: "2048"), file: "f",
            displayName: root.subject.displayName, recorded: template.recorded, match: .exact, confidence: template.confidence,
            guideErrors: ["wrong\u{1B}[1A\n"], note: "", source: "", alternates: [], certificate: root)
        let outputs: [(String, String)] = [
            ("probe", probe.text()), ("probe in colour", probe.text(style: TextStyle(color: true))),
            ("ds list", DirectoryListing(snapshot).text()), ("ds discover", PhoneDiscovery.text(discovery)),
            ("ds publish", DirectoryRendering.published(report, certificate: root)),
            ("ds remove", DirectoryRendering.removed(report) ?? ""), ("names", plan.text()),
            ("truststore", TrustStoreStatus.text([TrustStoreStatus(entry: entry, at: Date())], at: Date())),
        ]
        for (name, output) in outputs {
            let found = name.hasSuffix("in colour") ? Self.controls(output).filter { $0 != 0x1B } : Self.controls(output)
            #expect(found.isEmpty, "\(name): raw control characters \(found)\n\(output)")
            #expect(output.contains("\\u{1b}[2J"), "\(name): the hostile text is shown escaped\n\(output)")
        }
    }

    @Test("dhcp decode text carries no raw control character from option 43 or 15")
    func dhcpText() throws {
        func sub(_ code: UInt8, _ text: String) -> [UInt8] { [code, UInt8(text.utf8.count)] + Array(text.utf8) }
        let report = DHCPOptionsReport(options: [
            15: Array("a\u{1B}[2J\r\nb".utf8),
            43: sub(1, "MS-UC-Client\u{07}") + sub(2, "https\r") + sub(3, "x\u{1B}]0;t\u{07}") + sub(4, "443") + sub(5, "/p\u{9B}"),
        ])
        let text = DHCPRendering.text(decoding: report, findings: DHCPOptionsReport.checkProvisioning(report.provisioning))
        #expect(Self.controls(text).isEmpty, "\(text)")
    }
}

/// Issue 25, items 2 and 7: floods of DHCP answers and of UDP events are counted, not kept.
@Suite("Hostile networks, round three: floods")
struct FloodTests {
    static func answer(from server: String, xid: UInt32 = 7) -> DHCPAnswer {
        let address = server.split(separator: ".").compactMap { UInt8($0) }
        return DHCPAnswer(
            server: server, vendorClass: "MS-UC-Client",
            message: DHCPMessage(
                op: 2, transactionID: xid, hardwareAddress: HostileNetworksRoundThreeTests.phoneMAC,
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
        typealias Capture = HostileNetworksRoundThreeTests
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
            if case .captureGap(.eventLimit, _, let count, _, _, let kind) = finding.detail { return (count ?? 0, kind ?? "") }
            return nil
        }
        #expect(limits.contains { $0 == (301, "DHCP") } && limits.contains { $0 == (100, "DNS") }, "\(limits)")
        let dhcp = try #require(report.phones.first?.trace.step(.dhcp))
        #expect(dhcp.notes.count <= 1 + DHCPAnswerLimit().total + 3, "\(dhcp.notes.count) notes")
        #expect(dhcp.notes.contains { $0.contains("more answers over the limit") }, "\(dhcp.notes.suffix(3))")
    }
}

/// Issue 25, item 3: the network chooses how many candidates there are; the walk chooses how long it takes.
@Suite("Hostile networks, round three: the walk's deadline", .integration, .tags(.integration))
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

/// Issue 25, item 7: ports outside 1-65535 are refused, not truncated.
@Suite("Hostile networks, round three: ports")
struct PortRangeTests {
    @Test("Option 43 port 0, 99999 and binary 0 are invalid; 443 as text and as two bytes are read")
    func option43Ports() {
        func sub(_ code: UInt8, _ bytes: [UInt8]) -> [UInt8] { [code, UInt8(bytes.count)] + bytes }
        func port(_ bytes: [UInt8]) -> (Int?, UCProvisioning.PortEncoding)? {
            let data =
                sub(1, Array("MS-UC-Client".utf8)) + sub(2, Array("https".utf8)) + sub(3, Array("a.contoso.com".utf8)) + sub(4, bytes)
                + sub(5, Array("/p".utf8))
            return DHCPOptionsReport(options: [43: data]).provisioning.map { ($0.port, $0.portEncoding) }
        }
        #expect(port(Array("443".utf8))! == (443, .text))
        #expect(port([0x01, 0xBB])! == (443, .binary))
        for bad in [Array("99999".utf8), Array("0".utf8), [0, 0]] {
            let read = port(bad)
            #expect(read?.0 == nil && read?.1 == .invalid, "\(bad)")
        }
    }
}
