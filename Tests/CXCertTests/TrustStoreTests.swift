import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("The built-in trusted-authorities cache")
struct TrustStoreTests {
    /// The vendor guide's table, copied literally (typos included) from its "Trusted Authorities Cache".
    static let guideRows: [(String, String, String, String)] = [
        ("Comodo", "AAA Certificate Services", "12/31/2020", "2048"),
        ("Comodo", "AddTrust External CA Root", "5/30/2020", "2048"),
        ("Cybertrust", "Baltimore CyberTrust Root", "5/12/2025", "2048"),
        ("Cybertrust", "GlobalSign Root CA", "1/28/2014", "2048"),
        ("Cybertrust", "GTE CyberTrust Global Root", "8/13/2018", "1024"),
        ("VeriSign", "Class 2 Public Primary Certification Authority", "8/1/2018", "1024"),
        ("VeriSign", "Thawte Premium Server CA", "12/31/2020", "1024"),
        ("VeriSign", "Thawte Server CA", "12/31/2020", "1024"),
        ("VeriSign", "Comodo", "1/7/2010", "1000"),
        ("VerSign", "Class 3 Public Primary Certification Authority", "8/1/2028", "1024"),
        ("Entrust", "Entrust.net Certification Authority (2048)", "12/24/2019", "2048"),
        ("Entrust", "Entrust.net Secure Server Certification Authority", "5/25/2019", "1024"),
        ("Equifax", "Equifax Secure Certification Authority", "8/22/2018", "1024"),
        ("GeoTrust", "GetTrust Global CA", "5/20/2022", "2048"),
        ("GoDaddy", "GoDaddy Class 2 Certification Authority", "6/29/2034", "2048"),
        ("GoDaddy", "http://www.valicert.com/", "6/25/2019", "1024"),
        ("GoDaddy", "Starfield Class 2 Certification Authority", "6/29/2034", "2048"),
    ]

    @Test("the table matches the guide's 17 rows, in order and verbatim")
    func matchesGuide() {
        let entries = BuiltInTrustStore.entries
        #expect(entries.count == 17)
        for (index, (entry, row)) in zip(entries, Self.guideRows).enumerated() {
            #expect(entry.row == index + 1)
            #expect(entry.guide == .init(vendor: row.0, name: row.1, expiry: row.2, keyLength: row.3))
        }
    }

