#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A decoding error as an admin reads it: where in the file and what was expected, in plain words, never Swift's
/// type names or `DecodingError` cases.
package enum DecodingProblem {
    /// `at answers[0].options: expected a mapping (key: value), found something else`; for bytes that are not JSON
    /// at all, `not valid JSON`.
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(place(context))missing key '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "\(place(context))expected \(plainType(type)), found something else"
        case .valueNotFound(let type, let context):
            return "\(place(context))expected \(plainType(type)), found nothing"
        case .dataCorrupted(let context):
            // Foundation's own text for bytes that do not parse; ours (a bad date, a bad build number) otherwise.
            return context.codingPath.isEmpty && context.underlyingError != nil
                ? "not valid JSON" : "\(place(context))\(context.debugDescription)"
        @unknown default:
            return "not valid JSON"
        }
    }

    /// `at capabilities[2].value: ` for a coding path, or "" at the top.
    package static func place(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            .trimming(".")
        return path.isEmpty ? "" : "at \(path): "
    }

    /// `Array<String>` -> "a list", `Int` -> "a whole number", as an admin reads it.
    package static func plainType(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Dictionary") || name.contains("Server") || name.contains("Trust") || name.contains("Boot") {
            return "a mapping (key: value)"
        }
        switch name {
        case "Int", "Int32", "UInt8", "UInt16": return "a whole number"
        case "Double": return "a number"
        case "String": return "text"
        case "Bool": return "true or false"
        default: return "a mapping (key: value)"
        }
    }
}
