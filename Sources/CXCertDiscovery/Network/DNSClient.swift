internal import CAres
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A DNS server named by address (never the machine's resolver configuration): `IP` or `IP:PORT`.
public struct DNSServer: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The server's IPv4 or IPv6 address, without brackets.
    public let address: String
    /// The UDP (and TCP) port.
    public let port: Int

    /// A server by address; the address is not checked here (``init(parsing:)`` checks it).
    public init(address: String, port: Int = 53) {
        self.address = address
        self.port = port
    }

    /// Parses `192.0.2.1`, `192.0.2.1:5353`, `[2001:db8::1]:53` or `2001:db8::1`. Names are refused:
    /// resolving the server's own name would ask the machine's resolver.
    public init(parsing text: String) throws(DNSError) {
        var host = text
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw .invalidServer(text) }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw .invalidServer(text) }
            port = value
        }
        guard HostnameMatcher.ipAddress(host) != nil, (1...65535).contains(port) else { throw .invalidServer(text) }
        self.init(address: host, port: port)
    }

    /// `address:port`, with an IPv6 address in brackets.
    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// The servers in the machine's `/etc/resolv.conf`, for the CLI's default (tests always name one).
    public static func systemServers(path: String = "/etc/resolv.conf") -> [DNSServer] {
        guard let text = try? BoundedReader.readText(path: path, limit: 64 << 10) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            return try? DNSServer(parsing: String(fields[1]))
        }
    }
}

/// The record types the phone asks for.
public enum DNSRecordType: String, Sendable, Hashable, Codable {
    /// An IPv4 address record.
    case a = "A"
    /// A service record (RFC 2782).
    case srv = "SRV"
}

/// One service record (RFC 2782).
public struct SRVRecord: Sendable, Hashable, Codable {
    /// Lower values are tried first.
    public let priority: Int
    /// The relative share among records of the same priority.
    public let weight: Int
    /// The service's port.
    public let port: Int
    /// The host that offers the service.
    public let target: String
}

/// What a DNS server said to one question: the outcomes a phone's trace tells apart.
public enum DNSAnswer: Sendable, Hashable {
    /// The A records' addresses, dotted (at most ``DNSClient/maxRecords``).
    case addresses([String])
    /// The SRV records (at most ``DNSClient/maxRecords``).
    case services([SRVRecord])
    /// The name does not exist.
    case nxdomain
    /// The name exists but has no record of this type.
    case nodata
    /// The server failed to answer the question (SERVFAIL).
    case servfail
    /// The server refused to answer (REFUSED).
    case refused
    /// No answer within the deadline.
    case timeout
    /// Not asked: an earlier question to the same server went unanswered (see the trace).
    case skipped(String)
    /// The question could not be asked or the answer not read; the text says why.
    case failed(String)

    /// `records`, `NXDOMAIN`, `NODATA`, `SERVFAIL`, `REFUSED`, `timeout`, `skipped` or `error`.
    public var result: String {
        switch self {
        case .addresses, .services: "records"
        case .nxdomain: "NXDOMAIN"
        case .nodata: "NODATA"
        case .servfail: "SERVFAIL"
        case .refused: "REFUSED"
        case .timeout: "timeout"
        case .skipped: "skipped"
        case .failed: "error"
        }
    }

    /// The addresses of an ``addresses(_:)`` answer; empty for any other.
    public var addresses: [String] { if case .addresses(let list) = self { list } else { [] } }
    /// The records of a ``services(_:)`` answer; empty for any other.
    public var services: [SRVRecord] { if case .services(let list) = self { list } else { [] } }

    /// The server did not answer at all (as opposed to answering "no").
    public var isUnanswered: Bool {
        switch self {
        case .timeout, .skipped, .failed: true
        default: false
        }
    }
}

/// A DNS answer with the CNAME records it went through: the phone follows them, but RFC 2782 forbids an SRV target that
/// is an alias, and a certificate is judged for the name asked, not the alias target.
public struct DNSResponse: Sendable, Hashable {
    /// What the server said.
    public let answer: DNSAnswer
    /// The names of the answer that are aliases (each owns a CNAME record), in answer order; empty when the name asked
    /// has its own records.
    public let aliases: [String]

    /// An answer and the aliases it went through.
    public init(answer: DNSAnswer, aliases: [String] = []) {
        self.answer = answer
        self.aliases = aliases
    }
}

/// Why a DNS server could not be used.
public enum DNSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not an IP address with an optional port.
    case invalidServer(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .invalidServer(let text): "'\(text)' is not a DNS server address (IP or IP:PORT; a name would need a resolver)"
        }
    }
}

