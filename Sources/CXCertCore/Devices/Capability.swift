/// A capability of a phone's firmware that the device data records per build, with the type its value has.
/// The keys of `Knowledge/devices.json` and `Knowledge/discovery.json`, and of `--capability KEY=VALUE`.
public enum Capability: String, CaseIterable, Sendable, Codable, Comparable {
    // Certificates and TLS (Knowledge/devices.json).
    case sha2Signatures, rsassaPss, ecdsa, maxRSAKeyBits
    case wildcardNames, subjectCNMatching
    case builtInCache, rootDiscovery
    case ucupdatesLookup, ucupdatesDomains
    case maxTLSVersion, tlsCipherSuites
    // The discovery walk (Knowledge/discovery.json).
    case registrarLookup, strictDNSNaming, dnsSuffixRetry, timeSources, dcLocator, autodiscoverOrder

    /// The JSON type a capability's value has.
    public enum ValueType: String, Sendable {
        case bool, string, list
        /// A number, or null when no source gives one.
        case intOrNull = "int-or-null"
    }

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
