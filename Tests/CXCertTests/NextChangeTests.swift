import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// A small hierarchy with exact validity periods, made at test time with `openssl ca -startdate/-enddate`
/// (OpenSSL 3.0's `x509 -req` has only `-days`, relative to now). One directory per test, so tests in
/// parallel never share `openssl ca`'s database.
private struct TimedPKI {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("nextchange")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("issued"), withIntermediateDirectories: true)
        try directory.write("index.txt", "")
        try directory.write("serial", "1000\n")
        try directory.write(
            "ca.cnf",
            """
            [ ca ]
            default_ca = cx
            [ cx ]
            dir = .
            database = index.txt
            new_certs_dir = issued
            serial = serial
            default_md = sha256
            policy = any
            unique_subject = no
            [ any ]
            countryName = optional
            stateOrProvinceName = optional
            localityName = optional
            organizationName = optional
            organizationalUnitName = optional
            commonName = optional
            domainComponent = optional

            """)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` as `openssl ca` takes it (GeneralizedTime).
    static func generalized(_ iso: String) -> String {
        iso.filter { $0.isNumber } + "Z"
    }

    static func date(_ iso: String) throws -> Date { try StrictDate.parse(iso) }

    private func key(_ name: String) throws -> String { try TestPKI.get().url(name).path }

    /// Issues `name.pem`; `issuer` nil makes it self-signed. Its key is `key` (a TestPKI key file).
    @discardableResult
    func make(
        _ name: String, subject: String, issuer: String?, key: String = "rsa2048.key", notBefore: String, notAfter: String,
        ca: Bool
    ) throws -> Certificate {
        let ownKey = try self.key(key)
        try Shell.run(["openssl", "req", "-new", "-key", ownKey, "-subj", subject, "-out", "\(name).csr"], in: directory)
        let host = subject.components(separatedBy: "CN=").last ?? "server"
        let extensions =
            ca
            ? ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"]
                + (issuer == nil ? [] : ["authorityKeyIdentifier=keyid"])
            : [
                "subjectAltName=DNS:\(host)", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
                "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid",
            ]
        try directory.write("\(name).ext", "[ext]\n" + extensions.joined(separator: "\n") + "\n")
        var arguments = [
            "openssl", "ca", "-batch", "-config", "ca.cnf", "-notext", "-preserveDN", "-in", "\(name).csr", "-out", "\(name).pem",
            "-startdate", Self.generalized(notBefore), "-enddate", Self.generalized(notAfter), "-extfile", "\(name).ext",
            "-extensions", "ext",
        ]
        if let issuer {
            let issuerKey = try String(contentsOf: directory.appendingPathComponent("\(issuer).keyfile"), encoding: .utf8)
            arguments += ["-cert", "\(issuer).pem", "-keyfile", issuerKey]
        } else {
            arguments += ["-selfsign", "-keyfile", ownKey]
        }
        try Shell.run(arguments, in: directory)
        try directory.write("\(name).keyfile", ownKey)
        return try certificate(name)
    }

    func certificate(_ name: String) throws -> Certificate {
        try #require(try CertificateDecoder().decode(contentsOf: directory.appendingPathComponent("\(name).pem")).certificates.first)
    }

    /// Root → issuing CA → leaf `pool01.contoso.com`, each with the given validity.
    func chain(
        root: (String, String) = ("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z"),
        intermediate: (String, String) = ("2021-01-01T00:00:00Z", "2036-01-01T00:00:00Z"),
        leaf: (String, String) = ("2022-01-01T00:00:00Z", "2034-01-01T00:00:00Z")
    ) throws -> (root: Certificate, intermediate: Certificate, leaf: Certificate) {
        let root = try make(
            "root", subject: "/DC=com/DC=contoso/CN=Timed Root CA", issuer: nil, notBefore: root.0, notAfter: root.1, ca: true)
        let intermediate = try make(
            "inter", subject: "/DC=com/DC=contoso/CN=Timed Issuing CA", issuer: "root", notBefore: intermediate.0,
            notAfter: intermediate.1, ca: true)
        let leaf = try make(
            "leaf", subject: "/C=US/O=Contoso/CN=pool01.contoso.com", issuer: "inter", key: "leaf.key", notBefore: leaf.0,
            notAfter: leaf.1, ca: false)
        return (root, intermediate, leaf)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

private func request(
    _ chain: (root: Certificate, intermediate: Certificate, leaf: Certificate), at time: String, hosts: [String] = ["pool01.contoso.com"]
) throws -> VerificationRequest {
    VerificationRequest(
        leaf: chain.leaf, intermediates: [chain.intermediate],
        anchors: [TrustAnchor(certificate: chain.root, source: .user(file: "root.pem"))], hosts: hosts, time: try TimedPKI.date(time))
}

private func verdict(_ request: VerificationRequest, at time: Date, _ profile: DeviceProfile) -> Verdict {
    var later = request
    later.time = time
    return Verifier.verify(later, profile: profile)
}

/// The two clients the tests judge for: a strict modern client, and a phone build with SHA-2 and the built-in cache.
private func profiles() throws -> [DeviceProfile] {
    [try DeviceProfile.resolve(device: "generic", firmware: nil), try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")]
}

@Suite("When does the answer change? (nextChange, verify --until, audit --until/--fail-within)")
struct NextChangeTests {
    @Test("a leaf that expires first: the verdict breaks one second after its notAfter, for a phone and for generic")
    func leafExpiresFirst() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2030-06-01T00:00:00Z"))
        let request = try request(chain, at: "2026-01-01T00:00:00Z")
        let notAfter = try TimedPKI.date("2030-06-01T00:00:00Z")
        for profile in try profiles() {
            let trustedNow = Verifier.verify(request, profile: profile).isTrusted
            #expect(trustedNow, "\(profile.name)")
            let change = try #require(
                Verifier.nextChange(for: request, profile: profile, until: NextChange.defaultHorizon(after: request.time)),
                "\(profile.name)")
            #expect(change.at == notAfter.addingTimeInterval(1), "\(profile.name)")
            #expect(!change.trusted)
            #expect(change.codes == [.expired] && change.appeared == [.expired] && change.disappeared.isEmpty)
            // Exactly what verify --at says at that instant, about the leaf.
            let after = verdict(request, at: change.at, profile)
            let leafExpired = after.findings.contains { $0.code == .expired && $0.certificate == chain.leaf }
            #expect(!after.isTrusted && leafExpired, "\(profile.name)")
            let secondBefore = verdict(request, at: change.at.addingTimeInterval(-2), profile).isTrusted
            #expect(secondBefore, "\(profile.name)")
        }
    }

    @Test("an intermediate that expires first is the change, with the intermediate's expired finding")
    func intermediateExpiresFirst() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(intermediate: ("2021-01-01T00:00:00Z", "2029-09-30T23:59:59Z"))
        let request = try request(chain, at: "2026-01-01T00:00:00Z")
        for profile in try profiles() {
            let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2040-01-01")))
            #expect(change.at == (try TimedPKI.date("2029-10-01T00:00:00Z")), "\(profile.name)")
            #expect(!change.trusted && change.codes == [.expired])
            let after = verdict(request, at: change.at, profile)
            let intermediateExpired = after.findings.contains { $0.code == .expired && $0.certificate == chain.intermediate }
            let leafExpired = after.findings.contains { $0.certificate == chain.leaf && $0.code == .expired }
            #expect(intermediateExpired && !leafExpired, "\(profile.name)")
        }
    }

    @Test("an anchor that expires first: root-expired, one second after the root's notAfter")
    func anchorExpiresFirst() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(
            root: ("2020-01-01T00:00:00Z", "2028-02-29T12:00:00Z"), intermediate: ("2021-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            leaf: ("2022-01-01T00:00:00Z", "2026-12-31T00:00:00Z"))
        // Reissue the two below so that the root is the first to go.
        let intermediate = try pki.make(
            "inter2", subject: "/DC=com/DC=contoso/CN=Timed Issuing CA", issuer: "root", notBefore: "2021-01-01T00:00:00Z",
            notAfter: "2035-01-01T00:00:00Z", ca: true)
        let leaf = try pki.make(
            "leaf2", subject: "/C=US/O=Contoso/CN=pool01.contoso.com", issuer: "inter2", key: "leaf.key",
            notBefore: "2022-01-01T00:00:00Z", notAfter: "2033-01-01T00:00:00Z", ca: false)
        let request = try request((chain.root, intermediate, leaf), at: "2026-06-01T00:00:00Z")
        for profile in try profiles() {
            let trustedNow = Verifier.verify(request, profile: profile).isTrusted
            #expect(trustedNow, "\(profile.name)")
            let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2040-01-01")))
            #expect(change.at == (try TimedPKI.date("2028-02-29T12:00:01Z")), "\(profile.name)")
            #expect(!change.trusted && change.codes == [.rootExpired], "\(change.codes)")
        }
    }

    @Test("a leaf not yet valid becomes trusted at its notBefore second exactly")
    func notYetValidBecomesTrusted() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(leaf: ("2027-05-05T05:05:05Z", "2031-01-01T00:00:00Z"))
        let request = try request(chain, at: "2027-01-01T00:00:00Z")
        let notBefore = try TimedPKI.date("2027-05-05T05:05:05Z")
        for profile in try profiles() {
            let now = Verifier.verify(request, profile: profile)
            let notYetValid = now.findings.contains { $0.code == .notYetValid }
            #expect(!now.isTrusted && notYetValid, "\(profile.name)")
            let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2040-01-01")))
            #expect(change.at == notBefore, "\(profile.name)")
            #expect(change.trusted)
            #expect(change.codes == [.notYetValid] && change.disappeared == [.notYetValid] && change.appeared.isEmpty)
            let before = verdict(request, at: notBefore.addingTimeInterval(-1), profile).isTrusted
            let from = verdict(request, at: notBefore, profile).isTrusted
            #expect(!before && from, "\(profile.name)")
        }
    }

    @Test("a probed server refusing the phone's handshake: tls-version stays, the change is the leaf expiring")
    func probedServer() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2030-06-01T00:00:00Z"))
        let report = ProbeReport(
            target: ProbeTarget(host: "pool01.contoso.com"), presented: [chain.leaf, chain.intermediate], chainIssues: [],
            protocols: [:], cipherSuites: [], asPhone: .refused("handshake failure"), negotiated: nil)
        let anchors = [TrustAnchor(certificate: chain.root, source: .user(file: "root.pem"))]
        let phone = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        let time = try TimedPKI.date("2026-01-01")
        let now = try #require(
            Verifier.verify(report, anchors: anchors, hosts: ["pool01.contoso.com"], plan: nil, profile: phone, time: time))
        #expect(now.errorCodes == [.tlsVersion])
        let change = try #require(
            Verifier.nextChange(
                for: report, anchors: anchors, hosts: ["pool01.contoso.com"], plan: nil, profile: phone, time: time,
                until: try TimedPKI.date("2040-01-01")))
        #expect(change.at == (try TimedPKI.date("2030-06-01T00:00:01Z")))
        #expect(!change.trusted && change.appeared == [.expired] && change.disappeared.isEmpty)
    }

    @Test("a renewed intermediate sent beside the old one: the old one's expiry changes nothing, the renewal's does")
    func renewedIntermediate() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(
            intermediate: ("2021-01-01T00:00:00Z", "2029-01-01T00:00:00Z"), leaf: ("2022-01-01T00:00:00Z", "2034-01-01T00:00:00Z"))
        // Same name and key, valid longer: path building takes whichever is valid at the time.
        let renewed = try pki.make(
            "inter-renewed", subject: "/DC=com/DC=contoso/CN=Timed Issuing CA", issuer: "root", notBefore: "2024-01-01T00:00:00Z",
            notAfter: "2032-01-01T00:00:00Z", ca: true)
        let request = VerificationRequest(
            leaf: chain.leaf, intermediates: [chain.intermediate, renewed],
            anchors: [TrustAnchor(certificate: chain.root, source: .user(file: "root.pem"))], time: try TimedPKI.date("2026-01-01"))
        for profile in try profiles() {
            // OpenSSL prefers an issuer valid at the time: the old one's expiry is a candidate that changes nothing.
            let afterOldExpiry = verdict(request, at: try TimedPKI.date("2029-01-01T00:00:01Z"), profile).isTrusted
            #expect(afterOldExpiry, "\(profile.name)")
            let candidates = NextChange.candidateInstants(
                request.relevantCertificates(for: profile), after: request.time, until: try TimedPKI.date("2040-01-01"))
            #expect(candidates.first == (try TimedPKI.date("2029-01-01T00:00:01Z")))
            let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2040-01-01")))
            #expect(change.at == (try TimedPKI.date("2032-01-01T00:00:01Z")), "\(profile.name)")
            #expect(!change.trusted && change.codes == [.expired])
        }
    }

    @Test("a change of codes while still untrusted is a change: the root expires before the leaf becomes valid")
    func codesChangeWhileUntrusted() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(
            root: ("2020-01-01T00:00:00Z", "2028-01-01T00:00:00Z"), leaf: ("2029-01-01T00:00:00Z", "2031-01-01T00:00:00Z"))
        let request = try request(chain, at: "2027-01-01T00:00:00Z")
        let profile = try DeviceProfile.resolve(device: "generic", firmware: nil)
        let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2040-01-01")))
        #expect(change.at == (try TimedPKI.date("2028-01-01T00:00:01Z")))
        #expect(!change.trusted && change.appeared == [.rootExpired] && change.disappeared.isEmpty)
    }

    @Test("nothing changes within --until: nil, and the horizon is inclusive")
    func nothingWithinUntil() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2030-06-01T00:00:00Z"))
        let request = try request(chain, at: "2026-01-01T00:00:00Z")
        for profile in try profiles() {
            #expect(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2029-01-01")) == nil)
            // The change instant itself is within an --until equal to it; one second earlier it is not.
            #expect(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2030-06-01T00:00:00Z")) == nil)
            #expect(
                Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2030-06-01T00:00:01Z"))?.at
                    == (try TimedPKI.date("2030-06-01T00:00:01Z")))
        }
        #expect(NextChange.defaultHorizon(after: try TimedPKI.date("2026-01-01")) == (try TimedPKI.date("2036-01-01")))
    }

    @Test("the exact instant: the last valid second is notAfter, the change is at notAfter+1s, even starting one second before")
    func exactInstant() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2030-06-01T00:00:00Z"))
        let notAfter = try TimedPKI.date("2030-06-01T00:00:00Z")
        let profile = try DeviceProfile.resolve(device: "generic", firmware: nil)
        var request = try request(chain, at: "2030-05-31T23:59:59Z")
        let trustedNow = Verifier.verify(request, profile: profile).isTrusted
        #expect(trustedNow)
        let change = try #require(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2031-01-01")))
        // RFC 5280 4.1.2.5: notAfter itself is inside the validity period, so notAfter is never a change instant.
        #expect(change.at == notAfter.addingTimeInterval(1))
        #expect(!NextChange.candidateInstants([chain.leaf], after: request.time, until: notAfter.addingTimeInterval(10)).contains(notAfter))
        let atChange = verdict(request, at: change.at, profile).isTrusted
        #expect(!atChange)
        // And the validator agrees: still trusted at the notAfter second itself.
        #expect(verdict(request, at: notAfter, profile).isTrusted)
        // From the change on, nothing else changes before the root and the intermediate expire.
        request.time = change.at
        #expect(Verifier.nextChange(for: request, profile: profile, until: try TimedPKI.date("2035-12-31")) == nil)
    }

    @Test("only certificates a chain can reach count: an unrelated root is ignored, a cache root with the issuer's name is not")
    func relevantCertificates() throws {
        let pki = try TimedPKI()
        let chain = try pki.chain()
        let unrelated = try pki.make(
            "other", subject: "/CN=Unrelated Root", issuer: nil, notBefore: "2020-01-01T00:00:00Z", notAfter: "2027-01-01T00:00:00Z",
            ca: true)
        let relevant = NextChange.relevantCertificates(leaf: chain.leaf, pool: [unrelated, chain.root, chain.intermediate])
        #expect(Set(relevant) == [chain.leaf, chain.intermediate, chain.root])
        // The unrelated root's expiry is not a candidate, so it costs no re-validation and changes nothing.
        let request = VerificationRequest(
            leaf: chain.leaf, intermediates: [chain.intermediate, unrelated],
            anchors: [TrustAnchor(certificate: chain.root, source: .user(file: "root.pem"))], time: try TimedPKI.date("2026-01-01"))
        let generic = try DeviceProfile.resolve(device: "generic", firmware: nil)
        #expect(!request.relevantCertificates(for: generic).contains(unrelated))

        // A CA named like a built-in cache root (written with other string types and case): for a phone the
        // real cache root could be chosen by name, so its dates are candidates; generic has no cache.
        let cached = try #require(TrustAnchor.builtInCache.first { $0.certificate.subject.commonName != nil }).certificate
        let subject = cached.subject.attributes.map { "/\($0.type)=\($0.value.uppercased())" }.joined()
        try pki.make(
            "lookalike", subject: subject, issuer: nil, notBefore: "2020-01-01T00:00:00Z", notAfter: "2040-01-01T00:00:00Z", ca: true)
        let lookalikeLeaf = try pki.make(
            "lookalike-leaf", subject: "/CN=pool01.contoso.com", issuer: "lookalike", key: "leaf.key",
            notBefore: "2022-01-01T00:00:00Z", notAfter: "2034-01-01T00:00:00Z", ca: false)
        let phone = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        let phoneRequest = VerificationRequest(leaf: lookalikeLeaf, time: try TimedPKI.date("2026-01-01"))
        #expect(phoneRequest.relevantCertificates(for: phone).contains(cached))
        #expect(!phoneRequest.relevantCertificates(for: generic).contains(cached))
        #expect(phoneRequest.relevantCertificates(for: phone).count < TrustAnchor.builtInCache.count)
    }

    @Test("verify --json always has nextChange (null when nothing changes before --until); text prints one line")
    func verifyCLI() throws {
        let pki = try TimedPKI()
        _ = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2030-06-01T00:00:00Z"))
        // verify LEAF --chain INTER --trust ROOT --device generic --at 2026-01-01T00:00:00Z [--until ...], in-process.
        func verify(until: Date? = nil) throws -> VerificationOutcome {
            try InProcess.verify(
                pki.path("leaf.pem"), chain: [pki.path("inter.pem")], trust: [pki.path("root.pem")], device: "generic",
                at: try TimedPKI.date("2026-01-01T00:00:00Z"), until: until)
        }
        let found = try InProcess.verifyJSON(try verify())
        let change = try #require(found["nextChange"] as? [String: Any])
        #expect(change["at"] as? String == "2030-06-01T00:00:01Z")
        #expect(change["trusted"] as? Bool == false)
        #expect(change["codes"] as? [String] == ["expired"])
        #expect(Set(change.keys) == ["at", "trusted", "codes"])

        let none = try InProcess.verifyJSON(try verify(until: try TimedPKI.date("2029-01-01")))
        #expect(none.keys.contains("nextChange") && none["nextChange"] is NSNull)

        let several = try InProcess.verifyJSON(
            try InProcess.verify(
                pki.path("leaf.pem"), chain: [pki.path("inter.pem")], trust: [pki.path("root.pem")], device: "cx700",
                firmwares: ["3.5.6907.35", "4.0.7577.4463"], at: try TimedPKI.date("2026-01-01")))
        let results = try #require(several["results"] as? [[String: Any]])
        #expect(results.count == 2 && results.allSatisfy { $0.keys.contains("nextChange") })
        #expect((results[1]["nextChange"] as? [String: Any])?["at"] as? String == "2030-06-01T00:00:01Z")

        let text = try verify()
        #expect(text.allTrusted)
        let lines = InProcess.verifyText(text).split(separator: "\n").filter { $0.hasPrefix("Next change:") }
        #expect(lines == ["Next change: 2030-06-01T00:00:01Z ✘ not trusted (+expired)."])
        let quiet = InProcess.verifyText(try verify(until: try TimedPKI.date("2029-01-01")))
        #expect(quiet.contains("Next change: none until 2029-01-01T00:00:00Z."))

        // The command line refuses an --until that is not after --at, and an impossible one (exit 2).
        let base = [
            "verify", pki.path("leaf.pem"), "--chain", pki.path("inter.pem"), "--trust", pki.path("root.pem"), "--device", "generic",
            "--at", "2026-01-01T00:00:00Z",
        ]
        // The cxcert binary links FoundationEssentials only, this test process full Foundation: the command prints what the
        // library renders here, byte for byte (ISO 8601 dates in UTC, the JSON encoder's output, the text).
        for until in ["2029-01-01", nil] as [String?] {
            let outcome = try verify(until: try until.map(TimedPKI.date))
            let extra = until.map { ["--until", $0] } ?? []
            let json = try CLI.run(base + extra + ["--json"])
            #expect(json.status == 0 && json.stdout == VerdictReport.json(outcome.verdicts, nextChanges: outcome.nextChanges) + "\n")
            let text = try CLI.run(base + extra)
            #expect(text.status == 0 && text.stdout == InProcess.verifyText(outcome) + "\n", "\(text.stdout)")
        }
        let backwards = try CLI.run(base + ["--until", "2025-01-01"])
        #expect(backwards.status == 2 && backwards.stderr.contains("--until"))
        let invalid = try CLI.run(base + ["--until", "2027-02-30"])
        #expect(invalid.status == 2)
    }

    /// A deployment of two certificate-file servers judged offline: one trusted now that expires on
    /// 2026-03-01T00:00:00Z (59 days after `at`), one already expired.
    private func deployment() throws -> (TimedPKI, URL) {
        let pki = try TimedPKI()
        _ = try pki.chain(leaf: ("2022-01-01T00:00:00Z", "2026-03-01T00:00:00Z"))
        try pki.make(
            "old", subject: "/C=US/O=Contoso/CN=old.contoso.com", issuer: "inter", key: "leaf.key", notBefore: "2022-01-01T00:00:00Z",
            notAfter: "2025-01-01T00:00:00Z", ca: false)
        for name in ["leaf", "old"] {
            let bundle =
                try String(contentsOfFile: pki.path("\(name).pem"), encoding: .utf8)
                + (try String(contentsOfFile: pki.path("inter.pem"), encoding: .utf8))
            try pki.directory.write("\(name)-bundle.pem", bundle)
        }
        try pki.directory.write(
            "deployment.yaml",
            """
            at: 2026-01-01T00:00:00Z
            servers:
              - name: pool01
                certificate: leaf-bundle.pem
                names: [pool01.contoso.com]
              - name: old
                certificate: old-bundle.pem
            fleet:
              - device: generic
              - device: cx700
                firmware: 4.0.7577.4463
                count: 40
            trust:
              roots: [root.pem]

            """)
        return (pki, pki.directory.appendingPathComponent("deployment.yaml"))
    }

    @Test("Auditor: each server × build gets its next change; --fail-within counts only pairs trusted now")
    func auditLibrary() async throws {
        let (pki, file) = try deployment()
        let deployment = try DeploymentFile(yaml: try String(contentsOf: file, encoding: .utf8))
        let plain = try await Auditor.run(deployment, relativeTo: pki.directory)
        #expect(plain.until == nil && plain.changes.isEmpty && plain.servers.allSatisfy { $0.nextChanges.isEmpty })

        let result = try await Auditor.run(
            deployment, relativeTo: pki.directory, until: try TimedPKI.date("2027-01-01"), failWithinDays: 90)
        #expect(result.until == (try TimedPKI.date("2027-01-01")))
        let pool = try #require(result.servers.first { $0.name == "pool01" })
        #expect(pool.nextChanges.count == 2)
        #expect(pool.nextChanges.allSatisfy { $0?.at == (try? TimedPKI.date("2026-03-01T00:00:01Z")) && $0?.trusted == false })
        let old = try #require(result.servers.first { $0.name == "old" })
        #expect(old.verdicts.allSatisfy { !$0.isTrusted })
        #expect(result.failingWithin.map(\.server) == ["pool01", "pool01"])
        #expect(result.failingWithin.map(\.memberIndex) == [0, 1])
        #expect(result.breaking(by: try TimedPKI.date("2026-02-28")).isEmpty)

        // --fail-within alone looks exactly that far ahead.
        let short = try await Auditor.run(deployment, relativeTo: pki.directory, failWithinDays: 30)
        #expect(short.until == (try TimedPKI.date("2026-01-31")))
        #expect(short.failingWithin.isEmpty && short.changes.isEmpty)

        await #expect(throws: AuditError.self) {
            try await Auditor.run(deployment, relativeTo: pki.directory, until: try TimedPKI.date("2025-01-01"))
        }
    }

    @Test("audit --fail-within: exit 1 and one stderr line when a trusted pair breaks within the window, else the usual exit")
    func auditFailWithinCLI() async throws {
        let (pki, file) = try deployment()
        // Only the trusted server, so the exit code is the gate's alone.
        let onlyPool = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "  - name: old\n    certificate: old-bundle.pem\n", with: "")
        try pki.directory.write("pool.yaml", onlyPool)
        let pool = pki.path("pool.yaml")

        let calm = try CLI.run(["audit", pool, "--fail-within", "30"])
        #expect(calm.status == 0, "\(calm.stderr)")
        #expect(calm.stderr.isEmpty)

        let alarm = try CLI.run(["audit", pool, "--fail-within", "90"])
        #expect(alarm.status == 1)
        let lines = alarm.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(alarm.stderr)")
        #expect(lines.first?.contains("pool01") == true && lines.first?.contains("2026-03-01T00:00:01Z") == true)
        #expect(lines.first?.contains("expired") == true)

        // Exactly at the edge: 59 days is before the break (2026-03-01T00:00:01Z), 60 days includes it
        // (the command exits 1 when a pair fails within the window or any is untrusted).
        let edge59 = try await InProcess.audit(pki.directory.appendingPathComponent("pool.yaml"), failWithinDays: 59)
        #expect(edge59.allTrusted && edge59.failingWithin.isEmpty)
        let edge60 = try await InProcess.audit(pki.directory.appendingPathComponent("pool.yaml"), failWithinDays: 60)
        #expect(edge60.allTrusted && !edge60.failingWithin.isEmpty)

        #expect(try CLI.run(["audit", pool, "--fail-within", "-1"]).status == 2)
        #expect(try CLI.run(["audit", pool, "--until", "2025-01-01"]).status == 2)
    }

    @Test("audit --until with a phone state: the look-ahead judges with the roots the state holds, not every root")
    func auditStateLookAhead() async throws {
        // The root ends a month before the leaf; the phone gets it only from the Certificate Provisioning answer.
        let pki = try TimedPKI()
        _ = try pki.chain(
            root: ("2020-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), leaf: ("2022-01-01T00:00:00Z", "2026-03-01T00:00:00Z"))
        let bundle =
            try String(contentsOfFile: pki.path("leaf.pem"), encoding: .utf8)
            + (try String(contentsOfFile: pki.path("inter.pem"), encoding: .utf8))
        try pki.directory.write("leaf-bundle.pem", bundle)
        func audit(_ network: String) async throws -> ServerAudit {
            try pki.directory.write(
                "state-\(network).yaml",
                """
                at: 2026-01-01T00:00:00Z
                servers:
                  - name: pool01
                    certificate: leaf-bundle.pem
                    names: [pool01.contoso.com]
                fleet:
                  - device: cx700
                    firmware: 4.0.7577.4463
                boot:
                  certprovResponse: root.pem
                  signIn: password
                  network: \(network)

                """)
            let deployment = try DeploymentFile(yaml: try String(contentsOfFile: pki.path("state-\(network).yaml"), encoding: .utf8))
            let result = try await Auditor.run(deployment, relativeTo: pki.directory, until: try TimedPKI.date("2027-01-01"))
            return try #require(result.servers.first)
        }
        // Inside, the sign-in downloads the root: trusted until the root ends.
        let inside = try await audit("internal")
        #expect(inside.verdicts.map(\.isTrusted) == [true])
        let rootEnds = try #require(inside.nextChanges.first ?? nil)
        #expect(rootEnds.at == (try TimedPKI.date("2026-02-01T00:00:01Z")) && !rootEnds.trusted, "\(rootEnds)")
        // Outside it never learned the root: not trusted now, and the root's end changes nothing for it; the leaf's does.
        let outside = try await audit("external")
        #expect(outside.verdicts.map(\.isTrusted) == [false])
        #expect(outside.verdicts.first?.findings.contains { $0.code == .externalRootNotLearned } == true)
        let leafEnds = try #require(outside.nextChanges.first ?? nil)
        #expect(leafEnds.at == (try TimedPKI.date("2026-03-01T00:00:01Z")) && leafEnds.appeared == [.expired], "\(leafEnds)")
    }

    @Test("audit --until: JSON nextChange per result, a text section and an HTML table; absent without it")
    func auditReports() async throws {
        let (_, file) = try deployment()
        let plain = try InProcess.auditJSON(try await InProcess.audit(file))
        #expect(plain["until"] == nil)
        let plainResults = try #require((plain["servers"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        #expect(plainResults.allSatisfy { !$0.keys.contains("nextChange") })

        let run = try await InProcess.audit(file, until: try TimedPKI.date("2027-01-01"))
        #expect(!run.allTrusted)
        let json = try InProcess.auditJSON(run)
        #expect(json["until"] as? String == "2027-01-01T00:00:00Z")
        let servers = try #require(json["servers"] as? [[String: Any]])
        let pool = try #require(servers.first { $0["name"] as? String == "pool01" }?["results"] as? [[String: Any]])
        for result in pool {
            let change = try #require(result["nextChange"] as? [String: Any])
            #expect(change["at"] as? String == "2026-03-01T00:00:01Z" && change["codes"] as? [String] == ["expired"])
        }
        let old = try #require(servers.first { $0["name"] as? String == "old" }?["results"] as? [[String: Any]])
        #expect(old.allSatisfy { $0.keys.contains("nextChange") && $0["nextChange"] is NSNull })

        let text = AuditReport.text(run)
        #expect(text.contains("When the answer changes (until 2027-01-01T00:00:00Z)"))
        #expect(text.contains("2026-03-01T00:00:01Z") && text.contains("+expired"))

        let html = AuditReport.html(run)
        #expect(html.contains("<table id=\"changes\">"))
        #expect(html.contains("breaks 2026-03-01T00:00:01Z (+expired)"))
        #expect(AuditReport.markdown(run).contains("## When the answer changes"))
    }
}

@Suite("The ten-year horizon and the civil dates it is computed with")
struct HorizonTests {
    /// The horizon as it was computed before: Foundation's Gregorian calendar in UTC.
    private func calendarHorizon(_ time: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: 10, to: time)!
    }

    @Test("ten years on equals the calendar's answer: leap days, month ends, fractions of a second, before 1970, 1583-9989")
    func horizonMatchesCalendar() {
        var generator = SystemRandomNumberGenerator()
        var times: [Date] = [
            "2024-02-29T12:34:56Z", "2000-02-29T00:00:00Z", "1996-02-29T23:59:59Z", "2023-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z", "1583-01-01T00:00:00Z", "1900-02-28T00:00:00Z", "2090-03-01T00:00:00Z", "9989-12-31T23:59:59Z",
        ].map { try! StrictDate.parse($0) }
        times.append(times[0].addingTimeInterval(0.375))
        times.append(Date(timeIntervalSince1970: -1.5))
        for _ in 0..<2_000 {
            times.append(Date(timeIntervalSince1970: Double.random(in: -12_212_553_600...253_000_000_000, using: &generator).rounded()))
        }
        for time in times {
            #expect(NextChange.defaultHorizon(after: time) == calendarHorizon(time), "\(time)")
        }
        // Outside the arithmetic's range the calendar answers, Julian years included.
        let early = try! StrictDate.parse("1500-03-01T00:00:00Z")
        #expect(NextChange.defaultHorizon(after: early) == calendarHorizon(early))
    }

    @Test("ISO 8601 text written by hand equals the format style's: whole and fractional seconds, before 1970, 1583-9999, and beyond")
    func iso8601MatchesFormatStyle() {
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        var generator = SystemRandomNumberGenerator()
        var times: [Double] = [
            0, -1, -0.5, 0.5, 0.999_999, -86_400, -86_399.5, 951_782_400, 1_709_164_800, 253_402_300_799, 253_402_300_799.9,
        ]
        times += [-12_212_553_600, -12_212_553_601, 253_402_300_800, -62_135_596_800, 1e12]  // the edges, and the format style's side
        for _ in 0..<5_000 { times.append(Double.random(in: -12_212_553_600..<253_402_300_800, using: &generator)) }
        for _ in 0..<1_000 { times.append(Double.random(in: -12_212_553_600..<253_402_300_800, using: &generator).rounded()) }
        for seconds in times {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(iso8601(date) == date.formatted(style), "\(seconds)")
        }
    }

    @Test("days since 1970 and back, for every day from year 1 to 9999")
    func civilRoundTrip() {
        var days = CivilDate.days(year: 1, month: 1, day: 1)
        for year in 1...9999 {
            for month in 1...12 {
                for day in 1...CivilDate.daysIn(month: month, year: year) {
                    let forth = CivilDate.days(year: year, month: month, day: day)
                    if forth != days { Issue.record("\(year)-\(month)-\(day) → \(forth), expected \(days)") }
                    let back = CivilDate.date(days: days)
                    if back != (year, month, day) { Issue.record("\(days) → \(back), expected \(year)-\(month)-\(day)") }
                    days += 1
                }
            }
        }
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
    }
}
