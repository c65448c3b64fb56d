import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("Deployment files: unknown keys, names without a pool, certificate files")
struct DeploymentInputTests {
    @Test("13. unknown keys are errors at their line and column, with the closest valid key; boot: and deadline stay valid")
    func unknownKeys() throws {
        let cases: [(String, String)] = [
            (
                "sipDomain: [contoso.com]\nservers: [{host: a}]\nfleet: [{device: cx700}]\n",
                "line 1, column 1: unknown key 'sipDomain' (did you mean 'sipDomains'?)"
            ),
            (
                "servers:\n  - host: a\n    certficate: x.pem\nfleet: [{device: cx700}]\n",
                "line 3, column 5: unknown key 'certficate' in servers[0] (did you mean 'certificate'?)"
            ),
            (
                "servers: [{host: a}]\nfleet: [{device: cx700}]\ntrust: {roots: [], adSnapshots: x}\n",
                "unknown key 'adSnapshots' in trust (did you mean 'adSnapshot'?)"
            ),
            ("servers: [{host: a}]\nfleet: [{device: cx700}]\nboot: {smtp: x}\n", "unknown key 'smtp' in boot"),
            (
                "servers: [{host: a}]\nfleet:\n  - device: cx700\n    count: many\n",
                "line 4, column 12: fleet[0].count: expected a whole number"
            ),
            ("servers: [{host: a}\nfleet: x\n", "line 2, column 1:"),
        ]
        for (yaml, expected) in cases {
            let error = #expect(throws: AuditError.self) { try DeploymentFile(yaml: yaml) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
        let valid = try DeploymentFile(
            yaml:
                "servers: [{host: a}]\nfleet: [{device: cx700}]\ndeadline: 60\nboot: {smtpDomain: contoso.com, webFQDN: 'web.contoso.com:443'}\n"
        )
        #expect(valid.deadline == 60 && valid.boot?.smtpDomain == "contoso.com")
        _ = try DeploymentFile(
            yaml: try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/deployment.yaml"), encoding: .utf8))
        let folder = try makeTemporaryDirectory("unknown-key")
        try folder.write("d.yaml", "sipDomain: [contoso.com]\nservers: [{host: a}]\nfleet: [{device: cx700}]\n")
        let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path])
        #expect(audit.status == 2 && audit.stderr.contains("did you mean 'sipDomains'"), "\(audit.stderr)")
    }

    @Test("14. without a pool, the names the domains give are still checked, and the verdict says what was not")
    func namesWithoutPool() async throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("no-pool")
        // A leaf with the FQDN but without the short name ucupdates-r2.
        try pki.ensure("np-leaf") {
            try pki.issue(
                "np-leaf", issuer: "root-sha1", subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: "sha1",
                extensions: ["subjectAltName=DNS:pool01.contoso.com,DNS:ucupdates-r2.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        let leaf = pki.url("np-leaf.pem").path
        // verify LEAF --trust ... --ad-domain contoso.com: a plan without a pool, as the command builds it.
        let plan = NamePlan(try Deployment(adDomains: ["contoso.com"], sipDomains: [], pool: "").validated(allowingNoPool: true))
        let verify = try InProcess.verify(
            leaf, trust: [pki.url("root-sha1.pem").path], device: "cx700", firmwares: ["4.0.7577.4463"], plan: plan)
        #expect(!verify.allTrusted, "\(verify.verdicts.map(\.findings))")
        let json = try InProcess.verifyJSON(verify)
        let names = (json["names"] as? [[String: Any]])?.compactMap { $0["host"] as? String } ?? []
        #expect(names.contains("ucupdates-r2") && names.contains("ucupdates-r2.contoso.com"), "\(names)")
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("pool FQDN") } && notes.contains { $0.contains("sip.<SIP domain>") }, "\(notes)")
        try folder.write("leaf.pem", try pki.directory.read("np-leaf.pem"))
        try folder.write("root.pem", try pki.directory.read("root-sha1.pem"))
        try folder.write(
            "d.yaml",
            "adDomains: [contoso.com]\nservers: [{certificate: leaf.pem, role: web-internal}]\nfleet: [{device: cx700, firmware: 4.0.7577.4463}]\ntrust: {roots: [root.pem]}\n"
        )
        let audit = try await InProcess.audit(folder.appendingPathComponent("d.yaml"))
        #expect(!audit.allTrusted && AuditReport.json(audit).contains("ucupdates-r2"), "\(AuditReport.json(audit))")
    }

    @Test("15. a missing or non-certificate certificate: file is an input error (exit 2), not an unreachable server")
    func certificateFileErrors() async throws {
        let folder = try makeTemporaryDirectory("cert-file")
        try folder.write("notes.txt", "hello\n")
        for (file, reason) in [("missing.pem", "no such file or directory"), ("notes.txt", "base64"), (".", "is a directory")] {
            try folder.write("d.yaml", "servers: [{name: a, certificate: '\(file)'}]\nfleet: [{device: generic}]\n")
            // An input error: the audit stops with an AuditError (exit 2), it does not report the server unreachable.
            do {
                let result = try await InProcess.audit(folder.appendingPathComponent("d.yaml"))
                Issue.record("\(file): audited: \(AuditReport.text(result))")
            } catch {
                #expect(error is AuditError, "\(file): \(error)")
                #expect("\(error)".contains("servers[0].certificate \(file)") && "\(error)".contains(reason), "\(error)")
            }
        }
    }
}

@Suite("Deployment files: errors placed at their line and column")
struct DeploymentPlaceTests {
    @Test("13. range and name errors found after decoding also name their line and column")
    func placedErrors() throws {
        let cases: [(String, String)] = [
            ("servers: [{host: a, port: 70000}]\nfleet: [{device: cx700}]\n", "line 1, column 27: servers[0].port"),
            ("servers: [{host: a}]\nfleet:\n  - device: cx700\n    count: -1\n", "line 4, column 12: fleet[0].count"),
            ("servers: [{host: a}]\nfleet: [{device: cx700}]\ntimeout: -3\n", "line 3, column 10: timeout"),
            ("pool: 'a b'\nservers: [{host: a}]\nfleet: [{device: cx700}]\n", "line 1, column 7: pool: 'a b' is not a valid DNS name"),
            ("servers: [{name: x}]\nfleet: [{device: cx700}]\n", "line 1, column 11: servers[0] needs a host"),
        ]
        for (yaml, expected) in cases {
            let error = #expect(throws: AuditError.self) { try DeploymentFile(yaml: yaml) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
    }
}
