import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One IP packet's transport payload, as read from a frame: Ethernet (with any number of 802.1Q tags),
/// Linux cooked (SLL, SLL2), raw IP or BSD loopback, then IPv4 or IPv6, then UDP or TCP. Every length is
/// checked against what was captured; a frame cut by the snap length says so.
public struct TransportPacket: Sendable {
    /// The transport protocol: UDP or TCP.
    public enum Transport: Sendable, Hashable {
        /// UDP (DHCP, DNS, SNTP).
        case udp
        /// TCP (LDAP, HTTP, TLS).
        case tcp
    }

    /// When the frame was captured.
    public let time: Date
    /// The Ethernet source address (lowercase, colon-separated); `nil` for other links or an all-zero address.
    public let sourceMAC: String?
    /// The source IP address.
    public let source: String
    /// The destination IP address.
    public let destination: String
    /// UDP or TCP.
    public let transport: Transport
    /// The source port.
    public let sourcePort: Int
    /// The destination port.
    public let destinationPort: Int
    /// TCP only.
    public let sequence: UInt32
    /// The TCP flags byte (0 for UDP).
    public let flags: UInt8
    /// The UDP or TCP payload, as far as it was captured.
    public let payload: [UInt8]
    /// The frame was cut before the end of this packet (snap length).
    public let isCut: Bool

    /// A TCP SYN: the stream starts after this sequence number.
    public var isSYN: Bool { flags & 0x02 != 0 }
    /// A TCP FIN.
    public var isFIN: Bool { flags & 0x01 != 0 }
    /// A TCP RST.
    public var isRST: Bool { flags & 0x04 != 0 }

