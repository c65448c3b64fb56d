import Foundation

/// Runs external tools (openssl, iconv) the way a person would, for fixtures made at test time, through
/// ``ChildProcess`` (a deadline, both streams read, the child reaped).
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `arguments` (first is the program, found on PATH) in `directory`; returns standard output.
    ///
    /// - Parameters:
    ///   - arguments: the program and its arguments.
    ///   - directory: the working directory.
    ///   - input: standard input.
    ///   - deadline: how long it may run.
    /// - Returns: its standard output.
    /// - Throws: ``Failure`` when it exits non-zero, ``ChildProcess/Failure`` when it cannot start or outlives `deadline`.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil, deadline: Duration = .seconds(120)) throws -> Data
    {
        let outcome = try ChildProcess.run(arguments, in: directory, input: input.map { [UInt8]($0) }, deadline: deadline)
        guard outcome.termination == .exited(0) else {
            throw Failure(
                description: "\(arguments.joined(separator: " ")) \(outcome.termination): "
                    + String(decoding: outcome.stderr, as: UTF8.self))
        }
        return Data(outcome.stdout)
    }

    static func text(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> String {
        String(decoding: try run(arguments, in: directory, input: input), as: UTF8.self)
    }
}

/// A fresh temporary directory per fixture set.
func makeTemporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cxcert-tests-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension URL {
    func file(_ name: String) -> URL { appendingPathComponent(name) }
    func read(_ name: String) throws -> Data { try Data(contentsOf: appendingPathComponent(name)) }
    func write(_ name: String, _ data: Data) throws { try data.write(to: appendingPathComponent(name)) }
    func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: appendingPathComponent(name)) }
    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: appendingPathComponent(name)) }
}

/// The repository root, for reading TrustStore/ and Examples/ in tests.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The case name of an enum value with associated values (`invalidSelector` for
/// `DirectoryError.invalidSelector("...")`), so a test can pin which case it expects when the payload
/// is long prose; nil for nil.
func caseName(_ value: Any?) -> String? {
    guard let value else { return nil }
    let mirror = Mirror(reflecting: value)
    if mirror.displayStyle == .optional {
        guard let wrapped = mirror.children.first?.value else { return nil }
        return caseName(wrapped)
    }
    return mirror.children.first?.label ?? "\(value)"
}
