import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// Every path a user names is read through one bounded reader: devices, pipes, directories and symlink loops
/// answer at once, in bounded memory, with exit 2 and a plain reason.
@Suite("User-named paths: devices, pipes, directories, symlink loops, batch walks")
struct InputPathTests {
    struct Bounded {
        let status: Int32
        let output: String
        let maxRSSKiB: Int
        let seconds: Double
    }

    /// Runs a bash script (`$CXCERT` is the binary) under GNU time with a hard kill after 30 s, so a
    /// regression fails on its bound instead of hanging the suite.
    static func bounded(_ script: String) throws -> Bounded {
        let folder = try makeTemporaryDirectory("bounded")
        defer { try? FileManager.default.removeItem(at: folder) }
        let timing = folder.appendingPathComponent("time")
        let out = folder.appendingPathComponent("out")
        let wrapper = "/usr/bin/time -o \(timing.path) -f '%M %e' timeout -s KILL 30 bash -c \"$0\" </dev/null >\(out.path) 2>&1"
        let status = try spawn(
            ["/bin/bash", "-c", wrapper, script], environment: ["CXCERT": CLI.binary.path, "NO_COLOR": "1"], output: nil)
        let text = try String(contentsOf: out, encoding: .utf8)
        let measured = try String(contentsOf: timing, encoding: .utf8).split(whereSeparator: \.isWhitespace).suffix(2).map(String.init)
        return Bounded(
            status: status.exited ?? -1, output: text, maxRSSKiB: Int(measured.first ?? "") ?? Int.max,
            seconds: Double(measured.last ?? "") ?? 1e9)
    }

    /// Runs through ``ChildProcess`` with the test process's environment plus `environment`; `output`, when
    /// given, becomes stdout and stderr.
    static func spawn(_ arguments: [String], environment: [String: String], output: Int32?) throws -> (exited: Int32?, signal: Int32?) {
        let sink: ChildProcess.Sink = output.map { .descriptor($0) } ?? .discard
        let outcome = try ChildProcess.run(
            arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, stdout: sink, stderr: sink,
            deadline: .seconds(60))
        switch outcome.termination {
        case .exited(let code): return (code, nil)
        case .signaled(let signal): return (nil, signal)
        }
    }

    // MARK: 1. one bounded reader for every user-named path

    @Test(
        "/dev/zero named anywhere is refused at once, in bounded memory, exit 2",
        arguments: [
            "inspect /dev/zero", "verify /dev/zero", "verify $POOL --trust /dev/zero", "verify $POOL --chain /dev/zero",
            "verify $POOL --device-data /dev/zero", "audit /dev/zero", "ds publish /dev/zero --dry-run --ldap ldaps://127.0.0.1:1",
            "inspect <(cat /dev/zero)", "verify $POOL --trust <(cat /dev/zero)",
        ])
    func devZero(arguments: String) throws {
        let pool = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        let run = try Self.bounded("POOL=\(pool); $CXCERT \(arguments)")
        #expect(run.status == 2, "\(arguments): \(run.output)")
        #expect(run.maxRSSKiB < 200 << 10, "\(arguments): \(run.maxRSSKiB) KiB")
        #expect(run.seconds < 10, "\(arguments): \(run.seconds) s")
        // /dev/zero itself is refused as a device before a byte is read; through a pipe it is cut at 16 MiB.
        let reason = arguments.contains("<(") ? "more than 16 MiB" : "is a device, not a file"
        #expect(run.output.contains(reason), "\(run.output)")
        #expect(!run.output.contains("NSCocoaErrorDomain"))
    }

