import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// The "smaller, all seen" items of issue 27: each answer a user saw wrong, checked where the behaviour lives.
@Suite("boot, dhcp and trace: the smaller answers")
struct SmallFixesTests {
    @Test("trace HTML: each matrix row names its phone (address, MAC, how it was found); the page is not titled boot")
    func traceHTMLRows() throws {
        let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path
        let report = try CaptureReader().read(paths: [capture])
        let page = CaptureRendering.html(report)
        #expect(!page.contains("<title>cxcert boot replay</title>"))
        #expect(page.contains("<title>cxcert trace: "))
        let parts = page.components(separatedBy: "<table id=\"matrix\">")
        try #require(parts.count == 2)
        let rows = parts[1].components(separatedBy: "</table>")[0]
        #expect(!report.phones.isEmpty)
        for phone in report.phones {
            #expect(rows.contains(phone.phone.address), "\(phone.phone.address) not in the matrix")
            if let mac = phone.phone.mac { #expect(rows.contains(mac)) }
            #expect(rows.contains(HTML.text(phone.phone.reason).render()), "\(phone.phone.reason)")
        }
    }

    @Test("a wrong --dhcp-answer or --device-data is said in plain words, never as Swift's DecodingError")
    func decodingMessages() throws {
        do {
            _ = try DHCPExchange(json: Array(#"{"x": 1}"#.utf8))
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("DecodingError") && error.description.contains("missing key 'answers'"), "\(error)")
        }
        do {
            _ = try DHCPExchange(json: Array("not json".utf8))
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("DecodingError") && error.description.contains("not valid JSON"), "\(error)")
        }
        do {
            _ = try DeviceKnowledgeBase(json: Array(#"{"capabilities": 5}"#.utf8))
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("DecodingError") && !error.description.contains("Array<"), "\(error)")
            #expect(error.description.contains("at capabilities: expected a list"), "\(error)")
        }
    }

    @Test("a binary deployment file is not a text file, not 'YAML anchors', and its bytes are not echoed")
    func binaryDeploymentFile() throws {
        let bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x26, 0x2A, 0x61, 0x0A, 0xFF, 0xFE, 0x3C, 0x3C]
        do {
            _ = try DeploymentFile(yaml: String(decoding: bytes, as: UTF8.self))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("not a YAML or JSON text file") && !error.description.contains("anchors"), "\(error)")
            #expect(!error.description.contains("ELF"))
        }
        // Tabs and CRLF are text.
        _ = try DeploymentFile(yaml: "servers: [{host: a}]\r\n#\ta comment\r\nfleet: [{device: cx700}]\r\n")
    }

    @Test("--upn x@D. is read as --sip-domain d. is; option 42 takes addresses, as option 6 does")
    func inputChecks() throws {
        let inputs = try BootInputs(sipDomain: "Fabrikam.COM.", upn: "alice@Fabrikam.COM.")
        #expect(inputs.sipDomain == "fabrikam.com" && inputs.upn == "alice@fabrikam.com" && inputs.userDomains == ["fabrikam.com"])
        for name in ["1.2.3", "time.contoso.com"] {
            #expect(throws: BootError.self, "\(name)") {
                try BootInputs(sipDomain: "fabrikam.com", ntpServers: [try Endpoint(parsing: name, defaultPort: 123)])
            }
        }
        #expect(throws: DNSError.self) { try DNSServer(parsing: "1.2.3") }
        let ntp = try BootInputs(sipDomain: "fabrikam.com", ntpServers: [try Endpoint(parsing: "192.0.2.1:1123", defaultPort: 123)])
        #expect(ntp.ntpServers == [Endpoint(host: "192.0.2.1", port: 1123)])
    }

    @Test("an LDIF snapshot's error names its file")
    func ldifNamesFile() throws {
        let folder = try makeTemporaryDirectory("bad-ldif")
        try folder.write("bad.ldif", "dn: cn=x\nbad line without colon\n")
        let path = folder.appendingPathComponent("bad.ldif").path
        do {
            _ = try DirectorySnapshot(contentsOfFile: path)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains(path) && error.description.contains("line 2"), "\(error)")
        }
    }

    @Test("user output names the document, not the project's seed files and line numbers")
    func readableSources() {
        #expect(
            readableSource("Polycom CX700 deployment guide (seeds/cx700-deployment-guide.txt l.162-173)")
                == "Polycom CX700 deployment guide")
        #expect(readableSource("J. Schertz, 2012; seed 002 l.120 says so") == "J. Schertz, 2012; says so")
        #expect(readableSource("CX700 guide l.1292") == "CX700 guide")
        #expect(readableSource("Microsoft, Gg398094") == "Microsoft, Gg398094")
        // The project's research notes are not the reader's source (#27: boot printed "via phone-discovery.md E-6").
        #expect(
            readableSource("Microsoft Lync 2010 device topics via phone-discovery.md E-6 (CX700 on LPE: NTLM + certificate)")
                == "Microsoft Lync 2010 device topics (CX700 on LPE: NTLM + certificate)")
        #expect(readableSource("a reliable upstream (phone-discovery.md B5, not verified)") == "a reliable upstream (not verified)")
        #expect(readableSource("J. Schertz, 'Wildcards' (via lpe-facts.md 1.4, 6.1); Microsoft") == "J. Schertz, 'Wildcards'; Microsoft")
        #expect(
            readableSource("https://learn.microsoft.com/x/getting-phones.md (via lpe-facts.md 1.1/2.1)")
                == "https://learn.microsoft.com/x/getting-phones.md")
        // No row of the bundled data shows a research note to the reader.
        let knowledge = repositoryRoot.appendingPathComponent("Knowledge")
        var sources: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, value) in object {
                    if key == "source", let text = value as? String { sources.append(text) } else { collect(value) }
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        for file in (try? FileManager.default.contentsOfDirectory(atPath: knowledge.path)) ?? [] where file.hasSuffix(".json") {
            if let data = FileManager.default.contents(atPath: knowledge.appendingPathComponent(file).path),
                let value = try? JSONSerialization.jsonObject(with: data)
            {
                collect(value)
            }
        }
        #expect(sources.count > 100)
        let shown = sources.map(readableSource).filter {
            $0.range(of: #"(?<![\w./-])[\w-]+\.md\b|seeds?/|seed \d"#, options: .regularExpression) != nil
        }
        #expect(shown.isEmpty, "\(shown.prefix(3))")
    }

    @Test("boot --firmware newer than every known build says so in every view")
    func newerFirmwareNote() throws {
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "5.0.0.0")
        let report = BootReport(
            at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"),
            builds: [BootTrace(profile: profile, phoneClock: nil, clockSource: nil, steps: [])])
        for view in [BootRendering.text(report), BootRendering.markdown(report), BootRendering.html(report), BootRendering.json(report)] {
            #expect(view.contains("newer than every known build"))
        }
        let known = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        let plain = BootReport(
            at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"),
            builds: [BootTrace(profile: known, phoneClock: nil, clockSource: nil, steps: [])])
        #expect(!BootRendering.text(plain).contains("newer than every known build"))
    }
}

