import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why a DHCP packet could not be read.
public enum DHCPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The packet ends before a field or option it announces; the text says which.
    case truncated(String)
    /// The bytes are not a DHCP packet (no magic cookie, bad op or hardware length), or not `cxcert dhcp` JSON.
    case malformed(String)
    /// A stored option's code or hex value cannot be read.
    case invalidOption(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .truncated(let what): "truncated DHCP packet: \(what)"
        case .malformed(let what): "not a DHCP packet: \(what)"
        case .invalidOption(let what): "invalid option: \(what)"
        }
    }
}

/// A BOOTP/DHCP message (RFC 2131/2132), read with strict bounds. Options that appear several times are
/// concatenated in order (RFC 3396), including those carried in the `sname` and `file` fields when
/// option 52 says so.
public struct DHCPMessage: Sendable, Hashable {
    /// The four bytes (99.130.83.99) that follow the BOOTP header in every DHCP packet.
    public static let magicCookie: [UInt8] = [99, 130, 83, 99]
    /// The fixed header up to and including the magic cookie.
    static let headerLength = 240

    /// The DHCP message type (option 53).
    public enum MessageType: UInt8, Sendable {
        /// DHCPDISCOVER (1); the cases that follow are numbered 2 to 8 in this order.
        case discover = 1
        /// DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE and DHCPINFORM (2 to 8).
        case offer, request, decline, ack, nak, release, inform
    }

    /// 1 for a request (client to server), 2 for a reply.
    public var op: UInt8
    /// The transaction ID (`xid`) that pairs a reply with its request.
    public var transactionID: UInt32
    /// The BOOTP flags (bit 15 asks for a broadcast reply).
    public var flags: UInt16
    /// `ciaddr`: the address the client already has (an INFORM's sender).
    public var clientAddress: [UInt8]
    /// `yiaddr`: the address the server offers.
    public var yourAddress: [UInt8]
    /// `siaddr`: the next server to use.
    public var serverAddress: [UInt8]
    /// `giaddr`: the relay agent's address.
    public var relayAddress: [UInt8]
    /// `chaddr`: the client's hardware address (at most 16 bytes).
    public var hardwareAddress: [UInt8]
    /// Each option's data, instances concatenated (RFC 3396).
    public var options: [UInt8: [UInt8]]
    /// How many instances each option came in (more than one: a long option split by the server).
    public var instances: [UInt8: Int]
    /// Option codes in the order they first appeared.
    public var order: [UInt8]

    /// A message with the other addresses zero.
    /// - Parameters:
    ///   - op: 1 for a request, 2 for a reply.
    ///   - transactionID: The transaction ID.
    ///   - flags: The BOOTP flags.
    ///   - clientAddress: `ciaddr`, four bytes.
    ///   - hardwareAddress: `chaddr`, at most 16 bytes.
    ///   - options: Option codes and data in order; a code given twice has its data concatenated.
    public init(
        op: UInt8, transactionID: UInt32, flags: UInt16 = 0, clientAddress: [UInt8] = [0, 0, 0, 0], hardwareAddress: [UInt8],
        options: [(UInt8, [UInt8])]
    ) {
        self.op = op
        self.transactionID = transactionID
        self.flags = flags
        self.clientAddress = clientAddress
        yourAddress = [0, 0, 0, 0]
        serverAddress = [0, 0, 0, 0]
        relayAddress = [0, 0, 0, 0]
        self.hardwareAddress = hardwareAddress
        self.options = [:]
        instances = [:]
        order = []
        for (code, data) in options {
            if self.options[code] == nil { order.append(code) }
            self.options[code, default: []] += data
            instances[code, default: 0] += 1
        }
    }

    /// The message type from option 53, or `nil` when it is absent or unknown.
    public var messageType: MessageType? { options[53]?.first.flatMap(MessageType.init(rawValue:)) }