    @Test("every certificate in TrustStore/ parses and its facts match the table")
    func factsMatchCertificates() throws {
        let folder = repositoryRoot.appendingPathComponent("TrustStore")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".pem") }
        #expect(files.count == 22)
        for file in files {
            let decoded = try CertificateDecoder().decode(contentsOf: folder.appendingPathComponent(file))
            #expect(decoded.certificates.count == 1, "\(file)")
        }
        for entry in BuiltInTrustStore.entries {
            let c = entry.certificate
            let facts = entry.recorded
            #expect(c.subject.rfc4514 == facts.subject, "row \(entry.row)")
            #expect(iso8601(c.notBefore) == facts.notBefore, "row \(entry.row)")
            #expect(iso8601(c.notAfter) == facts.notAfter, "row \(entry.row)")
            #expect(c.publicKey.algorithm.rawValue == facts.keyType, "row \(entry.row)")
            #expect(c.publicKey.bits == facts.keyBits, "row \(entry.row)")
            #expect(c.signatureAlgorithm.name == facts.signatureAlgorithm, "row \(entry.row)")
            #expect(c.serialNumber == facts.serial, "row \(entry.row)")
            #expect(c.sha1Thumbprint == facts.sha1, "row \(entry.row)")
            #expect(c.sha256Fingerprint == facts.sha256, "row \(entry.row)")
            #expect(c.subject.displayName == entry.displayName, "row \(entry.row)")
            #expect(!entry.source.isEmpty)
            // Where the guide's key length is a number, it is the real one (only dates and names are wrong).
            #expect(Int(entry.guide.keyLength) == c.publicKey.bits, "row \(entry.row)")
            for alternate in entry.alternates {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(alternate).path))
            }
        }
    }

    @Test("the guide's known errors are recorded")
    func guideErrors() {
        let byRow = Dictionary(uniqueKeysWithValues: BuiltInTrustStore.entries.map { ($0.row, $0) })
        #expect(byRow[9]?.match == .probable)
        #expect(byRow[9]?.certificate.publicKey.bits == 1000)
        #expect(byRow[9]?.guideErrors.first?.contains("Comodo") == true)
        #expect(byRow[14]?.guideErrors.first?.contains("GetTrust") == true)
        #expect(byRow[1]?.match == .approx)
        #expect(byRow[3]?.match == .exact)
        #expect(byRow[3]?.guideErrors.isEmpty == true)
    }

    @Test("the compiled-in copy is TrustStore/ and Knowledge/ byte for byte, every PEM reachable by its index path")
    func embeddedDataIsComplete() throws {
        let root = repositoryRoot
        func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: root.appendingPathComponent(path))) }
        #expect(EmbeddedData.trustStoreIndex == (try bytes("TrustStore/index.json")))
        #expect(EmbeddedData.devices == (try bytes("Knowledge/devices.json")))
        #expect(EmbeddedData.symptoms == (try bytes("Knowledge/symptoms.json")))
        #expect(EmbeddedData.discovery == (try bytes("Knowledge/discovery.json")))
        let files = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("TrustStore").path)
            .filter { $0.hasSuffix(".pem") }
        #expect(files.count == 22)
        for file in files {
            #expect(EmbeddedData.trustStoreFile(file) == (try bytes("TrustStore/\(file)")), "\(file) is not embedded under its path")
        }
        #expect(EmbeddedData.trustStoreFile("no-such.pem") == nil)
    }

    @Test("the precomputed trust-store revision is the SHA-256 of the index as built and as on disk")
    func revisionIsCurrent() throws {
        func revision(_ bytes: [UInt8]) -> String { Digest.sha256.hash(bytes).prefix(6).map { String(format: "%02x", $0) }.joined() }
        let onDisk = [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("TrustStore/index.json")))
        let expected = revision(onDisk)
        #expect(
            LibraryVersions.trustStoreRevision == expected,
            "stale: set LibraryVersions.trustStoreRevision to \"\(expected)\" (the index changed)")
        #expect(revision(EmbeddedData.trustStoreIndex) == expected)
        // The index pins every certificate by its SHA-256, so a changed PEM changes the index, then the revision.
        for entry in BuiltInTrustStore.entries { #expect(entry.certificate.sha256Fingerprint == entry.recorded.sha256) }
        #expect(revision(onDisk + [0x0A]) != expected)
    }

    @Test("the compiled index rows are TrustStore/index.json's, decoded as before, as built and as on disk")
    func compiledIndexIsTheJSON() throws {
        struct IndexFile: Decodable { let entries: [BuiltInTrustStore.IndexRow] }
        let onDisk = try Data(contentsOf: repositoryRoot.appendingPathComponent("TrustStore/index.json"))
        for json in [onDisk, Data(EmbeddedData.trustStoreIndex)] {
            let decoded = try JSONDecoder().decode(IndexFile.self, from: json).entries
            #expect(decoded.count == 17)
            #expect(BuiltInTrustStore.indexRows == decoded, "stale: run Scripts/device-data (TrustStore/index.json changed)")
        }
        // The comparison sees one changed field: the first row's key size, 2048 -> 2049.
        let text = try #require(String(data: onDisk, encoding: .utf8))
        let range = try #require(text.range(of: "\"keyBits\": 2048"))
        let edited = try JSONDecoder().decode(
            IndexFile.self, from: Data(text.replacingCharacters(in: range, with: "\"keyBits\": 2049").utf8))
        #expect(edited.entries.first?.keyBits == 2049)
        #expect(BuiltInTrustStore.indexRows != edited.entries)
        #expect(BuiltInTrustStore.entries.map(\.row) == Array(1...17))
    }

    @Test("states at a date: 5 roots valid on 2026-11-21, all 17 on 2009-01-01")
    func statesAtDate() throws {
        let now = try #require((try? StrictDate.parse("2026-11-21")))
        #expect(TrustStoreStatus.all(at: now).filter { $0.state == .valid }.map(\.entry.row) == [1, 6, 10, 15, 17])
        let then = try #require((try? StrictDate.parse("2009-01-01")))
        #expect(TrustStoreStatus.all(at: then).allSatisfy { $0.state == .valid })
        #expect(TrustStoreStatus.all(at: now).filter(\.weakKey).count == 9)
    }

    @Test("a cxcert binary copied alone to another folder still has its trust store")
    func copiedBinary() throws {
        let folder = try makeTemporaryDirectory("alone")
        let copy = folder.appendingPathComponent("cxcert")
        // Copied by cp, not by this process: a child another test forks meanwhile would inherit our write
        // descriptor and make the copy "text file busy" to exec.
        try Shell.run(["cp", CLI.binary.path, copy.path])
        let result = try CLI.run(["truststore", "--json", "--at", "2026-11-21"], binary: copy)
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 17)
        #expect(entries.compactMap { $0["sha256"] as? String } == BuiltInTrustStore.entries.map(\.certificate.sha256Fingerprint))
        #expect(entries.first?["state"] as? String == "valid")
        #expect(entries[1]["state"] as? String == "expired")
    }
}

@Suite("The built-in cache decoded lazily: only the roots a chain can reach by name")
struct LazyTrustStoreTests {
    @Test("each root's names read from its DER are OpenSSL's: the same DER, the same canonical form")
    func namesFromDER() {
        #expect(BuiltInTrustStore.roots.count == 17)
        for (root, entry) in zip(BuiltInTrustStore.roots, BuiltInTrustStore.entries) {
            let certificate = entry.certificate
            #expect(root.row == entry.row && root.file == entry.file)
            #expect(root.der == certificate.der, "row \(root.row)")
            #expect(root.subject == certificate.subject.der, "row \(root.row)")
            #expect(root.issuer == certificate.issuer.der, "row \(root.row)")
            #expect(root.canonicalSubject == NextChange.canonical(certificate.subject), "row \(root.row)")
            #expect(root.canonicalIssuer == NextChange.canonical(certificate.issuer), "row \(root.row)")
        }
    }

