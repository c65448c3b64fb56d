import CXCertCore
import Foundation

/// One server's answer to one of the phone's DHCPINFORMs.
public struct DHCPAnswer: Sendable {
    /// The server identifier (option 54), else the address the answer came from.
    public let server: String
    /// The vendor class the INFORM carried (`MS-UC-Client`, `CPE-OCPHONE`, or nil for none).
    public let vendorClass: String?
    public let message: DHCPMessage
    public let options: DHCPOptionsReport
    /// Seconds after the INFORM was sent.
    public let elapsed: TimeInterval

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
    public static let ucVendorClass = "MS-UC-Client"
    public static let vlanVendorClass = "CPE-OCPHONE"
    /// Options 1, 3, 6, 15, 42, 43, 119 and 120, as the phone asks for them.
    public static let requestedOptions: [UInt8] = [1, 3, 6, 15, 42, 43, 119, 120]

    public let interface: String?
    public let clientAddress: String?
    /// Every answer, in the order they arrived.
    public let answers: [DHCPAnswer]

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
