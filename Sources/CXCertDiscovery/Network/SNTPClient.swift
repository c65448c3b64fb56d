import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// One SNTP exchange (RFC 4330), as a phone makes it: a mode-3 request to UDP 123 of a server.
public struct SNTPResponse: Sendable, Hashable {
    /// 0 no warning, 1/2 leap second, 3 alarm: the server is not synchronised.
    public let leapIndicator: Int
    /// The NTP version of the reply (1-4).
    public let version: Int
    /// The association mode: 4 server or 5 broadcast.
    public let mode: Int
    /// 1 primary, 2-15 secondary, 0 kiss-of-death, 16 unsynchronised.
    public let stratum: Int
    /// The reference identifier: a kiss code (`RATE`, `DENY`) for stratum 0, else the source.
    public let referenceID: String
    /// When the server's clock was last set, if it says.
    public let referenceTime: Date?
    /// The server's clock when it answered (transmit timestamp).
    public let serverTime: Date
    /// Server clock minus ours, in seconds (RFC 4330 §5).
    public let offset: TimeInterval
    /// The round-trip delay in seconds, less the server's own processing time (RFC 4330 §5).
    public let roundTrip: TimeInterval

    /// A client must not set its clock from this answer.
    public var isUnsynchronized: Bool { leapIndicator == 3 || stratum == 0 || stratum >= 16 }
    /// The server sent a kiss-of-death (stratum 0): a client must stop asking it, and ``SNTPResponse/referenceID`` says why.
    public var isKissOfDeath: Bool { stratum == 0 }
}

/// Why an SNTP query got no usable answer.
public enum SNTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not an IPv4 or IPv6 address.
    case invalidAddress(String)
    /// A socket call failed; the text says which and why.
    case network(String)
    /// No reply arrived within this many seconds.
    case timeout(seconds: TimeInterval)
    /// The answer is not a valid server reply to our request.
    case malformed(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .invalidAddress(let text): "'\(text)' is not an IP address"
        case .network(let reason): reason
        case .timeout(let seconds): "no answer within \(Self.seconds(seconds))"
        case .malformed(let reason): "not an SNTP answer: \(reason)"
        }
    }

    static func seconds(_ value: TimeInterval) -> String { value == value.rounded() ? "\(Int(value)) s" : "\(value) s" }
}

/// SNTP queries as the phone makes them, to an address (never a name) with a hard deadline.
public enum SNTPClient {
    /// Seconds between the NTP era (1900) and the Unix epoch.
    static let eraOffset: Double = 2_208_988_800

