import CXCertCore
import CXCertDirectory
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Replays what a phone does from power-on to sign-in — time, registrar, roots, web services, Device
/// Update, Exchange — for each firmware build, with the lookup orders and rules of that build's data
/// (`Knowledge/discovery.json`), and judges every server it reaches at the phone's own clock.
public struct BootWalker: Sendable {
    /// What the walk is told and whom it walks for.
    public struct Configuration: Sendable {
        /// The values DHCP gives the phones, the sign-in, and the DNS and NTP servers.
        public var inputs: BootInputs
        /// The firmware builds to walk, one trace each.
        public var profiles: [DeviceProfile]
        /// Roots given with `--trust`.
        public var trusted: [TrustAnchor]
        /// What the directory the phone downloads roots from holds once it finds a DC (`--ad`, `--ad-snapshot`), as read:
        /// the judge derives the roots (``PhoneJudge/roots(in:)``).
        public var directory: [DirectoryRead]?
        /// Roots from a captured Certificate Provisioning answer.
        public var certificateProvisioning: [TrustAnchor]?
        /// The deployment's name plan, when one is known.
        public var plan: NamePlan?
        /// Seconds for each network operation.
        public var timeout: TimeInterval
        /// Seconds for the whole walk (every build): past it no operation is started, each later one is reported
        /// as not made, and the walk reports what it has (300 by default).
        public var deadline: TimeInterval = 300
        /// Candidates tried per step and template (time sources, registrars), and DNS servers asked: the
        /// answers choose how many there are, so the rest are named in a note, not tried (16 by default).
        public var maxCandidates: Int = 16
        /// This machine's clock (the "true" time skew is measured against).
        public var now: Date
        /// The DHCP answers the walk started from, when it did (the `dhcp` step).
        public var dhcp: DHCPExchange?
        /// The web services the deployment says the phones should use, to compare with DHCP option 43.
        public var expectedWebServices: Endpoint?
        /// The words of the findings' remedies: plain by default; `cxcert boot` asks for `.command(.boot)`.
        public var vocabulary: Vocabulary = .plain
        /// Whether the phones signed in before (`--signed-in`): they hold ``heldRoots`` and do not download again.
        /// False by default: a phone fresh from reset, walked at boot, at its first sign-in and once signed in.
        public var signedIn = false
        /// Roots the phones hold from an earlier sign-in (`--held-root`).
        public var heldRoots: [TrustAnchor] = []
        /// The sign-in method; nil for each build's default (`Knowledge/discovery.json` `signInMethods`).
        public var signIn: SignInMethod?
        /// The network the phones are on.
        public var network: NetworkSide = .internal
        /// The phones' starting state: ``signedIn``, ``heldRoots``, ``signIn`` and ``network`` as one value.
        public var start: PhoneStart {
            get { PhoneStart(signedIn: signedIn, heldRoots: heldRoots, signIn: signIn, network: network) }
            set {
                signedIn = newValue.signedIn
                heldRoots = newValue.heldRoots
                signIn = newValue.signIn
                network = newValue.network
            }
        }
        /// Whether the walk sends the phone's root-chain request to the Certificate Provisioning service at sign-in
        /// (false by default; `cxcert boot` turns it on unless `--certprov-response` or `--no-certprov` is given).
        public var downloadsRootChains = false
        /// The largest root-chain answer read, in bytes (256 KiB by default).
        public var maxRootChainBytes = 256 << 10
        /// Whether the walk sends the phone's first REGISTER (no credentials) to the registrar after its handshake and
        /// reads the challenges (`SIPRegisterStep.swift`); false by default, `cxcert boot --sip-register` turns it on.
        public var registersWithSIP = false
        /// Who the phones say they are to Device Update; when set, the walk sends the `ucdevice.upx` check (each build's
        /// own firmware replaces ``/CXCertDirectory/DeviceUpdate/Identity/firmware``). Nil by default: nothing is sent.
        public var deviceUpdateIdentity: DeviceUpdate.Identity?

        /// A walk's configuration; ``dhcp`` and ``expectedWebServices`` start unset, ``vocabulary`` plain.
        /// - Parameters:
        ///   - inputs: What the phones are told.
        ///   - profiles: The builds to walk.
        ///   - trusted: Roots given with `--trust`.
        ///   - directory: What the directory holds, as read, for the phone's download once it finds a DC; `nil` when unknown.
        ///   - certificateProvisioning: Roots from a captured Certificate Provisioning answer; `nil` when none.
        ///   - plan: The deployment's name plan, if any.
        ///   - timeout: Seconds for each network operation.
        ///   - now: This machine's clock, against which the phone's clock skew is measured.
        public init(
            inputs: BootInputs, profiles: [DeviceProfile], trusted: [TrustAnchor] = [], directory: [DirectoryRead]? = nil,
            certificateProvisioning: [TrustAnchor]? = nil, plan: NamePlan? = nil, timeout: TimeInterval = 5, now: Date = Date()
        ) {
            self.inputs = inputs
            self.profiles = profiles
            self.trusted = trusted
            self.directory = directory
            self.certificateProvisioning = certificateProvisioning
            self.plan = plan
            self.timeout = timeout
            self.now = now
        }
    }

    /// The note of a `dhcp` step whose option 120 findings were left out (boot and trace say it alike).
    static let option120LeftOut = "option 120 findings are left out: this build's lookup order does not read option 120"

    /// "3.0 days", "12 min", "0.250 s": an offset for people.
    public static func describe(duration seconds: TimeInterval) -> String { durationText(seconds) }

