import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("Host-name matching: phone rules and RFC 6125")
struct HostnameMatchingTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI.withScenarios()
        let pki = pki
        try pki.ensure("n-mixed") {
            try pki.issue(
                "n-mixed", issuer: "inter", subject: "/CN=Pool01.Contoso.com", key: "leaf.key",
                extensions: [
                    "subjectAltName=DNS:Pool01.Contoso.COM,DNS:sip.fabrikam.com.,DNS:*.contoso.com,DNS:f*.fabrikam.com,DNS:*.com,DNS:*.xn--bcher-kva.example,IP:10.0.0.5,IP:2001:db8::1"
                ])
            try pki.issue(
                "n-wild", issuer: "inter", subject: "/CN=*.contoso.com", key: "leaf.key", extensions: ["subjectAltName=DNS:*.contoso.com"])
            try pki.issue(
                "n-cn", issuer: "inter", subject: "/CN=ucupdates-r2", key: "leaf.key", extensions: ["subjectAltName=DNS:pool01.contoso.com"]
            )
            try pki.issue("n-nosan", issuer: "inter", subject: "/CN=ucupdates-r2", key: "leaf.key", extensions: [])
        }
    }

    func outcome(_ host: String, _ file: String, _ rules: NameRules) throws -> NameMatch.Outcome {
        HostnameMatcher.match(host, certificate: try pki.certificate("\(file).pem"), rules: rules).outcome
    }

    let phone = NameRules.phone(matchesSubjectCN: false)

    @Test("the short name must be literally in the SAN; the FQDN does not stand for it")
    func shortNames() throws {
        #expect(try outcome("ucupdates-r2", "leaf", phone) == .covered(by: "DNS:ucupdates-r2"))
        #expect(try outcome("ucupdates-r2", "v-sha1-leaf", phone) == .covered(by: "DNS:ucupdates-r2"))
        #expect(try outcome("ucupdates-r2", "n-mixed", phone) == .notCovered)
        #expect(try outcome("ucupdates-r2", "n-mixed", .rfc6125) == .notCovered)
        #expect(try outcome("ucupdates-r2.contoso.com", "n-mixed", phone) == .onlyWildcard("*.contoso.com"))
    }

    @Test("case and one trailing dot are ignored on both sides")
    func caseAndDots() throws {
        #expect(try outcome("POOL01.contoso.com.", "n-mixed", phone) == .covered(by: "DNS:Pool01.Contoso.COM"))
        #expect(try outcome("SIP.Fabrikam.com", "n-mixed", phone) == .covered(by: "DNS:sip.fabrikam.com."))
        #expect(try outcome("pool01.contoso.com..", "n-mixed", phone) == .notCovered)
    }

    @Test("wildcards: phones refuse them; RFC 6125 allows only a whole left-most label over two or more labels")
    func wildcards() throws {
        #expect(try outcome("pool01.contoso.com", "n-wild", phone) == .onlyWildcard("*.contoso.com"))
        #expect(try outcome("pool01.contoso.com", "n-wild", .rfc6125) == .covered(by: "DNS:*.contoso.com"))
        #expect(try outcome("a.b.contoso.com", "n-wild", .rfc6125) == .notCovered)
        #expect(try outcome("contoso.com", "n-wild", .rfc6125) == .notCovered)
        #expect(try outcome("fax.fabrikam.com", "n-mixed", .rfc6125) == .notCovered)  // no partial wildcards
        #expect(try outcome("example.com", "n-mixed", .rfc6125) == .notCovered)  // *.com is too broad
        #expect(try outcome("xn--caf-dma.xn--bcher-kva.example", "n-mixed", .rfc6125) == .notCovered)  // not over an A-label
        #expect(try outcome("cafe.xn--bcher-kva.example", "n-mixed", .rfc6125) == .covered(by: "DNS:*.xn--bcher-kva.example"))
    }

    @Test("IP addresses match only IP SANs, in canonical form")
    func ipAddresses() throws {
        #expect(try outcome("10.0.0.5", "n-mixed", .rfc6125) == .covered(by: "IP:10.0.0.5"))
        #expect(try outcome("2001:0db8:0:0::1", "n-mixed", .rfc6125) == .covered(by: "IP:2001:db8::1"))
        #expect(try outcome("10.0.0.6", "n-mixed", phone) == .notCovered)
        #expect(try outcome("10.0.0.5", "leaf", .rfc6125) == .covered(by: "IP:10.0.0.5"))
    }

    @Test("a name only in the subject CN counts only where the device data says the firmware uses the CN")
    func commonName() throws {
        #expect(try outcome("ucupdates-r2", "n-cn", phone) == .onlyCommonName)
        #expect(try outcome("ucupdates-r2", "n-cn", .phone(matchesSubjectCN: true)) == .covered(by: "CN"))
        #expect(try outcome("ucupdates-r2", "n-nosan", .rfc6125) == .onlyCommonName)
    }
}