/// The command line's own checks: exit codes and standard error only.
@Suite("boot, dhcp and trace: usage errors")
struct SmallUsageTests {
    static let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path
    static let deployment = repositoryRoot.appendingPathComponent("Examples/deployment.yaml").path

    @Test("--json or --markdown with --html - is refused (both would print to standard output)")
    func oneStandardOutput() throws {
        for arguments in [
            ["boot", "--sip-domain", "fabrikam.com", "--dns-server", "127.0.0.1", "--json", "--html", "-"],
            ["boot", "--sip-domain", "fabrikam.com", "--dns-server", "127.0.0.1", "--markdown", "--html", "-"],
            ["audit", Self.deployment, "--json", "--html", "-"], ["trace", Self.capture, "--json", "--html", "-"],
        ] {
            let run = try CLI.run(arguments)
            #expect(run.status == 2 && run.stderr.contains("--html - both print"), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test("boot --device generic is a usage error; --timeout 0 is refused by a message that does not allow 0")
    func bootUsage() throws {
        let generic = try CLI.run(["boot", "--sip-domain", "fabrikam.com", "--dns-server", "127.0.0.1", "--device", "generic"])
        #expect(generic.status == 2 && generic.stderr.contains("--device generic"), "\(generic.stderr)")
        for command in [["boot", "--sip-domain", "f.com"], ["ds", "list", "--ldap", "ldaps://dc.invalid"]] {
            let zero = try CLI.run(command + ["--timeout", "0"])
            #expect(zero.status == 2 && zero.stderr.contains("more than 0"), "\(command): \(zero.stderr)")
        }
        // --ntp-server is checked as --dns-server is: a name, three parts or a bad port get the one option-42 message.
        for value in ["ntp.contoso.com", "1.2.3", "1.2.3.4:99999"] {
            let ntp = try CLI.run(["boot", "--sip-domain", "f.com", "--dns-server", "127.0.0.1", "--ntp-server", value])
            #expect(ntp.status == 2 && ntp.stderr.contains("'\(value)' is not an NTP server IP[:PORT]"), "\(ntp.stderr)")
        }
    }

    @Test("help: trace takes one --firmware; boot's --timeout is not among the directory options")
    func help() throws {
        let trace = try CLI.run(["trace", "--help"])
        #expect(trace.stdout.contains("--firmware <firmware>") && !trace.stdout.contains("--firmware <firmware> ..."), "\(trace.stdout)")
        let boot = try CLI.run(["boot", "--help"]).stdout
        let directory = try #require(boot.components(separatedBy: "Directory connection").last)
        let section = directory.components(separatedBy: "\n\n").prefix(2).joined()
        #expect(!section.contains("--timeout"), "\(section)")
        #expect(boot.contains("--timeout"))
    }

    @Test("dhcp decode: an over-long value is refused for its length and not echoed whole")
    func dhcpDecodeLongArgument() throws {
        let long = try CLI.run(["dhcp", "decode", "--option", "43=" + String(repeating: "ab", count: 3000)])
        #expect(long.status == 2 && long.stderr.contains("6000 hex digits") && long.stderr.count < 400, "\(long.stderr)")
        let garbage = try CLI.run(["dhcp", "decode", "--option", "43=" + String(repeating: "z", count: 3000)])
        #expect(garbage.status == 2 && garbage.stderr.count < 400 && garbage.stderr.contains("3003 characters"), "\(garbage.stderr)")
    }

    @Test("a --firmware given twice is judged once")
    func duplicateFirmware() throws {
        let pool = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        let run = try CLI.run(["verify", pool, "--device", "cx700", "--firmware", "4.0.7577.4463", "--firmware", "4.0.7577.4463", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // One verdict prints one object; several print {"results": [...]}.
        #expect(json["results"] == nil && json["profile"] != nil, "\(run.stdout.prefix(300))")
    }
}
