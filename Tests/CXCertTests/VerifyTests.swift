import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// Real PKIs made with openssl at test time; each scenario asserts the exact set of finding codes.
@Suite("cxcert verify: chains, device policy and findings")
struct VerifyTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.withScenarios() }

    func verdict(
        _ leaf: String, chain: [String] = ["inter"], trust: [String] = ["root"], device: String = "generic",
        firmware: String? = nil, hosts: [String] = [], at: Date = Date()
    ) throws -> Verdict {
        let request = VerificationRequest(
            leaf: try pki.certificate("\(leaf).pem"), intermediates: try chain.flatMap { try pki.certificates("\($0).pem") },
            anchors: try trust.map { TrustAnchor(certificate: try pki.certificate("\($0).pem"), source: .user(file: $0)) },
            hosts: hosts, time: at)
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
    }

    func codes(_ verdict: Verdict) -> Set<String> { Set(verdict.findings.map(\.code.rawValue)) }

    static let days = 86_400.0

    @Test("a complete SHA-256 chain is trusted by a modern client and by Lync Phone Edition")
    func trustedChain() throws {
        let generic = try verdict("leaf", hosts: ["pool01.contoso.com", "ucupdates-r2"])
        #expect(generic.isTrusted, "\(generic.findings.map(\.message))")
        #expect(generic.chain.map(\.certificate.subject.displayName) == ["pool01.contoso.com", "Contoso Issuing CA", "Contoso Root CA"])
        let lpe = try verdict("leaf", device: "cx600", firmware: "4.0.7577.4463", hosts: ["pool01.contoso.com", "ucupdates-r2"])
        #expect(codes(lpe).isEmpty)
    }

    @Test("missing-intermediate exactly when the issuing CA is absent")
    func missingIntermediate() throws {
        let verdict = try verdict("leaf", chain: [])
        #expect(codes(verdict) == ["missing-intermediate"])
        #expect(verdict.findings.first?.certificate?.subject.commonName == "pool01.contoso.com")
        let finding = try #require(verdict.findings.first)
        #expect(finding.detail == .issuerMissing(issuer: "CN=Contoso Issuing CA,DC=contoso,DC=com"))
        // Library users get plain words; the verify command names its own option.
        #expect(!finding.remedy.contains("--"))
        #expect(finding.with(vocabulary: .command(.verify)).remedy.contains("pass it here with --chain FILE"))
        #expect(!finding.with(vocabulary: .command(.boot)).remedy.contains("--chain"))
    }

    @Test("untrusted-root when the chain reaches a root the client does not have")
    func untrustedRoot() throws {
        let generic = try verdict("leaf", chain: ["inter", "root"], trust: [])
        #expect(codes(generic) == ["untrusted-root"])
        let phone = try verdict("leaf", chain: ["inter", "root"], trust: [], device: "cx700", firmware: "4.0.7577.4463")
        #expect(codes(phone) == ["untrusted-root"])
        let finding = try #require(phone.findings.first)
        #expect(finding.remedy.contains("certutil -f -dspublish ROOT.cer RootCA"))
        #expect(finding.remedy.contains("in the chain the server sends"))
        // 9. the self-signed root sent in the chain is a root, not an intermediate.
        #expect(phone.chain.last?.role == .untrustedRoot)
        #expect(VerdictReport.text([phone]).contains("root (not trusted)"))
        let json = try JSONSerialization.jsonObject(with: Data(VerdictReport.json([phone]).utf8)) as? [String: Any]
        #expect((json?["chain"] as? [[String: Any]])?.last?["role"] as? String == "root")
        #expect(finding.deviceSymptom?.contains("Cannot validate server certificate") == true)
        #expect(finding.deviceSymptom?.contains("0x2F0D") == true)
    }

    @Test("SHA-2 signatures fail on OCS 2007 R2 firmware, on every certificate below the root only")
    func sha2ByFirmware() throws {
        let old = try verdict("leaf", device: "cx700", firmware: "3.5.6907.35")
        #expect(codes(old) == ["sha2-unsupported"])
        let flagged = old.findings.compactMap { $0.certificate?.subject.displayName }
        #expect(Set(flagged) == ["pool01.contoso.com", "Contoso Issuing CA"])
        let r1 = try verdict("leaf", device: "cx700", firmware: "1.0.522.101")
        #expect(codes(r1) == ["sha2-unsupported"])
        // The same chain re-signed with SHA-1 under a SHA-1 root passes the old firmware.
        let sha1 = try verdict(
            "v-sha1-leaf", chain: ["v-sha1-inter"], trust: ["root-sha1"], device: "cx700", firmware: "3.5.6907.35", hosts: ["ucupdates-r2"])
        #expect(codes(sha1).isEmpty)
        // A SHA-256 self-signature on the root is never checked, so a SHA-256 root with SHA-1 children would pass too.
        #expect(
            try verdict("v-sha1-leaf", chain: ["v-sha1-inter"], trust: ["root-sha1"]).findings.map(\.code) == [
                .weakSignature, .weakSignature,
            ])
    }

    @Test("expired, not-yet-valid and root-expired depend on the validation time")
    func validity() throws {
        #expect(codes(try verdict("v-short", at: Date().addingTimeInterval(60 * Self.days))) == ["expired"])
        #expect(codes(try verdict("v-short", at: Date().addingTimeInterval(-2 * Self.days))) == ["not-yet-valid"])
        let rootExpired = try verdict(
            "v-under-short-root", chain: [], trust: ["v-root-short"], at: Date().addingTimeInterval(3 * Self.days))
        #expect(codes(rootExpired) == ["root-expired"])
        #expect(codes(try verdict("v-under-short-root", chain: [], trust: ["v-root-short"])).isEmpty)
    }

    @Test("wrong EKU, CA:FALSE issuer, missing keyCertSign, path length")
    func constraints() throws {
        #expect(codes(try verdict("v-clientauth", device: "aries", firmware: "4.0.7577.4463")) == ["eku"])
        #expect(codes(try verdict("v-under-noca", chain: ["v-noca"], device: "aries", firmware: "4.0.7577.4463")) == ["not-a-ca"])
        #expect(codes(try verdict("v-under-noku", chain: ["v-noku-ca"], device: "aries", firmware: "4.0.7577.4463")) == ["key-usage"])
        #expect(codes(try verdict("v-deep", chain: ["v-sub", "inter"], device: "aries", firmware: "4.0.7577.4463")) == ["path-length"])
    }

    @Test("key sizes: 1024 fails the web PKI but not the phone; 2048 and 4096 pass both")
    func keySizes() throws {
        #expect(codes(try verdict("v-rsa1024")) == ["weak-key"])
        #expect(codes(try verdict("v-rsa1024", device: "aries", firmware: "4.0.7577.4463")).isEmpty)
        #expect(codes(try verdict("v-rsa4096")).isEmpty)
        #expect(codes(try verdict("v-rsa4096", device: "aries", firmware: "4.0.7577.4463")).isEmpty)
    }

    @Test("ECC and RSASSA-PSS are refused by phones, accepted by a modern client")
    func algorithms() throws {
        #expect(
            codes(try verdict("v-under-ec", chain: [], trust: ["v-ec-root"], device: "aries", firmware: "4.0.7577.4463")) == [
                "unsupported-algorithm"
            ])
        #expect(codes(try verdict("v-under-ec", chain: [], trust: ["v-ec-root"])).isEmpty)
        #expect(codes(try verdict("v-pss", device: "aries", firmware: "4.0.7577.4463")) == ["unsupported-algorithm"])
        #expect(codes(try verdict("v-pss")).isEmpty)
    }

    @Test("names: wildcards refused by phones, CN-only names refused by both")
    func names() throws {
        #expect(
            codes(try verdict("v-wildcard", device: "cx600", firmware: "4.0.7577.107", hosts: ["pool01.contoso.com"])) == [
                "wildcard-not-supported"
            ])
        #expect(codes(try verdict("v-wildcard", hosts: ["pool01.contoso.com"])).isEmpty)
        #expect(
            codes(try verdict("v-cn-only", device: "cx600", firmware: "4.0.7577.107", hosts: ["pool01.contoso.com"])) == [
                "name-not-covered"
            ])
        // generic also refuses the certificate itself: its CN is not one of its SAN entries (CABF BR 7.1.4.3).
        #expect(codes(try verdict("v-cn-only", hosts: ["pool01.contoso.com"])) == ["name-not-covered", "malformed-certificate"])
        #expect(
            codes(try verdict("leaf", device: "cx700", firmware: "4.0.7577.4463", hosts: ["ucupdates-r2.fabrikam.com"])) == [
                "name-not-covered"
            ])
    }

    @Test("a broken signature is bad-signature")
    func badSignature() throws {
        var der = [UInt8](try pki.certificate("leaf.pem").der)
        der[der.count - 1] ^= 0x01
        let request = VerificationRequest(
            leaf: try Certificate(derEncoded: der), intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root"))])
        #expect(codes(Verifier.verify(request, profile: try DeviceProfile.resolve(device: "generic"))) == ["bad-signature"])
    }

    @Test("candidates are tried: a decoy with the issuer's name but another key does not derail the chain")
    func candidates() throws {
        let verdict = try verdict("leaf", chain: ["v-decoy", "root", "inter"])
        #expect(verdict.isTrusted)
        #expect(verdict.chain[1].certificate == (try pki.certificate("inter.pem")))
        let bundle = try [
            pki.certificate("root.pem"), pki.certificate("v-decoy.pem"), pki.certificate("leaf.pem"), pki.certificate("inter.pem"),
        ]
        #expect(VerificationRequest.split(bundle: bundle)?.leaf == (try pki.certificate("leaf.pem")))
    }

    @Test("a real public chain ends at the phone's built-in cache without --trust")
    func publicRootsChain() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/CXCertTests/Fixtures")
        let secureCA = try #require(
            try CertificateDecoder().decode(contentsOf: fixtures.appendingPathComponent("godaddy-secure-ca.pem")).certificates.first)
        let cross = try CertificateDecoder().decode(contentsOf: fixtures.appendingPathComponent("godaddy-class2-by-valicert.pem"))
            .certificates
        let at = try #require((try? StrictDate.parse("2012-06-01")))
        let request = VerificationRequest(leaf: secureCA, intermediates: cross, time: at)
        let phone = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "cx700", firmware: "3.5.6907.35"))
        guard case .anchor(let source) = try #require(phone.chain.last).role else {
            Issue.record("the chain does not end at an anchor: \(phone.chain.map(\.certificate.subject))")
            return
        }
        #expect([TrustSource.builtInCache(row: 15), .builtInCache(row: 16)].contains(source))
        let chainCodes = codes(phone).intersection(["untrusted-root", "missing-intermediate", "bad-signature", "sha2-unsupported"])
        #expect(chainCodes.isEmpty)
        // Without the built-in cache (a generic client with no --trust) the same chain is not anchored.
        let generic = Verifier.verify(request, profile: try DeviceProfile.resolve(device: "generic"))
        #expect(!codes(generic).isDisjoint(with: ["untrusted-root", "missing-intermediate"]))
    }
}

