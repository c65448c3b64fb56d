import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the phone found a time server, as a value (the `via` of an `ntp` detail and of a walk's time sample).
public enum TimeVia: Sendable, Hashable, CustomStringConvertible {
    /// An SRV record, by the name asked (`_ntp._udp.contoso.com`).
    case srv(name: String)
    /// DHCP option 42.
    case option42
    /// An address record; `concatenated` when the name had a DHCP domain appended (`time.windows.com.contoso.com`).
    case addressRecord(concatenated: Bool)
    /// Seen in a capture: the phone's own request and its answer.
    case captured

    public var description: String {
        switch self {
        case .srv(let name): "SRV \(name)"
        case .option42: "DHCP option 42"
        case .addressRecord(let concatenated): concatenated ? "A record (concatenated name)" : "A record"
        case .captured: "captured"
        }
    }
}

/// Where the phone's clock came from, as a value (the `source` of a `clock` detail).
public enum ClockSource: Sendable, Hashable, CustomStringConvertible {
    /// A time server the walk asked: its name, address, port and how the phone found it.
    case server(name: String, address: String, port: Int, via: TimeVia)
    /// A time server's answer in a capture, at the capture's time.
    case capturedAnswer(at: Date)
    /// The phone's own clock in its request in a capture, at the capture's time.
    case phoneReading(at: Date)

    /// The time server the clock came from, by name; nil when a capture shows only an answer or the phone's own clock.
    public var serverName: String? {
        if case .server(let name, _, _, _) = self { name } else { nil }
    }

    public var description: String {
        switch self {
        case .server(let name, let address, let port, let via): "\(name) (\(address):\(port), \(via))"
        case .capturedAnswer(let at): "the time server's answer at \(CaptureReader.clock(at))"
        case .phoneReading(let at): "the phone's own clock in its NTP request at \(CaptureReader.clock(at))"
        }
    }
}
