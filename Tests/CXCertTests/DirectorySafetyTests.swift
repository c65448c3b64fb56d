import Foundation
import Testing

@testable import CXCert

/// Runs `cxcert` and measures how long it took.
private func timed(_ arguments: [String], environment: [String: String] = [:]) throws -> (CLI.Result, TimeInterval) {
    let start = Date()
    let result = try CLI.run(arguments, environment: environment)
    return (result, Date().timeIntervalSince(start))
}

@Suite("Directory deadlines: silent and dribbling peers")
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
