import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// Answers about algorithms, key usage, builds newer than the table, and impossible dates.
@Suite("Algorithms, key usage, unknown builds and dates")
struct AlgorithmAndDateTests {
    let pki: TestPKI
    init() throws {
        pki = try TestPKI.get()
        let pki = pki
        try pki.ensure("w-ed-leaf") {
            try pki.openssl(["genpkey", "-algorithm", "ED25519", "-out", "ed25519.key"])
            try pki.openssl(["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pss.key"])
            try pki.openssl(["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "dsa.param"])
            try pki.openssl(["genpkey", "-paramfile", "dsa.param", "-out", "dsa.key"])
            let server = [
                "subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ]
            let edServer = ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature"]
            try pki.issue("w-pss-key", issuer: "inter", subject: "/CN=pss.contoso.com", key: "pss.key", extensions: server)
            try pki.issue("w-dsa-key", issuer: "inter", subject: "/CN=dsa.contoso.com", key: "dsa.key", extensions: edServer)
            try pki.issue("w-ed-key", issuer: "inter", subject: "/CN=ed.contoso.com", key: "ed25519.key", extensions: edServer)
            try pki.issue(
                "w-ed-inter", issuer: "root", subject: "/CN=Contoso Ed25519 CA", key: "ed25519.key",
                extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"])
            // Ed25519 signs without a separate digest, so this leaf is made by hand.
            try pki.openssl(["req", "-new", "-key", "leaf.key", "-subj", "/CN=pool01.contoso.com", "-out", "w-ed-leaf.csr"])
            try pki.directory.write(
                "w-ed-leaf.ext", "[ext]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" + server.joined(separator: "\n") + "\n")
            try pki.openssl([
                "x509", "-req", "-in", "w-ed-leaf.csr", "-CA", "w-ed-inter.pem", "-CAkey", "ed25519.key", "-set_serial", "0x1234",
                "-extfile", "w-ed-leaf.ext", "-extensions", "ext", "-days", "365", "-out", "w-ed-leaf.pem",
            ])
            try pki.issue(
                "w-crlsign-leaf", issuer: "inter", subject: "/CN=pool01.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,cRLSign"])
        }
    }

    func verdict(_ leaf: String, chain: [String] = ["inter.pem"], device: String = "cx700", firmware: String? = nil) throws -> Verdict {
        let request = VerificationRequest(
            leaf: try pki.certificate(leaf), intermediates: try chain.map { try pki.certificate($0) },
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))])
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
    }

