import CXCertCore
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A host and port, as DHCP options and the command line give them (`HOST[:PORT]`).
public struct Endpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The DNS name or IP address, lowercased.
    public let host: String
    /// The port.
    public let port: Int

    /// An endpoint; neither value is checked here (``init(parsing:defaultPort:)`` checks them).
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port` or `[v6]:port`; the host must be a valid DNS name or an IP address.
    public init(parsing text: String, defaultPort: Int) throws(BootError) {
        guard let target = try? ProbeTarget(parsing: text, defaultPort: defaultPort) else {
            throw .invalidValue(text, expected: "HOST[:PORT]")
        }
        let host = target.host.lowercased().trimming(".")
        guard HostnameMatcher.ipAddress(host) != nil || BootInputs.isDomainName(host) else {
            throw .invalidValue(text, expected: "a DNS name or an IP address")
        }
        self.init(host: host, port: target.port)
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a boot replay could not start.
public enum BootError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A value is malformed: the text given and what was expected instead.
    case invalidValue(String, expected: String)
    /// A required input was not given; the text names it.
    case missing(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .invalidValue(let text, let expected): "'\(text)' is not \(expected)"
        case .missing(let what): "\(what) is required"
        }
    }
}

/// What a phone knows or is told before it starts its walk: the values DHCP gives it, the user's sign-in,
/// and where it asks DNS and NTP. Names are lower-cased and checked when set.
public struct BootInputs: Sendable, Hashable, Codable {
    /// The right side of the sign-in address.
    public var sipDomain: String
    /// DHCP option 15.
    public var dhcpDomain: String?
    /// DHCP option 119, in order.
    public var searchDomains: [String]
    /// The right side of the primary e-mail address (Exchange autodiscover).
    public var smtpDomain: String?
    /// `DOMAIN\alias` (NetBIOS sign-in) or nil.
    public var user: String?
    /// `alias@domain` (UPN sign-in) or nil.
    public var upn: String?
    /// The internal web services FQDN (DHCP option 43 sub-option 3), port 443 by default.
    public var webServices: Endpoint?
    /// DHCP option 120 names, port 5061 by default.
    public var registrars: [Endpoint]
    /// DHCP option 6: the servers the phone asks, in order.
    public var dnsServers: [DNSServer]
    /// DHCP option 42 (port 123 by default).
    public var ntpServers: [Endpoint]

    /// Inputs with every name checked and lowercased (internationalized names in their ASCII form).
    /// - Parameters:
    ///   - sipDomain: The right side of the sign-in address.
    ///   - dhcpDomain: DHCP option 15.
    ///   - searchDomains: DHCP option 119, in order.
    ///   - smtpDomain: The right side of the primary e-mail address (Exchange autodiscover).
    ///   - user: `DOMAIN\alias`, for a NetBIOS sign-in.
    ///   - upn: `alias@domain`, for a UPN sign-in.
    ///   - webServices: DHCP option 43's internal web services endpoint.
    ///   - registrars: DHCP option 120's names.
    ///   - dnsServers: DHCP option 6: the DNS servers the phone asks, in order.
    ///   - ntpServers: DHCP option 42's time servers.
    /// - Throws: ``BootError/invalidValue(_:expected:)`` when a domain, `user` or `upn` is malformed.
    public init(
        sipDomain: String, dhcpDomain: String? = nil, searchDomains: [String] = [], smtpDomain: String? = nil, user: String? = nil,
        upn: String? = nil, webServices: Endpoint? = nil, registrars: [Endpoint] = [], dnsServers: [DNSServer] = [],
        ntpServers: [Endpoint] = []
    ) throws(BootError) {
        self.sipDomain = try Self.domain(sipDomain, what: "the SIP domain")
        self.dhcpDomain = try dhcpDomain.map { name throws(BootError) in try Self.domain(name, what: "the DHCP domain") }
        var search: [String] = []
        for name in searchDomains { search.append(try Self.domain(name, what: "a search domain")) }
        self.searchDomains = search
        self.smtpDomain = try smtpDomain.map { name throws(BootError) in try Self.domain(name, what: "the SMTP domain") }
        if let user {
            let parts = user.split(separator: "\\", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, Self.isDomainName(parts[0].lowercased()) else {
                throw .invalidValue(user, expected: "DOMAIN\\alias")
            }
        }
        var signIn = upn
        if let upn {
            let parts = upn.split(separator: "@", omittingEmptySubsequences: false)
            // The domain is read as --sip-domain is: a trailing dot and U-labels are allowed, upper case is lowered.
            guard parts.count == 2, !parts[0].isEmpty, let domain = try? Self.domain(String(parts[1]), what: "the UPN's domain")
            else {
                throw .invalidValue(upn, expected: "alias@domain")
            }
            signIn = "\(parts[0])@\(domain)"
        }
        // Option 42, like option 6, carries addresses: a name would need a resolver the phone has not got yet.
        for server in ntpServers where HostnameMatcher.ipAddress(server.host) == nil {
            throw .invalidValue(server.description, expected: Endpoint.ntpServerExpectation)
        }
        self.user = user
        self.upn = signIn
        self.webServices = webServices
        self.registrars = registrars
        self.dnsServers = dnsServers
        self.ntpServers = ntpServers
    }

    static func domain(_ text: String, what: String) throws(BootError) -> String {
        // U-labels become A-labels: DNS is asked, and certificates are matched, in the ASCII form.
        let ascii = text.allSatisfy(\.isASCII) ? text : ((try? DomainName.aLabels(text)) ?? text)
        let name = ascii.lowercased().trimming(".")
        guard isDomainName(name) else { throw .invalidValue(text, expected: "\(what) (a DNS name such as contoso.com)") }
        return name
    }

    /// LDH labels of 1-63 characters (underscores allowed, as in SRV owner names), 253 characters at most.
    static func isDomainName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count)
                && label.utf8.allSatisfy { byte in
                    (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
                        || byte == 0x5F
                } && !label.hasPrefix("-") && !label.hasSuffix("-")
        }
    }

    /// The facts of a `dc-not-found` for this sign-in: for `DOMAIN\alias`, the option 119 suffix that would complete
    /// the NetBIOS name into an Active Directory domain the phone did not reach (CX700 guide l.1128-1145: the phone
    /// asks `_ldap._tcp.dc._msdcs.` the NetBIOS name, then it with option 15, then with each option 119 suffix).
    /// - Parameters:
    ///   - tried: The build's DC locator templates.
    ///   - adDomains: The Active Directory DNS domains, when known (the deployment's); nil to take option 15.
    ///   - directoryGiven: Whether the directory was given (`--ad`).
    ///   - roots: The roots in Active Directory the phone cannot download; nil when unknown.
    /// - Returns: A detail carrying ``WalkFacts/dcLocator(tried:domains:netbios:adDomains:missingSuffix:directoryGiven:roots:)``.
    public func dcNotFound(tried: [LookupStep], adDomains: [String]?, directoryGiven: Bool, roots: Int?) -> FindingDetail {
        let netbios = user?.split(separator: "\\").first.map { $0.lowercased() }
        let known = (adDomains ?? [dhcpDomain].compactMap { $0 }).map { $0.lowercased() }
        let asked = userDomains
        let missing = netbios.flatMap { name in
            known.first { $0.hasPrefix(name + ".") && !asked.contains($0) }.map { String($0.dropFirst(name.count + 1)) }
        }
        return .walk(
            .dcLocator(
                tried: tried, domains: asked, netbios: netbios, adDomains: known, missingSuffix: missing, directoryGiven: directoryGiven,
                roots: roots))
    }

    /// The domains a sign-in's DC lookup uses (seed 000 l.1130-1142): for `NETBIOS\alias` the NetBIOS name,
    /// then NETBIOS.<option 15>, then NETBIOS.<each option 119 domain>; for a UPN its suffix; else option 15.
    public var userDomains: [String] {
        if let user, let netbios = user.split(separator: "\\").first.map({ $0.lowercased() }) {
            return [netbios] + ([dhcpDomain].compactMap { $0 } + searchDomains).map { "\(netbios).\($0)" }
        }
        if let upn, let suffix = upn.split(separator: "@").last { return [suffix.lowercased()] }
        return dhcpDomain.map { [$0] } ?? []
    }
}

extension BootInputs {
    /// These inputs with every value the DHCP answer gives replaced by it: option 15, 119, 6, 42, the option
    /// 120 names and the web services of option 43 (what the phone itself would use).
    public func overriding(with dhcp: DHCPOptionsReport) -> BootInputs {
        var inputs = self
        if let domain = dhcp.domainName { inputs.dhcpDomain = domain }
        if !dhcp.searchDomains.isEmpty { inputs.searchDomains = dhcp.searchDomains }
        if !dhcp.dnsServers.isEmpty { inputs.dnsServers = dhcp.dnsServers.map { DNSServer(address: $0) } }
        if !dhcp.ntpServers.isEmpty { inputs.ntpServers = dhcp.ntpServers.map { Endpoint(host: $0, port: 123) } }
        if dhcp.registrarEncoding == .names, !dhcp.registrars.isEmpty {
            inputs.registrars = dhcp.registrars.map { Endpoint(host: $0, port: 5061) }
        }
        if let provisioning = dhcp.provisioning, let host = provisioning.webFQDN, Self.isDomainName(host) {
            inputs.webServices = Endpoint(host: host, port: provisioning.port ?? 443)
        }
        return inputs
    }
}
