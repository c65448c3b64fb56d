import CXCertCapture
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The UDP events of a capture (DHCP, DNS, SNTP) indexed by client, transaction and time, filled in one pass as
/// the frames stream by, with the budget that bounds them.
///
/// Every lookup a phone's trace makes is a dictionary hit on its own events, never a scan of the capture's: DHCP by
/// transaction id, client hardware address, source and `ciaddr`; DNS and SNTP by client address, each list in time
/// order (a merged or reordered capture is sorted once, ties kept in capture order).
///
/// Memory: a client is a *possible phone* while reading when it was named with `--phone` (its address, its MAC as a
/// frame's source, or the address DHCP gave that MAC) or, without `--phone`, when it sent a DHCP request with vendor
/// class `MS-UC-Client` (then also the address DHCP gave it). Possible phones' DNS and SNTP are kept up to
/// `maxEvents` per kind; other clients' up to `maxOtherEvents` per kind, the rest counted (a phone found later only
/// by its TLS or Device Update traffic still has its first packets), and with `--phone` not kept at all: they
/// cannot be a phone. MAC addresses are remembered only for the sources of what is kept and for possible phones.
struct CaptureIndex {
    /// The UDP kinds a capture keeps.
    enum Kind: String, CaseIterable {
        case dhcp = "DHCP"
        case dns = "DNS"
        case sntp = "SNTP"
    }

    let maxEvents: Int
    let maxOtherEvents: Int
    /// `--phone` was given: only the named phones' DNS and SNTP are kept.
    let selecting: Bool

    /// Every DHCP packet kept, in capture order.
    private(set) var dhcp: [CaptureReader.DHCPEvent] = []
    private var dhcpByTransaction: [UInt32: [Int]] = [:]
    private var dhcpRequestsByMAC: [String: [Int]] = [:]
    private var dhcpRequestsByAddress: [String: [Int]] = [:]
    private var dhcpByHardwareAddress: [String: [Int]] = [:]
    /// DNS and SNTP packets per client address, time-ordered once ``finish()`` ran.
    private(set) var dns: [String: [CaptureReader.DNSEvent]] = [:]
    private(set) var ntp: [String: [CaptureReader.NTPEvent]] = [:]
    /// The last source MAC seen for each address kept (a phone's, a server's, a TCP endpoint's).
    private(set) var macs: [String: String] = [:]

    private var possiblePhones: Set<String> = []
    private var possiblePhoneMACs: Set<String> = []
    private var keptPhoneEvents: [Kind: Int] = [:]
    private var keptOtherEvents: [Kind: Int] = [:]
    /// Possible phones' packets past ``maxEvents`` (and DHCP packets past it), per kind.
    private(set) var droppedEvents: [Kind: Int] = [:]
    /// Other clients' DNS and SNTP packets past ``maxOtherEvents``, per kind.
    private(set) var droppedOtherEvents: [Kind: Int] = [:]
    private var dhcpSourceSet: Set<String> = []

    /// An empty index for a reading with these phones named (`selectors`) and these bounds.
    init(selectors: [PhoneSelector], maxEvents: Int, maxOtherEvents: Int) {
        self.maxEvents = maxEvents
        self.maxOtherEvents = maxOtherEvents
        selecting = !selectors.isEmpty
        for selector in selectors {
            switch selector {
            case .mac(let mac): possiblePhoneMACs.insert(mac)
            case .address(let address): possiblePhones.insert(address)
            }
        }
    }

    /// Whether the address is a possible phone at this point of the capture.
    func isPossiblePhone(_ address: String) -> Bool { possiblePhones.contains(address) }

    /// Notes a frame's source: a frame from a possible phone's MAC makes its address a possible phone.
    mutating func saw(source: String, mac: String?) {
        guard let mac else { return }
        if possiblePhoneMACs.contains(mac), source != "0.0.0.0" { possiblePhones.insert(source) }
        if possiblePhones.contains(source) { macs[source] = mac }
    }

    /// Remembers the MAC of the source of something kept (a TCP segment, a kept UDP event).
    mutating func keep(source: String, mac: String?) {
        if let mac { macs[source] = mac }
    }

    /// Whether a DNS or SNTP packet of `client` fits the budget; counts it either way.
    mutating func admit(_ kind: Kind, client: String) -> Bool {
        if possiblePhones.contains(client) {
            guard keptPhoneEvents[kind, default: 0] < maxEvents else {
                droppedEvents[kind, default: 0] += 1
                return false
            }
            keptPhoneEvents[kind, default: 0] += 1
            return true
        }
        // With --phone, a client that is not named cannot be a phone: nothing of it is needed.
        guard !selecting else { return false }
        guard keptOtherEvents[kind, default: 0] < maxOtherEvents else {
            droppedOtherEvents[kind, default: 0] += 1
            return false
        }
        keptOtherEvents[kind, default: 0] += 1
        return true
    }