    /// A clock offset larger than this is reported even when it changes no verdict.
    public static let notableSkew: TimeInterval = ClockRule.notableSkew

    /// What the walk is told and whom it walks for.
    public let configuration: Configuration

    /// A walker for this configuration; nothing is sent until ``walk()``.
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Walks every build at once, each a child task (the work is waiting on the network, whose blocking calls run on
    /// the shared executor), sharing each DNS question and handshake between builds; the walk's deadline
    /// (``Configuration/deadline``) bounds them all.
    public func walk() async -> BootReport {
        let session = BootSession(
            servers: configuration.inputs.dnsServers, timeout: configuration.timeout,
            deadline: Date().addingTimeInterval(configuration.deadline), maxServers: configuration.maxCandidates)
        let traces = await withTaskGroup(of: (Int, BootTrace).self) { [configuration] group in
            for (index, profile) in configuration.profiles.enumerated() {
                group.addTask {
                    var walk = BuildWalk(configuration: configuration, profile: profile, session: session)
                    return (index, await walk.run())
                }
            }
            var traces: [BootTrace?] = Array(repeating: nil, count: configuration.profiles.count)
            for await (index, trace) in group { traces[index] = trace }
            return traces.compactMap { $0 }
        }
        return BootReport(at: configuration.now, inputs: configuration.inputs, builds: traces)
    }
}

/// One build's walk: steps in order, each recording its questions, endpoints and findings.
struct BuildWalk {
    let configuration: BootWalker.Configuration
    let profile: DeviceProfile
    let session: BootSession
    var inputs: BootInputs { configuration.inputs }

    // The step being recorded.
    var queries: [BootQuery] = []
    var endpoints: [BootEndpoint] = []
    var samples: [BootTimeSample] = []
    var notes: [String] = []
    var findings: [Finding] = []
    /// The trace so far: the judge assembles it.
    var steps: [BootStep] {
        get { judge.steps }
        set { judge.steps = newValue }
    }
    /// This step's answers by question: a host two lookups of the build's order name (`sipinternal.{sip}` on 5061, then
    /// on 443) is asked, listed and noted once per step.
    var answered: [String: (answer: DNSAnswer, name: String)] = [:]
    /// The SRV targets this build was given and those said to be aliases (RFC 2782: a target is never an alias).
    var srvAliases = SRVTargetAliases()

    // What earlier steps found.
    var registrar: (host: String, address: String, port: Int, via: String)?
    /// The Device Update servers found at boot, judged again once signed in.
    var updateServers: [(name: String, address: String)] = []
    /// The roots the live root-chain download returned (`CertProvStep.swift`).
    var provisioned: [TrustAnchor]?

    /// The judge: the phone's state (roots held, phase, clock) and the judgement of what the walk meets. The walk is
    /// the producer: it asks, connects and hands the judge what it found.
    var judge: PhoneJudge
    var state: PhoneState { judge.state }
    var phase: BootPhase { judge.phase }
    var start: PhoneState { judge.start }
    var lifecycle: PhoneLifecycle { judge.lifecycle }
    var clock: TimeEvidence? { judge.clock }

    init(configuration: BootWalker.Configuration, profile: DeviceProfile, session: BootSession) {
        self.configuration = configuration
        self.profile = profile
        self.session = session
        judge = PhoneJudge(
            profile: profile,
            state: configuration.start.state(profile: profile, trusted: configuration.trusted),
            sources: PhoneJudge.RootSources(
                directory: configuration.directory ?? [], certificateProvisioning: configuration.certificateProvisioning ?? []),
            vocabulary: configuration.vocabulary)
    }

    /// The phases of the walk: at boot (DHCP, time, Device Update); a fresh phone's first sign-in (registrar, the
    /// root download, the registrar's and web services' certificates) and then, signed in, Device Update again and
    /// Exchange; a phone that signed in before goes from boot to its signed-in steps, with the roots it holds.
    mutating func run() async -> BootTrace {
        if let dhcp = configuration.dhcp { walkDHCP(dhcp) }
        await walkTime()
        await foreseeCertProv()
        await walkDeviceUpdate()
        await walkDeviceUpdateRequest()
        if state.phase == .signedIn {
            judge.enter(.signedIn)
            await walkRegistrar()
            await walkRoots()
            await walkRegistrarTLS()
            await walkSIPRegister()
            await walkWebServices()
        } else {
            judge.enter(.signIn)
            await walkRegistrar()
            await walkCertProv()
            await walkRoots()
            await walkRegistrarTLS()
            await walkSIPRegister()
            await walkWebServices()
            judge.enter(.signedIn)
            if !updateServers.isEmpty { await walkDeviceUpdateAgain() }
        }
        await walkExchange()
        if session.deadlinePassed {
            if let last = steps.indices.last {
                let step = steps[last]
                steps[last] = BootStep(
                    kind: step.kind, status: step.status, queries: step.queries, endpoints: step.endpoints, timeSamples: step.timeSamples,
                    roots: step.roots,
                    notes: step.notes
                        + ["the walk's deadline (\(durationText(configuration.deadline))) passed: operations after it were not made"],
                    findings: step.findings, phase: step.phase)
            }
        }
        return judge.trace(clockAt: clock?.at)
    }

    // MARK: Recording