/// DNS questions through c-ares, to one named server and port, with no search list and a hard deadline.
///
/// c-ares was chosen over glibc's libresolv and ldns because it reports every outcome the trace must tell
/// apart as its own status (NXDOMAIN, NODATA, SERVFAIL, REFUSED, timeout), takes a server and port per
/// channel, falls back to TCP for truncated answers (300 SRV records), and its event loop lets cxcert hold
/// its own deadline with `poll`. The only file that touches c-ares.
public enum DNSClient {
    /// Answers longer than this many records are cut (a hostile server may send hundreds).
    public static let maxRecords = 64

    /// Why c-ares cannot be used (it is loaded and initialised once, on the first query); nil when it can.
    private static let unusable: String? =
        if let missing = SystemLibrary.aresMissing {
            missing.description
        } else if ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS {
            "c-ares could not start"
        } else {
            nil
        }

    private final class Outcome {
        var answer: DNSResponse?
        let type: DNSRecordType
        init(type: DNSRecordType) { self.type = type }
    }

    /// Asks `server` for `name`/`type`; never takes longer than `timeout` seconds.
    public static func query(_ name: String, type: DNSRecordType, server: DNSServer, timeout: TimeInterval) -> DNSAnswer {
        lookup(name, type: type, server: server, timeout: timeout).answer
    }

    /// Asks `server` for `name`/`type` and keeps the CNAME records the answer went through; never takes longer than
    /// `timeout` seconds.
    public static func lookup(_ name: String, type: DNSRecordType, server: DNSServer, timeout: TimeInterval) -> DNSResponse {
        let deadline = Date().addingTimeInterval(timeout)
        let first = ask(name, type: type, server: server, deadline: deadline, ignoringTruncation: false)
        // c-ares says "could not contact" both when nothing listens and when a truncated UDP answer's TCP retry is
        // refused: asking again over UDP alone tells them apart.
        guard first.answer == .failed(refused), deadline.timeIntervalSinceNow > 0.05 else { return first }
        switch ask(name, type: type, server: server, deadline: deadline, ignoringTruncation: true).answer {
        case .failed, .timeout, .skipped: return first
        default: return DNSResponse(answer: .failed(truncatedAndRefused))
        }
    }

    /// No DNS server at that address and port (the connection was refused).
    static let refused = "the server refused the connection (no DNS server at that address and port)"
    /// A server that sets TC over UDP and refuses the TCP connection the retry needs.
    static let truncatedAndRefused =
        "the answer was truncated over UDP (TC, too long for 512 bytes) and the server refused the TCP connection the retry needs"

