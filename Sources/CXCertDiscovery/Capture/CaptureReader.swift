import CXCertCapture
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A phone found in a capture.
public struct CapturedPhone: Sendable, Hashable {
    /// Its IP address.
    public let address: String
    /// Its MAC address (lowercase, colon-separated), when a frame showed it.
    public let mac: String?
    /// Why it is taken for a phone.
    public let reason: String
}

/// What one phone did in a capture, in the same trace shape as `boot`.
public struct CaptureTrace: Sendable {
    /// Which phone.
    public let phone: CapturedPhone
    /// Its boot steps as the capture shows them, each judged for its build.
    public let trace: BootTrace
    /// Where the device and build came from (`--device/--firmware`, a Device Update request, or the default).
    public let buildSource: String
}

/// The reading of one or more capture files.
public struct CaptureReport: Sendable {
    /// The capture files read, in order.
    public let files: [String]
    /// Frames read across every file.
    public let frames: Int
    /// Problems with the capture itself (a damaged file, a cut flow), not with the phone.
    public let findings: [Finding]
    /// One trace per phone found.
    public let phones: [CaptureTrace]
    /// The phones named with ``CaptureReader/Options/phones`` that the capture does not hold.
    public var notFound: [PhoneSelector] = []
}

/// Reads captures of real phones and judges what they saw: DHCP, DNS, time, LDAP and HTTP downloads,
/// TLS handshakes and alerts, each chain verified for the phone's build with the roots it actually had,
/// at its own clock, for the names it connected to.
public struct CaptureReader: Sendable {
    /// What to follow and whom to judge for, and the memory bounds of the reading.
    public struct Options: Sendable {
        /// MAC or IP addresses of the phones to follow (default: every client that looks like one).
        public var phones: [PhoneSelector]
        /// The device to judge for; `nil` takes it from a Device Update request, else `tanjay`.
        public var device: String?
        /// The firmware build; `nil` takes it from a Device Update request, else the newest known build.
        public var firmware: String?
        /// Roots the phones trust besides their built-in cache and what they downloaded in the capture (`--trust`).
        public var trusted: [TrustAnchor]
        /// The device data to resolve the device and build with.
        public var knowledge: DeviceKnowledgeBase
        /// Bytes kept per TCP direction.
        public var maxStreamBytes: Int
        /// TCP directions followed per capture.
        public var maxStreams: Int
        /// TCP payload bytes kept for the whole capture.
        public var maxTotalBytes: Int
        /// DHCP packets kept per capture, and DNS and SNTP packets of possible phones, each kind (a flood of one kind
        /// is counted, not kept). A possible phone is a client named with ``phones``, else one that sent a DHCP
        /// request with vendor class `MS-UC-Client` (and the address DHCP gave it).
        public var maxEvents: Int = 100_000
        /// DNS and SNTP packets kept per capture, each kind, of clients not known as phones when they are read (a
        /// phone found later by its TLS or Device Update traffic); the rest are counted. With ``phones``, other
        /// clients' packets are not kept at all.
        public var maxOtherClientEvents: Int = 100_000
        /// The state each phone starts the capture in (`--signed-in`, `--held-root`, `--sign-in`, `--network`), as `boot`
        /// takes it: held roots count from the first packet, and a phone that signed in before takes no root it
        /// downloads in the capture (it keeps what it holds until reset). Fresh from reset by default.
        public var start = PhoneStart()
        /// The words of the findings' remedies: plain by default; `cxcert trace` asks for `.command(.trace)`.
        public var vocabulary: Vocabulary = .plain

        /// Reading options; ``vocabulary`` starts plain.
        /// - Parameters:
        ///   - phones: MAC or IP addresses of the phones to follow; empty follows every client that looks like one.
        ///   - device: The device to judge for, or `nil` to take it from the capture.
        ///   - firmware: The firmware build, or `nil` to take it from the capture.
        ///   - trusted: Roots the phones trust besides their built-in cache.
        ///   - knowledge: The device data.
        ///   - maxStreamBytes: Bytes kept per TCP direction.
        ///   - maxStreams: TCP directions followed per capture.
        ///   - maxTotalBytes: TCP payload bytes kept for the whole capture.
        public init(
            phones: [PhoneSelector] = [], device: String? = nil, firmware: String? = nil, trusted: [TrustAnchor] = [],
            knowledge: DeviceKnowledgeBase = .builtIn, maxStreamBytes: Int = 4 << 20, maxStreams: Int = 4096, maxTotalBytes: Int = 256 << 20
        ) {
            self.maxTotalBytes = maxTotalBytes
            self.phones = phones
            self.device = device
            self.firmware = firmware
            self.trusted = trusted
            self.knowledge = knowledge
            self.maxStreamBytes = maxStreamBytes
            self.maxStreams = maxStreams
        }
    }

