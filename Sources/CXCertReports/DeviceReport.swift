import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `cxcert devices` view: every family and known build with its resolved, sourced capabilities.
public struct DeviceReport: Sendable, Encodable {
    /// One build of one family, with the rule that decides each capability.
    public struct Row: Sendable, Encodable {
        /// The family id (a build attested for every family has a row per family).
        public let family: String
        /// The build.
        public let build: FirmwareBuild
        /// The deciding rule for each capability, by key.
        public let capabilities: [String: CapabilityRule]
    }

    /// The device families.
    public let families: [DeviceFamily]
    /// One row per family and known build, in version order.
    public let rows: [Row]

    /// Resolves every capability for every family and known build of `knowledge`.
    public init(knowledge: DeviceKnowledgeBase = .builtIn) {
        families = knowledge.families
        rows = knowledge.builds.flatMap { build in
            let families = build.families.contains("*") ? knowledge.families.map(\.id) : build.families
            return families.map { family in
                let facts = Capability.allCases.reduce(into: [String: CapabilityRule]()) { result, key in
                    result[key.rawValue] = knowledge.rule(for: key, version: build.version, family: family)
                }
                return Row(family: family, build: build, capabilities: facts)
            }
        }
    }

    private static let columns: [(key: String, title: String)] = [
        ("sha2Signatures", "SHA-2"), ("maxTLSVersion", "TLS"), ("wildcardNames", "Wildcards"),
        ("builtInCache", "Cache"), ("ucupdatesLookup", "ucupdates-r2"), ("rootDiscovery", "Root discovery"),
    ]

    /// Families, then a build x capability matrix where each value carries its confidence (H/M/L).
    public func text(style: TextStyle = .plain) -> String {
        var out: [String] = [style.bold("Device families")]
        for family in families {
            out.append("  \(family.id): \(family.name) — models: \(family.models.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))")
        }
        out.append("")
        out.append(style.bold("Firmware builds and what they can do") + style.dim("  (H/M/L = confidence of the source)"))
        var table = TextTable(header: ["Family", "Build", "Name", "Date"] + Self.columns.map(\.title))
        for row in rows {
            let values = Self.columns.map { column -> String in
                guard let rule = row.capabilities[column.key] else { return "?" }
                let mark = String(rule.confidence.rawValue.prefix(1)).uppercased()
                return "\(rule.value) \(style.dim(mark))"
            }
            table.append([row.family, row.build.version.text, row.build.name, row.build.date ?? "–"] + values)
        }
        out.append(table.render(style: style))
        out.append("")
        out.append("Other build numbers are placed by version order. Sources and notes: cxcert devices --json, Knowledge/README.md.")
        return out.joined(separator: "\n")
    }
}
