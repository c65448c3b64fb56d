import Foundation

/// ISO 8601 in UTC with seconds, the one date format of every JSON output.
func iso8601(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
}

/// Parses ISO 8601 dates as users type them: a full timestamp, or a bare day (midnight UTC).
public func parseISO8601(_ text: String) -> Date? {
    let utc = TimeZone(identifier: "UTC")!
    if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: utc)) { return date }
    if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: utc).year().month().day()) {
        return date
    }
    return nil
}

/// ANSI styling for terminal text, switched off for pipes and `NO_COLOR`.
public struct TextStyle: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public static let plain = TextStyle(color: false)

    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }

    private func wrap(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Hex with a separator, for identifiers people compare by eye.
func hexString(_ data: Data, separator: String) -> String {
    data.map { hexString([$0]) }.joined(separator: separator)
}
