import CXCertCore
import CXCertDirectory
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Computes each key's value once, even when several builds ask at the same time: the first asker starts the
/// computation as a task, the others await the same task. This is how builds share DNS questions and handshakes.
actor OnceCache<Key: Hashable & Sendable, Value: Sendable> {
    private var tasks: [Key: Task<Value, Never>] = [:]

    func value(for key: Key, compute: @escaping @Sendable () async -> Value) async -> Value {
        if let task = tasks[key] { return await task.value }
        let task = Task { await compute() }
        tasks[key] = task
        return await task.value
    }
}

/// The network work of one replay, shared by every build: each DNS question, SNTP exchange, handshake and
/// HTTP request is made once, and a DNS server that let one question time out is not asked again (its later
/// questions are reported as skipped), so a dead server costs one deadline, not one per question.
final class BootSession: @unchecked Sendable {
    struct DNSKey: Hashable, Sendable {
        let name: String
        let type: DNSRecordType
        let server: DNSServer
    }
    struct EndpointKey: Hashable, Sendable {
        let address: String
        let port: Int
        let suites: [String]
    }
    struct HTTPKey: Hashable, Sendable {
        let url: String
        let address: String
    }

    let timeout: TimeInterval
    let servers: [DNSServer]
    private let dns = OnceCache<DNSKey, DNSResponse>()
    private let sntp = OnceCache<EndpointKey, Result<SNTPResponse, SNTPError>>()
    private let rootChains = OnceCache<HTTPKey, Result<CertificateProvisioning.Exchange, NotMade>>()
    private let handshakes = OnceCache<EndpointKey, Result<ProbeReport, ProbeError>>()
    private let reachability = OnceCache<EndpointKey, ProbeError?>()
    private let http = OnceCache<HTTPKey, Result<HTTPFetcher.Answer, HTTPError>>()
    private let lock = Lock()
    private var silent: Set<DNSServer> = []

    /// When the whole walk ends: no operation starts after it, and none runs past it.
    let deadline: Date

    /// Where the walk's blocking calls run.
    let executor: BlockingExecutor

    init(
        servers: [DNSServer], timeout: TimeInterval, deadline: Date = .distantFuture, maxServers: Int = 16,
        executor: BlockingExecutor = .shared
    ) {
        self.servers = Array(servers.prefix(maxServers))
        self.timeout = timeout
        self.deadline = deadline
        self.executor = executor
    }

    /// Whether the walk's deadline has passed.
    var deadlinePassed: Bool { deadline.timeIntervalSinceNow <= 0 }

    /// The time one operation may take now: the per-operation timeout, cut to what is left of the walk's
    /// deadline; `nil` once it has passed.
    var budget: TimeInterval? {
        let left = deadline.timeIntervalSinceNow
        return left > 0.01 ? min(timeout, left) : nil
    }

    static let notMade = notMade(.deadlinePassed)

    /// A call of the walk that was not made, and why.
    struct NotMade: Error, Sendable {
        /// Why, as a note says it.
        let why: String
    }

    /// Why a call of the walk was not made (or was abandoned), as its note says it.
    static func notMade(_ failure: BlockingExecutor.Failure) -> String {
        switch failure {
        case .deadlinePassed: "not made: the walk's deadline passed"
        case .cancelled: "not made: the walk was cancelled"
        case .queueFull: "not made: \(failure)"
        }
    }

    /// Runs a blocking call (a client that bounds itself by the seconds it is given) on the shared executor, with the
    /// time one operation may take when a thread takes it: the per-operation timeout, cut to what is left of the walk's
    /// deadline. `otherwise` makes the answer, from why, when the call was not made: the walk's deadline passed before
    /// it started or it ran a second past the deadline and was abandoned, the walk was cancelled, or the executor's
    /// queue was full.
    func blocking<T: Sendable>(
        _ body: @escaping @Sendable (TimeInterval) -> T, otherwise: (_ why: String) -> T
    ) async -> T {
        switch await blocking(body) {
        case .success(let value): value
        case .failure(let notMade): otherwise(notMade.why)
        }
    }

