import Foundation

/// A data row's source as a reader of a report needs it: the document, without the project's own references to its seed
/// files and line numbers (`seeds/cx700-deployment-guide.txt l.162-173`, `seed 004 l.35`) and to its research notes
/// (`via lpe-facts.md 1.4`, `phone-discovery.md E-6`), which stay in the data files and the `source` fields of the JSON.
package func readableSource(_ source: String) -> String {
    var text = source
    for (pattern, replacement) in readableSourceRules {
        text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }
    return text.trimmingCharacters(in: CharacterSet(charactersIn: " ,;"))
}

/// A section of a research note: `1.4`, `E-6`, `B1`, `section 4`, or a confidence letter after a comma (`1.3, L`).
private let noteSection = #"(?:section\s+)?(?:[A-Z](?:-?\d+(?:\.\d+)*)?\b|\d+(?:\.\d+)*)"#

/// The patterns removed, in order, then the punctuation they leave tidied.
private let readableSourceRules: [(String, String)] = [
    (#"\s*\(seeds?/[^)]*\)"#, ""), (#"\s*\(seed \d+[^)]*\)"#, ""), (#",?\s*seeds?/\S+"#, ""), (#",?\s*seed \d+ l\.[\d,\-]+"#, ""),
    (#"\s+l\.\d+(-\d+)?"#, ""),
    // A research note (`lpe-facts.md`, `reference/phone-discovery.md`) with its sections, not a URL's last part.
    (
        #"\s*(?:,?\s*(?:via|see|and|in)\s+)?(?<![\w./-])(?:reference/)?[\w-]+\.md\b(?:\s+"# + noteSection + #"(?:\s?[/,]\s?"#
            + noteSection + #")*)?"#, ""
    ),
    (#"\(\s*[,;:]?\s*\)"#, ""), (#"\(\s*[,;:]\s*"#, "("), (#"\s*,\s*(?=[:;)])"#, ""), (#"\s+(?=[.,;:)])"#, ""), (#"\s{2,}"#, " "),
]
