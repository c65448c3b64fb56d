import Foundation

/// A background server for probe tests (`openssl s_server`, or a Python stand-in) that prints the port it
/// listens on, run by ``ChildProcess/start(_:in:environment:log:lifetime:)``: stopped with its process group by
/// ``stop()`` or when released.
final class BackgroundServer: Sendable {
    let child: ChildProcess.Running
    let port: Int

    /// The port is the server's readiness line, read as it is written.
    init(_ arguments: [String], in directory: URL? = nil, portLine: @escaping @Sendable (String) -> Int?) throws {
        child = try ChildProcess.start(arguments, in: directory)
        port = try child.awaitLine(portLine)
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
        try BackgroundServer(["python3", repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/hostile_server.py").path, mode]) {
            Int($0)
        }
    }

    func stop() { child.stop() }
}

/// Tests/CXCertTestSupport/recorder.py: a rogue peer that keeps every byte it receives.
final class Recorder: @unchecked Sendable {
    let server: BackgroundServer
    let log: URL
    var port: Int { server.port }

    init(_ mode: String) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("cxcert-recorder-\(UUID().uuidString).bin")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        server = try BackgroundServer([
            "python3", repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/recorder.py").path, mode, log.path,
        ]) { Int($0) }
    }

    /// Everything received so far, from every connection.
    var received: Data { (try? Data(contentsOf: log)) ?? Data() }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: log)
    }
}
