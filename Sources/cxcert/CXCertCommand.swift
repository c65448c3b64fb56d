import ArgumentParser
import CXCert
import Foundation

@main
struct CXCertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cxcert",
        abstract: "Check server certificates the way Lync / OCS Phone Edition desk phones do.",
        discussion: """
            Exit codes: 0 success, 1 a certificate is not trusted or a check failed, 2 usage or input error.
            """,
        version: "0.1.0",
        subcommands: [
            VerifyCommand.self, ProbeCommand.self, AuditCommand.self, InspectCommand.self, NamesCommand.self, DirectoryCommand.self,
            TrustStoreCommand.self, DevicesCommand.self, BootCommand.self, DHCPCommand.self, TraceCommand.self,
        ])

    /// ArgumentParser's usage errors exit 64; scripts rely on cxcert's documented 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Output.standardError(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes one line to standard error in the `cxcert: ...` form.
func printError(_ message: String) {
    Output.standardError("cxcert: \(message)\n")
}

/// Colour only on a terminal and never when NO_COLOR is set.
func terminalStyle() -> TextStyle {
    TextStyle(color: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
}

/// Decodes every path (`-` is standard input); reports each bad one on standard error.
func decodeAll(_ paths: [String], decoder: CertificateDecoder = CertificateDecoder()) -> (
    decoded: [(path: String, result: DecodedCertificates)], failed: Bool
) {
    var decoded: [(String, DecodedCertificates)] = []
    var failed = false
    for path in paths {
        do {
            decoded.append((path, try decoder.decode(path: path)))
        } catch {
            printError("\(path == "-" ? "standard input" : path): \(error)")
            failed = true
        }
    }
    return (decoded, failed)
}
