import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// The root-chain request as built and the answers as read, in-process: no socket.
@Suite("Certificate Provisioning: the root-chain request and its answers")
struct CertProvRequestTests {
    static func captured() throws -> [UInt8] {
        Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Examples/contoso/GetRootCertChains.xml")))
    }

    @Test("The request goes to option 43's FQDN and path over plain HTTP on port 80, with no credential")
    func request() throws {
        let request = CertificateProvisioning.Request.rootChains(host: "pool01.contoso.com", path: "/CertProv/CertProvisioningService.svc")
        #expect(request.url == "http://pool01.contoso.com/CertProv/CertProvisioningService.svc")
        #expect(
            CertificateProvisioning.Request.rootChains(host: "web.contoso.com").url == "http://web.contoso.com"
                + CertificateProvisioning.defaultPath)
        #expect(
            CertificateProvisioning.Request.rootChains(host: "web.contoso.com", port: 8080, path: "x").url
                == "http://web.contoso.com:8080/x")
        #expect(
            CertificateProvisioning.Request.rootChains(host: "web.contoso.com", path: "").url.hasSuffix(CertificateProvisioning.defaultPath)
        )
        #expect(request.headers.contains("Content-Type: text/xml; charset=utf-8"))
        #expect(request.headers.contains(#"SOAPAction: "http://schemas.microsoft.com/OCS/AuthWebServices/GetRootCertChains""#))
        // Nothing that authenticates: no Authorization, no cookie, no user in the URL, no token in the body.
        #expect(!request.headers.contains { $0.lowercased().hasPrefix("authorization") || $0.lowercased().hasPrefix("cookie") })
        #expect(!request.url.contains("@"))
        #expect(!request.body.contains("Security") && !request.body.contains("Password"))
        // A well-formed SOAP 1.1 envelope whose body is one empty GetRootCertChains in the AuthWebServices namespace.
        let root = try XMLReader.parse(Array(request.body.utf8))
        #expect(root.localName == "Envelope" && root.namespace == "http://schemas.xmlsoap.org/soap/envelope/")
        let operation = try #require(root.allElements.first { $0.localName == "GetRootCertChains" })
        #expect(operation.namespace == CertificateProvisioning.namespace)
        #expect(operation.allElements.filter { $0.localName != "GetRootCertChains" }.isEmpty)
    }

    func read(_ status: Int, _ body: [UInt8], type: String? = "text/xml") -> CertificateProvisioning.Exchange {
        CertificateProvisioning.read(
            HTTPFetcher.Reply(status: status, contentType: type, body: body),
            request: .rootChains(host: "pool01.contoso.com"), address: "192.0.2.10")
    }

    @Test("A captured GetRootCertChainsResponse gives its root")
    func chains() throws {
        let exchange = read(200, try Self.captured())
        guard case .chains(let certificates) = exchange.outcome else {
            Issue.record("\(exchange.outcome)")
            return
        }
        #expect(certificates.map(\.subject.displayName) == ["ContosoCA"])
        let size = try Self.captured().count
        #expect(exchange.status == 200 && exchange.bodyBytes == size)
        #expect(exchange.excerpt.count <= CertificateProvisioning.excerptLength + 1 && exchange.excerpt.hasSuffix("…"))
    }

    @Test("A SOAP fault (with 500 or 200), an error page, an answer without chains and a foreign page are told apart")
    func failures() throws {
        let fault = Array(
            #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>no action</faultstring></s:Fault></s:Body></s:Envelope>"#
                .utf8)
        guard case .fault(let reason) = read(500, fault).outcome else { throw Failure("500 fault") }
        #expect(reason == "no action")
        guard case .fault = read(200, fault).outcome else { throw Failure("200 fault") }
        guard case .status(503, let excerpt) = read(503, Array("<html>Service Unavailable</html>".utf8), type: "text/html").outcome else {
            throw Failure("503")
        }
        #expect(excerpt.contains("Service Unavailable"))
        let empty = Array(
            #"<GetRootCertChainsResponse ResponseClass="Success" xmlns="http://schemas.microsoft.com/OCS/AuthWebServices/"><RootCertChains/></GetRootCertChainsResponse>"#
                .utf8)
        guard case .noChains(let error) = read(200, empty).outcome else { throw Failure("empty") }
        #expect(error.description.contains("Chain"))
        guard case .fault = read(200, Array(#"<GetRootCertChainsResponse ResponseClass="Error" xmlns=""/>"#.utf8)).outcome else {
            throw Failure("ResponseClass")
        }
        guard case .noChains = read(200, Array("<html><title>IIS Windows Server</title></html>".utf8)).outcome else {
            throw Failure("html")
        }
        guard case .noChains = read(200, Array("<?xml version=\"1.0\"?><a".utf8)).outcome else { throw Failure("malformed") }
        // A PEM or a bare certificate is not what the service answers.
        let pem = Array(try Data(contentsOf: TestPKI.get().url("root-sha1.pem")))
        guard case .noChains(let foreign) = read(200, pem).outcome else { throw Failure("pem") }
        #expect(foreign.description.contains("not a GetRootCertChains"))
    }

    @Test("The answer kept for the report is bounded and shows control characters as dots")
    func excerpt() {
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)
        #expect(CertificateProvisioning.excerpt(long).count == CertificateProvisioning.excerptLength + 1)
        #expect(CertificateProvisioning.excerpt([0x41, 0x00, 0x1B, 0x0A, 0x42]) == "A..\nB")
    }

    @Test("Each certprov finding has its words, its remedy and its data")
    func wording() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        for code: FindingCode in [.certprovUnreachable, .certprovFailed, .certprovNoChains, .certprovRootMissing] {
            let finding = Finding(
                code: code, severity: .error,
                detail: .walk(
                    .certprov(
                        url: "http://pool01.contoso.com/CertProv/CertProvisioningService.svc", address: "192.0.2.10", status: 503,
                        failure: "HTTP 503", host: "pool01.contoso.com", needed: "CN=Contoso Root")),
                client: FindingClient(profile), vocabulary: .command(.boot))
            #expect(!finding.message.isEmpty && !finding.remedy.isEmpty, "\(code)")
            #expect(Symptom.builtIn[code]?.source.isEmpty == false, "\(code)")
        }
    }

    @Test("Walked in-process without a web services FQDN, the step says why nothing was sent")
    func walkWithoutWebServices() throws {
        let inputs = try BootInputs(sipDomain: "fabrikam.com", dnsServers: [DNSServer(address: "127.0.0.1", port: 9)])
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")], timeout: 0.2)
        configuration.downloadsRootChains = true
        configuration.deadline = 5
        let trace = try #require(BootWalker(configuration).run().builds.first)
        let step = try #require(trace.step(.certprov))
        #expect(step.phase == .signIn && step.status == .skipped)
        #expect(step.notes.contains { $0.contains("no web services FQDN") })
        // Off by default in the library, and off for a build whose sign-in does not use the service.
        configuration.downloadsRootChains = false
        #expect(BootWalker(configuration).run().builds.first?.step(.certprov) == nil)
    }

    @Test("boot --help says the download sends no credential or PIN, and how to skip it")
    func help() throws {
        let result = try CLI.run(["boot", "--help"])
        #expect(result.status == 0)
        let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("no credential or PIN is ever sent"))
        #expect(text.contains("--no-certprov") && text.contains("--certprov-response"))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// The client and the walk against `certprov_stub.py`, a stand-in written from the sources, on loopback.