    @Test("canonical(nameDER:) is nil or OpenSSL's canonical form, on every certificate in the repository")
    func canonicalFromDER() throws {
        var files: [URL] = []
        for folder in ["TrustStore", "Tests/CXCertTests/Fixtures", "Examples/contoso"] {
            let url = repositoryRoot.appendingPathComponent(folder)
            for path in try FileManager.default.subpathsOfDirectory(atPath: url.path)
            where [".pem", ".cer", ".p7b"].contains(where: path.hasSuffix) {
                files.append(url.appendingPathComponent(path))
            }
        }
        var names = 0
        for file in files {
            // The fuzz regressions under Fixtures/ are meant not to decode.
            for certificate in (try? CertificateDecoder().decode(contentsOf: file))?.certificates ?? [] {
                for name in [certificate.subject, certificate.issuer] {
                    let canonical = try #require(NextChange.canonical(nameDER: name.der), "\(file.lastPathComponent): \(name)")
                    #expect(canonical == NextChange.canonical(name), "\(file.lastPathComponent): \(name)")
                    names += 1
                }
            }
        }
        #expect(names >= 50)
        // A value in a string type read only through OpenSSL, or a name that is not one, is not guessed.
        #expect(NextChange.canonical(nameDER: [0x30, 0x0B, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x04, 0x00]) == nil)
        #expect(NextChange.canonical(nameDER: [0x31, 0x00]) == nil)
        #expect(NextChange.canonical(nameDER: [0x30, 0x00]) == "")
    }

    @Test("a value's canonical form byte by byte is the Character path's: case, runs of white space, CR LF, the ends")
    func canonicalValue() {
        let values = [
            "Contoso Root CA", "  CONTOSO   Root\tCA  ", "a\r\nb", "\r\n", "", " ", "A\u{0B}B\u{0C}C", "x\u{1F}y", "\u{0}",
            "ValiCert, Inc.", "http://www.valicert.com/", "Zürich  ROOT", "ÄÖÜ\u{00A0}CA", "İstanbul", "ß", "a\u{2003}b",
        ]
        for value in values {
            #expect(NextChange.canonical(value: value) == value.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
    }

    /// Every candidate path the builder offers, in order, none accepted.
    static func candidates(_ leaf: Certificate, intermediates: [Certificate], anchors: [TrustAnchor]) -> [CandidatePath] {
        var builder = PathBuilder(anchors: anchors, intermediates: intermediates, budget: PathBudget())
        var offered: [CandidatePath] = []
        builder.search(from: leaf) { path in
            offered.append(path)
            return false
        }
        return offered
    }

    @Test("the reachable roots give the path builder the same candidates, in the same order, as all 17")
    func sameCandidates() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/CXCertTests/Fixtures")
        let examples = repositoryRoot.appendingPathComponent("Examples/contoso")
        func load(_ url: URL) throws -> [Certificate] { try CertificateDecoder().decode(contentsOf: url).certificates }
        let goDaddy = try load(fixtures.appendingPathComponent("godaddy-secure-ca.pem"))
        let crossSigned = try load(fixtures.appendingPathComponent("godaddy-class2-by-valicert.pem"))
        let valiCert = try load(fixtures.appendingPathComponent("valicert-class2-root.pem"))
        let pool = try load(examples.appendingPathComponent("pool01-fixed.pem"))
        let contoso = try load(examples.appendingPathComponent("ContosoCA.cer"))
        let cacheRoot = BuiltInTrustStore.roots[2].certificate
        let scenarios: [(name: String, leaf: Certificate, intermediates: [Certificate], user: [Certificate], reached: Int)] = [
            ("a private CA's chain", pool[0], Array(pool.dropFirst()), contoso, 0),
            ("an intermediate under a cache root", goDaddy[0], [], [], 1),
            ("a cross-certificate to a second cache root", goDaddy[0], crossSigned + valiCert, [], 2),
            ("a cache root sent as the leaf", cacheRoot, [], [], 1),
            (
                "an unrelated cache root sent in the chain and trusted by the user too", goDaddy[0], [cacheRoot] + crossSigned, [cacheRoot],
                3
            ),
        ]
        for scenario in scenarios {
            let user = scenario.user.map { TrustAnchor(certificate: $0, source: .user(file: "root.pem")) }
            let reachable = TrustAnchor.builtInCache(reachableFrom: [scenario.leaf] + scenario.intermediates)
            #expect(reachable.count == scenario.reached, "\(scenario.name)")
            let lazy = Self.candidates(scenario.leaf, intermediates: scenario.intermediates, anchors: reachable + user)
            let all = Self.candidates(scenario.leaf, intermediates: scenario.intermediates, anchors: TrustAnchor.builtInCache + user)
            #expect(!all.isEmpty)
            #expect(lazy == all, "\(scenario.name)")
        }
    }
}