@Suite("The deployment name plan")
struct NamePlanTests {
    /// The guide's example: AD domain contoso.com, SIP domain fabrikam.com, pool01.contoso.com,
    /// option 119 contoso.com;fabrikam.com.
    static let guideExample = Deployment(
        adDomains: ["contoso.com", "contoso.com;fabrikam.com"], sipDomains: ["fabrikam.com"], pool: "pool01.contoso.com")

    /// Written from the guide ("Configure DNS": pool and ucupdates-r2 A records in <DHCPDomain>,
    /// sip.<SIPDomain>; the walk-through's pool01.<DHCPDomain>) and the Lync 2013 Device Update article
    /// (ucupdates-r2.<each DHCP domain> and the short name ucupdates-r2 on the web services certificate).
    static let expected: [(String, PlannedName.Necessity, Bool)] = [
        ("pool01.contoso.com", .required, true),
        ("sip.fabrikam.com", .required, true),
        ("ucupdates-r2.contoso.com", .required, true),
        ("ucupdates-r2.fabrikam.com", .required, true),
        ("ucupdates-r2", .required, false),
        ("pool01", .recommended, false),
    ]

    @Test("the guide's example gives the table written from the guide and the articles")
    func guideExample() {
        let plan = NamePlan(Self.guideExample)
        #expect(plan.names.map(\.name) == Self.expected.map(\.0))
        #expect(plan.names.map(\.necessity) == Self.expected.map(\.1))
        #expect(plan.names.map(\.publicCA) == Self.expected.map(\.2))
        #expect(plan.names.allSatisfy { !$0.reason.isEmpty && !$0.source.isEmpty })
        #expect(plan.names.first { $0.name == "ucupdates-r2.fabrikam.com" }?.reason.contains("option 119") == true)
        #expect(plan.notes.first?.contains("internal enterprise CA") == true)
        #expect(plan.names(role: .default) == ["pool01.contoso.com", "sip.fabrikam.com", "pool01"])
    }