@Suite("Certificate Provisioning: the root-chain download against a stand-in", .serialized, .integration, .tags(.integration))
struct CertProvStandInTests {
    /// The stand-in in `mode` on the lab's ADDRESS.last:port (0: any), serving the test root as one chain.
    @discardableResult
    func standIn(_ lab: BootLab, _ mode: String, at last: Int = 10, port: Int = 0, root: String = "root-sha1.pem") throws -> Int {
        let pki = try TestPKI.get()
        let p7b = lab.directory.appendingPathComponent("root.p7b")
        try pki.openssl(["crl2pkcs7", "-nocrl", "-certfile", pki.url(root).path, "-outform", "DER"]).write(to: p7b)
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/certprov_stub.py").path
        var bound = 0
        try lab.launch(["python3", script, mode, lab.address(last), "\(port)", p7b.path]) { log in
            guard let line = log.split(separator: "\n").first(where: { Int($0) != nil }) else { return false }
            bound = Int(line)!
            return true
        }
        return bound
    }

    func download(_ lab: BootLab, port: Int, maxBytes: Int = 256 << 10, timeout: TimeInterval = 3) -> CertificateProvisioning.Exchange {
        let request = CertificateProvisioning.Request.rootChains(host: "pool01.contoso.com", port: port)
        return CertificateProvisioning.download(
            request, address: lab.address(10), limits: HTTPFetcher.Limits(maxBodyBytes: maxBytes, timeout: timeout))
    }

