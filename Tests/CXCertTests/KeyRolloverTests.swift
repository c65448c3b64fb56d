import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertTestSupport

/// The shapes an AD CS renewal leaves behind (issue 24): a root renewed with a new key and the
/// cross-certificates between its keys, a same-key renewal, a renewed issuing CA, self-issued intermediates.
/// Each is made with openssl at test time and judged as `openssl verify` judges it, for `generic` (SHA-256)
/// and for every known phone build (SHA-1, which every build verifies).
@Suite("Key rollover: renewed roots and CAs, cross-certificates, self-issued certificates")
struct KeyRolloverTests {
    let pki: TestPKI
    static let subject = "/DC=com/DC=contoso/CN=Contoso Root CA"

    init() throws {
        pki = try TestPKI.get()
        let pki = pki
        for digest in ["sha1", "sha256"] {
            try pki.ensure("kr-\(digest)-leaf2") { try Self.make(pki, digest) }
        }
    }

    /// root1 (key 1) and root2 (key 2) share a subject; cross21 is key 2 signed by key 1, cross12 key 1 by key 2.
    /// leaf1 is issued by key 1, leaf2 by key 2. An issuing CA renewed with a new key (ica-old, ica-new), a
    /// same-key renewal of it (ica-expired, ica-renewed), and `root → si1 (pathlen:1) → si1 self-issued → si2
    /// (pathlen:0) → leaf`.
    static func make(_ pki: TestPKI, _ digest: String) throws {
        let p = "kr-\(digest)"
        for key in ["k1", "k2", "ka", "kb", "ks1", "ks1b", "ks2"] {
            try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(p)-\(key).key"])
        }
        let ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]
        func leaf(_ name: String, issuer: String, days: Int = 825) throws {
            try pki.issue(
                name, issuer: issuer, subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: digest,
                extensions: [
                    "subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth",
                    "keyUsage=critical,digitalSignature,keyEncipherment",
                ], days: days)
        }
        try pki.selfSigned("\(p)-root1", subject: subject, key: "\(p)-k1.key", digest: digest)
        try pki.selfSigned("\(p)-root2", subject: subject, key: "\(p)-k2.key", digest: digest)
        try pki.issue("\(p)-cross21", issuer: "\(p)-root1", subject: subject, key: "\(p)-k2.key", digest: digest, extensions: ca)
        try pki.issue("\(p)-cross12", issuer: "\(p)-root2", subject: subject, key: "\(p)-k1.key", digest: digest, extensions: ca)
        try leaf("\(p)-leaf1", issuer: "\(p)-root1")
        try leaf("\(p)-leaf2", issuer: "\(p)-root2")
        // An issuing CA renewed with a new key: the server sends the old and the new certificate.
        let ica = "/DC=com/DC=contoso/CN=Contoso Issuing CA"
        try pki.issue("\(p)-ica-old", issuer: "\(p)-root1", subject: ica, key: "\(p)-ka.key", digest: digest, extensions: ca)
        try pki.issue("\(p)-ica-new", issuer: "\(p)-root1", subject: ica, key: "\(p)-kb.key", digest: digest, extensions: ca)
        try leaf("\(p)-ica-leaf", issuer: "\(p)-ica-new")
        // The same issuing CA renewed with the same key: an expired and a renewed certificate.
        try pki.issue("\(p)-ica-expired", issuer: "\(p)-root1", subject: ica, key: "\(p)-kb.key", digest: digest, extensions: ca, days: 1)
        // Self-issued intermediates (RFC 5280 6.1.4 (l): si1-self does not count toward si1's pathlen:1).
        let si1 = "/DC=com/DC=contoso/CN=Contoso Policy CA"
        try pki.issue(
            "\(p)-si1", issuer: "\(p)-root1", subject: si1, key: "\(p)-ks1.key", digest: digest,
            extensions: ["basicConstraints=critical,CA:TRUE,pathlen:1", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.issue(
            "\(p)-si1-self", issuer: "\(p)-si1", subject: si1, key: "\(p)-ks1b.key", digest: digest,
            extensions: ["basicConstraints=critical,CA:TRUE,pathlen:1", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.issue(
            "\(p)-si2", issuer: "\(p)-si1-self", subject: "/DC=com/DC=contoso/CN=Contoso Issuing CA 2", key: "\(p)-ks2.key",
            digest: digest, extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"])
        try leaf("\(p)-si-leaf", issuer: "\(p)-si2")
    }

    func cert(_ digest: String, _ name: String) throws -> Certificate { try pki.certificate("kr-\(digest)-\(name).pem") }

    /// `openssl verify`'s answer for the same inputs (the anchors trusted, the rest untrusted, at `time`).
    func opensslAccepts(_ digest: String, leaf: String, chain: [String], anchors: [String], at time: Date) throws -> Bool {
        let bundle = try chain.map { try String(contentsOf: pki.url("kr-\(digest)-\($0).pem"), encoding: .utf8) }.joined()
        let roots = try anchors.map { try String(contentsOf: pki.url("kr-\(digest)-\($0).pem"), encoding: .utf8) }.joined()
        let id = UUID().uuidString
        try pki.directory.write("kr-untrusted-\(id).pem", bundle)
        try pki.directory.write("kr-roots-\(id).pem", roots)
        var arguments = [
            "openssl", "verify", "-attime", "\(Int(time.timeIntervalSince1970))", "-CAfile", "kr-roots-\(id).pem", "-purpose", "sslserver",
        ]
        if !chain.isEmpty { arguments += ["-untrusted", "kr-untrusted-\(id).pem"] }
        arguments.append("kr-\(digest)-\(leaf).pem")
        do {
            try Shell.run(arguments, in: pki.directory)
            return true
        } catch {
            return false
        }
    }

    /// Every phone build's profile (each family at each known build), and generic.
    static func phoneProfiles() throws -> [DeviceProfile] {
        try DeviceKnowledgeBase.builtIn.builds.flatMap { build in
            try build.families.map { try DeviceProfile.resolve(device: $0, firmware: build.version.description) }
        }
    }

    func judge(
        _ digest: String, leaf: String, chain: [String], anchors: [String], profile: DeviceProfile, at time: Date = Date()
    ) throws -> Verdict {
        let request = VerificationRequest(
            leaf: try cert(digest, leaf), intermediates: try chain.map { try cert(digest, $0) },
            anchors: try anchors.map { TrustAnchor(certificate: try cert(digest, $0), source: .user(file: $0)) },
            hosts: ["pool01.contoso.com"],
            time: time)
        return Verifier.verify(request, profile: profile)
    }

    /// Judges one scenario for generic (SHA-256) and every phone build (SHA-1), against openssl's verdict.
    func check(
        leaf: String, chain: [String], anchors: [String], expectTrusted: Bool, at time: Date = Date(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let cases = [("sha256", try DeviceProfile.resolve(device: "generic"))] + (try Self.phoneProfiles()).map { ("sha1", $0) }
        for (digest, profile) in cases {
            let openssl = try opensslAccepts(digest, leaf: leaf, chain: chain, anchors: anchors, at: time)
            #expect(openssl == expectTrusted, "openssl verify \(digest) \(leaf)", sourceLocation: sourceLocation)
            let verdict = try judge(digest, leaf: leaf, chain: chain, anchors: anchors, profile: profile, at: time)
            #expect(
                verdict.isTrusted == openssl, "\(profile.name): \(verdict.findings.map(\.message))", sourceLocation: sourceLocation)
        }
    }

    @Test("new key: a phone with only the old root reaches it through the new-by-old cross-certificate")
    func onlyOldRoot() throws {
        try check(leaf: "leaf2", chain: ["cross21"], anchors: ["root1"], expectTrusted: true)
        // The server also sends the new root: the path through the cross-certificate still wins.
        try check(leaf: "leaf2", chain: ["cross21", "root2"], anchors: ["root1"], expectTrusted: true)
        // openssl keeps the first issuer it meets among the untrusted certificates, so with the new root sent first it
        // ends at that untrusted root; cxcert, like Go and the phones' CryptoAPI, tries every candidate path.
        #expect(try !opensslAccepts("sha1", leaf: "leaf2", chain: ["root2", "cross21"], anchors: ["root1"], at: Date()))
        for profile in try [DeviceProfile.resolve(device: "generic")] + Self.phoneProfiles() {
            let digest = profile.isGeneric ? "sha256" : "sha1"
            let judged = try judge(digest, leaf: "leaf2", chain: ["root2", "cross21"], anchors: ["root1"], profile: profile)
            #expect(judged.isTrusted, "\(profile.name): \(judged.findings.map(\.message))")
            #expect(judged.chain.map(\.certificate) == [try cert(digest, "leaf2"), try cert(digest, "cross21"), try cert(digest, "root1")])
        }
    }

    @Test("new key: only the new root (the direct path), both roots, and the old-by-new direction")
    func otherDirections() throws {
        try check(leaf: "leaf2", chain: ["cross21"], anchors: ["root2"], expectTrusted: true)
        try check(leaf: "leaf2", chain: ["cross21", "cross12"], anchors: ["root1", "root2"], expectTrusted: true)
        try check(leaf: "leaf1", chain: ["cross12"], anchors: ["root2"], expectTrusted: true)
        try check(leaf: "leaf1", chain: ["cross12", "cross21"], anchors: ["root1"], expectTrusted: true)
    }

    @Test("without the cross-certificate the old root cannot reach the new key's leaf, and the message names the real cause")
    func noCrossCertificate() throws {
        try check(leaf: "leaf2", chain: [], anchors: ["root1"], expectTrusted: false)
        let verdict = try judge("sha1", leaf: "leaf2", chain: [], anchors: ["root1"], profile: .resolve(device: "cx700"))
        // The issuer's name is on the anchor, but its key is not: the message says so, not "neither supplied nor trusted".
        let missing = try #require(verdict.findings.first { $0.code == .missingIntermediate }, "\(verdict.findings.map(\.message))")
        let root1 = try cert("sha1", "root1")
        #expect(missing.detail == .issuerKeyMismatch(issuer: root1.subject.rfc4514, candidates: [root1.sha1Thumbprint]))
        #expect(missing.message.contains("none holds the key that signed it"), "\(missing.message)")
        #expect(missing.remedy.contains("cross-certificate"), "\(missing.remedy)")
    }

    @Test("an issuing CA renewed with a new key: old and new intermediate both sent")
    func renewedIssuingCA() throws {
        try check(leaf: "ica-leaf", chain: ["ica-old", "ica-new"], anchors: ["root1"], expectTrusted: true)
        try check(leaf: "ica-leaf", chain: ["ica-new", "ica-old"], anchors: ["root1"], expectTrusted: true)
    }

    @Test("same-key renewal: the expired certificate sent beside the renewed one does not derail the path")
    func sameKeyRenewal() throws {
        let later = Date().addingTimeInterval(3 * 86_400)
        try check(leaf: "ica-leaf", chain: ["ica-expired", "ica-new"], anchors: ["root1"], expectTrusted: true, at: later)
        let renewed = try judge(
            "sha256", leaf: "ica-leaf", chain: ["ica-expired", "ica-new"], anchors: ["root1"], profile: .resolve(device: "generic"),
            at: later)
        #expect(renewed.chain[1].certificate == (try cert("sha256", "ica-new")))
        // Only the expired one: the verdict says expired, not a missing issuer.
        try check(leaf: "ica-leaf", chain: ["ica-expired"], anchors: ["root1"], expectTrusted: false, at: later)
        let expired = try judge(
            "sha256", leaf: "ica-leaf", chain: ["ica-expired"], anchors: ["root1"], profile: .resolve(device: "generic"), at: later)
        #expect(expired.findings.filter { $0.severity == .error }.map(\.code) == [.expired], "\(expired.findings.map(\.message))")
    }

    @Test("self-issued intermediates: root → CA (pathlen:1) → CA self-issued → CA (pathlen:0) → leaf")
    func selfIssuedIntermediates() throws {
        try check(leaf: "si-leaf", chain: ["si2", "si1-self", "si1"], anchors: ["root1"], expectTrusted: true)
        let verdict = try judge(
            "sha256", leaf: "si-leaf", chain: ["si1", "si1-self", "si2"], anchors: ["root1"], profile: .resolve(device: "generic"))
        #expect(verdict.chain.count == 5)
    }

    @Test("a real loop still ends: A signs B and B signs A, no anchor")
    func realLoop() throws {
        // cross21 and cross12 sign each other's keys under one subject; with no anchor the search must stop.
        let request = VerificationRequest(
            leaf: try cert("sha256", "leaf2"), intermediates: try ["cross21", "cross12"].map { try cert("sha256", $0) },
            hosts: ["pool01.contoso.com"])
        let verdict = Verifier.verify(request, profile: try .resolve(device: "generic"))
        #expect(!verdict.isTrusted)
        #expect(!verdict.findings.contains { $0.code == .pathBudgetExhausted })
        // Every path judged is finite and no certificate repeats on it.
        for path in [verdict.chain.map(\.certificate)] + verdict.alternatives.map(\.path.certificates) {
            #expect(Set(path).count == path.count)
        }
        #expect(PathBuilder.isLoop(try cert("sha256", "cross21"), on: [try cert("sha256", "leaf2"), try cert("sha256", "root2")]))
        #expect(!PathBuilder.isLoop(try cert("sha256", "root1"), on: [try cert("sha256", "leaf2"), try cert("sha256", "cross21")]))
    }

    @Test("both roots published to AD (one object, two values, as certutil -dspublish leaves a renewal) reach the phone")
    func directorySnapshot() throws {
        let roots = try ["root1", "root2"].map { try cert("sha1", $0) }
        let entry = DirectoryEntry(
            dn: "CN=Contoso Root CA,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com",
            attributes: ["cn": [Array("Contoso Root CA".utf8)], "cACertificate": roots.map(\.der)])
        // Through the snapshot file format `ds list --save` writes and `--ad-snapshot` reads.
        let snapshot = try DirectorySnapshot(ldif: DirectorySnapshot(certificationAuthorities: [entry], enrollmentServices: []).ldif)
        #expect(DirectoryListing(snapshot).objects.first?.certificates.count == 2)
        let downloaded = PhoneDiscovery.walk(snapshot).certificates
        #expect(Set(downloaded) == Set(roots))
        for profile in try Self.phoneProfiles() {
            for (leaf, chain) in [("leaf1", [String]()), ("leaf2", []), ("leaf2", ["cross21"])] {
                let request = VerificationRequest(
                    leaf: try cert("sha1", leaf), intermediates: try chain.map { try cert("sha1", $0) },
                    anchors: downloaded.map { TrustAnchor(certificate: $0, source: .activeDirectory("Certification Authorities")) },
                    hosts: ["pool01.contoso.com"])
                let verdict = Verifier.verify(request, profile: profile)
                #expect(verdict.isTrusted, "\(profile.name) \(leaf): \(verdict.findings.map(\.message))")
            }
        }
    }
}
