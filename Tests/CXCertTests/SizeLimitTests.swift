import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertTestSupport

/// Every input has a size or depth bound with its own error: kept fuzz inputs, decoder input, YAML nesting,
/// HTTP bodies, LDAP results, and a directory write that stops part-way.
@Suite("Size and depth limits: fuzz inputs, decoder input, YAML nesting, HTTP bodies, LDAP results, partial writes")
struct SizeLimitTests {
    @Test("every kept fuzz input replays through its target without a crash")
    func fuzzRegressions() throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/CXCertTests/Fixtures/fuzz-regressions")
        let replay = CLI.binary.deletingLastPathComponent().appendingPathComponent("cxcert-fuzz")
        var replayed = 0
        for target in ["decoder", "soap", "ldif", "deployment", "hostname", "names", "certificate"] {
            let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(target).path)
                .map { folder.appendingPathComponent(target).appendingPathComponent($0).path }
            let result = try CLI.run([target] + inputs, binary: replay)
            #expect(result.status == 0, "\(target): \(result.stderr)")
            replayed += inputs.count
        }
        #expect(replayed >= 5)
    }

    @Test("huge base64, UTF-16 oddities and too many PKCS#7 certificates each have their own error")
    func inputLimits() throws {
        let hugeBase64 = [UInt8](repeating: UInt8(ascii: "A"), count: 20 << 20)
        #expect(throws: CertificateDecodingError.tooLarge(size: 20 << 20, limit: 16 << 20)) {
            try CertificateDecoder().decode(hugeBase64)
        }
        let odd = #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode([0xFF, 0xFE, 0x41, 0x00, 0x42]) }
        #expect(odd == .unrecognized("UTF-16 text with an odd number of bytes"))
        let surrogate = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode([0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00])
        }
        #expect(surrogate == .unrecognized("invalid UTF-16 text (an unpaired surrogate)"))
        let fixtures = try FormatFixtures.shared.get()
        let p7 = [UInt8](try fixtures.pki.directory.read("chain.p7b"))
        #expect(throws: CertificateDecodingError.tooManyCertificates(limit: 2)) {
            try CertificateDecoder(limits: .init(maxCertificates: 2)).decode(p7)
        }
    }

    @Test("deployment files nested beyond the limit are refused before the YAML parser recurses")
    func deploymentNesting() throws {
        let kept = repositoryRoot.appendingPathComponent("Tests/CXCertTests/Fixtures/fuzz-regressions/deployment")
        for name in try FileManager.default.contentsOfDirectory(atPath: kept.path) where name.hasPrefix("crash-") {
            let text = String(decoding: try Data(contentsOf: kept.appendingPathComponent(name)), as: UTF8.self)
            #expect(throws: AuditError.self) { try DeploymentFile(yaml: text) }
        }
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: AuditError.invalidFile("line 1: nested deeper than 64 levels")) { try DeploymentFile(yaml: deep) }
        let dashes = String(repeating: "- ", count: 500) + "x"
        #expect(throws: AuditError.invalidFile("line 1: nested deeper than 64 levels")) { try DeploymentFile(yaml: dashes) }
        // Brackets inside quotes are text, not nesting.
        let quoted = "servers: [{name: \"\(String(repeating: "[", count: 200))\", host: a}]\nfleet: [{device: cx600}]\n"
        #expect(try DeploymentFile(yaml: quoted).servers.first?.name?.count == 200)
    }

    @Test("certsrv answers larger than the cap are refused", .integration, .tags(.integration))
    func httpBodyLimit() throws {
        let folder = try makeTemporaryDirectory("big")
        try Data(repeating: 0x41, count: 3 << 20).write(to: folder.appendingPathComponent("big.p7b"))
        let server = try CertsrvStub(body: folder.appendingPathComponent("big.p7b"), user: "u", password: "p")
        defer { server.stop() }
        let url = PhoneDiscovery.certsrvURL(dnsHostName: "127.0.0.1:\(server.port)")!
        let error = #expect(throws: HTTPError.bodyTooLarge(url: url, limit: 1 << 20)) {
            try HTTPFetcher.get(
                url, credentials: HTTPCredentials(user: "u", password: Secret("p")), allowBasicInClear: true,
                limits: .init(maxBodyBytes: 1 << 20, timeout: 5))
        }
        #expect(error?.description == "\(url): the answer is larger than 1048576 bytes")
    }

    @Test("LDAP searches stop at the result-size limit with a clear error", .integration, .tags(.integration))
    func ldapSizeLimit() async throws {
        let dc = try SambaDC.get()
        var configuration = dc.adminConfiguration
        configuration.maxEntries = 1
        let client = try await DirectoryClient(configuration)
        let pki = try TestPKI.get()
        // At least two objects exist once anything is published (Certification Authorities + AIA).
        _ = try await DirectoryClient(dc.adminConfiguration).publish(try pki.certificate("root.pem"))
        await #expect(throws: DirectoryError.sizeLimit(1)) { try await client.certificationAuthorityObjects() }
    }

    @Test("a publish that fails half-way says what was written, and running it again finishes it", .integration, .tags(.integration))
    func halfFailedPublish() async throws {
        let dc = try SambaDC.get()
        let pki = try TestPKI.get()
        let client = try await DirectoryClient(dc.adminConfiguration)
        let cn = "Half Way CA \(UUID().uuidString.prefix(8))"
        let file = "half-\(UUID().uuidString)"
        try pki.openssl([
            "req", "-x509", "-new", "-key", "rsa2048.key", "-subj", "/CN=\(cn)", "-days", "30", "-out", "\(file).pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        let ca = try pki.certificate("\(file).pem")
        // Block the AIA object: something else, of a class that cannot hold cACertificate, already has its name.
        let blocker = client.containers.object(SanitizedName.objectName(for: ca), in: client.containers.aia)
        try await client.session.add(
            dn: blocker, attributes: [("objectClass", [Array("top".utf8), Array("container".utf8)]), ("cn", [Array(cn.utf8)])])
        let error = await #expect(throws: DirectoryError.self) { try await client.publish(ca) }
        guard case .partial(let write)? = error else {
            Issue.record("expected a partial write, got \(String(describing: error))")
            return
        }
        #expect(write.written.map(\.action) == [.created], "\(write.written)")
        let message = error?.description ?? ""
        #expect(message.contains("already written: created CN=\(SanitizedName.objectName(for: ca)),CN=Certification Authorities"))
        #expect(message.contains("Run the same command again to finish"))
        #expect(
            try dc.ldapsearch(
                "CN=\(SanitizedName.objectName(for: ca)),CN=Certification Authorities,\(dc.publicKeyServices)", "cACertificate") == [ca.der]
        )
        // The admin removes the blocker and runs the same command: the rest is done, nothing twice.
        try await client.session.delete(dn: blocker)
        let again = try await client.publish(ca)
        #expect(again.changes.map(\.action) == [.alreadyPresent, .created])
        #expect(try dc.ldapsearch(blocker, "cACertificate") == [ca.der])
    }
}
