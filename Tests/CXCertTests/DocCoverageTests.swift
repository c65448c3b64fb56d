import Foundation
import Testing

@testable import CXCertTestSupport

/// `Scripts/doc-coverage` on a throwaway package shaped like the split library (a core, a module extending its
/// types, an umbrella re-exporting both, an executable and a test-support target): it builds the package and
/// reads real symbol graphs, so it takes a Swift build (about a minute).
@Suite("Scripts/doc-coverage: undocumented public symbols from the symbol graphs", .integration, .tags(.integration))
struct DocCoverageTests {
    static let manifest = """
        // swift-tools-version: 6.0
        import PackageDescription
        let package = Package(
            name: "fixture", products: [.library(name: "CXCert", targets: ["CXCert"])],
            targets: [
                .target(name: "CXCertCore"),
                .target(name: "CXCertProbe", dependencies: ["CXCertCore"]),
                .target(name: "CXCert", dependencies: ["CXCertCore", "CXCertProbe"]),
                .executableTarget(name: "cxcert", dependencies: ["CXCert"]),
                .target(name: "CXCertTestSupport", dependencies: ["CXCert"], path: "Tests/CXCertTestSupport"),
            ])
        """

    /// Each undocumented declaration is marked `// UNDOCUMENTED` on its line; the other public ones must not be reported.
    static let core = """
        /// Documented.
        public struct Thing: Equatable, Hashable, Codable, CustomStringConvertible {
            public var field: Int  // UNDOCUMENTED
            /// Documented.
            public init(field: Int) { self.field = field }
            public var description: String { "thing" }
            public static func == (lhs: Thing, rhs: Thing) -> Bool { lhs.field == rhs.field }
            public func hash(into hasher: inout Hasher) { hasher.combine(field) }
        }
        public enum Kind: String, Codable, CaseIterable {  // UNDOCUMENTED
            case first, second  // UNDOCUMENTED
            /// Documented.
            case third
        }
        /// Documented.
        public struct Failure: Error, CustomStringConvertible {
            /// Documented.
            public let reason: String
            public var description: String { reason }
        }
        /// Documented.
        public protocol Judging {
            /// Documented: implementations inherit this.
            func judge() -> Bool
        }
        /// Documented.
        public struct Judge: Judging {
            public func judge() -> Bool { true }
        }
        public protocol Bare { func bare() }  // UNDOCUMENTED
        extension String {
            public var shouted: String { uppercased() }  // UNDOCUMENTED
        }
        """

    static let probe = """
        import CXCertCore
        /// Documented.
        public struct Probe {
            public init() {}  // UNDOCUMENTED
        }
        extension Thing {
            public func probed() -> Bool { true }  // UNDOCUMENTED
            /// Documented.
            public func documented() -> Bool { true }
        }
        """

    static let umbrella = """
        @_exported import CXCertCore
        @_exported import CXCertProbe
        /// Documented.
        public enum Umbrella {
            case only  // UNDOCUMENTED
        }
        """

    /// Exit status and standard output of the script run in `directory`.
    static func run(_ script: URL, _ arguments: [String] = [], in directory: URL) throws -> (status: Int32, output: String) {
        let outcome = try ChildProcess.run([script.path] + arguments, in: directory, stderr: .discard, deadline: .seconds(600))
        return (outcome.status, String(decoding: outcome.stdout, as: UTF8.self))
    }

