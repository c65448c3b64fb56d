import Foundation
import Testing

@testable import CXCertCore
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

    @Test("cxcert names prints every format")
    func command() throws {
        let base = [
            "names", "--ad-domain", "contoso.com", "--ad-domain", "contoso.com;fabrikam.com", "--sip-domain", "fabrikam.com", "--pool",
            "pool01.contoso.com",
        ]
        #expect(try CLI.run(base + ["--format", "list"]).stdout.split(separator: "\n").map(String.init) == Self.expected.map(\.0))
        #expect(try CLI.run(base + ["--format", "certreq"]).stdout.contains("_continue_ = \"dns=ucupdates-r2&\""))
        #expect(try CLI.run(base + ["--format", "openssl"]).stdout.contains("DNS.5 = ucupdates-r2"))
        let json = try #require(try CLI.json(base + ["--json"]) as? [String: Any])
        #expect((json["names"] as? [[String: Any]])?.count == 6)
        #expect(try CLI.run(["names"]).status == 2)
    }
}
