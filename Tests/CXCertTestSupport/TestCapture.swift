import Foundation

/// Captures built in memory, byte by byte, for the capture tests: a classic pcap file and Ethernet frames.
enum TestCapture {
    /// A classic pcap file (little-endian, Ethernet) holding these frames, one per microsecond from `seconds` (Unix time).
    static func pcap(_ frames: [[UInt8]], at seconds: UInt32 = 1_764_000_000) -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        var bytes = le32(0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)
        for (index, frame) in frames.enumerated() {
            bytes += le32(seconds) + le32(UInt32(index)) + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
        }
        return bytes
    }

    static let phoneMAC: [UInt8] = [0x00, 0x04, 0xF2, 0x01, 0x02, 0x03]
    static let serverMAC: [UInt8] = [0x52, 0x54, 0x00, 0x00, 0x00, 0x01]

    /// Ethernet + IPv4 + UDP or TCP (`tcp` is the sequence number and flags).
    static func frame(
        from source: [UInt8], _ sourcePort: Int, to destination: [UInt8], _ destinationPort: Int, tcp: (UInt32, UInt8)? = nil,
        payload: [UInt8]
    ) -> [UInt8] {
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let transport: [UInt8]
        if let (sequence, flags) = tcp {
            transport =
                be16(sourcePort) + be16(destinationPort) + withUnsafeBytes(of: sequence.bigEndian, Array.init) + [0, 0, 0, 0, 0x50, flags]
                + [0xFF, 0xFF, 0, 0, 0, 0] + payload
        } else {
            transport = be16(sourcePort) + be16(destinationPort) + be16(8 + payload.count) + [0, 0] + payload
        }
        let ip: [UInt8] =
            [0x45, 0] + be16(20 + transport.count) + [0, 0, 0, 0, 64, tcp == nil ? 17 : 6, 0, 0] + source + destination
        let fromPhone = source == [10, 0, 0, 2]
        let macs = fromPhone ? [UInt8](repeating: 0xFF, count: 6) + phoneMAC : phoneMAC + serverMAC
        return macs + [0x08, 0x00] + ip + transport
    }
}
