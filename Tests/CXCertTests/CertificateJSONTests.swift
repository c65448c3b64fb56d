import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// Issue #15: one certificate JSON schema. Every certificate object each command's renderer writes decodes as the
/// shared reference view and equals the view of the certificate it names; `inspect`'s objects decode as the full view.
@Suite("Certificate JSON: one schema, two views, in every command")
struct CertificateJSONTests {
    let pki: TestPKI
    let root: Certificate
    let inter: Certificate
    let leaf: Certificate
    let ecLeaf: Certificate

    init() throws {
        let pki = try TestPKI.get()
        self.pki = pki
        try pki.ensure("cj-ec") {
            try pki.issue(
                "cj-ec", issuer: "inter", subject: "/CN=ec.contoso.com", key: "ec256.key",
                extensions: ["subjectAltName=DNS:ec.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        root = try pki.certificate("root.pem")
        inter = try pki.certificate("inter.pem")
        leaf = try pki.certificate("leaf.pem")
        ecLeaf = try pki.certificate("cj-ec.pem")
    }

    var known: [Certificate] { [root, inter, leaf, ecLeaf] }

    /// Every object in a JSON tree that carries `sha256`: how every command points at a certificate.
    static func certificateObjects(_ value: Any) -> [[String: Any]] {
        if let object = value as? [String: Any] {
            let mine = object["sha256"] is String ? [object] : []
            return mine + object.values.flatMap(certificateObjects)
        }
        if let array = value as? [Any] { return array.flatMap(certificateObjects) }
        return []
    }

    /// Decodes every certificate object of `json` as the reference view and checks it against the certificate it
    /// names (found by `sha256` among `known`); returns the views in document order.
    @discardableResult
    func references(in json: String, known: [Certificate], _ command: String, atLeast minimum: Int) throws -> [CertificateReference] {
        let tree = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let objects = Self.certificateObjects(tree)
        #expect(objects.count >= minimum, "\(command): \(objects.count) certificate objects, expected at least \(minimum)")
        var out: [CertificateReference] = []
        for object in objects {
            let data = try JSONSerialization.data(withJSONObject: object)
            let reference = try JSONDecoder().decode(CertificateReference.self, from: data)
            let certificate = try #require(known.first { $0.sha256Fingerprint == reference.sha256 }, "\(command): \(reference.subject)")
            #expect(reference == CertificateReference(certificate), "\(command): \(reference.subject)")
            out.append(reference)
        }
        return out
    }

    func verdict(firmware: String = "3.5.6907.35", time: Date = Date()) throws -> Verdict {
        let request = VerificationRequest(
            leaf: leaf, intermediates: [inter], anchors: [TrustAnchor(certificate: root, source: .user(file: "root.pem"))],
            hosts: ["pool01.contoso.com"], time: time)
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: firmware))
    }

    @Test("inspect writes the full view: every key, equal to the certificate's, besides file/format/encoding")
    func inspect() throws {
        let summaries = known.map { CertificateSummary($0, file: "x.pem", format: .pem, encoding: .utf8) }
        let json = JSONOutput.encode(summaries)
        let full = try JSONDecoder().decode([CertificateJSON.Full].self, from: Data(json.utf8))
        #expect(full == known.map(CertificateJSON.Full.init))
        #expect(full.map(\.reference) == known.map(CertificateReference.init))
        #expect(full[3].keyCurve == "prime256v1" && full[0].keyCurve == nil, "\(full.map(\.keyCurve))")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        for object in objects {
            #expect(Set(object.keys) == Set(CertificateJSON.Full.keys + ["file", "format", "encoding"]), "\(object.keys.sorted())")
        }
        try references(in: json, known: known, "inspect", atLeast: 4)
    }

    @Test("verify: chain links (with role and source) and findings' certificates, one verdict and several")
    func verify() throws {
        let old = try verdict()
        let new = try verdict(firmware: "4.0.7577.4463")
        #expect(old.findings.contains { $0.code == .sha2Unsupported && $0.certificate != nil }, "\(old.findings.map(\.code))")
        let one = try references(in: VerdictReport.json([old]), known: known, "verify", atLeast: old.chain.count + 1)
        #expect(Set(one.map(\.sha256)) == Set(old.chain.map(\.certificate.sha256Fingerprint)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(VerdictReport.json([old]).utf8)) as? [String: Any])
        let chain = try #require(object["chain"] as? [[String: Any]])
        #expect(chain.count == 3 && chain.map { $0["role"] as? String } == ["leaf", "intermediate", "anchor"])
        for link in chain {
            #expect(Set(link.keys) == Set(CertificateJSON.Reference.keys + ["role", "source"]), "\(link.keys.sorted())")
        }
        try references(in: VerdictReport.json([old, new]), known: known, "verify (several)", atLeast: 6)
        try references(in: VerdictReport.json([old, new], nextChanges: [nil, nil]), known: known, "verify --until", atLeast: 6)
    }

