#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client to validate for: a phone family at a firmware build with its resolved capabilities,
/// or the strict modern `generic` client.
public struct DeviceProfile: Sendable {
    /// Which client a profile describes.
    public enum Kind: Sendable {
        /// A strict modern TLS client: RFC 5280 plus the web-PKI rules, no phone quirks.
        case generic
        /// A phone: its family, its model when one was named, and the firmware build judged.
        case phone(family: DeviceFamily, model: DeviceFamily.Model?, firmware: FirmwareVersion)
    }

    /// The client: `generic`, or a phone at a build.
    public let kind: Kind
    /// The known release, when the build number is one we have a name for.
    public let build: FirmwareBuild?
    /// The deciding rule for each capability key (phones only).
    public let facts: [Capability: CapabilityRule]
    /// The nearest known builds below and above an unlisted build number.
    public let placement: BuildPlacement
    /// For a build newer than every known one: the newest known build whose capabilities it is judged
    /// with (the data's ranges end at the last build anyone documented; a later build is not worse).
    public private(set) var inheritedFrom: FirmwareBuild?
    /// For each yes/no capability this build lacks: the first known later build of its family that has it (what a
    /// remedy can recommend upgrading to, from the same data that judged the build).
    public private(set) var upgrades: [Capability: FirmwareBuild] = [:]
    /// What the build looks up, in its order, typed (empty for `generic`).
    public private(set) var lookupPlan = LookupPlan()

    /// Resolves `device` (`generic`, a family or a model id) at `firmware` (default: the newest known build).
    public static func resolve(
        device: String, firmware: String? = nil, knowledge: DeviceKnowledgeBase = .builtIn
    ) throws(DeviceKnowledgeError) -> DeviceProfile {
        if DeviceKnowledgeBase.normalize(device) == "generic" {
            return DeviceProfile(kind: .generic, build: nil, facts: [:], placement: BuildPlacement(below: nil, above: nil))
        }
        guard let match = knowledge.family(named: device) else {
            throw .unknownDevice(device, known: knowledge.deviceNames)
        }
        let (family, model) = (match.family, match.model)
        let version: FirmwareVersion
        if let firmware {
            guard let parsed = FirmwareVersion(firmware) else { throw .invalidFirmware(firmware) }
            version = parsed
        } else if let newest = knowledge.newestBuild(for: family.id) {
            version = newest.version
        } else {
            throw .invalidData("no firmware build is listed for \(family.id)")
        }
        let newest = knowledge.newestBuild(for: family.id)
        let inherited = newest.flatMap { version > $0.version ? $0 : nil }
        var facts: [Capability: CapabilityRule] = [:]
        for capability in Capability.allCases {
            facts[capability] = knowledge.rule(for: capability, version: inherited?.version ?? version, family: family.id)
        }
        let known = knowledge.build(version)
        let placement =
            known == nil
            ? BuildPlacement(below: knowledge.builds.last { $0.version < version }, above: knowledge.builds.first { $0.version > version })
            : BuildPlacement(below: nil, above: nil)
        var profile = DeviceProfile(
            kind: .phone(family: family, model: model, firmware: version), build: known, facts: facts, placement: placement)
        profile.inheritedFrom = inherited
        profile.lookupPlan = LookupPlan(facts: facts)
        for capability in Capability.allCases where capability.valueType == .bool && facts[capability]?.value != .bool(true) {
            profile.upgrades[capability] = knowledge.builds.first { build in
                build.version > version && (build.families.contains(family.id) || build.families.contains("*"))
                    && knowledge.rule(for: capability, version: build.version, family: family.id)?.value == .bool(true)
            }
        }
        return profile
    }

    /// What the reader must know about how this profile was judged.
    public var notes: [String] {
        guard let inheritedFrom, let firmware else { return [] }
        return [
            "Firmware \(firmware) is newer than every known build; it is judged with the capabilities of the newest known build, \(inheritedFrom.version) (\(inheritedFrom.name))."
        ]
    }

    /// True for the strict modern client, which has no device data.
    public var isGeneric: Bool { if case .generic = kind { true } else { false } }

    /// e.g. `cx700 (tanjay) 3.5.6907.35` or `generic`.
    public var name: String {
        switch kind {
        case .generic: "generic"
        case .phone(let family, let model, let firmware): "\(model.map { "\($0.id) (\(family.id))" } ?? family.id) \(firmware)"
        }
    }

    /// The firmware build judged; nil for `generic`.
    public var firmware: FirmwareVersion? {
        if case .phone(_, _, let firmware) = kind { firmware } else { nil }
    }

    /// The family id (`tanjay`, `aries`); nil for `generic`.
    public var familyID: String? {
        if case .phone(let family, _, _) = kind { family.id } else { nil }
    }

