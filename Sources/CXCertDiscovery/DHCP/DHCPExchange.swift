import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One server's answer to one of the phone's DHCPINFORMs.
public struct DHCPAnswer: Sendable {
    /// The server identifier (option 54), else the address the answer came from.
    public let server: String
    /// The vendor class the INFORM carried (`MS-UC-Client`, `CPE-OCPHONE`, or nil for none).
    public let vendorClass: String?
    /// The answer as received.
    public let message: DHCPMessage
    /// The answer's options, decoded and checked.
    public let options: DHCPOptionsReport
    /// Seconds after the INFORM was sent.
    public let elapsed: TimeInterval

    /// An answer; its options are decoded at once.
    /// - Parameters:
    ///   - server: The server identifier (option 54), else the address the answer came from.
    ///   - vendorClass: The vendor class the INFORM carried, or `nil` for none.
    ///   - message: The answer as received.
    ///   - elapsed: Seconds after the INFORM was sent.
    public init(server: String, vendorClass: String?, message: DHCPMessage, elapsed: TimeInterval) {
        self.server = server
        self.vendorClass = vendorClass
        self.message = message
        options = DHCPOptionsReport(options: message.options, instances: message.instances)
        self.elapsed = elapsed
    }
}

/// How many DHCP answers are kept: anyone on the segment sees the broadcast INFORM and its transaction id
/// and can flood matching answers, so only the first answers of each server, and a bounded number in all,
/// are kept; the rest are counted by server.
public struct DHCPAnswerLimit: Sendable, Hashable {
    /// Answers kept from one server (by server identifier, else source address).
    public var perServer: Int
    /// Answers kept in all.
    public var total: Int
    /// Servers named in the count of dropped answers; the drops of any more are counted together.
    public var namedDropServers: Int

    /// A limit.
    /// - Parameters:
    ///   - perServer: Answers kept from one server (8 by default: the phone's three INFORMs, each answered and resent).
    ///   - total: Answers kept in all (64 by default).
    ///   - namedDropServers: Servers named in the dropped count (16 by default).
    public init(perServer: Int = 8, total: Int = 64, namedDropServers: Int = 16) {
        self.perServer = perServer
        self.total = total
        self.namedDropServers = namedDropServers
    }
}

/// Answers dropped over the ``DHCPAnswerLimit``, from one server (or, with `server` nil, from every server
/// past the named ones).
public struct DHCPDroppedAnswers: Sendable, Hashable, Codable {
    /// The server identifier or source address; `nil` for the servers past ``DHCPAnswerLimit/namedDropServers``.
    public let server: String?
    /// How many of its answers were dropped.
    public let count: Int
}

/// Collects answers within a ``DHCPAnswerLimit``: memory and output stay bounded whatever arrives.
package struct DHCPAnswerCollector: Sendable {
    package let limit: DHCPAnswerLimit
    package private(set) var answers: [DHCPAnswer] = []
    private var kept: [String: Int] = [:]
    private var droppedBy: [String: Int] = [:]
    private var droppedOthers = 0

    package init(limit: DHCPAnswerLimit = DHCPAnswerLimit()) { self.limit = limit }

    /// Keeps `answer` if its server and the whole are under the limit; counts it as dropped otherwise.
    package mutating func add(_ answer: DHCPAnswer) {
        if answers.count < limit.total, kept[answer.server, default: 0] < limit.perServer {
            kept[answer.server, default: 0] += 1
            answers.append(answer)
        } else if droppedBy[answer.server] != nil || droppedBy.count < limit.namedDropServers {
            droppedBy[answer.server, default: 0] += 1
        } else {
            droppedOthers += 1
        }
    }

    /// The dropped answers by server, most first (ties by name), then the unnamed rest.
    package var dropped: [DHCPDroppedAnswers] {
        droppedBy.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
            DHCPDroppedAnswers(server: $0.key, count: $0.value)
        } + (droppedOthers > 0 ? [DHCPDroppedAnswers(server: nil, count: droppedOthers)] : [])
    }
}

