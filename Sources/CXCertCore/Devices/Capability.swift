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
    // The phone's state (Knowledge/discovery.json): when it can get roots, and how long it keeps them.
    /// The sign-in methods the build offers, the default first (`pin`, `usb`, `password`).
    case signInMethods
    /// The root downloads (``Capability/rootDiscovery`` values) a phone fresh from reset makes at boot, before any sign-in.
    case rootDownloadAtBoot
    /// The root downloads a first sign-in attempt makes, per method: PIN, USB-tethered through a PC, user name and password.
    case rootDownloadPin, rootDownloadUsb, rootDownloadPassword
    /// The root downloads a phone makes outside the network (through the Edge).
    case rootDownloadExternal
    /// Whether a phone that holds downloaded roots keeps them, without looking again, until it is reset (bool).
    case rootsKeptUntilReset

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
            .strictDNSNaming, .dnsSuffixRetry, .rootsKeptUntilReset:
            .bool
        case .maxRSAKeyBits: .intOrNull
        case .maxTLSVersion: .string
        case .rootDiscovery, .ucupdatesDomains, .tlsCipherSuites, .registrarLookup, .timeSources, .dcLocator, .autodiscoverOrder,
            .signInMethods, .rootDownloadAtBoot, .rootDownloadPin, .rootDownloadUsb, .rootDownloadPassword, .rootDownloadExternal:
            .list
        }
    }

    /// The words a list capability's items must be taken from, when the data has a closed vocabulary; nil when any
    /// text is accepted. Checked when the device data loads, so a bad row fails there.
    public var vocabulary: Set<String>? {
        switch self {
        case .signInMethods: ["pin", "usb", "password"]
        case .rootDownloadAtBoot, .rootDownloadPin, .rootDownloadUsb, .rootDownloadPassword, .rootDownloadExternal:
            Self.rootDownloads
        case .ucupdatesDomains: Set(DomainSource.allCases.map(\.rawValue))
        default: nil
        }
    }

    /// The root downloads the device data names (``rootDiscovery`` values): the raw values of ``RootDownload``.
    public static let rootDownloads: Set<String> = Set(RootDownload.allCases.map(\.rawValue))

    /// Whether `value` uses only this capability's ``vocabulary`` (and, for `signInMethods`, names at least one).
    public func allows(_ value: FactValue) -> Bool {
        guard let vocabulary else { return true }
        let items: [String] =
            switch value {
            case .list(let list): list
            case .string(let one): [one]
            default: []
            }
        if self == .signInMethods && items.isEmpty { return false }
        return items.allSatisfy(vocabulary.contains)
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

/// One way a phone downloads roots: the values of ``Capability/rootDiscovery`` and of the `rootDownload*` rows, as a type,
/// so that which download a row names is never read back from its spelling.
public enum RootDownload: String, Sendable, Hashable, Codable, CaseIterable {
    /// The certification authorities published in Active Directory (`cACertificate` under `CN=Certification Authorities`).
    case directoryAuthorities = "ad-certificationAuthority"
    /// The enterprise CAs' enrollment services in Active Directory (`pKIEnrollmentService`, certsrv).
    case directoryEnrollmentServices = "ad-pkiEnrollmentService-certsrv"
    /// The Certificate Provisioning web service's anonymous root-chain download.
    case certificateProvisioning = "certprov-web-service"

    /// Whether the roots come from Active Directory.
    public var fromDirectory: Bool { self != .certificateProvisioning }
}