    @Test("every name boot checks: option 43's web services, option 120's registrars, the fallbacks DNS has, autodiscover")
    func bootNames() throws {
        let deployment = try Deployment(
            adDomains: ["contoso.com"], sipDomains: ["fabrikam.com"], pool: "pool01.contoso.com", webServices: ["WebInt.contoso.com"],
            registrars: ["pool01.contoso.com", "192.0.2.5", "reg.fabrikam.com"], registrarFallbacks: ["sipinternal.fabrikam.com"],
            smtpDomains: ["fabrikam.com"]
        ).validated()
        let plan = NamePlan(deployment)
        func entry(_ name: String) -> PlannedName? { plan.names.first { $0.name == name } }
        #expect(entry("webint.contoso.com")?.roles == [.webInternal])
        #expect(entry("webint.contoso.com")?.origin == .webServices && entry("webint.contoso.com")?.necessity == .required)
        #expect(entry("reg.fabrikam.com")?.roles == [.default] && entry("reg.fabrikam.com")?.origin == .registrar)
        #expect(entry("192.0.2.5") == nil, "an option 120 address is no name a certificate carries")
        // The pool named by option 120 too stays the pool's entry (both certificates), not a second row.
        #expect(plan.names.filter { $0.name == "pool01.contoso.com" }.count == 1 && entry("pool01.contoso.com")?.origin == .pool)
        #expect(entry("sipinternal.fabrikam.com")?.origin == .registrarFallback && entry("sipexternal.fabrikam.com") == nil)
        #expect(entry("autodiscover.fabrikam.com")?.roles == [.exchange] && entry("autodiscover.fabrikam.com")?.necessity == .required)
        #expect(entry("fabrikam.com")?.roles == [.exchange] && entry("fabrikam.com")?.necessity == .recommended)
        #expect(plan.names.allSatisfy { !$0.reason.isEmpty && !$0.source.isEmpty })
        // The pool's certificates never carry the Exchange server's names; the Exchange role has only those.
        #expect(!plan.names(role: nil).contains("autodiscover.fabrikam.com") && plan.names(role: nil).contains("webint.contoso.com"))
        #expect(plan.names(role: .exchange) == ["autodiscover.fabrikam.com", "fabrikam.com"])
        #expect(plan.names(role: .default).contains("sipinternal.fabrikam.com"))
        // boot judges these names on the endpoint reached by them, never on the pool's other endpoints.
        let pool = plan.poolNames.names.map(\.name)
        #expect(pool.contains("pool01.contoso.com") && pool.contains("sip.fabrikam.com"))
        #expect(
            Set(pool).isDisjoint(with: ["webint.contoso.com", "reg.fabrikam.com", "sipinternal.fabrikam.com", "autodiscover.fabrikam.com"]))
        // DNS asked: nothing unchecked about the fallbacks; not asked: the plan says so.
        #expect(!plan.unchecked.contains { $0.contains("sipinternal") })
        let unasked = NamePlan(Deployment(adDomains: [], sipDomains: ["fabrikam.com"], pool: "pool01.contoso.com"))
        #expect(unasked.unchecked.contains { $0.contains("sipinternal.<SIP domain>") })
        #expect(throws: DeploymentNameError.self) {
            try Deployment(adDomains: [], sipDomains: [], pool: "p.contoso.com", webServices: ["bad name"]).validated()
        }
    }

    @Test("audit: a deployment whose option 43 web services name the web certificate lacks fails, as boot does")
    func auditWebServicesName() async throws {
        let pki = try BootFixtures.directory()
        let folder = try makeTemporaryDirectory("audit-web-fqdn")
        try folder.write("web.pem", try pki.read("boot-pool.pem"))
        try folder.write("root.pem", try pki.read("root-sha1.pem"))
        let site = """
            adDomains: [contoso.com]
            sipDomains: [fabrikam.com]
            pool: pool01.contoso.com
            servers: [{name: web services, certificate: web.pem, role: web-internal}]
            fleet: [{device: cx700, firmware: 4.0.7577.4463}]
            trust: {roots: [root.pem]}

            """
        // The old plan (the pool's names only) passes this certificate...
        let before = try await Auditor.run(try DeploymentFile(yaml: site), relativeTo: folder)
        #expect(before.allTrusted, "\(AuditReport.json(before))")
        // ...but the phones reach the web services by option 43's name, which the certificate lacks.
        let after = try await Auditor.run(
            try DeploymentFile(yaml: site + "boot: {webFQDN: 'webint.contoso.com:443'}\n"), relativeTo: folder)
        #expect(!after.allTrusted)
        let fix = try #require(after.fixes.first { $0.code == .nameNotCovered })
        #expect(fix.remedy.contains("webint.contoso.com") && !fix.remedy.contains("pool01.contoso.com"), "\(fix.remedy)")
    }

    @Test("servers, simple URLs and internal TLDs")
    func moreNames() {
        let plan = NamePlan(
            Deployment(
                adDomains: ["corp.local"], sipDomains: ["fabrikam.com"], pool: "pool.corp.local",
                servers: ["fe01.corp.local"], simpleURLs: ["https://meet.fabrikam.com/conf", "dialin.fabrikam.com"]))
        #expect(Set(plan.names.map(\.name)).isSuperset(of: ["fe01.corp.local", "meet.fabrikam.com", "dialin.fabrikam.com"]))
        #expect(plan.names.first { $0.name == "pool.corp.local" }?.publicCA == false)
        #expect(plan.names.first { $0.name == "meet.fabrikam.com" }?.publicCA == true)
        #expect(!NamePlan.publiclyIssuable("10.0.0.1"))
    }

    @Test("per device: ucupdates-r2 names only for firmware that looks them up")
    func perDevice() throws {
        let plan = NamePlan(Self.guideExample)
        let r1 = try DeviceProfile.resolve(device: "cx700", firmware: "1.0.199.123")
        #expect(!plan.names(for: r1).contains { $0.name.hasPrefix("ucupdates-r2") })
        let r2 = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        #expect(plan.names(for: r2).map(\.name) == Self.expected.map(\.0))
    }

    @Test("the emitted OpenSSL config makes a CSR with exactly the plan's names, and the certificate passes verify")
    func opensslRoundTrip() throws {
        let pki = try TestPKI.withScenarios()
        let plan = NamePlan(Self.guideExample)
        try pki.directory.write("plan.cnf", plan.opensslConfig())
        try pki.openssl(["req", "-new", "-config", "plan.cnf", "-key", "leaf.key", "-out", "plan.csr"])
        let text = try Shell.text(["openssl", "req", "-in", pki.url("plan.csr").path, "-noout", "-text"])
        let sanLine = try #require(text.split(separator: "\n").first { $0.contains("DNS:") })
        let csrNames = sanLine.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "DNS:", with: "")
        }
        #expect(csrNames == plan.names.map(\.name))
        // Sign it as an enterprise CA would, once with SHA-1 (for OCS 2007 R2 phones), once with SHA-256.
        for (digest, root, inter) in [("sha1", "root-sha1", "v-sha1-inter"), ("sha256", "root", "inter")] {
            let name = "plan-\(digest)"
            let issuerKey = try String(contentsOf: pki.url("\(inter).keyfile"), encoding: .utf8)
            try pki.openssl([
                "x509", "-req", "-in", "plan.csr", "-CA", "\(inter).pem", "-CAkey", issuerKey, "-\(digest)", "-days", "365",
                "-copy_extensions", "copy", "-set_serial", "0x1234", "-out", "\(name).pem",
            ])
            let request = VerificationRequest(
                leaf: try pki.certificate("\(name).pem"), intermediates: [try pki.certificate("\(inter).pem")],
                anchors: [TrustAnchor(certificate: try pki.certificate("\(root).pem"), source: .user(file: root))], plan: plan)
            let firmware = digest == "sha1" ? "3.5.6907.35" : "4.0.7577.4463"
            let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: firmware))
            #expect(verdict.findings.isEmpty, "\(digest): \(verdict.findings.map(\.message))")
            #expect(verdict.names.count == plan.names.count)
        }
    }

    @Test("verify with the plan names the phones and the step that break")
    func verifyWithPlan() throws {
        let pki = try TestPKI.withScenarios()
        let request = VerificationRequest(
            leaf: try pki.certificate("v-sha1-leaf.pem"), intermediates: [try pki.certificate("v-sha1-inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root-sha1.pem"), source: .user(file: "root"))],
            plan: NamePlan(Self.guideExample))
        let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35"))
        // The host and the plan entry behind it are data: no sentence is taken apart.
        func named(_ findings: [Finding]) -> [String: (severity: Severity, planned: PlannedName?)] {
            var out: [String: (Severity, PlannedName?)] = [:]
            for finding in findings where finding.code == .nameNotCovered {
                if case .name(let host, _, _, _, let planned) = finding.detail { out[host] = (finding.severity, planned) }
            }
            return out
        }
        let missing = named(verdict.findings)
        #expect(Set(missing.keys) == ["sip.fabrikam.com", "ucupdates-r2.contoso.com", "ucupdates-r2.fabrikam.com", "pool01"])
        let update = try #require(missing["ucupdates-r2.contoso.com"])
        #expect(update.planned?.audience == .unregisteredPhones)
        #expect(update.planned?.reason.contains("Unregistered phones") == true)
        #expect(update.severity == .error)
        #expect(missing["pool01"]?.severity == .warning)
        #expect(missing["pool01"]?.planned?.necessity == .recommended)
        // 1.0.199.123 never looks up ucupdates-r2, so those names do not matter to it.
        let old = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "1.0.199.123"))
        #expect(!named(old.findings).keys.contains { $0.hasPrefix("ucupdates-r2") })
    }

    @Test("names prints every format: the plan's list, certreq INF, openssl config and JSON; the command needs --pool")
    func command() throws {
        // The plan `names --ad-domain contoso.com --ad-domain 'contoso.com;fabrikam.com' --sip-domain fabrikam.com --pool ...` builds.
        let plan = NamePlan(
            try Deployment(
                adDomains: ["contoso.com", "contoso.com;fabrikam.com"], sipDomains: ["fabrikam.com"], pool: "pool01.contoso.com"
            )
            .validated())
        #expect(plan.names(role: nil) == Self.expected.map(\.0))
        #expect(plan.certreqINF(role: nil).contains("_continue_ = \"dns=ucupdates-r2&\""))
        #expect(plan.opensslConfig(role: nil).contains("DNS.5 = ucupdates-r2"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONOutput.encode(plan).utf8)) as? [String: Any])
        #expect((json["names"] as? [[String: Any]])?.count == 6)
        // The command end to end: the same list on standard output, and exit 2 without --pool.
        let base = [
            "names", "--ad-domain", "contoso.com", "--ad-domain", "contoso.com;fabrikam.com", "--sip-domain", "fabrikam.com", "--pool",
            "pool01.contoso.com",
        ]
        #expect(try CLI.run(base + ["--format", "list"]).stdout.split(separator: "\n").map(String.init) == Self.expected.map(\.0))
        #expect(try CLI.run(["names"]).status == 2)
    }
}

