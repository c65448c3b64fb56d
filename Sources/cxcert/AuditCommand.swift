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

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Probe every server of a deployment and judge it for every phone build of the fleet.",
        discussion: "Exit codes: 0 only if every phone in the fleet trusts every server; 1 otherwise; 2 usage or input errors.")

    @Argument(help: "The deployment file (YAML or JSON; see Examples/deployment.yaml); '-' reads standard input.")
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print Markdown.")
    var markdown = false

    @Option(help: "Also write a self-contained HTML report to this file ('-' prints it instead of the report).")
    var html: String?

    @Option(
        help: "Also say, for each server and build, when the verdict next changes, looking up to this ISO 8601 time.", transform: parseDate)
    var until: Date?

    @Option(
        name: .customLong("fail-within"),
        help: "Exit 1 if a server a build trusts now stops being trusted within this many days (looks ahead at least that far).")
    var failWithin: Int?

    @OptionGroup var knowledge: KnowledgeOptions

    @OptionGroup(title: "The phone's state (judge each build with the roots a phone in this state holds)")
    var state: PhoneStateOptions

    @Option(name: .customLong("ad-bind"), help: "Bind to trust.ad's directory as this name (overrides the file's bind).")
    var adBind: String?

    @Option(name: .customLong("ad-password-env"), help: "Read trust.ad's bind password from this environment variable.")
    var adPasswordEnv: String?

    @Option(name: .customLong("ad-password-file"), help: "Read trust.ad's bind password from this file.")
    var adPasswordFile: String?

    @Option(name: .customLong("ad-ca-file"), help: "PEM CA certificates to verify trust.ad's directory with.")
    var adCAFile: String?

    @Flag(name: .customLong("allow-deployment-ca-file"), help: "Use the caFile the deployment file names for trust.ad.")
    var allowDeploymentCAFile = false

    func validate() throws {
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
        if (json || markdown) && html == "-" {
            throw ValidationError("--\(json ? "json" : "markdown") and --html - both print to standard output: give --html a FILE")
        }
        if let failWithin, !(0...36_500).contains(failWithin) {
            throw ValidationError("--fail-within: \(failWithin) is not a number of days (0-36500)")
        }
        if adPasswordEnv != nil && adPasswordFile != nil { throw ValidationError("give --ad-password-env or --ad-password-file, not both") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let data: [UInt8]
        do { data = try Input.bytes(file, limit: DeploymentFile.maxBytes) } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let result: AuditResult
        do {
            let deployment = try DeploymentFile(yaml: String(decoding: data, as: UTF8.self))
            let showProgress = isatty(STDERR_FILENO) == 1
            let phone = try state.applied(to: try PhoneStart(file: deployment, base: url.deletingLastPathComponent()))
            result = try await Auditor.run(
                deployment, relativeTo: url.deletingLastPathComponent(), knowledge: try knowledge.load(),
                directory: AuditDirectoryAccess(
                    bind: adBind, password: adPasswordEnv.map { .environment($0) } ?? adPasswordFile.map { .file($0) }, caFile: adCAFile,
                    allowDeploymentCAFile: allowDeploymentCAFile), until: until, failWithinDays: failWithin, state: phone
            ) {
                done, total, name in
                guard showProgress else { return }
                Output.standardError("\r\u{1B}[2Kprobing \(done)/\(total): \(name)")
                if done == total { Output.standardError("\r\u{1B}[2K") }
            }
        } catch let error as AuditError {
            printError("\(file): \(error)")
            throw ExitCode(2)
        }
        if let html, html != "-" { try writeReport(AuditReport.html(result), to: html) }
        if html == "-" {
            print(AuditReport.html(result))
        } else {
            print(
                json ? AuditReport.json(result) : markdown ? AuditReport.markdown(result) : AuditReport.text(result, style: terminalStyle())
            )
        }
        if let line = AuditReport.failWithinLine(result) { printError(line) }
        if !result.allTrusted || !result.failingWithin.isEmpty { throw ExitCode(1) }
    }
}
