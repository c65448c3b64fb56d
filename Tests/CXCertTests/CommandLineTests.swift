import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertReports
@testable import CXCertTestSupport

@Suite("The command line: usage errors and --version")
struct CommandLineTests {
    @Test("usage errors are one 'cxcert: ...' line plus the subcommand's usage, exit 2; bare cxcert and help bogus exit 2")
    func usageErrors() throws {
        let cases: [([String], String, String)] = [
            ([], "cxcert: no command given", "Usage: cxcert <subcommand>"),
            (["help", "bogus"], "cxcert: unknown command 'bogus'", "Usage: cxcert <subcommand>"),
            (["bogus"], "cxcert: unknown command 'bogus'", "Usage: cxcert <subcommand>"),
            (["verify", "--bogus", "x"], "cxcert: Unknown option '--bogus'", "Usage: cxcert verify "),
            (["ds", "publish"], "cxcert: Missing expected argument '<file>'", "Usage: cxcert ds publish "),
        ]
        for (arguments, first, usage) in cases {
            let result = try CLI.run(arguments)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(lines.first == first, "\(arguments): \(result.stderr)")
            #expect(lines.dropFirst().first?.hasPrefix(usage) == true, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Error:"), "\(arguments): \(result.stderr)")
        }
        let publish = try CLI.run(["ds", "publish"])
        #expect(publish.stderr.contains("See 'cxcert ds publish --help'"), "\(publish.stderr)")
        #expect(try CLI.run(["help", "verify"]).status == 0)
    }

    @Test("verify's usage errors, word for word: which one wins, the message and exit 2 (pinned across reshaping its options)")
    func verifyUsageErrorsPinned() throws {
        let leaf = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        let seconds = "--timeout takes a number of seconds more than 0 and at most 3600"
        let date = "expected 4 digits for the year (use 2026-01-31, 2026-01-31T12:00:00Z or 2026-01-31T12:00:00+01:00)"
        // Arguments after the leaf, and the first line on standard error. Value errors are reported in argument
        // order, before a missing argument and before any validate() check.
        let cases: [([String], String)] = [
            (["--max-chain-depth", "x"], "The value 'x' is invalid for '--max-chain-depth <max-chain-depth>'"),
            (["--max-chain-depth", "-1"], "Missing value for '--max-chain-depth <max-chain-depth>'"),
            (["--at", "yesterday"], "The value 'yesterday' is invalid for '--at <at>': 'yesterday' is not a valid date: \(date)"),
            (["--until", "2020-01-01T00:00:00Z"], "--until must be after --at (or now)"),
            (["--firmware", "abc"], "The value 'abc' is invalid for '--firmware <firmware>'"),
            (["--firmware", "abc", "--max-chain-depth", "x"], "The value 'abc' is invalid for '--firmware <firmware>'"),
            (["--max-chain-depth", "x", "--firmware", "abc"], "The value 'x' is invalid for '--max-chain-depth <max-chain-depth>'"),
            (["--at", "x", "--firmware", "abc"], "The value 'x' is invalid for '--at <at>': 'x' is not a valid date: \(date)"),
            (["--timeout", "x", "--at", "x"], "The value 'x' is invalid for '--timeout <timeout>'"),
            (["--timeout", "0"], seconds),
            (["--password-env", "A", "--password-file", "B"], "give --password-env or --password-file, not both"),
            (["--send-password-in-clear", "--timeout", "0"], "--send-password-in-clear goes with --plain"),
            (["--plain", "--send-password-in-clear", "--timeout", "0"], seconds),
            (["--password-env", "A", "--password-file", "B", "--ad-domain", "-x"], "Missing value for '--ad-domain <ad-domain>'"),
            (["--capability", "foo"], "--capability takes KEY=VALUE, not 'foo'"),
            (["--host", "bad host"], "--host: 'bad host' is not a valid DNS name: it contains a space"),
            (["--bogus"], "Unknown option '--bogus'"),
            (["b.pem"], "give one FILE (or use --batch)"),
            (["--batch", "--until", "2030-01-01"], "--batch does not take --until"),
            (
                ["--batch", "--firmware", "4.0.7577.4463", "--firmware", "3.5.6907.35"],
                "--batch takes at most one --firmware and no --host or deployment names"
            ),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(["verify", leaf] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(
                result.stderr == "cxcert: \(message)\nUsage: cxcert verify [<options>] <files> ...\n  See 'cxcert verify --help'.\n",
                "\(arguments): \(result.stderr)")
        }
        let none = try CLI.run(["verify", "--firmware", "abc"])
        #expect(none.status == 2 && none.stderr.hasPrefix("cxcert: The value 'abc' is invalid for '--firmware <firmware>'\n"))
        let missing = try CLI.run(["verify", "--json"])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("cxcert: Missing expected argument '<files> ...'\n"))
    }