    private static func ask(
        _ name: String, type: DNSRecordType, server: DNSServer, deadline: Date, ignoringTruncation: Bool
    ) -> DNSResponse {
        if let unusable { return DNSResponse(answer: .failed(unusable)) }
        let timeout = max(0, deadline.timeIntervalSinceNow)
        var options = ares_options()
        options.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | (ignoringTruncation ? ARES_FLAG_IGNTC : 0)
        options.tries = 2
        options.timeout = Int32(max(100, timeout * 500))
        var channel: ares_channel?
        guard ares_init_options(&channel, &options, ARES_OPT_FLAGS | ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS) == ARES_SUCCESS,
            let channel
        else { return DNSResponse(answer: .failed("c-ares could not create a channel")) }
        defer { ares_destroy(channel) }
        // Replace whatever c-ares read from resolv.conf before anything is sent.
        guard ares_set_servers_ports_csv(channel, server.description) == ARES_SUCCESS else {
            return DNSResponse(answer: .failed("c-ares refused the server \(server)"))
        }
        let outcome = Outcome(type: type)
        let context = Unmanaged.passRetained(outcome)
        defer { context.release() }
        ares_query(channel, name, Int32(1), type == .srv ? Int32(33) : Int32(1), callback, context.toOpaque())

        let maxSockets = Int(cx_ares_getsock_max())
        while outcome.answer == nil {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                ares_cancel(channel)
                outcome.answer = DNSResponse(answer: .timeout)
                break
            }
            var sockets = [ares_socket_t](repeating: -1, count: maxSockets)
            let bits = ares_getsock(channel, &sockets, Int32(maxSockets))
            var fds: [pollfd] = []
            for index in 0..<maxSockets {
                var events: Int16 = 0
                if cx_ares_readable(bits, Int32(index)) != 0 { events |= Int16(POLLIN) }
                if cx_ares_writable(bits, Int32(index)) != 0 { events |= Int16(POLLOUT) }
                if events != 0 { fds.append(pollfd(fd: sockets[index], events: events, revents: 0)) }
            }
            var limit = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - remaining.rounded(.down)) * 1_000_000))
            var next = timeval()
            let wait = ares_timeout(channel, &limit, &next).map { Int($0.pointee.tv_sec) * 1000 + Int($0.pointee.tv_usec) / 1000 } ?? 10
            let ready = poll(&fds, nfds_t(fds.count), Int32(max(1, min(wait, Int(remaining * 1000) + 1))))
            if ready > 0 {
                for fd in fds where fd.revents != 0 {
                    let readable = fd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
                    let writable = fd.revents & Int16(POLLOUT) != 0
                    ares_process_fd(channel, readable ? fd.fd : ARES_SOCKET_BAD, writable ? fd.fd : ARES_SOCKET_BAD)
                }
            } else {
                ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)
            }
        }
        return outcome.answer ?? DNSResponse(answer: .timeout)
    }

    private static let callback: ares_callback = { context, status, _, buffer, length in
        guard let context else { return }
        let outcome = Unmanaged<Outcome>.fromOpaque(context).takeUnretainedValue()
        guard outcome.answer == nil else { return }
        outcome.answer = decodeResponse(status: status, buffer: buffer, length: Int(length), type: outcome.type)
    }

    static func decodeAnswer(status: Int32, buffer: UnsafeMutablePointer<UInt8>?, length: Int, type: DNSRecordType) -> DNSAnswer {
        decodeResponse(status: status, buffer: buffer, length: length, type: type).answer
    }

    /// The answer and, for an A answer, the aliases c-ares read from its CNAME records (`h_aliases`; its `h_name` is
    /// not used: c-ares 1.18 sets it to the first alias's target, not the end of the chain).
    static func decodeResponse(status: Int32, buffer: UnsafeMutablePointer<UInt8>?, length: Int, type: DNSRecordType) -> DNSResponse {
        switch status {
        case ARES_SUCCESS: break
        case ARES_ENODATA: return DNSResponse(answer: .nodata)
        case ARES_ENOTFOUND: return DNSResponse(answer: .nxdomain)
        case ARES_ESERVFAIL: return DNSResponse(answer: .servfail)
        case ARES_EREFUSED: return DNSResponse(answer: .refused)
        case ARES_ETIMEOUT, ARES_ECANCELLED: return DNSResponse(answer: .timeout)
        case ARES_ECONNREFUSED: return DNSResponse(answer: .failed(refused))
        default: return DNSResponse(answer: .failed(String(cString: ares_strerror(status))))
        }
        guard let buffer, length > 0 else { return DNSResponse(answer: .nodata) }
        switch type {
        case .a:
            var entries = [ares_addrttl](repeating: ares_addrttl(), count: maxRecords)
            var count = Int32(maxRecords)
            var host: UnsafeMutablePointer<hostent>?
            let rc = ares_parse_a_reply(buffer, Int32(length), &host, &entries, &count)
            defer { if let host { ares_free_hostent(host) } }
            if rc == ARES_ENODATA { return DNSResponse(answer: .nodata) }
            guard rc == ARES_SUCCESS else {
                return DNSResponse(answer: .failed("malformed A answer: \(String(cString: ares_strerror(rc)))"))
            }
            var aliases: [String] = []
            if let list = host?.pointee.h_aliases {
                var index = 0
                while let alias = list[index], aliases.count < maxRecords {
                    aliases.append(String(cString: alias).lowercased())
                    index += 1
                }
            }
            let addresses = entries.prefix(Int(count)).map { entry -> String in
                var address = entry.ipaddr
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                inet_ntop(AF_INET, &address, &text, socklen_t(INET_ADDRSTRLEN))
                return String(cString: text)
            }
            return DNSResponse(answer: addresses.isEmpty ? .nodata : .addresses(addresses), aliases: aliases)
        case .srv:
            return DNSResponse(answer: services(buffer: buffer, length: length))
        }
    }

    private static func services(buffer: UnsafeMutablePointer<UInt8>, length: Int) -> DNSAnswer {
        var reply: UnsafeMutablePointer<ares_srv_reply>?
        let rc = ares_parse_srv_reply(buffer, Int32(length), &reply)
        defer { if let reply { ares_free_data(reply) } }
        if rc == ARES_ENODATA { return .nodata }
        guard rc == ARES_SUCCESS else { return .failed("malformed SRV answer: \(String(cString: ares_strerror(rc)))") }
        var records: [SRVRecord] = []
        var node = reply
        while let current = node, records.count < maxRecords {
            let target = current.pointee.host.map { String(cString: $0) } ?? ""
            records.append(
                SRVRecord(
                    priority: Int(current.pointee.priority), weight: Int(current.pointee.weight), port: Int(current.pointee.port),
                    target: target))
            node = current.pointee.next
        }
        return records.isEmpty ? .nodata : .services(records)
    }
}