    mutating func finish(_ kind: BootStepKind, skipped: Bool = false, roots: [BootRoot] = []) {
        var noted: Set<String> = []
        let unanswered = queries.filter { $0.answer.isUnanswered }
        if !unanswered.isEmpty {
            let failed = findings.contains { $0.severity == .error }
            findings.append(
                finding(
                    .dnsUnanswered, failed ? .error : .warning,
                    .walk(
                        .dnsUnanswered(
                            questions: unanswered.map {
                                WalkFacts.DNSQuestion(
                                    name: $0.name, type: $0.type.rawValue, server: $0.server?.description, result: $0.answer.result)
                            },
                            servers: inputs.dnsServers.map(\.description)))))
        }
        judge.close(
            kind, queries: queries, endpoints: endpoints, samples: samples, roots: roots, notes: notes.filter { noted.insert($0).inserted },
            findings: findings, skipped: skipped)
        answered = [:]
        queries = []
        endpoints = []
        samples = []
        notes = []
        findings = []
    }

    func finding(_ code: FindingCode, _ severity: Severity, _ detail: FindingDetail) -> Finding {
        Finding(code: code, severity: severity, detail: detail, client: FindingClient(profile), vocabulary: configuration.vocabulary)
    }

    // MARK: DNS

    /// Asks one question and records it.
    mutating func ask(_ name: String, _ type: DNSRecordType, purpose: String) async -> DNSAnswer {
        var final = DNSResponse(answer: .failed("not asked"))
        for (server, response) in await session.ask(name, type) {
            let query = BootQuery(
                name: name, type: type, server: server, answer: response.answer, purpose: purpose, aliases: response.aliases)
            queries.append(query)
            judge.record(.dns(query, at: Date()))
            final = response
        }
        noteSRVAliases(name, type, final)
        let last = final.answer
        if answer(last, isOversized: true) {
            findings.append(
                finding(
                    .dnsAnswerOversized, .warning,
                    .walk(
                        .dnsAnswer(
                            name: name, type: type.rawValue, result: last.result, answers: describe(last).components(separatedBy: ", "),
                            limit: DNSClient.maxRecords, retriedFrom: nil, domain: nil))))
        }
        return last
    }

    func answer(_ answer: DNSAnswer, isOversized: Bool) -> Bool {
        max(answer.addresses.count, answer.services.count) >= DNSClient.maxRecords
    }

    /// Asks, and for builds that retry with their DNS suffixes, asks NAME.<option 15> and NAME.<each option
    /// 119 domain> after a negative answer. Returns the answer and the name that gave it.
    mutating func lookup(_ name: String, _ type: DNSRecordType, purpose: String, retry: Bool = true) async -> (
        answer: DNSAnswer, name: String
    ) {
        let key = "\(name.lowercased()) \(type.rawValue) \(retry)"
        if let known = answered[key] { return known }
        let result = await lookupOnce(name, type, purpose: purpose, retry: retry)
        answered[key] = result
        return result
    }

    private mutating func lookupOnce(_ name: String, _ type: DNSRecordType, purpose: String, retry: Bool) async -> (
        answer: DNSAnswer, name: String
    ) {
        let first = await ask(name, type, purpose: purpose)
        guard retry, profile.lookupPlan.suffixRetries, first == .nxdomain || first == .nodata else { return (first, name) }
        // Each suffix once: option 119 often repeats option 15's domain.
        var suffixes: Set<String> = []
        for suffix in ([inputs.dhcpDomain].compactMap { $0 } + inputs.searchDomains)
        where !name.hasSuffix(".\(suffix)") && suffixes.insert(suffix.lowercased()).inserted {
            let concatenated = "\(name).\(suffix)"
            let answer = await ask(concatenated, type, purpose: purpose + " (DNS suffix retry)")
            if !answer.addresses.isEmpty || !answer.services.isEmpty {
                findings.append(
                    finding(
                        .concatenatedNameAnswered, .warning,
                        .walk(
                            .dnsAnswer(
                                name: concatenated, type: type.rawValue, result: answer.result,
                                answers: describe(answer).components(separatedBy: ", "),
                                limit: nil, retriedFrom: name, domain: suffix))))
                return (answer, concatenated)
            }
        }
        return (first, name)
    }

    /// The IPv4 addresses of a host (an IP literal is its own address).
    mutating func addresses(_ host: String, purpose: String, retry: Bool = true) async -> [String] {
        await resolve(host, purpose: purpose, retry: retry).addresses
    }

    /// The IPv4 addresses of a host and the DNS result that gave them (`records` for an IP literal).
    mutating func resolve(_ host: String, purpose: String, retry: Bool = true) async -> (addresses: [String], result: String) {
        if HostnameMatcher.ipAddress(host) != nil { return ([host], "records") }
        let answer = await lookup(host, .a, purpose: purpose, retry: retry).answer
        return (answer.addresses, answer.result)
    }

    func describe(_ answer: DNSAnswer) -> String {
        switch answer {
        case .addresses(let list): list.joined(separator: ", ")
        case .services(let list): list.map { "\($0.target):\($0.port)" }.joined(separator: ", ")
        default: answer.result
        }
    }

    /// The names a template of the build's plan stands for; nil (with a note) when an input it needs is missing.
    mutating func expand(_ template: NameTemplate) -> [String]? {
        let expanded = template.expand { placeholder in
            switch placeholder {
            case .sip: [inputs.sipDomain]
            case .dhcp: [inputs.dhcpDomain].compactMap { $0 }
            case .search: inputs.searchDomains
            case .smtp: [inputs.smtpDomain].compactMap { $0 }
            case .userdomain: inputs.userDomains
            }
        }
        switch expanded {
        case .success(let names): return names
        case .failure(let missing):
            let what =
                switch missing.placeholder {
                case .sip: "the SIP domain"
                case .dhcp: "a DHCP domain (option 15)"
                case .search: "search domains (option 119)"
                case .smtp: "an SMTP domain"
                case .userdomain: "a user or DHCP domain"
                }
            notes.append("\(template): not asked, no \(what) given")
            return nil
        }
    }

