import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Connect to live servers over TLS: the chain they present, the versions and suites they accept, and the verdict.",
        discussion: "Exit codes: 0 every server reached and trusted, 1 not trusted or refused, 2 usage or connection errors.")

    @Argument(help: "Servers as HOST[:PORT] (default port 443; 5061 for SIP over TLS).")
    var targets: [String]

    @Option(help: "The SNI name to send (default: the host name).")
    var sni: String?

    @Flag(name: .customLong("no-sni"), help: "Send no SNI.")
    var noSNI = false

    @Flag(name: .customLong("as-phone"), help: "Take the chain from the phone's own handshake: TLS 1.0 only, no SNI, its suites.")
    var asPhone = false

    @OptionGroup(title: "Client") var client: ClientOptions

    @Option(help: "Seconds allowed for each connection and handshake.")
    var timeout: Double = 10

    @Option(help: "Seconds allowed for the whole probe of one server: name lookup and every handshake.")
    var deadline: Double = 60

    @OptionGroup var knowledge: KnowledgeOptions

    @Flag(help: "Print a JSON array (one object per server).")
    var json = false

    func validate() throws {
        guard !targets.isEmpty else { throw ValidationError("give at least one HOST[:PORT]") }
        if sni != nil && noSNI { throw ValidationError("--sni and --no-sni exclude each other") }
        try validateSeconds(timeout, "--timeout")
        try validateSeconds(deadline, "--deadline")
    }

    func run() throws {
        let knowledgeBase = try knowledge.load()
        let profiles = try client.profiles(knowledge: knowledgeBase)
        let anchors = try client.anchors()
        var results: [ProbeResult] = []
        var entries: [Result<ProbeResult, ProbeFailure>] = []
        var failed = false
        for text in targets {
            do {
                let result = try probe(text, profiles: profiles, anchors: anchors)
                results.append(result)
                entries.append(.success(result))
            } catch {
                printError(error.description)
                entries.append(.failure(ProbeFailure(target: text, reason: error.description)))
                failed = true
            }
        }
        print(json ? ProbeResult.json(entries) : results.map { $0.text(style: terminalStyle()) }.joined(separator: "\n\n"))
        if failed { throw ExitCode(2) }
        if !results.allSatisfy({ $0.verdicts.allSatisfy(\.isTrusted) }) { throw ExitCode(1) }
    }
}

extension ProbeCommand {
    func probe(_ text: String, profiles: [DeviceProfile], anchors: [TrustAnchor]) throws(ProbeError) -> ProbeResult {
        var target = try ProbeTarget(parsing: text)
        if noSNI { target.serverName = nil } else if let sni { target.serverName = sni }
        var options = Prober.Options(timeout: timeout, asPhone: asPhone)
        options.totalTimeout = deadline
        let prober = ProbeVerification(profiles: profiles, anchors: anchors, options: options, vocabulary: .command(.probe))
        let outcome = try prober.examine(.init(target, hosts: [target.serverName ?? target.host]))
        return ProbeResult(report: outcome.report, verdicts: outcome.verdicts)
    }
}