    /// Whether a DHCP packet fits the budget (every client's DHCP counts: it is how phones are found).
    mutating func admitDHCP() -> Bool {
        guard dhcp.count < maxEvents else {
            droppedEvents[.dhcp, default: 0] += 1
            return false
        }
        return true
    }

    /// Adds a DHCP packet; a request with the phones' vendor class (or from a named MAC) makes its client a
    /// possible phone, and so does the address a server gives that MAC.
    mutating func add(_ event: CaptureReader.DHCPEvent) {
        let index = dhcp.count
        dhcp.append(event)
        let message = event.message
        let hardware = Self.macText(message.hardwareAddress)
        let clientAddress = Self.addressText(message.clientAddress)
        dhcpByTransaction[message.transactionID, default: []].append(index)
        dhcpByHardwareAddress[hardware, default: []].append(index)
        dhcpSourceSet.insert(event.source)
        if message.op == 1 {
            if let mac = event.mac { dhcpRequestsByMAC[mac, default: []].append(index) }
            dhcpRequestsByAddress[event.source, default: []].append(index)
            if clientAddress != event.source { dhcpRequestsByAddress[clientAddress, default: []].append(index) }
            let vendor = message.options[60].map { String(decoding: $0, as: UTF8.self) }
            if !selecting && vendor == DHCPExchange.ucVendorClass { possiblePhoneMACs.insert(hardware) }
            if possiblePhoneMACs.contains(hardware) {
                for address in [event.source, clientAddress] where address != "0.0.0.0" { possiblePhones.insert(address) }
            }
        } else if possiblePhoneMACs.contains(hardware) {
            let given = Self.addressText(message.yourAddress)
            if given != "0.0.0.0" { possiblePhones.insert(given) }
        }
    }

    mutating func add(_ event: CaptureReader.DNSEvent) {
        dns[event.client, default: []].append(event)
    }

    mutating func add(_ event: CaptureReader.NTPEvent) {
        ntp[event.client, default: []].append(event)
    }

    /// Puts every client's DNS and SNTP in time order (stable: equal times keep their capture order).
    mutating func finish() {
        for client in dns.keys { dns[client] = Self.timeOrdered(dns[client] ?? [], time: \.time) }
        for client in ntp.keys { ntp[client] = Self.timeOrdered(ntp[client] ?? [], time: \.time) }
    }

    static func timeOrdered<Event>(_ events: [Event], time: (Event) -> Date) -> [Event] {
        guard zip(events, events.dropFirst()).contains(where: { time($0) > time($1) }) else { return events }
        return events.enumerated().sorted { (time($0.element), $0.offset) < (time($1.element), $1.offset) }.map(\.element)
    }

    // MARK: Lookups

    /// Every address that sent or received DNS or SNTP as a client.
    var udpClients: Set<String> { Set(dns.keys).union(ntp.keys) }

    /// The DHCP requests of a phone (its MAC as the frame's source, or its address as source or `ciaddr`), in time
    /// order.
    func dhcpRequests(mac: String?, address: String) -> [CaptureReader.DHCPEvent] {
        var indices = Set(dhcpRequestsByAddress[address] ?? [])
        if let mac { indices.formUnion(dhcpRequestsByMAC[mac] ?? []) }
        return Self.timeOrdered(indices.sorted().map { dhcp[$0] }, time: \.time)
    }

    /// The DHCP answers with this transaction id, in capture order.
    func dhcpReplies(transaction: UInt32) -> [CaptureReader.DHCPEvent] {
        (dhcpByTransaction[transaction] ?? []).map { dhcp[$0] }.filter { $0.message.op == 2 }
    }

    /// Every DHCP packet that carries this client hardware address, in capture order.
    func dhcp(hardwareAddress mac: String) -> [CaptureReader.DHCPEvent] {
        (dhcpByHardwareAddress[mac] ?? []).map { dhcp[$0] }
    }

    /// Every DHCP source address.
    var dhcpSources: Set<String> { dhcpSourceSet }

    static func macText(_ bytes: [UInt8]) -> String {
        TransportPacket.macText(bytes)
    }

    static func addressText(_ bytes: [UInt8]) -> String { bytes.map(String.init).joined(separator: ".") }
}

/// The last entry of a list, in list order, whose time is at or before a given time, for many times: sorted once,
/// each answer a binary search (what `last(where: { $0.time <= time })` answers with a scan).
struct LastAtOrBefore<Entry> {
    private var times: [Date] = []
    /// For each prefix of the time-sorted entries, the one latest in list order.
    private var latest: [Entry] = []

    init(_ entries: [Entry], time: (Entry) -> Date) {
        let order = entries.indices.sorted { (time(entries[$0]), $0) < (time(entries[$1]), $1) }
        var best = -1
        for position in order {
            best = max(best, position)
            times.append(time(entries[position]))
            latest.append(entries[best])
        }
    }

    func callAsFunction(_ time: Date) -> Entry? {
        let count = times.countAtOrBelow(time)
        return count == 0 ? nil : latest[count - 1]
    }
}
