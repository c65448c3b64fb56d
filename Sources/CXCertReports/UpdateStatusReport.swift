import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A phone's "Last Update Status" value decoded for `cxcert devices --update-status`: the code's WinHTTP name and meaning
/// with the row's source and confidence, and what is known of the number after the slash.
public struct UpdateStatusReport: Sendable, Encodable {
    /// The value as given.
    public let value: String
    /// The code as a number.
    public let code: Int
    /// The code in hex, as the phone prints it.
    public let hex: String
    /// Whether cxcert knows the code.
    public let known: Bool
    /// The WinHTTP name, when known.
    public let name: String?
    /// Its meaning, when known.
    public let meaning: String?
    /// The number after the slash, when given.
    public let suffix: Int?
    /// What is known of the suffix.
    public let suffixNote: String?
    /// The sources of the reading.
    public let source: String?
    /// How sure the reading is.
    public let confidence: Confidence
    /// What the sources leave open.
    public let note: String?

    /// Decodes `text` with the built-in table.
    /// - Parameters:
    ///   - text: The value, e.g. `0x2F0D/0`.
    ///   - knowledge: The table (the built-in one by default).
    /// - Throws: ``/CXCertCore/UpdateKnowledge/StatusError`` when the value is not a status value.
    public init(_ text: String, knowledge: UpdateKnowledge = .builtIn) throws(UpdateKnowledge.StatusError) {
        let status = try knowledge.status(text)
        value = status.text
        code = status.number
        // `%04X` of an Int writes its low 32 bits.
        hex = "0x" + CXCertCore.hex(UInt32(truncatingIfNeeded: status.number), width: 4)
        known = status.code != nil
        name = status.code?.name
        meaning = status.code?.meaning
        suffix = status.suffix
        suffixNote = status.suffix == nil ? nil : knowledge.statusSuffix.note
        source = status.code?.source
        confidence = status.code?.confidence ?? .low
        note = status.code?.note
    }

    /// The decoding for a terminal; every part of the value is printed from the parsed numbers, never echoed raw.
    public var text: String {
        var lines = ["Last Update Status \(hex)\(suffix.map { "/\($0)" } ?? "")"]
        if let name, let meaning {
            lines.append("  \(hex) = \(code) \(name): \(meaning) (\(confidence.rawValue) confidence)")
            if let source { lines.append("  Source: \(source)") }
            if let note { lines.append("  Note: \(note)") }
        } else {
            lines.append(
                "  \(hex) = \(code): not a code cxcert knows (Knowledge/updates.json lists the WinHTTP codes 12002-12179 the sources give)")
        }
        if let suffix, let suffixNote { lines.append("  /\(suffix): \(suffixNote)") }
        return lines.joined(separator: "\n")
    }
}