    static func sorted(_ records: [SRVRecord]) -> [SRVRecord] {
        records.sorted { ($0.priority, -$0.weight) < ($1.priority, -$1.weight) }
    }

    static func isUnder(_ name: String, domain: String) -> Bool {
        let host = name.lowercased().trimming(".")
        return host == domain || host.hasSuffix("." + domain)
    }

    // MARK: Step 0: DHCP

    mutating func walkDHCP(_ exchange: DHCPExchange) {
        notes.append(
            "asked from \(exchange.clientAddress ?? "?") on \(exchange.interface ?? "?"): \(exchange.answers.count) answer\(exchange.answers.count == 1 ? "" : "s")"
        )
        for answer in exchange.answers {
            notes.append(
                "\(answer.server) answered vendor class \(answer.vendorClass ?? "(none)") with options \(answer.message.order.map(String.init).joined(separator: ", "))"
            )
        }
        if let answer = exchange.phoneAnswer {
            let options = answer.options
            notes.append("the phone uses \(answer.server)'s answer to MS-UC-Client")
            notes.append(
                "option 15 \(options.domainName ?? "none"); 119 \(options.searchDomains.joined(separator: ", ")); 6 \(options.dnsServers.joined(separator: ", ")); 42 \(options.ntpServers.joined(separator: ", ")); 120 \(options.registrars.joined(separator: ", ")); 43 \(options.provisioning?.url ?? "none")"
            )
        }
        let judged = judge.judge(exchange, expectedWebServices: configuration.expectedWebServices?.host)
        findings += judged.findings
        if judged.option120LeftOut { notes.append(BootWalker.option120LeftOut) }
        finish(.dhcp)
    }

    // MARK: Step 1: time

    mutating func walkTime() async {
        var unsynchronized: [BootTimeSample] = []
        search: for step in profile.lookupPlan.time {
            // `retry`: a name that already appends a DHCP domain is not retried with the suffixes again.
            var candidates: [(name: String, port: Int, how: TimeVia, retry: Bool)] = []
            switch step {
            case .srv(let template):
                for name in expand(template) ?? [] {
                    let (answer, asked) = await lookup(name, .srv, purpose: "time: \(step)")
                    candidates += Self.sorted(answer.services).map { ($0.target, $0.port, .srv(name: asked), true) }
                }
            case .option42:
                if inputs.ntpServers.isEmpty { notes.append("option42: no DHCP option 42 given") }
                candidates += inputs.ntpServers.map { ($0.host, $0.port, .option42, true) }
            case .host(let template, let port):
                let concatenated = template.isConcatenation
                candidates += (expand(template) ?? []).map { ($0, port ?? 123, .addressRecord(concatenated: concatenated), !concatenated) }
            case .option120, .srvTLS, .srvTCP, .https, .httpRedirect:
                continue  // not a time lookup: the device data is checked when it loads
            }
            if candidates.count > configuration.maxCandidates {
                notes.append(
                    "\(candidates.count) time sources from '\(step)'; the first \(configuration.maxCandidates) are tried, not: "
                        + candidates.dropFirst(configuration.maxCandidates).prefix(16).map(\.name).joined(separator: ", ")
                        + (candidates.count > configuration.maxCandidates + 16 ? ", …" : ""))
                candidates = Array(candidates.prefix(configuration.maxCandidates))
            }
            for candidate in candidates {
                for address in await addresses(candidate.name, purpose: "time: \(candidate.how)", retry: candidate.retry).prefix(2) {
                    let sample = BootTimeSample(
                        name: candidate.name, address: address, port: candidate.port, how: candidate.how,
                        result: await session.time(address: address, port: candidate.port))
                    samples.append(sample)
                    switch sample.result {
                    case .success(let response) where response.isUnsynchronized: unsynchronized.append(sample)
                    case .success(let response):
                        judge.record(
                            TimeEvidence(
                                kind: .answer, offset: response.offset,
                                source: .server(name: candidate.name, address: address, port: candidate.port, via: candidate.how),
                                at: configuration.now))
                        break search
                    case .failure: continue
                    }
                }
            }
        }
        findings += judge.clockFindings(
            unsynchronized.compactMap { sample in
                guard case .success(let response) = sample.result else { return nil }
                return .walk(
                    .ntp(
                        server: sample.name, address: sample.address, port: sample.port, via: sample.how, leap: response.leapIndicator,
                        stratum: response.stratum, referenceID: response.referenceID, kissOfDeath: response.isKissOfDeath))
            })
        if let clock {
            notes.append(
                "phone clock: \(iso8601(judge.phoneTime(at: clock.at))) from \(clock.source), offset \(durationText(clock.offset))")
        } else {
            findings.append(
                finding(.timeSourceMissing, .error, .walk(.search(tried: profile.lookupPlan.time, domains: [inputs.sipDomain], roots: nil)))
            )
        }
        finish(.time)
    }

    // MARK: Step 2: registrar

