import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertProbe
@testable import CXCertTestSupport

/// Real TLS servers (`openssl s_server` on loopback) probed as people and phones would.
@Suite("cxcert probe against openssl s_server", .integration, .tags(.integration))
struct ProbeTests {
    let pki: TestPKI
    init() throws {
        pki = try TestPKI.withScenarios()
        try pki.directory.write("ooo-chain.pem", try pki.directory.read("root.pem") + pki.directory.read("inter.pem"))
    }

    /// The server kinds of the issue: modern-only, TLS 1.0 allowed, incomplete, out of order, SHA-1, wildcard.
    func server(_ kind: String) throws -> BackgroundServer {
        let legacy = ["-cipher", "ALL:@SECLEVEL=0", "-min_protocol", "TLSv1"]
        let arguments: [String] =
            switch kind {
            case "modern": ["-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain", "inter.pem", "-min_protocol", "TLSv1.2"]
            case "legacy": ["-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain", "inter.pem"] + legacy
            case "incomplete": ["-cert", "leaf.pem", "-key", "leaf.key"] + legacy
            case "out-of-order": ["-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain", "ooo-chain.pem"] + legacy
            case "sha1": ["-cert", "v-sha1-leaf.pem", "-key", "leaf.key", "-cert_chain", "v-sha1-inter.pem"] + legacy
            case "wildcard": ["-cert", "v-wildcard.pem", "-key", "leaf.key", "-cert_chain", "inter.pem"] + legacy
            default: []
            }
        return try BackgroundServer.openssl(arguments, in: pki.directory)
    }

    func probe(_ server: BackgroundServer, timeout: TimeInterval = 5) throws -> ProbeReport {
        try Prober.probe(
            ProbeTarget(host: "127.0.0.1", port: server.port, serverName: "pool01.contoso.com"),
            options: .init(
                timeout: timeout, asPhone: true, knownRoots: [try pki.certificate("root.pem"), try pki.certificate("root-sha1.pem")]))
    }

    func codes(_ report: ProbeReport, device: String, firmware: String, trust: String = "root", host: String = "pool01.contoso.com") throws
        -> Set<String>
    {
        let verdict = Verifier.verify(
            report, anchors: [TrustAnchor(certificate: try pki.certificate("\(trust).pem"), source: .user(file: trust))], hosts: [host],
            plan: nil, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
        return Set(verdict?.findings.map(\.code.rawValue) ?? ["no-verdict"])
    }

    @Test("a modern-only server (TLS 1.2+) refuses the phone: tls-version")
    func modern() throws {
        let server = try server("modern")
        defer { server.stop() }
        let report = try probe(server)
        #expect(report.protocols[.tls10]?.isAccepted == false)
        #expect(report.protocols[.tls11]?.isAccepted == false)
        #expect(report.protocols[.tls12]?.isAccepted == true)
        #expect(report.protocols[.tls13]?.isAccepted == true)
        #expect(!report.asPhone.isAccepted)
        #expect(report.presented.map(\.subject.displayName) == ["pool01.contoso.com", "Contoso Issuing CA"])
        #expect(report.chainIssues.isEmpty)
        // The phone's suite is offered over TLS 1.2: it is the protocol version that refuses the phone, not the suite.
        #expect(report.cipherSuites.contains("AES128-SHA"), "\(report.cipherSuites)")
        #expect(try codes(report, device: "cx600", firmware: "4.0.7577.4463") == ["tls-version"])
        #expect(try codes(report, device: "generic", firmware: "").isEmpty)
    }

    @Test("a server that still allows TLS 1.0: the phone connects; SHA-2 then decides by firmware")
    func legacy() throws {
        let server = try server("legacy")
        defer { server.stop() }
        let report = try probe(server)
        #expect(report.asPhone.isAccepted)
        #expect(report.protocols[.tls10]?.isAccepted == true)
        #expect(report.cipherSuites.contains("AES128-SHA"))
        #expect(try codes(report, device: "cx600", firmware: "4.0.7577.4463").isEmpty)
        #expect(try codes(report, device: "cx700", firmware: "3.5.6907.35") == ["sha2-unsupported"])
    }

    @Test("chains sent incomplete or out of order are reported; SHA-1 and wildcard servers judged per device")
    func chains() throws {
        let incomplete = try server("incomplete")
        defer { incomplete.stop() }
        let lacking = try probe(incomplete)
        #expect(lacking.chainIssues == [.incomplete(missingIssuer: "CN=Contoso Issuing CA,DC=contoso,DC=com")])
        #expect(try codes(lacking, device: "cx600", firmware: "4.0.7577.4463") == ["missing-intermediate"])

        let disorder = try server("out-of-order")
        defer { disorder.stop() }
        let shuffled = try probe(disorder)
        #expect(shuffled.chainIssues.contains(.outOfOrder))
        #expect(shuffled.chainIssues.contains(.rootSent("Contoso Root CA")))
        #expect(try codes(shuffled, device: "cx600", firmware: "4.0.7577.4463").isEmpty)

        let sha1 = try server("sha1")
        defer { sha1.stop() }
        #expect(try codes(try probe(sha1), device: "cx700", firmware: "3.5.6907.35", trust: "root-sha1").isEmpty)

        let wildcard = try server("wildcard")
        defer { wildcard.stop() }
        let star = try probe(wildcard)
        #expect(try codes(star, device: "cx600", firmware: "4.0.7577.4463") == ["wildcard-not-supported"])
        #expect(try codes(star, device: "generic", firmware: "").isEmpty)
    }

    @Test(
        "refused, not TLS, silent, closing, garbage and endless servers give clear errors within the timeout",
        arguments: [
            "silent", "close", "garbage", "http", "dribble",
        ])
    func hostileServers(mode: String) throws {
        let server = try BackgroundServer.hostile(mode)
        defer { server.stop() }
        let started = Date()
        let error = #expect(throws: ProbeError.self) {
            try Prober.probe(ProbeTarget(host: "127.0.0.1", port: server.port), options: .init(timeout: 2, enumerateCiphers: false))
        }
        #expect(Date().timeIntervalSince(started) < 12)
        switch (mode, error) {
        case ("silent", .connection(.timeout)?), ("dribble", .connection(.timeout)?), ("close", .connection(.closedEarly)?),
            ("garbage", .connection(.notTLS)?):
            break
        case ("http", .connection(.notTLS(_, let cause))?):
            // OpenSSL's whole stack travels with the error: its first entry is the record layer's refusal.
            #expect(cause.stack.first?.library == "SSL routines", "\(cause.fullDescription)")
            #expect(cause.stack.first?.reason == "wrong version number", "\(cause.fullDescription)")
        default: Issue.record("\(mode): unexpected \(String(describing: error))")
        }
    }

