import Foundation
import Testing

@testable import CXCertCapture
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// The phone's conversations read from captures built in the test (``TestCapture``): the root-chain download, the
/// Device Update check and the first REGISTER over TCP in clear, decoded and judged by boot's rules; TLS-wrapped ones
/// told as what they are; hostile streams ending in findings or notes.
@Suite("trace: the phone's conversations in captures")
struct CapturedConversationTests {
    static let phone: [UInt8] = [10, 0, 0, 2]
    static let server: [UInt8] = [10, 0, 0, 1]

    /// A DHCPINFORM with vendor class MS-UC-Client (the phone is found by it), then one TCP connection per entry: the
    /// client's bytes to `port` and the server's answer, each in one segment.
    static func capture(_ connections: [(port: Int, up: [UInt8], down: [UInt8])], at seconds: UInt32 = 1_764_000_000) -> [UInt8] {
        let inform = DHCPMessage.inform(
            transactionID: 0x1234_5678, hardwareAddress: TestCapture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client",
            requested: [1, 3, 6, 15, 42, 43, 119, 120]
        ).encoded()
        var frames = [TestCapture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform)]
        for (index, connection) in connections.enumerated() {
            let client = 40000 + index
            frames += [
                TestCapture.frame(from: phone, client, to: server, connection.port, tcp: (999, 0x02), payload: []),
                TestCapture.frame(from: server, connection.port, to: phone, client, tcp: (4999, 0x12), payload: []),
                TestCapture.frame(from: phone, client, to: server, connection.port, tcp: (1000, 0x18), payload: connection.up),
            ]
            if !connection.down.isEmpty {
                frames.append(
                    TestCapture.frame(from: server, connection.port, to: phone, client, tcp: (5000, 0x18), payload: connection.down))
            }
        }
        return TestCapture.pcap(frames, at: seconds)
    }

    static func read(_ capture: [UInt8], firmware: String? = nil) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("conversations")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("phone.pcap")
        try Data(capture).write(to: file)
        return try CaptureReader(options: .init(device: "cx700", firmware: firmware)).read(paths: [file.path])
    }

    static func trace(
        _ connections: [(port: Int, up: [UInt8], down: [UInt8])], firmware: String? = nil, at seconds: UInt32 = 1_764_000_000
    ) throws -> BootTrace {
        try #require(try read(capture(connections, at: seconds), firmware: firmware).phones.first).trace
    }

    static func http(_ head: String, body: String = "") -> [UInt8] {
        Array((head.replacingOccurrences(of: "\n", with: "\r\n") + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
    }

    static func capturedGaps(_ report: CaptureReport) -> [String] {
        report.findings.compactMap { finding -> String? in
            if case .captureGap(_, _, _, _, _, let reason) = finding.detail.captureFacts { return reason }
            return nil
        }
    }

    // MARK: certprov

    static let certProvRequest = http(
        "POST /CertProv/CertProvisioningService.svc HTTP/1.1\nHost: pool01.contoso.com\nContent-Type: text/xml; charset=utf-8",
        body: CertificateProvisioning.Request.rootChains(host: "pool01.contoso.com").body)

    @Test("A captured root-chain download is the certprov step: request, answer, and the roots received as boot keeps them")
    func certProvChains() throws {
        let answer = try CertProvRequestTests.captured()
        let trace = try Self.trace([
            (80, Self.certProvRequest, Self.http("HTTP/1.1 200 OK\nContent-Type: text/xml", body: String(decoding: answer, as: UTF8.self)))
        ])
        let step = try #require(trace.step(.certprov))
        #expect(step.status == .ok && step.findings.isEmpty, "\(step.findings.map(\.message))")
        #expect(step.notes.contains { $0.contains("request: POST /CertProv/CertProvisioningService.svc HTTP/1.1") })
        #expect(step.notes.contains { $0.hasPrefix("answer: HTTP/1.1 200 OK") })
        #expect(step.endpoints.first?.outcome == "1 certificate in the root chains")
        let exchange = try #require(step.exchange)
        #expect(exchange.method == "POST" && exchange.status == 200 && exchange.bodyBytes == answer.count)
        #expect(exchange.url == "http://pool01.contoso.com/CertProv/CertProvisioningService.svc")
        // The roots step holds it with the Certificate Provisioning source; the generic http step does not list it twice.
        let roots = try #require(trace.step(.roots))
        #expect(roots.roots.map(\.certificate.subject.displayName) == ["ContosoCA"])
        #expect(roots.roots.first?.source.contains("Certificate Provisioning") == true)
        #expect(trace.step(.http) == nil)
    }

    @Test(
        "A fault, an error page, an answer without chains: boot's certprov findings",
        arguments: [
            (
                "HTTP/1.1 500 Internal Server Error",
                #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>no action</faultstring></s:Fault></s:Body></s:Envelope>"#,
                FindingCode.certprovFailed
            ),
            ("HTTP/1.1 503 Service Unavailable", "<html>busy</html>", .certprovFailed),
            (
                "HTTP/1.1 200 OK",
                #"<GetRootCertChainsResponse ResponseClass="Success" xmlns="http://schemas.microsoft.com/OCS/AuthWebServices/"><RootCertChains/></GetRootCertChainsResponse>"#,
                .certprovNoChains
            ),
        ])
    func certProvFailures(status: String, body: String, code: FindingCode) throws {
        let step = try #require(try Self.trace([(80, Self.certProvRequest, Self.http(status, body: body))]).step(.certprov))
        #expect(step.findings.map(\.code) == [code], "\(step.findings.map(\.message))")
        #expect(step.status == .failed)
    }

    @Test("A 100 Continue before the answer is not the answer")
    func certProvContinue() throws {
        let answer = String(decoding: try CertProvRequestTests.captured(), as: UTF8.self)
        let step = try #require(
            try Self.trace([
                (80, Self.certProvRequest, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + Self.http("HTTP/1.1 200 OK", body: answer))
            ]).step(.certprov))
        #expect(step.findings.isEmpty && step.exchange?.status == 200, "\(step.findings.map(\.message))")
    }

    @Test("No answer, or one cut by the capture: a note, never a guessed verdict")
    func certProvUnanswered() throws {
        let none = try #require(try Self.trace([(80, Self.certProvRequest, [])]).step(.certprov))
        #expect(none.findings.isEmpty && none.notes.contains { $0.hasPrefix("no answer to http://pool01.contoso.com/") })
        let cut = Array(Self.http("HTTP/1.1 200 OK", body: String(repeating: "x", count: 100)).dropLast(50))
        let report = try Self.read(Self.capture([(80, Self.certProvRequest, cut)]))
        let step = try #require(report.phones.first?.trace.step(.certprov))
        #expect(step.findings.isEmpty && step.notes.contains("the answer is cut in the capture: not decoded"))
        #expect(Self.capturedGaps(report).contains { $0.contains("50 of 100 bytes captured") })
    }

    /// A TLS 1.0 record holding one Certificate handshake message with these certificates, as a server sends it.
    static func certificateRecord(_ chain: [Certificate]) -> [UInt8] {
        func be24(_ value: Int) -> [UInt8] { [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let list = chain.flatMap { be24($0.der.count) + $0.der }
        let handshake: [UInt8] = [0x0B] + be24(list.count + 3) + be24(list.count) + list
        return [0x16, 0x03, 0x01, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    /// A TLS 1.0 ClientHello without SNI, as Phone Edition sends it.
    static let clientHello: [UInt8] = {
        let hello: [UInt8] =
            [0x01, 0x00, 0x00, 0x29, 0x03, 0x01] + [UInt8](repeating: 0, count: 32) + [0x00, 0x00, 0x02, 0x00, 0x2F, 0x01, 0x00]
        return [0x16, 0x03, 0x01, 0x00, UInt8(hello.count)] + hello
    }()

    @Test("certprov-root-missing: a chain the phone then receives ends in a root neither the download nor the phone holds")
    func certProvRootMissing() throws {
        let pool = try CertificateDecoder().decode(
            Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem")))
        ).certificates
        let pki = try TestPKI.get()
        let other = [try pki.certificate("leaf.pem"), try pki.certificate("inter.pem")]
        let answer = String(decoding: try CertProvRequestTests.captured(), as: UTF8.self)
        let trace = try Self.trace(
            [
                (80, Self.certProvRequest, Self.http("HTTP/1.1 200 OK\nContent-Type: text/xml", body: answer)),
                // The web services' chain ends in ContosoCA, which the download gave: fine.
                (443, Self.clientHello, Self.certificateRecord(pool)),
                // The registrar's ends in Contoso Issuing CA, issued by a root nobody gave the phone.
                (5061, Self.clientHello, Self.certificateRecord(other)),
            ], at: 1_800_000_000)  // 2027: within the Contoso example's validity
        let step = try #require(trace.step(.certprov))
        #expect(step.findings.map(\.code) == [.certprovRootMissing], "\(step.findings.map(\.message))")
        let detail = try #require(step.findings.first?.detail)
        guard case .certprov(_, _, _, _, let host, let needed) = detail.walkFacts else {
            Issue.record("\(detail)")
            return
        }
        #expect(host == "10.0.0.1" && needed?.contains("Contoso Root CA") == true, "\(String(describing: needed))")
        // The downloaded root is fed to the judge before the handshakes: the web services' chain verifies with it.
        let tls = try #require(trace.step(.tls))
        let web = try #require(tls.endpoints.first { $0.port == 443 })
        #expect(web.verdict?.isTrusted == true, "\(web.verdict?.findings.map(\.message) ?? [])")
    }

    // MARK: device-update-request

    static func updateRequest(_ version: String) -> [UInt8] {
        http(
            "POST /RequestHandler/ucdevice.upx HTTP/1.1\nHost: ucupdates-r2.contoso.com\nContent-Type: text/xml; charset=utf-8",
            body:
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Request><DeviceType>UCPhone</DeviceType><Model>CX700</Model><Modules><Module><FileName>CPE.nbt</FileName><Version>\(version)</Version></Module></Modules></Request>"
        )
    }

    static func offer(_ base: String) -> String {
        "<Response><NumOfFiles>1</NumOfFiles><File><FileName>CPE.nbt</FileName><SignatureFileName>CPE.cat</SignatureFileName><BaseURL>\(base)</BaseURL></File></Response>"
    }

    @Test("The Device Update check and its offer are judged as boot judges them; the fetches of offered files are read")
    func deviceUpdateOffer() throws {
        let base = "http://pool01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.104/CPE"
        let trace = try Self.trace([
            (80, Self.updateRequest("1.0.199.123"), Self.http("HTTP/1.1 200 OK", body: Self.offer(base))),
            (
                80,
                Array(
                    "GET /DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.104/CPE/CPE.nbt HTTP/1.1\r\nHost: pool01.contoso.com\r\n\r\n"
                        .utf8),
                Self.http("HTTP/1.1 404 Not Found")
            ),
        ])
        // The build comes from the request, as before.
        #expect(trace.profile.firmware?.description == "1.0.199.123")
        let step = try #require(trace.step(.deviceUpdateRequest))
        #expect(step.notes.contains { $0.contains("offers CPE.nbt version 1.0.522.104") })
        #expect(step.notes.contains { $0.hasSuffix("CPE/CPE.cat: not fetched in the capture") })
        #expect(step.endpoints.map(\.outcome) == ["GET \(base)/CPE.nbt: HTTP 404"])
        #expect(
            step.findings.map(\.code) == [.deviceUpdateNeedsIntermediate, .deviceUpdateFileUnreachable], "\(step.findings.map(\.message))")
        // The file fetch stays in the http step; the check is not listed there.
        let http = try #require(trace.step(.http))
        #expect(http.notes.contains { $0.contains("CPE.nbt HTTP/1.1") } && !http.notes.contains { $0.contains("ucdevice.upx") })
    }

    @Test("An offered file off port 80, a server error, an answer that is not an offer")
    func deviceUpdateFailures() throws {
        let https = try #require(
            try Self.trace([
                (
                    80, Self.updateRequest("4.0.7577.4420"),
                    Self.http("HTTP/1.1 200 OK", body: Self.offer("https://pool01.contoso.com/x/4.0.7577.4420/CPE"))
                )
            ]).step(.deviceUpdateRequest))
        #expect(Set(https.findings.map(\.code)) == [.deviceUpdateFileNotPort80])
        let error = try #require(
            try Self.trace([(80, Self.updateRequest("4.0.7577.4420"), Self.http("HTTP/1.1 500 Oops"))]).step(.deviceUpdateRequest))
        #expect(error.findings.map(\.code) == [.deviceUpdateCheckFailed])
        let html = try #require(
            try Self.trace([(80, Self.updateRequest("4.0.7577.4420"), Self.http("HTTP/1.1 200 OK", body: "<html"))]).step(
                .deviceUpdateRequest))
        #expect(html.findings.map(\.code) == [.deviceUpdateCheckFailed])
    }

    // MARK: sip-register

    static func register(cseq: Int = 1) -> String {
        [
            "REGISTER sip:contoso.com SIP/2.0", "Via: SIP/2.0/TCP 10.0.0.2:40000;branch=z9hG4bK\(cseq)",
            "From: <sip:alice@contoso.com>;tag=1", "To: <sip:alice@contoso.com>", "Call-ID: c1", "CSeq: \(cseq) REGISTER",
            "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")
    }

    static func answer(_ status: String, _ headers: [String] = [], cseq: Int = 1) -> String {
        ([status, "CSeq: \(cseq) REGISTER"] + headers + ["Content-Length: 0", "", ""]).joined(separator: "\r\n")
    }

    static func sipStep(_ up: String, _ down: String) throws -> BootStep {
        try #require(try trace([(5060, Array(up.utf8), Array(down.utf8))]).step(.sipRegister))
    }

    @Test(
        "A REGISTER over TCP in clear and its answer, judged by boot's sip-register rules",
        arguments: [
            (SIPRegisterMessageTests.sipaeChallenge.replacingOccurrences(of: "CSeq: 169", with: "CSeq: 1"), [FindingCode]()),
            (answer("SIP/2.0 401 Unauthorized", [#"WWW-Authenticate: Digest realm="contoso.com", nonce="1""#]), [.sipNoLyncPackage]),
            (
                answer(
                    "SIP/2.0 401 Unauthorized",
                    [#"WWW-Authenticate: TLS-DSK realm="SIP Communications Service", sts-uri="http://pool01/x""#]),
                [.sipProvisioningURL]
            ),
            (answer("SIP/2.0 200 OK"), [.sipNoLyncPackage]),
            (answer("SIP/2.0 302 Moved Temporarily"), [.sipRedirectFailed]),
            (answer("SIP/2.0 301 Moved", ["Contact: <sip:10.0.0.1:5060;transport=tcp>"]), [.sipRedirectFailed]),
            (answer("SIP/2.0 403 Forbidden"), [.sipRegisterFailed]),
            (
                answer("SIP/2.0 100 Trying")
                    + answer("SIP/2.0 407 Proxy Authentication Required", [#"Proxy-Authenticate: NTLM realm="x""#]), []
            ),
        ])
    func sipAnswers(down: String, codes: [FindingCode]) throws {
        let step = try Self.sipStep(Self.register(), down)
        #expect(step.findings.map(\.code) == codes, "\(step.findings.map(\.message))")
        #expect(step.notes.contains { $0.contains("request to 10.0.0.1:5060 over TCP: REGISTER sip:contoso.com SIP/2.0") })
        let exchange = try #require(step.sipExchanges.first)
        #expect(exchange.request.hasPrefix("REGISTER sip:contoso.com SIP/2.0") && exchange.status.map { $0 >= 200 } == true)
    }

    @Test("Pipelined REGISTERs after keep-alive CRLFs each get their own answer, by CSeq")
    func sipPipelined() throws {
        let step = try Self.sipStep(
            "\r\n\r\n" + Self.register(cseq: 1) + Self.register(cseq: 2),
            "\r\n" + Self.answer("SIP/2.0 401 Unauthorized", [#"WWW-Authenticate: NTLM realm="x""#], cseq: 1)
                + Self.answer("SIP/2.0 403 Forbidden", cseq: 2))
        #expect(step.sipExchanges.map(\.status) == [401, 403])
        #expect(step.findings.map(\.code) == [.sipRegisterFailed])
    }

    @Test("A phone that re-registers all capture long: the first REGISTERs are read, the rest counted")
    func sipMany() throws {
        let count = CaptureReader.maxREGISTERs + 6
        let step = try Self.sipStep(
            (1...count).map { Self.register(cseq: $0) }.joined(),
            (1...count).map { Self.answer("SIP/2.0 401 Unauthorized", [#"WWW-Authenticate: NTLM realm="x""#], cseq: $0) }.joined())
        #expect(step.sipExchanges.count == CaptureReader.maxREGISTERs)
        #expect(step.notes.contains("6 more REGISTERs to 10.0.0.1:5060 are not read (64 per phone)"), "\(step.notes.prefix(3))")
    }

    @Test(
        "Hostile SIP streams end in a finding or a note, never a trap",
        arguments: [
            // A body that claims a terabyte: the headers are judged, the stream stops at the limit.
            (
                answer("SIP/2.0 401 Unauthorized", [#"WWW-Authenticate: NTLM realm="x""#]).replacingOccurrences(
                    of: "Content-Length: 0", with: "Content-Length: 1000000000000"), "SIP body of 1000000000000 bytes is over 65536"
            ),
            // A header line without a colon: SIP's parser refuses it.
            (answer("SIP/2.0 401 Unauthorized", ["this is not a header"]), "sip-register-failed"),
            // Headers that never end (within one captured segment).
            ("SIP/2.0 401 Unauthorized\r\n" + String(repeating: "X-A: b\r\n", count: 5_000), "a SIP message is cut"),
            // A cut answer: the REGISTER is left without one.
            ("SIP/2.0 401 Unauth", "no final answer to this REGISTER in the capture"),
            // Not SIP at all in the answer.
            ("HTTP/1.1 200 OK\r\n\r\n", "not SIP at offset 0"),
        ])
    func sipHostile(down: String, expected: String) throws {
        let report = try Self.read(Self.capture([(5060, Array(Self.register().utf8), Array(down.utf8))]))
        let step = try #require(report.phones.first?.trace.step(.sipRegister))
        let said = Self.capturedGaps(report) + step.findings.map(\.code.rawValue) + step.notes
        #expect(said.contains { $0.contains(expected) }, "\(said)")
    }

    @Test("Every prefix of a SIP stream parses without a trap, within the body limit; endless headers stop at 64 KiB")
    func sipPrefixes() {
        let endless = Array(("SIP/2.0 401 Unauthorized\r\n" + String(repeating: "X-A: b\r\n", count: 10_000)).utf8)
        #expect(HTTPMessageView.parse(endless, version: "SIP").problem == "SIP headers over 64 KiB at offset 0")
        let stream = Array((Self.answer("SIP/2.0 100 Trying") + "\r\n" + Self.answer("SIP/2.0 401 Unauthorized", ["l: 5"]) + "hello").utf8)
        for end in 0...stream.count {
            let parsed = HTTPMessageView.parse(Array(stream[..<end]), maxBody: 4, version: "SIP")
            #expect(parsed.messages.allSatisfy { $0.body.count <= 4 })
            #expect(parsed.messages.allSatisfy(\.isComplete) || parsed.problem != nil)
        }
    }

    @Test("TLS on 5061 and 443 is told as a TLS conversation whose content the capture does not show")
    func tlsWrapped() throws {
        let record = Self.clientHello
        let trace = try Self.trace([(5061, record, []), (443, record, [])])
        let sip = try #require(trace.step(.sipRegister))
        #expect(sip.findings.isEmpty && sip.notes.contains { $0.contains("a TLS conversation with 10.0.0.1 (10.0.0.1:5061)") })
        let certprov = try #require(trace.step(.certprov))
        #expect(certprov.notes.contains { $0.contains("a TLS conversation with 10.0.0.1 (10.0.0.1:443)") && $0.contains("not visible") })
        // Nothing in clear to judge: the steps are skipped, never a ✔ for a REGISTER or a download no one saw.
        #expect(sip.status == .skipped && certprov.status == .skipped)
    }

    @Test("The conversations reach text, HTML and JSON, the server's words escaped")
    func rendered() throws {
        let hostile = "SIP/2.0 403 Forbidden <script>\u{1B}[2J"
        let report = try Self.read(Self.capture([(5060, Array(Self.register().utf8), Array(Self.answer(hostile).utf8))]))
        let text = CaptureRendering.text(report)
        #expect(text.contains("sip-register") && text.contains("REGISTER sip:contoso.com SIP/2.0") && !text.contains("\u{1B}"))
        // The step's name whole, not cut to the column (it was `device-update-` before).
        let update = try Self.read(
            Self.capture([(80, Self.updateRequest("4.0.7577.4420"), Self.http("HTTP/1.1 500 Oops"))]))
        #expect(CaptureRendering.text(update).contains("device-update-request ✘ failed"))
        let markdown = CaptureRendering.markdown(report)
        #expect(markdown.contains("### sip-register: failed") && markdown.contains("sip-register-failed") && !markdown.contains("\u{1B}"))
        #expect(!markdown.contains("<script>"), "\(markdown)")
        let html = CaptureRendering.html(report)
        #expect(html.contains("sip-register") && html.contains("&lt;script&gt;") && !html.contains("<script>"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(CaptureRendering.json(report).utf8)) as? [String: Any])
        let phones = try #require(json["phones"] as? [[String: Any]])
        let steps = try #require(phones.first?["steps"] as? [[String: Any]])
        let sip = try #require(steps.first { $0["step"] as? String == "sip-register" })
        let exchanges = try #require(sip["sipRegister"] as? [[String: Any]])
        #expect(exchanges.first?["status"] as? Int == 403)
    }
}

/// The command line over the same captures, and the capture fuzz target over the hostile conversation streams.
@Suite("trace: conversations at the command line and through the fuzz target")
struct CapturedConversationCLITests {
    @Test("trace --markdown prints the conversations; --json and --markdown exclude each other")
    func markdown() throws {
        let folder = try makeTemporaryDirectory("conversations-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("phone.pcap")
        let down = CapturedConversationTests.answer(
            "SIP/2.0 401 Unauthorized", [#"WWW-Authenticate: NTLM realm="SIP Communications Service", targetname="pool01""#])
        try Data(CapturedConversationTests.capture([(5060, Array(CapturedConversationTests.register().utf8), Array(down.utf8))]))
            .write(to: file)
        let result = try CLI.run(["trace", file.path, "--markdown"])
        // Exit 1: the DHCPINFORM in the capture has no answer (dhcp-no-answer); the sip-register step itself is ok.
        #expect(result.status == 1, "\(result.stderr) \(result.stdout)")
        #expect(result.stdout.hasPrefix("# cxcert trace") && result.stdout.contains("### sip-register: ok"), "\(result.stdout)")
        let both = try CLI.run(["trace", file.path, "--markdown", "--json"])
        #expect(both.status == 2 && both.stderr.contains("--json and --markdown exclude each other"), "\(both.status) \(both.stderr)")
    }

    @Test("The capture fuzz target reads the SIP seed and the hostile conversation streams without a crash")
    func fuzzTarget() throws {
        let folder = try makeTemporaryDirectory("conversations-fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let streams = [
            CapturedConversationTests.answer("SIP/2.0 401 Unauthorized", ["this is not a header"]),
            "SIP/2.0 401 Unauthorized\r\nl: 99999999999999999999\r\n\r\n",
            "\r\n\r\n" + CapturedConversationTests.register(cseq: 1) + CapturedConversationTests.register(cseq: 2),
            "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n",
        ]
        var inputs = [repositoryRoot.appendingPathComponent("Fuzz/seeds/capture/sip-register-401.bin").path]
        for (index, stream) in streams.enumerated() {
            let file = folder.appendingPathComponent("stream-\(index).bin")
            try Data(stream.utf8).write(to: file)
            inputs.append(file.path)
        }
        let replay = CLI.binary.deletingLastPathComponent().appendingPathComponent("cxcert-fuzz")
        let result = try CLI.run(["capture"] + inputs, binary: replay)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
