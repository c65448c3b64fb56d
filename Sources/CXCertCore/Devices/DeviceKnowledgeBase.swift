import Foundation

/// A device family, such as "tanjay" (CX700 / IP8540) or "aries" (CX600, HP 4120, Aastra 6725ip...).
public struct DeviceFamily: Sendable, Codable, Hashable {
    public struct Model: Sendable, Codable, Hashable {
        public let id: String
        public let name: String
    }
    /// A device name resolved to its family, and to the model when it named one.
    public struct Match: Sendable, Hashable {
        public let family: DeviceFamily
        public let model: Model?
    }
    public let id: String
    public let name: String
    public let description: String
    public let models: [Model]
    public let source: String
    public let confidence: Confidence
}

/// A named firmware release.
public struct FirmwareBuild: Sendable, Codable, Hashable {
    public let version: FirmwareVersion
    public let name: String
    public let release: String?
    public let date: String?
    public let families: [String]
    public let notes: String?
    public let source: String
    public let confidence: Confidence
}

/// A JSON scalar or string list, as capability values are written in the data files.
public enum FactValue: Sendable, Codable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([String])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
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
    public let capability: Capability
    public let from: FirmwareVersion
    public let through: FirmwareVersion
    /// Family ids, or `["*"]` for every family.
    public let families: [String]
    public let value: FactValue
    public let source: String
    public let confidence: Confidence
    public let note: String?

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
    case unknownDevice(String, known: [String])
    case invalidFirmware(String)
    case unknownCapability(String, known: [String])
    case wrongValueType(capability: String, expected: String, found: String)
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
    public private(set) var families: [DeviceFamily]
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

    /// The facts shipped with cxcert.
    public static let builtIn: DeviceKnowledgeBase = {
        do {
            var knowledge = try DeviceKnowledgeBase(json: Data(EmbeddedData.devices))
            let discovery = try decode(Data(EmbeddedData.discovery)).capabilities ?? []
            try check(discovery)
            knowledge.rules += discovery
            return knowledge
        } catch {
            fatalError("the embedded device data is corrupt (a build defect): \(error)")
        }
    }()

    /// Loads a devices.json document.
    public init(json: Data) throws(DeviceKnowledgeError) {
        let file = try Self.decode(json)
        families = file.families ?? []
        builds = (file.builds ?? []).sorted { $0.version < $1.version }
        rules = file.capabilities ?? []
        try Self.check(rules)
    }

    private static func decode(_ json: Data) throws(DeviceKnowledgeError) -> File {
        do {
            return try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw .invalidData("\(error)")
        }
    }

    private static func check(_ rules: [CapabilityRule]) throws(DeviceKnowledgeError) {
        for rule in rules where !rule.capability.accepts(rule.value) {
            throw .wrongValueType(
                capability: rule.capability.rawValue, expected: rule.capability.valueType.rawValue, found: rule.value.description)
        }
    }

    /// Adds a user file's families, builds and rules; its rules win over the built-in ones.
    public mutating func merge(userJSON: Data) throws(DeviceKnowledgeError) {
        let file = try Self.decode(userJSON)
        let userRules = (file.capabilities ?? []).map {
            CapabilityRule(
                capability: $0.capability, from: $0.from, through: $0.through, families: $0.families, value: $0.value,
                source: $0.source, confidence: $0.confidence, note: $0.note)
        }
        try Self.check(userRules)
        overrides += userRules
        for family in file.families ?? [] {
            families.removeAll { $0.id == family.id }
            families.append(family)
        }
        for build in file.builds ?? [] {
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
        try Self.check([everything])
        overrides.append(everything)
    }

    /// The rule that decides `capability` for a build of a family.
    public func rule(for capability: Capability, version: FirmwareVersion, family: String) -> CapabilityRule? {
        func best(_ candidates: [CapabilityRule]) -> CapabilityRule? {
            candidates.enumerated().filter { $0.element.capability == capability && $0.element.applies(to: version, family: family) }
                .max { a, b in
                    // Narrowest range first: a later start, then an earlier end; then a named family; then file order.
                    if a.element.from != b.element.from { return a.element.from < b.element.from }
                    if a.element.through != b.element.through { return a.element.through > b.element.through }
                    let aNamed = !a.element.families.contains("*")
                    let bNamed = !b.element.families.contains("*")
                    if aNamed != bNamed { return bNamed }
                    return a.offset < b.offset
                }?.element
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
