import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

/// The `generic` profile as a modern strict client: one test per rule family of issue #14 item 5, each
/// with a certificate the rule refuses and a neighbour it accepts, all made with `openssl` at test time.
@Suite("generic: web-PKI rules, refused and accepted")
struct WebPKITests {
    let lab: WebPKILab

    init() throws { lab = try WebPKILab.shared.get() }

    /// The verdict for `leaf` under `chain` with `trust` as the anchors.
    func verdict(
        _ leaf: String, chain: [String] = ["inter"], trust: [String] = ["root"], device: String = "generic", firmware: String? = nil,
        at: Date = Date(), maxChainDepth: Int = VerificationRequest.defaultMaxChainDepth
    ) throws -> Verdict {
        var request = VerificationRequest(
            leaf: try lab.certificate(leaf), intermediates: try chain.map(lab.certificate),
            anchors: try trust.map { TrustAnchor(certificate: try lab.certificate($0), source: .user(file: $0)) }, time: at)
        request.maxChainDepth = maxChainDepth
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
    }

    func codes(_ verdict: Verdict) -> Set<String> { Set(verdict.findings.map(\.code.rawValue)) }

    /// Refused with exactly `code` among its findings, and a message naming the rule's reference.
    func expectRefused(
        _ leaf: String, _ code: FindingCode, reference: String, chain: [String] = ["inter"], trust: [String] = ["root"],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let verdict = try verdict(leaf, chain: chain, trust: trust)
        #expect(!verdict.isTrusted, "\(leaf) should be refused", sourceLocation: sourceLocation)
        #expect(codes(verdict).contains(code.rawValue), "\(leaf): \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
        #expect(
            verdict.findings.contains { $0.code == code && $0.message.contains(reference) },
            "\(leaf): no \(code) finding cites \(reference): \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
    }

    /// Trusted, with a warning for `rule` (a lint): its code, rule id and reference, and no error of that code.
    func expectLinted(
        _ leaf: String, _ rule: WebPKIRule, chain: [String] = ["inter"], trust: [String] = ["root"],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(rule.effect == .lint, sourceLocation: sourceLocation)
        let verdict = try verdict(leaf, chain: chain, trust: trust)
        #expect(verdict.isTrusted, "\(leaf) is only linted: \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
        let lint = verdict.findings.first {
            if case .rule(let id, _, _) = $0.detail { id == rule.rawValue } else { false }
        }
        #expect(lint?.severity == .warning, "\(leaf): \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
        #expect(lint?.code == rule.code && lint?.message.contains(rule.reference) == true, sourceLocation: sourceLocation)
    }

    func expectAccepted(
        _ leaf: String, chain: [String] = ["inter"], trust: [String] = ["root"], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let verdict = try verdict(leaf, chain: chain, trust: trust)
        #expect(verdict.isTrusted, "\(leaf) should be trusted: \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
    }

    @Test("the lab's plain chain is trusted, so every refusal below is the rule's doing")
    func baseline() throws {
        try expectAccepted("plain")
        #expect(try verdict("plain").chain.count == 3)
    }

    @Test("nameConstraints in an end-entity certificate is refused; the same constraint in the CA above is not")
    func nameConstraintsOnEndEntity() throws {
        try expectRefused("nc-in-leaf", .nameConstraints, reference: "RFC 5280 4.2.1.10")
        try expectAccepted("under-nc", chain: ["inter-nc"])
    }

    @Test("nameConstraints not marked critical is a lint (the constraint still applies); critical is clean")
    func nameConstraintsCriticality() throws {
        try expectLinted("under-nc-noncritical", .nameConstraintsNotCritical, chain: ["inter-nc-noncritical"])
        try expectAccepted("under-nc", chain: ["inter-nc"])
    }

    @Test("empty permitted/excluded subtrees are refused; an excluded-only constraint is accepted")
    func nameConstraintsEmpty() throws {
        try expectRefused("under-nc-none", .nameConstraints, reference: "CABF BR 7.1.2.5.2", chain: ["inter-nc-none"])
        try expectRefused("under-nc-empty", .nameConstraints, reference: "CABF BR 7.1.2.5.2", chain: ["inter-nc-empty"])
        try expectAccepted("under-nc-excluded", chain: ["inter-nc-excluded"])
    }

    @Test("a SAN that is not a valid DNS name under a DNS name constraint is refused; a valid one is accepted")
    func nameConstraintsInvalidName() throws {
        try expectRefused("nc-dot-san", .nameConstraints, reference: "RFC 5280 4.2.1.10", chain: ["inter-nc"])
        try expectAccepted("under-nc", chain: ["inter-nc"])
    }