    func probeReport() -> ProbeReport {
        ProbeReport(
            target: ProbeTarget(host: "pool01.contoso.com"), presented: [leaf, inter], chainIssues: [], protocols: [:],
            cipherSuites: [], asPhone: .refused("handshake failure"), negotiated: nil)
    }

    @Test("probe: the presented chain and the results")
    func probe() throws {
        let result = ProbeResult(report: probeReport(), verdicts: [try verdict()])
        let json = ProbeResult.json([result])
        try references(in: json, known: known, "probe", atLeast: 2 + 3)
        let entry = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])?.first)
        let presented = try #require(entry["presented"] as? [[String: Any]])
        #expect(Set(presented.flatMap(\.keys)) == Set(CertificateJSON.Reference.keys))
        #expect(presented.map { $0["sha1"] as? String } == [leaf.sha1Thumbprint, inter.sha1Thumbprint])
    }

    @Test("audit: certificate-file and probed servers, results with and without nextChange")
    func audit() async throws {
        let folder = try makeTemporaryDirectory("cj-audit")
        let yaml = """
            servers:
              - {name: pool, certificate: "\(pki.url("leaf.pem").path)", names: [pool01.contoso.com]}
            fleet:
              - {device: cx700, firmware: 3.5.6907.35, count: 1}
            trust:
              roots: ["\(pki.url("root.pem").path)"]
            """
        let result = try await Auditor.run(try DeploymentFile(yaml: yaml), relativeTo: folder)
        try #require(result.servers.count == 1 && result.servers[0].verdicts.count == 1)
        try references(in: AuditReport.json(result), known: known, "audit", atLeast: 2)
        let probed = ServerAudit(
            name: "probed", source: "pool01.contoso.com:443", probe: probeReport(), problem: nil, verdicts: [try verdict()],
            nextChanges: [nil])
        let ahead = AuditResult(
            fleet: result.fleet, servers: result.servers + [probed], fixes: result.fixes, time: result.time, planNotes: result.planNotes,
            until: result.time.addingTimeInterval(86_400))
        let json = AuditReport.json(ahead)
        let references = try references(in: json, known: known, "audit --until", atLeast: 2 + 2 + 3)
        #expect(references.contains { $0.sha256 == inter.sha256Fingerprint })
    }

    func bootTrace() throws -> BootTrace {
        let verdict = try verdict()
        let endpoint = BootEndpoint(
            host: "pool01.contoso.com", address: "127.0.0.1", port: 443, purpose: "web services", chain: [leaf, inter],
            verdict: verdict, outcome: "handshake ok")
        let step = BootStep(
            kind: .webServices, status: .failed, queries: [], endpoints: [endpoint], timeSamples: [],
            roots: [BootRoot(certificate: root, source: "--trust root.pem")], notes: [], findings: verdict.findings)
        return BootTrace(profile: try DeviceProfile.resolve(device: "cx700"), phoneClock: nil, clockSource: nil, steps: [step])
    }

    @Test("boot and trace: endpoint chains, roots (with source) and findings")
    func bootAndTrace() throws {
        let trace = try bootTrace()
        let boot = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [trace])
        let bootJSON = BootRendering.json(boot)
        try references(in: bootJSON, known: known, "boot", atLeast: 2 + 1 + 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bootJSON.utf8)) as? [String: Any])
        let step = try #require(((object["builds"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])?.first)
        let rootObject = try #require((step["roots"] as? [[String: Any]])?.first)
        #expect(
            Set(rootObject.keys) == Set(CertificateJSON.Reference.keys + ["source"])
                && rootObject["source"] as? String == "--trust root.pem")

        let capture = CaptureReport(
            files: ["lab.pcap"], frames: 12, findings: [],
            phones: [CaptureTrace(phone: CapturedPhone(address: "10.0.0.9", mac: nil, reason: "test"), trace: trace, buildSource: "test")])
        try references(in: CaptureRendering.json(capture), known: known, "trace", atLeast: 2 + 1 + 1)
    }

    @Test("ds list and ds discover: directory values (placeholders skipped), with their objects")
    func directory() throws {
        let dn = "CN=Contoso Root CA,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com"
        let aia = "CN=Contoso Issuing CA,CN=AIA,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com"
        let snapshot = DirectorySnapshot(
            certificationAuthorities: [
                DirectoryEntry(dn: dn, attributes: ["cACertificate": [root.der, [0]]]),
                DirectoryEntry(dn: aia, attributes: ["cACertificate": [inter.der]]),
            ], enrollmentServices: [])
        let listing = try references(in: JSONOutput.encode(DirectoryListing(snapshot)), known: known, "ds list", atLeast: 2)
        #expect(Set(listing.map(\.sha256)) == [root.sha256Fingerprint, inter.sha256Fingerprint])
        let discovery = PhoneDiscovery.walk(snapshot)
        let json = JSONOutput.encode(discovery)
        try references(in: json, known: known, "ds discover", atLeast: 2)
        let found = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["certificationAuthorities"] as? [[String: Any]])
        #expect(found.allSatisfy { Set($0.keys) == Set(CertificateJSON.Reference.keys + ["objects"]) }, "\(found.map(\.keys))")
    }

    @Test("truststore: every cache row carries its certificate's reference view")
    func truststore() throws {
        let json = JSONOutput.encode(TrustStoreStatus.all(at: Date()))
        let references = try references(
            in: json, known: BuiltInTrustStore.entries.map(\.certificate), "truststore", atLeast: BuiltInTrustStore.entries.count)
        #expect(references.map(\.sha256) == BuiltInTrustStore.entries.map(\.certificate.sha256Fingerprint))
        // RSA's old Secure Server CA: a 1000-bit key, as the guide says.
        #expect(references.contains { $0.keyBits == 1000 && $0.keyType == "RSA" })
    }

    @Test("the views decode strictly: a missing key, a lowercase or short digest, a bad date or key type is refused")
    func strictDecoding() throws {
        let encoder = JSONEncoder()
        func object(_ value: some Encodable) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: encoder.encode(value)) as? [String: Any])
        }
        func decodes<T: Decodable>(_ type: T.Type, _ object: [String: Any]) -> Bool {
            (try? JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: object))) != nil
        }
        let reference = try object(CertificateReference(leaf))
        #expect(decodes(CertificateReference.self, reference))
        var extra = reference
        extra["role"] = "leaf"
        #expect(decodes(CertificateReference.self, extra), "the enclosing object's keys are ignored")
        for key in CertificateJSON.Reference.keys {
            var missing = reference
            missing[key] = nil
            #expect(!decodes(CertificateReference.self, missing), "without \(key)")
        }
        let broken: [(String, Any)] = [
            ("sha1", leaf.sha1Thumbprint.lowercased()), ("sha256", String(leaf.sha256Fingerprint.dropLast(2))),
            ("sha1", leaf.sha256Fingerprint), ("serial", "0x12"), ("notAfter", "2030-02-30T00:00:00Z"),
            ("notBefore", "2030-01-01"), ("keyType", "rsa"), ("keyBits", "2048"), ("subject", NSNull()),
        ]
        for (key, value) in broken {
            var bad = reference
            bad[key] = value
            #expect(!decodes(CertificateReference.self, bad), "\(key) = \(value)")
        }
        let full = try object(CertificateJSON.Full(leaf))
        #expect(decodes(CertificateJSON.Full.self, full))
        #expect(!decodes(CertificateJSON.Full.self, reference), "a reference is not a full view")
        var noCurve = full
        noCurve["keyCurve"] = nil
        #expect(!decodes(CertificateJSON.Full.self, noCurve), "a null key must be present as null")
        var nullCurve = full
        nullCurve["keyCurve"] = NSNull()
        #expect(decodes(CertificateJSON.Full.self, nullCurve))
        var badHash = full
        badHash["signatureHash"] = "sha999"
        #expect(!decodes(CertificateJSON.Full.self, badHash))
    }

    @Test("the README's section names both views, every reference key and every command that writes certificates")
    func documented() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "## Certificate objects in JSON"))
        let section = String(readme[start.upperBound...]).components(separatedBy: "\n## ")[0]
        for key in CertificateJSON.Reference.keys { #expect(section.contains("`\(key)`"), "\(key)") }
        for name in ["CertificateJSON.Reference", "CertificateJSON.Full"] { #expect(section.contains(name), "\(name)") }
        for command in ["inspect", "verify", "probe", "audit", "boot", "trace", "ds list", "ds discover", "truststore"] {
            #expect(section.contains("`\(command)"), "\(command)")
        }
    }
}