    /// ``blocking(_:otherwise:)``'s value, or why the call was not made.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (TimeInterval) -> T) async -> Result<T, NotMade> {
        guard budget != nil else { return .failure(NotMade(why: Self.notMade)) }
        do throws(BlockingExecutor.Failure) {
            return .success(try await executor.bounded(timeout: timeout, until: deadline, body))
        } catch {
            return .failure(NotMade(why: Self.notMade(error)))
        }
    }

    /// Asks the servers in order (the next only when one does not answer), as a resolver with option 6 does.
    /// Returns every question actually put, with its answer and the CNAME records it went through.
    func ask(_ name: String, _ type: DNSRecordType) async -> [(DNSServer?, DNSResponse)] {
        guard !servers.isEmpty else { return [(nil, DNSResponse(answer: .failed("no DNS server given")))] }
        var asked: [(DNSServer?, DNSResponse)] = []
        for server in servers {
            if lock.withLock({ silent.contains(server) }) {
                let skipped = DNSAnswer.skipped("\(server) did not answer an earlier question within \(SNTPError.seconds(timeout))")
                asked.append((server, DNSResponse(answer: skipped)))
                continue
            }
            guard budget != nil else {
                asked.append((server, DNSResponse(answer: .skipped(Self.notMade))))
                continue
            }
            let response = await dns.value(for: DNSKey(name: name, type: type, server: server)) { [self] in
                await blocking({ DNSClient.lookup(name, type: type, server: server, timeout: $0) }) { DNSResponse(answer: .skipped($0)) }
            }
            if response.answer == .timeout { _ = lock.withLock { silent.insert(server) } }
            asked.append((server, response))
            if !response.answer.isUnanswered { break }
        }
        return asked
    }

    func time(address: String, port: Int) async -> Result<SNTPResponse, SNTPError> {
        await sntp.value(for: EndpointKey(address: address, port: port, suites: [])) { [self] in
            await blocking({ SNTPClient.query(address: address, port: port, timeout: $0) }) { .failure(.network($0)) }
        }
    }

    func handshake(address: String, port: Int, suites: [String]) async -> Result<ProbeReport, ProbeError> {
        await handshakes.value(for: EndpointKey(address: address, port: port, suites: suites)) { [self] in
            await blocking({ budget in
                Result { () throws(ProbeError) in
                    try Prober.probeAsPhone(ProbeTarget(host: address, port: port, serverName: nil), suites: suites, timeout: budget)
                }
            }) { .failure(Self.notReached(address, port, why: $0)) }
        }
    }

    func reach(address: String, port: Int) async -> ProbeError? {
        await reachability.value(for: EndpointKey(address: address, port: port, suites: [])) { [self] in
            await blocking({ budget -> ProbeError? in
                do throws(ProbeError) {
                    try Prober.reach(address: address, port: port, timeout: budget)
                    return nil
                } catch {
                    return error
                }
            }) { Self.notReached(address, port, why: $0) }
        }
    }

    private static func notReached(_ address: String, _ port: Int, why: String) -> ProbeError {
        .connection(.timeout("\(address):\(port) (\(why))", seconds: 0))
    }

    func get(_ url: String, address: String) async -> Result<HTTPFetcher.Answer, HTTPError> {
        await http.value(for: HTTPKey(url: url, address: address)) { [self] in
            await blocking({ budget in
                Result { () throws(HTTPError) in try HTTPFetcher.answer(url, address: address, timeout: budget) }
            }) { .failure(.curl(url: url, code: 28, message: $0)) }
        }
    }

    /// The root-chain download from `address`, once per URL and address for every build, or why it was not made.
    func rootChains(
        _ request: CertificateProvisioning.Request, address: String, maxBytes: Int
    ) async -> Result<CertificateProvisioning.Exchange, NotMade> {
        await rootChains.value(for: HTTPKey(url: request.url, address: address)) { [self] in
            await blocking { budget in
                CertificateProvisioning.download(
                    request, address: address, limits: HTTPFetcher.Limits(maxBodyBytes: maxBytes, timeout: budget))
            }
        }
    }
}
