import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A server to probe: `host[:port]` (default 443), with or without SNI.
public struct ProbeTarget: Sendable, Hashable, Codable {
    /// The name or address to connect to (an IPv6 address without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The SNI name to send; nil sends none.
    public var serverName: String?

    /// A target with an explicit SNI choice.
    /// - Parameters:
    ///   - host: The name or address to connect to.
    ///   - port: The TCP port (443 by default).
    ///   - serverName: The SNI name to send, or `nil` to send none.
    public init(host: String, port: Int = 443, serverName: String? = nil) {
        self.host = host
        self.port = port
        self.serverName = serverName
    }

    /// Parses `host`, `host:port`, `[v6]:port`.
    public init(parsing text: String, defaultPort: Int = 443) throws(ProbeError) {
        var host = text
        var port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let value = Int(rest.dropFirst()) else { throw .invalidTarget(text) }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw .invalidTarget(text) }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidTarget(text) }
        self.init(host: host, port: port, serverName: HostnameMatcher.ipAddress(host) == nil ? host : nil)
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How one offer fared.
public enum HandshakeOutcome: Sendable, Hashable {
    /// The server completed the handshake with this cipher suite (OpenSSL's name).
    case accepted(cipher: String)
    /// The server refused or the handshake failed; the text says why.
    case refused(String)

    /// Whether the handshake completed.
    public var isAccepted: Bool { if case .accepted = self { true } else { false } }
}

/// What is wrong with the chain as the server sends it.
public enum PresentedChainIssue: Sendable, Hashable, CustomStringConvertible {
    /// The certificate with this display name is sent more than once.
    case duplicate(String)
    /// The certificates sent are not each followed by their issuer.
    case outOfOrder
    /// The last certificate sent is not a root, and its issuer is not sent.
    case incomplete(missingIssuer: String)
    /// The self-issued root with this display name is sent on top of the chain; clients ignore it.
    case rootSent(String)
    /// The certificate sent at this position (1 = the server's own) cannot be read, for this reason: the chain is
    /// judged only up to it.
    case unreadable(position: Int, reason: String)
    /// The certificate with this display name is sent but is not on the path from the leaf.
    case unrelated(String)

    /// One sentence for the admin.
    public var description: String {
        switch self {
        case .duplicate(let name): "\(name) is sent more than once"
        case .outOfOrder: "the certificates are not in issuing order (each should be followed by its issuer)"
        case .incomplete(let issuer): "incomplete: the issuer \(issuer) is not sent"
        case .rootSent(let name): "the root \(name) is sent (clients ignore it; harmless but unneeded)"
        case .unrelated(let name): "\(name) is sent but is not part of the leaf's chain"
        case .unreadable(1, let reason): "the server's certificate cannot be read (\(reason)), so no chain is judged"
        case .unreadable(let position, let reason):
            "certificate \(position) sent cannot be read (\(reason)); the chain is judged up to the one before it"
        }
    }
}

/// Everything one probe found.
public struct ProbeReport: Sendable {
    /// The server that was probed.
    public let target: ProbeTarget
    /// The certificates as the server sent them, leaf first (from the `--as-phone` handshake when that succeeded).
    public let presented: [Certificate]
    /// What is wrong with the chain as sent (see ``Prober/analyze(_:knownRoots:)``).
    public let chainIssues: [PresentedChainIssue]
    /// How the server answered a handshake limited to each version; empty after ``Prober/probeAsPhone(_:suites:timeout:knownRoots:)``.
    public let protocols: [TLSVersion: HandshakeOutcome]
    /// TLS 1.2-and-below suites accepted, at the highest version ≤ 1.2 the server accepts.
    public let cipherSuites: [String]
    /// The handshake a Phone Edition device would make: TLS 1.0, no SNI, its suites.
    public let asPhone: HandshakeOutcome
    /// The version and suite of the handshake the presented chain came from.
    public let negotiated: NegotiatedSession?
}

