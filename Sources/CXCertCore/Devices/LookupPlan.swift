/// A DNS name with placeholders the walk fills in from what DHCP and the sign-in give the phone
/// (`_sipinternaltls._tcp.{sip}`, `time.windows.com.{dhcp}`), parsed once when the device data loads.
public struct NameTemplate: Sendable, Hashable, CustomStringConvertible {
    /// A value the phone fills into a name.
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        /// The SIP domain of the sign-in.
        case sip
        /// The DHCP domain (option 15).
        case dhcp
        /// Each search domain (option 119).
        case search
        /// The SMTP domain (Exchange autodiscover).
        case smtp
        /// The domains a sign-in's DC lookup uses (``/CXCertCore/LookupPlan`` `dcLocator`).
        case userdomain

        /// Whether the value comes from DHCP (the phone appends a DHCP-given domain).
        public var isDHCPDomain: Bool { self == .dhcp || self == .search || self == .userdomain }
    }

    /// One piece of a template: text as written, or a placeholder.
    public enum Part: Sendable, Hashable {
        /// Text as written.
        case literal(String)
        /// A value filled in at run time.
        case placeholder(Placeholder)
    }

    /// The pieces, in order.
    public let parts: [Part]

    /// Parses `text`; every `{...}` must name a ``Placeholder``.
    /// - Parameter text: The template as the data writes it.
    /// - Throws: ``LookupPlanError`` for an empty name, an unknown placeholder or an unbalanced brace.
    public init(parsing text: String) throws(LookupPlanError) {
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else { throw .badName(text) }
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw .badName(text) }
            let name = rest[rest.index(after: open)..<close]
            guard let placeholder = Placeholder(rawValue: String(name)) else { throw .unknownPlaceholder(String(name)) }
            parts.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        guard !rest.contains("}") else { throw .badName(text) }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    /// The template as the data writes it.
    public var description: String {
        parts.map {
            switch $0 {
            case .literal(let text): text
            case .placeholder(let placeholder): "{\(placeholder.rawValue)}"
            }
        }.joined()
    }

    /// The placeholders the template uses, in order.
    public var placeholders: [Placeholder] {
        parts.compactMap { if case .placeholder(let placeholder) = $0 { placeholder } else { nil } }
    }

    /// Whether the template appends a DHCP-given domain to a name of its own (`time.windows.com.{dhcp}`): the phone
    /// does not retry such a name with its DNS suffixes again.
    public var isConcatenation: Bool {
        guard let first = parts.first else { return false }
        if case .placeholder(let placeholder) = first, placeholder.isDHCPDomain { return false }
        return placeholders.contains(where: \.isDHCPDomain)
    }

    /// The names the template stands for with these values (one per combination), or the first placeholder with no value.
    /// - Parameter values: The values of each placeholder (none when the input is missing).
    /// - Returns: The names, or the placeholder that has no value.
    public func expand(_ values: (Placeholder) -> [String]) -> Result<[String], MissingValue> {
        var names = [""]
        for part in parts {
            switch part {
            case .literal(let text): names = names.map { $0 + text }
            case .placeholder(let placeholder):
                let replacements = values(placeholder)
                guard !replacements.isEmpty else { return .failure(MissingValue(placeholder: placeholder)) }
                names = names.flatMap { name in replacements.map { name + $0 } }
            }
        }
        return .success(names)
    }

    /// A placeholder with no value: the names are not asked.
    public struct MissingValue: Error, Sendable, Hashable {
        /// The placeholder.
        public let placeholder: Placeholder
    }
}

/// One way a build looks something up, in the order its data lists them (`Knowledge/discovery.json`).
public enum LookupStep: Sendable, Hashable, CustomStringConvertible {
    /// DHCP option 120 (SIP servers, RFC 3361).
    case option120
    /// DHCP option 42 (NTP servers).
    case option42
    /// An SRV record (`srv NAME`: time, DC locator).
    case srv(NameTemplate)
    /// A registrar SRV record for TLS (`srv-tls NAME`).
    case srvTLS(NameTemplate)
    /// A registrar SRV record for TCP (`srv-tcp NAME`): the phone needs TLS and does not use it.
    case srvTCP(NameTemplate)
    /// An address record, with the port the phone then uses (`host NAME[:PORT]`).
    case host(NameTemplate, port: Int?)
    /// An HTTPS URL on a name (`https NAME`: autodiscover).
    case https(NameTemplate)
    /// An HTTP URL whose redirect the phone follows (`http-redirect NAME`).
    case httpRedirect(NameTemplate)

