import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertTestSupport

@Suite("MS-WCCE sanitized names and LDAP escaping")
struct SanitizedNameTests {
    /// The reference vectors of shared/reference/ad-pki.md §1.5 (the first from MS-WCCE 1.3.2.5).
    @Test(arguments: [
        ("Contoso Root CA", "Contoso Root CA"),
        ("Contoso, Inc. Root CA", "Contoso!002c Inc. Root CA"),
        ("LongCAName(WithSpeci@#$%^Characters", "LongCAName!0028WithSpeci@!0023$!0025!005eCharacters"),
        ("Müller CA", "M!00fcller CA"),
        ("Contoso Corporation Enterprise Issuing Certification Authority 01", "Contoso Corporation Enterprise Issuing Certificatio-22862"),
        ("Contoso Corporation Enterprise Issuing Certificat#on Authority", "Contoso Corporation Enterprise Issuing Certificat-37721"),
    ])
    func vectors(input: String, expected: String) {
        #expect(SanitizedName.make(input) == expected)
    }

    @Test func escaping() {
        #expect(LDAPEscaping.dnValue(#"a,b+c"d\e<f>g;h=i"#) == #"a\,b\+c\"d\\e\<f\>g\;h\=i"#)
        #expect(LDAPEscaping.dnValue("#lead and trail ") == ##"\#lead and trail\ "##)
        #expect(LDAPEscaping.dnValue("nul\0") == #"nul\00"#)
        #expect(LDAPEscaping.filterValue("*)(objectClass=*)\\\0") == #"\2a\29\28objectClass=\2a\29\5c\00"#)
    }
}

/// Against a real directory: a Samba AD DC on loopback (Scripts/samba-dc), read back with ldapsearch.
@Suite("Active Directory: publish, list, remove and discover against Samba AD", .integration, .tags(.integration))
struct DirectoryTests {
    let dc: SambaDC
    let pki: TestPKI

    init() throws {
        dc = try SambaDC.get()
        pki = try TestPKI.get()
    }