    /// Asks `address:port` for the time; never waits longer than `timeout`. Answers that do not echo our
    /// transmit timestamp, or are not server replies, are ignored until the deadline (RFC 4330 §5).
    public static func query(address: String, port: Int = 123, timeout: TimeInterval) -> Result<SNTPResponse, SNTPError> {
        let deadline = Date().addingTimeInterval(timeout)
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if var v4 = in_addr() as in_addr?, inet_pton(AF_INET, address, &v4) == 1 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr = v4
            withUnsafeBytes(of: sin) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        } else if var v6 = in6_addr() as in6_addr?, inet_pton(AF_INET6, address, &v6) == 1 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            sin6.sin6_addr = v6
            withUnsafeBytes(of: sin6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            return .failure(.invalidAddress(address))
        }
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return .failure(.network("cannot open a UDP socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else { return .failure(.network("cannot reach \(address):\(port): \(String(cString: strerror(errno)))")) }

        var request = [UInt8](repeating: 0, count: 48)
        request[0] = 0x23  // LI 0, version 4, mode 3 (client)
        let sent = Date()
        let transmit = ntpTimestamp(sent)
        request.replaceSubrange(40..<48, with: transmit)
        guard send(fd, request, request.count, 0) == request.count else {
            return .failure(.network("cannot send to \(address):\(port): \(String(cString: strerror(errno)))"))
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        // The last reply refused, with its own error (wrapping its description again doubled the wording).
        var lastProblem: SNTPError?
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                return .failure(lastProblem ?? .timeout(seconds: timeout))
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, remaining * 1000)))
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                return .failure(.network(String(cString: strerror(errno))))
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            let received = Date()
            if count < 0 {
                // ICMP port unreachable arrives as ECONNREFUSED on a connected UDP socket.
                if errno == EINTR { continue }
                return .failure(.network("\(address):\(port): \(String(cString: strerror(errno)).lowercased())"))
            }
            switch parse(Array(buffer[0..<count]), transmit: transmit, sent: sent, received: received) {
            case .success(let response): return .success(response)
            case .failure(let problem): lastProblem = problem
            }
        }
    }

    /// Checks and decodes one reply to the request whose transmit timestamp was `transmit`.
    static func parse(_ packet: [UInt8], transmit: [UInt8], sent: Date, received: Date) -> Result<SNTPResponse, SNTPError> {
        guard packet.count >= 48 else { return .failure(.malformed("\(packet.count) bytes, an SNTP packet has at least 48")) }
        let leap = Int(packet[0] >> 6)
        let version = Int((packet[0] >> 3) & 0x7)
        let mode = Int(packet[0] & 0x7)
        guard (1...4).contains(version) else { return .failure(.malformed("version \(version)")) }
        guard mode == 4 || mode == 5 else { return .failure(.malformed("mode \(mode) is not a server reply")) }
        guard Array(packet[24..<32]) == transmit else { return .failure(.malformed("the reply does not echo the request's timestamp")) }
        let stratum = Int(packet[1])
        let refBytes = Array(packet[12..<16])
        let referenceID: String
        if stratum <= 1, refBytes.allSatisfy({ $0 == 0 || (0x20..<0x7F).contains($0) }) {
            referenceID = String(decoding: refBytes.filter { $0 != 0 }, as: UTF8.self)
        } else {
            referenceID = refBytes.map(String.init).joined(separator: ".")
        }
        let reference = date(packet, at: 16)
        guard let serverReceive = date(packet, at: 32), let serverTransmit = date(packet, at: 40) else {
            return .failure(.malformed("the server sent no time"))
        }
        let t1 = sent.timeIntervalSince1970
        let t4 = received.timeIntervalSince1970
        let t2 = serverReceive.timeIntervalSince1970
        let t3 = serverTransmit.timeIntervalSince1970
        return .success(
            SNTPResponse(
                leapIndicator: leap, version: version, mode: mode, stratum: stratum, referenceID: referenceID, referenceTime: reference,
                serverTime: serverTransmit, offset: ((t2 - t1) + (t3 - t4)) / 2, roundTrip: (t4 - t1) - (t3 - t2)))
    }

    static func ntpTimestamp(_ date: Date) -> [UInt8] {
        let seconds = date.timeIntervalSince1970 + eraOffset
        let whole = UInt32(truncatingIfNeeded: UInt64(seconds))
        let fraction = UInt32(truncatingIfNeeded: UInt64((seconds - seconds.rounded(.down)) * 4_294_967_296))
        return withUnsafeBytes(of: whole.bigEndian, Array.init) + withUnsafeBytes(of: fraction.bigEndian, Array.init)
    }

    /// A 64-bit NTP timestamp; zero means "not set". RFC 4330 section 3: with the top bit of the seconds set
    /// the time is in 1968-2036, counted from 1900; with it clear, in 2036-2104, counted from 2036-02-07T06:28:16Z
    /// (era 1), so a server's answer after 2036 is not read as 1900.
    static func date(_ packet: [UInt8], at offset: Int) -> Date? {
        guard offset >= 0, offset <= packet.count - 8 else { return nil }
        let seconds = packet[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let fraction = packet[offset + 4..<offset + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard seconds != 0 || fraction != 0 else { return nil }
        let era: Double = seconds & 0x8000_0000 == 0 ? 4_294_967_296 : 0
        return Date(timeIntervalSince1970: Double(seconds) + era - eraOffset + Double(fraction) / 4_294_967_296)
    }
}
