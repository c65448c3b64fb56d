import CXCertCapture
import CXCertCore
import CXCertDirectory
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The phone's three conversations as `boot` speaks them (`certprov`, `device-update-request`, `sip-register`), read from a
// capture: HTTP and SIP over TCP in clear are decoded and judged by the rules boot uses (Engine/ConversationRules.swift);
// TLS-wrapped ones (443, 5061) are told as what they are. Kept out of CaptureAnalysis.swift, which calls it.
extension CaptureReader {
    /// The most bytes of one SIP message's body read from a capture (a REGISTER and its answers carry none; an SDP or
    /// a Lync notification is a few KiB). HTTP bodies are bounded by ``HTTPMessageView`` (1 MiB each).
    static let maxSIPBody = 64 << 10
    /// The most REGISTERs of one phone read and shown (each with its answer); the rest are counted in a note.
    static let maxREGISTERs = 64
    /// The most characters of a request or an answer kept in a step's notes (the renderers escape them).
    static let conversationExcerpt = 512

    /// Whether a client stream is SIP in clear: its first line ends in ` SIP/2.0`.
    static func isSIP(_ stream: [UInt8]) -> Bool {
        let start = stream.prefix(4096).drop { $0 == 13 || $0 == 10 }
        guard let end = start.firstIndex(where: { $0 == 13 || $0 == 10 }) else { return false }
        return String(decoding: start[..<end], as: UTF8.self).hasSuffix(" SIP/2.0")
    }

    /// A root-chain request ([MS-OCAUTHWS] Certificate Provisioning, the path option 43 gives): a POST to a
    /// `/CertProv/` path or with a `GetRootCertChains` body.
    static func isCertProv(_ request: HTTPMessageView) -> Bool {
        guard request.isRequest else { return false }
        if request.target?.lowercased().contains("/certprov/") == true { return true }
        return String(decoding: request.body.prefix(4096), as: UTF8.self).contains("GetRootCertChains")
    }

    /// A Device Update check: a request to `ucdevice.upx`.
    static func isDeviceUpdate(_ request: HTTPMessageView) -> Bool {
        request.isRequest && request.target?.lowercased().contains("ucdevice.upx") == true
    }

    /// A message as the notes show it: its head and body, bounded, CRs dropped (the renderers escape the rest).
    static func excerpt(_ message: HTTPMessageView) -> String {
        let head = message.head.isEmpty ? message.startLine : message.head
        let text = head.replacingAll("\r", with: "") + (message.body.isEmpty ? "" : "\n\n")
        return answerExcerpt(Array(text.utf8) + message.body.filter { $0 != 0x0D }, length: conversationExcerpt)
    }