    @Test("a closed port is 'connection refused'")
    func refused() throws {
        let server = try BackgroundServer.hostile("close")
        let port = server.port
        server.stop()
        #expect(throws: ProbeError.connection(.refused("127.0.0.1:\(port)"))) {
            try Prober.probe(ProbeTarget(host: "127.0.0.1", port: port))
        }
        #expect(throws: ProbeError.invalidTarget("host:99999")) { try ProbeTarget(parsing: "host:99999") }
        #expect(try ProbeTarget(parsing: "pool01.contoso.com").port == 443)
        #expect(try ProbeTarget(parsing: "[::1]:5061") == ProbeTarget(host: "::1", port: 5061, serverName: nil))
    }

    @Test("cxcert probe --json and exit codes")
    func command() throws {
        let server = try server("legacy")
        defer { server.stop() }
        let ok = try CLI.run([
            "probe", "127.0.0.1:\(server.port)", "--sni", "pool01.contoso.com", "--as-phone", "--trust", pki.url("root.pem").path,
            "--device", "cx600",
            "--firmware", "4.0.7577.4463", "--json",
        ])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [[String: Any]])
        #expect((list.first?["asPhone"] as? [String: Any])?["accepted"] as? Bool == true)
        #expect((list.first?["results"] as? [[String: Any]])?.first?["trusted"] as? Bool == true)
        let old = try CLI.run([
            "probe", "127.0.0.1:\(server.port)", "--sni", "pool01.contoso.com", "--trust", pki.url("root.pem").path, "--device", "cx700",
            "--firmware", "3.5.6907.35",
        ])
        #expect(old.status == 1)
        #expect(old.stdout.contains("sha2-unsupported"))
        #expect(try CLI.run(["probe", "127.0.0.1:1"]).status == 2)
    }
}