/// RFC 1035 names as DHCP options carry them (119, RFC 3397; 120, RFC 3361), expanded by c-ares so no
/// name-compression code is written by hand; pointers are offsets into `data`, loops and out-of-range
/// pointers are refused.
public enum DNSNameList {
    /// The names of one option, in order.
    public struct Decoded: Sendable, Hashable {
        /// The names, lowercased, without the trailing dot.
        public let names: [String]
        /// At least one name used a compression pointer.
        public let compressed: Bool
    }

    /// Decodes a whole list, or nil when any byte does not belong to a valid name.
    public static func decode(_ data: [UInt8], maxNames: Int = 64) -> Decoded? {
        guard !data.isEmpty, data.count <= 65_535 else { return nil }
        var names: [String] = []
        var compressed = false
        var offset = 0
        let ok: Bool = data.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            while offset < data.count {
                guard names.count < maxNames else { return false }
                var expanded: UnsafeMutablePointer<CChar>?
                var consumed = 0
                guard ares_expand_name(base + offset, base, Int32(data.count), &expanded, &consumed) == ARES_SUCCESS, let expanded else {
                    return false
                }
                let name = String(cString: expanded)
                ares_free_string(expanded)
                guard consumed > 0, !name.isEmpty else { return false }
                if consumed < name.utf8.count + 2 { compressed = true }
                names.append(name.lowercased())
                offset += consumed
            }
            return true
        }
        return ok ? Decoded(names: names, compressed: compressed) : nil
    }
}

/// A DNS message seen in a capture: the question, and for a response its code and the A/SRV records,
/// read by c-ares' parsers (never by hand).
public struct DNSMessageSummary: Sendable, Hashable {
    /// The message ID that pairs a response with its query.
    public let id: Int
    /// Whether the message is a response (the QR bit).
    public let isResponse: Bool
    /// The response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED).
    public let rcode: Int
    /// The name asked about, lowercased.
    public let name: String
    /// The question's record type (1 A, 33 SRV...).
    public let type: Int
    /// What a response said, as a live query reports it; `nil` for a query.
    public let answer: DNSAnswer?
    /// The names of an A answer that are aliases (CNAME records), as a live query reports them; empty otherwise.
    public var aliases: [String] = []

    /// Reads a DNS message with exactly one question.
    /// - Parameter payload: The UDP payload.
    /// - Returns: The summary, or `nil` when the bytes are not such a message.
    public static func parse(_ payload: [UInt8]) -> DNSMessageSummary? {
        guard payload.count >= 12, payload.count <= 65_535 else { return nil }
        let flags = Int(payload[2]) << 8 | Int(payload[3])
        let questions = Int(payload[4]) << 8 | Int(payload[5])
        let answers = Int(payload[6]) << 8 | Int(payload[7])
        guard questions == 1 else { return nil }
        var name = ""
        var consumed = 0
        let expanded: Bool = payload.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            var text: UnsafeMutablePointer<CChar>?
            guard ares_expand_name(base + 12, base, Int32(payload.count), &text, &consumed) == ARES_SUCCESS, let text else { return false }
            name = String(cString: text).lowercased()
            ares_free_string(text)
            return true
        }
        guard expanded, 12 + consumed + 4 <= payload.count else { return nil }
        let type = Int(payload[12 + consumed]) << 8 | Int(payload[13 + consumed])
        let isResponse = flags & 0x8000 != 0
        let rcode = flags & 0x000F
        var answer: DNSAnswer?
        var aliases: [String] = []
        if isResponse {
            switch rcode {
            case 0 where answers == 0: answer = .nodata
            case 0:
                let response = payload.withUnsafeBufferPointer { buffer in
                    DNSClient.decodeResponse(
                        status: ARES_SUCCESS, buffer: UnsafeMutablePointer(mutating: buffer.baseAddress), length: payload.count,
                        type: type == 33 ? .srv : .a)
                }
                answer = response.answer
                aliases = response.aliases
            case 2: answer = .servfail
            case 3: answer = .nxdomain
            case 5: answer = .refused
            default: answer = .failed("response code \(rcode)")
            }
        }
        var summary = DNSMessageSummary(
            id: Int(payload[0]) << 8 | Int(payload[1]), isResponse: isResponse, rcode: rcode, name: name, type: type, answer: answer)
        summary.aliases = aliases
        return summary
    }
}
