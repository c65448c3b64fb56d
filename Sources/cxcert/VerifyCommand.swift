import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct VerifyCommand: CallerExecutorCommand {
    // `cxcert` as the super-command: what the command is, and it spares the one-shot parse of `verify` alone
    // (`CXCertCommand.parsedDirectly`) ArgumentParser's completion-script probe, two more parsers over the arguments
    // (8.4M instructions, 2.0M net: the runtime's first-use costs they paid move to verify's own parse). The name is
    // used only when `verify` is parsed as the root, and whatever that parse rejects, `--generate-completion-script`
    // included, is parsed again by the whole tree.
    static let configuration = CommandConfiguration(
        commandName: "verify",
        _superCommandName: "cxcert",
        abstract: "Will a phone (or a modern client) trust this server certificate? Why not, and how to fix it.",
        discussion: "Exit codes: 0 trusted and every --host covered, 1 not, 2 usage or input error.")

    @Argument(
        help:
            "The server certificate, with any chain that came with it (any format). With --batch: files, directories or '-' (paths on standard input)."
    )
    var files: [String]

    @Flag(help: "Validate many certificates against the same trust sources: one JSON line each, then a summary.")
    var batch = false

    @Option(name: .customLong("chain"), help: "More intermediates, in any order and format (repeatable).")
    var chains: [String] = []

    @OptionGroup(title: "Client") var client: ClientOptions

    @Option(name: .customLong("host"), help: "A name the certificate must cover, as the client connects to it (repeatable).")
    var hosts: [String] = []

    @Option(help: "Validate at this ISO 8601 time (default: now).", transform: parseDate)
    var at: Date?

    @Option(
        help: "Say when the verdict next changes, looking up to this ISO 8601 time (default: ten years after --at).",
        transform: parseDate)
    var until: Date?

    @Option(
        name: .customLong("max-chain-depth"),
        help: "The most intermediates between the server certificate and the root (0 or more; default 16).")
    var maxChainDepth: Int = VerificationRequest.defaultMaxChainDepth

    @OptionGroup(title: "Deployment names (check every name the phones use)") var deployment: DeploymentOptions

    @Option(name: .customLong("ad"), help: "Also trust the roots a phone would download from this directory (ldaps://...).")
    var ad: String?

    @Option(name: .customLong("ad-snapshot"), help: "Also trust the roots in an LDIF snapshot (cxcert ds list --save).")
    var adSnapshot: String?

    @OptionGroup(title: "Directory connection (with --ad)") var directoryAuth: DirectoryAuthOptions

    // KnowledgeOptions' two options, declared here rather than as a group (round eight in Benchmarks/README.md).
    @Option(name: KnowledgeOptions.deviceDataName, help: KnowledgeOptions.deviceDataHelp)
    var deviceData: String?

    @Option(name: KnowledgeOptions.capabilityName, help: KnowledgeOptions.capabilityHelp)
    var capabilities: [String] = []

    @Flag(help: "Print JSON (schema in the README).")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the server certificate FILE") }
        if !batch && files.count > 1 { throw ValidationError("give one FILE (or use --batch)") }
        // Any depth is safe: the path budget (candidates, signature checks) bounds the work, not the depth.
        guard maxChainDepth >= 0 else { throw ValidationError("--max-chain-depth must be 0 or more") }
        for host in hosts {
            do { _ = try DomainName.host(host) } catch { throw ValidationError("--host: \(error)") }
        }
        if let until, until <= at ?? Date() { throw ValidationError("--until must be after --at (or now)") }
        if batch && until != nil { throw ValidationError("--batch does not take --until") }
        if batch && (client.firmwares.count > 1 || !hosts.isEmpty || deployment.pool != nil) {
            throw ValidationError("--batch takes at most one --firmware and no --host or deployment names")
        }
    }

    func run() async throws { try await runOnCallerExecutor() }

    // Nothing here waits on the network without `--ad`: `main` awaits it on the main thread, so a one-shot verify
    // starts no thread of the concurrency pool (round eight in Benchmarks/README.md).
    nonisolated(nonsending) func runOnCallerExecutor() async throws {
        let profiles = try client.profiles(knowledge: try KnowledgeOptions.load(deviceData: deviceData, capabilities: capabilities))
        let anchors = try client.anchors() + (try await directoryAnchors())
        let decoder = CertificateDecoder()
        func load(_ path: String) throws -> [Certificate] {
            do {
                return try Input.certificates(path, decoder: decoder).certificates
            } catch {
                printError("\(path): \(error)")
                throw ExitCode(2)
            }
        }
        if batch {
            try runBatch(profile: profiles[0], intermediates: try chains.flatMap(load), anchors: anchors)
            return
        }
        let file = files[0]
        let bundle = try load(file)
        guard let split = VerificationRequest.split(bundle: bundle) else { throw ExitCode(2) }
        let (leaf, bundled) = (split.leaf, split.others)
        if let choice = VerificationRequest.leafChoice(bundle: bundle) { printError("note: \(file): \(choice)") }
        let intermediates = try bundled + chains.flatMap(load)
        var request = VerificationRequest(
            leaf: leaf, intermediates: intermediates, anchors: anchors, hosts: hosts, plan: deployment.plan, time: at ?? Date(),
            vocabulary: .command(.verify))
        request.maxChainDepth = maxChainDepth
        let outcome = Verifier.verify(request, profiles: profiles, until: until)
        print(
            json
                ? VerdictReport.json(outcome.verdicts, nextChanges: outcome.nextChanges)
                : VerdictReport.text(outcome.verdicts, nextChanges: outcome.nextChanges, until: outcome.until, style: terminalStyle()))
        if !outcome.allTrusted { throw ExitCode(1) }
    }

    /// `--batch`: JSON lines on standard output, the summary last; exit 2 if any input was unreadable, 1 if any untrusted.
    private func runBatch(profile: DeviceProfile, intermediates: [Certificate], anchors: [TrustAnchor]) throws {
        let verifier = BatchVerifier(
            intermediates: intermediates, anchors: anchors, profile: profile, time: at ?? Date(), maxChainDepth: maxChainDepth)
        var output = ChunkedOutput()
        let summary = BatchRun.run(Input.batchEntries(files), verifier: verifier) { line in output.write(line + "\n") }
        struct Line: Encodable { let summary: BatchRun.Summary }
        output.write(JSONOutput.line(Line(summary: summary)) + "\n")
        output.flush()

        if summary.errors > 0 { throw ExitCode(2) }
        if summary.untrusted > 0 { throw ExitCode(1) }
    }

    private nonisolated(nonsending) func directoryAnchors() async throws -> [TrustAnchor] {
        try await loadDirectoryAnchors(ad: ad, snapshot: adSnapshot, configuration: directoryAuth.configuration(url:))
    }
}