    /// The kinds of step, as the data names them.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// ``LookupStep/option120``.
        case option120
        /// ``LookupStep/option42``.
        case option42
        /// ``LookupStep/srv(_:)``.
        case srv
        /// ``LookupStep/srvTLS(_:)``.
        case srvTLS = "srv-tls"
        /// ``LookupStep/srvTCP(_:)``.
        case srvTCP = "srv-tcp"
        /// ``LookupStep/host(_:port:)``.
        case host
        /// ``LookupStep/https(_:)``.
        case https
        /// ``LookupStep/httpRedirect(_:)``.
        case httpRedirect = "http-redirect"
    }

    /// Parses one template of the data (`kind rest[:port]`).
    /// - Parameter text: The template as written.
    /// - Throws: ``LookupPlanError`` for an unknown kind, a missing or bad name, or a bad port.
    public init(parsing text: String) throws(LookupPlanError) {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let kind = Kind(rawValue: words[0]) else { throw .unknownKind(words[0]) }
        switch kind {
        case .option120, .option42:
            guard words.count == 1 else { throw .unexpectedName(text) }
            self = kind == .option120 ? .option120 : .option42
            return
        default: break
        }
        guard words.count == 2 else { throw .badName(text) }
        var name = words[1]
        var port: Int?
        if kind == .host, let colon = name.lastIndex(of: ":") {
            guard let value = Int(name[name.index(after: colon)...]), (1...65535).contains(value) else { throw .badPort(text) }
            port = value
            name = String(name[..<colon])
        }
        let template = try NameTemplate(parsing: name)
        switch kind {
        case .srv: self = .srv(template)
        case .srvTLS: self = .srvTLS(template)
        case .srvTCP: self = .srvTCP(template)
        case .host: self = .host(template, port: port)
        case .https: self = .https(template)
        case .httpRedirect: self = .httpRedirect(template)
        case .option120, .option42: fatalError("handled above")
        }
    }

    /// The kind of step.
    public var kind: Kind {
        switch self {
        case .option120: .option120
        case .option42: .option42
        case .srv: .srv
        case .srvTLS: .srvTLS
        case .srvTCP: .srvTCP
        case .host: .host
        case .https: .https
        case .httpRedirect: .httpRedirect
        }
    }

    /// The name it looks up; nil for a DHCP option.
    public var name: NameTemplate? {
        switch self {
        case .option120, .option42: nil
        case .srv(let name), .srvTLS(let name), .srvTCP(let name), .https(let name), .httpRedirect(let name), .host(let name, _): name
        }
    }

    /// The template as the data writes it.
    public var description: String {
        switch self {
        case .option120, .option42: kind.rawValue
        case .host(let name, let port?): "host \(name):\(port)"
        default: "\(kind.rawValue) \(name?.description ?? "")"
        }
    }
}

/// Where a build takes the domains it appends to `ucupdates-r2` (the data's `ucupdatesDomains`).
public enum DomainSource: String, Sendable, Hashable, CaseIterable {
    /// DHCP option 15.
    case dhcpOption15 = "dhcp-option-15"
    /// Each domain of DHCP option 119.
    case dhcpOption119 = "dhcp-option-119"
    /// The SIP domain.
    case sipDomain = "sip-domain"
}

/// What one build looks up, in its order, typed: parsed from the device data when it loads, so a bad row fails
/// there (with its file and row) and never at run time.
public struct LookupPlan: Sendable, Hashable {
    /// Where it looks for a time server (`timeSources`).
    public var time: [LookupStep]
    /// How it finds its registrar (`registrarLookup`).
    public var registrar: [LookupStep]
    /// How it finds a domain controller (`dcLocator`).
    public var dcLocator: [LookupStep]
    /// The autodiscover URLs it tries (`autodiscoverOrder`).
    public var autodiscover: [LookupStep]
    /// The domains it appends to `ucupdates-r2` (`ucupdatesDomains`).
    public var deviceUpdateDomains: [DomainSource]
    /// Whether it retries a negative answer as `<name>.<DHCP domain>` (`dnsSuffixRetry`).
    public var suffixRetries: Bool
    /// Whether it ignores records that point outside the SIP domain (`strictDNSNaming`).
    public var strictNaming: Bool

