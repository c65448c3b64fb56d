import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// The REGISTER as built and answers as read, in-process: no socket.
@Suite("SIP REGISTER: the request and the answers")
struct SIPRegisterMessageTests {
    /// [MS-SIPAE] §4.1 step 2, the NTLM/Kerberos challenge, with CRLF line ends.
    static let sipaeChallenge = [
        "SIP/2.0 401 Unauthorized", "Date: Thu, 31 Jan 2008 00:01:56 GMT",
        #"WWW-Authenticate: NTLM realm="SIP Communications Service", targetname="server.contoso.com", version=3"#,
        #"WWW-Authenticate: Kerberos realm="SIP Communications Service", targetname="sip/server.contoso.com", version=3"#,
        "From: <sip:alice@contoso.com>;tag=4a2b44d131;epid=8248ca9ebb", "To: <sip:alice@contoso.com>;tag=0858513FA91D3AAE1A5840DDB99599DF",
        "Call-ID: d5f2b95d5be64c2cbfb38aa5d3a87ae7", "CSeq: 169 REGISTER", "Via: SIP/2.0/TLS 192.0.2.1:4320;ms-received-port=4320",
        "Content-Length: 0", "", "",
    ].joined(separator: "\r\n")

    @Test("The first REGISTER has MS-SIPAE's shape and carries no credential")
    func request() {
        var counter = 0
        let request = SIPRegisterRequest.first(sipDomain: "fabrikam.com", user: "alice", build: "4.0.7577.4387") { count in
            counter += 1
            return String(repeating: "\(counter % 10)", count: count)
        }
        let text = request.text
        #expect(text.hasPrefix("REGISTER sip:fabrikam.com SIP/2.0\r\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        #expect(request.headers.contains("CSeq: 1 REGISTER"))
        #expect(request.headers.contains("To: <sip:alice@fabrikam.com>"))
        #expect(request.headers.contains { $0.hasPrefix("Via: SIP/2.0/TLS ") && $0.contains(";branch=z9hG4bK") && $0.hasSuffix(";rport") })
        #expect(request.headers.contains { $0.hasPrefix("From: <sip:alice@fabrikam.com>;tag=") && $0.contains(";epid=") })
        #expect(request.headers.contains { $0.hasPrefix("Contact: ") && $0.contains("proxy=replace") && $0.contains("+sip.instance") })
        #expect(request.headers.contains("User-Agent: CPE/4.0.7577.4387 (cxcert)"))
        let lower = text.lowercased()
        #expect(!lower.contains("authorization") && !lower.contains("password") && !lower.contains("pin"))
        #expect(SIPRegisterRequest.first(sipDomain: "fabrikam.com").addressOfRecord == "sip:cxcert-probe@fabrikam.com")
    }

    @Test("MS-SIPAE §4.1's challenge reads into its packages, realm, target name and version")
    func sipaeExample() throws {
        let bytes = Array(Self.sipaeChallenge.utf8)
        #expect(SIPResponse.isComplete(bytes))
        #expect(!SIPResponse.isComplete(Array(bytes.prefix(60))))
        let response = try SIPResponse.parse(bytes)
        #expect(response.statusCode == 401 && response.reason == "Unauthorized")
        let challenges = response.challenges
        #expect(challenges.map(\.scheme) == ["NTLM", "Kerberos"])
        #expect(challenges.allSatisfy { $0.realm == "SIP Communications Service" && $0.version == 3 && $0.isLyncPackage })
        #expect(challenges[1].targetName == "sip/server.contoso.com" && challenges[1].targetHost == "server.contoso.com")
    }

