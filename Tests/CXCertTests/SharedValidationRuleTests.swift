import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// The rules both paths share: validity periods counted as RFC 5280 counts them, and resources the verifier owns.
@Suite("Shared validation rules: validity periods, batch resources and OIDs on the full and the batch path")
struct SharedValidationRuleTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.withScenarios() }

    func verdict(at time: Date, device: String, firmware: String?) throws -> Verdict {
        let request = VerificationRequest(
            leaf: try pki.certificate("leaf.pem"), intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))], time: time)
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
    }

    @Test(
        "notAfter is inclusive (RFC 5280 4.1.2.5) for every profile and both paths; notBefore too",
        arguments: [("generic", nil), ("cx600", "4.0.7577.4463")] as [(String, String?)])
    func validityBounds(device: String, firmware: String?) throws {
        let leaf = try pki.certificate("leaf.pem")
        let inter = try pki.certificate("inter.pem")
        let der = [UInt8](leaf.der)
        // The leaf and its issuing CA may be made a second apart: the edge is whichever expires first.
        let first = [leaf, inter].min { $0.notAfter < $1.notAfter }!
        let cases: [(Date, Set<FindingCode>)] = [
            (first.notAfter, []), (first.notAfter.addingTimeInterval(1), [.expired]),
            (leaf.notBefore, []), (leaf.notBefore.addingTimeInterval(-1), [.notYetValid]),
        ]
        for (time, expected) in cases {
            let full = try verdict(at: time, device: device, firmware: firmware)
            #expect(Set(full.findings.filter { $0.severity == .error }.map(\.code)) == expected, "\(iso8601(time))")
            if let finding = full.findings.first, let certificate = finding.certificate {
                #expect(finding.detail == .validity(notBefore: certificate.notBefore, notAfter: certificate.notAfter, at: time))
            }
            let batch = BatchVerifier(
                intermediates: [inter], anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))],
                profile: try DeviceProfile.resolve(device: device, firmware: firmware), time: time)
            let slow = batch.slowPath(der)
            let fast = try #require(batch.fastPath(der), "the fast path takes this leaf")
            #expect(Set(slow.codes) == Set(expected.map(\.rawValue)))
            #expect(fast.codes == slow.codes && fast.trusted == slow.trusted)
        }
    }

    @Test("the batch verifier owns its signature contexts and frees them with itself")
    func poolOwnership() throws {
        var batch: BatchVerifier? = BatchVerifier(
            intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))],
            profile: try DeviceProfile.resolve(device: "generic"))
        let der = [UInt8](try pki.certificate("leaf.pem").der)
        _ = batch?.verify(der: der)
        #expect(batch?.verify(der: der).fast == true)
        weak let pool = batch?.pool
        #expect((pool?.idle ?? 0) >= 1)
        batch = nil
        #expect(pool == nil)
    }

    @Test("OIDs: the DER bytes the lean reader compares are the dotted OIDs' encoding")
    func oidEncoding() {
        #expect(OID.der(OID.rsaEncryption) == [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01])
        #expect(OID.der(OID.serverAuth) == [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01])
        #expect(OID.der(OID.netscapeCertType) == [0x60, 0x86, 0x48, 0x01, 0x86, 0xF8, 0x42, 0x01, 0x01])
        #expect(OID.der(OID.basicConstraints) == [0x55, 0x1D, 0x13])
    }

    @Test(
        "OIDs: the dotted form written digit by digit equals the arcs joined, for every OID encoding up to 3 octets and 20,000 random ones")
    func dottedForm() {
        /// The previous implementation, the reference.
        func joined(_ content: [UInt8]) -> String? {
            guard !content.isEmpty else { return nil }
            var arcs: [UInt64] = []
            var value: UInt64 = 0
            var pending = false
            for byte in content {
                guard value < (1 << 56) else { return nil }
                value = value << 7 | UInt64(byte & 0x7F)
                pending = byte & 0x80 != 0
                if !pending {
                    arcs.append(value)
                    value = 0
                }
            }
            guard !pending, let first = arcs.first else { return nil }
            let head: [UInt64] = first < 80 ? [first / 40, first % 40] : [2, first - 80]
            return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
        }
        var contents: [[UInt8]] = [[], [0x00], [0x80], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]]
        for a in 0...255 {
            contents.append([UInt8(a)])
            for b in stride(from: 0, through: 255, by: 3) { contents.append([UInt8(a), UInt8(b), UInt8((a * 7 + b) & 0xFF)]) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            contents.append((0..<Int.random(in: 1...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        for content in contents where OIDString.dotted(content) != joined(content) {
            Issue.record("\(content): \(OIDString.dotted(content) ?? "nil") against \(joined(content) ?? "nil")")
        }
        #expect(OIDString.dotted([0x55, 0x04, 0x03]) == "2.5.4.3")
        #expect(OIDString.dotted([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]) == "1.2.840.113549.1.1.1")
    }
}

@Suite("A leaf RSA key too small for a TLS 1.0 handshake: 465 bits for RSA key exchange, 369 with a DHE suite")
struct HandshakeKeySizeTests {
    func findings(bits: Int, suites: [String]?, isLeaf: Bool = true) throws -> [CertificateRules.Hit] {
        var knowledge = DeviceKnowledgeBase.builtIn
        if let suites { try knowledge.override(.tlsCipherSuites, value: .list(suites)) }
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463", knowledge: knowledge)
        let facts = CertificateFacts(
            signature: OID.rsaSignatures[0], key: PublicKeyInfo(algorithm: .rsa, bits: bits, curve: nil), notBefore: 0, notAfter: 0,
            malformedSerial: nil)
        return CertificateRules.firmwareKey(facts, profile: profile, isLeaf: isLeaf)
    }

    func handshakeError(_ hits: [CertificateRules.Hit]) -> Bool {
        hits.contains { $0.code == .weakKey && $0.severity == .error }
    }

    @Test("each side of both bounds, for the leaf only")
    func bounds() throws {
        let rsaOnly = ["AES128-SHA", "DES-CBC3-SHA"]
        let withDHE = ["AES128-SHA", "DHE-RSA-AES128-SHA"]
        #expect(handshakeError(try findings(bits: 464, suites: rsaOnly)))
        #expect(!handshakeError(try findings(bits: 465, suites: rsaOnly)))
        #expect(!handshakeError(try findings(bits: 464, suites: withDHE)))
        #expect(handshakeError(try findings(bits: 368, suites: withDHE)))
        #expect(!handshakeError(try findings(bits: 369, suites: withDHE)))
        #expect(!handshakeError(try findings(bits: 300, suites: rsaOnly, isLeaf: false)))
        // Above both bounds but under 1024: the warning, not the error.
        let weak = try findings(bits: 512, suites: nil)
        #expect(!handshakeError(weak) && weak.contains { $0.code == .weakKey && $0.severity == .warning })
    }
}