@Suite("Names as users type them: IP literals, U-labels, hostile values")
struct NameInputTests {
    @Test("10. an IP literal is matched against IP SANs only, on phones and generic; the message and fix speak of addresses")
    func ipLiterals() throws {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")  // SAN IP:10.0.0.5, IP:2001:db8::1
        for device in ["cx700", "generic"] {
            let verdict = Verifier.verify(
                VerificationRequest(
                    leaf: leaf, intermediates: [try pki.certificate("inter.pem")],
                    anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
                    hosts: ["10.0.0.5", "[2001:db8::1]", "2001:DB8:0:0::1", "10.0.0.6"]),
                profile: try DeviceProfile.resolve(device: device))
            #expect(verdict.names.map(\.isCovered) == [true, true, true, false], "\(device): \(verdict.names)")
            let finding = try #require(verdict.findings.first { $0.code == .nameNotCovered })
            guard case .name("10.0.0.6", .notCovered, _, let addresses, nil) = finding.detail else {
                Issue.record("\(device): \(finding.detail)")
                continue
            }
            #expect(addresses.contains("10.0.0.5"), "\(addresses)")
            #expect(finding.message.contains("IP SAN"), "\(finding.message)")
            #expect(!finding.remedy.contains("as a DNS name"), "\(finding.remedy)")
        }
    }