    /// Decodes a frame; nil for anything that is not UDP or TCP over IP (ARP, ICMP, fragments after the first).
    public static func decode(_ frame: CapturedFrame, link: PcapFile.LinkType) -> TransportPacket? {
        let bytes = frame.bytes
        var offset = 0
        var mac: String?
        var etherType = 0
        func u16(_ at: Int) -> Int? { at + 2 <= bytes.count ? Int(bytes[at]) << 8 | Int(bytes[at + 1]) : nil }
        switch link {
        case .ethernet:
            guard bytes.count >= 14, let type = u16(12) else { return nil }
            if bytes[6..<12].contains(where: { $0 != 0 }) { mac = macText(bytes[6..<12]) }
            etherType = type
            offset = 14
            var tags = 0
            while etherType == 0x8100 || etherType == 0x88A8, tags < 4 {
                guard let inner = u16(offset + 2) else { return nil }
                etherType = inner
                offset += 4
                tags += 1
            }
        case .linuxCooked:
            // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2)
            guard bytes.count >= 16, let type = u16(14) else { return nil }
            if u16(4) == 6 { mac = macText(bytes[6..<12]) }
            etherType = type
            offset = 16
        case .linuxCooked2:
            // protocol (2), reserved (2), ifindex (4), ARPHRD (2), packet type (1), address length (1), address (8)
            guard bytes.count >= 20, let type = u16(0) else { return nil }
            if bytes[11] == 6 { mac = macText(bytes[12..<18]) }
            etherType = type
            offset = 20
        case .rawIP:
            guard let first = bytes.first else { return nil }
            etherType = first >> 4 == 6 ? 0x86DD : 0x0800
        case .loopback:
            guard bytes.count >= 4 else { return nil }
            let family = Int(bytes[0]) | Int(bytes[3])
            etherType = family == 2 ? 0x0800 : 0x86DD
            offset = 4
        }
        var protocolNumber = 0
        var source = ""
        var destination = ""
        var declaredEnd = bytes.count
        switch etherType {
        case 0x0800:
            guard offset + 20 <= bytes.count, bytes[offset] >> 4 == 4 else { return nil }
            let headerLength = Int(bytes[offset] & 0x0F) * 4
            guard headerLength >= 20, let total = u16(offset + 2), let fragment = u16(offset + 6) else { return nil }
            // Later fragments carry no transport header.
            guard fragment & 0x1FFF == 0 else { return nil }
            protocolNumber = Int(bytes[offset + 9])
            source = bytes[offset + 12..<offset + 16].map(String.init).joined(separator: ".")
            destination = bytes[offset + 16..<offset + 20].map(String.init).joined(separator: ".")
            declaredEnd = offset + total
            offset += headerLength
        case 0x86DD:
            guard offset + 40 <= bytes.count, let payloadLength = u16(offset + 4) else { return nil }
            protocolNumber = Int(bytes[offset + 6])
            source = ipv6(bytes[offset + 8..<offset + 24])
            destination = ipv6(bytes[offset + 24..<offset + 40])
            declaredEnd = offset + 40 + payloadLength
            offset += 40
            // Hop-by-hop, routing and destination options headers, at most a few.
            var hops = 0
            while [0, 43, 60].contains(protocolNumber), hops < 4, offset + 2 <= bytes.count {
                protocolNumber = Int(bytes[offset])
                offset += (Int(bytes[offset + 1]) + 1) * 8
                hops += 1
            }
        default:
            return nil
        }
        let cut = frame.isCut || declaredEnd > bytes.count
        let end = min(declaredEnd, bytes.count)
        guard offset <= end else { return nil }
        switch protocolNumber {
        case 17:
            guard offset + 8 <= end, let sport = u16(offset), let dport = u16(offset + 2) else { return nil }
            return TransportPacket(
                time: frame.time, sourceMAC: mac, source: source, destination: destination, transport: .udp, sourcePort: sport,
                destinationPort: dport, sequence: 0, flags: 0, payload: Array(bytes[offset + 8..<end]), isCut: cut)
        case 6:
            guard offset + 20 <= end, let sport = u16(offset), let dport = u16(offset + 2) else { return nil }
            let sequence = bytes[offset + 4..<offset + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let dataOffset = Int(bytes[offset + 12] >> 4) * 4
            guard dataOffset >= 20, offset + dataOffset <= end else { return nil }
            return TransportPacket(
                time: frame.time, sourceMAC: mac, source: source, destination: destination, transport: .tcp, sourcePort: sport,
                destinationPort: dport, sequence: sequence, flags: bytes[offset + 13], payload: Array(bytes[offset + dataOffset..<end]),
                isCut: cut)
        default:
            return nil
        }
    }

    /// Six bytes as a lowercase, colon-separated MAC address (every frame has one: no `String(format:)` per byte).
    package static func macText(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(17)
        for byte in bytes.prefix(6) {
            if !text.isEmpty { text.append(UInt8(ascii: ":")) }
            text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func ipv6(_ bytes: ArraySlice<UInt8>) -> String {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &text, socklen_t(INET6_ADDRSTRLEN))
        return String(cString: text)
    }
}

/// Rebuilds each TCP direction's byte stream from segments: out of order, retransmitted and overlapping
/// segments are placed by sequence number (the first copy of a byte wins); gaps (a capture that started
/// mid-flow, lost or cut segments) are recorded, never filled. Memory is bounded per direction.
public struct TCPStream: Sendable {
    /// A range of the stream that was never seen.
    public struct Gap: Sendable, Hashable {
        /// Stream offset where bytes are missing, and how many.
        public let offset: Int
        /// How many bytes are missing.
        public let length: Int
    }

    /// The most payload bytes kept for this direction; more sets ``overflowed``.
    public let maxBytes: Int
    private var base: UInt32?
    private var segments: [Int: [UInt8]] = [:]
    private var stored = 0
    /// Whether the SYN was seen, so the stream is known from its first byte.
    public private(set) var sawStart = false
    /// Whether segments were dropped because ``maxBytes`` was reached.
    public private(set) var overflowed = false
    /// How many segments the snap length cut.
    public private(set) var cutSegments = 0
    /// When the first packet of this direction was seen.
    public private(set) var firstTime: Date?
    /// When a segment first arrived at each stream offset (for time-ordering the messages read from it).
    private var arrival: [Int: Date] = [:]

    /// An empty stream.
    /// - Parameter maxBytes: The most payload bytes kept (4 MiB by default).
    public init(maxBytes: Int = 4 << 20) { self.maxBytes = maxBytes }

    /// Adds one segment of this direction: a SYN sets the start; a payload is placed by its sequence number.
    public mutating func add(_ packet: TransportPacket) {
        if firstTime == nil { firstTime = packet.time }
        if packet.isSYN {
            base = packet.sequence &+ 1
            sawStart = true
            return
        }
        if packet.isCut { cutSegments += 1 }
        guard !packet.payload.isEmpty else { return }
        if base == nil { base = packet.sequence }
        guard let base else { return }
        // Offsets relative to the stream start (wrap-around safe within 2 GiB).
        let offset = Int(Int32(bitPattern: packet.sequence &- base))
        guard offset >= 0 else { return }
        guard stored + packet.payload.count <= maxBytes else {
            overflowed = true
            return
        }
        if let existing = segments[offset], existing.count >= packet.payload.count { return }
        stored += packet.payload.count - (segments[offset]?.count ?? 0)
        segments[offset] = packet.payload
        if arrival[offset] == nil { arrival[offset] = packet.time }
    }

    /// The contiguous stream from its start, every gap in it, and the time each byte range arrived.
    package func assembled() -> (bytes: [UInt8], gaps: [Gap]) {
        var bytes: [UInt8] = []
        var gaps: [Gap] = []
        for offset in segments.keys.sorted() {
            guard let data = segments[offset] else { continue }
            if offset > bytes.count {
                gaps.append(Gap(offset: bytes.count, length: offset - bytes.count))
                // A gap ends what can be parsed: messages after it cannot be framed reliably.
                break
            }
            let overlap = bytes.count - offset
            if overlap < data.count { bytes += data[overlap...] }
        }
        return (bytes, gaps)
    }

    /// When the byte at `offset` was first seen: the arrival of the segment starting at the nearest offset at or
    /// before it.
    public func time(at offset: Int) -> Date? { timeline().time(at: offset) }

    /// The arrivals sorted once, for the time of many offsets (each a binary search).
    package func timeline() -> Timeline {
        let offsets = arrival.keys.sorted()
        return Timeline(offsets: offsets, times: offsets.map { arrival[$0] ?? .distantPast }, firstTime: firstTime)
    }

    /// When the segments of a stream arrived, by stream offset.
    package struct Timeline: Sendable {
        let offsets: [Int]
        let times: [Date]
        let firstTime: Date?

        /// The arrival of the segment starting at the nearest offset at or before `offset`, else the stream's first
        /// packet.
        package func time(at offset: Int) -> Date? {
            let count = offsets.countAtOrBelow(offset)
            return count == 0 ? firstTime : times[count - 1]
        }
    }
}

extension Array where Element: Comparable {
    /// How many elements of this sorted array are at or below `value` (a binary search).
    package func countAtOrBelow(_ value: Element) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
