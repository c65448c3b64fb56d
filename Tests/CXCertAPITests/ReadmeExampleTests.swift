import CXCert
import Foundation
import Testing

/// The umbrella as a user sees it: no `@testable`, only the public API; `import CXCert` reaches every layer (the
/// README's core example runs in CXCertCoreAPITests).
@Suite("The public API through the umbrella module")
struct ReadmeExampleTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/contoso")

    @Test("One import reaches every layer: decode and verify, the directory's walk, and the reports")
    func everyLayer() throws {
        let root = try #require(
            try CertificateDecoder().decode(contentsOf: Self.examples.appendingPathComponent("ContosoCA.cer")).certificates.first)
        // The directory layer: a snapshot holding the root as AD publishes it, walked as the phone walks it.
        let snapshot = DirectorySnapshot(
            certificationAuthorities: [
                DirectoryEntry(
                    dn: "CN=ContosoCA,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com",
                    attributes: ["cACertificate": [root.der]])
            ], enrollmentServices: [])
        let found = PhoneDiscovery.walk(snapshot)
        #expect(found.certificates == [root])
        // The reports layer: the verdict for the root alone, as text.
        let verdict = Verifier.verify(
            VerificationRequest(leaf: root, anchors: [TrustAnchor(certificate: root, source: .user(file: "ContosoCA.cer"))]),
            profile: try DeviceProfile.resolve(device: "generic"))
        #expect(VerdictReport.text([verdict]).contains("ContosoCA"))
    }

    @Test("DHCP options decode through the public API")
    func dhcpDecode() throws {
        let hex = "0006736572766572046671646E07636F6D70616E7903636F6D00"
        let report = DHCPOptionsReport(options: [120: try #require(DHCPExchange.bytes(hex: hex))])
        #expect(report.registrars == ["server.fqdn.company.com"])
    }
}
