import Foundation

/// Runs external tools (openssl, iconv) the way a person would, for fixtures made at test time.
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `arguments` (first is the program, found on PATH) in `directory`; returns standard output.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        // Read both pipes concurrently so a chatty tool cannot fill one and block; joined below.
        let errorData = LockedData()
        let errorsRead = DispatchSemaphore(value: 0)
        let reader = Thread {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
            errorsRead.signal()
        }
        reader.start()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorsRead.wait()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: errorData.value, as: UTF8.self))
        }
        return data
    }

    static func text(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> String {
        String(decoding: try run(arguments, in: directory, input: input), as: UTF8.self)
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ value: Data) { lock.withLock { data = value } }
        var value: Data { lock.withLock { data ?? Data() } }
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
