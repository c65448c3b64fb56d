import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The words of DHCP findings: the message and the remedy, from the facts.
extension DHCPFacts {
    /// One sentence saying what is wrong.
    public func message(for finding: Finding) -> String {
        switch (finding.code, self) {
        case (.dhcpMalformedOption, .dhcpOption(let option, let raw, _)):
            return "Option \(option): \(Self.malformation(option: option, raw: raw ?? []))."
        case (.dhcpOption119WindowsString, .dhcpOption(_, let raw, _)):
            return
                "Option 119 is the Windows Server 2003 string '\(String(decoding: (raw ?? []).filter { $0 != 0 }, as: UTF8.self))', not RFC 3397 labels; which form the phones read is not known."
        case (.dhcpOption120TooMany, .dhcpOption(_, _, let decoded)):
            return "Option 120 lists \(decoded.count) registrars; the phones try at most two (Lync 2010 DHCP troubleshooting)."
        case (.dhcpOption120Address, .dhcpOption(_, _, let decoded)):
            return
                "Option 120 gives the registrar as an IPv4 address (\(decoded.joined(separator: ", "))); the phone connects over TLS and needs a name to check the certificate."
        case (.dhcpOption120Missing, _):
            return
                "No option 120: the phone finds its registrar only through DNS (and, per Microsoft, may authenticate but not begin SIP communications)."
        case (.dhcpOption15Missing, _):
            return "No option 15: the phone has no DHCP domain for ucupdates-r2 and the DC locator."
        case (_, .provisioning(nil, _, _, _)):
            return
                "No option 43 for vendor class MS-UC-Client: Aries phones that sign in by PIN cannot find the Certificate Provisioning service, and so no root."
        case (_, .provisioning(let option43?, let subOption, let missing, let expected)):
            switch finding.code {
            case .dhcpOption43Truncated:
                let router =
                    option43.length == 90
                    ? " The option is exactly 90 bytes (180 hex digits): the limit of Cisco IOS 'option 43 hex'." : ""
                return
                    "Option 43 is cut inside sub-option \(option43.truncatedSubOption ?? subOption ?? 0) (\(option43.length) bytes in all).\(router)"
            case .dhcpOption43Identifier:
                return "Option 43 sub-option 1 is '\(option43.identifier ?? "")', not 'MS-UC-Client' (case-sensitive)."
            case .dhcpOption43BinaryPort:
                return
                    "Option 43 sub-option 4 sends the port as a 2-byte integer (\(option43.port ?? 0)), not the text DHCPUtil writes ('443'); how the phone reads it is not known."
            case .dhcpOption43WebFQDN:
                let given = option43.webFQDN ?? "?"
                return
                    "Option 43 names the web services \(given), but the deployment's are \(expected ?? "?"); the phone fetches its root chain from \(given)."
            default:
                if !missing.isEmpty {
                    return
                        "Option 43 lacks sub-option\(missing.count == 1 ? "" : "s") \(missing.sorted().map(String.init).joined(separator: ", ")), so the phone cannot build the Certificate Provisioning URL."
                }
                if subOption == 4 { return "Option 43 sub-option 4 is not a port." }
                if subOption == 2 {
                    return
                        "Option 43 sub-option 2 (URL scheme) is '\(option43.scheme ?? "")'; the sources give only 'https' (DHCPUtil, the vendor guides), and how the phone treats another scheme is not documented."
                }
                return "Option 43 sub-option 3 '\(option43.webFQDN ?? "")' is not a host name."
            }
        case (.dhcpNoAnswer, .dhcpServers(let servers, _)):
            return servers.isEmpty
                ? "No DHCP server answered the phone's DHCPINFORM (vendor class MS-UC-Client)."
                : "DHCP servers answered, but not the INFORM with vendor class MS-UC-Client."
        case (.dhcpOption43ScopeLevel, .dhcpServers(let servers, _)):
            return
                "\(servers.joined(separator: ", ")) sends option 43 to a client that gave no vendor class: it is set for the whole scope, and every client on it receives the phones' values."
        case (_, .dhcpServers(let servers, let used)):
            return
                "\(servers.count) servers answered (\(servers.joined(separator: ", "))); the phone uses \(used ?? "the first")'s answer and ignores the others."
        case (_, .registrarMismatch(let option120, let srv, let targets)):
            return "DHCP option 120 names \(option120.joined(separator: ", ")) but \(srv) points to \(targets.joined(separator: ", "))."
        default:
            return "\(finding.code.rawValue)."
        }
    }

