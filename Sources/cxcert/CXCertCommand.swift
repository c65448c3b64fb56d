import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct CXCertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cxcert",
        abstract: "Check server certificates the way Lync / OCS Phone Edition desk phones do.",
        discussion: """
            Exit codes: 0 success, 1 a certificate is not trusted or a check failed, 2 usage or input error.
            """,
        version: versionText,
        subcommands: [
            VerifyCommand.self, ProbeCommand.self, AuditCommand.self, InspectCommand.self, NamesCommand.self, DirectoryCommand.self,
            TrustStoreCommand.self, DevicesCommand.self, BootCommand.self, DHCPCommand.self, TraceCommand.self,
        ])

    static let versionText = "cxcert 0.1.0\n\(LibraryVersions.openSSL)\ntrust store revision \(LibraryVersions.trustStoreRevision)"

    /// The subcommand the arguments name (as far as they name one), and the first unknown name, if any.
    static func subcommand(for arguments: [String]) -> (command: any ParsableCommand.Type, unknown: String?) {
        var current: any ParsableCommand.Type = CXCertCommand.self
        for argument in arguments where !argument.hasPrefix("-") {
            let children = current.configuration.subcommands
            guard !children.isEmpty else { break }
            guard let next = children.first(where: { $0._commandName == argument }) else { return (current, argument) }
            current = next
        }
        return (current, nil)
    }

    /// `cxcert: what is wrong` and the subcommand's usage on standard error, exit 2.
    static func usageError(_ message: String, for command: any ParsableCommand.Type) -> Never {
        // The usage line already spells the command path (`cxcert ds publish ...`).
        let usage = usageString(for: command)
        let path = usage.split(separator: " ").prefix { !$0.hasPrefix("[") && !$0.hasPrefix("<") && !$0.hasPrefix("-") }.joined(
            separator: " ")
        Output.standardError("cxcert: \(message)\nUsage: \(usage)\n  See '\(path) --help'.\n")
        #if canImport(Glibc)
            Glibc.exit(2)
        #else
            Darwin.exit(2)
        #endif
    }

    /// The command a one-shot run names, parsed alone: building the whole tree (every command's options,
    /// reflected at run time) costs more than the work of a one-shot `verify`. Nil unless the first argument names
    /// a command without subcommands and the rest parses and validates as that command; whatever it rejects
    /// (help, a usage error) is parsed again by ``parseAsRoot(_:)``, so every message stays the root's.
    nonisolated static func parsedDirectly(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first,
            let type = configuration.subcommands.first(where: { $0.configuration.commandName == name }),
            type.configuration.subcommands.isEmpty,
            let command = try? type.parseAsRoot(Array(arguments.dropFirst())),
            Swift.type(of: command) == type
        else { return nil }
        return command
    }

    /// ArgumentParser's usage errors exit 64 with several lines; scripts rely on cxcert's documented
    /// one-line error and exit 2. Runs on the main thread (the caller's executor, the main actor): a
    /// ``CallerExecutorCommand`` stays there, other async commands run on the concurrency pool.
    nonisolated(nonsending) static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty { usageError("no command given", for: CXCertCommand.self) }
        if arguments.first == "help", case (_, let unknown?) = subcommand(for: Array(arguments.dropFirst())) {
            usageError("unknown command '\(unknown)'", for: CXCertCommand.self)
        }
        // `--version` alone: the text, without building the command tree.
        if arguments == ["--version"] {
            print(versionText)
            return
        }
        do {
            var command: any ParsableCommand
            if let direct = parsedDirectly(arguments) { command = direct } else { command = try parseAsRoot() }
            if let here = command as? any CallerExecutorCommand {
                try await here.runOnCallerExecutor()
            } else if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let (command, unknown) = subcommand(for: arguments)
                let text = message(for: error)
                usageError(unknown != nil && command == CXCertCommand.self ? "unknown command '\(unknown!)'" : text, for: command)
            }
            exit(withError: error)
        }
    }
}

/// A command whose work `main` awaits on its own thread, the main thread: a one-shot run that waits on no network
/// starts no thread of the concurrency pool and hops between none (each hop waits for a core on a loaded machine).
/// What it awaits that does wait on the network still runs wherever that code runs.
protocol CallerExecutorCommand: AsyncParsableCommand {
    /// The command's work, on the caller's executor; `run()` calls it too.
    nonisolated(nonsending) func runOnCallerExecutor() async throws
}

/// Writes one line to standard error in the `cxcert: ...` form.
func printError(_ message: String) {
    Output.standardError("cxcert: \(Escaping.terminalOutput(message))\n")
}

/// Colour only on a terminal, as no-color.org and TERM=dumb say. The environment is read only for a terminal: a pipe
/// (scripts, CI) is plain whatever it says, and building its dictionary cost a one-shot verify 0.3M instructions.
func terminalStyle() -> TextStyle {
    guard isatty(STDOUT_FILENO) == 1 else { return .plain }
    return TextStyle.terminal(isTTY: true, environment: ProcessInfo.processInfo.environment)
}

/// Decodes every path (`-` is standard input); reports each bad one on standard error.
func decodeAll(_ paths: [String], decoder: CertificateDecoder = CertificateDecoder()) -> (
    decoded: [(path: String, result: DecodedCertificates)], failed: Bool
) {
    var decoded: [(String, DecodedCertificates)] = []
    var failed = false
    for path in paths {
        do {
            decoded.append((path, try Input.certificates(path, decoder: decoder)))
        } catch {
            printError("\(Input.name(path)): \(error)")
            failed = true
        }
    }
    return (decoded, failed)
}