    @Test("pipes, /dev/stdin and process substitution are read; directories and symlink loops say so")
    func pathKinds() throws {
        let pool = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        for script in ["$CXCERT inspect <(cat \(pool))", "cat \(pool) | $CXCERT inspect /dev/stdin", "cat \(pool) | $CXCERT inspect -"] {
            let run = try Self.bounded(script)
            #expect(run.status == 0, "\(script): \(run.output)")
            #expect(run.output.contains("CN=pool01.contoso.com"), "\(script): \(run.output)")
        }
        let folder = try makeTemporaryDirectory("loops")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("a").path, withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("b").path, withDestinationPath: "a")
        let cases = [
            ("inspect \(folder.path)", "is a directory"), ("inspect \(folder.path)/a", "too many levels of symbolic links"),
            ("verify \(pool) --trust \(folder.path)", "is a directory"), ("audit \(folder.path)/a", "too many levels of symbolic links"),
            ("inspect \(folder.path)/missing", "no such file or directory"),
        ]
        for (arguments, reason) in cases {
            let run = try Self.bounded("$CXCERT \(arguments)")
            #expect(run.status == 2, "\(arguments): \(run.output)")
            #expect(run.output.contains(reason), "\(arguments): \(run.output)")
            #expect(!run.output.contains("NSCocoaErrorDomain") && !run.output.contains("error 256"), "\(run.output)")
        }
        let stdinTooLarge = try Self.bounded("head -c 20000000 /dev/zero | $CXCERT inspect -")
        #expect(stdinTooLarge.status == 2 && stdinTooLarge.output.contains("standard input: more than 16 MiB"), "\(stdinTooLarge.output)")
    }

    // MARK: 2. batch walks each real directory once

    @Test("verify --batch: self links, a link to .., a dangling link and a FIFO end, each reported")
    func batchCycles() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("batch-cycles")
        let tree = folder.appendingPathComponent("d")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try tree.write("leaf.pem", try pki.directory.read("leaf.pem"))
        try folder.write("outside.pem", try pki.directory.read("leaf.pem"))
        for (name, target) in [("a", "."), ("b", "."), ("up", ".."), ("dangling", "nowhere")] {
            try FileManager.default.createSymbolicLink(atPath: tree.appendingPathComponent(name).path, withDestinationPath: target)
        }
        #expect(mkfifo(tree.appendingPathComponent("fifo").path, 0o600) == 0)
        let run = try Self.bounded(
            "$CXCERT verify --batch \(tree.path) --trust \(pki.url("root.pem").path) --chain \(pki.url("inter.pem").path)")
        #expect(run.status == 2, "\(run.output)")
        #expect(run.seconds < 10)
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("{\"file\"") }
        #expect(lines.count == 6, "\(run.output)")
        func line(_ name: String) -> String { lines.first { $0.contains("\"\(tree.path)/\(name)\"") }.map(String.init) ?? "" }
        #expect(line("leaf.pem").contains("\"trusted\":true"))
        #expect(line("dangling").contains("dangling symbolic link"))
        #expect(line("up").contains("outside"))
        #expect(line("fifo").contains("a FIFO"))
        // Both links point at the folder being walked, which is walked once.
        #expect(line("a").contains("already walked"), "\(line("a"))")
        #expect(line("b").contains("already walked"), "\(line("b"))")
        #expect(!run.output.contains("outside.pem"))
    }
}

@Suite("Capture paths")
struct CapturePathTests {
    @Test("trace: process substitution is read; a directory, a device and a symlink loop are refused in plain words")
    func tracePaths() throws {
        let capture = repositoryRoot.appendingPathComponent("Fuzz/seeds/capture/lab-boot-and-tls.pcap").path
        let piped = try InputPathTests.bounded("$CXCERT trace <(cat \(capture))")
        #expect(piped.status != 2 && piped.output.contains("45 frames"), "\(piped.output)")
        let folder = try makeTemporaryDirectory("trace-loop")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("a").path, withDestinationPath: "a")
        for (path, reason) in [
            (folder.path, "is a directory"), ("/dev/zero", "is a device, not a file"),
            (folder.appendingPathComponent("a").path, "too many levels of symbolic links"),
        ] {
            let run = try InputPathTests.bounded("$CXCERT trace \(path)")
            #expect(run.status == 2 && run.seconds < 10, "\(path): \(run.output)")
            #expect(run.output == "cxcert: \(path): \(reason)\n", "\(run.output)")
        }
    }
}