    @Test(
        "4. Ed25519 signatures and Ed25519, DSA and RSASSA-PSS keys are unsupported-algorithm on every phone build",
        arguments: [
            ("w-ed-leaf.pem", ["w-ed-inter.pem"]), ("w-ed-key.pem", ["inter.pem"]), ("w-dsa-key.pem", ["inter.pem"]),
            ("w-pss-key.pem", ["inter.pem"]),
        ])
    func algorithms(leaf: String, chain: [String]) throws {
        for firmware in ["1.0.522.101", "3.5.6907.35", "4.0.7577.4463", "4.0.7578.0"] {
            let result = try verdict(leaf, chain: chain, firmware: firmware)
            #expect(!result.isTrusted, "\(leaf) at \(firmware): \(result.findings.map(\.code))")
            #expect(result.findings.contains { $0.code == .unsupportedAlgorithm }, "\(leaf) at \(firmware): \(result.findings.map(\.code))")
        }
        // The batch fast path must agree.
        let batch = BatchVerifier(
            intermediates: try chain.map { try pki.certificate($0) },
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), time: Date())
        let outcome = batch.verify(der: [UInt8](try pki.certificate(leaf).der))
        #expect(outcome.codes.contains("unsupported-algorithm") && !outcome.trusted, "\(leaf): \(outcome.codes)")
    }

    @Test("5. a leaf whose keyUsage is only cRLSign is key-usage, not eku, and the text says keyUsage")
    func keyUsageOnly() throws {
        for device in ["cx700", "generic"] {
            let result = try verdict("w-crlsign-leaf.pem", device: device)
            let codes = result.findings.map(\.code)
            #expect(codes.contains(.keyUsage) && !codes.contains(.eku), "\(device): \(codes)")
            let detail = result.findings.first { $0.code == .keyUsage }?.detail
            #expect(
                detail == .usage(keyUsage: ["cRLSign"], extendedKeyUsage: ["serverAuth"], needed: ["digitalSignature", "keyEncipherment"]),
                "\(String(describing: detail))")
        }
        let batch = BatchVerifier(
            intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
            profile: try DeviceProfile.resolve(device: "cx700", firmware: nil), time: Date())
        #expect(batch.verify(der: [UInt8](try pki.certificate("w-crlsign-leaf.pem").der)).codes == ["key-usage"])
    }

    @Test("6. a build past the table inherits the newest known build's capabilities, says so, and no fix names an older build")
    func newerBuilds() throws {
        let sha2 = try pki.certificate("leaf.pem")
        #expect(sha2.signatureAlgorithm.hash.isSHA2)
        for firmware in ["4.0.7578.0", "4.1.0.0", "5.0.0.0"] {
            let profile = try DeviceProfile.resolve(device: "cx700", firmware: firmware)
            #expect(profile.validatesSHA2, "\(firmware)")
            #expect(profile.notes.first?.contains("newer than every known build") == true)
            let result = try verdict("leaf.pem", firmware: firmware)
            #expect(!result.findings.contains { $0.code == .sha2Unsupported }, "\(firmware): \(result.findings.map(\.code))")
            #expect(VerdictReport.text([result]).contains("newer than every known build"))
        }
        var knowledge = DeviceKnowledgeBase.builtIn
        try knowledge.override("sha2Signatures", value: .bool(false))
        let forced = Verifier.verify(
            VerificationRequest(
                leaf: sha2, intermediates: [try pki.certificate("inter.pem")],
                anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))]),
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "5.0.0.0", knowledge: knowledge))
        let remedy = try #require(forced.findings.first { $0.code == .sha2Unsupported }).remedy
        #expect(!remedy.contains("4.0.7577.4463"), "\(remedy)")
    }

    @Test("7. impossible dates are refused everywhere with exit 2 and 'not a valid date'")
    func dates() async throws {
        let impossible = [
            "2027-02-30", "2026-01-01T25:61:61Z", "10000-01-01", "2026-13-01", "2026-02-29", "2026-01-01T12:00:60Z", "0000-01-01",
        ]
        let folder = try makeTemporaryDirectory("dates")
        for bad in impossible {
            // verify --at and audit's at: both parse with StrictDate; the file's error says so in the same words.
            let error = #expect(throws: StrictDate.Invalid.self, "\(bad)") { try StrictDate.parse(bad) }
            #expect(error?.description.contains("not a valid date") == true, "\(bad): \(String(describing: error))")
            try folder.write("d.yaml", "servers: [{host: a}]\nfleet: [{device: cx700}]\nat: '\(bad)'\n")
            do {
                _ = try await InProcess.audit(folder.appendingPathComponent("d.yaml"))
                Issue.record("\(bad): the deployment file was audited")
            } catch {
                #expect(error is AuditError && "\(error)".contains("not a valid date"), "\(bad): \(error)")
            }
        }
        // The command line turns both into a usage or input error, exit 2, on standard error.
        let result = try CLI.run(["verify", pki.url("leaf.pem").path, "--at", impossible[0]])
        #expect(result.status == 2 && result.stderr.contains("not a valid date"), "\(result.stderr)")
        let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path])
        #expect(audit.status == 2 && audit.stderr.contains("not a valid date"), "\(audit.stderr)")
        #expect(try StrictDate.parse("2024-02-29") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(try StrictDate.parse("2026-11-21T20:00:00+01:00") == Date(timeIntervalSince1970: 1_795_287_600))
        #expect(try StrictDate.parse("9999-12-31T23:59:59Z") == Date(timeIntervalSince1970: 253_402_300_799))
        var knowledge = DeviceKnowledgeBase.builtIn
        #expect(throws: DeviceKnowledgeError.self) {
            try knowledge.merge(
                userJSON: Array(
                    #"{"builds": [{"version": "9.9.9.9", "name": "x", "date": "2013-02-30", "families": ["*"], "source": "me", "confidence": "user"}]}"#
                        .utf8))
        }
    }
}
