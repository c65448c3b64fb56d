import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts behind a capture's finding (`cxcert trace`), typed: what a script acts on and all that its wording
/// (CaptureFindingWording.swift) needs. A finding carries them as ``/CXCertCore/FindingDetail/facts(_:)``.
public enum CaptureFacts: FindingFacts {
    /// A capture file that cannot be read past a frame (`frame`: the last frame read, null before the first).
    case captureDamage(file: String, frame: Int?, reason: String)
    /// Part of the traffic missing from a capture: what is missing, in which connection, how much, and the limit.
    case captureGap(gap: Gap, connection: String?, count: Int?, limit: Int?, offset: Int?, reason: String?)
    /// The registrar SRV names in the order a phone asked them, against its build's data and its source.
    case dnsOrder(seen: [String], expected: [String], device: String, source: String?)
    /// A TLS alert in a capture: who sent it, for which endpoint, and cxcert's verdict on the chain (phone alerts).
    case tlsAlert(
        host: String, port: Int, alert: Int, alertName: String, fromPhone: Bool, device: String, trusted: Bool?, findings: [String],
        offeredSuites: [String])

    /// What part of a capture is missing.
    public enum Gap: String, Sendable, Hashable, Codable {
        /// Frames cut by the snap length (`count` frames).
        case snapLength = "snap-length"
        /// Packets of flows past the flow limit (`count` packets, `limit` flows).
        case flowLimit = "flow-limit"
        /// TCP payload past the capture's budget (`count` bytes, `limit` bytes).
        case byteLimit = "byte-limit"
        /// A connection whose start is not in the capture.
        case midConnection = "mid-connection"
        /// Bytes missing in a connection (`count` bytes at stream `offset`).
        case missingBytes = "missing-bytes"
        /// A connection direction past the per-stream limit (`limit` bytes).
        case streamLimit = "stream-limit"
        /// A connection whose protocol could not be read to its end (`reason`).
        case unparsed
        /// DHCP, DNS or SNTP packets past the per-capture event limit (`count` packets of the kind in `reason`,
        /// `limit` kept), or DHCP answers past the answer limit.
        case eventLimit = "event-limit"
        /// DNS or SNTP packets of clients not known as phones when read, past their own per-capture budget (`count`
        /// packets of the kind in `reason`, `limit` kept).
        case otherClientLimit = "other-client-limit"
        /// Gaps in the connections of clients that are not phones, summarised (`count` gaps in `limit` connections).
        case otherConnections = "other-connections"
    }

    /// The `kind` key of the JSON.
    public var kind: String {
        switch self {
        case .captureDamage: "capture-damage"
        case .captureGap: "capture-gap"
        case .dnsOrder: "dns-order"
        case .tlsAlert: "tls-alert"
        }
    }

    /// `{"kind": ..., <the case's fields>}`, as every finding detail (documented in the README).
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: FindingDetailKey.self)
        try out.put("kind", kind)
        func put<Value: Encodable>(_ key: String, _ value: Value) throws { try out.put(key, value) }
        switch self {
        case .captureDamage(let file, let frame, let reason):
            try put("file", file)
            try put("frame", frame)
            try put("reason", reason)
        case .captureGap(let gap, let connection, let count, let limit, let offset, let reason):
            try put("gap", gap)
            try put("connection", connection)
            try put("count", count)
            try put("limit", limit)
            try put("offset", offset)
            try put("reason", reason)
        case .dnsOrder(let seen, let expected, let device, let source):
            try put("seen", seen)
            try put("expected", expected)
            try put("device", device)
            try put("source", source)
        case .tlsAlert(
            let host, let port, let alert, let alertName, let fromPhone, let device, let trusted, let findings, let offeredSuites):
            try put("host", host)
            try put("port", port)
            try put("alert", alert)
            try put("alertName", alertName)
            try put("fromPhone", fromPhone)
            try put("device", device)
            try put("trusted", trusted)
            try put("findings", findings)
            try put("offeredSuites", offeredSuites)
        }
    }
}

extension FindingDetail {
    /// capture facts as a finding's detail.
    public static func capture(_ facts: CaptureFacts) -> FindingDetail { .facts(AnyFindingFacts(facts)) }

    /// The capture facts this detail carries; nil for other facts.
    public var captureFacts: CaptureFacts? { if case .facts(let facts) = self { facts.base as? CaptureFacts } else { nil } }
}