    @Test("TLS-DSK's sts-uri, quoted escapes, folding, compact headers and Contact lists")
    func details() throws {
        let dsk = try #require(
            SIPChallenge.parse(
                #"TLS-DSK realm="SIP Communications Service", targetname="fe01.contoso.com", version=4, sts-uri="https://pool01.contoso.com:443/CertProv/CertProvisioningService.svc""#,
                header: "WWW-Authenticate"))
        #expect(dsk.certificateProvisioningURL == "https://pool01.contoso.com:443/CertProv/CertProvisioningService.svc")
        #expect(SIPChallenge.parse(#"Digest realm="a\"b", nonce=x"#, header: "Proxy-Authenticate")?.realm == #"a"b"#)
        #expect(SIPChallenge.parse("   ", header: "WWW-Authenticate") == nil)
        let text = [
            "SIP/2.0 301 Moved", "m: <sip:pool02.contoso.com:5061;transport=tls>;q=0.5, \"A, B\" <sip:[2001:db8::1]:5062>", "X-Long: a",
            "  b", "l: 3", "", "abc",
        ].joined(separator: "\r\n")
        let response = try SIPResponse.parse(Array(text.utf8))
        #expect(response.contacts == ["sip:pool02.contoso.com:5061;transport=tls", "sip:[2001:db8::1]:5062"])
        #expect(response.values("x-long") == ["a b"] && response.bodyLength == 3)
        #expect(SIPResponse.isComplete(Array(text.utf8)) && !SIPResponse.isComplete(Array(text.utf8.dropLast())))
        let uri = try #require(SIPURI("sip:pool02.contoso.com:5061;transport=TLS"))
        #expect(uri.host == "pool02.contoso.com" && uri.port == 5061 && uri.transport == "tls")
        #expect(SIPURI("sip:[2001:db8::1]:5062")?.host == "2001:db8::1")
        #expect(SIPURI("sip:user@pool.contoso.com")?.port == nil)
        #expect(SIPURI("http://pool") == nil && SIPURI("sip:pool:99999") == nil && SIPURI("sip:pool:x") == nil)
    }

    @Test("What is not a SIP answer says so, and is never read past its start")
    func malformed() {
        #expect(SIPResponse.isComplete(Array("HTTP".utf8)))
        #expect(throws: SIPParseError.self) { try SIPResponse.parse(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)) }
        #expect(throws: SIPParseError.self) { try SIPResponse.parse(Array("SIP/2.0 4x1 No\r\n\r\n".utf8)) }
        #expect(throws: SIPParseError.badHeader("no colon here")) {
            try SIPResponse.parse(Array("SIP/2.0 401 No\r\nno colon here\r\n\r\n".utf8))
        }
        #expect(throws: SIPParseError.self) { try SIPResponse.parse(Array("SIP/2.0 401 No\r\nContent-Length: -1\r\n\r\n".utf8)) }
        #expect(throws: SIPParseError.incomplete) { try SIPResponse.parse(Array("SIP/2.0 401 No\r\nA: b\r\n".utf8)) }
        // Keep-alive CRLFs before the answer are skipped (RFC 5626).
        #expect((try? SIPResponse.parse(Array("\r\n\r\nSIP/2.0 100 Trying\r\n\r\n".utf8)))?.statusCode == 100)
    }

    @Test("Each sip finding has its words, its remedy, its data and a symptom row")
    func wording() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        for code: FindingCode in [
            .sipRegisterNoAnswer, .sipRegisterFailed, .sipNoLyncPackage, .sipRedirectFailed, .sipTargetNameMismatch, .sipProvisioningURL,
        ] {
            let finding = Finding(
                code: code, severity: .error,
                detail: .walk(
                    .sipRegister(
                        host: "sip.fabrikam.com", address: "192.0.2.10", port: 5061, status: 401, packages: ["Digest"], failure: "why",
                        targetName: "sip/fe01.contoso.com", certificateNames: ["pool01.contoso.com"],
                        provisioningURL: "https://pool01.contoso.com/CertProv/CertProvisioningService.svc")),
                client: FindingClient(profile), vocabulary: .command(.boot))
            #expect(!finding.message.isEmpty, "\(code)")
            #expect(!finding.remedy.hasPrefix("Reissue the certificate so that"), "\(code): \(finding.remedy)")
            #expect(Symptom.builtIn[code]?.source.isEmpty == false, "\(code)")
        }
        let mismatch = Finding(
            code: .sipTargetNameMismatch, severity: .warning,
            detail: .walk(
                .sipRegister(
                    host: "sip.fabrikam.com", address: nil, port: 5061, status: 401, packages: ["NTLM"], failure: nil,
                    targetName: "sip/fe01.contoso.com", certificateNames: [], provisioningURL: nil)),
            client: FindingClient(profile), vocabulary: .command(.boot))
        #expect(mismatch.remedy.contains("fe01.contoso.com in its subjectAltName"))
    }

    @Test("Walked in-process without a registrar, the step says why nothing was sent; off by default")
    func walkWithoutRegistrar() throws {
        let inputs = try BootInputs(sipDomain: "fabrikam.com", dnsServers: [DNSServer(address: "127.0.0.1", port: 9)])
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")], timeout: 0.2)
        configuration.deadline = 5
        #expect(BootWalker(configuration).run().builds.first?.step(.sipRegister) == nil)
        configuration.registersWithSIP = true
        let step = try #require(BootWalker(configuration).run().builds.first?.step(.sipRegister))
        #expect(step.status == .skipped && step.notes.contains { $0.contains("no registrar") })
    }

    @Test("A hostile answer is escaped in text, Markdown and HTML, and kept as data in JSON")
    func rendering() throws {
        let hostile = "SIP/2.0 401 <script>x</script>\u{1b}[31m"
        let request = SIPRegisterRequest.first(sipDomain: "fabrikam.com")
        let exchange = BootSIPExchange(
            host: "sip.fabrikam.com", address: "192.0.2.10", port: 5061, request: request.text, status: 401, reason: "Unauthorized",
            challenges: [SIPChallenge.parse(#"NTLM realm="<b>", targetname="x", version=4"#, header: "WWW-Authenticate")!],
            contacts: [], outcome: "answered", answerBytes: hostile.utf8.count, excerpt: hostile)
        var step = BootStep(
            kind: .sipRegister, status: .ok, queries: [], endpoints: [], timeSamples: [], roots: [], notes: ["answer: \(hostile)"],
            findings: [], phase: .signIn)
        step.sipExchanges = [exchange]
        let trace = BootTrace(
            profile: try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387"), phoneClock: nil, clockSource: nil,
            steps: [step])
        let report = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [trace])
        #expect(!BootRendering.text(report).contains("\u{1b}") && BootRendering.text(report).contains("sip-register"))
        #expect(!BootRendering.markdown(report).contains("<script>"))
        #expect(!BootRendering.html(report).contains("<script>x"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(BootRendering.json(report).utf8)) as? [String: Any])
        let builds = try #require(json["builds"] as? [[String: Any]])
        let steps = try #require(builds.first?["steps"] as? [[String: Any]])
        let sip = try #require(steps.first?["sipRegister"] as? [[String: Any]])
        #expect(sip.first?["status"] as? Int == 401 && sip.first?["answer"] as? String == hostile)
        let challenge = try #require((sip.first?["challenges"] as? [[String: Any]])?.first)
        #expect(challenge["realm"] as? String == "<b>" && challenge["version"] as? Int == 4)
    }

    @Test("boot --help offers --sip-register and says no credential or PIN is sent")
    func help() throws {
        let result = try CLI.run(["boot", "--help"])
        let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("--sip-register"))
        #expect(text.contains("REGISTER") && text.contains("no credential or PIN is ever sent"))
    }
}

