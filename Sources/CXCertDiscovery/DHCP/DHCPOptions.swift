import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every option the phone depends on, decoded, with what is wrong in them.
public struct DHCPOptionsReport: Sendable {
    /// How option 119 (the domain search list) was written.
    public enum SearchEncoding: String, Sendable, Codable {
        /// RFC 3397 DNS labels (dnsmasq, Kea, Windows Server 2012 and later).
        case rfc3397
        /// The Windows Server 2003 recipe of the vendor guide: one ASCII string, domains separated by ';'.
        case windowsString = "windows-2003-string"
    }

    /// How option 120 (the SIP servers) was written (RFC 3361's encoding byte).
    public enum RegistrarEncoding: String, Sendable, Codable {
        /// Encoding 0: DNS names.
        case names
        /// Encoding 1: IPv4 addresses, which the phones cannot use.
        case ipv4
    }

    /// Option 1: the subnet mask, dotted.
    public let subnetMask: String?
    /// Option 3: the routers.
    public let routers: [String]
    /// Option 6: the DNS servers.
    public let dnsServers: [String]
    /// Option 4: the RFC 868 time servers.
    public let timeServers: [String]
    /// Option 42: the NTP servers.
    public let ntpServers: [String]
    /// Option 15: the DNS domain name, lowercased without a trailing dot; `nil` when absent or not a domain name.
    public let domainName: String?
    /// Option 119: the search domains.
    public let searchDomains: [String]
    /// How option 119 was written; `nil` when absent or unreadable.
    public let searchEncoding: SearchEncoding?
    /// Option 120: the SIP server names or addresses.
    public let registrars: [String]
    /// How option 120 was written; `nil` when absent or unreadable.
    public let registrarEncoding: RegistrarEncoding?
    /// Option 43 read as `MS-UC-Client` sub-options; `nil` when absent.
    public let provisioning: UCProvisioning?
    /// Options that arrived in several instances and were joined (RFC 3396).
    public let splitOptions: [Int]
    /// What is wrong in these options on their own (malformed values, the Windows 2003 option 119 string,
    /// option 120 with addresses or more than two names); option 43's checks are ``checkProvisioning(_:)``'s.
    public let findings: [Finding]

    static func finding(_ code: FindingCode, _ severity: Severity, _ detail: FindingDetail) -> Finding {
        Finding(code: code, severity: severity, detail: detail, client: .anyPhone, vocabulary: .plain)
    }

    static func addresses(_ data: [UInt8]?) -> [String] {
        guard let data, data.count % 4 == 0 else { return [] }
        return stride(from: 0, to: data.count, by: 4).map { data[$0..<$0 + 4].map(String.init).joined(separator: ".") }
    }

    /// Four bytes whose bits are ones and then only zeros.
    static func isSubnetMask(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 4 else { return false }
        let mask = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return mask & (~mask >> 1) == 0
    }

