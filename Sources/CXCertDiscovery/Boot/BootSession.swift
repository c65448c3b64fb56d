import CXCertCore
import CXCertDirectory
import CXCertProbe
import Foundation

/// Computes each key's value once, even when several threads ask at the same time: the first asker
/// computes, the others wait for its answer. This is how builds share DNS questions and handshakes.
final class OnceCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Key: Value] = [:]
    private var pending: Set<Key> = []

    func value(for key: Key, compute: () -> Value) -> Value {
        condition.lock()
        while pending.contains(key) { condition.wait() }
        if let value = values[key] {
            condition.unlock()
            return value
        }
        pending.insert(key)
        condition.unlock()
        let value = compute()
        condition.lock()
        values[key] = value
        pending.remove(key)
        condition.broadcast()
        condition.unlock()
        return value
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
    private let rootChains = OnceCache<HTTPKey, CertificateProvisioning.Exchange>()
    private let handshakes = OnceCache<EndpointKey, Result<ProbeReport, ProbeError>>()
    private let reachability = OnceCache<EndpointKey, ProbeError?>()
    private let http = OnceCache<HTTPKey, Result<HTTPFetcher.Answer, HTTPError>>()
    private let lock = NSLock()
    private var silent: Set<DNSServer> = []

    /// When the whole walk ends: no operation starts after it, and none runs past it.
    let deadline: Date

    init(servers: [DNSServer], timeout: TimeInterval, deadline: Date = .distantFuture, maxServers: Int = 16) {
        self.servers = Array(servers.prefix(maxServers))
        self.timeout = timeout
        self.deadline = deadline
    }

    /// Whether the walk's deadline has passed.
    var deadlinePassed: Bool { deadline.timeIntervalSinceNow <= 0 }

    /// The time one operation may take now: the per-operation timeout, cut to what is left of the walk's
    /// deadline; `nil` once it has passed.
    var budget: TimeInterval? {
        let left = deadline.timeIntervalSinceNow
        return left > 0.01 ? min(timeout, left) : nil
    }

    static let notMade = "not made: the walk's deadline passed"

    /// Asks the servers in order (the next only when one does not answer), as a resolver with option 6 does.
    /// Returns every question actually put, with its answer and the CNAME records it went through.
    func ask(_ name: String, _ type: DNSRecordType) -> [(DNSServer?, DNSResponse)] {
        guard !servers.isEmpty else { return [(nil, DNSResponse(answer: .failed("no DNS server given")))] }
        var asked: [(DNSServer?, DNSResponse)] = []
        for server in servers {
            if lock.withLock({ silent.contains(server) }) {
                let skipped = DNSAnswer.skipped("\(server) did not answer an earlier question within \(SNTPError.seconds(timeout))")
                asked.append((server, DNSResponse(answer: skipped)))
                continue
            }
            guard let budget else {
                asked.append((server, DNSResponse(answer: .skipped(Self.notMade))))
                continue
            }
            let response = dns.value(for: DNSKey(name: name, type: type, server: server)) {
                DNSClient.lookup(name, type: type, server: server, timeout: budget)
            }
            if response.answer == .timeout { _ = lock.withLock { silent.insert(server) } }
            asked.append((server, response))
            if !response.answer.isUnanswered { break }
        }
        return asked
    }

    func time(address: String, port: Int) -> Result<SNTPResponse, SNTPError> {
        sntp.value(for: EndpointKey(address: address, port: port, suites: [])) {
            guard let budget else { return .failure(.network(Self.notMade)) }
            return SNTPClient.query(address: address, port: port, timeout: budget)
        }
    }

    func handshake(address: String, port: Int, suites: [String]) -> Result<ProbeReport, ProbeError> {
        handshakes.value(for: EndpointKey(address: address, port: port, suites: suites)) {
            Result { () throws(ProbeError) in
                guard let budget else { throw .connection(.timeout("\(address):\(port) (\(Self.notMade))", seconds: 0)) }
                return try Prober.probeAsPhone(ProbeTarget(host: address, port: port, serverName: nil), suites: suites, timeout: budget)
            }
        }
    }

    func reach(address: String, port: Int) -> ProbeError? {
        reachability.value(for: EndpointKey(address: address, port: port, suites: [])) {
            do throws(ProbeError) {
                guard let budget else { throw .connection(.timeout("\(address):\(port) (\(Self.notMade))", seconds: 0)) }
                try Prober.reach(address: address, port: port, timeout: budget)
                return nil
            } catch {
                return error
            }
        }
    }

    func get(_ url: String, address: String) -> Result<HTTPFetcher.Answer, HTTPError> {
        http.value(for: HTTPKey(url: url, address: address)) {
            Result { () throws(HTTPError) in
                guard let budget else { throw .curl(url: url, code: 28, message: Self.notMade) }
                return try HTTPFetcher.answer(url, address: address, timeout: budget)
            }
        }
    }

    /// The root-chain download from `address`, once per URL and address for every build; `nil` past the deadline.
    func rootChains(_ request: CertificateProvisioning.Request, address: String, maxBytes: Int) -> CertificateProvisioning.Exchange? {
        guard budget != nil else { return nil }
        return rootChains.value(for: HTTPKey(url: request.url, address: address)) {
            CertificateProvisioning.download(
                request, address: address, limits: HTTPFetcher.Limits(maxBodyBytes: maxBytes, timeout: budget ?? 0.001))
        }
    }
}