    /// A fresh self-signed CA named `cn`, so tests never share directory objects.
    func makeCA(_ cn: String, key: String = "rsa2048.key") throws -> Certificate {
        let file = "dir-\(UUID().uuidString)"
        try pki.openssl([
            "req", "-x509", "-new", "-key", key, "-subj", "/O=cxcert tests/CN=\(cn)", "-sha256", "-days", "365", "-out", "\(file).pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return try pki.certificate("\(file).pem")
    }

    func unique(_ prefix: String) -> String { "\(prefix) \(UUID().uuidString.prefix(8))" }

    @Test("publish writes both containers as certutil does; ldapsearch reads back the same bytes")
    func publishRoundTrip() async throws {
        let ca = try makeCA(unique("Round Trip CA"))
        let client = try await DirectoryClient(dc.adminConfiguration)
        let report = try await client.publish(ca)
        #expect(report.changes.map(\.action) == [.created, .created])
        let name = SanitizedName.objectName(for: ca)
        for container in ["Certification Authorities", "AIA"] {
            let dn = "CN=\(name),CN=\(container),\(dc.publicKeyServices)"
            #expect(report.changes.map(\.dn).contains(dn))
            #expect(try dc.ldapsearch(dn, "cACertificate") == [ca.der])
            #expect(try dc.ldapsearch(dn, "authorityRevocationList") == [[0]])
            #expect(try dc.ldapsearch(dn, "certificateRevocationList") == [[0]])
            #expect(try dc.ldapsearch(dn, "objectClass").map { String(decoding: $0, as: UTF8.self) } == ["top", "certificationAuthority"])
        }
        // Publishing again changes nothing.
        let again = try await client.publish(ca)
        #expect(again.nothingChanged)
        #expect(try dc.ldapsearch("CN=\(name),CN=AIA,\(dc.publicKeyServices)", "cACertificate") == [ca.der])
    }

    @Test("--dry-run prints the exact LDIF and writes nothing")
    func dryRun() async throws {
        let ca = try makeCA(unique("Dry Run CA"))
        let report = try await DirectoryClient(dc.adminConfiguration).publish(ca, dryRun: true)
        #expect(report.dryRun)
        #expect(report.ldif.contains("changetype: add"))
        #expect(report.ldif.contains("cACertificate:: \(Data(ca.der).base64EncodedString())"))
        #expect(report.ldif.contains("authorityRevocationList:: AA=="))
        for change in report.changes { #expect(try dc.ldapsearch(change.dn, "cACertificate").isEmpty) }
    }

    @Test("two different CAs with the same CN share one object, as two values; SubCA and NTAuth targets")
    func sameNameAndTargets() async throws {
        let cn = unique("Shared Name CA")
        let first = try makeCA(cn)
        let second = try makeCA(cn, key: "other.key")
        let client = try await DirectoryClient(dc.adminConfiguration)
        _ = try await client.publish(first)
        let report = try await client.publish(second)
        #expect(report.changes.map(\.action) == [.valueAdded, .valueAdded])
        let dn = "CN=\(SanitizedName.objectName(for: first)),CN=Certification Authorities,\(dc.publicKeyServices)"
        #expect(Set(try dc.ldapsearch(dn, "cACertificate")) == [first.der, second.der])

        let sub = try makeCA(unique("Sub Target CA"))
        #expect(
            try await client.publish(sub, target: .subCA).changes.map(\.dn) == [
                "CN=\(SanitizedName.objectName(for: sub)),CN=AIA,\(dc.publicKeyServices)"
            ])
        #expect(
            try dc.ldapsearch(
                "CN=\(SanitizedName.objectName(for: sub)),CN=Certification Authorities,\(dc.publicKeyServices)", "cACertificate"
            ).isEmpty)
        let ntauth = try makeCA(unique("NTAuth Target CA"))
        _ = try await client.publish(ntauth, target: .ntAuth)
        #expect(try dc.ldapsearch("CN=NTAuthCertificates,\(dc.publicKeyServices)", "cACertificate").contains(ntauth.der))
    }

    @Test("a non-CA certificate is refused unless forced")
    func refusesLeaf() async throws {
        let client = try await DirectoryClient(dc.adminConfiguration)
        let leaf = try pki.certificate("leaf.pem")
        let error = await #expect(throws: DirectoryError.self) { try await client.publish(leaf, dryRun: true) }
        #expect(caseName(error) == "refused", "\(String(describing: error))")
        #expect(error?.description.hasPrefix("pool01.contoso.com is not a CA certificate") == true)
        #expect(try await client.publish(try pki.certificate("leaf.pem"), force: true, dryRun: true).changes.count == 2)
    }

    @Test("concurrent publishers: six processes at once, no value lost")
    func concurrentPublishers() async throws {
        let cn = unique("Concurrent CA")
        var files: [String] = []
        for index in 0..<6 {
            let key = ["rsa2048.key", "other.key", "leaf.key", "rsa1024.key", "rsa4096.key", "ec256.key"][index]
            let ca = try makeCA(cn, key: key)
            let path = pki.url("concurrent-\(index)-\(UUID().uuidString).der").path
            try Data(ca.der).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let arguments = dc.connectionArguments
        let results = try await withThrowingTaskGroup(of: CLI.Result.self) { group in
            for file in files { group.addTask { try CLI.run(["ds", "publish", file] + arguments) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let expected = Set(try files.map { try Array(Data(contentsOf: URL(fileURLWithPath: $0))) })
        let name = SanitizedName.make(cn)
        for container in ["Certification Authorities", "AIA"] {
            #expect(Set(try dc.ldapsearch("CN=\(name),CN=\(container),\(dc.publicKeyServices)", "cACertificate")) == expected)
        }
    }

    @Test("remove takes exactly the named value; the last one leaves a placeholder; objects go only with --delete-object")
    func remove() async throws {
        let cn = unique("Removal CA")
        let keep = try makeCA(cn)
        let drop = try makeCA(cn, key: "other.key")
        let client = try await DirectoryClient(dc.adminConfiguration)
        _ = try await client.publish(keep)
        _ = try await client.publish(drop)
        let dn = "CN=\(SanitizedName.make(cn)),CN=Certification Authorities,\(dc.publicKeyServices)"
        let aia = "CN=\(SanitizedName.make(cn)),CN=AIA,\(dc.publicKeyServices)"
        let dry = try await client.remove(try CertificateSelector(parsing: drop.sha1Thumbprint), dryRun: true)
        #expect(dry.ldif.contains("delete: cACertificate"))
        #expect(Set(try dc.ldapsearch(dn, "cACertificate")) == [keep.der, drop.der])
        let report = try await client.remove(try CertificateSelector(parsing: drop.sha1Thumbprint))
        #expect(report.changes.map(\.action) == [.valueRemoved, .valueRemoved])
        #expect(try dc.ldapsearch(dn, "cACertificate") == [keep.der])
        // The last value: replaced by the 0x00 placeholder in the same modify; the object stays.
        let last = try await client.remove(try CertificateSelector(parsing: keep.serialNumber))
        #expect(last.changes.map(\.action) == [.valueReplacedByPlaceholder, .valueReplacedByPlaceholder])
        #expect(try dc.ldapsearch(dn, "cACertificate") == [[0]])
        #expect(try dc.ldapsearch(aia, "cACertificate") == [[0]])
        // Published again, then removed with --delete-object: the value goes, then the objects.
        _ = try await client.publish(keep)
        let deleted = try await client.remove(try CertificateSelector(parsing: keep.serialNumber), deleteEmptyObjects: true)
        #expect(
            deleted.changes.map(\.action) == [.valueReplacedByPlaceholder, .valueReplacedByPlaceholder, .objectDeleted, .objectDeleted])
        #expect(try dc.ldapsearch(dn, "cACertificate").isEmpty)
        #expect(try dc.ldapsearch(aia, "cACertificate").isEmpty)
        let injection = await #expect(throws: DirectoryError.self) {
            try await client.remove(try CertificateSelector(parsing: "*)(objectClass=*"))
        }
        #expect(caseName(injection) == "invalidSelector", "\(String(describing: injection))")
        let gone = await #expect(throws: DirectoryError.self) {
            try await client.remove(try CertificateSelector(parsing: drop.sha1Thumbprint))
        }
        #expect(caseName(gone) == "notFound", "\(String(describing: gone))")
    }

    @Test("an ordinary user can list but gets a clear insufficient-rights error on publish")
    func ordinaryUser() async throws {
        let client = try await DirectoryClient(dc.userConfiguration)
        _ = try await DirectorySnapshot(reading: client)
        let ca = try makeCA(unique("User Attempt CA"))
        let error = await #expect(throws: DirectoryError.self) { try await client.publish(ca) }
        guard case .insufficientRights(let operation, _, let cause?)? = error else {
            Issue.record("expected insufficient rights with its LDAP result, got \(String(describing: error))")
            return
        }
        #expect(operation == "add")
        #expect(cause.code == 50)
        #expect(cause.diagnostic != nil, "Samba says which check refused it")
        #expect(error?.description.contains("insufficient rights") == true)
        // A CA nobody has published (an already-published one would rightly be "already published", exit 0).
        let fresh = pki.url("user-attempt-\(UUID().uuidString).der")
        try Data(makeCA(unique("User CLI Attempt CA")).der).write(to: fresh)
        let cli = try CLI.run([
            "ds", "publish", fresh.path, "--ldap", dc.url, "--ca-file", dc.caFile, "--bind", dc.user, "--password-file",
            dc.userPasswordFile,
        ])
        #expect(cli.status == 2)
        #expect(cli.stderr.hasPrefix("cxcert: insufficient rights"))
    }

    @Test("wrong password, unverifiable server, plain LDAP: clear errors, and the password never printed")
    func connectionErrors() async throws {
        let wrong = "Wr0ng!Secret-\(UUID().uuidString.prefix(6))"
        var configuration = dc.adminConfiguration
        configuration.password = .secret(Secret(wrong))
        let error = await #expect(throws: DirectoryError.self) { try await DirectoryClient(configuration) }
        guard case .invalidCredentials(let cause)? = error else {
            Issue.record("expected invalid credentials, got \(String(describing: error))")
            return
        }
        #expect(cause.code == 49)
        #expect(cause.operation == "bind as \(dc.admin)")
        #expect(error?.description.contains(wrong) == false)
        let cli = try CLI.run(
            ["ds", "list", "--ldap", dc.url, "--ca-file", dc.caFile, "--bind", dc.admin, "--password-env", "CXCERT_WRONG"],
            environment: ["CXCERT_WRONG": wrong])
        #expect(cli.status == 2)
        #expect(cli.stderr.contains("refused the bind"))
        #expect(!cli.stderr.contains(wrong) && !cli.stdout.contains(wrong))
        // Without the test CA the server's certificate cannot be verified.
        var unverified = dc.adminConfiguration
        unverified.caFile = nil
        let unverifiedError = await #expect(throws: DirectoryError.self) { try await DirectoryClient(unverified) }
        #expect(caseName(unverifiedError) == "certificateNotVerified", "\(String(describing: unverifiedError))")
        // ldap:// is upgraded with StartTLS; plain LDAP is refused unless asked for.
        var startTLS = dc.adminConfiguration
        startTLS.url = dc.plainURL
        _ = try await DirectoryClient(startTLS)
        let plain = await #expect(throws: DirectoryError.self) {
            try await LDAPSession(.init(url: dc.plainURL, caFile: nil, startTLS: false, allowPlain: false, timeout: 5))
        }
        #expect(caseName(plain) == "encryptionRequired", "\(String(describing: plain))")
        #expect(plain?.ldapCause == nil, "refused before anything is sent")
        // No password source on a non-terminal: a clear error, not a hang.
        let noPassword = try CLI.run(["ds", "list", "--ldap", dc.url, "--ca-file", dc.caFile, "--bind", dc.admin])
        #expect(noPassword.status == 2)
        #expect(noPassword.stderr.contains("--password-env"))
    }

    @Test("a missing object is 'no such object' with the LDAP result kept: code 32 and the server's diagnostic")
    func noSuchObjectCause() async throws {
        let client = try await DirectoryClient(dc.adminConfiguration)
        let missing = "CN=Missing \(UUID().uuidString.prefix(8)),CN=AIA,\(dc.publicKeyServices)"
        let error = await #expect(throws: DirectoryError.self) { try await client.session.delete(dn: missing) }
        guard case .noSuchObject(let dn, let cause?)? = error else {
            Issue.record("expected no such object with its LDAP result, got \(String(describing: error))")
            return
        }
        #expect(dn == missing)
        #expect(cause.code == 32)
        #expect(cause.operation == "delete \(missing)")
        // Samba words it "...Cannot delete <dn>, entry does not exist!" and sends no matched DN.
        #expect(cause.diagnostic?.contains("entry does not exist") == true, "\(cause)")
        #expect(cause.matchedDN == nil)
        #expect(error?.description == "no such object: \(missing)")
    }

    @Test("names with LDAP-special characters are escaped, never injected")
    func hostileNames() async throws {
        let client = try await DirectoryClient(dc.adminConfiguration)
        let tag = UUID().uuidString.prefix(6)
        for cn in [
            #"Evil\, CN=AIA \#(tag) + "x" <y> ; z = #"#, #"Semi; "quoted" <angle> = \#(tag)"#, "Star*(paren)\\back \(tag)",
            "#Hash, Inc. \(tag)",
        ] {
            let ca = try makeCA(cn)
            let report = try await client.publish(ca)
            let name = SanitizedName.objectName(for: ca)
            #expect(!name.contains(","))
            for change in report.changes {
                #expect(change.dn.hasPrefix("CN=\(LDAPEscaping.dnValue(name)),CN="))
                #expect(try dc.ldapsearch(change.dn, "cACertificate") == [ca.der], "\(change.dn) for \(ca.subject)")
            }
        }
        // Nothing was created directly under the containers' parent by the "CN=AIA" in a name.
        #expect(try dc.ldapsearch("CN=AIA,\(dc.publicKeyServices)", "cACertificate").isEmpty)
    }

    @Test("the phone's walk: step 1 from certificationAuthority objects, deduplicated, placeholders skipped")
    func discoverStepOne() async throws {
        let ca = try makeCA(unique("Discovered CA"))
        let client = try await DirectoryClient(dc.adminConfiguration)
        _ = try await client.publish(ca)
        let result = PhoneDiscovery.walk(try await DirectorySnapshot(reading: client))
        #expect(!result.fallbackUsed)
        let found = try #require(result.certificationAuthorities.first { $0.certificate == ca })
        #expect(found.objects.count == 2)
        #expect(result.certificates.filter { $0 == ca }.count == 1)
        // A snapshot round-trips through LDIF and gives the same walk.
        let reread = try DirectorySnapshot(ldif: try await DirectorySnapshot(reading: client).ldif)
        #expect(PhoneDiscovery.walk(reread).certificates.contains(ca))
    }

    @Test("the pKIEnrollmentService fallback fetches certsrv's certnew.p7b with credentials")
    func discoverFallback() async throws {
        // certsrv's answer: base64 PKCS#7 under a CERTIFICATE label, made by openssl.
        let ca = try makeCA(unique("Enterprise CA"))
        let pem = pki.url("fallback-\(UUID().uuidString).pem")
        try Data(ca.der).write(to: pem.appendingPathExtension("der"))
        let p7 = try pki.openssl(["crl2pkcs7", "-nocrl", "-certfile", try pemFile(ca).path, "-outform", "DER"])
        let base64 = try Shell.run(["openssl", "base64"], input: p7)
        let body = pki.url("certnew-\(UUID().uuidString).p7b")
        try (Data("-----BEGIN CERTIFICATE-----\r\n".utf8) + base64 + Data("-----END CERTIFICATE-----\r\n".utf8)).write(to: body)
        let server = try CertsrvStub(body: body, user: "CONTOSO\\phoneuser", password: "Ph0ne!Passw0rd")
        defer { server.stop() }

        let client = try await DirectoryClient(dc.adminConfiguration)
        let cn = unique("Enrollment")
        let dn = "CN=\(LDAPEscaping.dnValue(cn)),\(client.containers.enrollmentServices)"
        try await client.session.add(
            dn: dn,
            attributes: [
                ("objectClass", [Array("top".utf8), Array("pKIEnrollmentService".utf8)]), ("cn", [Array(cn.utf8)]),
                ("dNSHostName", [Array("127.0.0.1:\(server.port)".utf8)]),
            ])
        do {
            let services = try await client.enrollmentServiceObjects().filter { $0.dn == dn }
            // The phone falls back when certificationAuthority objects hold only placeholders.
            let placeholderOnly = DirectoryEntry(dn: "CN=Empty,CN=AIA,\(dc.publicKeyServices)", attributes: ["cACertificate": [[0]]])
            let snapshot = DirectorySnapshot(certificationAuthorities: [placeholderOnly], enrollmentServices: services)
            let credentials = HTTPCredentials(user: "CONTOSO\\phoneuser", password: Secret("Ph0ne!Passw0rd"))
            // The stub speaks Basic only: over http that needs the explicit allowance.
            let clear = PhoneDiscovery.walk(snapshot) { (url: String) throws(HTTPError) -> [UInt8] in
                try HTTPFetcher.get(url, credentials: credentials)
            }
            #expect(clear.enrollmentServices.first?.problem?.contains("--http-basic-in-clear") == true)
            let result = PhoneDiscovery.walk(snapshot) { (url: String) throws(HTTPError) -> [UInt8] in
                try HTTPFetcher.get(url, credentials: credentials, allowBasicInClear: true)
            }
            #expect(result.fallbackUsed)
            #expect(result.placeholdersSkipped == 1)
            let service = try #require(result.enrollmentServices.first)
            #expect(service.url == "http://127.0.0.1:\(server.port)/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64")
            #expect(service.certificates == [ca], "\(service.problem ?? "")")
            // Wrong credentials: the step says so.
            let refused = PhoneDiscovery.walk(snapshot) { (url: String) throws(HTTPError) -> [UInt8] in
                try HTTPFetcher.get(url, credentials: HTTPCredentials(user: "x", password: Secret("y")), allowBasicInClear: true)
            }
            #expect(refused.enrollmentServices.first?.problem?.contains("HTTP 401") == true)
            #expect(PhoneDiscovery.certsrvURL(dnsHostName: "evil.com/x?y#") == nil)
        } catch {
            try? await client.session.delete(dn: dn)
            throw error
        }
        try? await client.session.delete(dn: dn)
    }

    func pemFile(_ certificate: Certificate) throws -> URL {
        let url = pki.url("pem-\(UUID().uuidString).pem")
        let body = Data(certificate.der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        try Data("-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n".utf8).write(to: url)
        return url
    }

    @Test("verify --ad-snapshot trusts what the phone would download")
    func verifyWithSnapshot() async throws {
        let pki = try TestPKI.withScenarios()
        let client = try await DirectoryClient(dc.adminConfiguration)
        _ = try await client.publish(try pki.certificate("root-sha1.pem"))
        let snapshotFile = pki.url("snapshot-\(UUID().uuidString).ldif").path
        let save = try CLI.run(["ds", "list", "--save", snapshotFile] + dc.connectionArguments)
        #expect(save.status == 0, "\(save.stderr)")
        let leaf = pki.url("v-sha1-leaf.pem").path
        let inter = pki.url("v-sha1-inter.pem").path
        let trusted = try CLI.run([
            "verify", leaf, "--chain", inter, "--ad-snapshot", snapshotFile, "--device", "cx700", "--firmware", "3.5.6907.35", "--json",
        ])
        #expect(trusted.status == 0, "\(trusted.stdout)")
        #expect(trusted.stdout.contains("Active Directory (snapshot"))
        let live = try CLI.run([
            "verify", leaf, "--chain", inter, "--ad", dc.url, "--ca-file", dc.caFile, "--bind", dc.user, "--password-file",
            dc.userPasswordFile, "--device", "cx700", "--firmware", "3.5.6907.35",
        ])
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        let without = try CLI.run(["verify", leaf, "--chain", inter, "--device", "cx700", "--firmware", "3.5.6907.35"])
        #expect(without.status == 1)
    }

    @Test("a root renewed with a new key: both published, listed as two values, and a chain through either verifies (#24)")
    func renewedRootPublished() throws {
        // A subject of its own, so no other test's walk sees these roots; two keys the test PKI already has.
        let name = "r\(UUID().uuidString.prefix(8))"
        let subject = "/O=cxcert tests/CN=Rollover Root \(name)"
        try pki.selfSigned("\(name)-root1", subject: subject, key: "rsa2048.key", digest: "sha1")
        try pki.selfSigned("\(name)-root2", subject: subject, key: "other.key", digest: "sha1")
        try pki.issue(
            "\(name)-cross21", issuer: "\(name)-root1", subject: subject, key: "other.key", digest: "sha1",
            extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.issue(
            "\(name)-leaf2", issuer: "\(name)-root2", subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: "sha1",
            extensions: ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth"])
        let root1 = try pki.certificate("\(name)-root1.pem")
        let root2 = try pki.certificate("\(name)-root2.pem")
        for root in ["root1", "root2"] {
            let published = try CLI.run(["ds", "publish", pki.url("\(name)-\(root).pem").path] + dc.connectionArguments)
            #expect(published.status == 0, "\(published.stderr)")
        }
        let dn = "CN=\(SanitizedName.objectName(for: root1)),CN=Certification Authorities,\(dc.publicKeyServices)"
        #expect(Set(try dc.ldapsearch(dn, "cACertificate")) == [root1.der, root2.der])
        let snapshot = pki.url("\(name)-snapshot.ldif").path
        let save = try CLI.run(["ds", "list", "--save", snapshot] + dc.connectionArguments)
        #expect(save.status == 0, "\(save.stderr)")
        let leaf = pki.url("\(name)-leaf2.pem").path
        let phone = ["--device", "cx700", "--firmware", "3.5.6907.35", "--host", "pool01.contoso.com"]
        // The server sends the cross-certificate (for phones that hold only the old root) or nothing: both verify.
        for chain in [["--chain", pki.url("\(name)-cross21.pem").path], []] {
            let offline = try CLI.run(["verify", leaf, "--ad-snapshot", snapshot] + chain + phone)
            #expect(offline.status == 0, "\(chain): \(offline.stdout)")
            let live = try CLI.run(
                ["verify", leaf, "--ad", dc.url, "--ca-file", dc.caFile, "--bind", dc.user, "--password-file", dc.userPasswordFile]
                    + chain + phone)
            #expect(live.status == 0, "\(chain): \(live.stdout)\(live.stderr)")
        }
    }
}

/// Tests/CXCertTestSupport/certsrv_stub.py on a free loopback port.
final class CertsrvStub: Sendable {
    let server: BackgroundServer
    var port: Int { server.port }

    init(body: URL, user: String, password: String) throws {
        server = try BackgroundServer([
            "python3", repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/certsrv_stub.py").path, body.path, user, password,
        ]) { Int($0) }
    }

    func stop() { server.stop() }
}