    /// A URL as compared with another: scheme and host lowercased, the scheme's default port written out, so
    /// `http://HOST/x` (a `Host` header without a port) and `http://HOST:80/x` (an offer's URL) are one.
    static func comparable(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host?.lowercased() else {
            return url.lowercased()
        }
        let port = parts.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)\(parts.percentEncodedPath)\(parts.percentEncodedQuery.map { "?\($0)" } ?? "")"
    }

    /// The request-answer pairs of one connection, in order: a final answer goes to the oldest request without one
    /// (HTTP/1.1 answers pipelined requests in order; 1xx answers are skipped); a request left without an answer is
    /// paired with nil.
    static func pairs(_ messages: [(message: HTTPMessageView, fromClient: Bool)]) -> [(HTTPMessageView, HTTPMessageView?)] {
        var pending: [HTTPMessageView] = []
        var paired: [(HTTPMessageView, HTTPMessageView?)] = []
        for entry in messages {
            if entry.fromClient {
                pending.append(entry.message)
            } else if !pending.isEmpty, !(100..<200).contains(entry.message.status ?? 0) {
                // An interim answer (100 Continue to an `Expect`, 1xx of SIP) is not the request's answer.
                paired.append((pending.removeFirst(), entry.message))
            }
        }
        return paired + pending.map { ($0, nil) }
    }

    /// One conversation step as read, for the judge to close (``PhoneJudge/close(_:)``).
    struct ConversationStep {
        var kind: BootStepKind
        var endpoints: [BootEndpoint] = []
        var notes: [String]
        var findings: [Finding]
        var exchange: BootHTTPExchange?
        var sipExchanges: [BootSIPExchange] = []
        /// Only TLS-wrapped conversations: nothing in clear to judge, so the step is skipped, never a ✔.
        var onlyWrapped = false
    }

    /// What the conversations gave: their steps (certprov first, for the roots step; the other two after the TLS step)
    /// and the roots the root-chain answers carried.
    struct Conversations {
        var certprov: ConversationStep?
        var later: [ConversationStep] = []
        var roots: [(root: BootRoot, anchor: TrustAnchor, time: Date)] = []
    }

    /// The phone's conversations in its own connections (`mine`), judged with `judge`, which also gives the names the
    /// phone resolved to an address before a time (``PhoneJudge/names(resolving:by:)``).
    func conversations(_ mine: [Session], judge: PhoneJudge) -> Conversations {
        var result = Conversations()
        func server(_ session: Session) -> (host: String, address: String, port: Int) {
            let address = session.connection.server.address
            return (judge.names(resolving: address, by: session.time).first ?? address, address, session.connection.server.port)
        }
        func makeStep(_ kind: BootStepKind, endpoints: [BootEndpoint] = [], notes: [String], findings: [Finding]) -> ConversationStep {
            ConversationStep(kind: kind, endpoints: endpoints, notes: notes, findings: findings)
        }
        // A request's URL: its Host header, else the name the phone resolved to the server (with the port when not 80).
        func url(_ request: HTTPMessageView, _ session: Session) -> String {
            let (host, _, port) = server(session)
            return "http://\(request.headers["host"] ?? (port == 80 ? host : "\(host):\(port)"))\(request.target ?? "")"
        }
        // Every HTTP exchange of the phone, for the offered files it fetched.
        var fetched: [(url: String, request: HTTPMessageView, answer: HTTPMessageView?, time: Date)] = []
        for session in mine {
            for (request, answer) in Self.pairs(session.http) { fetched.append((url(request, session), request, answer, session.time)) }
        }

        // certprov: the root-chain requests and their answers, decoded as boot decodes them.
        var certNotes: [String] = []
        var certFindings: [Finding] = []
        var certEndpoints: [BootEndpoint] = []
        var certExchange: BootHTTPExchange?
        var certURL: String?
        for session in mine {
            let (host, address, port) = server(session)
            for (request, answer) in Self.pairs(session.http) where Self.isCertProv(request) {
                let url = url(request, session)
                certURL = certURL ?? url
                certNotes.append("\(Self.clock(session.time)) request: \(Self.excerpt(request))")
                guard let answer else {
                    certNotes.append("no answer to \(url) in the capture")
                    continue
                }
                certNotes.append("answer: \(Self.excerpt(answer))")
                let exchange = BootHTTPExchange(
                    method: String(request.startLine.prefix { $0 != " " }), url: url, address: address,
                    headers: request.head.components(separatedBy: "\r\n").dropFirst().map { String($0) },
                    body: answerExcerpt(request.body, length: Self.conversationExcerpt), status: answer.status,
                    contentType: answer.headers["content-type"], bodyBytes: answer.body.count,
                    excerpt: answerExcerpt(answer.body, length: CertificateProvisioning.excerptLength))
                certExchange = certExchange ?? exchange
                // A cut answer is not decoded: chains cut between certificates would read as fewer roots.
                guard answer.isComplete, let status = answer.status else {
                    certNotes.append("the answer is cut in the capture: not decoded")
                    continue
                }
                let read = CertificateProvisioning.read(
                    HTTPFetcher.Reply(status: status, contentType: answer.headers["content-type"], body: answer.body),
                    request: .rootChains(host: request.headers["host"] ?? host, port: port, path: request.target), address: address)
                if let failure = judge.certProvFinding(read.outcome, url: url, address: address, status: status) {
                    certFindings.append(failure)
                }
                if case .chains(let certificates) = read.outcome {
                    certEndpoints.append(
                        BootEndpoint(
                            host: host, address: address, port: port, purpose: "root-chain download (captured)", chain: [], verdict: nil,
                            outcome: "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s") in the root chains"))
                    // As boot keeps them: roots the Certificate Provisioning service handed out, with where from.
                    let place = "downloaded from \(url)"
                    result.roots += certificates.map {
                        (
                            BootRoot(certificate: $0, source: "Certificate Provisioning: \(place)"),
                            TrustAnchor(certificate: $0, source: .certificateProvisioning(place)), session.time
                        )
                    }
                }
            }
        }
        // certprov-root-missing, as boot judges it: the top of each chain the phone received on 443 or 5061 (the web
        // services and the registrar) must be among the downloaded certificates or the phone's own.
        if let certURL, !result.roots.isEmpty {
            let held = Set(result.roots.map(\.root.certificate.subject) + judge.state.anchors.map(\.certificate.subject))
            var reported: Set<String> = []
            for session in mine where [443, 5061].contains(session.connection.server.port) {
                let chain = session.tls.compactMap { entry -> [Certificate]? in
                    guard !entry.fromClient, case .certificate(let ders) = entry.message else { return nil }
                    return Certificate.presentedChain(ders).chain
                }.first
                guard let top = chain?.last, let needed = PhoneJudge.missingRoot(top: top, held: held) else { continue }
                let name = server(session)
                guard reported.insert("\(name.host):\(name.port)").inserted else { continue }
                certFindings.append(judge.certProvRootMissing(url: certURL, address: nil, server: name.host, needed: needed))
            }
        }
        // The web services over TLS: their content is not in the capture.
        for session in mine where session.connection.server.port == 443 && !session.tls.isEmpty {
            let (host, address, port) = server(session)
            certNotes.append(
                "\(Self.clock(session.time)) a TLS conversation with \(host) (\(address):\(port)): its content (HTTPS web-service calls, the authenticated certificate provisioning among them) is not visible in a capture"
            )
        }
        if !certNotes.isEmpty {
            var step = makeStep(.certprov, endpoints: certEndpoints, notes: certNotes, findings: certFindings)
            step.exchange = certExchange
            step.onlyWrapped = certExchange == nil && certEndpoints.isEmpty
            result.certprov = step
        }

        // device-update-request: the phone's check, the offer, and the offered files it fetched.
        var updateNotes: [String] = []
        var updateFindings: [Finding] = []
        var updateEndpoints: [BootEndpoint] = []
        for session in mine {
            let (host, address, _) = server(session)
            for (request, answer) in Self.pairs(session.http) where Self.isDeviceUpdate(request) {
                let url = url(request, session)
                updateNotes.append("\(Self.clock(session.time)) request: \(Self.excerpt(request))")
                guard let answer else {
                    updateNotes.append("no answer to \(url) in the capture")
                    continue
                }
                updateNotes.append("answer: \(Self.excerpt(answer))")
                guard answer.isComplete, let status = answer.status else {
                    updateNotes.append("the answer is cut in the capture: not decoded")
                    continue
                }
                let judged = judge.deviceUpdateFindings(
                    DeviceUpdate.outcome(status: status, body: answer.body), url: url, address: address, status: status)
                updateFindings += judged.findings
                guard let offer = judged.offer else { continue }
                updateNotes += judge.deviceUpdateOfferNotes(offer, server: host)
                for file in offer.files {
                    for offered in file.urls {
                        // The fetch of an offered file, when the capture has it: judged as boot judges its HEAD.
                        let fetches = fetched.filter { Self.comparable($0.url) == Self.comparable(offered) }
                        guard let fetch = fetches.first(where: { $0.answer != nil }) ?? fetches.first else {
                            updateNotes.append("\(offered): not fetched in the capture")
                            continue
                        }
                        guard let got = fetch.answer, let code = got.status else {
                            updateNotes.append("\(Self.clock(fetch.time)) \(fetch.request.startLine): no answer in the capture")
                            continue
                        }
                        updateEndpoints.append(
                            BootEndpoint(
                                host: (try? HTTPFetcher.target(of: offered).host) ?? host, address: address, port: 80,
                                purpose: "offered update file (captured)", chain: [], verdict: nil,
                                outcome: "\(fetch.request.startLine.prefix { $0 != " " }) \(offered): HTTP \(code)"))
                        if code != 200 {
                            updateFindings.append(
                                judge.finding(
                                    .deviceUpdateFileUnreachable, .error,
                                    .walk(.deviceUpdate(url: offered, address: nil, status: code, failure: "HTTP \(code)"))))
                        }
                    }
                }
            }
        }
        if !updateNotes.isEmpty {
            result.later.append(
                makeStep(.deviceUpdateRequest, endpoints: updateEndpoints, notes: updateNotes, findings: updateFindings))
        }

        // sip-register: REGISTERs over TCP in clear and their final answers; over TLS, the connection only.
        var sipNotes: [String] = []
        var sipFindings: [Finding] = []
        var exchanges: [BootSIPExchange] = []
        var registeredWith: Set<String> = []
        var registersRead = 0
        for session in mine where !session.sip.isEmpty {
            let (host, address, port) = server(session)
            let sipServer = PhoneJudge.SIPServer(host: host, address: address, port: port)
            registeredWith.formUnion(
                judge.names(resolving: address, by: session.time).map { "\($0.lowercased()):\(port)" } + ["\(address):\(port)"])
            let requests = session.sip.filter { $0.fromClient && $0.message.startLine.hasPrefix("REGISTER ") }.map(\.message)
            let answers = session.sip.filter { !$0.fromClient }.map(\.message)
            // A phone re-registers for as long as the capture runs: the first ones say what it met.
            let unread = requests.count - (Self.maxREGISTERs - registersRead)
            if unread > 0 {
                sipNotes.append("\(unread) more REGISTERs to \(address):\(port) are not read (\(Self.maxREGISTERs) per phone)")
            }
            for request in requests.prefix(max(0, Self.maxREGISTERs - registersRead)) {
                registersRead += 1
                let cseq = request.headers["cseq"]
                sipNotes.append("\(Self.clock(session.time)) request to \(address):\(port) over TCP: \(Self.excerpt(request))")
                // The final answer with the request's CSeq (provisional 1xx answers are skipped).
                let final = answers.first { answer in
                    (answer.status ?? 0) >= 200 && answer.headers["cseq"] == cseq
                }
                guard let final else {
                    sipNotes.append("no final answer to this REGISTER in the capture")
                    continue
                }
                sipNotes.append("answer: \(Self.excerpt(final))")
                let response: SIPResponse
                do {
                    response = try SIPResponse.parse(Array((final.head + "\r\n\r\n").utf8))
                } catch {
                    sipFindings.append(judge.sipFinding(.sipRegisterFailed, server: sipServer, failure: error.description))
                    continue
                }
                exchanges.append(
                    BootSIPExchange(
                        host: host, address: address, port: port, request: request.head, status: response.statusCode,
                        reason: response.reason, challenges: response.challenges, contacts: response.contacts, outcome: "answered",
                        answerBytes: final.head.utf8.count + 4 + final.body.count, excerpt: Self.excerpt(final)))
                switch judge.sipAnswer(response, server: sipServer) {
                case .challenged:
                    // Over TCP in clear there is no certificate: the target name is not checked against one.
                    let judged = judge.sipChallengeFindings(response, server: sipServer, chain: [])
                    sipNotes += judged.notes
                    sipFindings += judged.findings
                    if let provisioning = judged.provisioning {
                        sipNotes.append(
                            "TLS-DSK: the phone fetches its certificate at \(provisioning.url) (\(provisioning.host):\(provisioning.port)); that handshake, when captured, is judged in the tls step"
                        )
                    }
                case .done(let found): sipFindings += found
                case .redirect(let next):
                    let nextPort = next.port ?? 5061
                    sipNotes.append("\(response.statusCode) \(response.reason): redirected to \(next)")
                    if registeredWith.contains("\(next.host.lowercased()):\(nextPort)") {
                        sipFindings.append(
                            judge.sipFinding(
                                .sipRedirectFailed, server: sipServer, status: response.statusCode,
                                failure: "a redirect loop back to \(next.host):\(nextPort)"))
                    }
                }
            }
        }
        for session in mine where session.connection.server.port == 5061 && !session.tls.isEmpty {
            let (host, address, port) = server(session)
            sipNotes.append(
                "\(Self.clock(session.time)) a TLS conversation with \(host) (\(address):\(port)): the REGISTER and its answer inside are not visible in a capture (the handshake is judged in the tls step)"
            )
        }
        if !sipNotes.isEmpty {
            var step = makeStep(.sipRegister, notes: sipNotes, findings: sipFindings)
            step.sipExchanges = exchanges
            step.onlyWrapped = exchanges.isEmpty
            result.later.append(step)
        }
        return result
    }
}

extension PhoneJudge {
    /// Closes a conversation step read from a capture, with its exchanges.
    mutating func close(_ step: CaptureReader.ConversationStep) {
        close(step.kind, endpoints: step.endpoints, notes: step.notes, findings: step.findings, skipped: step.onlyWrapped)
        steps[steps.count - 1].exchange = step.exchange
        steps[steps.count - 1].sipExchanges = step.sipExchanges
    }
}