    /// A plan; every list empty by default (the `generic` client looks nothing up).
    public init(
        time: [LookupStep] = [], registrar: [LookupStep] = [], dcLocator: [LookupStep] = [], autodiscover: [LookupStep] = [],
        deviceUpdateDomains: [DomainSource] = [], suffixRetries: Bool = false, strictNaming: Bool = false
    ) {
        self.time = time
        self.registrar = registrar
        self.dcLocator = dcLocator
        self.autodiscover = autodiscover
        self.deviceUpdateDomains = deviceUpdateDomains
        self.suffixRetries = suffixRetries
        self.strictNaming = strictNaming
    }

    /// Whether the build reads DHCP option 120.
    public var readsOption120: Bool { registrar.contains(.option120) }

    /// The kinds of step each lookup capability may hold.
    static func kinds(of capability: Capability) -> Set<LookupStep.Kind>? {
        switch capability {
        case .timeSources: [.srv, .option42, .host]
        case .registrarLookup: [.option120, .srvTLS, .srvTCP, .host]
        case .dcLocator: [.srv, .host]
        case .autodiscoverOrder: [.https, .httpRedirect]
        default: nil
        }
    }

    /// Parses a lookup capability's value.
    /// - Parameters:
    ///   - capability: `timeSources`, `registrarLookup`, `dcLocator` or `autodiscoverOrder`.
    ///   - value: Its value (a list of templates).
    /// - Returns: The steps in order.
    /// - Throws: ``LookupPlanError`` for the first template that does not parse or is of a kind the capability does
    ///   not take.
    static func steps(_ capability: Capability, _ value: FactValue) throws(LookupPlanError) -> [LookupStep] {
        guard let kinds = kinds(of: capability) else { return [] }
        let texts: [String] =
            switch value {
            case .list(let list): list
            case .string(let one): [one]
            default: []
            }
        var steps: [LookupStep] = []
        for text in texts {
            let step = try LookupStep(parsing: text)
            guard kinds.contains(step.kind) else {
                throw .wrongKind(text, allowed: LookupStep.Kind.allCases.filter(kinds.contains).map(\.rawValue))
            }
            steps.append(step)
        }
        return steps
    }

    /// The plan of one build, from its resolved facts (checked when the data loaded: a template that does not parse
    /// cannot reach here, and is left out if it does).
    /// - Parameter facts: The build's deciding rule per capability.
    public init(facts: [Capability: CapabilityRule]) {
        func steps(_ capability: Capability) -> [LookupStep] {
            guard let value = facts[capability]?.value else { return [] }
            return (try? Self.steps(capability, value)) ?? []
        }
        func bool(_ capability: Capability) -> Bool {
            if case .bool(let value) = facts[capability]?.value { value } else { false }
        }
        var domains: [DomainSource] = []
        switch facts[.ucupdatesDomains]?.value {
        case .list(let list): domains = list.compactMap(DomainSource.init(rawValue:))
        case .string(let one): domains = [DomainSource(rawValue: one)].compactMap { $0 }
        default: break
        }
        self.init(
            time: steps(.timeSources), registrar: steps(.registrarLookup), dcLocator: steps(.dcLocator),
            autodiscover: steps(.autodiscoverOrder), deviceUpdateDomains: domains, suffixRetries: bool(.dnsSuffixRetry),
            strictNaming: bool(.strictDNSNaming))
    }
}

/// Why a lookup template of the device data does not parse.
public enum LookupPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first word is not a kind of lookup.
    case unknownKind(String)
    /// A kind that takes no name was given one.
    case unexpectedName(String)
    /// The name is missing, empty, has spaces or an unbalanced brace.
    case badName(String)
    /// `{...}` names no placeholder.
    case unknownPlaceholder(String)
    /// The port after the name is not 1-65535.
    case badPort(String)
    /// A kind the capability does not take, and the kinds it does.
    case wrongKind(String, allowed: [String])

    public var description: String {
        switch self {
        case .unknownKind(let kind):
            "'\(kind)' is not a kind of lookup (\(LookupStep.Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .unexpectedName(let text): "'\(text)' takes no name"
        case .badName(let text): "'\(text)' needs one name without spaces, its braces balanced"
        case .unknownPlaceholder(let name):
            "'{\(name)}' is not a placeholder (\(NameTemplate.Placeholder.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")))"
        case .badPort(let text): "'\(text)': the port is not 1-65535"
        case .wrongKind(let text, let allowed): "'\(text)' is not a lookup this list takes (\(allowed.joined(separator: ", ")))"
        }
    }
}
