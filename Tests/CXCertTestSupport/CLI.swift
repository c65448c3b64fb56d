import Foundation

/// Runs the built `cxcert` binary, as scripts do, to test the command-line contract.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `cxcert` built next to the test bundle (`swift build --build-tests` builds both).
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for candidate in [beside.deletingLastPathComponent(), beside.deletingLastPathComponent().deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("cxcert")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/cxcert")
    }

    /// `clean`: start from an empty environment (only `environment` and NO_COLOR), as on a machine without Swift.
    static func run(
        _ arguments: [String], binary: URL = CLI.binary, input: Data? = nil, environment: [String: String] = [:], clean: Bool = false
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = clean ? [:] : ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cxcert-cli-\(UUID().uuidString).out")
        let err = out.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}
