import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertReports
@testable import CXCertTestSupport

/// The rule ``Certificate`` keeps since it decodes OpenSSL's `X509` only on first use: a certificate is made only from
/// bytes OpenSSL's `d2i_X509` also accepts. Certificates built to sit between the two readers (the DER reader might take
/// them, OpenSSL might not) go through inspect, verify (as leaf, intermediate and anchor) and the batch: each is refused
/// at decode with a clear error, or decodes whole in OpenSSL too and gets the verdict OpenSSL's reading gives.
@Suite struct HostileCertificateTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.get() }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let count = content.count
        let length: [UInt8] =
            count < 0x80 ? [UInt8(count)] : count < 0x100 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        return [tag] + length + content
    }

    /// The test PKI's leaf taken apart: the TBS fields' encodings, in order.
    func leafFields() throws -> [[UInt8]] {
        let der = try pki.certificate("leaf.pem").der
        let reader = DERReader(der)
        let tbs = try reader.children(of: try reader.children(of: try reader.element(at: 0))[0])
        return tbs.map { Array(reader.slice($0)) }
    }

    /// A certificate of these TBS fields under `algorithm`, signed by the test PKI's issuing CA (so only the change
    /// under test can make it wrong).
    func signed(_ fields: [[UInt8]], algorithm: [UInt8]? = nil) throws -> [UInt8] {
        let sha256RSA: [UInt8] = Self.tlv(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00])
        var fields = fields
        if let algorithm { fields[2] = algorithm }
        let tbs = Self.tlv(0x30, fields.flatMap { $0 })
        let signature = try pki.openssl(["dgst", "-sha256", "-sign", pki.url("rsa2048.key").path], input: Data(tbs))
        return Self.tlv(0x30, tbs + (algorithm ?? sha256RSA) + Self.tlv(0x03, [0] + [UInt8](signature)))
    }

    /// Each hostile certificate by name.
    func hostile() throws -> [(String, [UInt8])] {
        let fields = try leafFields()
        let rsaAlgorithm = Self.tlv(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00])
        func key(_ bitString: [UInt8]) -> [UInt8] { Self.tlv(0x30, rsaAlgorithm + Self.tlv(0x03, bitString)) }
        let exponent: [UInt8] = [0x02, 0x03, 0x01, 0x00, 0x01]
        func replacing(_ index: Int, _ value: [UInt8]) -> [[UInt8]] {
            var copy = fields
            copy[index] = value
            return copy
        }
        // The leaf's extensions with the first one's critical flag replaced.
        let reader = DERReader(fields[7])
        let list = try reader.children(of: try reader.children(of: try reader.element(at: 0))[0])
        func extensions(criticalFlag: [UInt8]) throws -> [UInt8] {
            let first = try reader.children(of: list[0])
            let changed = Self.tlv(0x30, Array(reader.slice(first[0])) + criticalFlag + Array(reader.slice(first.last!)))
            return Self.tlv(0xA3, Self.tlv(0x30, changed + list.dropFirst().flatMap { Array(reader.slice($0)) }))
        }
        let garbageAlgorithm = Self.tlv(0x30, [0x06, 0x03, 0x2A, 0x03, 0x04, 0x01, 0x02, 0xFF, 0xFF])
        let nullWithContent = Self.tlv(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x01, 0x00])
        let badSubject = Self.tlv(
            0x30, Self.tlv(0x31, Self.tlv(0x30, [0x06, 0x03, 0x55, 0x04, 0x03] + Self.tlv(0x0C, [0x41, 0xC3, 0x28]))))
        let bmpSubject = Self.tlv(
            0x30, Self.tlv(0x31, Self.tlv(0x30, [0x06, 0x03, 0x55, 0x04, 0x03] + Self.tlv(0x1E, [0x00, 0x41, 0xD8, 0x00]))))
        let badObject = Self.tlv(0x30, [0x06, 0x02, 0x80, 0x01, 0x05, 0x00])
        return [
            ("key BIT STRING with 8 unused bits", try signed(replacing(6, key([8, 0x30, 0x00])))),
            ("key BIT STRING that is no RSA key", try signed(replacing(6, key([0, 0xDE, 0xAD])))),
            ("RSA key with a zero modulus", try signed(replacing(6, key([0] + Self.tlv(0x30, [0x02, 0x01, 0x00] + exponent))))),
            ("RSA key with a negative modulus", try signed(replacing(6, key([0] + Self.tlv(0x30, [0x02, 0x01, 0x80] + exponent))))),
            ("unknown algorithm with garbage parameters", try signed(fields, algorithm: garbageAlgorithm)),
            ("sha256RSA with a NULL that has content", try signed(fields, algorithm: nullWithContent)),
            ("algorithm OID with a padded arc", try signed(fields, algorithm: badObject)),
            ("trailing NULL inside the TBS", try signed(fields + [[0x05, 0x00]])),
            ("trailing garbage inside the TBS", try signed(fields + [[0xFF]])),
            ("critical flag of two octets", try signed(replacing(7, try extensions(criticalFlag: [0x01, 0x02, 0xFF, 0xFF])))),
            ("critical flag FALSE encoded", try signed(replacing(7, try extensions(criticalFlag: [0x01, 0x01, 0x00])))),
            ("critical flag 0x01 for TRUE", try signed(replacing(7, try extensions(criticalFlag: [0x01, 0x01, 0x01])))),
            ("negative serial", try signed(replacing(1, [0x02, 0x02, 0xFF, 0x01]))),
            ("empty serial", try signed(replacing(1, [0x02, 0x00]))),
            ("serial with a redundant leading zero", try signed(replacing(1, [0x02, 0x02, 0x00, 0x01]))),
            ("subject UTF8String of invalid UTF-8", try signed(replacing(5, badSubject))),
            ("subject BMPString with a surrogate", try signed(replacing(5, bmpSubject))),
            (
                "notAfter on a leap second",
                try signed(replacing(4, Self.tlv(0x30, Array("\u{17}\u{0D}260101000000Z\u{17}\u{0D}351231235960Z".utf8))))
            ),
            (
                "notBefore on 31 February",
                try signed(replacing(4, Self.tlv(0x30, Array("\u{17}\u{0D}260231000000Z\u{17}\u{0D}350101000000Z".utf8))))
            ),
            ("version 4", try signed(replacing(0, [0xA0, 0x03, 0x02, 0x01, 0x03]))),
            ("validity of three times", try signed(replacing(4, Self.tlv(0x30, Array(fields[4].dropFirst(2)) + [0x17, 0x00])))),
        ]
    }

    @Test("a hostile certificate is refused at decode with a clear error, or OpenSSL reads it whole too and no verdict trusts it")
    func hostileThroughEveryPath() throws {
        let root = TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))
        let inter = try pki.certificate("inter.pem")
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: nil)
        let batch = BatchVerifier(intermediates: [inter], anchors: [root], profile: profile, time: Date())
        // The well-formed leaf, re-signed by the same code, is trusted: the hostile ones fail only for their change.
        let good = try signed(try leafFields())
        #expect(batch.verify(der: good).trusted)
        #expect(
            Verifier.verify(
                VerificationRequest(leaf: try Certificate(derEncoded: good), intermediates: [inter], anchors: [root]), profile: profile
            ).isTrusted)

        var refused = 0
        for (name, der) in try hostile() {
            let context = Comment(rawValue: name)
            let certificate: Certificate
            do {
                certificate = try Certificate(derEncoded: der)
            } catch {
                refused += 1
                #expect(!error.description.isEmpty, context)
                #expect(throws: CertificateDecodingError.self, context) { try CertificateDecoder().decode(der) }
                // The batch's fast path reads a leaf under a known issuer with its own lean reader, not OpenSSL's, and must
                // decline what OpenSSL refuses (it trusted an empty serial, a NULL with content, a subject of invalid UTF-8
                // and a 31 February before this test), so the full path reports the decoding error.
                let outcome = batch.verify(der: der)
                #expect(!outcome.trusted && outcome.error != nil, context)
                continue
            }
            // The rule: what Certificate took, OpenSSL takes too, and its first use finds the object.
            #expect((try? X509Handle(der: der)) != nil, context)
            #expect(certificate.handle != nil, context)
            // inspect, text and JSON.
            #expect(!CertificateText.render(certificate).isEmpty, context)
            #expect(CertificateSummary.json([CertificateSummary(certificate, file: name)]).hasPrefix("["), context)
            // verify as the leaf, then deeper: as the intermediate and as the anchor of the good leaf.
            let asLeaf = Verifier.verify(VerificationRequest(leaf: certificate, intermediates: [inter], anchors: [root]), profile: profile)
            // A change to the key, the algorithm or the structure cannot leave a trusted leaf; a flag or serial OpenSSL
            // reads may (the phone reads it as OpenSSL does), as long as the batch says the same.
            // A version OpenSSL 3.0 does not check stands as OpenSSL reads it. A key too small for any TLS 1.0 handshake
            // (the zero modulus was trusted with a warning before) is an error.
            let mayStand = ["critical flag", "negative serial"].contains { name.hasPrefix($0) }
            #expect(!asLeaf.isTrusted || mayStand, "\(name): \(asLeaf.findings.map(\.code))")
            // A version X.509 does not define is no pass either (it was trusted before, as OpenSSL 3.0 reads it).
            if name.hasPrefix("version 4") {
                #expect(asLeaf.findings.contains { $0.code == .malformed && $0.severity == .error }, "\(name): \(asLeaf.findings)")
            }
            if name.contains("modulus") {
                #expect(asLeaf.findings.contains { $0.code == .weakKey && $0.severity == .error }, "\(name): \(asLeaf.findings)")
            }
            let goodLeaf = try Certificate(derEncoded: good)
            _ = Verifier.verify(VerificationRequest(leaf: goodLeaf, intermediates: [certificate], anchors: [root]), profile: profile)
            let asAnchor = Verifier.verify(
                VerificationRequest(
                    leaf: goodLeaf, intermediates: [], anchors: [TrustAnchor(certificate: certificate, source: .user(file: name))]),
                profile: profile)
            #expect(!asAnchor.isTrusted, context)
            // The batch: the fast path knows the issuer from the good leaf above; it must agree with the full path.
            let outcome = batch.verify(der: der)
            #expect(outcome.trusted == asLeaf.isTrusted, "\(name): batch \(outcome.codes), full \(asLeaf.findings.map(\.code))")
        }
        #expect(refused >= 5, "\(refused)")
    }

    @Test("a hostile certificate a server sends in a captured handshake ends in a verdict that does not trust it, or none")
    func hostileInCapture() throws {
        func be24(_ value: Int) -> [UInt8] { [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let inter = try pki.certificate("inter.pem").der
        for (name, der) in try hostile() {
            // The hostile leaf with the real issuing CA after it, as a server would send them.
            let list = [der, inter].flatMap { be24($0.count) + $0 }
            let handshake: [UInt8] = [0x0B] + be24(list.count + 3) + be24(list.count) + list
            let record = [0x16, 0x03, 0x01, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
            let trace = try CapturedConversationTests.trace([(5061, CapturedConversationTests.clientHello, record)])
            let endpoints = trace.step(.tls)?.endpoints ?? []
            // The capture's phone holds no root of the test PKI: a trusted verdict here could only be a bug.
            #expect(endpoints.allSatisfy { $0.verdict?.isTrusted != true }, "\(name)")
            // A server certificate that cannot be read is said to be so; the issuing CA after it is not judged in its place.
            if (try? Certificate(derEncoded: der)) == nil {
                #expect(endpoints.count == 1, "\(name)")
                #expect(endpoints.allSatisfy { $0.verdict == nil && $0.chain.isEmpty }, "\(name)")
                #expect(endpoints.allSatisfy { $0.outcome.hasPrefix("the server's certificate cannot be read: ") }, "\(name)")
            }
        }
        let good = try signed(try leafFields())
        let bad = try #require(try hostile().first { (try? Certificate(derEncoded: $0.1)) == nil }).1
        #expect(Certificate.presentedChain([bad, inter]).chain.isEmpty)
        #expect(Certificate.presentedChain([bad, inter]).unreadable != nil)
        #expect(Certificate.presentedChain([good, bad, inter]).chain.map(\.der) == [good])
        #expect(Certificate.presentedChain([good, inter]).chain.count == 2 && Certificate.presentedChain([good, inter]).unreadable == nil)
        // probe says which certificate it could not read, and why, before what it found in the ones before it.
        for (ders, position) in [([bad, inter], 1), ([good, bad, inter], 2)] {
            let (chain, unreadable) = Certificate.presentedChain(ders)
            let issues = Prober.issues(chain, unreadable: unreadable, knownRoots: [])
            guard case .unreadable(position, let reason)? = issues.first else {
                Issue.record("\(issues)")
                continue
            }
            #expect(!reason.isEmpty && issues.first?.description.contains(reason) == true)
            #expect(
                issues.first?.description.contains(position == 1 ? "the server's certificate cannot be read" : "certificate 2 sent") == true
            )
        }
        #expect(
            Prober.issues([try Certificate(derEncoded: good)], unreadable: nil, knownRoots: []).allSatisfy {
                if case .unreadable = $0 { false } else { true }
            })
    }

    @Test("what the DER reader reads, OpenSSL reads too: every one-octet change of repository certificates")
    func mutationsAgree() throws {
        let all = try CertificateFieldsTests.certificates()
        // A few distinct certificates the DER reader takes: the test PKI's leaf, its issuing CA and a CA with a path length.
        var picked: [Certificate] = []
        for wanted in ["pool01.contoso.com", "Contoso Issuing CA", "Constrained CA"] {
            if let found = all.first(where: {
                $0.certificate.subject.rfc4514.contains(wanted) && DERCertificateFields($0.certificate.der) != nil
            }) {
                picked.append(found.certificate)
            }
        }
        #expect(picked.count == 3)
        var read = 0
        var disagreements: [String] = []
        for certificate in picked {
            for index in certificate.der.indices {
                let original = certificate.der[index]
                for value in Set([original ^ 0x01, original ^ 0x80, 0x00, 0xFF]) where value != original {
                    var mutated = certificate.der
                    mutated[index] = value
                    guard (try? Certificate(derEncoded: mutated)) != nil else { continue }
                    read += 1
                    if (try? X509Handle(der: mutated)) == nil {
                        disagreements.append("\(certificate.subject.rfc4514) octet \(index) \(original)->\(value)")
                    }
                }
            }
        }
        #expect(read > 1000, "\(read)")
        #expect(disagreements.isEmpty, "\(disagreements.count): \(disagreements.prefix(10))")
    }
}