/// What the phone's DHCP questions brought back, and what is wrong with it.
public struct DHCPExchange: Sendable {
    /// The vendor class (option 60) a Lync phone sends to get option 43 (`MS-UC-Client`).
    public static let ucVendorClass = "MS-UC-Client"
    /// The vendor class (option 60) a Lync phone sends to learn its voice VLAN (`CPE-OCPHONE`).
    public static let vlanVendorClass = "CPE-OCPHONE"
    /// Options 1, 3, 6, 15, 42, 43, 119 and 120, as the phone asks for them.
    public static let requestedOptions: [UInt8] = [1, 3, 6, 15, 42, 43, 119, 120]

    /// The interface the INFORMs were sent on, when known.
    public let interface: String?
    /// The address the INFORMs were sent from (dotted IPv4), when known.
    public let clientAddress: String?
    /// The answers kept, in the order they arrived: at most the limit's per server and in all.
    public let answers: [DHCPAnswer]
    /// The answers dropped over the limit, by server (most first).
    public let dropped: [DHCPDroppedAnswers]

    /// How many answers were dropped in all.
    public var droppedCount: Int { dropped.reduce(0) { $0 + $1.count } }

    /// The answers to one round of INFORMs, kept within `limit` (the first ones of each server).
    /// - Parameters:
    ///   - interface: The interface the INFORMs were sent on.
    ///   - clientAddress: The address they were sent from.
    ///   - answers: Every answer, in arrival order.
    ///   - limit: How many are kept per server and in all.
    public init(interface: String?, clientAddress: String?, answers: [DHCPAnswer], limit: DHCPAnswerLimit = DHCPAnswerLimit()) {
        var collector = DHCPAnswerCollector(limit: limit)
        for answer in answers { collector.add(answer) }
        self.init(interface: interface, clientAddress: clientAddress, collector: collector)
    }

    /// The answers a collector kept and the count of those it dropped.
    package init(interface: String?, clientAddress: String?, collector: DHCPAnswerCollector) {
        self.interface = interface
        self.clientAddress = clientAddress
        answers = collector.answers
        dropped = collector.dropped
    }

    /// The answer the phone uses: the first answer to its MS-UC-Client INFORM that carries an FQDN
    /// (option 120 names), else the first answer to it (seeds/lync2010-dhcp-troubleshooting.txt l.7).
    public var phoneAnswer: DHCPAnswer? {
        let uc = answers.filter { $0.vendorClass == Self.ucVendorClass }
        return uc.first { $0.options.registrarEncoding == .names && !$0.options.registrars.isEmpty } ?? uc.first
    }

    /// What is wrong for the phone: the checks of ``phoneAnswer``'s options (43 and 120 and 15 missing among them),
    /// option 43 sent to clients without a vendor class, several servers answering `MS-UC-Client`; `dhcp-no-answer`
    /// when there is no answer to use.
    public var findings: [Finding] {
        guard let answer = phoneAnswer else {
            return [
                DHCPOptionsReport.finding(.dhcpNoAnswer, .error, .dhcp(.dhcpServers(servers: answers.map(\.server), used: nil)))
            ]
        }
        var findings = answer.options.findings + DHCPOptionsReport.checkProvisioning(answer.options.provisioning)
        if answer.options.registrars.isEmpty && answer.options.registrarEncoding == nil {
            findings.append(
                DHCPOptionsReport.finding(.dhcpOption120Missing, .warning, .dhcp(.dhcpOption(option: 120, raw: nil, decoded: []))))
        }
        if answer.options.domainName == nil {
            findings.append(
                DHCPOptionsReport.finding(
                    .dhcpOption15Missing, .warning, .dhcp(.dhcpOption(option: 15, raw: answer.message.options[15], decoded: []))))
        }
        let leaks = answers.filter { $0.vendorClass == nil && $0.message.options[43] != nil }
        if let leak = leaks.first {
            findings.append(
                DHCPOptionsReport.finding(.dhcpOption43ScopeLevel, .warning, .dhcp(.dhcpServers(servers: [leak.server], used: nil))))
        }
        if Set(answers.filter { $0.vendorClass == Self.ucVendorClass }.map(\.server)).count > 1 {
            let servers = answers.filter { $0.vendorClass == Self.ucVendorClass }.map(\.server)
            findings.append(
                DHCPOptionsReport.finding(.dhcpSeveralServers, .warning, .dhcp(.dhcpServers(servers: servers, used: answer.server))))
        }
        return findings
    }
}