    /// The `path:line` of every symbol on a line marked `// UNDOCUMENTED`: one per case of a `case a, b` line, two
    /// for a protocol declared on one line with its requirement.
    static func marked(_ text: String, path: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { index, line -> [String] in
            guard line.contains("// UNDOCUMENTED") else { return [] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let symbols = trimmed.hasPrefix("case ") ? line.split(separator: ",").count : trimmed.contains("protocol") ? 2 : 1
            return Array(repeating: "\(path):\(index + 1)", count: symbols)
        }
    }

    /// The 1-based number of the line of `text` that contains `fragment`.
    static func line(of fragment: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(fragment) } ?? -1) + 1
    }

    /// `text` with a doc comment above every line marked `// UNDOCUMENTED` (and the one-line protocol's requirement).
    static func documented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.contains("// UNDOCUMENTED") else { return String(line) }
            let indent = String(line.prefix { $0 == " " })
            return indent + "/// Now documented.\n" + line.replacingOccurrences(of: "  // UNDOCUMENTED", with: "")
        }.joined(separator: "\n").replacingOccurrences(of: "{ func bare() }", with: "{\n    /// Now documented.\n    func bare()\n}")
    }

    @Test("Reports exactly the undocumented declarations of every CXCert* library module, then passes once documented")
    func reportsUndocumented() throws {
        let root = try makeTemporaryDirectory("doc-coverage")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FileManager.default
        for folder in [
            "Scripts", "Sources/CXCertCore", "Sources/CXCertProbe", "Sources/CXCert", "Sources/cxcert", "Tests/CXCertTestSupport",
        ] {
            try files.createDirectory(at: root.file(folder), withIntermediateDirectories: true)
        }
        let script = root.file("Scripts/doc-coverage")
        try files.copyItem(at: repositoryRoot.file("Scripts/doc-coverage"), to: script)
        try root.write("Package.swift", Self.manifest)
        try root.write("Sources/CXCertCore/Core.swift", Self.core)
        try root.write("Sources/CXCertProbe/Probe.swift", Self.probe)
        try root.write("Sources/CXCert/CXCert.swift", Self.umbrella)
        // Neither an executable nor the test-support target is library API: their undocumented symbols are not reported.
        try root.write("Sources/cxcert/main.swift", "public struct Tool {}\nprint(Tool())\n")
        try root.write("Tests/CXCertTestSupport/Support.swift", "public struct Helper { public init() {} }\n")

        let (status, output) = try Self.run(script, in: root)
        let lines = output.split(separator: "\n").map(String.init)
        let reported = lines.filter { $0.hasPrefix("Sources/") || $0.hasPrefix("Tests/") }
        let expected =
            Self.marked(Self.core, path: "Sources/CXCertCore/Core.swift") + Self.marked(Self.probe, path: "Sources/CXCertProbe/Probe.swift")
            + Self.marked(Self.umbrella, path: "Sources/CXCert/CXCert.swift")
        #expect(status == 1, "\(output)")
        #expect(reported.map { $0.split(separator: ":").prefix(2).joined(separator: ":") }.sorted() == expected.sorted(), "\(output)")
        let shouted = Self.line(of: "shouted", in: Self.core)
        #expect(reported.contains("Sources/CXCertCore/Core.swift:\(shouted): String.shouted (instance property)"), "\(output)")
        let probed = Self.line(of: "probed", in: Self.probe)
        #expect(reported.contains("Sources/CXCertProbe/Probe.swift:\(probed): Thing.probed() (instance method)"), "\(output)")
        // Counted where declared: the extension of a core type counts for CXCertProbe.
        #expect(lines.contains("CXCertCore: 7 of 16 public symbols undocumented"), "\(output)")
        #expect(lines.contains("CXCertProbe: 2 of 4 public symbols undocumented"), "\(output)")
        #expect(lines.contains("CXCert: 1 of 2 public symbols undocumented"), "\(output)")
        #expect(lines.last == "total: 10 undocumented", "\(output)")
        #expect(!output.contains("CXCertTestSupport") && !output.contains("Tool"), "\(output)")

        // A path argument limits the report (and the counts) to what is declared there; the graphs are reused.
        let limited = try Self.run(script, ["--no-dump", "Sources/CXCertProbe"], in: root)
        #expect(limited.status == 1)
        #expect(limited.output.split(separator: "\n").filter { $0.hasPrefix("Sources/") }.count == 2, "\(limited.output)")
        #expect(limited.output.contains("CXCertCore: 0 of 0 public symbols undocumented"), "\(limited.output)")
        #expect(limited.output.split(separator: "\n").last == "total: 2 undocumented", "\(limited.output)")

        // Documented, the package passes.
        try root.write("Sources/CXCertCore/Core.swift", Self.documented(Self.core))
        try root.write("Sources/CXCertProbe/Probe.swift", Self.documented(Self.probe))
        try root.write("Sources/CXCert/CXCert.swift", Self.documented(Self.umbrella))
        let after = try Self.run(script, in: root)
        #expect(after.status == 0, "\(after.output)")
        #expect(after.output.split(separator: "\n").last == "total: 0 undocumented", "\(after.output)")
    }
}
