import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// `cxcert boot` with the phone's state (issue 26) against dnsmasq and `openssl s_server`: an Aries/LPE phone whose
/// pool and Device Update server (`boot-pool.pem`) chain to the enterprise root `root-sha1.pem`, which the phone gets
/// only from a sign-in's download (here a captured Certificate Provisioning answer, or an AD snapshot).
@Suite("cxcert boot: the phone's state in the lab", .serialized, .integration, .tags(.integration))
struct PhoneStateLabTests {
    static let aries = ["--device", "hp4120", "--firmware", "4.0.7577.4387"]

    /// The lab: pool, web services and Device Update on .10 (5061 and 443), a DC record on .12 for the DC locator.
    func lab() throws -> (BootLab, DNSServer) {
        let lab = try BootLab()
        let pki = try BootFixtures.directory()
        let dns = try lab.dns([
            "host-record=pool01.contoso.com,\(lab.address(10))", "host-record=sip.fabrikam.com,\(lab.address(10))",
            "host-record=ucupdates-r2.contoso.com,\(lab.address(10))", "host-record=dc01.contoso.com,\(lab.address(12))",
            "host-record=contoso.com,\(lab.address(12))", "srv-host=_sipinternaltls._tcp.fabrikam.com,sip.fabrikam.com,5061,0,0",
            "srv-host=_ldap._tcp.dc._msdcs.contoso.com,dc01.contoso.com,389",
        ])
        try lab.tls(at: 10, port: 5061, certificate: "boot-pool.pem", key: "leaf.key", in: pki)
        try lab.tls(at: 10, port: 443, certificate: "boot-pool.pem", key: "leaf.key", in: pki)
        return (lab, dns)
    }

    /// `cxcert boot --json` in the lab; the steps of its one build, and the build's state.
    func boot(_ dns: DNSServer, _ extra: [String]) throws -> (status: Int32, steps: [[String: Any]], state: [String: Any]) {
        let pki = try TestPKI.get()
        let arguments =
            [
                "boot", "--sip-domain", "fabrikam.com", "--dhcp-domain", "contoso.com", "--web-fqdn", "pool01.contoso.com",
                "--dns-server", dns.description, "--timeout", "2", "--json", "--no-certprov", "--certprov-response",
                pki.url("root-sha1.pem").path,
            ] + extra
        let result = try CLI.run(arguments)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.status) \(result.stderr)")
        let build = try #require((object["builds"] as? [[String: Any]])?.first)
        return (result.status, try #require(build["steps"] as? [[String: Any]]), try #require(build["state"] as? [String: Any]))
    }

    func step(_ steps: [[String: Any]], _ kind: String, _ phase: String) throws -> [String: Any] {
        try #require(steps.first { $0["step"] as? String == kind && $0["phase"] as? String == phase }, "no \(kind) step \(phase)")
    }

    func codes(_ step: [String: Any]) -> Set<String> {
        Set((step["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
    }

    /// The verdicts of the step's TLS endpoints (plain-HTTP reachability on port 80 has none).
    func trusted(_ step: [String: Any]) -> [Bool] {
        (step["endpoints"] as? [[String: Any]] ?? []).compactMap { ($0["verdict"] as? [String: Any])?["trusted"] as? Bool }
    }

    @Test("A fresh Aries phone: Device Update on the enterprise root is root-not-held-yet at boot and trusted once signed in")
    func freshPhone() throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let run = try boot(dns, Self.aries)
        #expect(run.state["phase"] as? String == "fresh" && run.state["signIn"] as? String == "pin")
        let atBoot = try step(run.steps, "device-update", "boot")
        #expect(codes(atBoot).contains("root-not-held-yet"), "\(atBoot)")
        #expect(trusted(atBoot) == [false])
        let signedIn = try step(run.steps, "device-update", "signed-in")
        #expect(trusted(signedIn) == [true] && !codes(signedIn).contains("root-not-held-yet"), "\(signedIn)")
        #expect(trusted(try step(run.steps, "registrar-tls", "sign-in")) == [true])
        #expect(run.status == 1, "root-not-held-yet is an error")
    }

    @Test("The same phone holding the root (--held-root) is trusted at boot")
    func heldRoot() throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let run = try boot(dns, Self.aries + ["--held-root", try TestPKI.get().url("root-sha1.pem").path])
        let atBoot = try step(run.steps, "device-update", "boot")
        #expect(trusted(atBoot) == [true] && codes(atBoot).isDisjoint(with: ["root-not-held-yet", "untrusted-root"]), "\(atBoot)")
        let held = try #require(run.state["heldRoots"] as? [[String: Any]])
        #expect(
            held.contains { $0["acquired"] as? String == "earlier-sign-in" && ($0["source"] as? String)?.hasPrefix("--held-root") == true })
    }

