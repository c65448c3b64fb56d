import CXCertCore
import CXCertDirectory
import CXCertDiscovery
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One phone build of the fleet, resolved.
public struct FleetMember: Sendable {
    /// The device and firmware build, resolved from the knowledge base.
    public let profile: DeviceProfile
    /// How many phones run it (1 when the file does not say).
    public let count: Int
}

/// What one server presented and how every fleet build judges it.
public struct ServerAudit: Sendable {
    /// The server's label in reports: the file's `name`, else `host:port` or the certificate file.
    public let name: String
    /// `host:port`, or the certificate file.
    public let source: String
    /// What the probe found; `nil` for a server judged from a certificate file or not reached.
    public let probe: ProbeReport?
    /// Why the server could not be examined (unreachable, unreadable file...).
    public let problem: String?
    /// One verdict per fleet member, in fleet order (empty when there is a problem).
    public let verdicts: [Verdict]
    /// When each verdict next changes, in fleet order; empty unless the audit was asked to look ahead.
    public var nextChanges: [NextChange?] = []
}

/// Findings that one fix resolves, and how many phones they affect.
public struct FixGroup: Sendable {
    /// The finding code the fix resolves.
    public let code: FindingCode
    /// What to do; for missing names, one reissue listing every name the certificate lacks.
    public let remedy: String
    /// Phones (fleet counts summed) with at least one of these findings.
    public let phonesAffected: Int
    /// The builds affected, by profile name, in the order first seen.
    public let builds: [String]
    /// The servers affected, by name, in the order first seen.
    public let servers: [String]
    /// The distinct finding messages the fix resolves.
    public let messages: [String]
}

/// A whole deployment judged for the whole fleet.
public struct AuditResult: Sendable {
    /// The builds judged, in the deployment file's order.
    public let fleet: [FleetMember]
    /// One entry per server, in the deployment file's order.
    public let servers: [ServerAudit]
    /// The error findings grouped by fix, most phones affected first.
    public let fixes: [FixGroup]
    /// The validation time: the file's `at`, or when the audit ran.
    public let time: Date
    /// Notes from building the name plan (empty without a plan).
    public let planNotes: [String]
    /// How far ahead the next changes were looked for; nil when they were not.
    public var until: Date? = nil
    /// `audit --fail-within`: the number of days within which a trusted pair must not break.
    public var failWithinDays: Int? = nil

