import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// The rules both paths share: validity periods counted as RFC 5280 counts them, and resources the verifier owns.
@Suite("Validation core: one rule set for the full and the batch path")
struct ValidationCoreTests {
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
}

/// The command-line side of the shared options: typed firmware builds and capability overrides.
@Suite("CLI option groups")
struct OptionGroupTests {
    @Test("--capability KEY=VALUE overrides a capability; an unknown key, a bad value or a bad --firmware is a usage error")
    func capabilityAndFirmware() throws {
        let pki = try TestPKI.get()
        let base = ["verify", pki.url("leaf.pem").path, "--chain", pki.url("inter.pem").path, "--trust", pki.url("root.pem").path]
        let old = base + ["--device", "cx700", "--firmware", "3.5.6907.35", "--json"]
        #expect(try CLI.run(old).status == 1)
        let forced = try CLI.run(old + ["--capability", "sha2Signatures=true"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let unknown = try CLI.run(old + ["--capability", "colour=blue"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown capability 'colour'"))
        let wrongType = try CLI.run(old + ["--capability", "sha2Signatures=maybe"])
        #expect(wrongType.status == 2)
        #expect(wrongType.stderr.contains("sha2Signatures takes bool"))
        let badBuild = try CLI.run(base + ["--device", "cx700", "--firmware", "4.x"])
        #expect(badBuild.status == 2)
        #expect(badBuild.stderr.contains("--firmware"))
    }
}

/// Standard input is the command line's business: in the library `-` is a file name like any other.
@Suite("The - convention lives in the CLI")
struct StandardInputConventionTests {
    @Test("the library's readers take '-' as a path (and find no such file); the CLI reads standard input for it")
    func dashIsAPathInTheLibrary() throws {
        let folder = try makeTemporaryDirectory("dash")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: BoundedReader.Failure.self) { try BoundedReader.read(path: "-") }
        #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(path: "-") }
        #expect(BatchRun.paths(["-"]).map(\.path) == ["-"])
        let pem = try Data(contentsOf: repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem"))
        let cli = try CLI.run(["inspect", "-", "--json"], input: pem)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("pool01.contoso.com"))
    }
}

/// Serials and fingerprints are typed, with the text forms the JSON and certutil use.
@Suite("Typed serial numbers and fingerprints")
struct IdentifierTests {
    @Test("a certificate's serial and fingerprints are typed values whose hex is what openssl prints")
    func typed() throws {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")
        #expect(leaf.sha256.algorithm == .sha256 && leaf.sha256.bytes.count == 32)
        #expect(leaf.sha1.algorithm == .sha1 && leaf.sha1.bytes.count == 20)
        #expect(leaf.sha256Fingerprint == (try pki.opensslFingerprints(ofPEM: "leaf.pem")).first)
        let printed = try Shell.text(["openssl", "x509", "-noout", "-serial", "-in", pki.url("leaf.pem").path])
        #expect("serial=" + leaf.serial.hex == printed.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(leaf.serial.isWellFormed)
        #expect(!SerialNumber(magnitude: [0x05], isNegative: true).isWellFormed)
        #expect(!SerialNumber(magnitude: [0, 0], isNegative: false).isWellFormed)
        #expect(SerialNumber(magnitude: [0, 0], isNegative: false).hex == "00")
        #expect(!SerialNumber(magnitude: [UInt8](repeating: 1, count: 21), isNegative: false).isWellFormed)
        let json = try JSONEncoder().encode([leaf.sha256])
        #expect(try JSONDecoder().decode([Fingerprint].self, from: json) == [leaf.sha256])
        #expect(try JSONDecoder().decode([SerialNumber].self, from: JSONEncoder().encode([leaf.serial])) == [leaf.serial])
    }
}
