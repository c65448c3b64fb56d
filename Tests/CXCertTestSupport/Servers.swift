import Foundation

/// A background server for probe tests (`openssl s_server`, or a Python stand-in) that prints the port
/// it listens on; killed with SIGKILL because children of the test runner may inherit a blocked SIGTERM.
final class BackgroundServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// The port is the server's readiness line on standard output, read from a pipe that is drained until the
    /// server ends (a pipe nobody drains would fill and block it).
    init(_ arguments: [String], in directory: URL? = nil, portLine: @escaping @Sendable (String) -> Int?) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let readiness = ReadinessLine(output, parse: portLine)
        try? output.fileHandleForWriting.close()
        guard let found = readiness.wait(seconds: 10) else {
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
        try BackgroundServer(["python3", repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/hostile_server.py").path, mode]) {
            Int($0)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

/// Reads a child's standard output on a thread of its own until it ends (so the child never blocks on a
/// full pipe), copies it to `log` when given, and hands over the first line `parse` accepts: a readiness
/// line read as it is written, instead of polling a log file.
final class ReadinessLine<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let arrived = DispatchSemaphore(value: 0)
    private var value: Value?

    init(_ pipe: Pipe, copyTo log: URL? = nil, parse: @escaping @Sendable (String) -> Value?) {
        let handle = pipe.fileHandleForReading
        let copy = log.flatMap { try? FileHandle(forWritingTo: $0) }
        Thread { [self] in
            var pending = Data()
            var found = false
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                copy?.write(chunk)
                guard !found else { continue }
                pending.append(chunk)
                while !found, let end = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<end], as: UTF8.self)
                    pending = Data(pending[(end + 1)...])
                    if let parsed = parse(line) {
                        lock.withLock { value = parsed }
                        found = true
                        arrived.signal()
                    }
                }
            }
            try? copy?.close()
            if !found { arrived.signal() }
        }.start()
    }

    /// The parsed line, or nil when the output ended or `seconds` passed first.
    func wait(seconds: TimeInterval) -> Value? {
        _ = arrived.wait(timeout: .now() + seconds)
        return lock.withLock { value }
    }
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
