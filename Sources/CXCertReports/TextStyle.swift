#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// ANSI styling for terminal text, switched off for pipes and `NO_COLOR`.
public struct TextStyle: Sendable {
    /// Whether ANSI escape codes are written.
    public var color: Bool

    /// A style with or without colour.
    public init(color: Bool) { self.color = color }

    /// No escape codes: for pipes, files and tests.
    public static let plain = TextStyle(color: false)

    /// Colour on a terminal unless NO_COLOR is set to a non-empty value (no-color.org: an empty value
    /// does not count) or TERM is `dumb`.
    public static func terminal(isTTY: Bool, environment: [String: String]) -> TextStyle {
        TextStyle(color: isTTY && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb")
    }

    /// `text` in bold.
    public func bold(_ text: String) -> String { wrap(text, "1") }
    /// `text` dimmed, for secondary details.
    public func dim(_ text: String) -> String { wrap(text, "2") }
    /// `text` in red, for failures.
    public func red(_ text: String) -> String { wrap(text, "31") }
    /// `text` in green, for success.
    public func green(_ text: String) -> String { wrap(text, "32") }
    /// `text` in yellow, for warnings.
    public func yellow(_ text: String) -> String { wrap(text, "33") }

    private func wrap(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
