import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The `certprov` step: the phone's anonymous root-chain download at sign-in, kept out of BootWalker.swift.
extension BuildWalk {
    /// Sends the root-chain request to the web services (option 43's FQDN and path, plain HTTP on port 80) pinned to
    /// the address the walk's DNS gave, and keeps the roots for the `roots` step. Taken only when the walk asks for
    /// it, no captured answer was given, and this build's sign-in method downloads from the service in this phase.
    mutating func walkCertProv() async {
        guard configuration.downloadsRootChains, configuration.certificateProvisioning == nil else { return }
        let (downloads, _) = lifecycle.downloads(in: phase, signIn: state.signIn, network: state.network)
        let looks = judge.looksForRoots
        guard looks, profile.rootDownloads.contains(.certificateProvisioning), downloads.contains(.certificateProvisioning) else { return }
        guard let web = inputs.webServices else {
            notes.append("no web services FQDN given (--web-fqdn, or DHCP option 43): the root chains cannot be asked for")
            finish(.certprov, skipped: true)
            return
        }
        let path = configuration.dhcp?.phoneAnswer?.options.provisioning?.path
        let request = CertificateProvisioning.Request.rootChains(host: web.host, path: path)
        notes.append(
            "option 43 gives \(configuration.dhcp?.phoneAnswer?.options.provisioning?.scheme ?? "https")://\(web.host):\(web.port)\(path ?? CertificateProvisioning.defaultPath); the phone downloads the root chains over plain HTTP on port 80 (CAHandlerInternalAnonUri; Schertz 2012), with no credential"
        )
        let resolved = await resolve(web.host, purpose: "certprov: web services")
        guard let address = resolved.addresses.first else {
            findings.append(
                finding(
                    .certprovUnreachable, .error,
                    .walk(
                        .certprov(
                            url: request.url, address: nil, status: nil, failure: "\(web.host) does not resolve (\(resolved.result))",
                            host: nil,
                            needed: nil))))
            finish(.certprov)
            return
        }
        // Port 80 first (the probe the web services step makes too, shared): closed, filtered or not forwarded by the
        // load balancer is told apart from a server that answers badly.
        if let error = await session.reach(address: address, port: 80) {
            endpoints.append(
                BootEndpoint(
                    host: web.host, address: address, port: 80, purpose: "root-chain download", chain: [], verdict: nil,
                    outcome: error.description))
            findings.append(
                finding(
                    .certprovUnreachable, .error,
                    .walk(.certprov(url: request.url, address: address, status: nil, failure: error.description, host: nil, needed: nil))))
            finish(.certprov)
            return
        }
        let exchange: CertificateProvisioning.Exchange
        switch await session.rootChains(request, address: address, maxBytes: configuration.maxRootChainBytes) {
        case .success(let made): exchange = made
        case .failure(let notMade):
            notes.append("not sent: \(notMade.why)")
            finish(.certprov, skipped: true)
            return
        }
        notes.append("request: POST \(request.url) to \(address) — \(request.headers.joined(separator: "; ")); body: \(request.body)")
        if let status = exchange.status {
            notes.append(
                "answer: HTTP \(status), \(exchange.contentType ?? "no Content-Type"), \(exchange.bodyBytes) bytes: \(exchange.excerpt)")
        }
        if let failure = judge.certProvFinding(exchange.outcome, url: request.url, address: address, status: exchange.status) {
            findings.append(failure)
        }
        switch exchange.outcome {
        case .transport(let error):
            endpoints.append(
                BootEndpoint(
                    host: web.host, address: address, port: 80, purpose: "root-chain download", chain: [], verdict: nil,
                    outcome: error.description))
        case .status, .fault, .noChains: break
        case .chains(let certificates):
            endpoints.append(
                BootEndpoint(
                    host: web.host, address: address, port: 80, purpose: "root-chain download", chain: [], verdict: nil,
                    outcome: "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s") in the root chains"))
            provisioned = Self.anchors(certificates, from: request)
            await checkChains(certificates, request: request, address: address, web: (web.host, address, web.port))
        }
        finish(.certprov)
        steps[steps.count - 1].exchange = BootHTTPExchange(
            method: "POST", url: request.url, address: address, headers: request.headers, body: request.body, status: exchange.status,
            contentType: exchange.contentType, bodyBytes: exchange.bodyBytes, excerpt: exchange.excerpt)
    }

    /// The downloaded certificates as roots, each with where it came from.
    static func anchors(_ certificates: [Certificate], from request: CertificateProvisioning.Request) -> [TrustAnchor] {
        certificates.map { TrustAnchor(certificate: $0, source: .certificateProvisioning("downloaded from \(request.url)")) }
    }

    /// The roots the live download gives, learned before the boot steps, when the build's sign-in method downloads from
    /// the service on the internal network (device data): a fresh phone gets them only at that sign-in, so the judge
    /// needs them from the start to say `root-not-held-yet` for an endpoint reached before then (Device Update at boot);
    /// a phone that signed in before, or one outside, does not download them, and they say `held-root-stale` or
    /// `external-root-not-learned`. Nothing is recorded here: a fresh phone's `certprov` step reports the same exchange
    /// (made once, shared) in its phase, and the `roots` step says when only the walk asked. The web services name is
    /// asked as the walk's DNS answers it, without the suffix retries the step may add.
    mutating func foreseeCertProv() async {
        guard configuration.downloadsRootChains, configuration.certificateProvisioning == nil,
            profile.rootDownloads.contains(.certificateProvisioning),
            lifecycle.downloads(in: .signIn, signIn: state.signIn, network: .internal).downloads.contains(.certificateProvisioning),
            let web = inputs.webServices
        else { return }
        let address =
            HostnameMatcher.ipAddress(web.host) != nil ? web.host : await session.ask(web.host, .a).last?.1.answer.addresses.first
        let path = configuration.dhcp?.phoneAnswer?.options.provisioning?.path
        let request = CertificateProvisioning.Request.rootChains(host: web.host, path: path)
        guard let address, await session.reach(address: address, port: 80) == nil,
            case .success(let exchange) = await session.rootChains(request, address: address, maxBytes: configuration.maxRootChainBytes),
            case .chains(let certificates) = exchange.outcome
        else { return }
        judge.foresee(certificateProvisioning: Self.anchors(certificates, from: request))
    }

    /// `certprov-root-missing`: for the registrar and the web services, the issuer at the top of the chain each
    /// sends (the handshakes are shared with their own steps) must be among the downloaded certificates or the cache.
    mutating func checkChains(
        _ downloaded: [Certificate], request: CertificateProvisioning.Request, address: String,
        web: (host: String, address: String, port: Int)
    ) async {
        var servers: [(host: String, address: String, port: Int)] = [web]
        if let registrar { servers.insert((registrar.host, registrar.address, registrar.port), at: 0) }
        let held = Set(downloaded.map(\.subject) + state.anchors.map(\.certificate.subject))
        for server in servers {
            guard
                case .success(let report) = await session.handshake(
                    address: server.address, port: server.port, suites: profile.tlsCipherSuites),
                let top = report.presented.last, let needed = PhoneJudge.missingRoot(top: top, held: held)
            else { continue }
            findings.append(judge.certProvRootMissing(url: request.url, address: address, server: server.host, needed: needed))
        }
    }
}
