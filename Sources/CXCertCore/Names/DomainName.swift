#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Host names as they enter cxcert (`--host`, `--pool`, `--server`, domains, simple URLs, deployment
/// files): checked as DNS host names and turned into A-labels, so `bücher.contoso.com` is compared and
/// written as `xn--bcher-kva.contoso.com`, and nothing that could change the structure of a generated
/// OpenSSL config or certreq INF (a newline, `=`, `"`, `[`) gets through.
///
/// The conversion is IDNA 2008 as UTS 46 applies it for lookup, without the full mapping table: each
/// label is lower-cased and NFC-normalised, may hold only letters, combining marks, digits and hyphens,
/// and is Punycode-encoded (RFC 3492). Anything else is refused with the reason rather than guessed at.
public enum DomainName {
    /// Why a text is not a valid host name (or URL), printed on one line with control characters escaped.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text as given.
        public let text: String
        /// What is wrong with it (`it is empty`, a bad label...).
        public let reason: String
        /// "DNS name" or "URL".
        public var what = "DNS name"
        public var description: String { "'\(Self.printable(text))' is not a valid \(what): \(reason)" }

        /// The text with control characters escaped, so an error line stays one line.
        static func printable(_ text: String) -> String {
            text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        }
    }

    /// The A-label form of a host name (lower case, no trailing dot), or why it is not one.
    public static func aLabels(_ text: String) throws(Invalid) -> String {
        func fail(_ reason: String) -> Invalid { Invalid(text: text, reason: reason) }
        var name = text
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw fail("it is empty") }
        if let bad = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control || $0.value == 0x7F }) {
            throw fail("it contains the control character U+\(hex(bad.value, width: 4))")
        }
        if name.contains("*") { throw fail("wildcards ('*') are not host names; phones do not accept them") }
        if name.contains("@") { throw fail("'@' makes it an address, not a host name") }
        if name.contains(where: \.isWhitespace) { throw fail("it contains a space") }
        var labels: [String] = []
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            labels.append(try aLabel(String(label), in: text))
        }
        let result = labels.joined(separator: ".")
        guard result.utf8.count <= 253 else { throw fail("it is longer than 253 characters") }
        return result
    }

    /// A `--host` value: an IP literal as given, or a host name in A-labels.
    public static func host(_ text: String) throws(Invalid) -> String {
        if HostnameMatcher.ipAddress(text) != nil { return text }
        return try aLabels(text)
    }

    /// Whether `text` is already a plain LDH host name (ASCII letters, digits, hyphens, dots).
    public static func isASCIIHostName(_ text: String) -> Bool {
        (try? aLabels(text)) == text.lowercased().trimmingSuffix(".") && text.allSatisfy(\.isASCII)
    }

    static func aLabel(_ label: String, in text: String) throws(Invalid) -> String {
        func fail(_ reason: String) -> Invalid { Invalid(text: text, reason: reason) }
        guard !label.isEmpty else { throw fail("it has an empty label ('..', or a leading dot)") }
        // NFC: the standard library's (FoundationEssentials has no precomposedStringWithCanonicalMapping).
        #if canImport(FoundationEssentials)
            let mapped = String(decoding: label.lowercased()._nfcCodeUnits, as: UTF8.self)
        #else
            let mapped = label.lowercased().precomposedStringWithCanonicalMapping
        #endif
        let ascii = mapped.unicodeScalars.allSatisfy(\.isASCII)
        for scalar in mapped.unicodeScalars {
            let ok: Bool
            if scalar.isASCII {
                ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
            } else {
                switch scalar.properties.generalCategory {
                case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter, .nonspacingMark,
                    .spacingMark, .enclosingMark, .decimalNumber:
                    ok = true
                default: ok = false
                }
            }
            guard ok else { throw fail("'\(Invalid.printable(String(scalar)))' cannot appear in a host name") }
        }
        guard !mapped.hasPrefix("-"), !mapped.hasSuffix("-") else { throw fail("a label starts or ends with '-'") }
        let encoded: String
        if ascii {
            encoded = mapped
            if encoded.hasPrefix("xn--"), punycodeDecodes(String(encoded.dropFirst(4))) == false {
                throw fail("'\(encoded)' is not a valid A-label")
            }
        } else {
            guard let puny = punycode(mapped) else { throw fail("the label '\(label)' cannot be encoded") }
            encoded = "xn--" + puny
        }
        guard encoded.utf8.count <= 63 else { throw fail("a label is longer than 63 characters") }
        return encoded
    }

    // RFC 3492 parameters.
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    private static func adapt(_ delta: Int, _ points: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Character {
        Character(UnicodeScalar(UInt8(value < 26 ? value + 97 : value + 22)))
    }

    /// RFC 3492 Punycode of a label (without the `xn--` prefix).
    static func punycode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = String(input.filter { $0 < 0x80 }.map { Character(UnicodeScalar(UInt8($0))) })
        let basic = output.count
        var handled = basic
        if basic > 0 { output.append("-") }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            guard (m - n) <= (Int.max - delta) / (handled + 1) else { return nil }
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basic)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// Whether an A-label's Punycode part decodes (a bare structural check).
    static func punycodeDecodes(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        let body = text.lastIndex(of: "-").map { text[text.index(after: $0)...] } ?? Substring(text)
        var i = 0
        var bias = initialBias
        var count = text.lastIndex(of: "-").map { text.distance(from: text.startIndex, to: $0) } ?? 0
        var iterator = body.unicodeScalars.makeIterator()
        while let first = iterator.next() {
            let oldI = i
            var w = 1
            var k = base
            var scalar: Unicode.Scalar? = first
            while true {
                guard let current = scalar else { return false }
                let value: Int
                switch current {
                case "a"..."z": value = Int(current.value) - 97
                case "0"..."9": value = Int(current.value) - 22
                default: return false
                }
                guard value <= (Int.max - i) / w else { return false }
                i += value * w
                let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                if value < t { break }
                guard w <= Int.max / (base - t) else { return false }
                w *= base - t
                k += base
                scalar = iterator.next()
            }
            count += 1
            bias = adapt(i - oldI, count, oldI == 0)
            i %= count
        }
        return true
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
