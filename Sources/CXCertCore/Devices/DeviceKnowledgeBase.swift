#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A device family, such as "tanjay" (CX700 / IP8540) or "aries" (CX600, HP 4120, Aastra 6725ip...).
public struct DeviceFamily: Sendable, Codable, Hashable {
    /// One phone model of a family.
    public struct Model: Sendable, Codable, Hashable {
        /// The command-line name (`cx700`, `hp4120`).
        public let id: String
        /// The product name (`Polycom CX700`).
        public let name: String
    }
    /// A device name resolved to its family, and to the model when it named one.
    public struct Match: Sendable, Hashable {
        /// The family the name belongs to.
        public let family: DeviceFamily
        /// The model, when the name was a model id rather than a family id.
        public let model: Model?
    }
    /// The family id (`tanjay`, `aries`), also accepted as a device name.
    public let id: String
    /// The family's descriptive name.
    public let name: String
    /// What sets the family apart (hardware, sign-in, firmware lines).
    public let description: String
    /// The models of the family.
    public let models: [Model]
    /// The documents that say so.
    public let source: String
    /// How sure the data is.
    public let confidence: Confidence
}

/// A named firmware release.
public struct FirmwareBuild: Sendable, Codable, Hashable {
    /// The build number (`3.5.6907.35`).
    public let version: FirmwareVersion
    /// The release's name.
    public let name: String
    /// The server release it belongs to (`OCS 2007 R2`), when known.
    public let release: String?
    /// The release date, when a source gives one (`2012-12/2013-01` for a month range).
    public let date: String?
    /// The family ids a source attests for the build (`*` for every family).
    public let families: [String]
    /// What the sources say about the build, including what is not known.
    public let notes: String?
    /// The documents the build is known from.
    public let source: String
    /// How sure the entry is.
    public let confidence: Confidence
}

/// A JSON scalar or string list, as capability values are written in the data files.
public enum FactValue: Sendable, Codable, Hashable, CustomStringConvertible {
    /// A yes/no fact.
    case bool(Bool)
    /// A number (a key size in bits).
    case int(Int)
    /// A single string (a TLS version).
    case string(String)
    /// A list of strings (lookup templates, cipher suites).
    case list([String])
    /// No value: no source gives one.
    case null

    public init(from decoder: any Decoder) throws {
        // JSON types are tried from the most common in the data (lists, then yes/no facts): every miss throws a
        // `DecodingError`, whose message and coding path cost more than the value. A JSON value is of one type
        // only, so the order changes no result; a value of none fails with the list's error, as it always did.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode([String].self) {
            self = .list(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public var description: String {
        switch self {
        case .bool(let value): value ? "yes" : "no"
        case .int(let value): "\(value)"
        case .string(let value): value
        case .list(let value): value.isEmpty ? "none" : value.joined(separator: ", ")
        case .null: "unknown"
        }
    }
}

/// One sourced capability fact over a range of builds.
public struct CapabilityRule: Sendable, Codable, Hashable {
    /// The capability the rule sets.
    public let capability: Capability
    /// The first build the rule applies to (inclusive).
    public let from: FirmwareVersion
    /// The last build the rule applies to (inclusive).
    public let through: FirmwareVersion
    /// Family ids, or `["*"]` for every family.
    public let families: [String]
    /// The capability's value for those builds.
    public let value: FactValue
    /// The document the fact comes from.
    public let source: String
    /// How sure the fact is.
    public let confidence: Confidence
    /// What the source leaves open, or how it was read.
    public let note: String?

    /// Creates a rule, as a `--capability` override or a test builds one.
    public init(
        capability: Capability, from: FirmwareVersion, through: FirmwareVersion, families: [String], value: FactValue,
        source: String, confidence: Confidence, note: String?
    ) {
        self.capability = capability
        self.from = from
        self.through = through
        self.families = families
        self.value = value
        self.source = source
        self.confidence = confidence
        self.note = note
    }

    private enum Key: String, CodingKey { case capability, from, through, families, value, source, confidence, note }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let name = try container.decode(String.self, forKey: .capability)
        guard let capability = Capability(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .capability, in: container,
                debugDescription: DeviceKnowledgeError.unknownCapability(name, known: Capability.allCases.map(\.rawValue).sorted())
                    .description)
        }
        self.init(
            capability: capability, from: try container.decode(FirmwareVersion.self, forKey: .from),
            through: try container.decode(FirmwareVersion.self, forKey: .through),
            families: try container.decode([String].self, forKey: .families), value: try container.decode(FactValue.self, forKey: .value),
            source: try container.decode(String.self, forKey: .source),
            confidence: try container.decode(Confidence.self, forKey: .confidence),
            note: try container.decodeIfPresent(String.self, forKey: .note))
    }

    func applies(to version: FirmwareVersion, family: String) -> Bool {
        from <= version && version <= through && (families.contains("*") || families.contains(family))
    }
}