    mutating func walkRegistrar() async {
        var recoverable: [Finding] = []
        let suites = profile.tlsCipherSuites
        search: for step in profile.lookupPlan.registrar {
            var candidates: [(host: String, port: Int, via: String)] = []
            switch step {
            case .option120:
                if inputs.registrars.isEmpty { notes.append("option120: no DHCP option 120 given") }
                candidates = inputs.registrars.map { ($0.host, $0.port, "DHCP option 120") }
            case .srvTLS(let template), .srvTCP(let template):
                for name in expand(template) ?? [] {
                    let (answer, asked) = await lookup(name, .srv, purpose: "registrar: \(step)", retry: !template.isConcatenation)
                    for record in Self.sorted(answer.services) {
                        let target = record.target.lowercased().trimming(".")
                        if target.isEmpty {
                            notes.append("\(asked): the record says the service is not offered")
                            continue
                        }
                        if step.kind == .srvTCP {
                            notes.append("\(asked) → \(target):\(record.port) is a TCP registrar; the phone needs TLS and does not use it")
                            continue
                        }
                        if profile.lookupPlan.strictNaming, !Self.isUnder(target, domain: inputs.sipDomain) {
                            recoverable.append(
                                finding(
                                    .strictDNSNaming, .error,
                                    .walk(
                                        .dnsAnswer(
                                            name: asked, type: DNSRecordType.srv.rawValue, result: answer.result, answers: [target],
                                            limit: nil,
                                            retriedFrom: nil, domain: inputs.sipDomain))))
                            continue
                        }
                        candidates.append((target, record.port, "SRV \(asked)"))
                    }
                }
            case .host(let template, let port):
                candidates = (expand(template) ?? []).map { ($0, port ?? 5061, "A record") }
            case .option42, .srv, .https, .httpRedirect:
                continue  // not a registrar lookup: the device data is checked when it loads
            }
            if candidates.count > configuration.maxCandidates {
                notes.append(
                    "\(candidates.count) registrar candidates from '\(step)'; the first \(configuration.maxCandidates) are tried, not: "
                        + candidates.dropFirst(configuration.maxCandidates).prefix(16).map { "\($0.host):\($0.port)" }.joined(
                            separator: ", ")
                        + (candidates.count > configuration.maxCandidates + 16 ? ", …" : ""))
                candidates = Array(candidates.prefix(configuration.maxCandidates))
            }
            for candidate in candidates {
                guard let address = await addresses(candidate.host, purpose: "registrar: \(candidate.via)").first else {
                    notes.append("\(candidate.host) (\(candidate.via)) has no address")
                    continue
                }
                switch await session.handshake(address: address, port: candidate.port, suites: suites) {
                case .failure(let error) where Self.isUnreachable(error):
                    recoverable.append(
                        finding(
                            .endpointUnreachable, .error,
                            .walk(
                                .endpoint(
                                    host: candidate.host, address: address, port: candidate.port, service: "tls", purpose: "registrar",
                                    via: candidate.via, failure: error.description))))
                default:
                    registrar = (candidate.host, address, candidate.port, candidate.via)
                    notes.append("registrar: \(candidate.host):\(candidate.port) (\(address)) from \(candidate.via)")
                    break search
                }
            }
        }
        // A registrar given as an address (--registrar) is what option 120 encoding 1 carries: the same finding as
        // `dhcp decode`, unless the DHCP answer the walk started from already gave it.
        let literals = inputs.registrars.map(\.host).filter { HostnameMatcher.ipAddress($0) != nil }
        if profile.lookupPlan.readsOption120, !literals.isEmpty,
            configuration.dhcp?.findings.contains(where: { $0.code == .dhcpOption120Address }) != true
        {
            let raw = [UInt8(1)] + literals.flatMap { $0.split(separator: ".").compactMap { UInt8($0) } }
            findings.append(finding(.dhcpOption120Address, .error, .dhcp(.dhcpOption(option: 120, raw: raw, decoded: literals))))
        }
        if !inputs.registrars.isEmpty, profile.lookupPlan.readsOption120 {
            let sip = inputs.sipDomain
            // Option 120 and DNS should name the same registrar (seed 004 l.35): the phone uses whichever it meets first.
            let records = await lookup("_sipinternaltls._tcp.\(sip)", .srv, purpose: "registrar: compare with option 120", retry: false)
                .answer
                .services
            let targets = Set(records.map { $0.target.lowercased().trimming(".") })
            if !targets.isEmpty, targets.isDisjoint(with: inputs.registrars.map(\.host)) {
                findings.append(
                    finding(
                        .dhcpOption120Mismatch, .warning,
                        .dhcp(
                            .registrarMismatch(
                                option120: inputs.registrars.map(\.host), srv: "_sipinternaltls._tcp.\(sip)", targets: targets.sorted()))))
            }
        }
        if registrar == nil {
            findings += recoverable
            findings.append(
                finding(
                    .registrarNotFound, .error, .walk(.search(tried: profile.lookupPlan.registrar, domains: [inputs.sipDomain], roots: nil))
                ))
        } else {
            findings += recoverable.map { $0.with(severity: .warning) }
        }
        finish(.registrar)
    }

    static func isUnreachable(_ error: ProbeError) -> Bool { error.isUnreachable }

    // MARK: Step 3: roots

