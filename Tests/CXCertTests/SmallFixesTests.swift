import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
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
}
