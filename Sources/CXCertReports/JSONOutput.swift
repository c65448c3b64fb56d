#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The project's JSON: pretty, keys sorted, slashes unescaped.
public enum JSONOutput {
    /// `value` as the project's JSON text (`null` if it cannot be encoded).
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return Escaping.json(String(decoding: data, as: UTF8.self))
    }

    /// `value` as one line of JSON, keys sorted: for output read line by line (`verify --batch --json`'s summary).
    public static func line<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "null" }
        return Escaping.json(String(decoding: data, as: UTF8.self))
    }
}