@Suite("cxcert audit: a deployment of s_server instances, with an HTML report checked in Chromium", .integration, .tags(.integration))
struct AuditTests {
    @Test("the matrix says which build trusts which server, and why not")
    func audit() async throws {
        let pki = try TestPKI.withScenarios()
        let probeTests = try ProbeTests()
        let modern = try probeTests.server("modern")
        let legacy = try probeTests.server("legacy")
        let incomplete = try probeTests.server("incomplete")
        defer { for server in [modern, legacy, incomplete] { server.stop() } }
        let gone = try BackgroundServer.hostile("close")
        let deadPort = gone.port
        gone.stop()
        let folder = try makeTemporaryDirectory("audit")
        try folder.write("root.pem", try pki.directory.read("root.pem"))
        let yaml = """
            # written by the test
            adDomains: [contoso.com]
            sipDomains: [fabrikam.com]
            pool: pool01.contoso.com
            servers:
              - {name: modern, host: 127.0.0.1, port: \(modern.port), sni: pool01.contoso.com, role: web-internal, names: [pool01.contoso.com]}
              - {name: legacy, host: 127.0.0.1, port: \(legacy.port), sni: pool01.contoso.com, role: web-internal, names: [pool01.contoso.com]}
              - {name: incomplete, host: 127.0.0.1, port: \(incomplete.port), sni: pool01.contoso.com, names: [pool01.contoso.com]}
              - {name: gone, host: 127.0.0.1, port: \(deadPort)}
            fleet:
              - {device: cx700, firmware: 3.5.6907.35, count: 10}
              - {device: cx600, firmware: 4.0.7577.4463, count: 5}
            trust:
              roots: [root.pem]
            timeout: 5
            """
        try folder.write("deployment.yaml", yaml)
        let deployment = try DeploymentFile(yaml: yaml)
        let result = try await Auditor.run(deployment, relativeTo: folder)
        func cell(_ server: String, _ index: Int) -> Set<String> {
            guard let audit = result.servers.first(where: { $0.name == server }), audit.problem == nil else { return ["problem"] }
            return Set(audit.verdicts[index].findings.filter { $0.severity == .error }.map(\.code.rawValue))
        }
        #expect(cell("modern", 0) == ["tls-version", "sha2-unsupported"])
        #expect(cell("modern", 1) == ["tls-version"])
        #expect(cell("legacy", 0) == ["sha2-unsupported"])
        #expect(cell("legacy", 1).isEmpty)
        #expect(cell("incomplete", 1) == ["missing-intermediate"])
        #expect(cell("gone", 0) == ["problem"])
        #expect(!result.allTrusted)
        // Most phones affected first: the SHA-2 and TLS fixes touch the 10 CX700s.
        // The TLS fix touches both builds behind "modern" (10 + 5 phones); SHA-2 only the 10 CX700s.
        #expect(result.fixes.first?.code == .tlsVersion, "\(result.fixes.map(\.code))")
        #expect(result.fixes.first?.phonesAffected == 15)
        #expect(result.fixes.map(\.phonesAffected) == result.fixes.map(\.phonesAffected).sorted(by: >))

        // The command: exit 1, JSON, Markdown, and HTML rendered by a real browser.
        let html = folder.appendingPathComponent("report.html").path
        let cli = try CLI.run(["audit", folder.appendingPathComponent("deployment.yaml").path, "--json", "--html", html])
        #expect(cli.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        #expect(json["allTrusted"] as? Bool == false)
        #expect((json["servers"] as? [Any])?.count == 4)
        let markdown = try CLI.run(["audit", folder.appendingPathComponent("deployment.yaml").path, "--markdown"])
        #expect(markdown.stdout.contains("| legacy | ✘ sha2-unsupported | ✔ |"))

        let dom = try Shell.text(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(html)"])
        #expect(dom.contains("<table id=\"matrix\">"))
        #expect(dom.components(separatedBy: "<tr><th scope=\"row\">").count - 1 == 4)
        #expect(dom.contains("class=\"untrusted\""))
        #expect(dom.contains("class=\"trusted\""))
        let png = folder.appendingPathComponent("report.png").path
        _ = try? Shell.run([
            "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--screenshot=\(png)", "--window-size=1280,900",
            "file://\(html)",
        ])
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 20_000)

        // Only what works: exit 0.
        let good = """
            servers:
              - {name: legacy, host: 127.0.0.1, port: \(legacy.port), sni: pool01.contoso.com, names: [pool01.contoso.com]}
            fleet:
              - {device: cx600, firmware: 4.0.7577.4463}
            trust: {roots: [root.pem]}
            """
        try folder.write("good.yaml", good)
        #expect(try CLI.run(["audit", folder.appendingPathComponent("good.yaml").path]).status == 0)
        try folder.write("bad.yaml", "servers: []\nfleet: []\n")
        let bad = try CLI.run(["audit", folder.appendingPathComponent("bad.yaml").path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("deployment file"))
    }

    @Test("the bundled example deployment audits offline")
    func example() throws {
        let result = try CLI.run(["audit", repositoryRoot.appendingPathComponent("Examples/deployment.yaml").path, "--json"])
        #expect(result.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let servers = try #require(json["servers"] as? [[String: Any]])
        let reissued = try #require(servers.first { $0["name"] as? String == "pool01 web services (reissued)" })
        #expect((reissued["results"] as? [[String: Any]])?.allSatisfy { $0["trusted"] as? Bool == true } == true)
    }
}
