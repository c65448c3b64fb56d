import CXCert
import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// Every finding's JSON `detail` is the README's contract: its `kind` is documented for its code, and every
/// key the README lists for that kind is present.
@Suite("Findings as data: the documented detail of every code")
struct FindingDetailTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.withScenarios() }

    /// The README's detail table: kind → (keys, codes).
    static func documented() throws -> [String: (keys: Set<String>, codes: Set<String>)] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "| `kind` | keys | codes |"))
        var table: [String: (Set<String>, Set<String>)] = [:]
        for line in readme[start.upperBound...].split(separator: "\n").dropFirst() {
            guard line.hasPrefix("| `") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func ticked(_ text: String) -> [String] {
                text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                    String($0.element)
                }
            }
            // Keys are the ticked words before any parenthesis of explanation.
            let keys = ticked(cells[1].replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression))
            table[ticked(cells[0])[0]] = (Set(keys), Set(ticked(cells[2])))
        }
        return table
    }

    /// Holds each finding's JSON `detail` to the README's table (its kind is documented for its code, with exactly
    /// the documented keys) and returns the codes seen. For the suites that produce findings of boot, dhcp and trace.
    static func check(_ findings: [Finding], _ context: String = "") throws -> Set<String> {
        let table = try documented()
        var seen: Set<String> = []
        for finding in findings {
            let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(finding)) as? [String: Any])
            let code = finding.code.rawValue
            let detail = try #require(json["detail"] as? [String: Any], "\(context) \(code): no detail")
            let kind = try #require(detail["kind"] as? String)
            let row = try #require(table[kind], "\(context) \(code): kind \(kind) is not in the README")
            #expect(row.codes.contains(code), "\(context): the README does not list \(code) under \(kind)")
            #expect(Set(detail.keys).subtracting(["kind"]) == row.keys, "\(context) \(code) \(kind): keys \(detail.keys.sorted())")
            // The wording comes from the detail: never empty, never the fallback.
            #expect(!finding.message.isEmpty && finding.message != "\(code).", "\(context) \(code): \(finding.message)")
            #expect(finding.remedy != "See the message.", "\(context) \(code): no remedy")
            seen.insert(code)
        }
        return seen
    }

    @Test("every finding of every scenario, for every profile, has a documented detail with all its keys")
    func detailsMatchTheReadme() throws {
        let table = try Self.documented()
        #expect(table.count >= 14)
        let leaves = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).filter { $0.hasSuffix(".pem") }.sorted()
        let anchors = try ["root", "root-sha1"].map { TrustAnchor(certificate: try pki.certificate("\($0).pem"), source: .user(file: $0)) }
        let intermediates = try ["inter", "v-sha1-inter"].map { try pki.certificate("\($0).pem") }
        var seen: Set<String> = []
        for file in leaves {
            guard let leaf = try? pki.certificate(file), !leaf.isCA else { continue }
            for (device, firmware) in [("generic", nil), ("cx700", "3.5.6907.35"), ("cx600", "4.0.7577.4463")] as [(String, String?)] {
                let request = VerificationRequest(
                    leaf: leaf, intermediates: intermediates, anchors: anchors, hosts: ["pool01.contoso.com", "10.9.9.9"],
                    time: Date().addingTimeInterval(file.hasPrefix("v-") ? 0 : 86_400))
                let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(VerdictReport.json([verdict]).utf8)) as? [String: Any])
                for finding in try #require(json["findings"] as? [[String: Any]]) {
                    let code = try #require(finding["code"] as? String)
                    let detail = try #require(finding["detail"] as? [String: Any], "\(file) \(code): no detail")
                    let kind = try #require(detail["kind"] as? String)
                    let row = try #require(table[kind], "\(file) \(code): kind \(kind) is not in the README")
                    #expect(row.codes.contains(code), "\(file): the README does not list \(code) under \(kind)")
                    #expect(Set(detail.keys).subtracting(["kind"]) == row.keys, "\(file) \(code) \(kind): keys \(detail.keys.sorted())")
                    seen.insert(code)
                }
            }
        }
        // The scenarios reach the common codes; each is asserted above.
        #expect(seen.isSuperset(of: ["missing-intermediate", "sha2-unsupported", "name-not-covered", "weak-signature"]), "\(seen)")
    }

    @Test("a sha2-unsupported finding names the first later build the data says validates SHA-2, and none when none does")
    func sha2UpgradeFromData() throws {
        let leaf = try pki.certificate("leaf.pem")
        let request = VerificationRequest(
            leaf: leaf, intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))])
        let old = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35"))
        let finding = try #require(old.findings.first { $0.code == .sha2Unsupported })
        guard case .algorithm(_, .signature, let rule?) = finding.detail, let first = rule.firstBuildWith else {
            Issue.record("detail: \(finding.detail)")
            return
        }
        #expect(first > FirmwareVersion("3.5.6907.35")!)
        let knowledge = DeviceKnowledgeBase.builtIn
        #expect(knowledge.rule(for: .sha2Signatures, version: first, family: "tanjay")?.value == .bool(true))
        #expect(finding.remedy.contains("update them to Lync Phone Edition \(first) or later"))
        var never = knowledge
        try never.override(.sha2Signatures, value: .bool(false))
        let stuck = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35", knowledge: never))
        let noUpgrade = try #require(stuck.findings.first { $0.code == .sha2Unsupported })
        #expect(!noUpgrade.remedy.contains("update them"))
    }
}