/// TLS probes of one server: which versions and suites it accepts, whether the phone's own handshake succeeds,
/// and the chain it presents, each under a timeout and a deadline.
public enum Prober {
    /// How a probe is made.
    public struct Options: Sendable {
        /// Each connection and handshake.
        public var timeout: TimeInterval
        /// The whole probe of one target: name lookup and every handshake (the phone's, the versions,
        /// the suites). Enumerations cut short by it say so.
        public var totalTimeout: TimeInterval = 60
        /// An absolute deadline shared with other probes (an audit's), if earlier.
        public var deadline: Date?
        /// Take the chain from the phone-like handshake (falls back to a modern one when refused).
        public var asPhone: Bool
        /// The suites the phone offers (from the device data).
        public var phoneCipherSuites: [String]
        /// Try each cipher suite on its own to list what the server accepts.
        public var enumerateCiphers: Bool
        /// Roots clients already have: a chain that stops just below one of them is complete.
        public var knownRoots: [Certificate]

        /// Probe options; ``totalTimeout`` starts at 60 seconds and ``deadline`` unset.
        /// - Parameters:
        ///   - timeout: Seconds for each connection and handshake.
        ///   - asPhone: Take the chain from the phone-like handshake rather than a modern one.
        ///   - phoneCipherSuites: The suites the phone offers; `nil` takes the Aries device data's (or `AES128-SHA`).
        ///   - enumerateCiphers: Try each candidate suite on its own to list what the server accepts.
        ///   - knownRoots: Roots the clients already have, so a chain that stops just below one is complete.
        public init(
            timeout: TimeInterval = 10, asPhone: Bool = false, phoneCipherSuites: [String]? = nil, enumerateCiphers: Bool = true,
            knownRoots: [Certificate] = []
        ) {
            self.knownRoots = knownRoots
            self.timeout = timeout
            self.asPhone = asPhone
            self.phoneCipherSuites = phoneCipherSuites ?? (try? DeviceProfile.resolve(device: "aries"))?.tlsCipherSuites ?? ["AES128-SHA"]
            self.enumerateCiphers = enumerateCiphers
        }
    }

    /// Cipher suites (TLS ≤ 1.2) tried one by one: the phone's and the common modern ones.
    static let candidateSuites = [
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA",
        "AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA256", "AES256-SHA", "AES128-SHA", "DES-CBC3-SHA",
        "RC4-SHA", "RC4-MD5",
    ]

    /// Probes one server. Throws only when the server cannot be reached or never completes any handshake.
    public static func probe(_ target: ProbeTarget, options: Options = Options()) throws(ProbeError) -> ProbeReport {
        let own = Date().addingTimeInterval(options.totalTimeout)
        let deadline = options.deadline.map { min($0, own) } ?? own
        // One name lookup for every handshake, under the same deadline.
        let addresses: [Data]
        do {
            addresses = try TLSHandshake.resolve(
                host: target.host, port: target.port, deadline: min(deadline, Date().addingTimeInterval(options.timeout)),
                timeout: options.timeout)
        } catch {
            throw .connection(error)
        }
        func settings(_ versions: ClosedRange<TLSVersion>, sni: String?, ciphers: String = "ALL:COMPLEMENTOFALL") -> TLSHandshake.Settings {
            TLSHandshake.Settings(
                host: target.host, port: target.port, serverName: sni, versions: versions, ciphers: ciphers, timeout: options.timeout,
                deadline: deadline, addresses: addresses)
        }
        let cutShort = "not tried: the probe's deadline passed"
        // The phone's own offer first: it is the verdict that matters most.
        let phoneSettings = settings(.tls10 ... .tls10, sni: nil, ciphers: options.phoneCipherSuites.joined(separator: ":"))
        let phone: Result<TLSHandshake.Result, TLSError> = Result { () throws(TLSError) in try TLSHandshake.perform(phoneSettings) }
        let modern: Result<TLSHandshake.Result, TLSError> = Result { () throws(TLSError) in
            try TLSHandshake.perform(settings(.tls10 ... .tls13, sni: target.serverName))
        }
        let main: TLSHandshake.Result
        switch (options.asPhone ? phone : modern, options.asPhone ? modern : phone) {
        case (.success(let result), _), (.failure, .success(let result)): main = result
        case (.failure(let error), .failure): throw .connection(error)
        }
        var protocols: [TLSVersion: HandshakeOutcome] = [:]
        for version in TLSVersion.allCases {
            guard Date() < deadline else {
                protocols[version] = .refused(cutShort)
                continue
            }
            do {
                let result = try TLSHandshake.perform(settings(version...version, sni: target.serverName))
                protocols[version] = .accepted(cipher: result.cipher)
            } catch {
                protocols[version] = .refused(error.description)
            }
        }
        var suites: [String] = []
        if options.enumerateCiphers, let version = [TLSVersion.tls12, .tls11, .tls10].first(where: { protocols[$0]?.isAccepted == true }) {
            for suite in candidateSuites where Date() < deadline {
                if (try? TLSHandshake.perform(settings(version...version, sni: target.serverName, ciphers: suite))) != nil {
                    suites.append(suite)
                }
            }
        }
        let asPhone: HandshakeOutcome
        switch phone {
        case .success(let result): asPhone = .accepted(cipher: result.cipher)
        case .failure(let error): asPhone = .refused(error.description)
        }
        let (presented, unreadable) = Certificate.presentedChain(main.chain)
        return ProbeReport(
            target: target, presented: presented, chainIssues: issues(presented, unreadable: unreadable, knownRoots: options.knownRoots),
            protocols: protocols,
            cipherSuites: suites,
            asPhone: asPhone, negotiated: NegotiatedSession(version: main.version, cipher: main.cipher))
    }

