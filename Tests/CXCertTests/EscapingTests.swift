import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// Control characters from the network and from certificates reach no output raw.
@Suite("Escaping: no control character reaches an output raw")
struct EscapingTests {
    static let hostile = "a\u{1B}[2J\u{07}b\rc\r\nd\ne\u{9B}31m\u{202E}f\u{7F}"

    /// Every scalar of `text` that is a control character, line breaks allowed or not.
    static func controls(_ text: String, allowingNewlines: Bool = true) -> [UInt32] {
        text.unicodeScalars.filter { Escaping.isControl($0) && !(allowingNewlines && $0 == "\n") }.map(\.value)
    }

    @Test("Each output kind's one function: terminal, Markdown (CR LF as one break), HTML, JSON")
    func functions() throws {
        #expect(Escaping.terminal(Self.hostile) == "a\\u{1b}[2J\\u{7}b\\u{d}c\\u{d}\\u{a}d\\u{a}e\\u{9b}31m\\u{202e}f\\u{7f}")
        #expect(Escaping.markdown("CN=a\r\nb\nc\rd") == "CN=a b c d")
        #expect(Self.controls(Escaping.markdown(Self.hostile), allowingNewlines: false).isEmpty)
        #expect(Escaping.html("<b>\u{1B}[31m'\"&") == "&lt;b&gt;\\u{1b}[31m&#39;&quot;&amp;")
        let json = Escaping.json(JSONOutput.encode([Self.hostile]))
        #expect(Self.controls(json).isEmpty, "\(json)")
        let decoded = try JSONDecoder().decode([String].self, from: Data(json.utf8))
        #expect(decoded == [Self.hostile], "the JSON string reads back as sent")
        // The net under the renderers keeps line breaks, tabs and TextStyle's colours, nothing else.
        let styled = TextStyle(color: true).red("x") + "\t" + Self.hostile + "\n"
        let net = Escaping.terminalOutput(styled)
        #expect(net.hasPrefix("\u{1B}[31mx\u{1B}[0m\t"))
        #expect(Self.controls(net).allSatisfy { $0 == 0x1B || $0 == 0x09 } && net.components(separatedBy: "\u{1B}").count == 3, "\(net)")
        // Text beyond ASCII: kept as it is without a control; with one, only the control is written as `\u{..}`, next to
        // accents, dashes and colour codes (and an ESC [ that is not one of TextStyle's codes, or is cut off, is escaped).
        let wide = "é — ✓ 日本\n\t{\"a\": \"b\"}\n"
        #expect(Escaping.terminalOutput(wide) == wide)
        let mixed = "é\u{1B}[1m—\u{1B}[0m\u{9B}✓\u{1B}[123m\u{1B}[4m\u{202E}日\u{1B}["
        #expect(
            Escaping.terminalOutput(mixed)
                == "é\u{1B}[1m—\u{1B}[0m\\u{9b}✓\\u{1b}[123m\\u{1b}[4m\\u{202e}日\\u{1b}[", "\(Escaping.terminalOutput(mixed))")
    }

    /// A capture whose HTTP request line and Host, and DHCP answer (option 15 and option 43's FQDN), carry control characters.
    static func hostileCapture() -> [UInt8] {
        typealias Capture = TestCapture
        let phone: [UInt8] = [10, 0, 0, 2]
        let server: [UInt8] = [10, 0, 0, 1]
        let inform = DHCPMessage.inform(
            transactionID: 7, hardwareAddress: Capture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client", requested: [15, 43])
        func sub(_ code: UInt8, _ text: String) -> [UInt8] { [code, UInt8(text.utf8.count)] + Array(text.utf8) }
        let option43 =
            sub(1, "MS-UC-Client") + sub(2, "https") + sub(3, "srv\u{1B}[2J\r\n.contoso.com") + sub(4, "443")
            + sub(5, "/CertProv/CertProvisioningService.svc")
        let answer = DHCPMessage(
            op: 2, transactionID: 7, clientAddress: phone, hardwareAddress: Capture.phoneMAC,
            options: [(53, [5]), (54, server), (15, Array("contoso\r\n.com\u{1B}]0;owned\u{07}".utf8)), (43, option43)])
        let request = Array("GET /ucdevice.upx\u{1B}[2J HTTP/1.1\r\nHost: evil\u{1B}]0;t\u{07}\rfake\u{9B}31m\r\n\r\n".utf8)
        return Capture.pcap([
            Capture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform.encoded()),
            Capture.frame(from: server, 67, to: phone, 68, payload: answer.encoded()),
            Capture.frame(from: phone, 40000, to: server, 80, tcp: (999, 0x02), payload: []),
            Capture.frame(from: server, 80, to: phone, 40000, tcp: (4999, 0x12), payload: []),
            Capture.frame(from: phone, 40000, to: server, 80, tcp: (1000, 0x18), payload: request),
            Capture.frame(
                from: server, 80, to: phone, 40000, tcp: (5000, 0x18), payload: Array("HTTP/1.1 404 Not\u{1B}[1A Found\r\n\r\n".utf8)),
        ])
    }

    @Test("trace and boot renderings: text, Markdown, HTML and JSON carry no raw control character")
    func renderings() throws {
        let report = try CaptureHTTPTests.read(Self.hostileCapture())
        let trace = try #require(report.phones.first).trace
        let notes = trace.steps.flatMap(\.notes).joined(separator: "\n")
        #expect(notes.contains("\u{1B}"), "the hostile text is in the model: \(notes)")
        let boot = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "contoso.com"), builds: [trace])
        let outputs: [(String, String)] = [
            ("trace text", CaptureRendering.text(report)),
            ("trace text in colour", CaptureRendering.text(report, style: TextStyle(color: true))),
            ("trace JSON", CaptureRendering.json(report)), ("trace HTML", CaptureRendering.html(report)),
            ("boot text", BootRendering.text(boot)), ("boot Markdown", BootRendering.markdown(boot)),
            ("boot HTML", BootRendering.html(boot)),
            ("boot JSON", BootRendering.json(boot)),
        ]
        for (name, output) in outputs {
            let found = name.hasSuffix("in colour") ? Self.controls(output).filter { $0 != 0x1B } : Self.controls(output)
            #expect(found.isEmpty, "\(name): raw control characters \(found)")
            #expect(!output.contains("\r\n"), "\(name)")
        }
        // A note is one line: the CR LF inside option 15 did not start a new one.
        let text = CaptureRendering.text(report)
        #expect(text.split(separator: "\n").contains { $0.contains("evil\\u{1b}]0;t\\u{7}\\u{d}fake") }, "\(text)")
        #expect(CaptureRendering.json(report) == JSONOutput.encode(CaptureRendering.model(report)))
        for json in [CaptureRendering.json(report), BootRendering.json(boot)] {
            #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil)
        }
    }

    /// A self-signed root whose CN holds ESC, BEL, CR, LF and a C1 control, made once per test process.
    static func hostileRoot() throws -> Certificate {
        let pki = try TestPKI.get()
        try pki.ensure("hostile-cn") {
            try pki.selfSigned("hostile-cn", subject: "/CN=Evil\u{1B}[2J\u{07}Root\r\nx\u{9B}31m", key: "rsa2048.key", digest: "sha256")
        }
        return try pki.certificate("hostile-cn.pem")
    }

    @Test("probe, ds, names and truststore text escape every field: a CN with ESC, CR and LF reaches none raw")
    func otherTextRenderers() throws {
        let root = try Self.hostileRoot()
        #expect(root.subject.displayName.contains("\u{1B}"), "the hostile CN is in the certificate: \(root.subject.displayName)")
        let probe = ProbeResult(
            report: ProbeReport(
                target: ProbeTarget(host: "10.0.0.5", port: 443, serverName: "sni\u{1B}]0;t\u{07}"), presented: [root, root],
                chainIssues: [.duplicate(root.subject.displayName), .rootSent(root.subject.displayName)],
                protocols: [.tls12: .accepted(cipher: "AES\r\n")], cipherSuites: ["S\u{1B}[1A"],
                asPhone: .refused("alert\u{1B}[2J\r\nfake"),
                negotiated: nil),
            verdicts: [])
        let der = root.der
        let snapshot = DirectorySnapshot(
            certificationAuthorities: [
                DirectoryEntry(dn: "CN=Evil\u{1B}[2J\r\n,CN=Certification Authorities", attributes: ["cACertificate": [der]])
            ],
            enrollmentServices: [])
        let discovery = PhoneDiscovery.walk(snapshot, fetch: nil)
        let change = DirectoryChange(dn: "CN=a\u{1B}[2J\rb,CN=AIA", action: .objectKept, ldif: "", note: "kept\u{07}\n")
        let report = DirectoryReport(changes: [change], dryRun: false)
        let plan = NamePlan(Deployment(adDomains: ["contoso.com"], sipDomains: ["contoso.com"], pool: "pool\u{1B}[2J\r\n01.contoso.com"))
        let template = try #require(BuiltInTrustStore.entries.first)
        let entry = TrustStoreEntry(
            row: 99, guide: .init(vendor: "V\u{1B}[2J", name: "N\r\n", expiry: "E", keyLength: "2048"), file: "f",
            displayName: root.subject.displayName, recorded: template.recorded, match: .exact, confidence: template.confidence,
            guideErrors: ["wrong\u{1B}[1A\n"], note: "", source: "", alternates: [], certificate: root)
        let outputs: [(String, String)] = [
            ("probe", probe.text()), ("probe in colour", probe.text(style: TextStyle(color: true))),
            ("ds list", DirectoryListing(snapshot).text()), ("ds discover", PhoneDiscovery.text(discovery)),
            ("ds publish", DirectoryRendering.published(report, certificate: root)),
            ("ds remove", DirectoryRendering.removed(report) ?? ""), ("names", plan.text()),
            ("truststore", TrustStoreStatus.text([TrustStoreStatus(entry: entry, at: Date())], at: Date())),
        ]
        for (name, output) in outputs {
            let found = name.hasSuffix("in colour") ? Self.controls(output).filter { $0 != 0x1B } : Self.controls(output)
            #expect(found.isEmpty, "\(name): raw control characters \(found)\n\(output)")
            #expect(output.contains("\\u{1b}[2J"), "\(name): the hostile text is shown escaped\n\(output)")
        }
    }

    @Test("dhcp decode text carries no raw control character from option 43 or 15")
    func dhcpText() throws {
        func sub(_ code: UInt8, _ text: String) -> [UInt8] { [code, UInt8(text.utf8.count)] + Array(text.utf8) }
        let report = DHCPOptionsReport(options: [
            15: Array("a\u{1B}[2J\r\nb".utf8),
            43: sub(1, "MS-UC-Client\u{07}") + sub(2, "https\r") + sub(3, "x\u{1B}]0;t\u{07}") + sub(4, "443") + sub(5, "/p\u{9B}"),
        ])
        let text = DHCPRendering.text(decoding: report, findings: DHCPOptionsReport.checkProvisioning(report.provisioning))
        #expect(Self.controls(text).isEmpty, "\(text)")
    }
}
