import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertTestSupport

/// Runs `cxcert` and measures how long it took.
private func timed(_ arguments: [String], environment: [String: String] = [:]) throws -> (CLI.Result, TimeInterval) {
    let start = Date()
    let result = try CLI.run(arguments, environment: environment)
    return (result, Date().timeIntervalSince(start))
}

@Suite("Directory deadlines: silent and dribbling peers", .integration, .tags(.integration))
struct DirectoryDeadlineTests {
    @Test(
        "every command that connects to a directory stops at --timeout, with exit 2, whatever the peer does",
        arguments: ["silent", "dribble"])
    func deadlines(mode: String) async throws {
        let pki = try TestPKI.get()
        let peer = try BackgroundServer.hostile(mode)
        defer { peer.stop() }
        let url = "ldaps://127.0.0.1:\(peer.port)"
        let connection = ["--ldap", url, "--timeout", "2"]
        let folder = try makeTemporaryDirectory("deadline")
        try folder.write("root.pem", try pki.directory.read("root.pem"))
        try folder.write(
            "deployment.yaml",
            """
            servers: [{certificate: root.pem}]
            fleet: [{device: cx700}]
            trust: {ad: {url: "\(url)"}}
            timeout: 2
            """)
        let root = pki.url("root.pem").path
        let commands: [[String]] = [
            ["ds", "list"] + connection, ["ds", "publish", root] + connection,
            ["ds", "remove", String(repeating: "AB", count: 20)] + connection, ["ds", "discover"] + connection,
            ["verify", root, "--ad", url, "--timeout", "2"], ["audit", folder.appendingPathComponent("deployment.yaml").path],
            // ldap:// is upgraded with StartTLS: the same deadline holds for the extended operation.
            ["ds", "list", "--ldap", "ldap://127.0.0.1:\(peer.port)", "--timeout", "2"],
        ]
        let results = try await withThrowingTaskGroup(of: ([String], CLI.Result, TimeInterval).self) { group in
            for command in commands {
                group.addTask {
                    let (result, seconds) = try timed(command)
                    return (command, result, seconds)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (command, result, seconds) in results {
            let name = command.prefix(2).joined(separator: " ")
            #expect(result.status == 2, "\(name): \(result.stderr)")
            // 2 s deadline; the rest is process start-up on a shared 2-core machine.
            #expect(seconds < 6, "\(name) took \(seconds) s")
            if command.contains(url) || command.first == "audit" {
                #expect(result.stderr.contains("did not answer in time"), "\(name): \(result.stderr)")
                #expect(seconds > 1.5, "\(name) returned before its deadline: \(result.stderr)")
            }
        }
    }

    @Test("a silent peer costs no CPU while cxcert waits (libldap's non-blocking handshake used to spin)")
    func noSpin() throws {
        let peer = try BackgroundServer.hostile("silent")
        defer { peer.stop() }
        // bash's `times` reports the CPU of exactly this child, whatever else the suite runs meanwhile.
        let start = Date()
        let output = try Shell.text([
            "bash", "-c", "\"$0\" ds list --ldap ldaps://127.0.0.1:\(peer.port) --timeout 3 2>/dev/null; times", CLI.binary.path,
        ])
        let seconds = Date().timeIntervalSince(start)
        let children = try #require(output.split(separator: "\n").last).split(separator: " ").map { field -> Double in
            let parts = field.dropLast().split(separator: "m")
            return (Double(parts.first ?? "0") ?? 0) * 60 + (Double(parts.last ?? "0") ?? 0)
        }
        #expect(seconds >= 2.5 && seconds < 7, "\(seconds) s")
        #expect(children.reduce(0, +) < 1, "cxcert used \(children) s of CPU in \(seconds) s: \(output)")
    }
}

@Suite("ds remove: strict arguments")
struct SelectorTests {
    @Test(
        "non-hex arguments are refused, never filtered down to a serial",
        arguments: ["Root 1", "0x01", "", "  ", "12:3", "1 2", "AB::CD", ":AB", "g1", "ÄB", String(repeating: "A", count: 42)])
    func refused(text: String) {
        let error = #expect(throws: DirectoryError.self) { try CertificateSelector(parsing: text) }
        #expect(caseName(error) == "invalidSelector", "\(String(describing: error))")
        #expect(error?.description.hasPrefix("'\(text)'") == true)
    }

    @Test("hex, with byte pairs separated as openssl and Windows print them, is accepted")
    func accepted() throws {
        #expect(try CertificateSelector(parsing: "01").hex == "01")
        #expect(try CertificateSelector(parsing: "4f:2a:00").hex == "4F2A00")
        #expect(try CertificateSelector(parsing: "4f 2a 00").hex == "4F2A00")
        #expect(try CertificateSelector(parsing: String(repeating: "ab", count: 20)).hex == String(repeating: "AB", count: 20))
    }

    @Test("the command refuses before it connects: exit 2 and a message about the argument")
    func command() throws {
        let peer = try Recorder("ldap")
        defer { peer.stop() }
        let result = try CLI.run(["ds", "remove", "Root 1", "--ldap", "ldaps://127.0.0.1:\(peer.port)", "--timeout", "2"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'Root 1' is neither a SHA-1 thumbprint nor a serial number"), "\(result.stderr)")
        #expect(peer.received.isEmpty)
    }
}

@Suite("Samba AD: remove races, containers, certificate errors", .integration, .tags(.integration))
struct RemoveSafetyTests {
    let dc: SambaDC
    let pki: TestPKI

    init() throws {
        dc = try SambaDC.get()
        pki = try TestPKI.get()
    }

    func makeCA(_ cn: String, key: String) throws -> Certificate {
        let file = "safety-\(UUID().uuidString)"
        try pki.openssl([
            "req", "-x509", "-new", "-key", key, "-subj", "/O=cxcert tests/CN=\(cn)", "-sha256", "-days", "365", "-out", "\(file).pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return try pki.certificate("\(file).pem")
    }

    @Test("publish racing remove --delete-object, 30 times: the published certificate is never lost")
    func publishRacesRemove() async throws {
        let configuration = dc.adminConfiguration
        var outcomes: [DirectoryChange.Action: Int] = [:]
        for round in 0..<30 {
            let cn = "Race CA \(round) \(UUID().uuidString.prefix(8))"
            let old = try makeCA(cn, key: "rsa2048.key")
            let new = try makeCA(cn, key: "other.key")
            _ = try await DirectoryClient(configuration).publish(old)
            let selector = try CertificateSelector(parsing: old.sha1Thumbprint)
            // Each side waits after connecting, so across the rounds the add lands before and during the
            // remover's steps on a fast or a slow machine (the remover late by 30..3 ms, then the publisher late
            // by 0..27 ms); in the last ten rounds the publisher comes only once the remover is done, so the
            // objects are deleted and re-created whatever the machine's speed.
            let removerDelay = round < 10 ? UInt32((10 - round) * 3_000) : 0
            let publisherDelay = round < 10 ? 0 : UInt32((round - 10) * 3_000)
            let (publish, remove): (DirectoryReport, DirectoryReport)
            if round >= 20 {
                remove = try await DirectoryClient(configuration).remove(selector, deleteEmptyObjects: true)
                publish = try await DirectoryClient(configuration).publish(new)
            } else {
                async let published: DirectoryReport = Task.detached {
                    let client = try await DirectoryClient(configuration)
                    usleep(publisherDelay)
                    return try await client.publish(new)
                }.value
                async let removed: DirectoryReport = Task.detached {
                    let client = try await DirectoryClient(configuration)
                    usleep(removerDelay)
                    return try await client.remove(selector, deleteEmptyObjects: true)
                }.value
                (publish, remove) = try await (published, removed)
            }
            #expect(publish.changes.count == 2)
            for change in remove.changes { outcomes[change.action, default: 0] += 1 }
            for container in ["Certification Authorities", "AIA"] {
                let values = try dc.ldapsearch("CN=\(SanitizedName.make(cn)),CN=\(container),\(dc.publicKeyServices)", "cACertificate")
                #expect(values.contains(new.der), "round \(round): \(container) lost the published certificate")
                #expect(!values.contains(old.der), "round \(round): \(container) still holds the removed certificate")
            }
        }
        // Both ways of the race happened: objects deleted before the publisher came (it re-created
        // them) and objects kept because its certificate arrived first.
        #expect(outcomes[.objectDeleted, default: 0] > 0 && outcomes[.objectKept, default: 0] > 0, "\(outcomes)")
    }

    @Test("a DC certificate that does not verify says so and what to pass, for ldaps:// and StartTLS")
    func unverifiedCertificate() async throws {
        for url in [dc.url, dc.plainURL] {
            let result = try CLI.run(["ds", "list", "--ldap", url, "--timeout", "5"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("could not be verified"), "\(url): \(result.stderr)")
            #expect(result.stderr.contains("--ca-file"))
            #expect(!result.stderr.contains("unknown error code"))
        }
        var configuration = dc.adminConfiguration
        configuration.caFile = nil
        let error = await #expect(throws: DirectoryError.self) { try await DirectoryClient(configuration) }
        #expect(caseName(error) == "certificateNotVerified", "\(String(describing: error))")
    }

    @Test("publishing an expired or 1024-bit root warns and says which phones could still use it; --json carries the warnings")
    func publishWarnings() async throws {
        // GeoTrust Global CA: a real 2048-bit root of the phones' cache that expired in 2022.
        let expiredFile = repositoryRoot.appendingPathComponent("TrustStore/geotrust-global-ca.pem").path
        let weak = try makeCA("Weak Root \(UUID().uuidString.prefix(8))", key: "rsa1024.key")
        let weakFile = pki.url("weak-\(UUID().uuidString).der")
        try Data(weak.der).write(to: weakFile)
        let expired = try CLI.run(["ds", "publish", expiredFile] + dc.connectionArguments)
        #expect(expired.status == 0, "\(expired.stderr)")
        #expect(expired.stderr.contains("warning: GeoTrust Global CA expired on 2022-05-21"), "\(expired.stderr)")
        #expect(expired.stderr.contains("no phone build"))
        let weakResult = try CLI.run(["ds", "publish", weakFile.path, "--json"] + dc.connectionArguments)
        #expect(weakResult.status == 0, "\(weakResult.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(weakResult.stdout.utf8)) as? [String: Any])
        let warnings = try #require(json["warnings"] as? [String])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("1024-bit RSA key: the phones can still use it: tanjay") == true, "\(warnings)")
        #expect(warnings.first?.contains("refuse RSA keys under 2048 bits") == true)
        // A current 2048-bit root: no warning.
        let good = try makeCA("Good Root \(UUID().uuidString.prefix(8))", key: "rsa2048.key")
        #expect(try await DirectoryClient(dc.adminConfiguration).publish(good).warnings.isEmpty)
    }

    @Test("--json on a publish that stops half-way prints what was written and what was not")
    func partialJSON() async throws {
        let client = try await DirectoryClient(dc.adminConfiguration)
        let ca = try makeCA("Partial JSON CA \(UUID().uuidString.prefix(8))", key: "rsa2048.key")
        let blocker = client.containers.object(SanitizedName.objectName(for: ca), in: client.containers.aia)
        try await client.session.add(
            dn: blocker,
            attributes: [
                ("objectClass", [Array("top".utf8), Array("container".utf8)]), ("cn", [Array(SanitizedName.objectName(for: ca).utf8)]),
            ])
        do {
            let file = pki.url("partial-\(UUID().uuidString).der")
            try Data(ca.der).write(to: file)
            let result = try CLI.run(["ds", "publish", file.path, "--json"] + dc.connectionArguments)
            #expect(result.status == 2)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
            let written = try #require(json["written"] as? [[String: Any]])
            #expect(written.map { $0["action"] as? String } == ["created"])
            #expect((written.first?["dn"] as? String)?.contains("CN=Certification Authorities") == true)
            #expect(json["notWritten"] as? [String] == [blocker])
            #expect((json["error"] as? String)?.isEmpty == false)
        } catch {
            try? await client.session.delete(dn: blocker)
            throw error
        }
        try? await client.session.delete(dn: blocker)
    }

    @Test("ds list --save replaces a symlink at the destination instead of writing through it")
    func saveSymlink() throws {
        let folder = try makeTemporaryDirectory("save-symlink")
        try folder.write("victim.txt", "keep me")
        let snapshot = folder.appendingPathComponent("snapshot.ldif")
        try FileManager.default.createSymbolicLink(at: snapshot, withDestinationURL: folder.appendingPathComponent("victim.txt"))
        let result = try CLI.run(["ds", "list", "--save", snapshot.path] + dc.connectionArguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: folder.appendingPathComponent("victim.txt"), encoding: .utf8) == "keep me")
        #expect(try FileManager.default.attributesOfItem(atPath: snapshot.path)[.type] as? FileAttributeType == .typeRegular)
        _ = try DirectorySnapshot(contentsOfFile: snapshot.path)
        #expect(try String(contentsOf: snapshot, encoding: .utf8).hasPrefix("# cxcert directory snapshot"))
    }

    @Test("remove acts only on the named containers, and never deletes NTAuthCertificates")
    func containers() async throws {
        let client = try await DirectoryClient(dc.adminConfiguration)
        let ca = try makeCA("Container CA \(UUID().uuidString.prefix(8))", key: "rsa2048.key")
        _ = try await client.publish(ca)
        _ = try await client.publish(ca, target: .ntAuth)
        let ntauth = "CN=NTAuthCertificates,\(dc.publicKeyServices)"
        let selector = try CertificateSelector(parsing: ca.sha1Thumbprint)
        // Default (RootCA's containers): NTAuth keeps its value.
        let report = try await client.remove(selector, deleteEmptyObjects: true)
        #expect(report.changes.allSatisfy { !$0.dn.contains("NTAuthCertificates") })
        #expect(report.changes.filter { $0.action == .objectDeleted }.count == 2)
        #expect(try dc.ldapsearch(ntauth, "cACertificate").contains(ca.der))
        // Named explicitly: the value goes, the object never does (a placeholder keeps it valid if needed).
        let fromNTAuth = try await client.remove(selector, targets: [.ntAuth], deleteEmptyObjects: true)
        #expect(fromNTAuth.changes.map(\.dn).allSatisfy { $0 == ntauth })
        #expect(fromNTAuth.changes.last?.action == .objectKept)
        let remaining = try dc.ldapsearch(ntauth, "cACertificate")
        #expect(!remaining.isEmpty && !remaining.contains(ca.der))
        // The CLI: --target subca touches only AIA.
        let sub = try makeCA("Container Sub \(UUID().uuidString.prefix(8))", key: "rsa2048.key")
        _ = try await client.publish(sub)
        let cli = try CLI.run(["ds", "remove", sub.sha1Thumbprint, "--target", "subca", "--json"] + dc.connectionArguments)
        #expect(cli.status == 0, "\(cli.stderr)")
        let name = SanitizedName.objectName(for: sub)
        #expect(try dc.ldapsearch("CN=\(name),CN=AIA,\(dc.publicKeyServices)", "cACertificate") == [[0]])
        #expect(try dc.ldapsearch("CN=\(name),CN=Certification Authorities,\(dc.publicKeyServices)", "cACertificate") == [sub.der])
    }
}

@Suite("Secrets never go where they must not: rogue peers record what they receive", .integration, .tags(.integration))
struct SecretTests {
    let secret = "S3cret-\(UUID().uuidString.prefix(8))"

    func contains(_ data: Data, _ text: String) -> Bool { data.range(of: Data(text.utf8)) != nil }

    @Test("a deployment file cannot choose the password source or the directory's CA")
    func deploymentFileSecrets() throws {
        let peer = try Recorder("ldap")
        defer { peer.stop() }
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("secret-audit")
        try folder.write("root.pem", try pki.directory.read("root.pem"))
        try folder.write("secret.txt", secret)
        let url = "ldap://127.0.0.1:\(peer.port)"
        let cases: [(String, [String], String)] = [
            ("bind: x, passwordEnv: CXCERT_TEST_SECRET", [], "passwordEnv and passwordFile are not read"),
            ("bind: x, passwordFile: secret.txt", [], "passwordEnv and passwordFile are not read"),
            ("bind: x, caFile: root.pem", ["--ad-password-env", "CXCERT_TEST_SECRET"], "--allow-deployment-ca-file"),
            ("bind: x", [], "needs --ad-password-env VAR or --ad-password-file FILE"),
        ]
        for (keys, arguments, message) in cases {
            try folder.write(
                "deployment.yaml",
                """
                servers: [{certificate: root.pem}]
                fleet: [{device: cx700}]
                trust: {ad: {url: "\(url)", \(keys)}}
                timeout: 2
                """)
            let result = try CLI.run(
                ["audit", folder.appendingPathComponent("deployment.yaml").path] + arguments, environment: ["CXCERT_TEST_SECRET": secret])
            #expect(result.status == 2, "\(keys): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(keys): \(result.stderr)")
        }
        // Nothing was sent, not even a connection attempt's first byte.
        #expect(peer.received.isEmpty)
    }

    @Test("--plain with --bind is refused before connecting; accepted explicitly, the password does travel (the recorder sees it)")
    func plainBind() throws {
        let peer = try Recorder("ldap")
        defer { peer.stop() }
        let base = ["ds", "list", "--ldap", "ldap://127.0.0.1:\(peer.port)", "--plain", "--timeout", "2", "--bind", "CONTOSO\\admin"]
        let refused = try CLI.run(base + ["--password-env", "CXCERT_TEST_SECRET"], environment: ["CXCERT_TEST_SECRET": secret])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("warning: --plain"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--send-password-in-clear"), "\(refused.stderr)")
        #expect(peer.received.isEmpty)
        let accepted = try CLI.run(
            base + ["--password-env", "CXCERT_TEST_SECRET", "--send-password-in-clear"], environment: ["CXCERT_TEST_SECRET": secret])
        #expect(accepted.status == 2)
        #expect(contains(peer.received, secret), "the recorder must see a password sent in clear, or the refusal above proves nothing")
        #expect(!accepted.stderr.contains(secret) && !accepted.stdout.contains(secret))
        // --plain without a bind still warns.
        let anonymous = try CLI.run(["ds", "list", "--ldap", "ldap://127.0.0.1:\(peer.port)", "--plain", "--timeout", "1"])
        #expect(anonymous.stderr.contains("warning: --plain: nothing on the connection"))
    }

    @Test("--ldap takes exactly one URL, parsed by libldap; a list cannot slip a plain server past the TLS rule")
    func oneURL() throws {
        let peer = try Recorder("ldap")
        defer { peer.stop() }
        let result = try CLI.run(
            [
                "ds", "list", "--ldap", "ldaps://127.0.0.1:1 ldap://127.0.0.1:\(peer.port)", "--bind", "x", "--password-env",
                "CXCERT_TEST_SECRET",
            ],
            environment: ["CXCERT_TEST_SECRET": secret])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not an ldap:// or ldaps:// URL"), "\(result.stderr)")
        #expect(peer.received.isEmpty)
        for bad in ["ldaps://a,ldap://b", "ldap://", "http://dc", "ldaps://dc/??sub?(cn=x)", "ldaps://dc/?cn", "ldap:///dc=x", ""] {
            #expect(throws: DirectoryError.invalidURL(bad), "\(bad)") { try LDAPURL(parsing: bad) }
        }
        #expect(try LDAPURL(parsing: "LDAPS://dc01.contoso.com").description == "ldaps://dc01.contoso.com:636")
        #expect(try LDAPURL(parsing: "ldap://[::1]:3389/").description == "ldap://[::1]:3389")
        #expect(try LDAPURL(parsing: "ldap://dc01").isTLS == false)
    }

    @Test("certsrv over http: Basic never answered without --http-basic-in-clear; NTLM/Negotiate never carry the password")
    func httpBasic() throws {
        let credentials = HTTPCredentials(user: "CONTOSO\\phoneuser", password: Secret(secret))
        let basic = Data("CONTOSO\\phoneuser:\(secret)".utf8).base64EncodedString()
        for mode in ["http-basic", "http-ntlm", "http-any"] {
            let peer = try Recorder(mode)
            defer { peer.stop() }
            let url = "http://127.0.0.1:\(peer.port)/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64"
            // Basic withheld over plain http: the 401 says why and how to allow it.
            let error = #expect(throws: HTTPError.status(url: url, code: 401, basicWithheld: true)) {
                try HTTPFetcher.get(url, credentials: credentials, limits: .init(maxBodyBytes: 1 << 20, timeout: 5))
            }
            #expect(error?.description.contains("HTTP 401 (authentication required or refused; over http") == true, "\(mode)")
            let received = peer.received
            #expect(!received.isEmpty, "\(mode): the request itself must arrive")
            #expect(!contains(received, "Basic "), "\(mode): \(String(decoding: received, as: UTF8.self))")
            #expect(!contains(received, basic) && !contains(received, secret))
            // Offered NTLM (and no Negotiate, which needs a Kerberos ticket), libcurl answers with NTLM's first message.
            if mode == "http-ntlm" { #expect(contains(received, "Authorization: NTLM "), "\(String(decoding: received, as: UTF8.self))") }
        }
        // Allowed explicitly, Basic is sent: the recorder would have caught it above.
        let peer = try Recorder("http-basic")
        defer { peer.stop() }
        _ = try? HTTPFetcher.get(
            "http://127.0.0.1:\(peer.port)/certsrv/", credentials: credentials, allowBasicInClear: true,
            limits: .init(maxBodyBytes: 1 << 20, timeout: 5))
        #expect(contains(peer.received, "Authorization: Basic \(basic)"))
    }

    @Test("password files: one trailing newline dropped, CRLF too, and a cap")
    func passwordFile() throws {
        let folder = try makeTemporaryDirectory("password-file")
        try folder.write("crlf", "pa ss\r\n")
        try folder.write("lf", "pa ss\n")
        try folder.write("huge", Data(count: 70_000))
        for name in ["crlf", "lf"] {
            let resolved = try PasswordSource.file(folder.appendingPathComponent(name).path).resolve(for: "x")
            #expect(resolved.withBytes { Array($0) } == Array("pa ss".utf8))
            #expect(resolved.withCString { String(cString: $0) } == "pa ss")
        }
        let huge = folder.appendingPathComponent("huge").path
        #expect(throws: DirectoryError.noPassword("the password file \(huge) is larger than 65536 bytes")) {
            try PasswordSource.file(huge).resolve(for: "x")
        }
        #expect("\(Secret("x"))" == "<redacted>")
    }
}

@Suite("Probe and audit: one total deadline per target and per audit", .integration, .tags(.integration))
struct ProbeDeadlineTests {
    @Test("a silent server: probe stops at --deadline although each of its handshakes could take --timeout")
    func probeDeadline() throws {
        let peer = try BackgroundServer.hostile("silent")
        defer { peer.stop() }
        // The phone's handshake and the modern one each wait up to 3 s: 6 s without a total deadline.
        let (result, seconds) = try timed(["probe", "127.0.0.1:\(peer.port)", "--timeout", "3", "--deadline", "4"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(seconds > 3.5 && seconds < 5.5, "\(seconds) s: \(result.stderr)")
    }

    @Test("an audit's servers share one deadline")
    func auditDeadline() throws {
        let peer = try BackgroundServer.hostile("silent")
        defer { peer.stop() }
        let folder = try makeTemporaryDirectory("audit-deadline")
        try folder.write(
            "deployment.yaml",
            """
            servers: [{host: 127.0.0.1, port: \(peer.port)}, {host: 127.0.0.1, port: \(peer.port), name: again}]
            fleet: [{device: cx700}]
            timeout: 3
            deadline: 4
            """)
        let (result, seconds) = try timed(["audit", folder.appendingPathComponent("deployment.yaml").path, "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(seconds > 3.5 && seconds < 5.5, "\(seconds) s")
        #expect(result.stdout.contains("no complete answer"), "\(result.stdout)")
    }
}
