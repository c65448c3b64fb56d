import CXCertCore
import Foundation
import Testing

/// The README's example against the core product alone: a user who imports only `CXCertCore` (OpenSSL, no
/// directory, network or YAML layers) can decode and verify per firmware build.
@Suite("The core product alone runs the README's library example")
struct CoreReadmeExampleTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/contoso")

    @Test("Decoding and verifying per firmware build, as the README shows")
    func readmeExample() throws {
        let decoded = try CertificateDecoder().decode(contentsOf: Self.examples.appendingPathComponent("pool01.pem"))
        let root = try CertificateDecoder().decode(contentsOf: Self.examples.appendingPathComponent("ContosoCA.cer"))
        let split = try #require(VerificationRequest.split(bundle: decoded.certificates))
        let (leaf, chain) = (split.leaf, split.others)
        let request = VerificationRequest(
            leaf: leaf, intermediates: chain,
            anchors: root.certificates.map { TrustAnchor(certificate: $0, source: .user(file: "ContosoCA.cer")) },
            hosts: ["pool01.contoso.com", "ucupdates-r2"])
        var codes: [String: [FindingCode]] = [:]
        for firmware in ["3.5.6907.35", "4.0.7577.4463"] {
            let verdict = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: firmware))
            codes[firmware] = verdict.findings.filter { $0.severity == .error }.map(\.code)
        }
        #expect(codes["3.5.6907.35"]?.contains(.sha2Unsupported) == true)
        #expect(codes["4.0.7577.4463"]?.contains(.sha2Unsupported) == false)
        // pool01.pem lacks the short name ucupdates-r2 (the README's story).
        #expect(codes["4.0.7577.4463"] == [.nameNotCovered])
    }
}