@Suite("cxcert verify: the command-line contract")
struct VerifyCLITests {
    @Test("exit codes 0, 1 and 2; JSON with one result or a results array")
    func contract() throws {
        let pki = try TestPKI.get()
        let leaf = pki.url("leaf.pem").path
        let inter = pki.url("inter.pem").path
        let root = pki.url("root.pem").path
        // What verify --json computes, in-process; the text run below goes through the command.
        let ok = try InProcess.verify(leaf, chain: [inter], trust: [root], device: "generic", hosts: ["pool01.contoso.com"])
        #expect(ok.allTrusted, "\(ok.verdicts.map(\.findings))")
        let single = try InProcess.verifyJSON(ok)
        #expect(single["trusted"] as? Bool == true)
        #expect((single["chain"] as? [[String: Any]])?.count == 3)
        #expect((single["findings"] as? [Any])?.isEmpty == true)

        let matrix = try InProcess.verify(
            leaf, chain: [inter], trust: [root], device: "cx700", firmwares: ["3.5.6907.35", "4.0.7577.4463"])
        #expect(!matrix.allTrusted)
        let results = try #require(try InProcess.verifyJSON(matrix)["results"] as? [[String: Any]])
        #expect(results.map { $0["firmware"] as? String } == ["3.5.6907.35", "4.0.7577.4463"])
        #expect(results.map { $0["trusted"] as? Bool } == [false, true])
        let finding = try #require((results[0]["findings"] as? [[String: Any]])?.first)
        for key in ["code", "severity", "certificate", "message", "deviceSymptom", "remedy"] { #expect(finding[key] != nil, "\(key)") }

        let text = try CLI.run([
            "verify", leaf, "--chain", inter, "--trust", root, "--device", "cx700", "--firmware", "3.5.6907.35", "--firmware",
            "4.0.7577.4463",
        ])
        #expect(text.status == 1)
        #expect(text.stdout.contains("sha2-unsupported"))
        #expect(text.stdout.contains("4.0.7577.4463"))

        #expect(try CLI.run(["verify", "/nonexistent.cer"]).status == 2)
        #expect(try CLI.run(["verify", leaf, "--device", "nokia"]).status == 2)
        #expect(try CLI.run(["verify", leaf, "--at", "yesterday"]).status == 2)
        #expect(try CLI.run(["verify"]).status == 2)
    }
}

extension TestPKI {
    /// The verify scenarios' certificates, made once per process.
    static let scenarios: Result<TestPKI, any Error> = Result {
        let pki = try TestPKI.get()
        let server = ["extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment"]
        do {
            try pki.issue(
                "v-sha1-inter", issuer: "root-sha1", subject: "/DC=com/DC=contoso/CN=Contoso SHA1 Issuing CA", key: "rsa2048.key",
                digest: "sha1", extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
            try pki.issue(
                "v-sha1-leaf", issuer: "v-sha1-inter", subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: "sha1",
                extensions: ["subjectAltName=DNS:pool01.contoso.com,DNS:ucupdates-r2"] + server)
            try pki.issue(
                "v-short", issuer: "inter", subject: "/CN=short.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:short.contoso.com"] + server, days: 30)
            try pki.issue(
                "v-clientauth", issuer: "inter", subject: "/CN=client.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:client.contoso.com", "extendedKeyUsage=clientAuth"])
            try pki.issue(
                "v-noca", issuer: "root", subject: "/CN=Not A CA", key: "other.key", extensions: ["basicConstraints=critical,CA:FALSE"])
            try pki.issue(
                "v-under-noca", issuer: "v-noca", subject: "/CN=under.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:under.contoso.com"] + server)
            try pki.issue(
                "v-sub", issuer: "inter", subject: "/CN=Contoso Sub CA", key: "other.key",
                extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
            try pki.issue(
                "v-deep", issuer: "v-sub", subject: "/CN=deep.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:deep.contoso.com"] + server)
            try pki.issue(
                "v-noku-ca", issuer: "root", subject: "/CN=Contoso No-KU CA", key: "other.key",
                extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature"])
            try pki.issue(
                "v-under-noku", issuer: "v-noku-ca", subject: "/CN=noku.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:noku.contoso.com"] + server)
            try pki.issue(
                "v-rsa1024", issuer: "inter", subject: "/CN=small.contoso.com", key: "rsa1024.key",
                extensions: ["subjectAltName=DNS:small.contoso.com"] + server)
            try pki.issue(
                "v-rsa4096", issuer: "inter", subject: "/CN=big.contoso.com", key: "rsa4096.key",
                extensions: ["subjectAltName=DNS:big.contoso.com"] + server)
            try pki.issue(
                "v-wildcard", issuer: "inter", subject: "/CN=*.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:*.contoso.com"] + server)
            try pki.issue(
                "v-cn-only", issuer: "inter", subject: "/CN=pool01.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:other.contoso.com"] + server)
            try pki.selfSigned("v-root-short", subject: "/CN=Short-lived Root", key: "other.key", digest: "sha256", days: 1)
            try pki.issue(
                "v-under-short-root", issuer: "v-root-short", subject: "/CN=long.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:long.contoso.com"] + server)
            // A decoy with the issuing CA's name but another key.
            try pki.issue(
                "v-decoy", issuer: "root", subject: "/DC=com/DC=contoso/CN=Contoso Issuing CA", key: "other.key",
                extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
            try pki.selfSigned("v-ec-root", subject: "/CN=Contoso EC Root", key: "ec256.key", digest: "sha256")
            try pki.issue(
                "v-under-ec", issuer: "v-ec-root", subject: "/CN=ec.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:ec.contoso.com"] + server)
            try pki.issue(
                "v-pss", issuer: "inter", subject: "/CN=pss.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:pss.contoso.com"] + server, sigopts: ["rsa_padding_mode:pss"])
        }
        return pki
    }

    static func withScenarios() throws -> TestPKI { try scenarios.get() }
}

