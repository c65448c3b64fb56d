#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which rules decide whether a certificate covers a host name.
public enum NameRules: Sendable, Hashable {
    /// Lync/OCS Phone Edition: exact, case-insensitive DNS names from the SAN; no wildcards; the subject
    /// CN only when the device data says the firmware uses it.
    case phone(matchesSubjectCN: Bool)
    /// RFC 6125 as a modern client applies it: SAN only, a wildcard only as the whole left-most label,
    /// never over an IDN A-label or a public suffix of one label, IP addresses only against IP SANs.
    case rfc6125
}

/// Whether and how one host name is covered.
public struct NameMatch: Sendable, Hashable {
    /// How a host name relates to the certificate's names under the rules.
    public enum Outcome: Sendable, Hashable {
        /// Covered by this SAN (or CN) entry.
        case covered(by: String)
        /// Only a wildcard entry would cover it, and these rules refuse wildcards.
        case onlyWildcard(String)
        /// Only the subject CN has it, and these rules do not use the CN.
        case onlyCommonName
        /// No entry covers it.
        case notCovered
    }
    /// The host name asked about, as given.
    public let host: String
    /// Whether and how it is covered.
    public let outcome: Outcome

    /// True when an entry covers the host under the rules.
    public var isCovered: Bool { if case .covered = outcome { true } else { false } }
}

/// Host-name matching for server certificates.
public enum HostnameMatcher {
    /// Lower-cased, without one trailing dot: how both sides are compared.
    /// A U-label name becomes its A-labels, so `bücher.contoso.com` meets the SAN's `xn--bcher-kva.contoso.com`.
    static func normalize(_ name: String) -> String {
        if !name.allSatisfy(\.isASCII), let ascii = try? DomainName.aLabels(name) { return ascii }
        var name = name.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The canonical text of an IP address, or nil when `text` is not one.
    public static func ipAddress(_ text: String) -> String? {
        // `[::1]`, as a URL or HOST:PORT writes an IPv6 literal.
        let text = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { ipAddressText(Array($0)) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { ipAddressText(Array($0)) } }
        return nil
    }

    /// Whether `certificate`'s subjectAltName (and CN, when the rules use it) covers `host`.
    /// - Parameters:
    ///   - host: A DNS name or IP address, as the client connects to it.
    ///   - certificate: The server certificate.
    ///   - rules: The phone's rules or RFC 6125's.
    /// - Returns: The match, with the entry that covers the host or why none does.
    public static func match(_ host: String, certificate: Certificate, rules: NameRules) -> NameMatch {
        match(
            host, dnsNames: certificate.dnsNames,
            ipAddresses: certificate.subjectAlternativeNames.compactMap { if case .ip(let value) = $0 { value } else { nil } },
            commonNames: certificate.subject.values(of: "CN"), rules: rules)
    }

    /// Matching on the names alone (what a certificate's SAN and CN hold).
    public static func match(
        _ host: String, dnsNames: [String], ipAddresses: [String] = [], commonNames: [String] = [], rules: NameRules
    ) -> NameMatch {
        let wanted = normalize(host)
        // An IP literal is matched only against IP SAN entries (never as a DNS name or the CN).
        if let ip = ipAddress(wanted) {
            let covered = ipAddresses.contains { ipAddress($0) == ip }
            return NameMatch(host: host, outcome: covered ? .covered(by: "IP:\(ip)") : .notCovered)
        }
        if let exact = dnsNames.first(where: { normalize($0) == wanted }) {
            return NameMatch(host: host, outcome: .covered(by: "DNS:\(exact)"))
        }
        let wildcard = dnsNames.first { wildcardMatches($0, wanted) }
        let inCommonName = commonNames.contains { normalize($0) == wanted }
        switch rules {
        case .rfc6125:
            if let wildcard { return NameMatch(host: host, outcome: .covered(by: "DNS:\(wildcard)")) }
            return NameMatch(host: host, outcome: inCommonName ? .onlyCommonName : .notCovered)
        case .phone(let matchesSubjectCN):
            if let wildcard { return NameMatch(host: host, outcome: .onlyWildcard(wildcard)) }
            if inCommonName {
                return NameMatch(host: host, outcome: matchesSubjectCN ? .covered(by: "CN") : .onlyCommonName)
            }
            return NameMatch(host: host, outcome: .notCovered)
        }
    }

    /// RFC 6125 §6.4.3 as browsers apply it: `*` is the whole left-most label and stands for exactly one
    /// non-empty label; at least two labels follow it; the host's label is not an IDN A-label.
    static func wildcardMatches(_ pattern: String, _ host: String) -> Bool {
        let pattern = normalize(pattern)
        guard pattern.hasPrefix("*.") else { return false }
        let patternLabels = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let hostLabels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard patternLabels.count >= 3, hostLabels.count == patternLabels.count,
            patternLabels.dropFirst().allSatisfy({ !$0.isEmpty && !$0.contains("*") })
        else { return false }
        let first = hostLabels[0]
        guard !first.isEmpty, !first.hasPrefix("xn--") else { return false }
        return hostLabels.dropFirst().elementsEqual(patternLabels.dropFirst())
    }
}
