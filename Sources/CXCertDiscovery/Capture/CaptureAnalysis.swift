import CXCertCapture
import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CaptureReader {
    /// One TCP connection's readable content.
    struct Session {
        let connection: Connection
        var tls: [(offset: Int, message: TLSMessage, fromClient: Bool)] = []
        var ldap: [(offset: Int, time: Date, message: LDAPMessageView, fromClient: Bool)] = []
        var http: [(message: HTTPMessageView, fromClient: Bool)] = []
        /// SIP over TCP in clear (CapturedConversations.swift reads it).
        var sip: [(message: HTTPMessageView, fromClient: Bool)] = []
        /// What is missing from the connection in the capture, as `capture-gap` details.
        var problems: [FindingDetail] = []
        var time: Date { connection.time }
    }

    func read(_ connection: Connection) -> Session {
        var session = Session(connection: connection)
        let (up, upGaps) = connection.toServer.assembled()
        let (down, downGaps) = connection.toClient.assembled()
        let (upTimes, downTimes) = (connection.toServer.timeline(), connection.toClient.timeline())
        let name = "\(connection.client.address):\(connection.client.port) → \(connection.server.address):\(connection.server.port)"
        func gap(
            _ kind: CaptureFacts.Gap, count: Int? = nil, limit: Int? = nil, offset: Int? = nil, reason: String? = nil
        ) -> FindingDetail {
            .capture(.captureGap(gap: kind, connection: name, count: count, limit: limit, offset: offset, reason: reason))
        }
        if !connection.toServer.sawStart && !connection.toClient.sawStart {
            session.problems.append(gap(.midConnection))
        }
        for missing in upGaps + downGaps { session.problems.append(gap(.missingBytes, count: missing.length, offset: missing.offset)) }
        if connection.toServer.overflowed || connection.toClient.overflowed {
            session.problems.append(gap(.streamLimit, limit: options.maxStreamBytes))
        }
        if up.first == 0x16 || down.first == 0x16 {
            let client = TLSMessage.parse(up)
            let server = TLSMessage.parse(down)
            // In the order they crossed the wire: each message at the time its last record arrived.
            let timed =
                client.messages.map { (upTimes.time(at: $0.offset - 1) ?? connection.time, $0.offset, $0.message, true) }
                + server.messages.map { (downTimes.time(at: $0.offset - 1) ?? connection.time, $0.offset, $0.message, false) }
            session.tls = timed.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2, $0.3) }
            for problem in [client.problem, server.problem].compactMap({ $0 }) where problem.isTLS {
                session.problems.append(gap(.unparsed, reason: problem.description))
            }
        } else if up.first == 0x30 || connection.server.port == 389 {
            let client = LDAPMessageView.parse(up)
            let server = LDAPMessageView.parse(down)
            session.ldap =
                client.messages.map { ($0.offset, upTimes.time(at: $0.offset) ?? connection.time, $0.message, true) }
                + server.messages.map { ($0.offset, downTimes.time(at: $0.offset) ?? connection.time, $0.message, false) }
            for problem in [client.problem, server.problem].compactMap({ $0 }) { session.problems.append(gap(.unparsed, reason: problem)) }
        } else if Self.isSIP(up) {
            let requests = HTTPMessageView.parse(up, maxBody: Self.maxSIPBody, version: "SIP")
            let responses = HTTPMessageView.parse(down, maxBody: Self.maxSIPBody, version: "SIP")
            session.sip = requests.messages.map { ($0, true) } + responses.messages.map { ($0, false) }
            for problem in [requests.problem, responses.problem].compactMap({ $0 }) {
                session.problems.append(gap(.unparsed, reason: problem))
            }
        } else if let first = up.first, (0x41...0x5A).contains(first) {
            let requests = HTTPMessageView.parse(up)
            let responses = HTTPMessageView.parse(down, requests: requests.messages.map(\.startLine))
            session.http = requests.messages.map { ($0, true) } + responses.messages.map { ($0, false) }
            for problem in [requests.problem, responses.problem].compactMap({ $0 }) {
                session.problems.append(gap(.unparsed, reason: problem))
            }
        }
        return session
    }

    // MARK: Phones

    /// The address a named phone used in the capture: for a MAC, the address its frames came from, else the
    /// address a DHCP server gave it (ACK, or OFFER) or it had (ciaddr); for an address, itself when anything in the
    /// capture came from it (DHCP, DNS, SNTP or TCP) or a DHCP server acknowledged it to a client.
    func address(of selector: PhoneSelector, index: CaptureIndex, clients: Set<String>) -> String? {
        switch selector {
        case .mac(let mac):
            if let address = index.macs.filter({ $0.value == mac }).keys.sorted().first(where: { $0 != "0.0.0.0" }) { return address }
            return Self.leased(index.dhcp(hardwareAddress: mac))
        case .address(let address):
            let leased = index.dhcp.filter { $0.message.op == 2 && $0.message.messageType == .ack }.compactMap {
                Self.ipv4($0.message.yourAddress)
            }
            return clients.union(index.macs.keys).union(index.dhcpSources).union(leased).sorted().first {
                HostnameMatcher.ipAddress($0) == address
            }
        }
    }

    /// Four address bytes as text; nil for 0.0.0.0 (no address) or another length.
    static func ipv4(_ bytes: [UInt8]) -> String? {
        bytes.count == 4 && bytes != [0, 0, 0, 0] ? bytes.map(String.init).joined(separator: ".") : nil
    }

    /// The address DHCP gave one client, from the packets that carry its `chaddr`: the `yiaddr` of an ACK (the last
    /// one: a renewal can move it), else of an OFFER, else the `ciaddr` it claimed in its own requests.
    static func leased(_ mine: [DHCPEvent]) -> String? {
        let replies = mine.filter { $0.message.op == 2 }
        let acked = replies.filter { $0.message.messageType == .ack }.compactMap { ipv4($0.message.yourAddress) }
        let offered = replies.compactMap { ipv4($0.message.yourAddress) }
        return acked.last ?? offered.last ?? mine.lazy.filter { $0.message.op == 1 }.compactMap { ipv4($0.message.clientAddress) }.first
    }

    func phones(index: CaptureIndex, sessions: [Session], clients: Set<String>) -> [CapturedPhone] {
        var found: [CapturedPhone] = []
        var addresses: Set<String> = []
        func add(_ address: String, _ reason: String, mac: String? = nil) {
            guard !address.isEmpty, address != "0.0.0.0", addresses.insert(address).inserted else { return }
            found.append(CapturedPhone(address: address, mac: mac ?? index.macs[address], reason: reason))
        }
        if !options.phones.isEmpty {
            for selector in options.phones {
                if let address = address(of: selector, index: index, clients: clients) {
                    // A phone named by MAC keeps that MAC even when no frame from its address showed one (a capture of
                    // its DHCP exchange only): the DHCP step finds its requests by it.
                    let mac: String? = if case .mac(let mac) = selector { mac } else { nil }
                    add(address, "named with --phone \(selector)", mac: mac)
                }
            }
            return found
        }
        for event in index.dhcp where event.message.op == 1 {
            guard event.message.options[60].map({ String(decoding: $0, as: UTF8.self) }) == DHCPExchange.ucVendorClass else { continue }
            // A DISCOVER or REQUEST comes from 0.0.0.0: the phone is then at the address the server gave its chaddr.
            let mac = CaptureIndex.macText(event.message.hardwareAddress)
            let address =
                Self.ipv4(event.message.clientAddress)
                ?? (event.source == "0.0.0.0" ? Self.leased(index.dhcp(hardwareAddress: mac)) : event.source)
            add(address ?? "", "DHCP with vendor class MS-UC-Client", mac: event.mac ?? mac)
        }
        for session in sessions {
            for entry in session.tls where entry.fromClient {
                if case .clientHello(let version, _, let name) = entry.message, version <= 0x0301, name == nil {
                    add(session.connection.client.address, "TLS 1.0 ClientHello without SNI, as Phone Edition sends")
                }
            }
            if session.http.contains(where: { $0.fromClient && $0.message.target?.lowercased().contains("ucdevice.upx") == true }) {
                add(session.connection.client.address, "Device Update request (ucdevice.upx)")
            }
        }
        if found.isEmpty {
            for session in sessions where session.tls.contains(where: { $0.fromClient }) {
                add(session.connection.client.address, "a TLS client (nothing in the capture looks like a phone)")
            }
        }
        return found
    }

    /// The device and build: the options, else a Device Update request, else the defaults.
    func profile(for phone: CapturedPhone, sessions: [Session]) -> (DeviceProfile, String) {
        var device = options.device
        var firmware = options.firmware
        var source = options.firmware != nil ? "--firmware" : "the newest known build (no --firmware and no Device Update request)"
        let requests = sessions.filter { $0.connection.client.address == phone.address }.flatMap { session in
            session.http.filter { $0.fromClient && $0.message.target?.lowercased().contains("ucdevice.upx") == true }.map(\.message)
        }
        for request in requests {
            let text = (request.target ?? "") + " " + String(decoding: request.body.prefix(65_536), as: UTF8.self)
            if firmware == nil, let version = Self.firmwareVersions(in: text).first {
                firmware = version
                source = "the Device Update request (\(version))"
            }
            if device == nil, let model = Self.models.first(where: { text.lowercased().contains($0.0) }) { device = model.1 }
        }
        let name = device ?? "tanjay"
        let resolved =
            (try? DeviceProfile.resolve(device: name, firmware: firmware, knowledge: options.knowledge))
            ?? (try? DeviceProfile.resolve(device: "tanjay", knowledge: options.knowledge))!
        return (resolved, (device == nil ? "device tanjay (default); " : "device \(name); ") + "build from \(source)")
    }

    static let models: [(String, String)] = [
        ("cx700", "cx700"), ("cx600", "cx600"), ("cx500", "cx500"), ("cx3000", "cx3000"), ("4120", "hp4120"), ("4110", "hp4110"),
        ("6725ip", "aastra6725ip"), ("6721ip", "aastra6721ip"), ("ip8540", "ip8540"),
    ]

    /// Build numbers in a request, known builds first (an IP address is not a build: its third part is small): what
    /// `\b[1-9]\.[0-9]{1,2}\.[0-9]{3,5}\.[0-9]{1,5}\b` finds (with ICU's word characters), left to right.
    static func firmwareVersions(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        func isDigit(_ index: Int) -> Bool { index < scalars.count && ("0"..."9").contains(scalars[index]) }
        /// The end of the run of 0-9 from `start` if its length is in `lengths` and a `.` follows; nil otherwise.
        func digits(from start: Int, _ lengths: ClosedRange<Int>) -> Int? {
            var end = start
            while isDigit(end) { end += 1 }
            return lengths.contains(end - start) ? end : nil
        }
        func dot(_ index: Int) -> Bool { index < scalars.count && scalars[index] == "." }
        var found: [String] = []
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            guard ("1"..."9").contains(scalars[index]), isRegexWordBoundary(scalars, at: index), dot(index + 1),
                let second = digits(from: index + 2, 1...2), dot(second), let third = digits(from: second + 1, 3...5), dot(third),
                let end = digits(from: third + 1, 1...5), isRegexWordBoundary(scalars, at: end)
            else { continue }
            var version = String.UnicodeScalarView()
            version.append(contentsOf: scalars[index..<end])
            found.append(String(version))
            index = end - 1
        }
        return found
    }

    // MARK: The reading

    func analyze(files: [String], frames: Int, findings: [Finding], index: CaptureIndex, connections: [Connection]) -> CaptureReport {
        let sessions = connections.map(read)
        // Each client's connections, in time order: a phone's trace looks up its own, never scans the capture's.
        let sessionsByClient = Dictionary(grouping: sessions, by: \.connection.client.address)
        // Every address that spoke as a client: a phone may show only DNS or SNTP in a capture.
        let clients = Set(sessionsByClient.keys).union(index.udpClients)
        let found = phones(index: index, sessions: sessions, clients: clients)
        // Gaps in the phones' connections one by one; the rest (a busy capture has thousands) in one line.
        let phoneAddresses = Set(found.map(\.address))
        var captureFindings = findings
        var otherGaps = 0
        var otherConnections = 0
        for session in sessions where !session.problems.isEmpty {
            if phoneAddresses.contains(session.connection.client.address) {
                for problem in session.problems { captureFindings.append(finding(.captureGap, .warning, problem)) }
            } else {
                otherGaps += session.problems.count
                otherConnections += 1
            }
        }
        if otherGaps > 0 {
            captureFindings.append(
                finding(
                    .captureGap, .warning,
                    .capture(
                        .captureGap(
                            gap: .otherConnections, connection: nil, count: otherGaps, limit: otherConnections, offset: nil, reason: nil))))
        }
        let traces = found.map { phone in trace(phone, index: index, sessions: sessionsByClient[phone.address] ?? []) }
        var report = CaptureReport(files: files, frames: frames, findings: captureFindings, phones: traces)
        report.notFound = options.phones.filter { address(of: $0, index: index, clients: clients) == nil }
        return report
    }

    /// One phone's trace from its own events (`sessions` are its connections as a client).
    func trace(_ phone: CapturedPhone, index: CaptureIndex, sessions: [Session]) -> CaptureTrace {
        let (profile, buildSource) = profile(for: phone, sessions: sessions)
        let mine = sessions.filter { $0.connection.client.address == phone.address }
        // The judge: the phone's state and clock, fed in the capture's order; this reading only produces its evidence.
        var judge = PhoneJudge(
            profile: profile,
            state: options.start.state(profile: profile, trusted: options.trusted),
            vocabulary: options.vocabulary, phased: false)

        // DHCP: the phone's requests and the answers with the same transaction ids.
        let requests = index.dhcpRequests(mac: phone.mac, address: phone.address)
        if !requests.isEmpty {
            var notes: [String] = []
            var answers = DHCPAnswerCollector()
            let shownRequests = 64
            if requests.count > shownRequests {
                notes.append("\(requests.count) DHCP requests from this phone; the first \(shownRequests) are read")
            }
            for request in requests.prefix(shownRequests) {
                let vendor = request.message.options[60].map { String(decoding: $0, as: UTF8.self) }
                notes.append(
                    "\(Self.clock(request.time)) DHCP \(request.message.messageType.map { "\($0)" } ?? "request") vendor class \(vendor ?? "(none)"), asking for \(request.message.options[55]?.map(String.init).joined(separator: ", ") ?? "nothing")"
                )
                for reply in index.dhcpReplies(transaction: request.message.transactionID) {
                    let server = DHCPOptionsReport.addresses(reply.message.options[54]).first ?? reply.source
                    let kept = answers.answers.count
                    answers.add(
                        DHCPAnswer(
                            server: server, vendorClass: vendor, message: reply.message, elapsed: reply.time.timeIntervalSince(request.time)
                        ))
                    guard answers.answers.count > kept else { continue }
                    notes.append(
                        "\(Self.clock(reply.time)) answer from \(server) with options \(reply.message.order.map(String.init).joined(separator: ", "))"
                    )
                }
            }
            let exchange = DHCPExchange(interface: nil, clientAddress: phone.address, collector: answers)
            if !exchange.dropped.isEmpty {
                notes.append(
                    "\(exchange.droppedCount) more answers over the limit (\(answers.limit.perServer) per server, \(answers.limit.total) in all) were not read: "
                        + exchange.dropped.map { "\($0.server ?? "other servers") ×\($0.count)" }.joined(separator: ", "))
            }
            if let used = exchange.phoneAnswer?.options {
                notes.append(
                    "the phone uses: option 15 \(used.domainName ?? "none"); 119 \(used.searchDomains.joined(separator: ", ")); 6 \(used.dnsServers.joined(separator: ", ")); 120 \(used.registrars.joined(separator: ", ")); 43 \(used.provisioning?.url ?? "none")"
                )
            }
            let judged = judge.judge(exchange)
            if judged.option120LeftOut { notes.append(BootWalker.option120LeftOut) }
            judge.close(.dhcp, notes: notes, findings: judged.findings)
        }

        // DNS: every question the phone asked and the answer it got, in order.
        let dns = index.dns[phone.address] ?? []
        let asked = dns.filter { !$0.summary.isResponse }
        var queries: [BootQuery] = []
        var dnsNotes: [String] = []
        // Answers indexed by id and name: a capture of many DNS packets is matched in one pass, not one per question.
        var replies: [String: [DNSEvent]] = [:]
        for event in dns where event.summary.isResponse {
            replies["\(event.summary.id) \(event.summary.name)", default: []].append(event)
        }
        // An SRV target whose A answer went through CNAME records, by boot's rule (SRVTargetAlias.swift).
        var srvAliases = SRVTargetAliases()
        var aliasFindings: [Finding] = []
        for question in asked {
            let reply = replies["\(question.summary.id) \(question.summary.name)"]?.first { $0.time >= question.time }
            guard question.summary.type == 1 || question.summary.type == 33 else {
                dnsNotes.append(
                    "\(Self.clock(question.time)) \(question.summary.name) type \(question.summary.type) → \(reply.map { "rcode \($0.summary.rcode)" } ?? "no answer in the capture")"
                )
                continue
            }
            let answer = reply?.summary.answer ?? .failed("no answer in the capture")
            let type: DNSRecordType = question.summary.type == 33 ? .srv : .a
            let aliases = reply?.summary.aliases ?? []
            let query = BootQuery(
                name: question.summary.name, type: type, server: DNSServer(address: question.server, port: question.port),
                answer: answer, purpose: "asked at \(Self.clock(question.time))", aliases: aliases)
            queries.append(query)
            // At the time the answer came: from then on a handshake to an address it gave may have used the name.
            judge.record(.dns(query, at: reply?.time ?? question.time))
            if let detail = srvAliases.note(question.summary.name, type, answer, aliases: aliases) {
                aliasFindings.append(judge.finding(.srvTargetAlias, .warning, detail))
            }
        }
        if !asked.isEmpty {
            judge.close(.dns, queries: queries, notes: dnsNotes, findings: judge.dnsOrder() + aliasFindings)
        }

        // Time: the phone's own clock in its requests, the server's in the answers.
        let ntp = index.ntp[phone.address] ?? []
        let requestsNTP = ntp.filter { $0.packet[0] & 0x7 == 3 }
        var samples: [BootTimeSample] = []
        var timeNotes: [String] = []
        var timeFindings: [Finding] = []
        var readings: [TimeEvidence] = []
        var unsynchronized: [FindingDetail] = []
        var ntpReplies: [[UInt8]: NTPEvent] = [:]
        for event in ntp where event.packet[0] & 0x7 != 3 {
            let echoed = Array(event.packet[24..<32])
            if ntpReplies[echoed] == nil { ntpReplies[echoed] = event }
        }
        for request in requestsNTP {
            let transmit = Array(request.packet[40..<48])
            if let phoneTime = SNTPClient.date(request.packet, at: 40) {
                readings.append(
                    TimeEvidence(
                        kind: .phoneReading, offset: phoneTime.timeIntervalSince(request.time),
                        source: .phoneReading(at: request.time), at: request.time))
                timeNotes.append(
                    "\(Self.clock(request.time)) the phone asked \(request.server) for the time; its own clock read \(iso8601(phoneTime)) (\(Self.signed(phoneTime.timeIntervalSince(request.time))) from the capture's clock)"
                )
            }
            guard let reply = ntpReplies[transmit] else { continue }
            let result = SNTPClient.parse(reply.packet, transmit: transmit, sent: request.time, received: reply.time)
            samples.append(BootTimeSample(name: request.server, address: request.server, port: 123, how: .captured, result: result))
            if case .success(let response) = result {
                if response.isUnsynchronized {
                    unsynchronized.append(
                        .walk(
                            .ntp(
                                server: request.server, address: request.server, port: 123, via: .captured, leap: response.leapIndicator,
                                stratum: response.stratum, referenceID: response.referenceID, kissOfDeath: response.isKissOfDeath)))
                } else {
                    readings.append(
                        TimeEvidence(
                            kind: .answer, offset: response.offset, source: .capturedAnswer(at: reply.time),
                            at: reply.time))
                }
            }
        }
        if requestsNTP.isEmpty {
            timeNotes.append("no time exchange of this phone in the capture: certificates are judged at the capture's clock")
        }
        // The same rules as boot, from the judge that has seen every reading: unsynchronised servers, and a notable
        // offset of the phone's clock from the true time (here the capture's clock).
        readings.sort { $0.at < $1.at }
        var timed = judge
        for reading in readings { timed.record(reading) }
        timeFindings += timed.clockFindings(unsynchronized)
        judge.close(.time, samples: samples, notes: timeNotes, findings: timeFindings)

        // LDAP and HTTP: what the phone searched and fetched, and the roots it received.
        // What the phone received, each with the evidence the judge takes: an LDAP entry read, or roots downloaded.
        var downloaded: [(roots: [BootRoot], evidence: Evidence)] = []
        var ldapNotes: [String] = []
        var httpNotes: [String] = []
        for session in mine {
            let server = "\(session.connection.server.address):\(session.connection.server.port)"
            for entry in session.ldap {
                switch entry.message {
                case .searchRequest(let base, let attributes):
                    ldapNotes.append("\(Self.clock(session.time)) search \(server) base \(base) for \(attributes.joined(separator: ", "))")
                case .searchEntry(let dn, let attributes):
                    // The attribute type without its options (`cACertificate;binary`), as the directory's own entries.
                    let types = Dictionary(
                        attributes.map { (String($0.key.split(separator: ";").first ?? ""), $0.value) }, uniquingKeysWith: +)
                    let read = DirectoryRead(place: "LDAP \(server) \(dn)", entries: [DirectoryEntry(dn: dn, attributes: types)])
                    let roots = PhoneJudge.roots(in: read)
                    ldapNotes.append(
                        "\(Self.clock(session.time)) entry \(dn): \(roots.count) cACertificate value\(roots.count == 1 ? "" : "s")")
                    downloaded.append(
                        (roots.map { BootRoot(certificate: $0.certificate, source: read.place) }, .directory(read, at: entry.time)))
                }
            }
            var pending: [HTTPMessageView] = []
            for entry in session.http {
                if entry.fromClient {
                    pending.append(entry.message)
                    // The root-chain download and the Device Update check are steps of their own (CapturedConversations).
                    if Self.isCertProv(entry.message) || Self.isDeviceUpdate(entry.message) { continue }
                    httpNotes.append(
                        "\(Self.clock(session.time)) \(entry.message.startLine) (Host \(entry.message.headers["host"] ?? server))")
                    continue
                }
                let request = pending.isEmpty ? nil : pending.removeFirst()
                if let request, Self.isCertProv(request) || Self.isDeviceUpdate(request) { continue }
                let url = "http://\(request?.headers["host"] ?? server)\(request?.target ?? "")"
                httpNotes.append(
                    "\(Self.clock(session.time)) \(url) → HTTP \(entry.message.status.map(String.init) ?? "?"), \(entry.message.body.count) bytes"
                        + (entry.message.isComplete ? "" : " (cut: the rest of the body is not in the capture)")
                )
                // A cut body is not decoded: a bundle cut between certificates would read as fewer roots.
                if entry.message.status == 200, entry.message.isComplete, !entry.message.body.isEmpty,
                    let decoded = try? CertificateDecoder().decode(entry.message.body), !decoded.certificates.isEmpty
                {
                    httpNotes.append(
                        "  \(decoded.format.rawValue): \(decoded.certificates.map(\.subject.displayName).joined(separator: ", "))")
                    downloaded.append(
                        (
                            decoded.certificates.map { BootRoot(certificate: $0, source: "HTTP \(url)") },
                            .roots(decoded.certificates.map { TrustAnchor(certificate: $0, source: .download(url: url)) }, at: session.time)
                        ))
                }
            }
        }
        if !ldapNotes.isEmpty { judge.close(.ldap, notes: ldapNotes, findings: []) }
        if !httpNotes.isEmpty { judge.close(.http, notes: httpNotes, findings: []) }
        let conversations = conversations(mine, judge: judge)
        if let certprov = conversations.certprov { judge.close(certprov) }
        downloaded += conversations.roots.map { ([$0.root], .roots([$0.anchor], at: $0.time)) }
        let received = downloaded.flatMap(\.roots)
        let held = judge.heldRoots
        var rootNotes = ["\(held.cache) roots from the built-in trusted-authorities cache"]
        if !options.trusted.isEmpty { rootNotes.append("\(options.trusted.count) from --trust") }
        let earlier = options.start.heldRoots
        if !earlier.isEmpty { rootNotes.append("\(earlier.count) held from an earlier sign-in (--held-root), from the start") }
        rootNotes.append("\(received.count) received in the capture")
        // As in boot: a phone that signed in before keeps what it holds until reset, so what it fetched here is not used.
        let takesDownloads = judge.looksForRoots
        if !takesDownloads && !received.isEmpty {
            rootNotes.append("the phone signed in before (--signed-in): it keeps the roots it holds until reset, not these")
        }
        judge.close(
            .roots,
            roots: held.roots + received,
            notes: rootNotes, findings: [])

        // TLS: each chain the phone received, judged with what it had at that moment.
        var endpoints: [BootEndpoint] = []
        var tlsNotes: [String] = []
        var tlsFindings: [Finding] = []
        // Evidence in the capture's order: each time reading and root received before a handshake is fed first.
        judge.queue(readings.map(Evidence.time) + (takesDownloads ? downloaded.map(\.evidence) : []))
        for session in mine where !session.tls.isEmpty {
            judge.advance(through: session.time)
            let server = session.connection.server
            let names = judge.names(resolving: server.address, by: session.time)
            var chain: [Certificate] = []
            var unreadable: CertificateDecodingError?
            var phoneAlert: UInt8?
            var serverAlert: UInt8?
            var serverName: String?
            for entry in session.tls {
                switch entry.message {
                case .clientHello(let version, let suites, let sni):
                    if let sni, !sni.isEmpty { serverName = sni }
                    tlsNotes.append(
                        "\(Self.clock(session.time)) ClientHello to \(server.address):\(server.port): \(TLSMessage.versionName(version)), \(suites.count) suites, \(sni.map { "SNI \($0)" } ?? "no SNI")"
                    )
                case .serverHello(let version, let suite):
                    tlsNotes.append("ServerHello: \(TLSMessage.versionName(version)), suite 0x\(hex(suite, width: 4))")
                case .certificate(let ders):
                    (chain, unreadable) = Certificate.presentedChain(ders)
                case .alert(let level, let description) where level == 2 || description != 0:
                    if entry.fromClient { phoneAlert = description } else { serverAlert = description }
                    tlsNotes.append("\(entry.fromClient ? "the phone" : "the server") sent alert \(TLSMessage.alertName(description))")
                default: continue
                }
            }
            let host = names.first ?? server.address
            if names.isEmpty { tlsNotes.append("the phone resolved no name to \(server.address) in the capture: names are not checked") }
            if let serverAlert, chain.isEmpty {
                tlsFindings.append(
                    finding(
                        .tlsVersion, .error,
                        .capture(
                            .tlsAlert(
                                host: host, port: server.port, alert: Int(serverAlert), alertName: TLSMessage.alertName(serverAlert),
                                fromPhone: false, device: profile.name, trusted: nil, findings: [], offeredSuites: profile.tlsCipherSuites))
                    ))
            }
            guard let leaf = chain.first else {
                endpoints.append(
                    BootEndpoint(
                        host: host, address: server.address, port: server.port, purpose: "TLS (captured)", chain: [], verdict: nil,
                        outcome: unreadable.map { "the server's certificate cannot be read: \($0)" } ?? "no certificate in the capture"))
                continue
            }
            // Every name the phone had resolved to this address, each judged on its own: without SNI (Phone Edition
            // sends none) the capture does not say which one the phone connected by, so the handshake is trusted if any
            // of them is covered. With SNI, the name it sent.
            let candidates = serverName.map { [$0] } ?? names
            let evidence = HandshakeEvidence(address: server.address, port: server.port, chain: chain, at: session.time)
            guard
                let judged = judge.judge(
                    evidence, candidates: candidates.isEmpty ? [(nil, [])] : candidates.map { ($0, [$0]) }, plan: nil)
            else { continue }
            let judgedHost = judged.chosen.name ?? server.address
            let verdict = judged.verdict
            tlsNotes.append(
                "\(judgedHost): judged at the phone's clock \(iso8601(judged.phoneClock)) (from \(judged.clockSource?.description ?? "the capture's clock"))"
            )
            if candidates.count > 1 {
                let covered = judged.covered
                let uncovered = judged.uncovered
                tlsNotes.append(
                    "the phone resolved \(candidates.count) names to \(server.address) (\(candidates.joined(separator: ", "))); the capture cannot tell which one it used for this handshake: "
                        + "trusted for \(covered.isEmpty ? "none of them" : covered.joined(separator: ", "))"
                        + (uncovered.isEmpty ? "" : "; not trusted for \(uncovered.joined(separator: ", "))"))
            }
            let outcome: String
            if let phoneAlert {
                let codes = verdict.findings.filter { $0.severity == .error }.map(\.code.rawValue)
                outcome = "the phone refused it with alert \(TLSMessage.alertName(phoneAlert))"
                tlsFindings.append(
                    finding(
                        .phoneAlert, .error,
                        .capture(
                            .tlsAlert(
                                host: judgedHost, port: server.port, alert: Int(phoneAlert), alertName: TLSMessage.alertName(phoneAlert),
                                fromPhone: true,
                                device: profile.name, trusted: verdict.isTrusted, findings: codes, offeredSuites: profile.tlsCipherSuites)),
                        certificate: leaf))
            } else {
                outcome =
                    verdict.isTrusted
                    ? "trusted; the phone went on" : "not trusted for this build, yet the phone sent no alert in the capture"
            }
            tlsFindings += judged.findings
            if candidates.count > 1 {
                for entry in judged.candidates {
                    endpoints.append(
                        BootEndpoint(
                            host: entry.name ?? server.address, address: server.address, port: server.port,
                            purpose: "TLS (captured; one of \(candidates.count) names resolved to this address)", chain: chain,
                            verdict: entry.verdict,
                            outcome: phoneAlert != nil
                                ? outcome : entry.verdict.isTrusted ? "trusted for this name" : "not trusted for this name"))
                }
            } else {
                endpoints.append(
                    BootEndpoint(
                        host: judgedHost, address: server.address, port: server.port, purpose: "TLS (captured)", chain: chain,
                        verdict: verdict,
                        outcome: outcome))
            }
        }
        if !endpoints.isEmpty { judge.close(.tls, endpoints: endpoints, notes: tlsNotes, findings: tlsFindings) }
        for step in conversations.later { judge.close(step) }
        judge.advance(through: mine.last?.time ?? Date.distantPast)
        let last = mine.last?.time ?? Date.distantPast
        let trace = judge.trace(clockAt: readings.isEmpty ? nil : last, otherwise: "the capture's clock")
        return CaptureTrace(phone: phone, trace: trace, buildSource: buildSource)
    }

    static func signed(_ seconds: TimeInterval) -> String {
        (seconds < 0 ? "-" : "+") + durationText(seconds)
    }
}
