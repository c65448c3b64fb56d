import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The phone's state (issue 26): the data that says when a phone can hold which root, and the judgement of a chain
/// with the roots the phone holds in a phase. No server: the chain is the test PKI's leaf for ucupdates-r2.
@Suite("Phone state: phases, held roots, root-not-held-yet, held-root-stale and external-root-not-learned")
struct PhoneStateTests {
    static let host = "ucupdates-r2.contoso.com"

    /// The test PKI's Device Update chain (leaf and issuing CA, to the SHA-256 enterprise root), judged for an LPE build.
    func verify(_ profile: DeviceProfile) throws -> ([TrustAnchor]) -> Verdict? {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")
        let inter = try pki.certificate("inter.pem")
        return { anchors in
            Verifier.verify(
                VerificationRequest(leaf: leaf, intermediates: [inter], anchors: anchors, hosts: ["ucupdates-r2", Self.host]),
                profile: profile)
        }
    }

    func anchor(_ name: String, _ source: TrustSource) throws -> TrustAnchor {
        TrustAnchor(certificate: try TestPKI.get().certificate(name), source: source)
    }

    @Test("The data: Aries signs in by PIN by default, the CX700 by password; a fresh LPE phone downloads nothing at boot")
    func data() throws {
        let aries = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        let cx700 = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        #expect(PhoneLifecycle(aries).signInMethods == [.pin, .usb])
        #expect(PhoneLifecycle(cx700).defaultSignIn == .password)
        let boot = PhoneLifecycle(aries).downloads(in: .boot, signIn: .pin, network: .internal)
        #expect(boot.downloads.isEmpty && boot.rule?.confidence == .medium)
        #expect(PhoneLifecycle(aries).downloads(in: .signIn, signIn: .pin, network: .internal).downloads == [.certificateProvisioning])
        #expect(PhoneLifecycle(aries).downloads(in: .signIn, signIn: .pin, network: .external).downloads.isEmpty)
        // Every new row carries a source and a confidence, and every build resolves each new capability.
        let state: [Capability] = [
            .signInMethods, .rootDownloadAtBoot, .rootDownloadPin, .rootDownloadUsb, .rootDownloadPassword, .rootDownloadExternal,
            .rootsKeptUntilReset,
        ]
        for capability in state {
            for profile in [aries, cx700] {
                let rule = try #require(profile.facts[capability], "\(capability) for \(profile.name)")
                #expect(!rule.source.isEmpty)
            }
        }
    }

