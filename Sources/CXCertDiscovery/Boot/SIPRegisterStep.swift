import CXCertCore
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The `sip-register` step: the phone's first REGISTER and the registrar's challenges, kept out of BootWalker.swift.
extension BuildWalk {
    /// The most redirects followed. How many the phone follows is in no source found; Lync sends one (director to home
    /// pool), so three leaves room and still ends a loop that changes names.
    static let maxSIPRedirects = 3

    /// Sends the phone's first REGISTER (no `Authorization`, [MS-SIPAE] §4.1 step 1) over the phone's TLS to the
    /// registrar the walk found, reads the answer (bounded), follows redirects as the phone would (at most
    /// ``maxSIPRedirects``, loops refused, each target's certificate judged for this build), and judges the challenges:
    /// a Lync package offered, the target name against the certificate's names, TLS-DSK's provisioning URL. Taken only
    /// when the walk asks for it (``BootWalker/Configuration/registersWithSIP``). Never sends a credential or a PIN.
    mutating func walkSIPRegister() async {
        guard configuration.registersWithSIP else { return }
        guard let registrar else {
            notes.append("no registrar to send the REGISTER to")
            finish(.sipRegister, skipped: true)
            return
        }
        // The address of record: the UPN when given (usually the SIP address), else a placeholder; no password, no PIN.
        let user = inputs.upn.flatMap { $0.split(separator: "@").first.map(String.init) }
        let request = SIPRegisterRequest.first(sipDomain: inputs.sipDomain, user: user, build: profile.firmware?.description)
        notes.append(
            "REGISTER \(request.requestURI) as \(request.addressOfRecord) with no Authorization header: no credential or PIN is sent"
                + (user == nil ? " (no --upn given: the user part is a placeholder)" : ""))
        var exchanges: [BootSIPExchange] = []
        var target = (host: registrar.host, address: registrar.address, port: registrar.port)
        var visited: Set<String> = []
        hops: for hop in 0...Self.maxSIPRedirects {
            visited.insert("\(target.host.lowercased()):\(target.port)")
            let (to, suites) = (target, profile.tlsCipherSuites)
            let sent = await session.blocking {
                ($0, SIPRegistration.register(request, host: to.host, address: to.address, port: to.port, suites: suites, timeout: $0))
            }
            guard case .success((let budget, let exchange)) = sent else {
                if case .failure(let notMade) = sent { notes.append("REGISTER to \(target.host):\(target.port) not sent: \(notMade.why)") }
                break
            }
            exchanges.append(record(exchange))
            if hop == 0 {
                notes.append("request: " + request.text.replacingAll("\r", with: "").trimmingNewlines())
            }
            notes.append(
                "sent to \(target.address):\(target.port) (\(target.host)) over \(exchange.session.map { "\($0.version.rawValue) \($0.cipher)" } ?? "no TLS session"), no SNI"
            )
            if exchange.answerBytes > 0 {
                notes.append("answer (\(exchange.answerBytes) bytes): \(exchange.excerpt)")
            }
            func fail(_ code: FindingCode, status: Int? = nil, packages: [String] = [], _ why: String?) {
                findings.append(
                    finding(
                        code, .error,
                        .walk(
                            .sipRegister(
                                host: target.host, address: target.address, port: target.port, status: status, packages: packages,
                                failure: why,
                                targetName: nil, certificateNames: [], provisioningURL: nil))))
            }
            switch exchange.outcome {
            case .connection(let error):
                if hop == 0 {
                    // The registrar-tls step reports the handshake; the REGISTER just could not go out.
                    notes.append("not sent: \(error) (see the registrar-tls step)")
                } else {
                    fail(.sipRedirectFailed, "the redirect target \(target.host):\(target.port) refuses the phone's TLS session: \(error)")
                }
                break hops
            case .noAnswer(let received):
                fail(.sipRegisterNoAnswer, "no whole answer within \(SNTPError.seconds(budget)) (\(received) bytes read)")
                break hops
            case .closed(let received):
                fail(.sipRegisterNoAnswer, "the registrar closed the connection after \(received) bytes")
                break hops
            case .tooLarge(let limit):
                fail(.sipRegisterFailed, "the answer passed \(limit) bytes without ending")
                break hops
            case .malformed(let error):
                fail(.sipRegisterFailed, error.description)
                break hops
            case .failed(let reason):
                fail(.sipRegisterFailed, reason)
                break hops
            case .answered(let response):
                let server = PhoneJudge.SIPServer(host: target.host, address: target.address, port: target.port)
                switch judge.sipAnswer(response, server: server) {
                case .challenged:
                    await judgeChallenges(response, target: target, chain: exchange.chain)
                    break hops
                case .done(let found):
                    findings += found
                    break hops
                case .redirect(let next):
                    let port = next.port ?? 5061
                    notes.append("\(response.statusCode) \(response.reason): redirected to \(next)")
                    if visited.contains("\(next.host):\(port)") {
                        fail(.sipRedirectFailed, status: response.statusCode, "a redirect loop back to \(next.host):\(port)")
                        break hops
                    }
                    if hop == Self.maxSIPRedirects {
                        fail(.sipRedirectFailed, status: response.statusCode, "more than \(Self.maxSIPRedirects) redirects")
                        break hops
                    }
                    guard let address = await addresses(next.host, purpose: "sip-register: redirect target").first else {
                        fail(.sipRedirectFailed, status: response.statusCode, "\(next.host) does not resolve")
                        break hops
                    }
                    // The phone opens a new session to the pool it is sent to: that pool's certificate is judged too.
                    var found: [Finding] = []
                    _ = await judge(
                        host: next.host, address: address, port: port, hosts: [next.host],
                        purpose: "registrar (redirected from \(target.host))", deferred: &found)
                    findings += found
                    target = (next.host, address, port)
                }
            }
        }
        finish(.sipRegister)
        steps[steps.count - 1].sipExchanges = exchanges
    }