    /// The reading options.
    public let options: Options

    /// A reader with these options.
    public init(options: Options = Options()) { self.options = options }

    // MARK: Events

    struct Endpoint: Hashable {
        let address: String
        let port: Int
    }
    struct Flow: Hashable {
        let from: Endpoint
        let to: Endpoint
    }
    struct DHCPEvent {
        let time: Date
        let source: String
        let mac: String?
        let message: DHCPMessage
    }
    struct DNSEvent {
        let time: Date
        let client: String
        let server: String
        let port: Int
        let summary: DNSMessageSummary
    }
    struct NTPEvent {
        let time: Date
        let client: String
        let server: String
        let packet: [UInt8]
    }
    struct Connection {
        let client: Endpoint
        let server: Endpoint
        let time: Date
        var toServer: TCPStream
        var toClient: TCPStream
    }

    /// Reads every file; a damaged or cut file contributes what it holds and a finding.
    public func read(paths: [String]) throws(CaptureError) -> CaptureReport {
        var index = CaptureIndex(selectors: options.phones, maxEvents: options.maxEvents, maxOtherEvents: options.maxOtherClientEvents)
        var streams: [Flow: TCPStream] = [:]
        var firstSeen: [Flow: Date] = [:]
        var synFrom: Set<Flow> = []
        var findings: [Finding] = []
        var frames = 0
        var cutFrames = 0
        var droppedStreams = 0
        var keptBytes = 0
        var droppedBytes = 0
        for path in paths {
            let file = try PcapFile(path: path)
            while true {
                let frame: CapturedFrame?
                do {
                    frame = try file.next()
                } catch {
                    let detail: FindingDetail =
                        switch error {
                        case .damaged(let file, let frame, let reason): .capture(.captureDamage(file: file, frame: frame, reason: reason))
                        case .tooLarge(let file, let limit): .capture(.captureDamage(file: file, frame: nil, reason: "more than \(limit)"))
                        case .unreadable(let file, let reason): .capture(.captureDamage(file: file, frame: nil, reason: reason))
                        // Refused when the file is opened, never by next(); worded like the error all the same.
                        case .networkMonitor(let file):
                            .capture(.captureDamage(file: file, frame: nil, reason: "a Microsoft Network Monitor capture (.cap)"))
                        case .unsupportedLink(let file, let type):
                            .capture(
                                .captureDamage(file: file, frame: nil, reason: "link type \(type) is not Ethernet, Linux cooked or raw IP"))
                        case .missingLibrary(let missing): .capture(.captureDamage(file: path, frame: nil, reason: missing.description))
                        }
                    findings.append(finding(.captureDamaged, .warning, detail))
                    break
                }
                guard let frame else { break }
                frames += 1
                if frame.isCut { cutFrames += 1 }
                guard let packet = TransportPacket.decode(frame, link: file.linkType) else { continue }
                index.saw(source: packet.source, mac: packet.sourceMAC)
                switch packet.transport {
                case .udp:
                    if [67, 68].contains(packet.sourcePort) && [67, 68].contains(packet.destinationPort) {
                        guard index.admitDHCP() else { continue }
                        if let message = try? DHCPMessage(parsing: packet.payload) {
                            index.add(DHCPEvent(time: packet.time, source: packet.source, mac: packet.sourceMAC, message: message))
                            index.keep(source: packet.source, mac: packet.sourceMAC)
                        }
                    } else if packet.destinationPort == 53 || packet.sourcePort == 53, packet.payload.count >= 12 {
                        // The QR bit says whose packet it is before any parsing: another client's over budget is not parsed.
                        let response = packet.payload[2] & 0x80 != 0
                        let client = response ? packet.destination : packet.source
                        guard index.admit(.dns, client: client), let summary = DNSMessageSummary.parse(packet.payload) else { continue }
                        index.add(
                            DNSEvent(
                                time: packet.time, client: client, server: response ? packet.source : packet.destination,
                                port: response ? packet.sourcePort : packet.destinationPort, summary: summary))
                        index.keep(source: packet.source, mac: packet.sourceMAC)
                    } else if packet.destinationPort == 123 || packet.sourcePort == 123, packet.payload.count >= 48 {
                        let request = packet.payload[0] & 0x7 == 3
                        let client = request ? packet.source : packet.destination
                        guard index.admit(.sntp, client: client) else { continue }
                        index.add(
                            NTPEvent(
                                time: packet.time, client: client, server: request ? packet.destination : packet.source,
                                packet: packet.payload))
                        index.keep(source: packet.source, mac: packet.sourceMAC)
                    }
                case .tcp:
                    let flow = Flow(
                        from: Endpoint(address: packet.source, port: packet.sourcePort),
                        to: Endpoint(address: packet.destination, port: packet.destinationPort))
                    if streams[flow] == nil {
                        guard streams.count < options.maxStreams else {
                            droppedStreams += 1
                            continue
                        }
                        streams[flow] = TCPStream(maxBytes: options.maxStreamBytes)
                        firstSeen[flow] = packet.time
                    }
                    if packet.isSYN && packet.flags & 0x10 == 0 { synFrom.insert(flow) }
                    // One budget for the whole capture: a capture of gigabytes streams through, it is not kept.
                    guard keptBytes + packet.payload.count <= options.maxTotalBytes else {
                        droppedBytes += packet.payload.count
                        continue
                    }
                    keptBytes += packet.payload.count
                    streams[flow]?.add(packet)
                    index.keep(source: packet.source, mac: packet.sourceMAC)
                }
            }
        }
        if cutFrames > 0 {
            findings.append(
                finding(
                    .captureGap, .warning,
                    .capture(.captureGap(gap: .snapLength, connection: nil, count: cutFrames, limit: nil, offset: nil, reason: nil))))
        }
        if droppedStreams > 0 {
            findings.append(
                finding(
                    .captureGap, .warning,
                    .capture(
                        .captureGap(
                            gap: .flowLimit, connection: nil, count: droppedStreams, limit: options.maxStreams, offset: nil, reason: nil))))
        }
        if droppedBytes > 0 {
            findings.append(
                finding(
                    .captureGap, .warning,
                    .capture(
                        .captureGap(
                            gap: .byteLimit, connection: nil, count: droppedBytes, limit: options.maxTotalBytes, offset: nil, reason: nil)))
            )
        }
        for kind in CaptureIndex.Kind.allCases {
            if let count = index.droppedEvents[kind] {
                findings.append(
                    finding(
                        .captureGap, .warning,
                        .capture(
                            .captureGap(
                                gap: .eventLimit, connection: nil, count: count, limit: options.maxEvents, offset: nil,
                                reason: kind.rawValue))))
            }
            if let count = index.droppedOtherEvents[kind] {
                findings.append(
                    finding(
                        .captureGap, .warning,
                        .capture(
                            .captureGap(
                                gap: .otherClientLimit, connection: nil, count: count, limit: options.maxOtherClientEvents, offset: nil,
                                reason: kind.rawValue))))
            }
        }
        index.finish()
        let connections = pair(streams, firstSeen: firstSeen, synFrom: synFrom)
        return analyze(files: paths, frames: frames, findings: findings, index: index, connections: connections)
    }