/// The REGISTER against real Kamailio with TLS (and `sip_stub.py` for what Kamailio will not do), in the lab.
@Suite("SIP REGISTER: against Kamailio", .serialized, .integration, .tags(.integration))
struct SIPRegisterKamailioTests {
    static let sts = "https://pool01.contoso.com:443/CertProv/CertProvisioningService.svc"

    /// An Aries build walked to the registrar sip.fabrikam.com (ADDRESS.10:5061, by SRV) with --sip-register.
    func walk(
        _ lab: BootLab, registrar: SIPListenerAnswer?, more: [(last: Int, port: Int, answer: SIPListenerAnswer)] = [],
        stub: String? = nil, timeout: TimeInterval = 3
    ) throws -> (trace: BootTrace, step: BootStep) {
        let pki = try BootFixtures.directory()
        let dns = try lab.dns([
            "host-record=pool01.contoso.com,\(lab.address(10))", "host-record=sip.fabrikam.com,\(lab.address(10))",
            "host-record=pool02.fabrikam.com,\(lab.address(20))", "srv-host=_sipinternaltls._tcp.fabrikam.com,sip.fabrikam.com,5061,0,0",
        ])
        var listeners = more
        if let registrar { listeners.insert((10, 5061, registrar), at: 0) }
        if !listeners.isEmpty { try lab.kamailio(listeners, certificate: "boot-pool.pem", key: "leaf.key", in: pki) }
        if let stub { try lab.sipStub(stub, at: 10, port: 5061, certificate: "boot-pool.pem", key: "leaf.key", in: pki) }
        try lab.tls(at: 10, port: 443, certificate: "boot-pool.pem", key: "leaf.key", in: pki)
        let inputs = try BootInputs(sipDomain: "fabrikam.com", dhcpDomain: "contoso.com", upn: "alice@fabrikam.com", dnsServers: [dns])
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")],
            trusted: [try BootFixtures.root()], timeout: timeout)
        configuration.registersWithSIP = true
        let trace = try #require(BootWalker(configuration).run().builds.first)
        return (trace, try #require(trace.step(.sipRegister)))
    }

