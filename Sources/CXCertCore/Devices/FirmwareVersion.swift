#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A Phone Edition build number such as `4.0.7577.4363`, ordered numerically part by part.
public struct FirmwareVersion: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The numbers, in order (one to four of them); comparison treats missing ones as 0.
    public let parts: [Int]
    /// The text as given.
    public let text: String

    /// Parses one to four dot-separated numbers; anything else is not a build number.
    public init?(_ text: String) {
        // Spaces trimmed as `trimmingCharacters(in: .whitespaces)` does (Support/TextEditing.swift); each
        // piece checked on its UTF-8 bytes: ASCII bytes are one character each (a CR LF pair, one character, fails
        // `Int` either way), so the limits are the ones on characters. The device data parses ~130 of these.
        let trimmed = text.trimmingSpaces()
        let pieces = trimmed.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...4).contains(pieces.count) else { return nil }
        var parts: [Int] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.count <= 9, piece.allSatisfy({ $0 < 0x80 }),
                let value = Int(String(decoding: piece, as: UTF8.self)), value >= 0
            else { return nil }
            parts.append(value)
        }
        self.parts = parts
        self.text = trimmed
    }

    /// A version whose numbers are already known (the compiled device data, `Scripts/device-data`).
    init(parts: [Int], text: String) {
        self.parts = parts
        self.text = text
    }

    private var padded: [Int] { parts + Array(repeating: 0, count: 4 - parts.count) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.padded.lexicographicallyPrecedes(rhs.padded) }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.padded == rhs.padded }
    public func hash(into hasher: inout Hasher) { hasher.combine(padded) }
    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = FirmwareVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a build number"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