    /// Joins the two directions of each TCP connection; the client is the side that sent the SYN (else the
    /// side that spoke first).
    func pair(_ streams: [Flow: TCPStream], firstSeen: [Flow: Date], synFrom: Set<Flow>) -> [Connection] {
        var done: Set<Flow> = []
        var connections: [Connection] = []
        for (flow, stream) in streams where !done.contains(flow) {
            let reverse = Flow(from: flow.to, to: flow.from)
            done.insert(flow)
            done.insert(reverse)
            let other = streams[reverse] ?? TCPStream(maxBytes: 0)
            let flowFirst =
                synFrom.contains(flow)
                || (!synFrom.contains(reverse) && (firstSeen[flow] ?? .distantFuture) <= (firstSeen[reverse] ?? .distantFuture))
            let (clientFlow, toServer, toClient) = flowFirst ? (flow, stream, other) : (reverse, other, stream)
            connections.append(
                Connection(
                    client: clientFlow.from, server: clientFlow.to,
                    time: min(firstSeen[flow] ?? .distantFuture, firstSeen[reverse] ?? .distantFuture),
                    toServer: toServer, toClient: toClient))
        }
        return connections.sorted { $0.time < $1.time }
    }

    func finding(_ code: FindingCode, _ severity: Severity, _ detail: FindingDetail, certificate: Certificate? = nil) -> Finding {
        Finding(code: code, severity: severity, certificate: certificate, detail: detail, client: .anyPhone, vocabulary: options.vocabulary)
    }

    /// `HH:mm:ss.SSS` in UTC, as a `DateFormatter` with that pattern writes it (rounded to the nearest millisecond),
    /// without building one per line: a capture's trace writes a line per packet.
    static func clock(_ date: Date) -> String {
        let milliseconds = Int64(((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000).rounded())
        let ofDay = Int((milliseconds % 86_400_000 + 86_400_000) % 86_400_000)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = ofDay % 1000
        return two(ofDay / 3_600_000) + ":" + two(ofDay / 60_000 % 60) + ":" + two(ofDay / 1000 % 60) + "."
            + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)"
    }
}
