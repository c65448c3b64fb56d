import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts behind a DHCP finding (`cxcert dhcp`, and the walk's DHCP step), typed: what a script acts on and all
/// that its wording (DHCPFindingWording.swift) needs. A finding carries them as ``/CXCertCore/FindingDetail/facts(_:)``.
public enum DHCPFacts: FindingFacts {
    /// A DHCP option as received (`raw`, null when absent) and as decoded.
    case dhcpOption(option: Int, raw: [UInt8]?, decoded: [String])
    /// Option 43 for MS-UC-Client as decoded (null when absent); `subOption` is the one at fault, `missing` the absent
    /// ones, `expectedWebFQDN` the deployment's web services.
    case provisioning(UCProvisioning?, subOption: Int?, missing: [Int], expectedWebFQDN: String?)
    /// The DHCP servers that answered (`used`: the one whose answer the phone takes).
    case dhcpServers(servers: [String], used: String?)
    /// Option 120 and the registrar SRV record name different pools.
    case registrarMismatch(option120: [String], srv: String, targets: [String])

    /// The `kind` key of the JSON.
    public var kind: String {
        switch self {
        case .dhcpOption: "dhcp-option"
        case .provisioning: "dhcp-option-43"
        case .dhcpServers: "dhcp-servers"
        case .registrarMismatch: "registrar-mismatch"
        }
    }

    /// `{"kind": ..., <the case's fields>}`, as every finding detail (documented in the README).
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: FindingDetailKey.self)
        try out.put("kind", kind)
        func put<Value: Encodable>(_ key: String, _ value: Value) throws { try out.put(key, value) }
        switch self {
        case .dhcpOption(let option, let raw, let decoded):
            try put("option", option)
            try put("raw", raw.map { hexString($0).lowercased() })
            try put("decoded", decoded)
        case .provisioning(let option43, let subOption, let missing, let expectedWebFQDN):
            try put("identifier", option43?.identifier)
            try put("scheme", option43?.scheme)
            try put("webFQDN", option43?.webFQDN)
            try put("port", option43?.port)
            try put("portEncoding", option43?.portEncoding)
            try put("path", option43?.path)
            try put("length", option43?.length)
            try put("truncatedSubOption", option43?.truncatedSubOption)
            try put("subOption", subOption)
            try put("missing", missing)
            try put("expectedWebFQDN", expectedWebFQDN)
        case .dhcpServers(let servers, let used):
            try put("servers", servers)
            try put("used", used)
        case .registrarMismatch(let option120, let srv, let targets):
            try put("option120", option120)
            try put("srv", srv)
            try put("targets", targets)
        }
    }
}

extension FindingDetail {
    /// DHCP facts as a finding's detail.
    public static func dhcp(_ facts: DHCPFacts) -> FindingDetail { .facts(AnyFindingFacts(facts)) }

    /// The DHCP facts this detail carries; nil for other facts.
    public var dhcpFacts: DHCPFacts? { if case .facts(let facts) = self { facts.base as? DHCPFacts } else { nil } }
}