    /// Decodes the options of one answer to `vendorClass` (nil: an INFORM sent without option 60).
    public init(options: [UInt8: [UInt8]], instances: [UInt8: Int] = [:]) {
        var findings: [Finding] = []
        // Why the bytes do not decode is worded from them (DHCPFacts.malformation).
        func malformed(_ code: UInt8) {
            findings.append(
                Self.finding(.dhcpMalformedOption, .error, .dhcp(.dhcpOption(option: Int(code), raw: options[code], decoded: []))))
        }
        // Option 1 is four bytes and a mask: ones, then zeros (RFC 950); anything else is not one.
        subnetMask = options[1].flatMap { Self.isSubnetMask($0) ? Self.addresses($0).first : nil }
        if options[1] != nil, subnetMask == nil { malformed(1) }
        routers = Self.addresses(options[3])
        for code: UInt8 in [3, 4, 6, 42] where options[code].map({ $0.count % 4 != 0 }) == true {
            malformed(code)
        }
        dnsServers = Self.addresses(options[6])
        timeServers = Self.addresses(options[4])
        ntpServers = Self.addresses(options[42])
        // Option 15: NVT ASCII; a trailing NUL is tolerated (RFC 2132 §3.17 receivers).
        if let data = options[15] {
            var bytes = data
            while bytes.last == 0 { bytes.removeLast() }
            let name = String(decoding: bytes, as: UTF8.self).lowercased()
            if BootInputs.isDomainName(name.trimming(".")) {
                domainName = name.trimming(".")
            } else {
                domainName = nil
                malformed(15)
            }
        } else {
            domainName = nil
        }
        // Option 119: RFC 3397 labels, or the Windows-2003 string form.
        if let data = options[119] {
            if let decoded = DNSNameList.decode(data), decoded.names.allSatisfy({ BootInputs.isDomainName($0) }) {
                searchDomains = decoded.names
                searchEncoding = .rfc3397
            } else if data.allSatisfy({ (0x20..<0x7F).contains($0) || $0 == 0 }) {
                let text = String(decoding: data.filter { $0 != 0 }, as: UTF8.self)
                let names = text.split(whereSeparator: { ";, ".contains($0) }).map { $0.lowercased() }
                searchDomains = names.filter { BootInputs.isDomainName($0) }
                searchEncoding = .windowsString
                findings.append(
                    Self.finding(.dhcpOption119WindowsString, .warning, .dhcp(.dhcpOption(option: 119, raw: data, decoded: searchDomains))))
            } else {
                searchDomains = []
                searchEncoding = nil
                malformed(119)
            }
        } else {
            searchDomains = []
            searchEncoding = nil
        }
        // Option 120 (RFC 3361): encoding 0 = names, 1 = IPv4 addresses.
        if let data = options[120], data.isEmpty {
            registrars = []
            registrarEncoding = nil
            malformed(120)
        } else if let data = options[120], let encoding = data.first {
            let rest = Array(data.dropFirst())
            switch encoding {
            case 0:
                if let decoded = DNSNameList.decode(rest), decoded.names.allSatisfy({ BootInputs.isDomainName($0) }) {
                    registrars = decoded.names
                    registrarEncoding = .names
                    if decoded.names.count > 2 {
                        findings.append(
                            Self.finding(
                                .dhcpOption120TooMany, .warning, .dhcp(.dhcpOption(option: 120, raw: data, decoded: decoded.names))))
                    }
                } else {
                    registrars = []
                    registrarEncoding = nil
                    malformed(120)
                }
            case 1 where rest.isEmpty || rest.count % 4 != 0:
                // A cut address list is malformed, not an empty list of registrars.
                registrars = []
                registrarEncoding = nil
                malformed(120)
            case 1:
                registrars = Self.addresses(rest)
                registrarEncoding = .ipv4
                findings.append(
                    Self.finding(.dhcpOption120Address, .error, .dhcp(.dhcpOption(option: 120, raw: data, decoded: registrars))))
            default:
                registrars = []
                registrarEncoding = nil
                malformed(120)
            }
        } else {
            registrars = []
            registrarEncoding = nil
        }
        provisioning = options[43].map(UCProvisioning.init)
        splitOptions = instances.filter { $0.value > 1 }.map { Int($0.key) }.sorted()
        self.findings = findings
    }

    /// The checks of option 43 for the answer the phone uses (vendor class MS-UC-Client).
    public static func checkProvisioning(_ provisioning: UCProvisioning?) -> [Finding] {
        guard let provisioning else {
            return [
                finding(
                    .dhcpOption43Missing, .error, .dhcp(.provisioning(nil, subOption: nil, missing: [1, 2, 3, 4, 5], expectedWebFQDN: nil)))
            ]
        }
        var findings: [Finding] = []
        if let cut = provisioning.truncatedSubOption {
            findings.append(
                finding(
                    .dhcpOption43Truncated, .error, .dhcp(.provisioning(provisioning, subOption: cut, missing: [], expectedWebFQDN: nil))))
        }
        if let identifier = provisioning.identifier, identifier != "MS-UC-Client" {
            findings.append(
                finding(
                    .dhcpOption43Identifier, .error, .dhcp(.provisioning(provisioning, subOption: 1, missing: [], expectedWebFQDN: nil))))
        }
        let missing =
            [(1, provisioning.identifier), (2, provisioning.scheme), (3, provisioning.webFQDN), (5, provisioning.path)]
            .filter { $0.1 == nil }.map(\.0) + (provisioning.portEncoding == .missing ? [4] : [])
        if !missing.isEmpty, provisioning.truncatedSubOption == nil {
            findings.append(
                finding(
                    .dhcpOption43Incomplete, .error,
                    .dhcp(.provisioning(provisioning, subOption: nil, missing: missing.sorted(), expectedWebFQDN: nil))))
        }
        if provisioning.portEncoding == .binary {
            findings.append(
                finding(
                    .dhcpOption43BinaryPort, .warning, .dhcp(.provisioning(provisioning, subOption: 4, missing: [], expectedWebFQDN: nil))))
        }
        if provisioning.portEncoding == .invalid {
            findings.append(
                finding(
                    .dhcpOption43Incomplete, .error, .dhcp(.provisioning(provisioning, subOption: 4, missing: [], expectedWebFQDN: nil))))
        }
        // The phone builds <2>://<3>:<4><5> (DHCPUtil's output); the sources give only https (phone-discovery B1).
        if let scheme = provisioning.scheme, scheme != "https" {
            findings.append(
                finding(
                    .dhcpOption43Incomplete, .error, .dhcp(.provisioning(provisioning, subOption: 2, missing: [], expectedWebFQDN: nil))))
        }
        if let fqdn = provisioning.webFQDN, !BootInputs.isDomainName(fqdn) {
            findings.append(
                finding(
                    .dhcpOption43Incomplete, .error, .dhcp(.provisioning(provisioning, subOption: 3, missing: [], expectedWebFQDN: nil))))
        }
        return findings
    }
}