    @Test("a wildcard that covers an excluded subtree is refused; one that cannot reach it is accepted")
    func nameConstraintsExcludedWildcard() throws {
        try expectRefused("wildcard-excluded", .nameConstraints, reference: "RFC 9525 6.3", chain: ["inter-nc-excluded"])
        try expectAccepted("wildcard-beside-excluded", chain: ["inter-nc-excluded-deep"])
    }

    @Test("a root AKI without keyIdentifier is refused; issuer/serial or another key's id is a lint; a matching key id is clean")
    func rootAuthorityKeyIdentifier() throws {
        try expectRefused(
            "leaf-root-aki-serial-only", .malformed, reference: "CABF BR 7.1.2.1.3", chain: [], trust: ["root-aki-serial-only"])
        for root in ["root-aki-issuer", "root-aki-mismatch"] {
            try expectLinted("leaf-\(root)", .rootAuthorityKeyIdentifierFields, chain: [], trust: [root])
        }
        try expectAccepted("leaf-root-aki-keyid", chain: [], trust: ["root-aki-keyid"])
        // Each way of going wrong is named.
        let messages = try ["root-aki-issuer", "root-aki-mismatch", "root-aki-serial-only"].flatMap {
            try verdict("leaf-\($0)", chain: [], trust: [$0]).findings.map(\.message)
        }
        for part in [
            "carries authorityCertIssuer or authorityCertSerialNumber", "is not its own subjectKeyIdentifier", "has no keyIdentifier",
        ] {
            #expect(messages.contains { $0.contains(part) }, "\(part): \(messages)")
        }
    }

    @Test("a CN that is not a SAN entry, or differs in case, IP spelling or punycode, is a lint that never decides trust")
    func commonNameInSAN() throws {
        for leaf in ["cn-not-in-san", "cn-case", "cn-ipv4-zeros", "cn-ipv6-upper", "cn-punycode", "cn-utf8"] {
            try expectLinted(leaf, .commonNameNotInSAN)
        }
        try expectAccepted("plain")
        try expectAccepted("cn-ip-exact")
        try expectAccepted("no-cn")
    }

    @Test("a critical end-entity EKU is refused; anyExtendedKeyUsage or codeSigning beside serverAuth is a lint")
    func endEntityExtendedKeyUsage() throws {
        try expectRefused("eku-critical", .eku, reference: "CABF BR 7.1.2.7.10")
        for leaf in ["eku-any", "eku-codesigning"] { try expectLinted(leaf, .endEntityExtendedKeyUsage) }
        try expectAccepted("eku-server-client")
    }

    @Test("a root with an EKU (serverAuth among it) is a lint; the same root without one is clean")
    func rootExtendedKeyUsage() throws {
        try expectLinted("leaf-root-eku", .rootExtendedKeyUsage, chain: [], trust: ["root-eku"])
        try expectAccepted("leaf-root-aki-keyid", chain: [], trust: ["root-aki-keyid"])
    }

    @Test("a negative serial is refused; a positive one is accepted")
    func serialNumber() throws {
        #expect(try lab.certificate("serial-negative").serialNumber.hasPrefix("-"))
        let verdict = try verdict("serial-negative")
        #expect(!verdict.isTrusted)
        #expect(codes(verdict) == ["malformed-certificate"], "\(verdict.findings.map(\.message))")
        try expectAccepted("plain")
        // x509-limbo's case: a self-signed server certificate with a negative serial, trusted as itself.
        let alone = try self.verdict("self-negative", chain: [], trust: ["self-negative"])
        #expect(codes(alone) == ["malformed-certificate"], "\(alone.findings.map(\.message))")
        let positive = try self.verdict("self-positive", chain: [], trust: ["self-positive"])
        #expect(positive.isTrusted, "\(positive.findings.map(\.message))")
    }

    @Test("an underscore in a DNS SAN is a lint; a hyphen is clean")
    func dnsNameSyntax() throws {
        try expectLinted("san-underscore", .dnsNameSyntax)
        try expectAccepted("san-hyphen")
        #expect(!WebPKIRules.isPreferredDNSName("foo_bar.example.com"))
        #expect(!WebPKIRules.isPreferredDNSName(".example.com"))
        #expect(!WebPKIRules.isPreferredDNSName("-a.example.com"))
        #expect(WebPKIRules.isPreferredDNSName("*.example.com"))
        #expect(WebPKIRules.isPreferredDNSName("xn--bcher-kva.example"))
    }