    // Typed views of the facts. Missing facts fall back to the strictest reading.

    private func bool(_ key: Capability, default fallback: Bool) -> Bool {
        if case .bool(let value) = facts[key]?.value { return value }
        return fallback
    }

    private func list(_ key: Capability) -> [String] {
        switch facts[key]?.value {
        case .list(let value): value
        case .string(let value): [value]
        default: []
        }
    }

    /// Can the firmware verify SHA-2 signatures in the server's chain?
    public var validatesSHA2: Bool { isGeneric || bool(.sha2Signatures, default: false) }
    /// Can the firmware verify RSASSA-PSS signatures?
    public var acceptsRSASSAPSS: Bool { isGeneric || bool(.rsassaPss, default: false) }
    /// Can the firmware verify ECDSA signatures and use EC keys?
    public var acceptsECDSA: Bool { isGeneric || bool(.ecdsa, default: false) }
    /// Does name matching honour wildcard SAN entries?
    public var acceptsWildcards: Bool { isGeneric || bool(.wildcardNames, default: false) }
    /// Is the subject CN used when no SAN entry matches?
    public var matchesSubjectCN: Bool { !isGeneric && bool(.subjectCNMatching, default: false) }
    /// Does the firmware trust its built-in public-root cache?
    public var usesBuiltInCache: Bool { !isGeneric && bool(.builtInCache, default: true) }
    /// The largest RSA key the firmware accepts, in bits; nil when no limit is known.
    public var maxRSAKeyBits: Int? { if case .int(let value) = facts[.maxRSAKeyBits]?.value { value } else { nil } }
    /// The highest TLS version the firmware speaks (`"1.0"`); nil when the data gives none.
    public var maxTLSVersion: String? { if case .string(let value) = facts[.maxTLSVersion]?.value { value } else { nil } }
    /// How the firmware downloads roots, in order (`ad-certificationAuthority`, `ad-pkiEnrollmentService-certsrv`,
    /// `certprov-web-service`).
    public var rootDiscovery: [String] { list(.rootDiscovery) }
    /// ``rootDiscovery`` typed (the data is checked against ``RootDownload`` when it loads).
    public var rootDownloads: [RootDownload] { rootDiscovery.compactMap(RootDownload.init(rawValue:)) }
    /// Does the firmware look up `ucupdates-r2` for Device Update before sign-in?
    public var looksUpUCUpdates: Bool { bool(.ucupdatesLookup, default: false) }
    /// The TLS cipher suites the firmware offers (OpenSSL names).
    public var tlsCipherSuites: [String] { list(.tlsCipherSuites) }
}

/// Where an unlisted build number falls among the known builds.
public struct BuildPlacement: Sendable, Hashable {
    /// The nearest known build below it.
    public let below: FirmwareBuild?
    /// The nearest known build above it.
    public let above: FirmwareBuild?
}

/// What the phone shows for a class of problem, from `Knowledge/symptoms.json`.
public struct Symptom: Sendable, Codable, Hashable {
    /// The "Last Update Status" the phone shows: a WinHTTP error.
    public struct Status: Sendable, Codable, Hashable {
        /// The decimal code (12045).
        public let code: Int
        /// The code as the phone prints it (`0x2F0D`).
        public let hex: String
        /// The WinHTTP name (`ERROR_WINHTTP_SECURE_INVALID_CA`).
        public let name: String
    }
    /// The finding code the row is for.
    public let finding: FindingCode
    /// The on-screen text, when a source gives it.
    public let display: String?
    /// The WinHTTP code the phone's "Last Update Status" would show.
    public let lastUpdateStatus: Status?
    /// The documents the row comes from.
    public let source: String
    /// How sure the row is.
    public let confidence: Confidence
    /// What the sources leave open, or how they were read.
    public let note: String?
    /// Set when the finding never concerns a phone (a generic-profile rule), and why.
    public let noDeviceSymptom: String?

    /// The built-in table, by finding code.
    public static let builtIn: [FindingCode: Symptom] = {
        struct File: Decodable { let symptoms: [Symptom] }
        do {
            let file = try JSONDecoder().decode(File.self, from: Data(EmbeddedData.symptoms))
            return Dictionary(file.symptoms.map { ($0.finding, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            fatalError("the embedded symptom table is corrupt (a build defect): \(error)")
        }
    }()

    /// One line: `"Cannot validate server certificate"; Last Update Status 0x2F0D (12045 ...)`.
    public var summary: String {
        var parts: [String] = []
        if let display { parts.append("\"\(display)\"") }
        if let status = lastUpdateStatus { parts.append("Last Update Status \(status.hex) (\(status.code) \(status.name))") }
        return parts.isEmpty ? "no documented on-screen message" : parts.joined(separator: "; ")
    }
}