    @Test("11. U-labels become A-labels wherever a name enters: --host matching, names, the generated configs")
    func idn() throws {
        #expect(try DomainName.aLabels("Bücher.Contoso.com.") == "xn--bcher-kva.contoso.com")
        #expect(try DomainName.aLabels("münchen.de") == "xn--mnchen-3ya.de")
        #expect(try DomainName.aLabels("例え.テスト") == "xn--r8jz45g.xn--zckzah")
        #expect(throws: DomainName.Invalid.self) { try DomainName.aLabels("bü☃cher.contoso.com") }
        #expect(throws: DomainName.Invalid.self) { try DomainName.aLabels("xn--.contoso.com") }
        let match = HostnameMatcher.match(
            "bücher.contoso.com", dnsNames: ["xn--bcher-kva.contoso.com"], rules: .phone(matchesSubjectCN: false))
        #expect(match.isCovered)
        // As `names --pool bücher.contoso.com --sip-domain contoso.com --format openssl|certreq` builds them.
        let plan = NamePlan(try Deployment(adDomains: [], sipDomains: ["contoso.com"], pool: "bücher.contoso.com").validated())
        let config = plan.opensslConfig(role: nil)
        #expect(config.contains("DNS.1 = xn--bcher-kva.contoso.com"))
        #expect(config.allSatisfy { $0.isASCII }, "\(config)")
        let inf = plan.certreqINF(role: nil)
        #expect(inf.contains("dns=xn--bcher-kva.contoso.com&") && inf.allSatisfy { $0.isASCII })
    }