    /// Reads a packet; every length is checked against what is left.
    public init(parsing bytes: [UInt8]) throws(DHCPError) {
        guard bytes.count >= Self.headerLength else { throw .truncated("\(bytes.count) bytes, the header alone is \(Self.headerLength)") }
        guard Array(bytes[236..<240]) == Self.magicCookie else { throw .malformed("no DHCP magic cookie at byte 236") }
        op = bytes[0]
        guard op == 1 || op == 2 else { throw .malformed("op \(op) is neither request (1) nor reply (2)") }
        let hardwareLength = Int(bytes[2])
        guard hardwareLength <= 16 else { throw .malformed("hardware address length \(hardwareLength) is over 16") }
        transactionID = bytes[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
        flags = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        clientAddress = Array(bytes[12..<16])
        yourAddress = Array(bytes[16..<20])
        serverAddress = Array(bytes[20..<24])
        relayAddress = Array(bytes[24..<28])
        hardwareAddress = Array(bytes[28..<28 + hardwareLength])
        options = [:]
        instances = [:]
        order = []
        try readOptions(bytes[Self.headerLength...], field: "options")
        // Option 52 (overload): more options in the file (1), sname (2) or both (3) fields.
        if let overload = options[52]?.first {
            if overload & 1 != 0 { try readOptions(bytes[108..<236], field: "file") }
            if overload & 2 != 0 { try readOptions(bytes[44..<108], field: "sname") }
        }
    }

    private mutating func readOptions(_ area: ArraySlice<UInt8>, field: String) throws(DHCPError) {
        var index = area.startIndex
        while index < area.endIndex {
            let code = area[index]
            if code == 0 {
                index += 1
                continue
            }
            if code == 255 { return }
            guard index + 1 < area.endIndex else { throw .truncated("option \(code) in \(field) has no length byte") }
            let length = Int(area[index + 1])
            let start = index + 2
            guard start + length <= area.endIndex else {
                throw .truncated("option \(code) in \(field) claims \(length) bytes, \(area.endIndex - start) are left")
            }
            if options[code] == nil { order.append(code) }
            options[code, default: []] += area[start..<start + length]
            instances[code, default: 0] += 1
            index = start + length
        }
    }

    /// The packet on the wire: options longer than 255 bytes are split (RFC 3396), then the end option.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.headerLength)
        bytes[0] = op
        bytes[1] = 1  // Ethernet
        bytes[2] = UInt8(min(hardwareAddress.count, 16))
        withUnsafeBytes(of: transactionID.bigEndian) { bytes.replaceSubrange(4..<8, with: $0) }
        bytes[10] = UInt8(flags >> 8)
        bytes[11] = UInt8(flags & 0xFF)
        bytes.replaceSubrange(12..<16, with: clientAddress.prefix(4))
        bytes.replaceSubrange(16..<20, with: yourAddress.prefix(4))
        bytes.replaceSubrange(20..<24, with: serverAddress.prefix(4))
        bytes.replaceSubrange(24..<28, with: relayAddress.prefix(4))
        bytes.replaceSubrange(28..<28 + min(hardwareAddress.count, 16), with: hardwareAddress.prefix(16))
        bytes.replaceSubrange(236..<240, with: Self.magicCookie)
        for code in order {
            let data = options[code] ?? []
            var offset = 0
            repeat {
                let chunk = data[offset..<min(data.count, offset + 255)]
                bytes += [code, UInt8(chunk.count)] + chunk
                offset += 255
            } while offset < data.count
        }
        bytes.append(255)
        // Pad to the BOOTP minimum of 300 bytes, as many servers expect.
        if bytes.count < 300 { bytes += [UInt8](repeating: 0, count: 300 - bytes.count) }
        return bytes
    }

    /// The phone's DHCPINFORM: it already has an address and asks only for options.
    public static func inform(
        transactionID: UInt32, hardwareAddress: [UInt8], clientAddress: [UInt8], vendorClass: String?, requested: [UInt8]
    )
        -> DHCPMessage
    {
        var options: [(UInt8, [UInt8])] = [(53, [MessageType.inform.rawValue])]
        if let vendorClass { options.append((60, Array(vendorClass.utf8))) }
        options.append((61, [1] + hardwareAddress))
        options.append((55, requested))
        return DHCPMessage(
            op: 1, transactionID: transactionID, clientAddress: clientAddress, hardwareAddress: hardwareAddress, options: options)
    }
}
