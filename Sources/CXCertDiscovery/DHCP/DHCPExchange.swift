import CXCertCore
import Foundation

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
    /// Every answer, in the order they arrived.
    public let answers: [DHCPAnswer]

    /// The answers to one round of INFORMs.
    /// - Parameters:
    ///   - interface: The interface the INFORMs were sent on.
    ///   - clientAddress: The address they were sent from.
    ///   - answers: Every answer, in arrival order.
    public init(interface: String?, clientAddress: String?, answers: [DHCPAnswer]) {
        self.interface = interface
        self.clientAddress = clientAddress
        self.answers = answers
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
                DHCPOptionsReport.finding(.dhcpNoAnswer, .error, .dhcpServers(servers: answers.map(\.server), used: nil))
            ]
        }
        var findings = answer.options.findings + DHCPOptionsReport.checkProvisioning(answer.options.provisioning)
        if answer.options.registrars.isEmpty && answer.options.registrarEncoding == nil {
            findings.append(
                DHCPOptionsReport.finding(.dhcpOption120Missing, .warning, .dhcpOption(option: 120, raw: nil, decoded: [])))
        }
        if answer.options.domainName == nil {
            findings.append(
                DHCPOptionsReport.finding(
                    .dhcpOption15Missing, .warning, .dhcpOption(option: 15, raw: answer.message.options[15], decoded: [])))
        }
        let leaks = answers.filter { $0.vendorClass == nil && $0.message.options[43] != nil }
        if let leak = leaks.first {
            findings.append(
                DHCPOptionsReport.finding(.dhcpOption43ScopeLevel, .warning, .dhcpServers(servers: [leak.server], used: nil)))
        }
        if Set(answers.filter { $0.vendorClass == Self.ucVendorClass }.map(\.server)).count > 1 {
            let servers = answers.filter { $0.vendorClass == Self.ucVendorClass }.map(\.server)
            findings.append(
                DHCPOptionsReport.finding(.dhcpSeveralServers, .warning, .dhcpServers(servers: servers, used: answer.server)))
        }
        return findings
    }
}