    /// Only the handshake a Phone Edition device makes (TLS 1.0, no SNI, `suites`); when the server refuses it,
    /// one modern handshake fetches the chain anyway, so the certificate can still be judged. Throws when the
    /// server cannot be reached at all.
    public static func probeAsPhone(_ target: ProbeTarget, suites: [String], timeout: TimeInterval, knownRoots: [Certificate] = [])
        throws(ProbeError) -> ProbeReport
    {
        let started = Date()
        let phone = Result { () throws(TLSError) in
            try TLSHandshake.perform(
                TLSHandshake.Settings(
                    host: target.host, port: target.port, serverName: nil, versions: .tls10 ... .tls10,
                    ciphers: suites.joined(separator: ":"), timeout: timeout))
        }
        let main: TLSHandshake.Result
        let asPhone: HandshakeOutcome
        switch phone {
        case .success(let result):
            main = result
            asPhone = .accepted(cipher: result.cipher)
        case .failure(let error):
            if error.isUnreachable { throw .connection(error) }
            // One deadline for the target: the second handshake gets what is left of it.
            let left = max(0.1, timeout - Date().timeIntervalSince(started))
            do {
                main = try TLSHandshake.perform(
                    TLSHandshake.Settings(host: target.host, port: target.port, serverName: nil, versions: .tls10 ... .tls13, timeout: left)
                )
            } catch {
                throw .connection(error)
            }
            asPhone = .refused(error.description)
        }
        let (presented, unreadable) = Certificate.presentedChain(main.chain)
        return ProbeReport(
            target: target, presented: presented, chainIssues: issues(presented, unreadable: unreadable, knownRoots: knownRoots),
            protocols: [:], cipherSuites: [],
            asPhone: asPhone, negotiated: NegotiatedSession(version: main.version, cipher: main.cipher))
    }

    /// Opens and closes a TCP connection within `timeout` (plain-HTTP reachability).
    public static func reach(address: String, port: Int, timeout: TimeInterval) throws(ProbeError) {
        do {
            try TLSHandshake.reach(address: address, port: port, timeout: timeout)
        } catch {
            throw .connection(error)
        }
    }

    /// What ``analyze(_:knownRoots:)`` finds in the certificates read, after the one that could not be read, if any.
    static func issues(_ chain: [Certificate], unreadable: CertificateDecodingError?, knownRoots: [Certificate]) -> [PresentedChainIssue] {
        let stop = unreadable.map { [PresentedChainIssue.unreadable(position: chain.count + 1, reason: $0.description)] } ?? []
        return stop + analyze(chain, knownRoots: knownRoots)
    }