    @Test("verify parsed alone (the one-shot path) hands help, completion scripts and usage errors to the whole tree")
    func directParseFallsBack() throws {
        // Each pair prints the same: the first goes through `verify` parsed alone and is rejected there, the second
        // is parsed by the root only.
        let pairs: [([String], [String])] = [
            (["verify", "--help"], ["help", "verify"]),
            (["verify", "-h"], ["help", "verify"]),
            (["verify", "--generate-completion-script", "bash"], ["--generate-completion-script", "bash"]),
            (["verify", "--generate-completion-script=zsh"], ["--generate-completion-script=zsh"]),
        ]
        for (direct, root) in pairs {
            let (a, b) = (try CLI.run(direct), try CLI.run(root))
            #expect(a.status == 0 && a.status == b.status, "\(direct): \(a.stderr)")
            #expect(a.stdout == b.stdout && !a.stdout.isEmpty, "\(direct)")
            #expect(a.stderr == b.stderr, "\(direct)")
        }
        let help = try CLI.run(["verify", "--help"]).stdout
        #expect(help.contains("USAGE: cxcert verify ") && !help.contains("cxcert cxcert"), "\(help)")
        for arguments in [
            ["verify"], ["verify", "a.pem", "b.pem"], ["verify", "--until"], ["verify", "x.pem", "--max-chain-depth", "-1"],
        ] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(
                result.stderr.contains("\nUsage: cxcert verify ") && !result.stderr.contains("cxcert cxcert"),
                "\(arguments): \(result.stderr)")
        }
    }

    @Test("--version prints cxcert's version, the OpenSSL version and the trust-store revision")
    func version() throws {
        let result = try CLI.run(["--version"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("cxcert ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("OpenSSL 3") == true, "\(result.stdout)")
        #expect(
            lines.last == "trust store revision \(LibraryVersions.trustStoreRevision)" && LibraryVersions.trustStoreRevision.count == 12)
    }
}

@Suite("Output streams: colour, HTML to standard output, standard input")
struct OutputStreamTests {
    @Test("colour follows no-color.org: an empty NO_COLOR does not disable it, TERM=dumb does")
    func colour() {
        #expect(TextStyle.terminal(isTTY: true, environment: [:]).color)
        #expect(TextStyle.terminal(isTTY: true, environment: ["NO_COLOR": ""]).color)
        #expect(!TextStyle.terminal(isTTY: true, environment: ["NO_COLOR": "1"]).color)
        #expect(!TextStyle.terminal(isTTY: true, environment: ["TERM": "dumb"]).color)
        #expect(!TextStyle.terminal(isTTY: false, environment: [:]).color)
    }

    @Test("audit --html - prints the page, --html DIR is a clear error, audit - reads standard input")
    func auditOutputs() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("audit-outputs")
        try folder.write("leaf.pem", try pki.directory.read("leaf.pem"))
        let yaml = "servers: [{certificate: \(folder.appendingPathComponent("leaf.pem").path)}]\nfleet: [{device: generic}]\n"
        try folder.write("d.yaml", yaml)
        let page = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--html", "-"])
        #expect(page.stdout.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"), "\(page.stdout.prefix(200))")
        let directory = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--html", folder.path])
        #expect(directory.status == 2 && directory.stderr.contains("is a directory"), "\(directory.stderr)")
        let stdin = try CLI.run(["audit", "-", "--json"], input: Data(yaml.utf8))
        #expect(stdin.status == 1 && stdin.stdout.contains("pool01.contoso.com"), "\(stdin.stderr)")
    }
}