/// Why a device or capability lookup failed.
public enum DeviceKnowledgeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No family or model has this name; `known` lists the names there are.
    case unknownDevice(String, known: [String])
    /// The text is not a firmware build number such as `4.0.7577.4363`.
    case invalidFirmware(String)
    /// No capability has this key; `known` lists the keys there are.
    case unknownCapability(String, known: [String])
    /// A value of the wrong JSON type for its capability.
    case wrongValueType(capability: String, expected: String, found: String)
    /// The device data does not decode or holds an invalid entry, with the reason.
    case invalidData(String)

    public var description: String {
        switch self {
        case .unknownDevice(let name, let known): "unknown device '\(name)'; known: \(known.joined(separator: ", "))"
        case .invalidFirmware(let text): "'\(text)' is not a firmware build number (expected e.g. 4.0.7577.4363)"
        case .unknownCapability(let name, let known): "unknown capability '\(name)'; known: \(known.joined(separator: ", "))"
        case .wrongValueType(let capability, let expected, let found): "\(capability) takes \(expected), not '\(found)'"
        case .invalidData(let reason): "device data: \(reason)"
        }
    }
}

/// What is known about the phones: families, firmware builds and per-build capabilities, each with
/// its source and confidence. The built-in facts come from `Knowledge/devices.json`; a user file of
/// the same shape, or single capability overrides, take precedence.
public struct DeviceKnowledgeBase: Sendable {
    /// The device families, as the data lists them.
    public private(set) var families: [DeviceFamily]
    /// The known firmware builds, in version order.
    public private(set) var builds: [FirmwareBuild]
    /// Built-in rules; among those that apply, the narrowest range wins (then family-specific, then later).
    public private(set) var rules: [CapabilityRule]
    /// User rules, consulted before any built-in rule.
    public private(set) var overrides: [CapabilityRule] = []

    struct File: Codable {
        var families: [DeviceFamily]?
        var builds: [FirmwareBuild]?
        var capabilities: [CapabilityRule]?
    }

    /// The facts shipped with cxcert: `Knowledge/devices.json` and the rules of `Knowledge/discovery.json`, compiled
    /// into Swift values by `Scripts/device-data`, so a start decodes no JSON. A test holds them equal to the JSON
    /// as this module decodes it, and checks every row as a user file's rows are checked when loaded.
    public static let builtIn = DeviceKnowledgeBase(
        families: BuiltInDeviceData.families, builds: BuiltInDeviceData.builds,
        rules: BuiltInDeviceData.deviceRules + BuiltInDeviceData.discoveryRules)

    /// The facts as decoded from the embedded JSON, and checked, as every release before the compiled form did: the
    /// reference the compiled ``builtIn`` is tested against.
    static func builtInFromJSON() throws(DeviceKnowledgeError) -> DeviceKnowledgeBase {
        var knowledge = try DeviceKnowledgeBase(json: EmbeddedData.devices)
        let discovery = try decode(EmbeddedData.discovery).capabilities ?? []
        try check(discovery, file: "Knowledge/discovery.json")
        knowledge.rules += discovery
        return knowledge
    }

    private init(families: [DeviceFamily], builds: [FirmwareBuild], rules: [CapabilityRule]) {
        self.families = families
        self.builds = builds.sorted { $0.version < $1.version }
        self.rules = rules
    }

    /// Loads a devices.json document.
    public init(json: [UInt8]) throws(DeviceKnowledgeError) {
        let file = try Self.decode(json)
        families = file.families ?? []
        builds = (file.builds ?? []).sorted { $0.version < $1.version }
        rules = file.capabilities ?? []
        try Self.check(rules, file: "Knowledge/devices.json")
    }

    private static func decode(_ json: [UInt8]) throws(DeviceKnowledgeError) -> File {
        do {
            return try JSONDecoder().decode(File.self, from: Data(json))
        } catch {
            throw .invalidData(DecodingProblem.describe(error))
        }
    }

    /// Checks each rule's value type, its words where the capability has a closed vocabulary, and its lookup
    /// templates (``LookupPlan``); a bad row fails with its file and its index in `capabilities`.
    static func check(_ rules: [CapabilityRule], file: String) throws(DeviceKnowledgeError) {
        for rule in rules where !rule.capability.accepts(rule.value) {
            throw .wrongValueType(
                capability: rule.capability.rawValue, expected: rule.capability.valueType.rawValue, found: rule.value.description)
        }
        for (row, rule) in rules.enumerated() where !rule.capability.allows(rule.value) {
            let words = (rule.capability.vocabulary ?? []).sorted().joined(separator: ", ")
            throw .invalidData(
                "\(file), capabilities[\(row)] (\(rule.capability)): '\(rule.value)' is not a list of \(words)"
                    + (rule.capability == .signInMethods ? " naming at least one" : ""))
        }
        // Lookup templates are typed here, once: a bad one fails with its file and row, never in a walk.
        for (row, rule) in rules.enumerated() {
            do throws(LookupPlanError) {
                _ = try LookupPlan.steps(rule.capability, rule.value)
            } catch {
                throw .invalidData("\(file), capabilities[\(row)] (\(rule.capability)): \(error)")
            }
        }
    }

