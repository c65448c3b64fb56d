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

    /// Runs `cxcert` with `arguments` through ``ChildProcess``.
    ///
    /// - Parameters:
    ///   - arguments: its arguments.
    ///   - binary: the binary.
    ///   - input: standard input (/dev/null when nil).
    ///   - environment: variables added to (or, with `clean`, making up) its environment, beside NO_COLOR=1.
    ///   - clean: start from an empty environment, as on a machine without Swift.
    ///   - deadline: how long it may run before it is killed and the test fails.
    /// - Returns: its exit status (128 + signal when killed) and both streams.
    /// - Throws: ``ChildProcess/Failure`` when it cannot start or outlives `deadline`.
    static func run(
        _ arguments: [String], binary: URL = CLI.binary, input: Data? = nil, environment: [String: String] = [:], clean: Bool = false,
        deadline: Duration = .seconds(120)
    ) throws -> Result {
        var env = clean ? [:] : ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        let outcome = try ChildProcess.run(
            [binary.path] + arguments, environment: env, input: input.map { [UInt8]($0) }, deadline: deadline)
        return Result(
            status: outcome.status, stdout: String(decoding: outcome.stdout, as: UTF8.self),
            stderr: String(decoding: outcome.stderr, as: UTF8.self))
    }

    static func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}