    /// A 401/407: which packages, and for each Lync one its target name against the certificate and, for TLS-DSK, its
    /// certificate provisioning URL (resolved through the walk's DNS, its certificate judged for this build).
    mutating func judgeChallenges(_ response: SIPResponse, target: (host: String, address: String, port: Int), chain: [Certificate]) async {
        let server = PhoneJudge.SIPServer(host: target.host, address: target.address, port: target.port)
        let judged = judge.sipChallengeFindings(response, server: server, chain: chain)
        notes += judged.notes
        findings += judged.findings
        guard let provisioning = judged.provisioning else { return }
        let resolved = await resolve(provisioning.host, purpose: "sip-register: TLS-DSK certificate provisioning")
        guard let address = resolved.addresses.first else {
            findings.append(
                judge.sipFinding(
                    .sipProvisioningURL, server: server, status: response.statusCode, packages: response.challenges.map(\.scheme),
                    failure: "\(provisioning.host) does not resolve (\(resolved.result))", provisioningURL: provisioning.url))
            return
        }
        // The phone fetches its TLS-DSK certificate there over HTTPS: this build must trust that server for the name.
        var found: [Finding] = []
        _ = await judge(
            host: provisioning.host, address: address, port: provisioning.port, hosts: [provisioning.host],
            purpose: "TLS-DSK certificate provisioning (\(provisioning.url))", deferred: &found)
        findings += found
    }

    /// The exchange as the trace keeps it.
    func record(_ exchange: SIPRegisterExchange) -> BootSIPExchange {
        let outcome: String =
            switch exchange.outcome {
            case .answered: "answered"
            case .connection(let error): error.description
            case .noAnswer(let received): "no whole answer before the deadline (\(received) bytes read)"
            case .closed(let received): "closed by the registrar after \(received) bytes"
            case .tooLarge(let limit): "more than \(limit) bytes"
            case .malformed(let error): error.description
            case .failed(let reason): reason
            }
        return BootSIPExchange(
            host: exchange.host, address: exchange.address, port: exchange.port, request: exchange.request.text,
            status: exchange.response?.statusCode, reason: exchange.response?.reason, challenges: exchange.response?.challenges ?? [],
            contacts: exchange.response?.contacts ?? [], outcome: outcome, answerBytes: exchange.answerBytes, excerpt: exchange.excerpt)
    }
}
