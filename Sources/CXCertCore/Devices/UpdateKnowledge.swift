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

/// Device Update facts from `Knowledge/updates.json`: how each build fares with Lync Server 2013, the upgrades a phone
/// cannot take in one step, and the WinHTTP codes its "Last Update Status" shows. Every row carries its source and
/// confidence.
public struct UpdateKnowledge: Sendable, Decodable {
    /// How a range of builds fares with Lync Server 2013.
    public struct Lync2013Row: Sendable, Decodable, Hashable {
        /// The families the row is for (`*` for all).
        public let families: [String]
        /// The first build of the range.
        public let from: FirmwareVersion
        /// The last build of the range.
        public let through: FirmwareVersion
        /// `supported`, `registers-unsupported`, `fails` or `unknown`.
        public let support: String
        /// The documents the row comes from.
        public let source: String
        /// How sure the row is.
        public let confidence: Confidence
        /// What the sources leave open.
        public let note: String?

        /// Whether a phone of this build needs an update to be supported with Lync Server 2013.
        public var needsUpdate: Bool { support != "supported" }
    }

    /// An upgrade that needs an intermediate build first.
    public struct UpgradePath: Sendable, Decodable, Hashable {
        /// The families the row is for (`*` for all).
        public let families: [String]
        /// The first running build the row is for.
        public let from: FirmwareVersion
        /// The last running build the row is for.
        public let through: FirmwareVersion
        /// Offered builds from this one on cannot be taken in one step.
        public let targetsFrom: FirmwareVersion
        /// The intermediate builds (any one of them).
        public let via: [String]
        /// The documents the row comes from.
        public let source: String
        /// How sure the row is.
        public let confidence: Confidence
        /// What the sources leave open.
        public let note: String?
    }

    /// A WinHTTP code as the phone's "Last Update Status" shows it.
    public struct StatusCode: Sendable, Decodable, Hashable {
        /// The decimal code (12045).
        public let code: Int
        /// The code as the phone prints it (`0x2F0D`).
        public let hex: String
        /// The WinHTTP name.
        public let name: String
        /// What it means, in Microsoft's words.
        public let meaning: String
        /// The documents the row comes from (and where it was seen on a phone).
        public let source: String
        /// How sure the reading of the phone's field as this code is.
        public let confidence: Confidence
        /// What the sources leave open.
        public let note: String?
    }

    /// What is known of the number after the slash (`/0`, `/200`).
    public struct StatusSuffix: Sendable, Decodable, Hashable {
        /// The documents it was seen in.
        public let source: String
        /// How sure the reading is.
        public let confidence: Confidence
        /// What the sources leave open.
        public let note: String
    }

    /// How builds fare with Lync Server 2013.
    public let lync2013: [Lync2013Row]
    /// The upgrades that need an intermediate build.
    public let upgradePaths: [UpgradePath]
    /// The WinHTTP codes the phone's field shows.
    public let statusCodes: [StatusCode]
    /// The number after the slash.
    public let statusSuffix: StatusSuffix

    /// The built-in table.
    public static let builtIn: UpdateKnowledge = {
        do {
            return try JSONDecoder().decode(UpdateKnowledge.self, from: Data(EmbeddedData.updates))
        } catch {
            fatalError("the embedded update table is corrupt (a build defect): \(error)")
        }
    }()

    private static func covers(_ families: [String], _ family: String?) -> Bool {
        families.contains("*") || family.map(families.contains) == true
    }

    /// The narrowest Lync 2013 row for a build of a family, or `nil` when none covers it.
    /// - Parameters:
    ///   - build: The running build.
    ///   - family: The family id (`tanjay`, `aries`).
    /// - Returns: The row.
    public func lync2013(_ build: FirmwareVersion, family: String?) -> Lync2013Row? {
        lync2013.filter { Self.covers($0.families, family) && $0.from <= build && build <= $0.through }
            .min { $0.from.distance(to: $0.through) < $1.from.distance(to: $1.through) }
    }

    /// The intermediate step a phone of `build` needs before it can take `target`, or `nil` when it can take it at once.
    /// - Parameters:
    ///   - build: The running build.
    ///   - target: The offered build.
    ///   - family: The family id.
    /// - Returns: The narrowest upgrade path that applies.
    public func upgradePath(from build: FirmwareVersion, to target: FirmwareVersion, family: String?) -> UpgradePath? {
        upgradePaths.filter {
            Self.covers($0.families, family) && $0.from <= build && build <= $0.through && target >= $0.targetsFrom
        }
        .min { $0.from.distance(to: $0.through) < $1.from.distance(to: $1.through) }
    }

    /// A "Last Update Status" value read: `0x2F0D/0`, `0x2f0d`, `12045/200`.
    public struct Status: Sendable, Hashable {
        /// The value as given.
        public let text: String
        /// The code's row, or `nil` when cxcert does not know the code.
        public let code: StatusCode?
        /// The code as a number.
        public let number: Int
        /// The number after the slash, when there is one.
        public let suffix: Int?
    }

    /// Why a status value cannot be read.
    public struct StatusError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The value given.
        public let text: String
        /// One line for the admin.
        public var description: String {
            "'\(text)' is not a Last Update Status value (expected HEX/N as the phone shows it, e.g. 0x2F0D/0, or a decimal code)"
        }
    }

    /// Reads a "Last Update Status" value as the phone shows it.
    /// - Parameter text: `0x2F0D/0`, `0x2F0D`, `12045` or `12045/200`.
    /// - Returns: The code, its row (if known) and the suffix.
    /// - Throws: ``StatusError`` when it is not a number, or a slash is followed by anything but a number.
    public func status(_ text: String) throws(StatusError) -> Status {
        let trimmed = text.trimmingSpaces()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 12 }) else { throw StatusError(text: text) }
        let head = parts[0].lowercased()
        let number: Int? = head.hasPrefix("0x") ? Int(head.dropFirst(2), radix: 16) : Int(head, radix: 10)
        guard let number, number >= 0 else { throw StatusError(text: text) }
        var suffix: Int?
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0 else { throw StatusError(text: text) }
            suffix = value
        }
        return Status(text: trimmed, code: statusCodes.first { $0.code == number }, number: number, suffix: suffix)
    }
}

extension FirmwareVersion {
    /// A rough width of the range to `other`, to pick the narrowest rule (the same measure for every row).
    fileprivate func distance(to other: FirmwareVersion) -> Double {
        zip(other.parts, parts).enumerated().reduce(0) { total, item in
            total + Double(item.element.0 - item.element.1) * pow(100_000, Double(3 - item.offset))
        }
    }
}
