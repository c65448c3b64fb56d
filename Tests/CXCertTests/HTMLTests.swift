import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// The typed HTML builder of the reports: text and attribute values escaped unless `.raw` is asked for,
/// and hostile certificate subjects inert in the audit and boot pages.
@Suite("HTML builder: escaped by default, raw only when asked")
struct HTMLTests {
    @Test("text escapes the five characters that could end text or an attribute")
    func textEscaping() {
        #expect(HTML.text(#"<a href='x'>"&"</a>"#).render() == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        #expect(HTML.text("plain ✔ → text").render() == "plain ✔ → text")
        #expect(HTML.text("&amp;").render() == "&amp;amp;", "already-escaped text is escaped again: text is text")
    }

    @Test("attribute values are escaped and keep their order; names are written as given")
    func attributeEscaping() {
        let link = HTML.tag("a", ["href": #"x" onmouseover="alert(1)"#, "class": "<b>&"], .text("go"))
        #expect(link.render() == #"<a href="x&quot; onmouseover=&quot;alert(1)" class="&lt;b&gt;&amp;">go</a>"#)
        #expect(
            HTML.element("td", [.init("class", "ok"), .init("id", "a'b")], [.text("1")]).render() == #"<td class="ok" id="a&#39;b">1</td>"#)
    }

    @Test("raw stays raw; groups have no element; void elements have no end tag")
    func rawAndStructure() {
        #expect(HTML.raw("<b>bold</b> & <i>").render() == "<b>bold</b> & <i>")
        #expect(HTML.group([.text("<"), .raw("<br>"), .text(">")]).render() == "&lt;<br>&gt;")
        #expect(HTML.tag("br").render() == "<br>")
        #expect(HTML.tag("meta", ["charset": "utf-8"]).render() == #"<meta charset="utf-8">"#)
        #expect(HTML.tag("br", .text("ignored")).render() == "<br>")
        #expect(
            HTML.tag("ul", children: HTML.lines([.tag("li", .text("a")), .tag("li", .text("b"))])).render()
                == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>")
        #expect(HTML.tag("ul", children: HTML.lines([])).render() == "<ul>\n</ul>")
        #expect(HTML.group(HTML.joined([.text("a"), .text("b"), .text("c")], separator: .raw("|"))).render() == "a|b|c")
        #expect(HTML.group(HTML.joined([], separator: .raw("|"))).render() == "")
    }

    @Test("a page has the doctype, the title escaped, the style sheet raw and the body one block per line")
    func page() {
        let page = HTML.page(
            title: "a <title>", css: "p>b{color:red}", body: [.tag("h1", .text("x")), .tag("p", .text("y"))], trailingNewline: true)
        #expect(
            page
                == "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>a &lt;title&gt;</title>\n<style>\np>b{color:red}\n</style></head><body>\n<h1>x</h1>\n<p>y</p>\n</body></html>\n"
        )
    }

    /// A leaf whose common name is a script tag, issued by the test PKI's intermediate.
    static func hostileLeaf(_ pki: TestPKI) throws -> Certificate {
        try pki.ensure("xss-leaf") {
            try pki.issue("xss-leaf", issuer: "inter", subject: #"/CN=<script>alert(1)<\/script>"#, key: "leaf.key")
        }
        return try pki.certificate("xss-leaf.pem")
    }

    @Test("a <script> common name and a hostile server name come out escaped in the audit page and Markdown")
    func hostileAudit() async throws {
        let pki = try TestPKI.get()
        let leaf = try Self.hostileLeaf(pki)
        try #require(leaf.subject.displayName == "<script>alert(1)</script>")
        let folder = try makeTemporaryDirectory("xss-audit")
        let yaml = """
            servers:
              - {name: "web <img src=x onerror=alert(2)>", certificate: "\(pki.url("xss-leaf.pem").path)", names: [pool01.contoso.com]}
            fleet:
              - {device: cx700, firmware: 3.5.6907.35, count: 1}
            trust:
              roots: ["\(pki.url("root.pem").path)"]
            """
        let result = try await Auditor.run(try DeploymentFile(yaml: yaml), relativeTo: folder)
        let html = AuditReport.html(result)
        #expect(!html.contains("<script>alert"), "\(html)")
        #expect(!html.contains("<img"))
        #expect(html.contains("<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"), "the chain node names the leaf, escaped")
        #expect(html.contains("web &lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains(##"<a href="#server-web--img-src-x-onerror-alert-2--">"##))
        let markdown = AuditReport.markdown(result)
        #expect(!markdown.contains("<img") && markdown.contains("web &lt;img src=x onerror=alert(2)&gt;"), "\(markdown)")
    }

    @Test("a <script> common name, a hostile note and finding come out escaped in the boot page and Markdown")
    func hostileBoot() throws {
        let pki = try TestPKI.get()
        let leaf = try Self.hostileLeaf(pki)
        let endpoint = BootEndpoint(
            host: "pool01.contoso.com", address: "127.0.0.1", port: 443, purpose: "web services", chain: [leaf], verdict: nil,
            outcome: "handshake ok")
        // The message and the remedy both carry the hostile common name (a root sent by the server).
        let finding = Finding(
            code: .untrustedRoot, severity: .error, certificate: leaf, detail: .untrustedRoot(sentByServer: true),
            client: FindingClient(try DeviceProfile.resolve(device: "cx700")), vocabulary: .command(.boot))
        let step = BootStep(
            kind: .webServices, status: .failed, queries: [], endpoints: [endpoint], timeSamples: [], roots: [],
            notes: ["note <script>alert(3)</script>"], findings: [finding])
        let trace = BootTrace(profile: try DeviceProfile.resolve(device: "cx700"), phoneClock: nil, clockSource: nil, steps: [step])
        let report = BootReport(at: Date(timeIntervalSince1970: 0), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [trace])
        let html = BootRendering.html(report)
        for hostile in ["<script>", "<iframe"] { #expect(!html.contains(hostile), "\(hostile) in \(html)") }
        #expect(html.contains("leaf &lt;script&gt;alert(1)&lt;/script&gt;</li>"))
        #expect(html.contains(#"<li class="note">note &lt;script&gt;alert(3)&lt;/script&gt;</li>"#))
        #expect(html.contains("The chain ends at &lt;script&gt;alert(1)&lt;/script&gt;, a root this phone does not trust"))
        #expect(html.contains(#"<div class="fix">Fix: Save &lt;script&gt;alert(1)&lt;/script&gt; (SHA-256 "#))
        #expect(BootRendering.html(report, title: "<script>t</script>").contains("<h1>&lt;script&gt;t&lt;/script&gt;</h1>"))
        let markdown = BootRendering.markdown(report)
        #expect(!markdown.contains("<script>") && markdown.contains("note &lt;script&gt;alert(3)&lt;/script&gt;"), "\(markdown)")
    }
}
