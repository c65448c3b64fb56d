/// A capability of a phone's firmware that the device data records per build, with the type its value has.
/// The keys of `Knowledge/devices.json` and `Knowledge/discovery.json`, and of `--capability KEY=VALUE`.
public enum Capability: String, CaseIterable, Sendable, Codable, Comparable {
    // Certificates and TLS (Knowledge/devices.json).
    /// What the build verifies: SHA-2 signatures, RSASSA-PSS, ECDSA (each a bool), and the largest RSA key in bits
    /// (`maxRSAKeyBits`, null when no limit is known).
    case sha2Signatures, rsassaPss, ecdsa, maxRSAKeyBits
    /// How names match: wildcard SAN entries, and the subject CN when no SAN entry matches (bools).
    case wildcardNames, subjectCNMatching
    /// Where roots come from: the built-in cache (bool), and the steps that download roots (`rootDiscovery`, a list
    /// such as `ad-certificationAuthority`).
    case builtInCache, rootDiscovery
    /// Device Update before sign-in: whether the build looks up `ucupdates-r2` (bool), and for which DHCP domains
    /// (`ucupdatesDomains`: `dhcp-option-15`, `dhcp-option-119`).
    case ucupdatesLookup, ucupdatesDomains
    /// TLS: the highest version (`"1.0"`) and the cipher suites the phone offers (a list of OpenSSL names).
    case maxTLSVersion, tlsCipherSuites
    // The discovery walk (Knowledge/discovery.json).
    /// The discovery walk: the registrar lookup order, strict DNS naming, the `<name>.<DHCP domain>` retry, the time
    /// sources, the DC locator and the autodiscover order (lists of lookup templates such as
    /// `srv-tls _sipinternaltls._tcp.{sip}`, or bools).
    case registrarLookup, strictDNSNaming, dnsSuffixRetry, timeSources, dcLocator, autodiscoverOrder

    /// The JSON type a capability's value has.
    public enum ValueType: String, Sendable {
        /// `true`/`false`, a string, or a list of strings.
        case bool, string, list
        /// A number, or null when no source gives one.
        case intOrNull = "int-or-null"
    }

    /// The JSON type this capability's value has.
    public var valueType: ValueType {
        switch self {
        case .sha2Signatures, .rsassaPss, .ecdsa, .wildcardNames, .subjectCNMatching, .builtInCache, .ucupdatesLookup,
            .strictDNSNaming, .dnsSuffixRetry:
            .bool
        case .maxRSAKeyBits: .intOrNull
        case .maxTLSVersion: .string
        case .rootDiscovery, .ucupdatesDomains, .tlsCipherSuites, .registrarLookup, .timeSources, .dcLocator, .autodiscoverOrder: .list
        }
    }

    /// Whether `value` has this capability's type (a single string counts as a one-item list).
    public func accepts(_ value: FactValue) -> Bool {
        switch (valueType, value) {
        case (.bool, .bool), (.string, .string), (.list, .list), (.list, .string), (.intOrNull, .int), (.intOrNull, .null): true
        default: false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
