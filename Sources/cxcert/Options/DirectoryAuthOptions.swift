import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How to bind and how long to wait: `ds` and `verify --ad`. The options of ``DirectoryBindOptions`` are declared here
/// again (same names, help and order, not a nested group: a group costs a one-shot `verify` about as much as ten options,
/// round eight in Benchmarks/README.md) and handed over as ``credentials``.
struct DirectoryAuthOptions: ParsableArguments {
    @Option(name: DirectoryBindOptions.bindName, help: DirectoryBindOptions.bindHelp)
    var bind: String?

    @Option(name: DirectoryBindOptions.passwordEnvName, help: DirectoryBindOptions.passwordEnvHelp)
    var passwordEnv: String?

    @Option(name: DirectoryBindOptions.passwordFileName, help: DirectoryBindOptions.passwordFileHelp)
    var passwordFile: String?

    @Option(name: DirectoryBindOptions.caFileName, help: DirectoryBindOptions.caFileHelp)
    var caFile: String?

    @Flag(name: DirectoryBindOptions.plainName, help: DirectoryBindOptions.plainHelp)
    var plain = false

    @Flag(name: DirectoryBindOptions.sendPasswordInClearName, help: DirectoryBindOptions.sendPasswordInClearHelp)
    var sendPasswordInClear = false

    @Option(help: "Seconds to wait for the directory (default 15).")
    var timeout: Double?

    /// The bind options as ``DirectoryBindOptions``, which checks and uses them.
    var credentials: DirectoryBindOptions {
        var options = DirectoryBindOptions()
        options.bind = bind
        options.passwordEnv = passwordEnv
        options.passwordFile = passwordFile
        options.caFile = caFile
        options.plain = plain
        options.sendPasswordInClear = sendPasswordInClear
        return options
    }

    func validate() throws {
        try credentials.validate()
        if let timeout { try validateSeconds(timeout, "--timeout") }
    }

    /// The configuration, after a warning on standard error when the connection will not be encrypted.
    func configuration(url: String) -> DirectoryConfiguration { credentials.configuration(url: url, timeout: timeout ?? 15) }
}

/// How to bind: shared by `ds`, `verify --ad` and `boot --ad` (which has its own `--timeout` for every network
/// operation). Passwords come from the environment, a file or a prompt.
struct DirectoryBindOptions: ParsableArguments {
    static let bindName = NameSpecification.customLong("bind")
    static let bindHelp = ArgumentHelp("Bind as a DN, a UPN (admin@contoso.com) or DOMAIN\\user (default: anonymous).")
    static let passwordEnvName = NameSpecification.customLong("password-env")
    static let passwordEnvHelp = ArgumentHelp("Read the password from this environment variable.")
    static let passwordFileName = NameSpecification.customLong("password-file")
    static let passwordFileHelp = ArgumentHelp("Read the password from this file (one trailing newline is ignored).")
    static let caFileName = NameSpecification.customLong("ca-file")
    static let caFileHelp = ArgumentHelp("PEM CA certificates to verify the directory's TLS certificate with.")
    static let plainName = NameSpecification.customLong("plain")
    static let plainHelp = ArgumentHelp("Allow ldap:// without TLS: everything, including a bind password, travels in clear.")
    static let sendPasswordInClearName = NameSpecification.customLong("send-password-in-clear")
    static let sendPasswordInClearHelp = ArgumentHelp(
        "With --plain and --bind: accept that the bind password crosses the network unencrypted.")

    @Option(name: bindName, help: bindHelp)
    var bind: String?

    @Option(name: passwordEnvName, help: passwordEnvHelp)
    var passwordEnv: String?

    @Option(name: passwordFileName, help: passwordFileHelp)
    var passwordFile: String?

    @Option(name: caFileName, help: caFileHelp)
    var caFile: String?

    @Flag(name: plainName, help: plainHelp)
    var plain = false

    @Flag(name: sendPasswordInClearName, help: sendPasswordInClearHelp)
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