    @Test("A Lync challenge: three packages read, no Authorization sent, the TLS-DSK URL's server trusted")
    func lyncChallenge() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let (trace, step) = try walk(lab, registrar: .lync(targetName: "pool01.contoso.com", stsURI: Self.sts))
        #expect(step.status == .ok, "\(step.findings.map(\.message)) \(step.notes)")
        let exchange = try #require(step.sipExchanges.first)
        #expect(exchange.status == 401 && exchange.outcome == "answered")
        #expect(exchange.challenges.map(\.scheme) == ["NTLM", "Kerberos", "TLS-DSK"])
        #expect(exchange.challenges[2].certificateProvisioningURL == Self.sts)
        #expect(exchange.challenges.allSatisfy { $0.realm == "SIP Communications Service" && $0.version == 4 })
        #expect(step.endpoints.contains { $0.purpose.hasPrefix("TLS-DSK") && $0.verdict?.isTrusted == true })
        #expect(step.notes.contains { $0.hasPrefix("request: REGISTER sip:fabrikam.com SIP/2.0") })
        // Kamailio saw the phone's REGISTER with no Authorization header.
        let log = lab.kamailioLog()
        #expect(log.contains("REGISTER-RECEIVED on \(lab.address(10)):5061 auth=[<null>] ua=[CPE/4.0.7577.4387 (cxcert)]"), "\(log)")
        // JSON carries the request and the challenges as data.
        let json = BootRendering.json(BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [trace]))
        #expect(json.contains("\"sipRegister\"") && json.contains("\"certificateProvisioningURL\""))
    }

    @Test("A target name the certificate lacks, and a TLS-DSK challenge without sts-uri")
    func targetNameAndURL() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let (_, step) = try walk(lab, registrar: .lync(targetName: "fe01.contoso.com", stsURI: nil))
        #expect(step.findings.map(\.code).sorted { $0.rawValue < $1.rawValue } == [.sipProvisioningURL, .sipTargetNameMismatch])
        #expect(step.findings.first { $0.code == .sipTargetNameMismatch }?.severity == .warning)
    }

    @Test("A 301 to another pool is followed, that pool's certificate judged and its challenge read")
    func redirect() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let (_, step) = try walk(
            lab, registrar: .redirect(to: "pool02.fabrikam.com:5061"),
            more: [(20, 5061, .lync(targetName: "pool01.contoso.com", stsURI: Self.sts))])
        #expect(step.sipExchanges.map(\.status) == [301, 401])
        #expect(step.sipExchanges.last?.address == lab.address(20))
        // The redirected pool's certificate lacks pool02.fabrikam.com: judged for the name the phone was sent to.
        #expect(step.endpoints.contains { $0.host == "pool02.fabrikam.com" && $0.verdict != nil })
        #expect(step.findings.contains { $0.code == .nameNotCovered })
    }

    @Test("A redirect loop, a Digest-only server and a silent one end in findings")
    func failures() throws {
        for (answer, code) in [
            (SIPListenerAnswer.redirect(to: "sip.fabrikam.com:5061"), FindingCode.sipRedirectFailed), (.digest, .sipNoLyncPackage),
            (.silent, .sipRegisterNoAnswer),
        ] {
            let lab = try BootLab()
            defer { lab.stop() }
            let started = Date()
            let (_, step) = try walk(lab, registrar: answer, timeout: 2)
            #expect(step.findings.map(\.code) == [code], "\(answer): \(step.findings.map(\.message))")
            #expect(step.status == .failed)
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }

    @Test(
        "Hostile registrars (huge, slow, HTTP, a broken header, a close, HTTP then a close) end in findings within the deadline",
        arguments: [
            ("huge", FindingCode.sipRegisterFailed), ("slow", .sipRegisterNoAnswer), ("http", .sipRegisterFailed),
            ("badheader", .sipRegisterFailed), ("close", .sipRegisterNoAnswer), ("httpclose", .sipRegisterFailed),
        ])
    func hostile(mode: String, code: FindingCode) throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let (_, step) = try walk(lab, registrar: nil, stub: mode, timeout: 2)
        #expect(step.findings.map(\.code) == [code], "\(mode): \(step.findings.map(\.message))")
        #expect(step.sipExchanges.first.map { $0.excerpt.count <= SIPRegistration.excerptLength + 1 } == true)
    }
}