    /// The fix, specific enough to act on.
    public func remedy(for finding: Finding) -> String {
        switch (finding.code, self) {
        case (.dhcpMalformedOption, .dhcpOption(let option, _, _)):
            return "Correct option \(option) in the DHCP server's configuration."
        case (.dhcpOption119WindowsString, _):
            return
                "Send option 119 in RFC 3397 form (the built-in option of Windows Server 2012 and later, dnsmasq's or Kea's domain-search)."
        case (.dhcpOption120TooMany, _):
            return "List at most two registrar pool FQDNs in option 120."
        case (.dhcpOption120Address, _):
            return "Send the registrar pool's FQDN in option 120 (encoding 0), as DHCPUtil -SipServer <pool FQDN> computes it."
        case (.dhcpOption120Missing, _):
            return "Send the registrar pool FQDN in option 120 (encoding 0)."
        case (.dhcpOption15Missing, _):
            return "Send option 15 with the Active Directory domain that holds ucupdates-r2."
        case (.dhcpOption43Missing, _):
            return
                "Configure option 43 for vendor class MS-UC-Client with sub-options 1-5 (DHCPUtil.exe -SipServer <pool> -WebServer <web FQDN> computes them)."
        case (.dhcpOption43Truncated, _):
            return "Send the whole option (on Cisco IOS XE 'option ext 43 hex', up to 255 bytes), or shorten the web services FQDN."
        case (.dhcpOption43Identifier, _):
            return "Set sub-option 1 (UC Identifier) to the 12 bytes 'MS-UC-Client'."
        case (.dhcpOption43BinaryPort, _):
            return "Send sub-option 4 as ASCII text: 34:34:33 for 443."
        case (.dhcpOption43WebFQDN, .provisioning(_, _, _, let expected)):
            return
                "Put the internal web services FQDN (\(expected ?? "?")) in option 43 sub-option 3, not a meeting URL or another pool's name."
        case (_, .provisioning(_, let subOption, let missing, _)):
            if !missing.isEmpty {
                return
                    "Send all five sub-options (1 UC identifier, 2 URL scheme, 3 web services FQDN, 4 port as text, 5 /CertProv/CertProvisioningService.svc)."
            }
            if subOption == 4 { return "Send sub-option 4 as ASCII text: 34:34:33 for 443." }
            return "Send the internal web services FQDN in sub-option 3."
        case (.dhcpNoAnswer, _):
            return
                "Make a DHCP server (or the Lync registrar's DHCP component) answer DHCPINFORM on this network, or relay it (ip helper-address)."
        case (.dhcpOption43ScopeLevel, _):
            return
                "Set option 43 for vendor class MS-UC-Client only (a Windows vendor class, dnsmasq 'vendor:MS-UC-Client', a Kea client class)."
        case (_, .dhcpServers):
            return "Make every server that answers the phones give the same options, or leave only one."
        case (_, .registrarMismatch):
            return "Make option 120 and the SRV record name the same registrar pool."
        default:
            return "See the message."
        }
    }

    /// Why a DHCP option's bytes do not decode, from the option's rules.
    private static func malformation(option: Int, raw: [UInt8]) -> String {
        switch option {
        case 15:
            var bytes = raw
            while bytes.last == 0 { bytes.removeLast() }
            return "'\(printableASCII(bytes))' is not a domain name"
        case 119: return "neither RFC 3397 names nor a string"
        case 120:
            guard let encoding = raw.first else { return "empty (RFC 3361 needs an encoding byte and a value)" }
            if encoding == 0 { return "the names are not valid RFC 1035 labels" }
            if encoding == 1 { return "\(raw.count - 1) bytes after encoding 1 is not a list of IPv4 addresses" }
            return "encoding byte \(encoding) (RFC 3361 defines 0 and 1)"
        case 1: return "\(raw.count) bytes \(raw.count == 4 ? "is not a subnet mask (ones, then zeros)" : "is not a 4-byte subnet mask")"
        default: return "\(raw.count) bytes is not a list of IPv4 addresses"
        }
    }
}