    mutating func walkRoots() async {
        let held = judge.heldRoots
        var roots = held.roots
        if held.cache > 0 { notes.append("\(held.cache) roots from the built-in trusted-authorities cache") }
        // What this phase's sign-in downloads (the build's rootDiscovery ∩ the method's row); a phone that signed in
        // before keeps what it holds and does not look again until it is reset.
        let (downloads, rule) = lifecycle.downloads(in: phase, signIn: state.signIn, network: state.network)
        let looks = judge.looksForRoots
        let method = state.signIn.rawValue
        if !looks {
            notes.append(
                "the phone signed in before: it uses the roots it holds and does not download again until it is reset (\(profile.facts[.rootsKeptUntilReset].map { readableSource($0.source) } ?? "device data"))"
            )
        } else if state.network == .external {
            notes.append("outside the network the phone downloads no root (\(rule.map { readableSource($0.source) } ?? "device data"))")
        } else if let rule, rule.confidence == .low, !downloads.isEmpty {
            notes.append("what a \(method) sign-in downloads on this build rests on a low-confidence row (\(readableSource(rule.source)))")
        }
        let usesDirectory = looks && downloads.contains(where: \.fromDirectory)
        var dcFound = false
        for step in profile.lookupPlan.dcLocator {
            switch step {
            case .srv(let template):
                for name in expand(template) ?? [] {
                    let (answer, asked) = await lookup(name, .srv, purpose: "roots: DC locator")
                    for record in Self.sorted(answer.services).prefix(4) where !record.target.isEmpty {
                        if await !addresses(record.target, purpose: "roots: domain controller").isEmpty {
                            dcFound = true
                            notes.append("domain controller: \(record.target):\(record.port) from \(asked)")
                        }
                    }
                }
            case .host(let template, _):
                for name in expand(template) ?? [] {
                    guard await addresses(name, purpose: "roots: domain apex").isEmpty else { continue }
                    notes.append("\(name) has no A record; the CX700 deployment guide says the phone needs it to find a DC again")
                }
            case .option120, .option42, .srvTLS, .srvTCP, .https, .httpRedirect:
                continue  // not a DC lookup: the device data is checked when it loads
            }
        }
        if let reads = configuration.directory {
            let directory = reads.flatMap(PhoneJudge.roots(in:))
            if !profile.rootDownloads.contains(where: \.fromDirectory) {
                notes.append("this build does not download roots from Active Directory")
            } else if !usesDirectory {
                if looks { notes.append("a \(method) sign-in does not download roots from Active Directory (device data)") }
            } else if dcFound {
                for read in reads { judge.record(.directory(read, at: Date())) }
                roots += directory.map { BootRoot(certificate: $0.certificate, source: $0.source.description) }
                if directory.isEmpty {
                    findings.append(
                        finding(.noRootDownload, .warning, .walk(.roots(scope: .activeDirectory, count: 0))))
                }
            } else {
                findings.append(
                    finding(
                        .dcNotFound, directory.isEmpty ? .warning : .error,
                        inputs.dcNotFound(
                            tried: profile.lookupPlan.dcLocator, adDomains: configuration.plan?.deployment.adDomains, directoryGiven: true,
                            roots: directory.count)))
            }
        } else if usesDirectory {
            notes.append("Active Directory not consulted: give --ad or --ad-snapshot to replay the phone's root download")
            if !dcFound, !inputs.userDomains.isEmpty {
                // No --ad, yet the sign-in's DC lookup found nothing: say so (the roots in AD are unknown).
                findings.append(
                    finding(
                        .dcNotFound, .warning,
                        inputs.dcNotFound(
                            tried: profile.lookupPlan.dcLocator, adDomains: configuration.plan?.deployment.adDomains, directoryGiven: false,
                            roots: nil)))
            }
        }
        if let provisioned = configuration.certificateProvisioning ?? provisioned {
            if !profile.rootDownloads.contains(.certificateProvisioning) {
                notes.append("this build does not use the Certificate Provisioning service")
            } else if looks && downloads.contains(.certificateProvisioning) {
                judge.receive(provisioned)
                roots += provisioned.map { BootRoot(certificate: $0.certificate, source: $0.source.description) }
            } else if looks {
                notes.append("a \(method) sign-in does not use the Certificate Provisioning service (device data)")
            }
        }
        let foreseen = judge.sources.certificateProvisioning.count
        if configuration.certificateProvisioning == nil, foreseen > 0, !looks || state.network == .external {
            notes.append(
                "the walk asked the Certificate Provisioning service for its root chains (\(foreseen) root\(foreseen == 1 ? "" : "s")), as a sign-in on the internal network would, to tell what this phone does not hold; the phone does not ask now"
            )
        }
        if roots.isEmpty && !profile.usesBuiltInCache {
            findings.append(
                finding(.noRootDownload, .error, .walk(.roots(scope: .signIn, count: 0))))
        }
        finish(.roots, roots: roots)
    }

    // MARK: TLS endpoints

    /// The phone's handshake to `address:port`, judged for `hosts` at the phone's clock. Returns whether the
    /// phone would trust it; findings go to the step (or to `deferred` when a later fallback may recover).
    /// With `namePlan` the chain must also cover the deployment's name plan (the pool's own endpoints); without it
    /// only `hosts` (Exchange, which the phone reaches by the autodiscover names alone).
    mutating func judge(
        host: String, address: String, port: Int, hosts: [String], purpose: String, namePlan: Bool = true, deferred: inout [Finding]
    ) async -> Bool {
        let plan = namePlan ? configuration.plan : nil
        switch await session.handshake(address: address, port: port, suites: profile.tlsCipherSuites) {
        case .failure(let error):
            endpoints.append(
                BootEndpoint(
                    host: host, address: address, port: port, purpose: purpose, chain: [], verdict: nil, outcome: error.description))
            deferred.append(
                finding(
                    .endpointUnreachable, .error,
                    .walk(
                        .endpoint(
                            host: host, address: address, port: port, service: "tls", purpose: purpose, via: nil, failure: error.description
                        ))))
            return false
        case .success(let report):
            let refusal: String? = if case .refused(let reason) = report.asPhone { reason } else { nil }
            let evidence = HandshakeEvidence(
                address: address, port: port, chain: report.presented, refusal: refusal, at: configuration.now)
            guard let judged = judge.judge(evidence, candidates: [(host, hosts)], plan: plan) else {
                endpoints.append(
                    BootEndpoint(
                        host: host, address: address, port: port, purpose: purpose, chain: [], verdict: nil,
                        outcome: "the server sent no certificate"))
                deferred.append(
                    finding(
                        .endpointUnreachable, .error,
                        .walk(.endpoint(host: host, address: address, port: port, service: "tls", purpose: purpose, via: nil, failure: nil))
                    ))
                return false
            }
            endpoints.append(
                BootEndpoint(
                    host: host, address: address, port: port, purpose: purpose, chain: report.presented, verdict: judged.verdict,
                    outcome: judged.verdict.isTrusted ? "trusted" : "not trusted"))
            deferred += judged.findings
            return judged.verdict.isTrusted
        }
    }