    /// Checks the order, duplicates, completeness and root of a chain as sent. A chain that stops just
    /// below one of `knownRoots` is complete: servers need not send the root.
    public static func analyze(_ chain: [Certificate], knownRoots: [Certificate] = []) -> [PresentedChainIssue] {
        guard let leaf = chain.first else { return [] }
        var issues: [PresentedChainIssue] = []
        var seen: Set<Certificate> = []
        for certificate in chain where !seen.insert(certificate).inserted {
            issues.append(.duplicate(certificate.subject.displayName))
        }
        let unique = chain.reduce(into: [Certificate]()) { if !$0.contains($1) { $0.append($1) } }
        // Follow issuers from the leaf through what was sent.
        var path = [leaf]
        while let last = path.last, !last.isSelfIssued,
            let issuer = unique.first(where: { $0.subject == last.issuer && !path.contains($0) })
        {
            path.append(issuer)
        }
        if Array(unique.prefix(path.count)) != path { issues.append(.outOfOrder) }
        if let top = path.last, !top.isSelfIssued, !knownRoots.contains(where: { $0.subject == top.issuer }) {
            issues.append(.incomplete(missingIssuer: top.issuer.rfc4514))
        }
        if let top = path.last, top.isSelfIssued, path.count > 1 { issues.append(.rootSent(top.subject.displayName)) }
        for certificate in unique where !path.contains(certificate) { issues.append(.unrelated(certificate.subject.displayName)) }
        return issues
    }
}

extension Verifier {
    /// Validates what a server presented for one client, adding a `tls-version` finding when the
    /// phone's own handshake was refused.
    public static func verify(
        _ report: ProbeReport, anchors: [TrustAnchor], hosts: [String], plan: NamePlan?, profile: DeviceProfile, time: Date = Date(),
        vocabulary: Vocabulary = .command(.probe)
    ) -> Verdict? {
        let refusal: String? = if case .refused(let reason) = report.asPhone { reason } else { nil }
        return verify(
            presented: report.presented, refusal: refusal, endpoint: report.target.description, anchors: anchors, hosts: hosts, plan: plan,
            profile: profile, time: time, vocabulary: vocabulary)
    }

    /// Validates a chain a server presented (probed, or read from a capture) for one client, adding a `tls-version`
    /// finding when the server refused the phone's own handshake.
    /// - Parameters:
    ///   - presented: The certificates the server sent, leaf first.
    ///   - refusal: Why the server refused the phone's handshake; nil when it did not.
    ///   - endpoint: The server, as the `tls-version` finding names it.
    ///   - anchors: The roots the client holds.
    ///   - hosts: The names the chain must cover.
    ///   - plan: The deployment's name plan, when the chain must cover it too.
    ///   - profile: The client.
    ///   - time: The client's clock.
    ///   - vocabulary: Whose words the findings use.
    /// - Returns: The verdict; nil when the server sent no certificate.
    public static func verify(
        presented: [Certificate], refusal: String?, endpoint: String, anchors: [TrustAnchor], hosts: [String], plan: NamePlan?,
        profile: DeviceProfile, time: Date, vocabulary: Vocabulary
    ) -> Verdict? {
        guard let leaf = presented.first else { return nil }
        let request = VerificationRequest(
            leaf: leaf, intermediates: Array(presented.dropFirst()), anchors: anchors, hosts: hosts, plan: plan, time: time,
            vocabulary: vocabulary)
        let verdict = verify(request, profile: profile)
        guard !profile.isGeneric, let reason = refusal else { return verdict }
        let finding = Finding(
            code: .tlsVersion, severity: .error,
            detail: .handshakeRefused(endpoint: endpoint, reason: reason, offeredSuites: profile.tlsCipherSuites),
            client: FindingClient(profile), vocabulary: vocabulary)
        return Verdict(
            profile: verdict.profile, time: verdict.time, chain: verdict.chain, findings: verdict.findings + [finding],
            names: verdict.names, notes: verdict.notes, alternatives: verdict.alternatives)
    }
}