/// The command-line side of the shared options: typed firmware builds and capability overrides.
@Suite("Shared command-line options: --capability and --firmware")
struct OptionGroupTests {
    @Test("--capability KEY=VALUE overrides a capability; an unknown key, a bad value or a bad --firmware is a usage error")
    func capabilityAndFirmware() throws {
        let pki = try TestPKI.get()
        let base = ["verify", pki.url("leaf.pem").path, "--chain", pki.url("inter.pem").path, "--trust", pki.url("root.pem").path]
        // What verify judges with and without the override, in-process (KnowledgeOptions.load applies it so).
        func verify(_ knowledge: DeviceKnowledgeBase) throws -> VerificationOutcome {
            try InProcess.verify(
                pki.url("leaf.pem").path, chain: [pki.url("inter.pem").path], trust: [pki.url("root.pem").path], device: "cx700",
                firmwares: ["3.5.6907.35"], knowledge: knowledge)
        }
        #expect(!(try verify(.builtIn)).allTrusted)
        var forced = DeviceKnowledgeBase.builtIn
        try forced.override("sha2Signatures", value: FactValue(commandLine: "true"))
        let trusted = try verify(forced)
        #expect(trusted.allTrusted, "\(trusted.verdicts.map(\.findings))")
        var knowledge = DeviceKnowledgeBase.builtIn
        let unknownKey = #expect(throws: DeviceKnowledgeError.self) {
            try knowledge.override("colour", value: FactValue(commandLine: "blue"))
        }
        #expect(unknownKey?.description.contains("unknown capability 'colour'") == true, "\(String(describing: unknownKey))")
        let wrongValue = #expect(throws: DeviceKnowledgeError.self) {
            try knowledge.override("sha2Signatures", value: FactValue(commandLine: "maybe"))
        }
        #expect(wrongValue?.description.contains("sha2Signatures takes bool") == true, "\(String(describing: wrongValue))")
        // On the command line both are usage errors: exit 2, the reason on standard error.
        let old = base + ["--device", "cx700", "--firmware", "3.5.6907.35", "--json"]
        let unknown = try CLI.run(old + ["--capability", "colour=blue"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown capability 'colour'"))
        let wrongType = try CLI.run(old + ["--capability", "sha2Signatures=maybe"])
        #expect(wrongType.status == 2)
        #expect(wrongType.stderr.contains("sha2Signatures takes bool"))
        let badBuild = try CLI.run(base + ["--device", "cx700", "--firmware", "4.x"])
        #expect(badBuild.status == 2)
        #expect(badBuild.stderr.contains("--firmware"))
    }
}

/// Standard input is the command line's business: in the library `-` is a file name like any other.
@Suite("The - convention lives in the CLI")
struct StandardInputConventionTests {
    @Test("the library's readers take '-' as a path (and find no such file); the CLI reads standard input for it")
    func dashIsAPathInTheLibrary() throws {
        let folder = try makeTemporaryDirectory("dash")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: BoundedReader.Failure.self) { try BoundedReader.read(path: "-") }
        #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(path: "-") }
        #expect(BatchRun.paths(["-"]).map(\.path) == ["-"])
        let pem = try Data(contentsOf: repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem"))
        let cli = try CLI.run(["inspect", "-", "--json"], input: pem)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("pool01.contoso.com"))
    }
}