    // MARK: Step 4: the registrar's certificate

    mutating func walkRegistrarTLS() async {
        guard let registrar else {
            notes.append("no registrar to connect to")
            finish(.registrarTLS, skipped: true)
            return
        }
        var found: [Finding] = []
        _ = await judge(
            host: registrar.host, address: registrar.address, port: registrar.port, hosts: [registrar.host],
            purpose: "registrar (\(registrar.via))", deferred: &found)
        findings += found
        finish(.registrarTLS)
    }

    // MARK: Step 5: web services

    mutating func walkWebServices() async {
        guard let web = inputs.webServices else {
            notes.append("no web services FQDN given (--web-fqdn, or DHCP option 43)")
            finish(.webServices, skipped: true)
            return
        }
        let resolved = await resolve(web.host, purpose: "web services")
        guard let address = resolved.addresses.first else {
            findings.append(
                finding(
                    .endpointUnreachable, .error,
                    .walk(
                        .dnsAnswer(
                            name: web.host, type: DNSRecordType.a.rawValue, result: resolved.result, answers: [], limit: nil,
                            retriedFrom: nil,
                            domain: nil))))
            finish(.webServices)
            return
        }
        var found: [Finding] = []
        _ = await judge(host: web.host, address: address, port: web.port, hosts: [web.host], purpose: "web services", deferred: &found)
        findings += found
        await checkPlainHTTP(host: web.host, address: address, why: "the root-chain and file downloads")
        finish(.webServices)
    }

    mutating func checkPlainHTTP(host: String, address: String, why: String) async {
        if let error = await session.reach(address: address, port: 80) {
            endpoints.append(
                BootEndpoint(
                    host: host, address: address, port: 80, purpose: "plain HTTP", chain: [], verdict: nil, outcome: error.description))
            findings.append(
                finding(
                    .endpointUnreachable, .error,
                    .walk(
                        .endpoint(
                            host: host, address: address, port: 80, service: "http", purpose: why, via: nil, failure: error.description))))
        } else {
            endpoints.append(
                BootEndpoint(host: host, address: address, port: 80, purpose: "plain HTTP", chain: [], verdict: nil, outcome: "reachable"))
        }
    }

    // MARK: Step 6: Device Update

