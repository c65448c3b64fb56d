#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one escaping function per output kind, used by every renderer: text from certificates, DHCP options,
/// DNS, HTTP, LDAP and TLS peers is data, and none of it may move a terminal's cursor, end a Markdown line
/// or table cell, open an HTML tag, or break a JSON string.
///
/// A control character is written as `\u{1b}` (its code in hex) in terminal text, Markdown and HTML: C0
/// (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F, which some terminals read as ESC sequences) and the
/// bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder what a reader sees.
public enum Escaping {
    /// Whether `scalar` is written escaped in every output kind.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func visible(_ scalar: Unicode.Scalar) -> String { "\\u{\(String(scalar.value, radix: 16))}" }

    /// One field for a terminal: every control character, line breaks included, written as `\u{..}`.
    public static func terminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) { out += visible(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// A whole rendered text for a terminal, as the command line prints it: line breaks and tabs are kept, and so are the
    /// exact colour codes ``TextStyle`` writes (`ESC [ 0|1|2|31|32|33 m`); every other control character is
    /// written as `\u{..}`. Renderers escape each field with ``terminal(_:)`` first; this is the net under them.
    public static func terminalOutput(_ text: String) -> String {
        // Every control scalar has a byte below 0x20 or from 0x7F up: text with neither (but line ends and tabs), the
        // usual case, is returned without a walk of its scalars. Text with such a byte (a dash, an accent) but no control
        // is returned as it is too. Neither check nor the rewrite copies the text into an array of scalars (4 bytes each:
        // 350 MB for the 88 MB `trace --json` of 5,000 phones); the scalars are walked in place.
        // Over the contiguous bytes when the string has them (a native one always does): a tight loop, where the view's
        // own iteration costs inspect --json of 50 certificates 4M instructions.
        let suspect: (UInt8) -> Bool = { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 >= 0x7F }
        guard text.utf8.withContiguousStorageIfAvailable({ $0.contains(where: suspect) }) ?? text.utf8.contains(where: suspect) else {
            return text
        }
        let scalars = text.unicodeScalars
        guard scalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        let styles: Set<String> = ["0", "1", "2", "31", "32", "33"]
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            if scalar == "\u{1B}", next < scalars.endIndex, scalars[next] == "[" {
                // ESC [ and at most three digits, then m: kept if it is one of TextStyle's codes.
                let digits = scalars.index(after: next)
                var end = digits
                var count = 0
                while end < scalars.endIndex, count < 3, ("0"..."9").contains(scalars[end]) {
                    end = scalars.index(after: end)
                    count += 1
                }
                if end < scalars.endIndex, scalars[end] == "m", styles.contains(String(scalars[digits..<end])) {
                    out.unicodeScalars.append(contentsOf: scalars[index...end])
                    index = scalars.index(after: end)
                    continue
                }
            }
            if scalar != "\n" && scalar != "\t" && isControl(scalar) { out += visible(scalar) } else { out.unicodeScalars.append(scalar) }
            index = next
        }
        return out
    }

    /// One field as inert Markdown: HTML written as entities (a renderer must not run a subject's `<script>`),
    /// Markdown syntax backslash-escaped, a line break (CR, LF or CR LF, which Swift reads as one `Character`)
    /// as one space, other control characters as `\u{..}`.
    public static func markdown(_ text: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|", "\\", "`", "*", "_", "[", "]", "#": out += "\\\(scalar)"
            case "\n" where previousCR: continue
            case "\n", "\r": out += " "
            case _ where isControl(scalar): out += "\\" + visible(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One field as HTML text or an attribute value: the five characters that could end either (`& < > " '`)
    /// as entities, control characters as `\u{..}` (the page may be printed to a terminal with `--html -`).
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where isControl(scalar): out += visible(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Encoded JSON made safe for a terminal: `JSONEncoder` escapes C0 already; DEL, C1 and the bidirectional
    /// controls, which it writes raw, become `\u00XX`/`\uXXXX` escapes (valid JSON, the same string once parsed).
    public static func json(_ encoded: String) -> String {
        // Only DEL, the C1 controls and the bidi marks are left to escape (JSONEncoder escapes C0, and the line
        // breaks of pretty-printed output must stay): text with no byte from DEL up, the usual case, is returned
        // as it is, without a walk of its scalars.
        guard encoded.utf8.contains(where: { $0 >= 0x7F }), encoded.unicodeScalars.contains(where: { isControl($0) && $0.value >= 0x20 })
        else { return encoded }
        var out = ""
        for scalar in encoded.unicodeScalars {
            if isControl(scalar) && scalar.value >= 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