/// The findings of `dhcp`, `trace` and `boot` are data too: each kind in the README's table, with its keys.
@Suite("Findings as data: DHCP answers, captures and the discovery walk")
struct WalkFindingDetailTests {
    func bytes(_ hex: String) -> [UInt8] { DHCPExchange.bytes(hex: hex)! }

    /// An answer to the phone's INFORM (vendor class MS-UC-Client unless `vendorClass` says otherwise).
    func answer(_ server: String, _ options: [(UInt8, [UInt8])], vendorClass: String? = DHCPExchange.ucVendorClass) -> DHCPAnswer {
        DHCPAnswer(
            server: server, vendorClass: vendorClass,
            message: DHCPMessage(op: 2, transactionID: 1, hardwareAddress: [1, 2, 3, 4, 5, 6], options: [(53, [5])] + options), elapsed: 0)
    }

    @Test("dhcp: the seeds and the misconfigurations of the DHCP tests give documented details that carry the facts")
    func dhcp() throws {
        var findings: [Finding] = []
        // The recorded answers of dnsmasq (and a truncated option 43), as `dhcp decode` and the exchange read them.
        let seeds = repositoryRoot.appendingPathComponent("Fuzz/seeds/dhcp")
        for file in try FileManager.default.contentsOfDirectory(atPath: seeds.path).sorted() {
            let data = [UInt8](try Data(contentsOf: seeds.appendingPathComponent(file)))
            if file.hasPrefix("option43") {  // the option alone, as a router's table holds it
                findings += DHCPOptionsReport.checkProvisioning(UCProvisioning(data))
                continue
            }
            let message = try DHCPMessage(parsing: data)
            let report = DHCPOptionsReport(options: message.options, instances: message.instances)
            findings += report.findings + DHCPOptionsReport.checkProvisioning(report.provisioning)
            findings +=
                DHCPExchange(
                    interface: nil, clientAddress: nil,
                    answers: [DHCPAnswer(server: "192.0.2.1", vendorClass: DHCPExchange.ucVendorClass, message: message, elapsed: 0)]
                ).findings
        }
        let u43 = DHCPDecodeTests.dhcpUtil43
        let cases: [[UInt8: [UInt8]]] = [
            [
                43: bytes("010C4D532D55432D436C69656E74 0205 6874747073"), 119: Array("contoso.com;fabrikam.com".utf8),
                120: bytes("01 0A000005"),
            ],
            [43: bytes(u43.replacingOccurrences(of: "0403 343433", with: "0402 01BB")), 120: [0] + bytes("0161 00 0162 00 0163 00")],
            [43: bytes(u43.replacingOccurrences(of: "4D532D55432D436C69656E74", with: "6D732D75632D636C69656E74")), 15: bytes("2e2e2e00")],
            [43: bytes("0303612E2E 0402ABCD"), 6: bytes("0a0000"), 119: bytes("c0ff"), 120: bytes("00ff")],
            [43: Array(bytes(u43).prefix(60)), 120: bytes("03aa")],
        ]
        for options in cases {
            let report = DHCPOptionsReport(options: options)
            findings += report.findings + DHCPOptionsReport.checkProvisioning(report.provisioning)
        }
        findings += DHCPOptionsReport.checkProvisioning(nil)
        // Exchanges: nobody answers, only a scope-wide answer, and two servers with different options.
        findings += DHCPExchange(interface: nil, clientAddress: nil, answers: []).findings
        let scope = answer("192.0.2.9", [(43, bytes(u43))], vendorClass: nil)
        findings += DHCPExchange(interface: nil, clientAddress: nil, answers: [scope]).findings
        findings +=
            DHCPExchange(
                interface: nil, clientAddress: nil, answers: [answer("192.0.2.1", [(43, bytes(u43))]), answer("192.0.2.2", []), scope]
            ).findings

        let seen = try FindingDetailTests.check(findings, "dhcp")
        let dhcpCodes = FindingCode.allKnown.map(\.rawValue).filter { $0.hasPrefix("dhcp-") }
        // Every DHCP code but the two that compare with the walk's inputs (boot: option 120 against DNS, 43 against the deployment).
        #expect(Set(dhcpCodes).subtracting(seen) == ["dhcp-option-120-mismatch", "dhcp-option-43-web-fqdn"], "\(seen)")

        // The facts, not the sentence: the sub-options missing, the option's bytes, the servers.
        #expect(
            findings.contains {
                if case .provisioning(let option43?, nil, [3, 4, 5], nil) = $0.detail.dhcpFacts {
                    option43.scheme == "https"
                } else {
                    false
                }
            })
        #expect(
            findings.contains {
                $0.code == .dhcpMalformedOption && $0.detail == .dhcp(.dhcpOption(option: 15, raw: bytes("2e2e2e00"), decoded: []))
            })
        #expect(
            findings.contains {
                $0.code == .dhcpOption120Address
                    && $0.detail == .dhcp(.dhcpOption(option: 120, raw: bytes("010A000005"), decoded: ["10.0.0.5"]))
            })
        #expect(
            findings.contains { $0.code == .dhcpOption43ScopeLevel && $0.detail == .dhcp(.dhcpServers(servers: ["192.0.2.9"], used: nil)) })
        #expect(
            findings.contains {
                $0.code == .dhcpSeveralServers && $0.detail == .dhcp(.dhcpServers(servers: ["192.0.2.1", "192.0.2.2"], used: "192.0.2.1"))
            })
        // And the words are still today's.
        #expect(
            findings.contains {
                $0.message == "Option 15: '...' is not a domain name."
                    && $0.remedy == "Correct option 15 in the DHCP server's configuration."
            })
        #expect(findings.contains { $0.message == "Option 120: encoding byte 3 (RFC 3361 defines 0 and 1)." })
    }

    @Test("trace: the example capture, a cut copy and tight limits give documented details")
    func trace() throws {
        let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path
        let root = try #require(
            try CertificateDecoder().decode(contentsOf: repositoryRoot.appendingPathComponent("Examples/captures/lab-root.pem"))
                .certificates.first)
        var findings: [Finding] = []
        for (firmware, trust) in [("3.5.6907.35", true), ("4.0.7577.4463", true), ("3.5.6907.35", false)] {
            let options = CaptureReader.Options(
                device: "cx700", firmware: firmware,
                trusted: trust ? [TrustAnchor(certificate: root, source: .user(file: "lab-root.pem"))] : [])
            let report = try CaptureReader(options: options).read(paths: [capture])
            findings += report.findings + report.phones.flatMap { $0.trace.steps.flatMap(\.findings) }
            // Two names resolved to one address give two handshakes with one chain: each fact is listed once per step.
            for step in report.phones.flatMap(\.trace.steps) {
                #expect(Set(step.findings).count == step.findings.count, "\(firmware): \(step.kind) repeats a finding")
            }
            if firmware == "3.5.6907.35" && trust {
                let tls = report.phones.flatMap(\.trace.steps).filter { $0.kind == .tls }.flatMap(\.findings)
                #expect(tls.filter { $0.code == .sha2Unsupported }.count == 1)
            }
        }
        let alerts = findings.filter { $0.code == .phoneAlert }
        #expect(
            alerts.contains {
                if case .tlsAlert(_, _, _, "unknown_ca", true, _, false, let codes, _) = $0.detail.captureFacts {
                    codes.contains("sha2-unsupported")
                } else {
                    false
                }
            })
        #expect(
            alerts.contains {
                if case .tlsAlert(_, _, _, "unknown_ca", true, _, true, _, _) = $0.detail.captureFacts { true } else { false }
            })

        // A copy cut inside a frame, and limits of one flow and a few bytes.
        let directory = try makeTemporaryDirectory("walk-findings")
        let cut = directory.appendingPathComponent("cut.pcap")
        try Data(try Data(contentsOf: URL(fileURLWithPath: capture)).prefix(3000)).write(to: cut)
        findings += try CaptureReader(options: .init(device: "cx700")).read(paths: [cut.path]).findings
        let damaged = try #require(findings.first { $0.code == .captureDamaged })
        guard case .captureDamage(let file, let frame?, _) = damaged.detail.captureFacts else {
            Issue.record("detail: \(damaged.detail)")
            return
        }
        #expect(file == cut.path && frame > 0)
        #expect(damaged.message.hasPrefix("\(cut.path): after frame \(frame): "))
        let tight = try CaptureReader(options: .init(device: "cx700", maxStreamBytes: 64, maxStreams: 2, maxTotalBytes: 512)).read(paths: [
            capture
        ])
        findings += tight.findings
        let gaps = Set(
            tight.findings.compactMap { if case .captureGap(let gap, _, _, _, _, _) = $0.detail.captureFacts { gap } else { nil } })
        #expect(gaps.isSuperset(of: [.flowLimit, .byteLimit]), "\(gaps)")
        // The registrar questions out of the build's order.
        let order = ["_sipinternaltls._tcp.fabrikam.com", "_sipinternal._tcp.fabrikam.com", "_sip._tls.fabrikam.com"].map {
            BootQuery(name: $0, type: .srv, server: nil, answer: .nxdomain, purpose: "captured")
        }
        findings += PhoneJudge.fresh(try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35"), asked: order).dnsOrder()

        let seen = try FindingDetailTests.check(findings, "trace")
        #expect(seen.isSuperset(of: ["phone-alert", "capture-damaged", "capture-gap", "dns-order-differs", "sha2-unsupported"]), "\(seen)")
    }

    @Test("boot: a walk whose DNS, time, registrar and web servers do not answer (loopback, closed ports) gives documented details")
    func boot() async throws {
        // Ports nobody listens on, on loopback only: every question and connection fails at once.
        let closed = try closedLoopbackPort()
        let inputs = try BootInputs(
            sipDomain: "fabrikam.com", dhcpDomain: "contoso.com", searchDomains: ["contoso.com"], smtpDomain: "contoso.com",
            upn: "a@contoso.com", webServices: Endpoint(host: "127.0.0.1", port: closed),
            registrars: [Endpoint(host: "127.0.0.1", port: closed)],
            dnsServers: [DNSServer(address: "127.0.0.1", port: closed)], ntpServers: [Endpoint(host: "127.0.0.1", port: closed)])
        let profiles = try ["1.0.199.123", "3.5.6907.35", "4.0.7577.4463"].map { try DeviceProfile.resolve(device: "cx700", firmware: $0) }
        var configuration = BootWalker.Configuration(inputs: inputs, profiles: profiles, directory: [], timeout: 0.5)
        // The walk starts from a DHCP answer whose option 43 names another web services FQDN than the deployment's.
        configuration.dhcp = DHCPExchange(
            interface: nil, clientAddress: nil,
            answers: [answer("192.0.2.1", [(43, bytes(DHCPDecodeTests.dhcpUtil43)), (15, Array("contoso.com".utf8))])])
        configuration.expectedWebServices = Endpoint(host: "web.contoso.com", port: 443)
        let report = await BootWalker(configuration).walk()
        let findings = report.builds.flatMap { $0.steps.flatMap(\.findings) }
        let seen = try FindingDetailTests.check(findings, "boot")
        #expect(
            seen.isSuperset(of: [
                "dns-unanswered", "time-source-missing", "registrar-not-found", "dc-not-found", "endpoint-unreachable",
                "device-update-not-found", "autodiscover-failed", "dhcp-option-43-web-fqdn", "dhcp-option-120-missing",
            ]), "\(seen)")
        // The facts a script acts on.
        let web = try #require(findings.first { $0.code == .dhcpOption43WebFQDN })
        #expect(
            web.detail
                == .dhcp(
                    .provisioning(
                        UCProvisioning(bytes(DHCPDecodeTests.dhcpUtil43)), subOption: 3, missing: [], expectedWebFQDN: "web.contoso.com")))
        #expect(web.message.contains("server.fqdn.company.com, but the deployment's are web.contoso.com"))
        #expect(
            findings.contains {
                $0.detail == .walk(.search(tried: profiles[0].lookupPlan.time, domains: ["fabrikam.com"], roots: nil))
                    && $0.code == .timeSourceMissing
            })
        #expect(
            findings.contains {
                if case .endpoint("127.0.0.1", "127.0.0.1", closed, "tls", "registrar", "DHCP option 120", _?) = $0.detail.walkFacts {
                    true
                } else {
                    false
                }
            })
        #expect(findings.contains { if case .endpoint(_, _, 80, "http", _, nil, _?) = $0.detail.walkFacts { true } else { false } })
        #expect(
            findings.contains {
                if case .dnsUnanswered(let questions, ["127.0.0.1:\(closed)"]) = $0.detail.walkFacts {
                    questions.contains { $0.name == "_ntp._udp.fabrikam.com" }
                } else {
                    false
                }
            })
        #expect(findings.contains { $0.code == .deviceUpdateNotFound && $0.message.hasPrefix("ucupdates-r2.contoso.com does not resolve") })
    }

    /// A loopback UDP and TCP port with nothing behind it (bound, then released).
    func closedLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The audit groups fixes by the findings' data: one reissue per server for every missing name, one fix per