    mutating func walkDeviceUpdate() async {
        guard profile.looksUpUCUpdates else {
            notes.append("this build does not look up ucupdates-r2 (it is updated only through in-band provisioning)")
            finish(.deviceUpdate, skipped: true)
            return
        }
        var domains: [String] = []
        for source in profile.lookupPlan.deviceUpdateDomains {
            switch source {
            case .dhcpOption15: domains += [inputs.dhcpDomain].compactMap { $0 }
            case .dhcpOption119: domains += inputs.searchDomains
            case .sipDomain: domains.append(inputs.sipDomain)
            }
        }
        domains = domains.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        guard !domains.isEmpty else {
            notes.append("no DHCP domain given (option 15 or 119): nothing to look up")
            finish(.deviceUpdate, skipped: true)
            return
        }
        for domain in domains {
            let name = "ucupdates-r2.\(domain)"
            let resolved = await resolve(name, purpose: "device update")
            guard let address = resolved.addresses.first else {
                findings.append(
                    finding(
                        .deviceUpdateNotFound, .warning,
                        .walk(
                            .dnsAnswer(
                                name: name, type: DNSRecordType.a.rawValue, result: resolved.result, answers: [], limit: nil,
                                retriedFrom: nil,
                                domain: domain))))
                continue
            }
            var found: [Finding] = []
            _ = await judge(
                host: name, address: address, port: 443, hosts: ["ucupdates-r2", name], purpose: "device update", deferred: &found)
            findings += found
            updateServers.append((name, address))
            await checkPlainHTTP(host: name, address: address, why: "update files (CPE.nbt) and ucdevice.upx")
        }
        if !domains.contains(inputs.sipDomain) {
            // Sources disagree on the domain (phone-discovery.md D); the SIP domain is asked for the record only.
            let answer = await ask(
                "ucupdates-r2.\(inputs.sipDomain)", .a,
                purpose: "device update (Lync 2013 DNS doc names the SIP domain; not used for this verdict)")
            notes.append(
                "ucupdates-r2.\(inputs.sipDomain): \(describe(answer)) (the Lync 2013 DNS requirements name the SIP domain; the build's data names \(profile.lookupPlan.deviceUpdateDomains.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        finish(.deviceUpdate)
    }

    /// Device Update once signed in: the servers found at boot, judged again with the roots the phone now holds (it
    /// checks for updates at power-on, sign-in and every 24 hours, gg398740).
    mutating func walkDeviceUpdateAgain() async {
        notes.append(
            "the Device Update servers found at boot, judged with the roots the phone holds once signed in (after sign-in the update URL comes from in-band provisioning; the same pool answers)"
        )
        for server in updateServers {
            var found: [Finding] = []
            _ = await judge(
                host: server.name, address: server.address, port: 443, hosts: ["ucupdates-r2", server.name], purpose: "device update",
                deferred: &found)
            findings += found
        }
        finish(.deviceUpdate)
    }

    // MARK: Step 7: Exchange

    mutating func walkExchange() async {
        guard let smtp = inputs.smtpDomain else {
            notes.append("no SMTP domain given (--smtp-domain)")
            finish(.exchange, skipped: true)
            return
        }
        var failures: [Finding] = []
        var succeeded = false
        search: for step in profile.lookupPlan.autodiscover {
            guard let template = step.name else { continue }
            for host in expand(template) ?? [] {
                guard let address = await addresses(host, purpose: "exchange: \(step)").first else {
                    notes.append("\(host) has no address")
                    continue
                }
                switch step {
                case .https:
                    if await judge(
                        host: host, address: address, port: 443, hosts: [host],
                        purpose: "autodiscover https://\(host)/autodiscover/autodiscover.xml", namePlan: false, deferred: &failures)
                    {
                        succeeded = true
                        notes.append("autodiscover: https://\(host)/autodiscover/autodiscover.xml")
                        break search
                    }
                case .httpRedirect:
                    if await followRedirects(from: "http://\(host)/autodiscover/autodiscover.xml", address: address, failures: &failures) {
                        succeeded = true
                        break search
                    }
                case .option120, .option42, .srv, .srvTLS, .srvTCP, .host:
                    continue search  // not an autodiscover lookup: the device data is checked when it loads
                }
            }
        }
        // A URL the phone could not reach is a warning either way: the phone tries the next; what fails is the search
        // (autodiscover-failed). A certificate the phone's wrong clock hides stays an error even when it worked.
        func hidden(_ finding: Finding) -> Bool {
            if case .clock(_, _, _, _?, true, false, _) = finding.detail.walkFacts { return true }
            return false
        }
        if succeeded {
            findings += failures.map { hidden($0) ? $0 : $0.with(severity: .warning) }
        } else {
            findings += failures.map { $0.code == .endpointUnreachable ? $0.with(severity: .warning) : $0 }
            findings.append(
                finding(.autodiscoverFailed, .error, .walk(.search(tried: profile.lookupPlan.autodiscover, domains: [smtp], roots: nil))))
        }
        finish(.exchange)
    }

    /// Follows HTTP redirects (at most 5, loops refused) until an HTTPS URL, and judges that endpoint.
    mutating func followRedirects(from start: String, address: String, failures: inout [Finding]) async -> Bool {
        var url = start
        var currentAddress = address
        var visited: Set<String> = []
        for _ in 0..<5 {
            guard visited.insert(url).inserted else {
                failures.append(
                    finding(.autodiscoverFailed, .error, .walk(.redirect(from: start, to: url, hops: visited.count, loops: true))))
                return false
            }
            let hopPort = (try? HTTPFetcher.target(of: url).port) ?? (url.lowercased().hasPrefix("https://") ? 443 : 80)
            switch await session.get(url, address: currentAddress) {
            case .failure(let error):
                endpoints.append(
                    BootEndpoint(
                        host: url, address: currentAddress, port: hopPort, purpose: "autodiscover redirect", chain: [], verdict: nil,
                        outcome: error.description))
                notes.append("\(url): \(error)")
                return false
            case .success(let answer):
                endpoints.append(
                    BootEndpoint(
                        host: url, address: currentAddress, port: hopPort, purpose: "autodiscover redirect", chain: [], verdict: nil,
                        outcome: "HTTP \(answer.status)\(answer.location.map { " → \($0)" } ?? "")"))
                guard [301, 302, 303, 307, 308].contains(answer.status), let location = answer.location else {
                    notes.append("\(url) answered HTTP \(answer.status) without a redirect")
                    return false
                }
                if let port = URLComponents(string: location)?.port, !(1...65535).contains(port) {
                    notes.append("\(url) redirects to port \(port), outside 1-65535: not followed")
                    return false
                }
                // The host as libcurl will use it (the A-label as written; Foundation's URL would decode
                // `xn--bcher-kva.example` to `bücher.example`), resolved through the walk's DNS and pinned.
                let target: (host: String, port: Int)
                do throws(HTTPError) {
                    target = try HTTPFetcher.target(of: location)
                } catch {
                    notes.append("\(url) redirects to \(location): \(error); not followed")
                    return false
                }
                guard let next = await addresses(target.host, purpose: "exchange: redirect target").first else {
                    notes.append("the redirect target \(target.host) has no address")
                    return false
                }
                if location.lowercased().hasPrefix("https://") {
                    notes.append("autodiscover redirect: \(start) → \(location)")
                    return await judge(
                        host: target.host, address: next, port: target.port, hosts: [target.host], purpose: "autodiscover \(location)",
                        namePlan: false, deferred: &failures)
                }
                url = location
                currentAddress = next
            }
        }
        failures.append(
            finding(.autodiscoverFailed, .error, .walk(.redirect(from: start, to: url, hops: visited.count, loops: false))))
        return false
    }
}
