/// The few `NSString` text operations the modules use, on the standard library alone (no Foundation, no NSString
/// bridge). They work on Unicode scalars, as `NSString` works on UTF-16 units, never on grapheme clusters: trimming
/// `"\r"` from `"a\r\n"` leaves `"a\r\n"` for a `Character` search (`"\r\n"` is one character) but `"a\n"` here, as in
/// Foundation.
extension Unicode.Scalar {
    /// In Foundation's `CharacterSet.whitespaces`: tab, the space separators (Unicode category Zs: space, U+00A0,
    /// U+1680, U+2000-U+200A, U+202F, U+205F, U+3000) and U+200B (zero width space).
    package var isSpaceOrTab: Bool {
        self == " " || self == "\t" || (value >= 0x80 && (properties.generalCategory == .spaceSeparator || value == 0x200B))
    }

    /// A word character of ICU's regular expressions (`\w`, and `\b`'s sides): alphabetic, a mark, a decimal digit,
    /// a connector (`_`), U+200C or U+200D.
    package var isRegexWordCharacter: Bool {
        if isASCII {
            return ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self) || self == "_"
        }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return properties.isAlphabetic || value == 0x200C || value == 0x200D
        }
    }

    /// What ICU's `\b` looks through: a combining mark (Grapheme_Extend) or a format character (Cf).
    package var isRegexBoundaryTransparent: Bool { properties.isGraphemeExtend || properties.generalCategory == .format }

    /// In Foundation's `CharacterSet.newlines`: U+000A-U+000D, U+0085, U+2028 and U+2029.
    package var isLineBreak: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}

extension Substring {
    /// The text without the leading and trailing scalars for which `isTrimmed` holds.
    package func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }), let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// `trimmingCharacters(in: .whitespaces)`: without leading and trailing tabs and Unicode spaces.
    package func trimmingSpaces() -> String { trimming(where: \.isSpaceOrTab) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: without leading and trailing tabs, spaces and line breaks.
    package func trimmingSpacesAndNewlines() -> String { trimming { $0.isSpaceOrTab || $0.isLineBreak } }

    /// `trimmingCharacters(in: CharacterSet(charactersIn: characters))`: without the leading and trailing scalars
    /// that are among those of `characters`.
    package func trimming(_ characters: String) -> String { trimming { characters.unicodeScalars.contains($0) } }
}

extension String {
    /// The text without the leading and trailing scalars for which `isTrimmed` holds (itself, not a copy, when
    /// there are none).
    package func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        if let first = scalars.first, let last = scalars.last, !isTrimmed(first), !isTrimmed(last) { return self }
        return self[...].trimming(where: isTrimmed)
    }

    /// `trimmingCharacters(in: .whitespaces)`: without leading and trailing tabs and Unicode spaces.
    package func trimmingSpaces() -> String { trimming(where: \.isSpaceOrTab) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: without leading and trailing tabs, spaces and line breaks.
    package func trimmingSpacesAndNewlines() -> String { trimming { $0.isSpaceOrTab || $0.isLineBreak } }

    /// `trimmingCharacters(in: .newlines)`: without leading and trailing line breaks.
    package func trimmingNewlines() -> String { trimming(where: \.isLineBreak) }

    /// `trimmingCharacters(in: CharacterSet(charactersIn: characters))`: without the leading and trailing scalars
    /// that are among those of `characters`.
    package func trimming(_ characters: String) -> String { trimming { characters.unicodeScalars.contains($0) } }

    /// `replacingOccurrences(of: target, with: replacement)`: every occurrence of `target`'s scalars, left to right
    /// and not overlapping, replaced (`"\r"` is found in `"\r\n"`).
    package func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return String(unicodeScalars.replacing(target.unicodeScalars, with: replacement.unicodeScalars))
    }

    /// `range(of: target)`: the first occurrence of `target`'s scalars.
    package func firstScalarRange(of target: String) -> Range<String.Index>? {
        unicodeScalars.firstRange(of: target.unicodeScalars)
    }

    /// `padding(toLength: length, withPad: " ", startingAt: 0)`: spaces added up to `length` UTF-16 units, or the
    /// text cut to its first `length` units.
    package func padded(toLength length: Int) -> String {
        let units = utf16.count
        if units >= length { return units == length ? self : String(decoding: utf16.prefix(length), as: UTF16.self) }
        return self + String(repeating: " ", count: length - units)
    }
}

/// Whether ICU's `\b` holds before `scalars[index]` (`index` may be the end): never before a combining mark or format
/// character; otherwise where a word character (`isRegexWordCharacter`) and a non-word one
/// meet, the one before being the last that is neither a combining mark nor a format character.
package func isRegexWordBoundary(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
    var currentIsWord = false
    if index < scalars.count {
        if scalars[index].isRegexBoundaryTransparent { return false }
        currentIsWord = scalars[index].isRegexWordCharacter
    }
    var previous = index - 1
    while previous >= 0 && scalars[previous].isRegexBoundaryTransparent { previous -= 1 }
    return currentIsWord != (previous >= 0 && scalars[previous].isRegexWordCharacter)
}