    @Test("12. every name and URL is validated (exit 2) and no generated config can be restructured")
    func nameValidation() throws {
        // The deployments `names` builds from these options (DeploymentOptions.validate checks exactly this).
        let bad: [(Deployment, option: String)] = [
            (Deployment(adDomains: [], sipDomains: [], pool: "pool01.contoso.com\n[ext]\nbasicConstraints = CA:TRUE"), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: ""), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: "*.contoso.com"), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: "user@fabrikam.com"), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: "a b.contoso.com"), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: "pool=1.contoso.com"), "pool"),
            (Deployment(adDomains: [], sipDomains: [], pool: "p.contoso.com", simpleURLs: ["not a url"]), "simple-url"),
            (Deployment(adDomains: [], sipDomains: [], pool: "p.contoso.com", simpleURLs: ["ftp://meet.contoso.com"]), "simple-url"),
            (Deployment(adDomains: [], sipDomains: [], pool: "p.contoso.com", simpleURLs: ["https://meet.contoso.com/\"x"]), "simple-url"),
            (Deployment(adDomains: [], sipDomains: [], pool: "p.contoso.com", servers: ["fe01..contoso.com"]), "server"),
            (Deployment(adDomains: [], sipDomains: ["contoso.com\"&dns=evil.com"], pool: "p.contoso.com"), "sip-domain"),
            (Deployment(adDomains: ["-bad.com"], sipDomains: [], pool: "p.contoso.com"), "ad-domain"),
        ]
        for (deployment, option) in bad {
            let error = #expect(throws: DeploymentNameError.self, "\(deployment)") { try deployment.validated() }
            #expect(error?.option == option, "\(deployment): \(String(describing: error))")
            #expect(error?.description.contains("is not a valid") == true, "\(deployment): \(String(describing: error))")
        }
        // On the command line, for either format: exit 2, nothing on standard output, the reason on standard error.
        for format in ["openssl", "certreq"] {
            let result = try CLI.run(["names", "--pool", "p.contoso.com", "--ad-domain=-bad.com", "--format", format])
            #expect(result.status == 2, "\(format): \(result.stdout)")
            #expect(result.stdout.isEmpty && result.stderr.contains("is not a valid"), "\(format): \(result.stderr)")
        }
        #expect(throws: DomainName.Invalid.self) { try DomainName.host("a\nb") }
        let verify = try CLI.run(["verify", repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path, "--host", "a\nb"])
        #expect(verify.status == 2 && verify.stderr.contains("--host"), "\(verify.stderr)")
        // The library's last guard: a plan built from unchecked values still writes only LDH names.
        let plan = NamePlan(Deployment(adDomains: ["contoso.com"], sipDomains: ["x\n[ext]"], pool: "p.contoso.com\n[req]"))
        for text in [plan.opensslConfig(), plan.certreqINF()] {
            #expect(!text.contains("[ext]\n[") && text.components(separatedBy: "[req]").count <= 2, "\(text)")
            #expect(!text.contains("x\n"), "\(text)")
        }
        let file = try makeTemporaryDirectory("bad-pool")
        try file.write("d.yaml", "pool: \"p.contoso.com\\n[ext]\"\nservers: [{host: a}]\nfleet: [{device: cx700}]\n")
        let audit = #expect(throws: AuditError.self) {
            try DeploymentFile(yaml: try String(contentsOf: file.appendingPathComponent("d.yaml"), encoding: .utf8))
        }
        #expect(audit?.description.contains("not a valid DNS name") == true, "\(String(describing: audit))")
    }
}

@Suite("Boot inputs: domain names")
struct BootNameTests {
    @Test("11. boot's domains enter as A-labels too; a non-name is still refused")
    func bootIDN() throws {
        let inputs = try BootInputs(sipDomain: "Bücher.de", dhcpDomain: "münchen.de", searchDomains: ["例え.テスト"])
        #expect(inputs.sipDomain == "xn--bcher-kva.de" && inputs.dhcpDomain == "xn--mnchen-3ya.de")
        #expect(inputs.searchDomains == ["xn--r8jz45g.xn--zckzah"])
        #expect(throws: BootError.self) { try BootInputs(sipDomain: "contoso.com\n[x]") }
    }
}
