import Foundation

/// A background server for probe tests (`openssl s_server`, or a Python stand-in) that prints the port
/// it listens on; killed with SIGKILL because children of the test runner may inherit a blocked SIGTERM.
final class BackgroundServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Output goes to a file (a pipe nobody drains would fill and block the server); the port is read from it.
    init(_ arguments: [String], in directory: URL? = nil, portLine: (String) -> Int?) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cxcert-server-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var found: Int?
        let deadline = Date().addingTimeInterval(10)
        while found == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").compactMap { portLine(String($0)) }.first
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw Shell.Failure(description: "\(arguments.joined(separator: " ")) did not report a port")
        }
        port = found
    }

    /// `openssl s_server` on 127.0.0.1 with an ephemeral port.
    static func openssl(_ arguments: [String], in directory: URL) throws -> BackgroundServer {
        try BackgroundServer(
            ["openssl", "s_server", "-accept", "127.0.0.1:0", "-www"] + arguments, in: directory
        ) { line in
            line.hasPrefix("ACCEPT") ? line.split(separator: ":").last.flatMap { Int($0) } : nil
        }
    }

    static func hostile(_ mode: String) throws -> BackgroundServer {
        try BackgroundServer(["python3", repositoryRoot.appendingPathComponent("Tests/CXCertTests/Support/hostile_server.py").path, mode]) {
            Int($0)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

/// Tests/CXCertTests/Support/recorder.py: a rogue peer that keeps every byte it receives.
final class Recorder: @unchecked Sendable {
    let server: BackgroundServer
    let log: URL
    var port: Int { server.port }

    init(_ mode: String) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("cxcert-recorder-\(UUID().uuidString).bin")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        server = try BackgroundServer([
            "python3", repositoryRoot.appendingPathComponent("Tests/CXCertTests/Support/recorder.py").path, mode, log.path,
        ]) { Int($0) }
    }

    /// Everything received so far, from every connection.
    var received: Data { (try? Data(contentsOf: log)) ?? Data() }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: log)
    }
}