/// The roots a phone learns from AD: live (`--ad`) and/or from a snapshot (`--ad-snapshot`), on the caller's executor.
nonisolated(nonsending) func loadDirectoryAnchors(
    ad: String?, snapshot: String?, configuration: (String) -> DirectoryConfiguration
) async throws -> [TrustAnchor] {
    try await loadDirectorySnapshots(ad: ad, snapshot: snapshot, configuration: configuration).flatMap {
        $0.snapshot.phoneAnchors(place: $0.place)
    }
}

/// What the phone's searches of AD return, each with where it was read: the snapshot (`--ad-snapshot`), then the live
/// directory (`--ad`). Runs on the caller's executor; only the live directory's operations leave it.
nonisolated(nonsending) func loadDirectorySnapshots(
    ad: String?, snapshot: String?, configuration: (String) -> DirectoryConfiguration
) async throws -> [(snapshot: DirectorySnapshot, place: String)] {
    var snapshots: [(snapshot: DirectorySnapshot, place: String)] = []
    if let snapshot {
        snapshots.append(
            (try directory { () throws(DirectoryError) in try DirectorySnapshot(contentsOfFile: snapshot) }, "snapshot \(snapshot)"))
    }
    if let ad { snapshots.append((try await liveSnapshot(configuration(ad)), ad)) }
    return snapshots
}

/// What the phone's searches of a live directory return; this leaves the caller's executor (network operations).
private func liveSnapshot(_ configuration: DirectoryConfiguration) async throws -> DirectorySnapshot {
    try await directory { () async throws(DirectoryError) in
        try await DirectorySnapshot(reading: try await DirectoryClient(configuration))
    }
}
