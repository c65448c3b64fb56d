import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertTestSupport

@Suite("Limits: YAML aliases, ranges, snapshot size, safe output files")
struct LimitsTests {
    @Test("YAML anchors, aliases and merge keys are refused where they appear, before anything expands them (the kept fuzz input too)")
    func yamlAliases() throws {
        // nested-merge-keys.yaml: 354 bytes of `<<: [*x, *x, ...]` nine deep; before the refusal it took
        // 60 s and 1.7 GB inside Yams, the YAML library used then (every merge re-flattened per alias). billion-laughs.yaml: nested aliases.
        for name in ["nested-merge-keys.yaml", "billion-laughs.yaml"] {
            let bomb = try String(
                contentsOf: repositoryRoot.appendingPathComponent("Tests/CXCertTests/Fixtures/fuzz-regressions/deployment/\(name)"),
                encoding: .utf8)
            #expect(bomb.utf8.count < 600)
            let start = Date()
            #expect(throws: AuditError.self) { try DeploymentFile(yaml: bomb) }
            #expect(Date().timeIntervalSince(start) < 1)
        }
        for text in [
            "base: &b {device: cx700}\nservers: [{host: a}]\nfleet:\n  - <<: *b\n    count: 1\n",
            "servers: [{host: a}]\nfleet: [{device: cx700}]\nx: *undefined\n",
            "servers: [{host: a, names: [&n x, *n]}]\nfleet: [{device: cx700}]\n",
        ] {
            let error = #expect(throws: AuditError.self) { try DeploymentFile(yaml: text) }
            #expect(error?.description.contains("anchors, aliases and merge keys") == true, "\(text)")
        }
        // The characters themselves are fine inside quotes, comments and words.
        let fine = try DeploymentFile(
            yaml: "# R&D's *lab* <<here>>\nservers: [{host: a, name: \"*a &b <<: c\", names: ['x*y', R&D]}]\nfleet: [{device: cx700}]\n")
        #expect(fine.servers[0].name == "*a &b <<: c")
    }

    @Test("counts, ports and timeouts out of range are refused: in the file and on the command line (exit 2)")
    func ranges() throws {
        for bad in [
            "fleet: [{device: cx700, count: -1}]", "fleet: [{device: cx700, count: 9223372036854775807}]",
            "fleet: [{device: cx700}]\ntimeout: .nan", "fleet: [{device: cx700}]\ntimeout: .inf", "fleet: [{device: cx700}]\ntimeout: 1e30",
            "fleet: [{device: cx700}]\ntimeout: -3",
        ] {
            #expect(throws: AuditError.self, "\(bad)") { try DeploymentFile(yaml: "servers: [{host: a}]\n\(bad)\n") }
        }
        #expect(throws: AuditError.self) { try DeploymentFile(yaml: "servers: [{host: a, port: 70000}]\nfleet: [{device: cx700}]\n") }
        #expect(throws: AuditError.self) { try DeploymentFile(yaml: "servers: [{host: a, port: 0}]\nfleet: [{device: cx700}]\n") }
        for value in ["nan", "inf", "1e30", "-1", "0"] {
            for command in [["probe", "127.0.0.1:1"], ["ds", "list", "--ldap", "ldaps://127.0.0.1:1"]] {
                let result = try CLI.run(command + ["--timeout=\(value)"])
                #expect(result.status == 2, "\(command) --timeout \(value)")
                #expect(result.stderr.contains("--timeout takes a number of seconds more than 0"), "\(result.stderr)")
            }
        }
    }

    @Test("LDIF snapshots over 16 MiB are refused without being loaded (even an endless /dev/zero)")
    func snapshotSize() throws {
        let folder = try makeTemporaryDirectory("snapshot-size")
        let big = folder.appendingPathComponent("big.ldif")
        try Data(repeating: 0x23, count: (16 << 20) + 1).write(to: big)
        for (path, reason) in [(big.path, "more than 16 MiB"), ("/dev/zero", "is a device, not a file")] {
            let error = #expect(throws: DirectoryError.self) { try DirectorySnapshot(contentsOfFile: path) }
            // Too large is a snapshot problem; a device is not a snapshot file at all.
            #expect(caseName(error) == (path == big.path ? "invalidSnapshot" : "notFound"), "\(path): \(String(describing: error))")
            #expect(error?.description.contains(reason) == true, "\(path): \(String(describing: error))")
        }
    }

    @Test("--html replaces a symlink at the destination instead of writing through it")
    func htmlSymlink() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("html-symlink")
        try folder.write("root.pem", try pki.directory.read("root.pem"))
        try folder.write("deployment.yaml", "servers: [{certificate: root.pem}]\nfleet: [{device: cx700}]\n")
        try folder.write("victim.txt", "keep me")
        let report = folder.appendingPathComponent("report.html")
        try FileManager.default.createSymbolicLink(at: report, withDestinationURL: folder.appendingPathComponent("victim.txt"))
        let result = try CLI.run(["audit", folder.appendingPathComponent("deployment.yaml").path, "--html", report.path])
        // A root alone as the server certificate is not trusted by a CX700 (not in its cache): exit 1.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try String(contentsOf: folder.appendingPathComponent("victim.txt"), encoding: .utf8) == "keep me")
        let attributes = try FileManager.default.attributesOfItem(atPath: report.path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try String(contentsOf: report, encoding: .utf8).contains("<html"))
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".cxcert-") }.isEmpty)
    }
}

@Suite("Limits against Samba AD: paged searches and message size", .integration, .tags(.integration))
struct SearchLimitTests {
    @Test("a paged search stops at the page cap, the time cap and the message-size cap, each with its own error")
    func pagedSearchCaps() async throws {
        let dc = try SambaDC.get()
        let pki = try TestPKI.get()
        // At least two objects hold certificates once anything is published (Certification Authorities + AIA).
        _ = try await DirectoryClient(dc.adminConfiguration).publish(try pki.certificate("root.pem"))
        var pages = dc.adminConfiguration
        pages.pageSize = 1
        pages.maxPages = 2
        let pageError = await #expect(throws: DirectoryError.self) { try await DirectoryClient(pages).certificationAuthorityObjects() }
        #expect(caseName(pageError) == "refused", "\(String(describing: pageError))")
        #expect(pageError?.description.contains("more than 2 pages") == true, "\(String(describing: pageError))")
        var slow = dc.adminConfiguration
        slow.pageSize = 1
        slow.maxSearchTime = 0.000_001
        let timeError = await #expect(throws: DirectoryError.self) { try await DirectoryClient(slow).certificationAuthorityObjects() }
        #expect(caseName(timeError) == "timeout", "\(String(describing: timeError))")
        #expect(timeError?.description.contains("in total") == true, "\(String(describing: timeError))")
        var small = dc.adminConfiguration
        small.maxIncomingBytes = 600
        let sizeError = await #expect(throws: DirectoryError.self) { try await DirectoryClient(small).certificationAuthorityObjects() }
        #expect(caseName(sizeError) == "refused", "\(String(describing: sizeError))")
        #expect(sizeError?.description.contains("600 bytes") == true, "\(String(describing: sizeError))")
        // The defaults read the same objects without complaint.
        #expect(try await DirectoryClient(dc.adminConfiguration).certificationAuthorityObjects().count >= 2)
    }
}