    @Test("A signed-in phone holding an old root while the servers moved to a new one is held-root-stale")
    func staleRoot() throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let run = try boot(dns, Self.aries + ["--signed-in", "--held-root", try TestPKI.get().url("root.pem").path])
        #expect(run.state["phase"] as? String == "signed-in")
        for (kind, phase) in [("device-update", "boot"), ("registrar-tls", "signed-in")] {
            let judged = try step(run.steps, kind, phase)
            #expect(codes(judged).contains("held-root-stale") && trusted(judged) == [false], "\(kind): \(judged)")
        }
        let roots = try step(run.steps, "roots", "signed-in")
        #expect((roots["notes"] as? [String])?.contains { $0.contains("does not download again until it is reset") } == true)
        #expect(run.status == 1)
    }

    @Test("A phone outside the network that never learned the enterprise root is external-root-not-learned")
    func external() throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let run = try boot(dns, Self.aries + ["--network", "external"])
        #expect(run.state["network"] as? String == "external")
        for (kind, phase) in [("device-update", "boot"), ("registrar-tls", "sign-in")] {
            let judged = try step(run.steps, kind, phase)
            #expect(codes(judged).contains("external-root-not-learned") && trusted(judged) == [false], "\(kind): \(judged)")
            let finding = (judged["findings"] as? [[String: Any]])?.first { $0["code"] as? String == "external-root-not-learned" }
            #expect((finding?["remedy"] as? String)?.contains("internal network") == true, "\(finding ?? [:])")
        }
        // Held from an earlier sign-in inside, the root is trusted outside too.
        let learned = try boot(dns, Self.aries + ["--network", "external", "--held-root", try TestPKI.get().url("root-sha1.pem").path])
        #expect(trusted(try step(learned.steps, "registrar-tls", "sign-in")) == [true])
        #expect(!learned.steps.contains { codes($0).contains("external-root-not-learned") })
    }

    @Test("boot --deployment: the boot: section's state is the walk's, and the options win over it (held roots add up)")
    func deploymentState() throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let pki = try TestPKI.get()
        let file = lab.directory.appendingPathComponent("deployment.yaml")
        try Data(
            """
            sipDomains: [fabrikam.com]
            adDomains: [contoso.com]
            fleet: [{device: hp4120, firmware: 4.0.7577.4387}]
            servers: []
            boot:
              webFQDN: pool01.contoso.com
              dnsServers: ['\(dns.description)']
              certprovResponse: \(pki.url("root-sha1.pem").path)
              signedIn: true
              heldRoots: [\(pki.url("root.pem").path)]
              signIn: pin
              network: internal
            """.utf8
        ).write(to: file)
        func walk(_ extra: [String]) throws -> (steps: [[String: Any]], state: [String: Any]) {
            let result = try CLI.run(["boot", "--deployment", file.path, "--timeout", "2", "--json", "--no-certprov"] + extra)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.status) \(result.stderr)")
            let build = try #require((object["builds"] as? [[String: Any]])?.first)
            return (try #require(build["steps"] as? [[String: Any]]), try #require(build["state"] as? [String: Any]))
        }
        let fromFile = try walk([])
        #expect(fromFile.state["phase"] as? String == "signed-in" && fromFile.state["signIn"] as? String == "pin")
        #expect(codes(try step(fromFile.steps, "registrar-tls", "signed-in")).contains("held-root-stale"))
        // The command line adds the new root to the held ones: trusted; and --network external overrides the file.
        let added = try walk(["--held-root", pki.url("root-sha1.pem").path, "--network", "external"])
        #expect(added.state["network"] as? String == "external")
        #expect((added.state["heldRoots"] as? [[String: Any]])?.filter { $0["acquired"] as? String == "earlier-sign-in" }.count == 2)
        #expect(trusted(try step(added.steps, "registrar-tls", "signed-in")) == [true])
    }

    @Test("audit probes s_server and judges it with the roots a phone in the given state holds")
    func auditProbe() throws {
        let (lab, _) = try lab()
        defer { lab.stop() }
        let pki = try TestPKI.get()
        let file = lab.directory.appendingPathComponent("audit.yaml")
        try Data(
            """
            sipDomains: [fabrikam.com]
            adDomains: [contoso.com]
            servers: [{name: pool, host: \(lab.address(10)), port: 443, names: [pool01.contoso.com]}]
            fleet: [{device: cx700, firmware: 4.0.7577.4463}]
            trust: {adSnapshot: \(try snapshot(lab, root: "root-sha1.pem"))}
            timeout: 3
            """.utf8
        ).write(to: file)
        func codes(_ extra: [String]) throws -> (Int32, [String]) {
            let result = try CLI.run(["audit", file.path, "--json"] + extra)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.status) \(result.stderr)")
            let verdict = try #require(((object["servers"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
            return (result.status, (verdict["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
        }
        #expect(try codes([]).0 == 0)
        let outside = try codes(["--network", "external"])
        #expect(outside.0 == 1 && outside.1.contains("external-root-not-learned"), "\(outside)")
        let stale = try codes(["--signed-in", "--held-root", pki.url("root.pem").path])
        #expect(stale.0 == 1 && stale.1.contains("held-root-stale"), "\(stale)")
        #expect(try codes(["--signed-in", "--held-root", pki.url("root-sha1.pem").path]).0 == 0)
    }

    /// An AD snapshot holding `root` (by default `root.pem`, while the captured Certificate Provisioning answer holds
    /// `root-sha1.pem`), so each root says which download it came from.
    func snapshot(_ lab: BootLab, root: String = "root.pem") throws -> String {
        let entry = DirectoryEntry(
            dn: "CN=Contoso Root CA,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com",
            attributes: ["cn": [Array("Contoso Root CA".utf8)], "cACertificate": [try TestPKI.get().certificate(root).der]])
        let file = lab.directory.appendingPathComponent("snapshot.ldif")
        try Data(DirectorySnapshot(certificationAuthorities: [entry], enrollmentServices: []).ldif.utf8).write(to: file)
        return file.path
    }

    @Test(
        "A PIN sign-in and a password (or USB) sign-in download from where the data says",
        arguments: [
            (["--device", "hp4120", "--firmware", "4.0.7577.4387", "--sign-in", "pin"], SignInMethod.pin),
            (["--device", "hp4120", "--firmware", "4.0.7577.4387", "--sign-in", "usb"], .usb),
            (["--device", "cx700", "--firmware", "3.5.6907.35", "--sign-in", "password"], .password),
            (["--device", "cx700", "--firmware", "4.0.7577.4463", "--sign-in", "password"], .password),
        ])
    func downloadsBySignIn(client: [String], method: SignInMethod) throws {
        let (lab, dns) = try lab()
        defer { lab.stop() }
        let run = try boot(dns, client + ["--ad-snapshot", try snapshot(lab)])
        #expect(run.state["signIn"] as? String == method.rawValue)
        let sources = (try step(run.steps, "roots", "sign-in")["roots"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
        let profile = try DeviceProfile.resolve(device: client[1], firmware: client[3])
        let downloads = PhoneLifecycle(profile).downloads(in: .signIn, signIn: method, network: .internal).downloads
        let fromDirectory = sources.contains { $0.hasPrefix("Active Directory") }
        let fromCertProv = sources.contains { $0.hasPrefix("Certificate Provisioning service") }
        #expect(fromDirectory == downloads.contains(where: \.fromDirectory), "\(client): \(sources) vs \(downloads)")
        #expect(fromCertProv == downloads.contains(.certificateProvisioning), "\(client): \(sources) vs \(downloads)")
        // What the sources say, independent of how the data is read: PIN from Certificate Provisioning only; the
        // OCS-era CX700's password sign-in from the directory only.
        switch (method, client[3]) {
        case (.pin, _): #expect(fromCertProv && !fromDirectory, "\(sources)")
        case (.password, "3.5.6907.35"), (.usb, _): #expect(fromDirectory && !fromCertProv, "\(sources)")
        default: #expect(fromDirectory && fromCertProv, "\(sources)")
        }
    }
}
