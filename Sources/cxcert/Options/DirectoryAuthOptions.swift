import ArgumentParser
import CXCert
import Foundation

/// How to bind and how long to wait: `ds` and `verify --ad`.
struct DirectoryAuthOptions: ParsableArguments {
    @OptionGroup var credentials: DirectoryBindOptions

    @Option(help: "Seconds to wait for the directory (default 15).")
    var timeout: Double?

    func validate() throws {
        if let timeout { try validateSeconds(timeout, "--timeout") }
    }

    /// The configuration, after a warning on standard error when the connection will not be encrypted.
    func configuration(url: String) -> DirectoryConfiguration { credentials.configuration(url: url, timeout: timeout ?? 15) }
}

/// How to bind: shared by `ds`, `verify --ad` and `boot --ad` (which has its own `--timeout` for every network
/// operation). Passwords come from the environment, a file or a prompt.
struct DirectoryBindOptions: ParsableArguments {
    @Option(name: .customLong("bind"), help: "Bind as a DN, a UPN (admin@contoso.com) or DOMAIN\\user (default: anonymous).")
    var bind: String?

    @Option(name: .customLong("password-env"), help: "Read the password from this environment variable.")
    var passwordEnv: String?

    @Option(name: .customLong("password-file"), help: "Read the password from this file (one trailing newline is ignored).")
    var passwordFile: String?

    @Option(name: .customLong("ca-file"), help: "PEM CA certificates to verify the directory's TLS certificate with.")
    var caFile: String?

    @Flag(name: .customLong("plain"), help: "Allow ldap:// without TLS: everything, including a bind password, travels in clear.")
    var plain = false

    @Flag(
        name: .customLong("send-password-in-clear"),
        help: "With --plain and --bind: accept that the bind password crosses the network unencrypted.")
    var sendPasswordInClear = false

    func validate() throws {
        if passwordEnv != nil && passwordFile != nil { throw ValidationError("give --password-env or --password-file, not both") }
        if sendPasswordInClear && !plain { throw ValidationError("--send-password-in-clear goes with --plain") }
    }

    /// The configuration, after a warning on standard error when the connection will not be encrypted.
    func configuration(url: String, timeout: Double) -> DirectoryConfiguration {
        let password: PasswordSource = passwordEnv.map { .environment($0) } ?? passwordFile.map { .file($0) } ?? TerminalPassword.source
        let configuration = DirectoryConfiguration(
            url: url, bindName: bind, password: password, caFile: caFile, allowPlain: plain, allowPasswordInClear: sendPasswordInClear,
            timeout: timeout)
        if configuration.isUnencrypted {
            printError(
                "warning: --plain: nothing on the connection to \(url) is encrypted\(bind == nil ? "" : ", including the password of \(bind!)"); anyone on the path can read and change it"
            )
        }
        return configuration
    }
}
