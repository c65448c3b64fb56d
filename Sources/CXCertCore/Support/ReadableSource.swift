/// A data row's source as a reader of a report needs it: the document, without the project's own references to its seed
/// files and line numbers (`seeds/cx700-deployment-guide.txt l.162-173`, `seed 004 l.35`) and to its research notes
/// (`via lpe-facts.md 1.4`, `phone-discovery.md E-6`), which stay in the data files and the `source` fields of the JSON.
package func readableSource(_ source: String) -> String {
    var text = source
    for rule in readableSourceRules {
        text = text.replacing(rule.pattern) { match in
            guard let kept = rule.kept, let put = match.output[kept].substring else { return rule.replacement }
            return String(put)
        }
    }
    return text.trimming(" ,;")
}

/// One rule: what is replaced, by what, or by the capture group `kept` when that matched.
private struct ReadableSourceRule: @unchecked Sendable {
    let pattern: Regex<AnyRegexOutput>
    let replacement: String
    let kept: Int?

    /// `pattern` as `NSRegularExpression` (ICU) reads it, matched on Unicode scalars: `\s` (White_Space), `\w` and `\d`
    /// spelled as ICU defines them, and `\b`, which here always
    /// follows a word character, as ICU's test there: no word character, combining mark or format character next.
    /// (The standard library's `\b` on scalars is not ICU's, and wrong after `B` in `B5`.)
    init(_ pattern: String, _ replacement: String = "", kept: Int? = nil) {
        var icu = ""
        var inClass = false
        var escaped = false
        for scalar in pattern.unicodeScalars {
            if escaped {
                escaped = false
                switch (scalar, inClass) {
                case ("s", false): icu += #"\p{White_Space}"#
                case ("s", true): icu += #"\p{White_Space}"#
                case ("S", false): icu += #"\P{White_Space}"#
                case ("w", false): icu += "[" + icuWord + "]"
                case ("w", true): icu += icuWord
                case ("d", _): icu += #"\p{Nd}"#
                case ("b", false): icu += "(?![" + icuWord + #"\p{Cf}\p{Grapheme_Extend}])"#
                default: icu += "\\" + String(scalar)
                }
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            default: break
            }
            if !escaped { icu.unicodeScalars.append(scalar) }
        }
        self.pattern = try! Regex(icu).matchingSemantics(.unicodeScalar)
        self.replacement = replacement
        self.kept = kept
    }
}

/// ICU's word characters, as in a character class.
private let icuWord = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}"#

/// A section of a research note: `1.4`, `E-6`, `B1`, `section 4`, or a confidence letter after a comma (`1.3, L`).
private let noteSection = #"(?:section\s+)?(?:[A-Z](?:-?\d+(?:\.\d+)*)?\b|\d+(?:\.\d+)*)"#

/// The patterns removed, in order, then the punctuation they leave tidied.
private let readableSourceRules: [ReadableSourceRule] = [
    .init(#"\s*\(seeds?/[^)]*\)"#), .init(#"\s*\(seed \d+[^)]*\)"#), .init(#",?\s*seeds?/\S+"#), .init(#",?\s*seed \d+ l\.[\d,\-]+"#),
    .init(#"\s+l\.\d+(-\d+)?"#),
    // A research note (`lpe-facts.md`, `reference/phone-discovery.md`) with its sections, not a URL's last part: after
    // `via`, `see`, `and` or `in` or spaces, or else not right after a word character, `.`, `/` or `-`. Without
    // lookbehind in the standard library's expressions, that one character before is matched and put back; a note
    // and a `via` cannot both start at one place, so the order of the tries is ICU's `(?<![\w./-])`'s.
    .init(
        #"(?:\s*,?\s*(?:via|see|and|in)\s+|\s+|(^|[^\w./-]))(?:reference/)?[\w-]+\.md\b(?:\s+"# + noteSection + #"(?:\s?[/,]\s?"#
            + noteSection + #")*)?"#,
        kept: 1),
    .init(#"\(\s*[,;:]?\s*\)"#), .init(#"\(\s*[,;:]\s*"#, "("), .init(#"\s*,\s*(?=[:;)])"#), .init(#"\s+(?=[.,;:)])"#),
    .init(#"\s{2,}"#, " "),
]