@Suite("verify: a bundle with two leaves, and the documented JSON keys")
struct VerifyBundleTests {
    @Test("verify FILE with two leaves says which was chosen and why; documented JSON keys are present even when null")
    func twoLeavesAndNulls() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("two-leaves")
        try pki.ensure("tl-other") {
            try pki.issue(
                "tl-other", issuer: "inter", subject: "/CN=other.contoso.com", key: "other.key",
                extensions: ["subjectAltName=DNS:other.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        try folder.write("two.pem", try pki.directory.read("leaf.pem") + pki.directory.read("tl-other.pem"))
        // verify prints this note on standard error; the choice and its reason are the library's.
        let bundle = try CertificateDecoder().decode(path: folder.appendingPathComponent("two.pem").path).certificates
        let note = try #require(VerificationRequest.leafChoice(bundle: bundle))
        #expect(note.contains("2 certificates issued none of the others") && note.contains("judging pool01.contoso.com"), "\(note)")
        let outcome = try InProcess.verify(
            folder.appendingPathComponent("two.pem").path, device: "generic", hosts: ["nowhere.contoso.com"])
        let json = try InProcess.verifyJSON(outcome)
        for key in ["trusted", "profile", "device", "firmware", "at", "chain", "names", "findings", "notes"] {
            #expect(json.keys.contains(key), "\(key)")
        }
        #expect(json["firmware"] is NSNull)
        let name = try #require((json["names"] as? [[String: Any]])?.first)
        #expect(name.keys.contains("matchedBy") && name["matchedBy"] is NSNull)
        for link in json["chain"] as? [[String: Any]] ?? [] {
            #expect(
                Set(link.keys)
                    == [
                        "subject", "sha256", "role", "source", "signatureAlgorithm", "keyBits",
                        // The rest of the shared certificate reference (CertificateJSON.Reference), added by issue #15.
                        "issuer", "serial", "sha1", "notBefore", "notAfter", "keyType",
                    ], "\(link.keys)")
        }
    }
}