    @Test("A bad row fails when the data loads, naming its file and row")
    func badRow() {
        let json = """
            {"capabilities": [{"capability": "signInMethods", "from": "0", "through": "99", "families": ["*"],
              "value": ["pin", "carrier-pigeon"], "source": "test", "confidence": "low"}]}
            """
        var knowledge = DeviceKnowledgeBase.builtIn
        #expect {
            try knowledge.merge(userJSON: Array(json.utf8), file: "site.json")
        } throws: { error in
            "\(error)".contains("site.json, capabilities[0] (signInMethods)") && "\(error)".contains("carrier-pigeon")
        }
    }

    @Test("A fresh Aries phone: Device Update on an enterprise root is root-not-held-yet at boot, and fine after sign-in")
    func freshPhone() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        let verify = try verify(profile)
        let root = try anchor("root.pem", .certificateProvisioning("captured answer"))
        var state = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [], signIn: nil, network: .internal)
        #expect(state.phase == .fresh && state.signIn == .pin && state.roots.allSatisfy { $0.acquired == .factory })

        let boot = RootTiming.judge(
            host: Self.host, phase: .boot, state: state, later: ([root], .signIn), elsewhere: [], profile: profile, vocabulary: .plain,
            verify: verify)
        #expect(boot.verdict?.isTrusted == false)
        let finding = try #require(boot.finding)
        #expect(finding.code == .rootNotHeldYet && finding.severity == .error)
        guard case .heldRoots(Self.host, .boot, let needed, _, _, .signIn, let rule?) = finding.detail.walkFacts else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(needed == ["Contoso Root CA"] && rule.capability == .rootDownloadAtBoot)
        #expect(finding.remedy.contains("built-in cache") && finding.remedy.contains("sign-in"))
        #expect(finding.deviceSymptom?.contains("0x2F0D") == true)
        _ = try FindingDetailTests.check([finding], "root-not-held-yet")

        // The sign-in attempt downloads the root; once signed in, the same server is trusted.
        state.phase = .signedIn
        state.hold(HeldRoot(anchor: root, acquired: .signIn))
        let signedIn = RootTiming.judge(
            host: Self.host, phase: .signedIn, state: state, later: nil, elsewhere: [], profile: profile, vocabulary: .plain,
            verify: verify)
        #expect(signedIn.verdict?.isTrusted == true && signedIn.finding == nil)
    }

    @Test("The starting roots: the built-in cache, then the given and the held ones, each certificate once, in that order")
    func startingRoots() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        #expect(profile.usesBuiltInCache)
        let cached = try #require(TrustAnchor.builtInCache.first)
        let root = try anchor("root.pem", .user(file: "root.pem"))
        let old = try anchor("root-sha1.pem", .heldRoot(file: "old-root.pem"))
        // A given root that is in the cache already, a given root twice, and a held root that was also given.
        let state = PhoneState.start(
            profile: profile, signedIn: false, trusted: [cached, root, root], held: [old, root], signIn: nil, network: .internal)
        var expected: [HeldRoot] = []
        for held in TrustAnchor.builtInCache.map({ HeldRoot(anchor: $0, acquired: .factory) }) + [
            HeldRoot(anchor: root, acquired: .given), HeldRoot(anchor: old, acquired: .earlierSignIn),
        ] where !expected.contains(where: { $0.anchor.certificate == held.anchor.certificate }) {
            expected.append(held)
        }
        #expect(state.roots == expected)
        #expect(state.roots.count == Set(TrustAnchor.builtInCache.map(\.certificate)).count + 2)
        // Two phones start from equal states; one holding a new root does not change the other's.
        var first = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [], signIn: nil, network: .internal)
        let second = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [], signIn: nil, network: .internal)
        #expect(first == second && first.roots.allSatisfy { $0.acquired == .factory })
        first.hold(HeldRoot(anchor: root, acquired: .signIn))
        #expect(first.roots.count == second.roots.count + 1 && second.roots.allSatisfy { $0.acquired == .factory })
    }

    @Test("The same phone holding the root (--held-root) is fine at boot")
    func heldRoot() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        let root = try anchor("root.pem", .heldRoot(file: "root.pem"))
        let state = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [root], signIn: nil, network: .internal)
        let boot = RootTiming.judge(
            host: Self.host, phase: .boot, state: state, later: ([root], .signIn), elsewhere: [], profile: profile, vocabulary: .plain,
            verify: try verify(profile))
        #expect(boot.verdict?.isTrusted == true && boot.finding == nil)
    }

    @Test("A signed-in phone holding an old root while the servers moved to a new one is held-root-stale")
    func staleRoot() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        let old = try anchor("root-sha1.pem", .heldRoot(file: "old-root.pem"))
        let new = try anchor("root.pem", .certificateProvisioning("captured answer"))
        let state = PhoneState.start(profile: profile, signedIn: true, trusted: [], held: [old], signIn: .pin, network: .internal)
        let judged = RootTiming.judge(
            host: Self.host, phase: .boot, state: state, later: nil, elsewhere: [new], profile: profile, vocabulary: .plain,
            verify: try verify(profile))
        #expect(judged.verdict?.isTrusted == false)
        let finding = try #require(judged.finding)
        #expect(finding.code == .heldRootStale && finding.severity == .error)
        #expect(finding.remedy.lowercased().contains("reset"))
        #expect(finding.message.contains("Contoso Root CA SHA1"))
        _ = try FindingDetailTests.check([finding], "held-root-stale")
        // A fresh phone is not stale: it looks at its next sign-in.
        let fresh = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [old], signIn: .pin, network: .internal)
        #expect(
            RootTiming.judge(
                host: Self.host, phase: .signIn, state: fresh, later: nil, elsewhere: [new], profile: profile, vocabulary: .plain,
                verify: try verify(profile)
            ).finding == nil)
    }

    @Test("A phone outside the network whose server chains to a root it could only learn inside is external-root-not-learned")
    func externalRoot() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        let verify = try verify(profile)
        let inside = try anchor("root.pem", .certificateProvisioning("captured answer"))
        #expect(PhoneLifecycle(profile).downloads(in: .signIn, signIn: .pin, network: .external).downloads.isEmpty)
        for signedIn in [false, true] {
            let state = PhoneState.start(profile: profile, signedIn: signedIn, trusted: [], held: [], signIn: nil, network: .external)
            let judged = RootTiming.judge(
                host: Self.host, phase: .boot, state: state, later: nil, elsewhere: [inside], profile: profile, vocabulary: .plain,
                verify: verify)
            #expect(judged.verdict?.isTrusted == false && judged.otherwise?.isTrusted == true)
            let finding = try #require(judged.finding, "signed in before: \(signedIn)")
            #expect(finding.code == .externalRootNotLearned && finding.severity == .error)
            guard case .heldRoots(Self.host, .boot, let needed, let neededFrom, _, nil, let rule?) = finding.detail.walkFacts else {
                Issue.record("detail: \(finding.detail)")
                continue
            }
            #expect(needed == ["Contoso Root CA"] && neededFrom == ["Certificate Provisioning service (captured answer)"])
            #expect(rule.capability == .rootDownloadExternal && rule.confidence == .medium)
            #expect(finding.message.contains("outside the network") && finding.message.contains("built-in cache"), "\(finding.message)")
            #expect(finding.remedy.contains("internal network") && finding.remedy.contains("built-in cache"), "\(finding.remedy)")
            #expect(finding.deviceSymptom?.contains("Cannot validate server certificate") == true)
            _ = try FindingDetailTests.check([finding], "external-root-not-learned")
        }
        // The root learned inside before (held): trusted outside too.
        let learned = try anchor("root.pem", .heldRoot(file: "root.pem"))
        let held = PhoneState.start(profile: profile, signedIn: true, trusted: [], held: [learned], signIn: nil, network: .external)
        let fine = RootTiming.judge(
            host: Self.host, phase: .boot, state: held, later: nil, elsewhere: [inside], profile: profile, vocabulary: .plain,
            verify: verify)
        #expect(fine.verdict?.isTrusted == true && fine.finding == nil)
        // On the internal network the same fresh phone is not this finding: it downloads the root at sign-in.
        let onTheInside = PhoneState.start(profile: profile, signedIn: false, trusted: [], held: [], signIn: nil, network: .internal)
        let inner = RootTiming.judge(
            host: Self.host, phase: .boot, state: onTheInside, later: ([inside], .signIn), elsewhere: [], profile: profile,
            vocabulary: .plain, verify: verify)
        #expect(inner.finding?.code == .rootNotHeldYet)
    }

    @Test("A deployment file's boot: section sets the same state as the options; a bad word is refused with its place")
    func deploymentFileState() throws {
        let folder = try makeTemporaryDirectory("phone-state-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("old-root.pem", Array(try String(contentsOf: TestPKI.get().url("root.pem"), encoding: .utf8).utf8))
        func file(_ state: String) throws(AuditError) -> DeploymentFile {
            try DeploymentFile(
                yaml: """
                    sipDomains: [fabrikam.com]
                    adDomains: [contoso.com]
                    fleet: [{device: hp4120, firmware: 4.0.7577.4387}]
                    servers: []
                    boot:
                    \(state)
                    """)
        }
        let site = try BootWalker.Configuration(
            deployment: try file("  signedIn: true\n  heldRoots: [old-root.pem]\n  signIn: usb\n  network: external"), base: folder)
        #expect(site.signedIn && site.signIn == .usb && site.network == .external)
        #expect(site.heldRoots.map(\.source) == [.heldRoot(file: "old-root.pem")])
        #expect(site.heldRoots.first?.certificate.subject.displayName == "Contoso Root CA")
        let plain = try BootWalker.Configuration(deployment: try file("  smtpDomain: fabrikam.com"), base: folder)
        #expect(!plain.signedIn && plain.heldRoots.isEmpty && plain.signIn == nil && plain.network == .internal)
        for (bad, key) in [
            ("  signIn: carrier-pigeon", "boot.signIn"), ("  network: outside", "boot.network"), ("  signedIn: maybe", "boot.signedIn"),
        ] {
            #expect {
                _ = try file(bad)
            } throws: { error in
                "\(error)".contains("line 6, column") && "\(error)".contains(key)
            }
        }
        #expect {
            _ = try file("  signin: pin")
        } throws: { error in
            "\(error)".contains("unknown key 'signin'") && "\(error)".contains("did you mean 'signIn'?")
        }
        #expect(throws: AuditError.self) {
            _ = try BootWalker.Configuration(deployment: try file("  heldRoots: [missing.pem]"), base: folder)
        }
    }

    /// A deployment whose pool certificate (`boot-pool.pem`) chains to `root-sha1.pem`, published in an AD snapshot, for an
    /// Aries build (PIN: Certificate Provisioning only) and an LPE CX700 (password: the directory too).
    func audit(_ state: String, folder: URL, arguments: [String] = []) throws -> [String: [String]] {
        let pki = try BootFixtures.directory()
        let root = try TestPKI.get().certificate("root-sha1.pem")
        let entry = DirectoryEntry(
            dn:
                "CN=Contoso Root CA SHA1,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com",
            attributes: ["cn": [Array("Contoso Root CA SHA1".utf8)], "cACertificate": [root.der]])
        try folder.write("snapshot.ldif", DirectorySnapshot(certificationAuthorities: [entry], enrollmentServices: []).ldif)
        try folder.write(
            "deployment.yaml",
            """
            sipDomains: [fabrikam.com]
            adDomains: [contoso.com]
            servers: [{name: pool, certificate: \(pki.appendingPathComponent("boot-pool.pem").path), names: [pool01.contoso.com]}]
            fleet: [{device: hp4120, firmware: 4.0.7577.4387}, {device: cx700, firmware: 4.0.7577.4463}]
            trust: {adSnapshot: snapshot.ldif}
            boot:
              smtpDomain: fabrikam.com
            \(state)
            """)
        let result = try CLI.run(["audit", folder.appendingPathComponent("deployment.yaml").path, "--json"] + arguments)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let server = try #require((object["servers"] as? [[String: Any]])?.first)
        var codes: [String: [String]] = [:]
        for result in server["results"] as? [[String: Any]] ?? [] {
            let client = (result["profile"] as? String) ?? "?"
            let trusted = (result["trusted"] as? Bool) == true
            codes[String(client.prefix(while: { $0 != " " }))] =
                (trusted ? ["trusted"] : []) + ((result["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
        }
        return codes
    }

    @Test("audit with a phone state judges each build with the roots it holds: stale, external, and the sign-in's downloads")
    func auditState() throws {
        let folder = try makeTemporaryDirectory("phone-state-audit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try TestPKI.get()
        // No state: every root counts for every build, as before.
        let plain = try audit("", folder: folder)
        #expect(plain["hp4120"]?.contains("trusted") == true && plain["cx700"]?.contains("trusted") == true, "\(plain)")
        // A PIN sign-in does not download the directory's roots; a password sign-in does.
        let fresh = try audit("  network: internal", folder: folder)
        #expect(fresh["hp4120"]?.contains("trusted") == false && fresh["cx700"]?.contains("trusted") == true, "\(fresh)")
        // Outside, the CX700 never learned the directory's root.
        let outside = try audit("", folder: folder, arguments: ["--network", "external"])
        #expect(outside["cx700"]?.contains("external-root-not-learned") == true, "\(outside)")
        #expect(outside["hp4120"]?.contains("external-root-not-learned") == false, "\(outside)")
        // Signed in with the old root: stale for the CX700 until reset; with the new one held, trusted.
        let stale = try audit("  signedIn: true\n  heldRoots: [\(pki.url("root.pem").path)]", folder: folder)
        #expect(stale["cx700"]?.contains("held-root-stale") == true, "\(stale)")
        let held = try audit("  signedIn: true", folder: folder, arguments: ["--held-root", pki.url("root-sha1.pem").path])
        #expect(held["cx700"]?.contains("trusted") == true && held["hp4120"]?.contains("trusted") == true, "\(held)")
        // A captured Certificate Provisioning answer is what the PIN sign-in downloads.
        let provisioned = try audit("  certprovResponse: \(pki.url("root-sha1.pem").path)\n  signIn: pin", folder: folder)
        #expect(provisioned["hp4120"]?.contains("trusted") == true, "\(provisioned)")
        let bogus = try CLI.run(["audit", folder.appendingPathComponent("deployment.yaml").path, "--sign-in", "carrier-pigeon"])
        #expect(bogus.status == 2 && bogus.stderr.contains("--sign-in takes pin, usb or password"), "\(bogus.stderr)")
    }
}

/// The judge's one rule for DHCP and for a step: the live walk and the capture ask it alike.
@Suite("One judge: DHCP answers and steps judged once for boot and trace")
struct JudgeRuleTests {
    /// One answer to `MS-UC-Client` with option 15 and neither 43 nor 120.
    static func exchange() -> DHCPExchange {
        let ack = DHCPMessage(
            op: 2, transactionID: 7, hardwareAddress: TestCapture.phoneMAC, options: [(53, [5]), (15, Array("contoso.com".utf8))])
        return DHCPExchange(
            interface: nil, clientAddress: "10.0.0.2",
            answers: [DHCPAnswer(server: "10.0.0.1", vendorClass: DHCPExchange.ucVendorClass, message: ack, elapsed: 0)])
    }

    @Test("Option 120 findings only for a build that reads option 120; option 43's FQDN against the deployment's")
    func dhcpRule() throws {
        let exchange = Self.exchange()
        #expect(exchange.findings.contains { $0.code == .dhcpOption120Missing })
        let old = try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35")
        let lync = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        var judge = PhoneJudge(profile: old, state: PhoneStart().state(profile: old, trusted: []))
        let judged = judge.judge(exchange)
        #expect(judged.option120LeftOut && !judged.findings.contains { $0.code == .dhcpOption120Missing })
        #expect(judge.dhcp?.phoneAnswer?.options.domainName == "contoso.com")
        var reads = PhoneJudge(profile: lync, state: PhoneStart().state(profile: lync, trusted: []))
        let kept = reads.judge(exchange, expectedWebServices: "pool01.contoso.com")
        #expect(!kept.option120LeftOut && kept.findings.contains { $0.code == .dhcpOption120Missing })
        #expect(!kept.findings.contains { $0.code == .dhcpOption43WebFQDN }, "no option 43: nothing to compare")
    }

    @Test("Evidence queued out of order is taken in time order, each piece when the replay reaches its time")
    func queuedEvidence() throws {
        let profile = try DeviceProfile.resolve(device: "hp4120", firmware: "4.0.7577.4387")
        var judge = PhoneJudge(profile: profile, state: PhoneStart().state(profile: profile, trusted: []))
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        let root = TrustAnchor(certificate: try TestPKI.get().certificate("root-sha1.pem"), source: .download(url: "http://x/root.p7b"))
        func reading(_ kind: TimeEvidence.Kind, _ offset: TimeInterval, at seconds: TimeInterval) -> Evidence {
            .time(TimeEvidence(kind: kind, offset: offset, source: .phoneReading(at: start + seconds), at: start + seconds))
        }
        judge.queue([.roots([root], at: start + 20), reading(.answer, 5, at: 10), reading(.phoneReading, 600, at: 1)])
        judge.advance(through: start + 5)
        #expect(judge.clock?.offset == 600 && judge.pending.count == 2)
        #expect(!judge.state.anchors.contains(root))
        judge.advance(through: start + 20)
        #expect(judge.clock?.offset == 5 && judge.pending.isEmpty)
        #expect(judge.state.roots.last == HeldRoot(anchor: root, acquired: .signIn))
        #expect(judge.heldRoots.roots.map(\.certificate) == [root.certificate] && judge.heldRoots.cache > 0)
    }

    @Test("An LDAP read is evidence: the judge derives its roots, placeholders skipped and each root once, for boot and trace")
    func directoryRead() throws {
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        let (root, other) = (try TestPKI.get().certificate("root-sha1.pem"), try TestPKI.get().certificate("root.pem"))
        // As a capture decodes it (the option spelt) and as a snapshot holds it: the same roots, by the same rule.
        let dn = "CN=Contoso,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com"
        let read = DirectoryRead(
            place: "LDAP 10.0.0.1:389 \(dn)",
            entries: [
                DirectoryEntry(dn: dn, attributes: ["cACertificate": [[0], root.der, root.der]]),
                DirectoryEntry(dn: "CN=AIA", attributes: ["cacertificate": [other.der, [0x30, 0x00]], "cn": [Array("AIA".utf8)]]),
            ])
        let snapshot = try DirectorySnapshot(ldif: DirectorySnapshot(certificationAuthorities: read.entries, enrollmentServices: []).ldif)
        #expect(PhoneJudge.roots(in: read).map(\.certificate) == [root, other])
        #expect(PhoneJudge.roots(in: DirectoryRead(snapshot, place: "snapshot s.ldif")).map(\.certificate) == [root, other])
        #expect(PhoneJudge.roots(in: read).allSatisfy { $0.source == .activeDirectory(read.place) })
        var judge = PhoneJudge(profile: profile, state: PhoneStart().state(profile: profile, trusted: []))
        let before = judge.state.roots.count
        judge.record(.directory(read, at: Date()))
        #expect(judge.state.roots.count == before + 2)
        #expect(judge.heldRoots.roots.map(\.source) == ["Active Directory (\(read.place))", "Active Directory (\(read.place))"])
        // A read the judge is told of ahead is what a fresh phone's sign-in would download, not what it holds.
        let ahead = PhoneJudge(
            profile: profile, state: PhoneStart().state(profile: profile, trusted: []), sources: .init(directory: [read]))
        #expect(ahead.state.roots.count == before)
        #expect(ahead.downloadable(in: .signIn).map(\.certificate) == [root, other])
    }

    @Test("DNS questions are evidence the judge records: out of the build's order they are dns-order-differs, in it nothing")
    func dnsEvidence() throws {
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        func judged(_ names: [String]) -> PhoneJudge {
            var judge = PhoneJudge(profile: profile, state: PhoneStart().state(profile: profile, trusted: []), phased: false)
            for (offset, name) in names.enumerated() {
                let query = BootQuery(name: name, type: .srv, server: nil, answer: .nxdomain, purpose: "asked")
                judge.record(.dns(query, at: Date(timeIntervalSince1970: 1_764_000_000 + Double(offset))))
            }
            return judge
        }
        let inOrder = judged(["_sipinternaltls._tcp.contoso.com", "_sip._tls.contoso.com"])
        #expect(inOrder.asked.map(\.name) == ["_sipinternaltls._tcp.contoso.com", "_sip._tls.contoso.com"])
        #expect(inOrder.dnsOrder().isEmpty)
        let reversed = judged(["_sip._tls.contoso.com", "_sipinternaltls._tcp.contoso.com"])
        #expect(reversed.dnsOrder().map(\.code) == [.dnsOrderDiffers])
        // The names a handshake to an address may have used: those an answer recorded by then gave it.
        var judge = judged([])
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        for (name, at) in [("pool01.contoso.com", 1.0), ("sip.contoso.com", 5.0), ("pool01.contoso.com", 6.0)] {
            let query = BootQuery(name: name, type: .a, server: nil, answer: .addresses(["10.0.0.5"]), purpose: "asked")
            judge.record(.dns(query, at: start + at))
        }
        #expect(judge.names(resolving: "10.0.0.5", by: start + 2) == ["pool01.contoso.com"])
        #expect(judge.names(resolving: "10.0.0.5", by: start + 9) == ["pool01.contoso.com", "sip.contoso.com"])
        #expect(judge.names(resolving: "10.0.0.6", by: start + 9).isEmpty)
    }

    @Test("trace leaves out option 120 findings for a build that does not read option 120, as boot does")
    func traceDHCP() throws {
        func trace(_ firmware: String) throws -> BootStep {
            let ack = DHCPMessage(
                op: 2, transactionID: 7, hardwareAddress: TestCapture.phoneMAC,
                options: [(53, [5]), (15, Array("contoso.com".utf8)), (54, CaptureIndexTests.dnsServer)])
            let (phone, server) = (CaptureIndexTests.phone, CaptureIndexTests.dnsServer)
            let bytes = CaptureIndexTests.pcap([
                (0, TestCapture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: CaptureIndexTests.inform())),
                (0.1, TestCapture.frame(from: server, 67, to: phone, 68, payload: ack.encoded())),
            ])
            let report = try CaptureIndexTests.read(bytes, options: .init(device: "cx700", firmware: firmware))
            return try #require(report.phones.first?.trace.step(.dhcp), "\(report.phones.map(\.phone))")
        }
        let old = try trace("3.5.6907.35")
        #expect(!old.findings.contains { $0.code == .dhcpOption120Missing }, "\(old.findings.map(\.code))")
        #expect(old.notes.contains(BootWalker.option120LeftOut) && old.phase == nil)
        let lync = try trace("4.0.7577.4463")
        #expect(lync.findings.contains { $0.code == .dhcpOption120Missing }, "\(lync.findings.map(\.code))")
    }
}
