import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Probes servers and judges what each presented for every client: the one probe-then-verify path that
/// `cxcert probe` and `cxcert audit` share, so they agree on what counts (the phones' built-in roots count only
/// when a phone is among the clients) and on how many servers are probed at once.
public struct ProbeVerification: Sendable {
    /// The clients to judge for, one verdict each.
    public let profiles: [DeviceProfile]
    /// Roots the clients have besides a phone's built-in cache.
    public let anchors: [TrustAnchor]
    /// How each server is probed; its `knownRoots` are set from the clients and anchors.
    public let options: Prober.Options
    /// Whose words the findings use.
    public let vocabulary: Vocabulary
    /// Servers probed at once at most (each probe blocks a thread on sockets and OpenSSL).
    public let maxConcurrentProbes: Int

    /// One server to examine: where to connect, and the names its certificate must carry.
    public struct Target: Sendable {
        /// Where to connect and which SNI name to send.
        public var target: ProbeTarget
        /// The names the server's certificate must cover.
        public var hosts: [String]
        /// The deployment's name plan, when known, to judge the names the phones will use.
        public var plan: NamePlan?

        /// One server to examine.
        /// - Parameters:
        ///   - target: Where to connect and which SNI name to send.
        ///   - hosts: The names the certificate must cover.
        ///   - plan: The deployment's name plan, if any.
        public init(_ target: ProbeTarget, hosts: [String], plan: NamePlan? = nil) {
            self.target = target
            self.hosts = hosts
            self.plan = plan
        }
    }

    /// What one server presented and how every client judged it.
    public struct Outcome: Sendable {
        /// What the server presented and how it answered each handshake.
        public let report: ProbeReport
        /// One verdict per profile, in profile order.
        public let verdicts: [Verdict]
        /// When each verdict next changes (empty unless asked to look ahead).
        public let nextChanges: [NextChange?]
    }

    /// - Parameters:
    ///   - profiles: the clients, one verdict each.
    ///   - anchors: roots the clients have besides a phone's built-in cache.
    ///   - options: timeouts, deadline and handshake choices; when any client is a phone, the first phone's suites
    ///     are offered in the phone's handshake.
    ///   - vocabulary: whose words the findings use.
    ///   - maxConcurrentProbes: servers probed at once at most.
    public init(
        profiles: [DeviceProfile], anchors: [TrustAnchor], options: Prober.Options = Prober.Options(),
        vocabulary: Vocabulary = .plain, maxConcurrentProbes: Int = 8
    ) {
        self.profiles = profiles
        self.anchors = anchors
        self.vocabulary = vocabulary
        self.maxConcurrentProbes = max(1, maxConcurrentProbes)
        var options = options
        let phone = profiles.first { !$0.isGeneric }
        if let phone { options.phoneCipherSuites = phone.tlsCipherSuites }
        // A chain that stops just below a root the clients have is complete; a phone's cache counts only for phones.
        options.knownRoots = anchors.map(\.certificate) + (phone == nil ? [] : BuiltInTrustStore.certificates)
        self.options = options
    }

    /// Probes one server and judges it for every client, at `time`; with `until`, also when each verdict changes.
    /// - Throws: ``ProbeError`` when the server cannot be reached or completes no handshake.
    public func examine(_ server: Target, at time: Date = Date(), until: Date? = nil) throws(ProbeError) -> Outcome {
        let report = try Prober.probe(server.target, options: options)
        let verdicts = profiles.compactMap { profile in
            Verifier.verify(
                report, anchors: anchors, hosts: server.hosts, plan: server.plan, profile: profile, time: time, vocabulary: vocabulary)
        }
        let changes =
            until.map { until in
                profiles.prefix(verdicts.count).map { profile in
                    Verifier.nextChange(
                        for: report, anchors: anchors, hosts: server.hosts, plan: server.plan, profile: profile, time: time, until: until)
                }
            } ?? []
        return Outcome(report: report, verdicts: verdicts, nextChanges: changes)
    }

    /// Examines every server, at most ``maxConcurrentProbes`` at once, in the given order. `progress` is called as
    /// each finishes.
    public func examine(
        _ servers: [Target], at time: Date = Date(), until: Date? = nil,
        progress: (@Sendable (Int, Target) -> Void)? = nil
    ) async -> [Result<Outcome, ProbeError>] {
        await BoundedWork.map(servers, limit: maxConcurrentProbes) { index, server in
            let result = Result { () throws(ProbeError) -> Outcome in try examine(server, at: time, until: until) }
            progress?(index, server)
            return result
        } failed: { index, server, failure in
            progress?(index, server)
            return .failure(.connection(.unreachable(server.target.description, reason: "not probed: \(failure)")))
        }
    }
}

/// Runs blocking work (sockets, OpenSSL) on the shared `BlockingExecutor`, a bounded number at a time.
package enum BoundedWork {
    /// Runs `work` for every input, at most `limit` at once, and returns the outputs in input order; `failed` makes the
    /// output of an input the executor did not run (its task was cancelled, or its queue was full).
    package static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], limit: Int, executor: BlockingExecutor = .shared, _ work: @escaping @Sendable (Int, Input) -> Output,
        failed: @escaping @Sendable (Int, Input, BlockingExecutor.Failure) -> Output
    ) async -> [Output] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var results: [(Int, Output)] = []
            var next = 0
            func start() {
                guard next < inputs.count else { return }
                let index = next
                let input = inputs[index]
                next += 1
                group.addTask {
                    do throws(BlockingExecutor.Failure) {
                        return (index, try await executor.run { work(index, input) })
                    } catch {
                        return (index, failed(index, input, error))
                    }
                }
            }
            for _ in 0..<min(limit, inputs.count) { start() }
            while let result = await group.next() {
                results.append(result)
                start()
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