    @Test("the one-pass DNS name check answers as the split-and-check it replaced, on 20,000 names and the limits")
    func dnsNameSyntaxOnePass() {
        // The reference: the check as it was written before the batch fast path needed it without strings.
        func reference(_ name: String) -> Bool {
            let host = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
            guard !host.isEmpty, host.utf8.count <= 253 else { return false }
            for label in host.split(separator: ".", omittingEmptySubsequences: false) {
                guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                    label.utf8.allSatisfy({
                        (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D
                    })
                else { return false }
            }
            return true
        }
        let pieces = ["a", "Z", "9", "-", ".", "*", "*.", "_", "é", "\u{301}", "xn--", "..", String(repeating: "b", count: 62)]
        var generator = SystemRandomNumberGenerator()
        var names = ["", "*.", "*", ".", "a.", "a-", "-", "*.*.a", String(repeating: "a", count: 63), String(repeating: "a", count: 64)]
        names += [
            String(repeating: "a.", count: 126) + "a", String(repeating: "a.", count: 127), String(repeating: "a.", count: 126) + "ab",
        ]
        for _ in 0..<20_000 {
            names.append((0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        var accepted = 0
        for name in names {
            let expected = reference(name)
            if expected { accepted += 1 }
            #expect(WebPKIRules.isPreferredDNSName(name) == expected, "\(name.debugDescription)")
            #expect(WebPKIRules.isPreferredDNSName(bytes: Array(name.utf8)[...]) == expected, "\(name.debugDescription)")
        }
        // Both answers occur often enough to mean something.
        #expect(accepted > 200 && accepted < names.count - 200, "\(accepted) of \(names.count)")
    }

    @Test("a wildcard over a public suffix is refused; over a registered domain it is accepted")
    func wildcardPublicSuffix() throws {
        try expectRefused("wildcard-com", .malformed, reference: "CABF BR 3.2.2.6")
        try expectRefused("wildcard-co-uk", .malformed, reference: "CABF BR 3.2.2.6")
        try expectAccepted("wildcard-example")
    }

    @Test("a malformed AIA is refused; an empty one is a lint; a caIssuers AIA is accepted")
    func authorityInformationAccess() throws {
        try expectRefused("aia-malformed", .malformed, reference: "RFC 5280 4.2.2.1")
        try expectLinted("aia-empty", .authorityInformationAccessEmpty)
        try expectAccepted("aia-ok")
    }

    @Test("a CA certificate as the server certificate is refused by generic (with or without keyCertSign, pathLen:0 or not)")
    func caInLeafPosition() throws {
        try expectRefused("ca-leaf-no-certsign", .keyUsage, reference: "RFC 5280 4.2.1.9")
        // rustls-webpki (CaUsedAsEndEntity) and pyca/cryptography refuse a CA:TRUE end entity (x509-limbo webpki::ca-as-leaf).
        try expectRefused("ca-leaf", .keyUsage, reference: "CABF BR 7.1.2.7.8")
        try expectRefused("ca-leaf-pathlen0", .keyUsage, reference: "CABF BR 7.1.2.7.8")
        // Phones keep OpenSSL's TLS-server purpose: a CA key without digitalSignature is a key-usage error there.
        #expect(codes(try verdict("ca-leaf", device: "cx700", firmware: "4.0.7577.4463")) == ["key-usage"])
    }

    @Test("non-critical policyConstraints is a lint; critical is clean")
    func policyConstraints() throws {
        try expectLinted("under-pc-noncritical", .policyConstraintsNotCritical, chain: ["inter-pc-noncritical"])
        try expectAccepted("under-pc", chain: ["inter-pc"])
    }

    @Test("a leaf without EKU is trusted, as RFC 5280 and the web-PKI validators allow, with the BRs' lint")
    func leafWithoutEKU() throws {
        #expect(try lab.certificate("no-eku").extendedKeyUsage == nil)
        try expectLinted("no-eku", .endEntityWithoutExtendedKeyUsage)
        // Phones keep OpenSSL's TLS-server purpose, which accepts a certificate without EKU.
        #expect(try verdict("no-eku", device: "cx700", firmware: "4.0.7577.4463").isTrusted)
    }

    @Test("notAfter is inclusive for every profile: valid at notAfter, expired one second later")
    func notAfterInclusive() throws {
        // The lab makes the chain one certificate at a time, so their ends can differ by a second: the edges are
        // the chain's earliest notAfter and latest notBefore.
        let chain = try verdict("plain").chain.map(\.certificate)
        let end = try #require(chain.map(\.notAfter).min())
        let start = try #require(chain.map(\.notBefore).max())
        for (device, firmware) in [("generic", nil), ("cx700", "4.0.7577.4463"), ("aries", "4.0.7577.4463")] as [(String, String?)] {
            let atEnd = try verdict("plain", device: device, firmware: firmware, at: end)
            #expect(atEnd.isTrusted, "\(device) at notAfter: \(atEnd.findings.map(\.message))")
            let after = try verdict("plain", device: device, firmware: firmware, at: end.addingTimeInterval(1))
            #expect(codes(after) == ["expired"], "\(device) after notAfter")
            let atStart = try verdict("plain", device: device, firmware: firmware, at: start)
            #expect(atStart.isTrusted, "\(device) at notBefore: \(atStart.findings.map(\.message))")
            #expect(
                codes(try verdict("plain", device: device, firmware: firmware, at: start.addingTimeInterval(-1))) == [
                    "not-yet-valid"
                ])
        }
        // The anchor too: a root is still valid at its own notAfter.
        let root = try lab.certificate("root-short")
        #expect(try verdict("leaf-root-short", chain: [], trust: ["root-short"], at: root.notAfter).isTrusted)
        #expect(
            codes(try verdict("leaf-root-short", chain: [], trust: ["root-short"], at: root.notAfter.addingTimeInterval(1))).contains(
                "root-expired"))
    }

    @Test("an expired copy of the issuing CA beside its renewal does not derail the path, in any order")
    func expiredCopyBesideRenewal() throws {
        let later = Date().addingTimeInterval(60 * 86_400)
        for chain in [["inter-old", "inter"], ["inter", "inter-old"]] {
            let verdict = try verdict("plain", chain: chain, at: later)
            #expect(verdict.isTrusted, "\(chain): \(verdict.findings.map(\.message))")
            #expect(verdict.chain[1].certificate == (try lab.certificate("inter")))
        }
        // Alone, the old copy is what expired.
        #expect(codes(try verdict("plain", chain: ["inter-old"], at: later)) == ["expired"])
    }

    @Test("an alternate path around a name constraint that forbids the first path is accepted")
    func alternatePathAroundNameConstraint() throws {
        // OpenSSL alone keeps the first path it builds (through the constrained CA) and does not try the second
        // issuer when a name constraint fails; candidate-path building judges both and takes the one accepted.
        let verdict = try verdict(
            "alt-leaf", chain: ["alt-constrained-ca", "alt-ica-forbidden", "alt-ica-clean"], trust: ["alt-root-a", "alt-root-b"])
        #expect(verdict.isTrusted, "\(verdict.findings.map(\.message))")
        let refused = try #require(verdict.alternatives.first { !$0.isAccepted })
        #expect(refused.findings.contains { $0.code == .nameConstraints })
    }

    @Test("maxChainDepth limits the intermediates: 3 pass with a limit of 3 and fail with 2")
    func maxChainDepth() throws {
        let chain = ["deep-3", "deep-2", "deep-1"]
        #expect(try verdict("deep-leaf", chain: chain, maxChainDepth: 3).isTrusted)
        #expect(codes(try verdict("deep-leaf", chain: chain, maxChainDepth: 2)).contains("chain-too-long"))
        #expect(try verdict("deep-leaf", chain: chain).isTrusted)
    }

    @Test("every rule family fires on one of the refused certificates and on none of the accepted ones")
    func everyRuleExercised() throws {
        func rules(_ leaf: String, chain: [String] = ["inter"], trust: [String] = ["root"]) throws -> Set<WebPKIRule> {
            let verdict = try verdict(leaf, chain: chain, trust: trust)
            let path = verdict.chain.map(\.certificate)
            let anchored = verdict.chain.last.map { if case .anchor = $0.role { true } else { false } } ?? false
            return Set(WebPKIRules.violations(path: path, anchorIndex: anchored ? path.count - 1 : nil).map(\.rule))
        }
        var fired: Set<WebPKIRule> = []
        for leaf in WebPKILab.leavesUnderInter { fired.formUnion(try rules(leaf)) }
        for (leaf, inter) in [
            ("under-nc-noncritical", "inter-nc-noncritical"), ("under-nc-none", "inter-nc-none"), ("nc-dot-san", "inter-nc"),
            ("wildcard-excluded", "inter-nc-excluded"), ("under-pc-noncritical", "inter-pc-noncritical"),
        ] {
            fired.formUnion(try rules(leaf, chain: [inter]))
        }
        for root in ["root-aki-issuer", "root-aki-serial-only", "root-eku"] {
            fired.formUnion(try rules("leaf-\(root)", chain: [], trust: [root]))
        }
        // The cross-signed anchor without AKI is made by TrustDecisionTests.
        let elsewhere: Set<WebPKIRule> = [.anchorWithoutAuthorityKeyIdentifier]
        #expect(fired == Set(WebPKIRule.allCases).subtracting(elsewhere), "never fired: \(Set(WebPKIRule.allCases).subtracting(fired))")
        for rule in WebPKIRule.allCases { #expect(!rule.reference.isEmpty) }
        // The accepted neighbours break no rule at all.
        for leaf in ["plain", "san-hyphen", "eku-server-client", "aia-ok", "wildcard-example", "no-cn", "cn-ip-exact"] {
            #expect(try rules(leaf).isEmpty, "\(leaf)")
        }
        #expect(try rules("under-nc", chain: ["inter-nc"]).isEmpty)
        #expect(try rules("wildcard-beside-excluded", chain: ["inter-nc-excluded-deep"]).isEmpty)
        #expect(try rules("under-pc", chain: ["inter-pc"]).isEmpty)
        #expect(try rules("leaf-root-aki-keyid", chain: [], trust: ["root-aki-keyid"]).isEmpty)
    }

    @Test("the batch fast path gives the full verifier's verdict for every lab leaf under the same issuer")
    func batchAgreesWithFullPath() throws {
        let profile = try DeviceProfile.resolve(device: "generic")
        let batch = BatchVerifier(
            intermediates: [try lab.certificate("inter")],
            anchors: [TrustAnchor(certificate: try lab.certificate("root"), source: .user(file: "root"))],
            profile: profile)
        // The first leaf fills the issuer cache, so the rest may take the fast path.
        _ = batch.verify(der: [UInt8](try lab.certificate("plain").der))
        var fast = 0
        for leaf in WebPKILab.leavesUnderInter {
            let certificate = try lab.certificate(leaf)
            let outcome = batch.verify(der: [UInt8](certificate.der))
            let full = try verdict(leaf)
            #expect(outcome.trusted == full.isTrusted, "\(leaf): batch \(outcome.codes), full \(full.findings.map(\.code))")
            #expect(outcome.codes == Array(codes(full)).sorted(), "\(leaf)")
            if outcome.fast { fast += 1 }
        }
        // Plain leaves still take the fast path.
        #expect(fast >= 3)
    }
}

@Suite("cxcert verify --max-chain-depth")
struct MaxChainDepthCLITests {
    @Test("the option limits intermediates, defaults to 16, accepts any non-negative depth and refuses the rest")
    func option() throws {
        let lab = try WebPKILab.shared.get()
        let path = { (name: String) in lab.pki.url("\(name).pem").path }
        let base = [
            "verify", path("deep-leaf"), "--chain", path("deep-1"), "--chain", path("deep-2"), "--chain", path("deep-3"), "--trust",
            path("root"), "--device", "generic", "--json",
        ]
        // What verify computes for these files with each --max-chain-depth, in-process.
        func verify(_ depth: Int = VerificationRequest.defaultMaxChainDepth) throws -> VerificationOutcome {
            try InProcess.verify(
                path("deep-leaf"), chain: [path("deep-1"), path("deep-2"), path("deep-3")], trust: [path("root")], device: "generic",
                maxChainDepth: depth)
        }
        let ok = try verify(3)
        #expect(ok.allTrusted, "\(ok.verdicts.map(\.findings))")
        let tooShort = try verify(2)
        #expect(!tooShort.allTrusted)
        #expect(VerdictReport.json(tooShort.verdicts, nextChanges: tooShort.nextChanges).contains("\"chain-too-long\""))
        #expect(try verify().allTrusted)
        // A large depth validates (the path budget bounds the work), as a test corpus that sets one expects.
        for large in [65, 1000, Int.max] {
            let deep = try verify(large)
            #expect(deep.allTrusted, "\(large): \(deep.verdicts.map(\.findings))")
        }
        // The command passes the option through: exit 1 and the code in its JSON.
        let short = try CLI.run(base + ["--max-chain-depth", "2"])
        #expect(short.status == 1)
        #expect(short.stdout.contains("\"chain-too-long\""))
        for bad in ["-1", "many"] {
            let refused = try CLI.run(base + ["--max-chain-depth", bad])
            #expect(refused.status == 2, "\(bad): \(refused.stderr)")
        }
        // --batch honours it too.
        let batch = try CLI.run([
            "verify", "--batch", path("deep-leaf"), "--chain", path("deep-1"), "--chain", path("deep-2"), "--chain", path("deep-3"),
            "--trust", path("root"), "--device", "generic", "--max-chain-depth", "2",
        ])
        #expect(batch.status == 1)
        #expect(batch.stdout.contains("chain-too-long"))
    }
}

/// The certificates of ``WebPKITests``, made once per process with the `openssl` CLI.
struct WebPKILab: Sendable {
    let pki: TestPKI

    static let shared: Result<WebPKILab, any Error> = Result { try WebPKILab.build() }

    func certificate(_ name: String) throws -> Certificate { try pki.certificate("\(name).pem") }

    static let server = ["extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment"]
    static let ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]

    /// Leaves issued by `inter`, for the batch differential test.
    static let leavesUnderInter = [
        "plain", "san-hyphen", "no-eku", "eku-server-client", "aia-ok", "wildcard-example", "no-cn", "cn-ip-exact", "nc-in-leaf",
        "cn-not-in-san", "cn-case", "cn-ipv4-zeros", "cn-ipv6-upper", "cn-punycode", "cn-utf8", "eku-any", "eku-critical",
        "eku-codesigning", "serial-negative", "san-underscore", "wildcard-com", "wildcard-co-uk", "aia-malformed", "aia-empty",
        "ca-leaf", "ca-leaf-pathlen0", "ca-leaf-no-certsign",
    ]

    /// A self-signed root `name.pem` with exactly `extensions` (plus the CA basics unless `bare`).
    func root(_ name: String, subject: String, key: String = "ca.key", extensions: [String], days: Int = 3650) throws {
        try pki.openssl(["req", "-new", "-utf8", "-key", key, "-subj", subject, "-out", "\(name).csr"])
        try pki.directory.write("\(name).ext", "[e]\n" + (Self.ca + extensions).joined(separator: "\n") + "\n")
        try pki.openssl([
            "x509", "-req", "-in", "\(name).csr", "-signkey", key, "-extfile", "\(name).ext", "-extensions", "e", "-set_serial",
            "0x\(UUID().uuidString.prefix(8))", "-sha256", "-days", "\(days)", "-out", "\(name).pem",
        ])
        try pki.directory.write("\(name).keyfile", key)
    }

    /// `name.pem` signed by `issuer`, with SKI and AKI key ids plus `extensions`.
    func issue(
        _ name: String, issuer: String, subject: String, key: String = "leaf.key", extensions: [String], serial: String? = nil,
        days: Int = 365
    ) throws {
        let issuerKey = try String(contentsOf: pki.url("\(issuer).keyfile"), encoding: .utf8)
        try pki.openssl(["req", "-new", "-utf8", "-key", key, "-subj", subject, "-out", "\(name).csr"])
        let lines = ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"] + extensions
        try pki.directory.write("\(name).ext", "[e]\n" + lines.joined(separator: "\n") + "\n")
        try pki.openssl([
            "x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", issuerKey, "-set_serial",
            serial ?? "0x\(UUID().uuidString.prefix(8))", "-sha256", "-extfile", "\(name).ext", "-extensions", "e", "-days", "\(days)",
            "-out", "\(name).pem",
        ])
        try pki.directory.write("\(name).keyfile", key)
    }

    /// A server leaf `name.pem` under `issuer` for `host` (CN and SAN), with `extra` extensions.
    func leaf(
        _ name: String, issuer: String = "inter", subject: String? = nil, san: String? = nil, extra: [String]? = nil, serial: String? = nil
    )
        throws
    {
        let host = "\(name).example.com"
        try issue(
            name, issuer: issuer, subject: subject ?? "/CN=\(host)",
            extensions: ["subjectAltName=\(san ?? "DNS:\(host)")"] + (extra ?? Self.server),
            serial: serial)
    }

    static func build() throws -> WebPKILab {
        let lab = WebPKILab(pki: TestPKI(directory: try makeTemporaryDirectory("webpki")))
        for key in ["ca.key", "inter.key", "other.key", "leaf.key", "ica.key"] {
            try lab.pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
        }
        let keyID = "subjectKeyIdentifier=hash"
        try lab.root("root", subject: "/CN=WebPKI Lab Root", extensions: [keyID])
        try lab.issue("inter", issuer: "root", subject: "/CN=WebPKI Lab Issuing CA", key: "inter.key", extensions: ca)
        // The same CA (name and key) in an earlier, short-lived issue, as servers still send next to the renewal.
        try lab.issue("inter-old", issuer: "root", subject: "/CN=WebPKI Lab Issuing CA", key: "inter.key", extensions: ca, days: 30)

        // Baselines and the accepted neighbours.
        try lab.leaf("plain")
        try lab.leaf("san-hyphen", san: "DNS:san-hyphen.example.com,DNS:foo-bar.example.com")
        try lab.leaf("no-eku", extra: ["keyUsage=critical,digitalSignature,keyEncipherment"])
        try lab.leaf("eku-server-client", extra: ["extendedKeyUsage=serverAuth,clientAuth", "keyUsage=critical,digitalSignature"])
        try lab.leaf("aia-ok", extra: server + ["authorityInfoAccess=caIssuers;URI:http://pki.example.com/inter.cer"])
        try lab.leaf("wildcard-example", subject: "/CN=*.example.com", san: "DNS:*.example.com")
        try lab.leaf("no-cn", subject: "/O=Example", san: "DNS:no-cn.example.com")
        try lab.leaf("cn-ip-exact", subject: "/CN=192.168.1.1", san: "IP:192.168.1.1")

        // Refused leaves under the plain issuer.
        try lab.leaf("nc-in-leaf", extra: server + ["nameConstraints=critical,permitted;DNS:example.com"])
        try lab.leaf("cn-not-in-san", subject: "/CN=notinsan.example.com", san: "DNS:valid.example.com,DNS:another.example.com")
        try lab.leaf("cn-case", subject: "/CN=Example.COM", san: "DNS:example.com")
        try lab.leaf("cn-ipv4-zeros", subject: "/CN=192.168.001.001", san: "IP:192.168.1.1")
        try lab.leaf("cn-ipv6-upper", subject: "/CN=2001:DB8::8A2E:370:7334", san: "IP:2001:db8::8a2e:370:7334")
        try lab.leaf("cn-punycode", subject: "/CN=xn--nxasmq6b.com", san: "DNS:xn--n3h.com")
        try lab.leaf("cn-utf8", subject: "/CN=test-測試.com", san: "DNS:xn--test--wg5h0h.com")
        try lab.leaf("eku-any", extra: ["extendedKeyUsage=serverAuth,anyExtendedKeyUsage", "keyUsage=critical,digitalSignature"])
        try lab.leaf("eku-critical", extra: ["extendedKeyUsage=critical,serverAuth", "keyUsage=critical,digitalSignature"])
        try lab.leaf("eku-codesigning", extra: ["extendedKeyUsage=serverAuth,codeSigning", "keyUsage=critical,digitalSignature"])
        try lab.leaf("serial-negative", serial: "-5")
        try lab.leaf("san-underscore", subject: "/CN=foo_bar.example.com", san: "DNS:foo_bar.example.com")
        try lab.leaf("wildcard-com", subject: "/CN=*.com", san: "DNS:*.com")
        try lab.leaf("wildcard-co-uk", subject: "/CN=*.co.uk", san: "DNS:*.co.uk")
        try lab.leaf("aia-malformed", extra: server + ["1.3.6.1.5.5.7.1.1=DER:6D616C666F726D6564"])
        try lab.leaf("aia-empty", extra: server + ["1.3.6.1.5.5.7.1.1=DER:3000"])
        try lab.leaf("ca-leaf", extra: ca)
        try lab.leaf(
            "ca-leaf-pathlen0", subject: "/CN=WebPKI Lab CA in leaf position",
            extra: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"])
        try lab.leaf("ca-leaf-no-certsign", extra: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature"])

        // Self-signed server certificates, trusted as themselves.
        for (name, serial) in [("self-negative", "-5"), ("self-positive", "0x0A1B2C3D")] {
            try lab.pki.directory.write(
                "\(name).cnf",
                "[req]\ndistinguished_name = dn\nx509_extensions = e\n[dn]\n[e]\nsubjectKeyIdentifier = hash\n"
                    + "authorityKeyIdentifier = keyid:always\nsubjectAltName = DNS:\(name).example.com\n"
                    + (server.joined(separator: "\n")) + "\n")
            try lab.pki.openssl([
                "req", "-x509", "-new", "-config", "\(name).cnf", "-key", "leaf.key", "-subj", "/CN=\(name).example.com", "-set_serial",
                serial, "-days", "30", "-out", "\(name).pem",
            ])
        }

        // Name constraints in the issuing CA.
        func constrainedCA(_ name: String, _ constraint: String) throws {
            try lab.issue(name, issuer: "root", subject: "/CN=WebPKI Lab \(name)", key: "inter.key", extensions: ca + [constraint])
        }
        try constrainedCA("inter-nc", "nameConstraints=critical,permitted;DNS:example.com")
        try constrainedCA("inter-nc-noncritical", "nameConstraints=permitted;DNS:example.com")
        try constrainedCA("inter-nc-none", "2.5.29.30=critical,DER:3000")
        try constrainedCA("inter-nc-empty", "2.5.29.30=critical,DER:3004A000A100")
        try constrainedCA("inter-nc-excluded", "nameConstraints=critical,excluded;DNS:forbidden.example.com")
        try constrainedCA("inter-nc-excluded-deep", "nameConstraints=critical,excluded;DNS:deep.forbidden.example.com")
        try lab.leaf("under-nc", issuer: "inter-nc")
        try lab.leaf("under-nc-noncritical", issuer: "inter-nc-noncritical")
        try lab.leaf("under-nc-none", issuer: "inter-nc-none")
        try lab.leaf("under-nc-empty", issuer: "inter-nc-empty")
        try lab.leaf("under-nc-excluded", issuer: "inter-nc-excluded")
        try lab.leaf("nc-dot-san", issuer: "inter-nc", subject: "/CN=foo.example.com", san: "DNS:.example.com,DNS:foo.example.com")
        try lab.leaf("wildcard-excluded", issuer: "inter-nc-excluded", subject: "/CN=*.example.com", san: "DNS:*.example.com")
        try lab.leaf("wildcard-beside-excluded", issuer: "inter-nc-excluded-deep", subject: "/CN=*.example.com", san: "DNS:*.example.com")

        // Policy constraints in the issuing CA.
        try constrainedCA("inter-pc", "policyConstraints=critical,inhibitPolicyMapping:1")
        try constrainedCA("inter-pc-noncritical", "policyConstraints=inhibitPolicyMapping:1")
        try lab.leaf("under-pc", issuer: "inter-pc")
        try lab.leaf("under-pc-noncritical", issuer: "inter-pc-noncritical")

        // Roots with odd AKIs or an EKU, each with a leaf straight under it.
        let roots: [(String, [String])] = [
            ("root-aki-keyid", [keyID, "authorityKeyIdentifier=keyid:always"]),
            ("root-aki-issuer", [keyID, "authorityKeyIdentifier=keyid:always,issuer:always"]),
            ("root-aki-mismatch", [keyID, "2.5.29.35=DER:30168014" + String(repeating: "AB", count: 20)]),
            // OpenSSL drops an empty AKI, so the key-id-less one carries only a serial.
            ("root-aki-serial-only", [keyID, "2.5.29.35=DER:3003820107"]),
            ("root-eku", [keyID, "extendedKeyUsage=serverAuth"]),
        ]
        for (name, extensions) in roots {
            try lab.root(name, subject: "/CN=WebPKI Lab \(name)", key: "other.key", extensions: extensions)
            try lab.leaf("leaf-\(name)", issuer: name)
        }
        try lab.root("root-short", subject: "/CN=WebPKI Lab short root", key: "other.key", extensions: [keyID], days: 2)
        try lab.leaf("leaf-root-short", issuer: "root-short")

        // A path of three intermediates for the depth limit.
        try lab.issue("deep-1", issuer: "root", subject: "/CN=WebPKI Lab Deep 1", key: "inter.key", extensions: ca)
        try lab.issue("deep-2", issuer: "deep-1", subject: "/CN=WebPKI Lab Deep 2", key: "other.key", extensions: ca)
        try lab.issue("deep-3", issuer: "deep-2", subject: "/CN=WebPKI Lab Deep 3", key: "inter.key", extensions: ca)
        try lab.leaf("deep-leaf", issuer: "deep-3")

        // x509-limbo's nc-forbids-same-chain-ica: one intermediate key under two roots, once through a CA
        // whose excluded subtree forbids that intermediate's SAN.
        try lab.root("alt-root-a", subject: "/CN=WebPKI Lab Alt Root A", extensions: [keyID])
        try lab.root("alt-root-b", subject: "/CN=WebPKI Lab Alt Root B", key: "other.key", extensions: [keyID])
        try lab.issue(
            "alt-constrained-ca", issuer: "alt-root-a", subject: "/CN=WebPKI Lab Alt Constrained CA", key: "inter.key",
            extensions: ca + ["nameConstraints=critical,excluded;DNS:forbidden.example.com"])
        try lab.issue(
            "alt-ica-forbidden", issuer: "alt-constrained-ca", subject: "/CN=WebPKI Lab Alt ICA", key: "ica.key",
            extensions: ca + ["subjectAltName=DNS:forbidden.example.com"])
        try lab.issue(
            "alt-ica-clean", issuer: "alt-root-b", subject: "/CN=WebPKI Lab Alt ICA", key: "ica.key",
            extensions: ca + ["subjectAltName=DNS:unconstrained-ica.example.com"])
        try lab.leaf("alt-leaf", issuer: "alt-ica-forbidden")
        return lab
    }
}
