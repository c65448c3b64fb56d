import CXCertCore
import CXCertDirectory
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One build's judge: it takes what the phone met, in order (time readings, roots received, handshakes), keeps the
/// phone's state (the roots it holds, where and when it got them, its phase and its clock) and judges each handshake
/// with what the phone holds at that moment. The live walk (`boot`) and the capture replay (`trace`) both feed it, so
/// the clock rule, the root timing, the name coverage and the DNS order are judged once, the same way.
public struct PhoneJudge: Sendable {
    /// Roots the phone could download at sign-in, known to the producer before it gets there (the walk's `--ad` and
    /// Certificate Provisioning roots): what makes a chain `root-not-held-yet` or `held-root-stale`.
    public struct RootSources: Sendable {
        /// What the directory holds, as read: its roots derive by ``PhoneJudge/roots(in:)``.
        public var directory: [DirectoryRead]
        /// Roots the Certificate Provisioning service hands out.
        public var certificateProvisioning: [TrustAnchor]

        /// Sources; none by default (a capture knows only what it shows).
        public init(directory: [DirectoryRead] = [], certificateProvisioning: [TrustAnchor] = []) {
            self.directory = directory
            self.certificateProvisioning = certificateProvisioning
        }
    }

    /// The build judged.
    public let profile: DeviceProfile
    /// Whose words the findings use.
    public let vocabulary: Vocabulary
    /// What the device data says of the build's states.
    public let lifecycle: PhoneLifecycle
    /// The state the phone started from.
    public let start: PhoneState
    /// The state now.
    public private(set) var state: PhoneState
    /// The phase of the walk now.
    public private(set) var phase: BootPhase = .boot
    /// The reading the phone's clock follows now; nil while it has none.
    public private(set) var clock: TimeEvidence?
    /// Roots the phone could download at sign-in.
    public private(set) var sources: RootSources
    /// Whether the trace's steps carry the phase they happen in (a live walk's do; a capture's have none).
    public let phased: Bool
    /// The trace so far: each step closed with ``close(_:queries:endpoints:samples:roots:notes:findings:skipped:)``.
    public internal(set) var steps: [BootStep] = []
    /// The DHCP answers the phone took, when the producer saw them (``judge(_:expectedWebServices:)``).
    public private(set) var dhcp: DHCPExchange?
    /// The DNS questions the phone asked and the answers it got, in the order recorded (``Evidence/dns(_:at:)``).
    public private(set) var asked: [BootQuery] = []
    /// The names each address was given for by the answers recorded, with when each answer came.
    private var resolved: [String: [(name: String, at: Date)]] = [:]
    /// Evidence queued and not taken yet, in time order (``queue(_:)``, ``advance(through:)``).
    public private(set) var pending: [Evidence] = []

    /// A judge for one build, from a starting state.
    /// - Parameters:
    ///   - profile: The build.
    ///   - state: The state the phone starts from (``PhoneState/start(profile:signedIn:trusted:held:signIn:network:)``).
    ///   - sources: Roots the phone could download at sign-in.
    ///   - vocabulary: Whose words the findings use.
    ///   - phased: Whether the steps carry their phase (true for a live walk; a capture's steps have none).
    public init(
        profile: DeviceProfile, state: PhoneState, sources: RootSources = RootSources(), vocabulary: Vocabulary = .plain,
        phased: Bool = true
    ) {
        self.profile = profile
        self.phased = phased
        self.vocabulary = vocabulary
        lifecycle = PhoneLifecycle(profile)
        start = state
        self.state = state
        self.sources = sources
    }

    // MARK: Evidence in

    /// Takes one piece of evidence in order; a handshake is judged for no name (``judge(_:candidates:plan:)`` says for which).
    /// - Parameter evidence: What the phone met.
    /// - Returns: The judgement of a handshake; nil for other evidence and for a server that sent no certificate.
    @discardableResult
    public mutating func record(_ evidence: Evidence) -> HandshakeJudgement? {
        switch evidence {
        case .time(let reading):
            record(reading)
            return nil
        case .roots(let roots, _):
            receive(roots)
            return nil
        case .directory(let read, _):
            receive(Self.roots(in: read))
            return nil
        case .handshake(let handshake):
            return judge(handshake, candidates: [(nil, [])], plan: nil)
        case .dns(let query, let at):
            asked.append(query)
            for address in query.answer.addresses { resolved[address, default: []].append((query.name, at)) }
            return nil
        }
    }