    /// The pairs trusted now that break within ``failWithinDays`` of ``time`` (empty without it).
    public var failingWithin: [AuditChange] {
        guard let days = failWithinDays else { return [] }
        return breaking(by: time.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    /// Every phone trusts every server it needs.
    public var allTrusted: Bool { servers.allSatisfy { $0.problem == nil && $0.verdicts.allSatisfy(\.isTrusted) } }

    /// Every server × build whose verdict changes before ``until``, in server then fleet order.
    public var changes: [AuditChange] {
        servers.flatMap { server in
            zip(server.verdicts.indices, server.nextChanges).compactMap { index, change in
                change.map {
                    AuditChange(
                        server: server.name, memberIndex: index, member: fleet[index], trustedNow: server.verdicts[index].isTrusted,
                        change: $0)
                }
            }
        }
    }

    /// The pairs trusted now that stop being trusted at or before `deadline`: what `audit --fail-within` gates on.
    public func breaking(by deadline: Date) -> [AuditChange] {
        changes.filter { $0.trustedNow && !$0.change.trusted && $0.change.at <= deadline }
    }
}

/// One server × build whose verdict changes within an audit's horizon.
public struct AuditChange: Sendable {
    /// The server's name as the report prints it.
    public let server: String
    /// The build's place in the fleet (0-based), as the matrix numbers its columns from 1.
    public let memberIndex: Int
    /// The build.
    public let member: FleetMember
    /// Whether the build trusts the server at the audit's time.
    public let trustedNow: Bool
    /// When the verdict changes and what it becomes.
    public let change: NextChange
}

/// How `trust.ad` may connect: the secret and the CA come from the command line, not the deployment file.
public struct AuditDirectoryAccess: Sendable {
    /// Overrides `trust.ad.bind`.
    public var bind: String?
    /// The only password source; nil binds anonymously (or fails if a bind name is given).
    public var password: PasswordSource?
    /// CA certificates for the directory's TLS certificate (overrides the file's `caFile`).
    public var caFile: String?
    /// Use `trust.ad.caFile` from the deployment file.
    public var allowDeploymentCAFile: Bool

    /// How to reach the deployment's directory.
    /// - Parameters:
    ///   - bind: A bind name that overrides the file's `trust.ad.bind`.
    ///   - password: Where the bind password comes from; `nil` binds anonymously.
    ///   - caFile: CA certificates for the directory's TLS certificate, overriding the file's `caFile`.
    ///   - allowDeploymentCAFile: Accept the file's `trust.ad.caFile`.
    public init(bind: String? = nil, password: PasswordSource? = nil, caFile: String? = nil, allowDeploymentCAFile: Bool = false) {
        self.bind = bind
        self.password = password
        self.caFile = caFile
        self.allowDeploymentCAFile = allowDeploymentCAFile
    }
}

/// Audits a whole deployment file: probes or reads every server and judges each for every fleet build.
public enum Auditor {
    /// Probes every server concurrently, builds the name plan, and judges every server for every build.
    /// With `until`, also finds when each verdict next changes up to that instant (``ServerAudit/nextChanges``);
    /// `failWithinDays` looks at least that many days ahead and fills ``AuditResult/failingWithin``.
    /// `progress` is called as servers finish (done, total, server name). `state` (else the file's `boot:` state, if it
    /// sets one) judges each build with the roots a phone in that state holds (``/CXCertDiscovery/PhoneStart``).
    public static func run(
        _ file: DeploymentFile, relativeTo base: URL, knowledge: DeviceKnowledgeBase = .builtIn,
        directory access: AuditDirectoryAccess = AuditDirectoryAccess(), until requestedUntil: Date? = nil,
        failWithinDays: Int? = nil, state requestedState: PhoneStart? = nil, progress: (@Sendable (Int, Int, String) -> Void)? = nil
    ) async throws(AuditError) -> AuditResult {
        let time: Date
        if let at = file.at {
            let parsed: Date
            do { parsed = try StrictDate.parse(at) } catch { throw .invalidFile("at: \(error.description)") }
            time = parsed
        } else {
            time = Date()
        }
        if let requestedUntil, requestedUntil <= time {
            throw .input("--until \(iso8601(requestedUntil)) is not after the audit's time \(iso8601(time))")
        }
        if let failWithinDays, failWithinDays < 0 { throw .input("--fail-within: \(failWithinDays) is not a number of days") }
        // Look as far as the later of --until and --fail-within, so that the gate sees every break it must.
        let failHorizon = failWithinDays.map { time.addingTimeInterval(TimeInterval($0) * 86_400) }
        let until = [requestedUntil, failHorizon].compactMap { $0 }.max()
        let fleet = try file.fleet.map { entry throws(AuditError) -> FleetMember in
            do {
                return FleetMember(
                    profile: try DeviceProfile.resolve(device: entry.device, firmware: entry.firmware, knowledge: knowledge),
                    count: entry.count ?? 1)
            } catch {
                throw .invalidFile("fleet: \(error)")
            }
        }
        // Reading `trust.ad` awaits libldap's calls on the blocking executor, never on the cooperative pool.
        let anchors = try await trustAnchors(file.trust, base: base, access: access, timeout: file.timeout ?? 10)
        var state = requestedState
        if state == nil { state = try PhoneStart(file: file, base: base) }
        // With a state, a captured Certificate Provisioning answer is one more download a sign-in may make.
        var stateAnchors = anchors
        if state != nil, let answer = file.boot?.certprovResponse {
            do {
                stateAnchors += try CertificateDecoder().decode(path: resolve(answer, base: base)).certificates.map {
                    TrustAnchor(certificate: $0, source: .certificateProvisioning("captured answer \(answer)"))
                }
            } catch {
                throw .input("boot.certprovResponse \(answer): \(error)")
            }
        }
        let judged = state.map { StateJudgement(state: $0, anchors: stateAnchors) }
        // A certificate file that is missing or holds no certificate is the user's input error (exit 2),
        // not an unreachable server: check them all before probing anything.
        for (index, server) in file.servers.enumerated() {
            guard let certificate = server.certificate else { continue }
            do {
                guard !(try CertificateDecoder().decode(path: resolve(certificate, base: base)).certificates.isEmpty) else {
                    throw CertificateDecodingError.noCertificate("the file holds none")
                }
            } catch {
                throw .input("servers[\(index)].certificate \(certificate): \(error)")
            }
        }
        // The plan holds every name boot checks: the sipinternal/sipexternal fallbacks only where DNS has them.
        let plan = file.plan(registrarFallbacks: await file.registrarFallbacks(timeout: min(file.timeout ?? 5, 5)))
        var probeOptions = Prober.Options(timeout: file.timeout ?? 10, asPhone: fleet.contains { !$0.profile.isGeneric })
        // One deadline for every probe of the audit, however many servers and handshakes.
        probeOptions.deadline = Date().addingTimeInterval(file.deadline ?? 300)
        let prober = ProbeVerification(
            profiles: fleet.map(\.profile), anchors: anchors, options: probeOptions, vocabulary: .command(.audit))
        let counter = Counter()
        let total = file.servers.count
        let audits = await BoundedWork.map(file.servers, limit: prober.maxConcurrentProbes) { _, server in
            let audit = examine(
                server, base: base, prober: prober, fleet: fleet, anchors: anchors, plan: plan, time: time, until: until, state: judged)
            progress?(counter.increment(), total, audit.name)
            return audit
        } failed: { _, server, failure in
            let name = server.name ?? server.certificate ?? server.host ?? ""
            progress?(counter.increment(), total, name)
            return ServerAudit(name: name, source: name, probe: nil, problem: "not examined: \(failure)", verdicts: [])
        }
        return AuditResult(
            fleet: fleet, servers: audits, fixes: group(audits, fleet: fleet), time: time, planNotes: plan?.notes ?? [], until: until,
            failWithinDays: failWithinDays)
    }

    private final class Counter: @unchecked Sendable {
        private let lock = Lock()
        private var value = 0
        func increment() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }

    private static func resolve(_ path: String, base: URL) -> String {
        path.hasPrefix("/") ? path : base.appendingPathComponent(path).path
    }

    private static func trustAnchors(
        _ trust: DeploymentFile.Trust?, base: URL, access: AuditDirectoryAccess, timeout: TimeInterval
    ) async throws(AuditError) -> [TrustAnchor] {
        guard let trust else { return [] }
        var anchors: [TrustAnchor] = []
        for root in trust.roots ?? [] {
            do {
                anchors += try CertificateDecoder().decode(path: resolve(root, base: base)).certificates.map {
                    TrustAnchor(certificate: $0, source: .deploymentRoot(file: root))
                }
            } catch {
                throw .input("trust.roots \(root): \(error)")
            }
        }
        if let snapshot = trust.adSnapshot {
            do {
                anchors += try DirectorySnapshot(contentsOfFile: resolve(snapshot, base: base)).phoneAnchors(place: "snapshot \(snapshot)")
            } catch {
                throw .input("trust.adSnapshot \(snapshot): \(error)")
            }
        }
        if let ad = trust.ad {
            if ad.passwordEnv != nil || ad.passwordFile != nil {
                throw .invalidFile(
                    "trust.ad: passwordEnv and passwordFile are not read from a deployment file (it could send any secret to any server); pass --ad-password-env VAR or --ad-password-file FILE"
                )
            }
            if ad.caFile != nil && access.caFile == nil && !access.allowDeploymentCAFile {
                throw .invalidFile(
                    "trust.ad: caFile names the CA that vouches for the directory the same file names; pass --ad-ca-file FILE, or --allow-deployment-ca-file to use it"
                )
            }
            let bind = access.bind ?? ad.bind
            guard bind == nil || access.password != nil else {
                throw .input(
                    "trust.ad \(ad.url): binding as \(bind ?? "") needs --ad-password-env VAR or --ad-password-file FILE on the command line"
                )
            }
            let configuration = DirectoryConfiguration(
                url: ad.url, bindName: bind, password: access.password ?? .environment(""),
                caFile: access.caFile ?? ad.caFile.map { resolve($0, base: base) }, timeout: timeout)
            do {
                anchors += try await DirectorySnapshot(reading: try await DirectoryClient(configuration)).phoneAnchors(place: ad.url)
            } catch {
                throw .input("trust.ad \(ad.url): \(error)")
            }
        }
        return anchors
    }

    private static func examine(
        _ server: DeploymentFile.Server, base: URL, prober: ProbeVerification, fleet: [FleetMember], anchors: [TrustAnchor],
        plan: NamePlan?, time: Date, until: Date?, state: StateJudgement?
    ) -> ServerAudit {
        let roleNames = plan.map { plan in server.role.map { plan.names(role: $0) } ?? [] } ?? []
        var hosts = (server.names ?? [])
        if let host = server.host, HostnameMatcher.ipAddress(host) == nil { hosts.append(host) }
        // The plan's names for this certificate role, filtered per build by Verifier; hosts are always checked.
        let rolePlan = plan.map { RolePlan(plan: $0, names: Set(roleNames)) }
        if let file = server.certificate {
            let name = server.name ?? file
            do {
                let certificates = try CertificateDecoder().decode(path: resolve(file, base: base)).certificates
                guard let split = VerificationRequest.split(bundle: certificates) else {
                    throw CertificateDecodingError.noCertificate(file)
                }
                let request = VerificationRequest(
                    leaf: split.leaf, intermediates: split.others, anchors: anchors, hosts: hosts, plan: rolePlan?.filtered, time: time,
                    vocabulary: .command(.audit))
                if let state {
                    func with(_ roots: [TrustAnchor]) -> VerificationRequest {
                        VerificationRequest(
                            leaf: split.leaf, intermediates: split.others, anchors: roots, hosts: hosts, plan: rolePlan?.filtered,
                            time: time, vocabulary: .command(.audit))
                    }
                    let judged = fleet.map { member in
                        state.state.judge(name, profile: member.profile, anchors: state.anchors) { roots in
                            Verifier.verify(with(roots), profile: member.profile)
                        }
                    }
                    let changes =
                        until.map { until in
                            zip(fleet, judged).map { member, judged in
                                Verifier.nextChange(for: with(judged.held), profile: member.profile, until: until)
                            }
                        } ?? []
                    return ServerAudit(
                        name: name, source: file, probe: nil, problem: nil, verdicts: judged.compactMap(\.verdict), nextChanges: changes)
                }
                let verdicts = fleet.map { member in Verifier.verify(request, profile: member.profile) }
                let changes =
                    until.map { until in
                        zip(fleet, verdicts).map { member, verdict in
                            Verifier.nextChange(for: request, profile: member.profile, until: until, baseline: verdict)
                        }
                    } ?? []
                return ServerAudit(name: name, source: file, probe: nil, problem: nil, verdicts: verdicts, nextChanges: changes)
            } catch {
                return ServerAudit(name: name, source: file, probe: nil, problem: "\(file): \(error)", verdicts: [])
            }
        }
        let host = server.host ?? ""
        let target = ProbeTarget(
            host: host, port: server.port ?? 443, serverName: server.sni ?? (HostnameMatcher.ipAddress(host) == nil ? host : nil))
        let name = server.name ?? target.description
        do {
            let outcome = try prober.examine(.init(target, hosts: hosts, plan: rolePlan?.filtered), at: time, until: until)
            // No chain (no verdicts) leaves the probe's own outcome.
            if let state, !outcome.verdicts.isEmpty {
                let report = outcome.report
                let judged = fleet.map { member in
                    state.state.judge(name, profile: member.profile, anchors: state.anchors) { roots in
                        Verifier.verify(
                            report, anchors: roots, hosts: hosts, plan: rolePlan?.filtered, profile: member.profile, time: time,
                            vocabulary: .command(.audit))
                    }
                }
                let changes =
                    until.map { until in
                        zip(fleet, judged).map { member, judged in
                            Verifier.nextChange(
                                for: report, anchors: judged.held, hosts: hosts, plan: rolePlan?.filtered, profile: member.profile,
                                time: time, until: until)
                        }
                    } ?? []
                return ServerAudit(
                    name: name, source: target.description, probe: report, problem: nil,
                    verdicts: zip(judged, outcome.verdicts).map { $0.verdict ?? $1 }, nextChanges: changes)
            }
            return ServerAudit(
                name: name, source: target.description, probe: outcome.report, problem: nil, verdicts: outcome.verdicts,
                nextChanges: outcome.nextChanges)
        } catch {
            return ServerAudit(name: name, source: target.description, probe: nil, problem: error.description, verdicts: [])
        }
    }

    /// A phone state and the roots it is judged against (the deployment's, and a captured Certificate Provisioning answer).
    struct StateJudgement: Sendable {
        let state: PhoneStart
        let anchors: [TrustAnchor]
    }

    /// The plan restricted to the names of one certificate role.
    private struct RolePlan {
        let plan: NamePlan
        let names: Set<String>
        var filtered: NamePlan { plan.restricted(to: names) }
    }

    /// Groups every failing finding by its fix, most phones affected first.
    static func group(_ servers: [ServerAudit], fleet: [FleetMember]) -> [FixGroup] {
        struct Accumulator {
            var code: FindingCode
            var remedy: String
            var phones: Set<Int> = []
            var builds: [String] = []
            var servers: [String] = []
            var messages: [String] = []
        }
        var order: [String] = []
        var groups: [String: Accumulator] = [:]
        var missingNames: [String: [String]] = [:]
        for server in servers {
            for (index, verdict) in server.verdicts.enumerated() {
                for finding in verdict.findings where finding.severity == .error {
                    // Missing names of one certificate are one fix: reissue it with all of them. Any other fix
                    // is one per code and certificate (or endpoint), whichever builds and servers it affects.
                    let key: String
                    switch finding.detail {
                    case .name(let host, _, _, _, _):
                        if !(missingNames[server.name]?.contains(host) ?? false) { missingNames[server.name, default: []].append(host) }
                        key = "names|\(server.name)"
                    case .handshakeRefused(let endpoint, _, _):
                        key = "\(finding.code.rawValue)|\(endpoint)"
                    default:
                        key = "\(finding.code.rawValue)|\(finding.certificate?.sha256Fingerprint ?? server.name)"
                    }
                    if groups[key] == nil {
                        order.append(key)
                        groups[key] = Accumulator(code: finding.code, remedy: finding.remedy)
                    }
                    groups[key]!.phones.insert(index)
                    if !groups[key]!.builds.contains(verdict.profile.name) { groups[key]!.builds.append(verdict.profile.name) }
                    if !groups[key]!.servers.contains(server.name) { groups[key]!.servers.append(server.name) }
                    if !groups[key]!.messages.contains(finding.message) { groups[key]!.messages.append(finding.message) }
                }
            }
        }
        return order.map { key in
            let group = groups[key]!
            var remedy = group.remedy
            if key.hasPrefix("names|") {
                let server = String(key.dropFirst(6))
                remedy =
                    "Reissue the certificate of \(server) with these DNS names added to its subjectAltName: \(missingNames[server, default: []].joined(separator: ", ")) (cxcert names --format certreq prints a request with every name; short names need the internal enterprise CA)."
            }
            return FixGroup(
                code: group.code, remedy: remedy, phonesAffected: group.phones.reduce(0) { $0 + fleet[$1].count }, builds: group.builds,
                servers: group.servers, messages: group.messages)
        }.sorted { $0.phonesAffected > $1.phonesAffected }
    }
}