    /// Adds a user file's families, builds and rules; its rules win over the built-in ones.
    /// - Parameters:
    ///   - userJSON: The file's bytes.
    ///   - file: How an error names the file (its path).
    /// - Throws: ``DeviceKnowledgeError`` when the file does not decode or a row is invalid (naming the file and row).
    public mutating func merge(userJSON: [UInt8], file: String = "--device-data") throws(DeviceKnowledgeError) {
        let decoded = try Self.decode(userJSON)
        let userRules = (decoded.capabilities ?? []).map {
            CapabilityRule(
                capability: $0.capability, from: $0.from, through: $0.through, families: $0.families, value: $0.value,
                source: $0.source, confidence: $0.confidence, note: $0.note)
        }
        try Self.check(userRules, file: file)
        overrides += userRules
        for family in decoded.families ?? [] {
            families.removeAll { $0.id == family.id }
            families.append(family)
        }
        for build in decoded.builds ?? [] {
            // A release date is a day, a month or a year, or a range of them ("2012-12/2013-01").
            for part in build.date?.split(separator: "/", omittingEmptySubsequences: false) ?? [] {
                let padded = part.count == 4 ? "\(part)-01-01" : part.count == 7 ? "\(part)-01" : String(part)
                do { _ = try StrictDate.parse(padded) } catch {
                    throw .invalidData("build \(build.version): date '\(build.date ?? "")' is not a valid date (\(error.reason))")
                }
            }
            builds.removeAll { $0.version == build.version }
            builds.append(build)
        }
        builds.sort { $0.version < $1.version }
    }

    /// Forces one capability, named as on the command line, for every build and family (`--capability KEY=VALUE`).
    public mutating func override(_ name: String, value: FactValue) throws(DeviceKnowledgeError) {
        guard let capability = Capability(rawValue: name) else {
            throw .unknownCapability(name, known: Capability.allCases.map(\.rawValue).sorted())
        }
        try override(capability, value: value)
    }

    /// Forces one capability for every build and family.
    public mutating func override(_ capability: Capability, value: FactValue) throws(DeviceKnowledgeError) {
        let everything = CapabilityRule(
            capability: capability, from: FirmwareVersion("0")!, through: FirmwareVersion("999999999.0.0.0")!,
            families: ["*"], value: value, source: "command line (--capability \(capability)=\(value))",
            confidence: .user, note: nil)
        try Self.check([everything], file: "--capability")
        overrides.append(everything)
    }

    /// The rule that decides `capability` for a build of a family.
    public func rule(for capability: Capability, version: FirmwareVersion, family: String) -> CapabilityRule? {
        // By index: the rules are large values, and copying each one that was looked at cost a one-shot verify a
        // million instructions.
        func best(_ candidates: [CapabilityRule]) -> CapabilityRule? {
            candidates.indices.filter { candidates[$0].capability == capability && candidates[$0].applies(to: version, family: family) }
                .max { a, b in
                    // Narrowest range first: a later start, then an earlier end; then a named family; then file order.
                    if candidates[a].from != candidates[b].from { return candidates[a].from < candidates[b].from }
                    if candidates[a].through != candidates[b].through { return candidates[a].through > candidates[b].through }
                    let aNamed = !candidates[a].families.contains("*")
                    let bNamed = !candidates[b].families.contains("*")
                    if aNamed != bNamed { return bNamed }
                    return a < b
                }
                .map { candidates[$0] }
        }
        return best(overrides) ?? best(rules)
    }

    /// Device names accepted on the command line: families, models, and `generic`.
    public var deviceNames: [String] {
        ["generic"] + families.flatMap { [$0.id] + $0.models.map(\.id) }
    }

    /// Finds a family by its id or one of its model ids (case, spaces and dashes ignored).
    public func family(named name: String) -> DeviceFamily.Match? {
        let key = Self.normalize(name)
        for family in families {
            if Self.normalize(family.id) == key { return DeviceFamily.Match(family: family, model: nil) }
            if let model = family.models.first(where: { Self.normalize($0.id) == key || Self.normalize($0.name) == key }) {
                return DeviceFamily.Match(family: family, model: model)
            }
        }
        return nil
    }

    static func normalize(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// The newest known build for a family, the default when no `--firmware` is given.
    public func newestBuild(for family: String) -> FirmwareBuild? {
        builds.last { $0.families.contains(family) || $0.families.contains("*") }
    }

    /// The named release for an exact build number, if it is one we know.
    public func build(_ version: FirmwareVersion) -> FirmwareBuild? { builds.first { $0.version == version } }
}

extension FactValue {
    /// Parses a value as a person types it (`--capability sha2Signatures=true`): true/yes and false/no,
    /// a whole number, null/none/unknown, a comma-separated list, or else text.
    /// - Parameter text: The value as typed.
    public init(commandLine text: String) {
        switch text.lowercased() {
        case "true", "yes": self = .bool(true)
        case "false", "no": self = .bool(false)
        case "null", "none", "unknown": self = .null
        default:
            if let number = Int(text) {
                self = .int(number)
            } else if text.contains(",") {
                self = .list(text.split(separator: ",").map { $0.trimmingSpaces() })
            } else {
                self = .string(text)
            }
        }
    }
}