    /// Queues evidence a producer read ahead (a capture reads every packet first): the judge takes each piece when the
    /// replay reaches its time (``advance(through:)``), so a handshake is judged with what the phone had then.
    /// - Parameter evidence: The evidence, in any order; pieces with the same time keep the order given.
    public mutating func queue(_ evidence: [Evidence]) {
        pending = (pending + evidence).enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    /// Takes every queued piece of evidence that happened at or before `time`, in time order.
    /// - Parameter time: The true time the replay has reached.
    public mutating func advance(through time: Date) {
        let due = pending.prefix { $0.at <= time }
        pending.removeFirst(due.count)
        for evidence in due { record(evidence) }
    }

    /// The phone moves to a phase of its walk: a first sign-in attempt (it downloads what its method allows), or signed in.
    /// - Parameter phase: The phase it enters.
    public mutating func enter(_ phase: BootPhase) {
        self.phase = phase
        switch phase {
        case .boot: break
        case .signIn: state.phase = .signingIn
        case .signedIn: state.phase = .signedIn
        }
    }

    /// A time reading: a server's answer sets the clock; the phone's own reading stands in only until an answer does.
    /// - Parameter reading: The reading.
    public mutating func record(_ reading: TimeEvidence) {
        if reading.kind == .answer || clock?.kind != .answer { clock = reading }
    }

    /// Roots the phone received in this phase: it holds them from now on.
    /// - Parameter roots: The roots.
    public mutating func receive(_ roots: [TrustAnchor]) {
        for root in roots { state.hold(HeldRoot(anchor: root, acquired: .signIn)) }
    }

    /// The roots an LDAP read gives the phone, the one rule for both producers: the certificates in the entries'
    /// `cACertificate` values (the placeholders certutil writes skipped, each certificate once, in the order read), as
    /// the phone's directory walk takes them (`PhoneDiscovery.walk(_:fetch:)` of CXCertDirectory), each with the read's place as its
    /// Active Directory source.
    /// - Parameter read: The entries read.
    /// - Returns: The roots.
    public static func roots(in read: DirectoryRead) -> [TrustAnchor] {
        PhoneDiscovery.walk(DirectorySnapshot(certificationAuthorities: read.entries, enrollmentServices: [])).certificates.map {
            TrustAnchor(certificate: $0, source: .activeDirectory(read.place))
        }
    }

    /// Roots the producer learned ahead that the Certificate Provisioning service hands out (the walk's live root-chain
    /// download, made before the boot steps): from now on an endpoint reached before the phase in which the phone's
    /// sign-in method downloads them, whose chain needs one, is `root-not-held-yet`. The phone does not hold them yet.
    /// - Parameter roots: The roots the service hands out.
    public mutating func foresee(certificateProvisioning roots: [TrustAnchor]) {
        for root in roots where !sources.certificateProvisioning.contains(where: { $0.certificate == root.certificate }) {
            sources.certificateProvisioning.append(root)
        }
    }

    /// The roots the phone's sign-in method downloads in a phase, from the sources the judge was given, on the network it
    /// is on (or on `network`: what an outside phone would have learned inside).
    /// - Parameters:
    ///   - phase: The phase.
    ///   - network: The network to judge for; nil for the one the phone is on.
    /// - Returns: The roots, Active Directory's first.
    public func downloadable(in phase: BootPhase, on network: NetworkSide? = nil) -> [TrustAnchor] {
        let downloads = lifecycle.downloads(in: phase, signIn: state.signIn, network: network ?? state.network).downloads
        var roots: [TrustAnchor] = []
        if downloads.contains(where: \.fromDirectory) { roots += sources.directory.flatMap(Self.roots(in:)) }
        if downloads.contains(.certificateProvisioning) { roots += sources.certificateProvisioning }
        return roots
    }

    /// The roots the phone holds now, as the `roots` step lists them: the built-in cache counted, every other root with
    /// its source, in the order held.
    public var heldRoots: (cache: Int, roots: [BootRoot]) {
        (
            state.roots.filter { $0.acquired == .factory }.count,
            state.roots.filter { $0.acquired != .factory }.map {
                BootRoot(certificate: $0.anchor.certificate, source: $0.anchor.source.description)
            }
        )
    }

    /// Whether the phone looks for roots at all now: one that signed in before keeps what it holds until reset.
    public var looksForRoots: Bool { !(start.phase == .signedIn && lifecycle.keepsRootsUntilReset) }

    // MARK: Time

    /// The phone's clock at a true time: the true time moved by the clock's offset, or the true time while it has none.
    /// - Parameter time: The true time.
    /// - Returns: What the phone's clock reads.
    public func phoneTime(at time: Date) -> Date { time.addingTimeInterval(clock?.offset ?? 0) }

    /// `clock-skew` when the clock the phone set from a server is notably off (``ClockRule/skew(offset:source:phoneClock:)``).
    /// - Returns: The finding, or nil.
    public func skew() -> Finding? {
        guard let clock, clock.kind == .answer,
            let skew = ClockRule.skew(offset: clock.offset, source: clock.source, phoneClock: phoneTime(at: clock.at))
        else { return nil }
        return finding(.clockSkew, skew.severity, skew.detail)
    }

    /// What the time step says of the phone's clock, the one rule for both producers: `time-source-unsynchronized` for
    /// each unsynchronised server (``unsynchronized(_:)``), then `clock-skew` when the clock it set is notably off (``skew()``).
    /// - Parameter unsynchronized: The `ntp` details of the servers that answered unsynchronised.
    /// - Returns: The findings.
    public func clockFindings(_ unsynchronized: [FindingDetail]) -> [Finding] {
        self.unsynchronized(unsynchronized) + [skew()].compactMap { $0 }
    }

    /// `time-source-unsynchronized` for servers that answered unsynchronised: an error when no server set the clock,
    /// a warning when another did.
    /// - Parameter details: The `ntp` details of those servers.
    /// - Returns: One finding per server.
    public func unsynchronized(_ details: [FindingDetail]) -> [Finding] {
        details.map { finding(.timeSourceUnsynchronized, clock?.kind == .answer ? .warning : .error, $0) }
    }

    // MARK: Handshakes

    /// Judges a handshake for each name the phone may have used, at the phone's clock with the roots it holds now:
    /// the one rule for the live walk and the capture.
    /// - Parameters:
    ///   - handshake: The handshake.
    ///   - candidates: Each name and the names the chain must cover for it (one for the walk, which knows the name; each
    ///     name the phone resolved to the address for a capture without SNI; `(nil, [])` when it resolved none).
    ///   - plan: The deployment's name plan, when the chain must also cover it (the pool's own endpoints).
    /// - Returns: The judgement; nil when the server sent no certificate.
    public func judge(
        _ handshake: HandshakeEvidence, candidates: [(name: String?, hosts: [String])], plan: NamePlan?
    ) -> HandshakeJudgement? {
        guard !handshake.chain.isEmpty, !candidates.isEmpty else { return nil }
        let at = phoneTime(at: handshake.at)
        func verify(_ anchors: [TrustAnchor], _ hosts: [String], _ time: Date) -> Verdict? {
            Verifier.verify(
                presented: handshake.chain, refusal: handshake.refusal, endpoint: handshake.endpoint, anchors: anchors, hosts: hosts,
                plan: plan, profile: profile, time: time, vocabulary: vocabulary)
        }
        // A fresh phone at boot gets its sign-in roots only later; a phone that signed in before never looks again.
        let later = phase == .boot && start.phase != .signedIn ? downloadable(in: .signIn) : []
        let elsewhere = start.phase == .signedIn || state.network == .external ? downloadable(in: .signIn, on: .internal) : []
        var judged: [(candidate: HandshakeJudgement.Candidate, state: Finding?, otherwise: Verdict?)] = []
        for (name, hosts) in candidates {
            let timing = RootTiming.judge(
                host: name ?? handshake.address, phase: phase, state: state, later: later.isEmpty ? nil : (later, .signIn),
                elsewhere: elsewhere, profile: profile, vocabulary: vocabulary
            ) { verify($0, hosts, at) }
            guard let verdict = timing.verdict else { return nil }
            judged.append((HandshakeJudgement.Candidate(name: name, hosts: hosts, verdict: verdict), timing.finding, timing.otherwise))
        }
        let chosen = judged.first { $0.candidate.verdict.isTrusted } ?? judged[0]
        var findings: [Finding]
        if let stateFinding = chosen.state, let otherwise = chosen.otherwise {
            // Only the root was missing: say when the phone gets it (or that it will not look again), and keep what else
            // the chain has against it.
            findings = otherwise.findings.filter { $0.severity != .info } + [stateFinding]
        } else {
            findings = chosen.candidate.verdict.findings.filter { $0.severity != .info }
        }
        // The other names: what fails only for them, a warning when a name the phone may have used is covered.
        let reported = Set(chosen.candidate.verdict.findings.map(\.code))
        for other in judged where other.candidate.name != chosen.candidate.name {
            findings += other.candidate.verdict.findings.filter { $0.severity != .info && !reported.contains($0.code) }.map {
                chosen.candidate.verdict.isTrusted ? $0.with(severity: .warning) : $0
            }
        }
        // The same chain at the true time: a wrong clock that hides or breaks it is clock-skew.
        if let clock, abs(clock.offset) > 1, let truth = verify(state.anchors, chosen.candidate.hosts, handshake.at),
            let skew = ClockRule.chain(
                host: chosen.candidate.name ?? handshake.address, offset: clock.offset, source: clock.source, phoneClock: at,
                atPhoneClock: chosen.candidate.verdict, atTrueTime: truth)
        {
            findings.append(finding(.clockSkew, skew.severity, skew.detail))
        }
        return HandshakeJudgement(
            candidates: judged.map(\.candidate), chosen: chosen.candidate, findings: findings, phoneClock: at, clockSource: clock?.source)
    }

    // MARK: DHCP

    /// The DHCP answers the phone took, judged for this build — the one rule for the live walk's `dhcp` step and a
    /// capture's: the exchange's findings, less the option 120 findings when the build's lookup order does not read
    /// option 120 (a fix names only what the build reads), and `dhcp-option-43-web-fqdn` when option 43 names other web
    /// services than the deployment's. The judge keeps the exchange: the options are part of what the phone knows.
    /// - Parameters:
    ///   - exchange: The answers.
    ///   - expectedWebServices: The web services FQDN the deployment says the phones should use, when one is known.
    /// - Returns: The findings, and whether option 120 findings were left out for this build.
    public mutating func judge(_ exchange: DHCPExchange, expectedWebServices: String? = nil) -> (
        findings: [Finding], option120LeftOut: Bool
    ) {
        dhcp = exchange
        let option120: Set<FindingCode> = [.dhcpOption120Missing, .dhcpOption120Address, .dhcpOption120TooMany]
        let reads = profile.lookupPlan.readsOption120
        var findings = exchange.findings.filter { reads || !option120.contains($0.code) }
        let leftOut = !reads && exchange.findings.contains { option120.contains($0.code) }
        let provisioning = exchange.phoneAnswer?.options.provisioning
        if let expectedWebServices, let given = provisioning?.webFQDN, given != expectedWebServices {
            findings.append(
                finding(
                    .dhcpOption43WebFQDN, .warning,
                    .dhcp(.provisioning(provisioning, subOption: 3, missing: [], expectedWebFQDN: expectedWebServices))))
        }
        return (findings, leftOut)
    }

    // MARK: The trace

    /// Closes one step of the trace: its status follows the most severe finding (`skipped` when the producer did nothing
    /// and found nothing), each finding is listed once, and a live walk's step carries
    /// the phase the judge is in. The one assembly for the live walk and the capture.
    /// - Parameters:
    ///   - kind: Which step.
    ///   - queries: The DNS questions it asked.
    ///   - endpoints: The servers it reached.
    ///   - samples: The time servers it asked.
    ///   - roots: The roots it gathered.
    ///   - notes: What it decided, in order.
    ///   - findings: What is wrong.
    ///   - skipped: Whether the producer could not take the step.
    public mutating func close(
        _ kind: BootStepKind, queries: [BootQuery] = [], endpoints: [BootEndpoint] = [], samples: [BootTimeSample] = [],
        roots: [BootRoot] = [], notes: [String], findings: [Finding], skipped: Bool = false
    ) {
        let status: BootStepStatus =
            if skipped && findings.isEmpty { .skipped } else if findings.contains(where: { $0.severity == .error }) {
                .failed
            } else if findings.contains(where: { $0.severity == .warning }) { .warning } else { .ok }
        steps.append(
            BootStep(
                kind: kind, status: status, queries: queries, endpoints: endpoints, timeSamples: samples, roots: roots, notes: notes,
                findings: findings.withoutRepeats, phase: phased ? phase : nil))
    }

    /// The trace of the steps closed so far, from the state the phone started in.
    /// - Parameters:
    ///   - clockAt: The true time at which the phone's clock is reported; nil when it set none.
    ///   - otherwise: Where the clock comes from when no reading set it (a capture's: its own clock); nil for none.
    /// - Returns: The trace.
    public func trace(clockAt: Date?, otherwise: String? = nil) -> BootTrace {
        var trace = BootTrace(
            profile: profile, phoneClock: clockAt.map(phoneTime(at:)), clockSource: clock?.source.description ?? otherwise,
            steps: steps)
        trace.state = start
        return trace
    }

    // MARK: DNS

    /// The names the phone had resolved to an address by a time (an answer recorded then or earlier gave it): the names a
    /// handshake to that address may have used when the producer does not know which (a capture without SNI).
    /// - Parameters:
    ///   - address: The address.
    ///   - time: The true time of the handshake.
    /// - Returns: The names, each once, sorted.
    public func names(resolving address: String, by time: Date) -> [String] {
        Array(Set((resolved[address] ?? []).filter { $0.at <= time }.map(\.name))).sorted()
    }

    /// `dns-order-differs` when the registrar SRV questions the phone asked (``asked``) came in another order than the
    /// build's plan says.
    /// - Returns: The finding, or none.
    public func dnsOrder() -> [Finding] {
        let queries = asked
        let prefixes = ["_sipinternaltls._tcp.", "_sip._tls.", "_sipinternal._tcp.", "_sip._tcp."]
        guard let first = queries.first(where: { query in query.type == .srv && prefixes.contains { query.name.hasPrefix($0) } }),
            let prefix = prefixes.first(where: { first.name.hasPrefix($0) })
        else { return [] }
        let sip = String(first.name.dropFirst(prefix.count))
        let expected = profile.lookupPlan.registrar.compactMap { step -> String? in
            guard step.kind == .srvTLS || step.kind == .srvTCP, let name = step.name, !name.placeholders.contains(.dhcp) else {
                return nil
            }
            return try? name.expand { $0 == .sip ? [sip] : [] }.get().first
        }
        var seen: [String] = []
        for query in queries where query.type == .srv && expected.contains(query.name) && !seen.contains(query.name) {
            seen.append(query.name)
        }
        let order = expected.filter { seen.contains($0) }
        guard seen != order else { return [] }
        return [
            finding(
                .dnsOrderDiffers, .warning,
                .capture(.dnsOrder(seen: seen, expected: order, device: profile.name, source: profile.facts[.registrarLookup]?.source)))
        ]
    }

    /// A finding about this build.
    func finding(_ code: FindingCode, _ severity: Severity, _ detail: FindingDetail) -> Finding {
        Finding(code: code, severity: severity, detail: detail, client: FindingClient(profile), vocabulary: vocabulary)
    }
}