    @Test("The stand-in receives the phone's POST without credentials and its chain is read")
    func chains() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let port = try standIn(lab, "ok")
        let exchange = download(lab, port: port)
        guard case .chains(let certificates) = exchange.outcome else { throw CertProvRequestTests.Failure("\(exchange.outcome)") }
        let expected = try TestPKI.get().certificate("root-sha1.pem")
        #expect(certificates == [expected])
        #expect(exchange.status == 200 && exchange.contentType == "text/xml; charset=utf-8")
        let log = try String(contentsOf: lab.directory.appendingPathComponent("REQUESTS.log"), encoding: .utf8)
        #expect(log.hasPrefix("POST /CertProv/CertProvisioningService.svc\n"))
        #expect(log.contains("Host: pool01.contoso.com:\(port)"))
        #expect(log.contains(#"SOAPAction: "http://schemas.microsoft.com/OCS/AuthWebServices/GetRootCertChains""#))
        #expect(log.contains("<GetRootCertChains xmlns=\"http://schemas.microsoft.com/OCS/AuthWebServices/\"/>"))
        #expect(!log.lowercased().contains("authorization") && !log.lowercased().contains("expect: 100"))
    }

    @Test(
        "Hostile answers end in typed outcomes within the bounds",
        arguments: ["empty", "fault", "error", "malformed", "huge", "slow", "html"])
    func hostile(mode: String) throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let port = try standIn(lab, mode)
        let started = Date()
        let exchange = download(lab, port: port, timeout: 2)
        #expect(Date().timeIntervalSince(started) < 4, "the deadline holds")
        switch (mode, exchange.outcome) {
        case ("empty", .noChains), ("malformed", .noChains), ("html", .noChains), ("fault", .fault), ("error", .status(503, _)):
            break
        case ("huge", .transport(.bodyTooLarge(_, let limit))):
            #expect(limit == 256 << 10)
        case ("slow", .transport(.curl(_, 28, _))):
            break
        default:
            Issue.record("\(mode): \(exchange.outcome)")
        }
    }

    @Test("A closed port is a transport failure, not an answer")
    func closed() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        guard case .transport(.curl(_, 7, _)) = download(lab, port: 9).outcome else { throw CertProvRequestTests.Failure("closed") }
    }

    /// The walk for an Aries build signing in with a PIN, the stand-in on port 80 of the web services.
    func walk(
        _ lab: BootLab, mode: String?, root: String = "root-sha1.pem", records: [String] = [], start: PhoneStart = PhoneStart(signIn: .pin)
    ) throws -> BootTrace {
        let pki = try BootFixtures.directory()
        let dns = try lab.dns(
            [
                "host-record=pool01.contoso.com,\(lab.address(10))", "host-record=sip.fabrikam.com,\(lab.address(10))",
                "srv-host=_sipinternaltls._tcp.fabrikam.com,sip.fabrikam.com,5061,0,0",
            ] + records)
        try lab.tls(at: 10, port: 5061, certificate: "boot-pool.pem", key: "leaf.key", in: pki)
        try lab.tls(at: 10, port: 443, certificate: "boot-pool.pem", key: "leaf.key", in: pki)
        if let mode { try standIn(lab, mode, port: 80, root: root) }
        let inputs = try BootInputs(
            sipDomain: "fabrikam.com", dhcpDomain: "contoso.com", webServices: Endpoint(host: "pool01.contoso.com", port: 443),
            dnsServers: [dns])
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")], timeout: 2)
        configuration.downloadsRootChains = true
        configuration.start = start
        return try #require(BootWalker(configuration).run().builds.first)
    }

    @Test("boot: a PIN sign-in downloads the root from the stand-in, holds it, and trusts the pool with it")
    func walkDownloads() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let trace = try walk(lab, mode: "ok")
        let step = try #require(trace.step(.certprov))
        #expect(step.phase == .signIn && step.status == .ok, "\(step.findings.map(\.message))")
        #expect(step.notes.contains { $0.hasPrefix("request: POST http://pool01.contoso.com/CertProv/CertProvisioningService.svc") })
        #expect(step.notes.contains { $0.hasPrefix("answer: HTTP 200") })
        let root = try #require(trace.step(.roots)?.roots.first { $0.source.hasPrefix("Certificate Provisioning service") })
        let expected = try TestPKI.get().certificate("root-sha1.pem")
        #expect(root.certificate == expected)
        #expect(trace.step(.registrarTLS)?.endpoints.first?.verdict?.isTrusted == true)
        #expect(trace.step(.webServices)?.endpoints.first?.verdict?.isTrusted == true)
        // The conversation in every format: the request sent and the answer read.
        let exchange = try #require(step.exchange)
        #expect(exchange.method == "POST" && exchange.status == 200 && exchange.excerpt.contains("GetRootCertChainsResponse"))
        let report = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [trace])
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(BootRendering.json(report).utf8)) as? [String: Any])
        let steps = try #require((json["builds"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        let certprov = try #require(steps.first { $0["step"] as? String == "certprov" })
        let sent = try #require(certprov["exchange"] as? [String: Any])
        #expect(sent["url"] as? String == "http://pool01.contoso.com/CertProv/CertProvisioningService.svc")
        #expect((sent["answer"] as? String)?.contains("RootCertChains") == true)
        #expect(steps.filter { $0["exchange"] != nil }.count == 1)
        for rendered in [BootRendering.text(report), BootRendering.markdown(report), BootRendering.html(report)] {
            #expect(rendered.contains("certprov") && rendered.contains("request: POST http://pool01.contoso.com/CertProv"))
        }
    }

    @Test("boot: a root only the live download gives is root-not-held-yet for Device Update at boot, trusted once signed in")
    func liveRootAtBoot() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        // Device Update on the pool's address (443 serves the pool's chain, which ends at the downloaded root).
        let trace = try walk(lab, mode: "ok", records: ["host-record=ucupdates-r2.contoso.com,\(lab.address(10))"])
        let updates = trace.steps.filter { $0.kind == .deviceUpdate }
        let atBoot = try #require(updates.first { $0.phase == .boot })
        let early = try #require(atBoot.findings.first { $0.code == .rootNotHeldYet }, "\(atBoot.findings.map(\.message))")
        #expect(atBoot.endpoints.first?.verdict?.isTrusted == false && atBoot.status == .failed)
        guard case .heldRoots(_, let phase, _, let neededFrom, _, let downloadsIn, _) = early.detail.walkFacts else {
            throw CertProvRequestTests.Failure("\(early.detail)")
        }
        #expect(phase == .boot && downloadsIn == .signIn)
        #expect(neededFrom.allSatisfy { $0.hasPrefix("Certificate Provisioning service") } && !neededFrom.isEmpty, "\(neededFrom)")
        let signedIn = try #require(updates.first { $0.phase == .signedIn })
        #expect(signedIn.endpoints.first?.verdict?.isTrusted == true && !signedIn.findings.contains { $0.code == .rootNotHeldYet })
        #expect(trace.step(.certprov)?.phase == .signIn && trace.step(.certprov)?.status == .ok)
        // Learned ahead from the one exchange the sign-in step reports: the stand-in saw one request.
        let log = try String(contentsOf: lab.directory.appendingPathComponent("REQUESTS.log"), encoding: .utf8)
        #expect(log.components(separatedBy: "POST /CertProv").count == 2, "\(log)")
    }

    @Test(
        "boot: the live download's roots make a signed-in phone holding an old root held-root-stale, and one outside external-root-not-learned",
        arguments: [false, true])
    func liveRootElsewhere(outside: Bool) throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let old = TrustAnchor(certificate: try TestPKI.get().certificate("root.pem"), source: .heldRoot(file: "root.pem"))
        let start =
            outside ? PhoneStart(signIn: .pin, network: .external) : PhoneStart(signedIn: true, heldRoots: [old], signIn: .pin)
        let trace = try walk(lab, mode: "ok", start: start)
        let registrar = try #require(trace.step(.registrarTLS))
        let expected: FindingCode = outside ? .externalRootNotLearned : .heldRootStale
        #expect(registrar.findings.contains { $0.code == expected }, "\(registrar.findings.map(\.code))")
        #expect(registrar.endpoints.first?.verdict?.isTrusted == false)
        #expect(trace.step(.certprov) == nil, "the phone does not download now")
        let notes = trace.step(.roots)?.notes ?? []
        #expect(notes.contains { $0.hasPrefix("the walk asked the Certificate Provisioning service") }, "\(notes)")
    }

    @Test(
        "boot: port 80 closed, a fault, no chains, and chains without the pool's root are findings",
        arguments: [nil, "fault", "empty", "other-root"])
    func walkFails(mode: String?) throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let trace = try walk(lab, mode: mode == "other-root" ? "ok" : mode, root: mode == "other-root" ? "root.pem" : "root-sha1.pem")
        let codes = Set(trace.step(.certprov)?.findings.map(\.code) ?? [])
        let expected: FindingCode =
            switch mode {
            case nil: .certprovUnreachable
            case "fault": .certprovFailed
            case "other-root": .certprovRootMissing
            default: .certprovNoChains
            }
        #expect(codes == [expected])
        #expect(trace.step(.certprov)?.status == .failed)
    }
}