/// code and certificate, whatever the wording.
@Suite("Audit fix groups from data")
struct AuditGroupingTests {
    @Test("missing names of one server are one fix listing every host; a SHA-2 fix is one per certificate across builds")
    func groupsFromData() throws {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")
        let request = VerificationRequest(
            leaf: leaf, intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))],
            hosts: ["sip.fabrikam.com", "meet.fabrikam.com", "pool01.contoso.com"], vocabulary: .command(.audit))
        let fleet = try ["3.5.6907.35", "4.0.7577.4463"].map {
            FleetMember(profile: try DeviceProfile.resolve(device: "cx700", firmware: $0), count: 5)
        }
        let verdicts = fleet.map { Verifier.verify(request, profile: $0.profile) }
        let server = ServerAudit(name: "pool01", source: "pool01.pem", probe: nil, problem: nil, verdicts: verdicts)
        let groups = Auditor.group([server], fleet: fleet)
        let names = try #require(groups.first { $0.code == .nameNotCovered })
        #expect(names.remedy.contains("sip.fabrikam.com, meet.fabrikam.com"), "\(names.remedy)")
        #expect(names.phonesAffected == 10)
        #expect(groups.filter { $0.code == .nameNotCovered }.count == 1)
        let sha2 = try #require(groups.first { $0.code == .sha2Unsupported })
        #expect(sha2.builds == [fleet[0].profile.name])
        #expect(sha2.phonesAffected == 5)
        // Most phones affected first.
        #expect(groups.map(\.phonesAffected) == groups.map(\.phonesAffected).sorted(by: >))
    }
}
