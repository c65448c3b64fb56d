#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ISO 8601 in UTC with seconds, the one date format of every JSON output.
package func iso8601(_ date: Date) -> String {
    // Written digit by digit for 1583-9999 (every certificate date there is): a format style and its time zone cost
    // 25,000 instructions a date, and `inspect --json` writes a hundred. Other years, the Gregorian calendar's Julian
    // ones among them, are the format style's.
    let seconds = date.timeIntervalSince1970
    guard seconds >= -12_212_553_600, seconds < 253_402_300_800 else {
        return date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
    let whole = Int(seconds.rounded(.down))
    let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
    let time = whole - days * 86_400
    let day = CivilDate.date(days: days)
    var text: [UInt8] = []
    text.reserveCapacity(20)
    func put(_ value: Int, _ digits: Int, then separator: UInt8?) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
        if let separator { text.append(separator) }
    }
    put(day.year, 4, then: UInt8(ascii: "-"))
    put(day.month, 2, then: UInt8(ascii: "-"))
    put(day.day, 2, then: UInt8(ascii: "T"))
    put(time / 3600, 2, then: UInt8(ascii: ":"))
    put(time / 60 % 60, 2, then: UInt8(ascii: ":"))
    put(time % 60, 2, then: UInt8(ascii: "Z"))
    return String(decoding: text, as: UTF8.self)
}

/// The one date parser for options, deployment files and device data. Strict: each field is checked
/// against its range (no 2027-02-30 rolling into March, no 25:61:61), years are four digits (0001-9999).
public enum StrictDate {
    /// Why a text is not a date, with the formats that are accepted.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text as given.
        public let text: String
        /// What is wrong with it (`month 13 does not exist`).
        public let reason: String
        public var description: String {
            "'\(text)' is not a valid date: \(reason) (use 2026-01-31, 2026-01-31T12:00:00Z or 2026-01-31T12:00:00+01:00)"
        }
    }

    /// Parses `2026-01-31` (midnight UTC), or a date with a time and a zone: `2026-01-31T12:00:00Z`,
    /// `2026-01-31T12:00+01:00`, with optional fractional seconds.
    /// - Throws: ``Invalid`` naming the first field that is missing or out of range.
    public static func parse(_ text: String) throws(Invalid) -> Date {
        func fail(_ reason: String) -> Invalid { Invalid(text: text, reason: reason) }
        let chars = Array(text.utf8)
        var index = 0
        func number(_ digits: Int, _ what: String) throws(Invalid) -> Int {
            guard index + digits <= chars.count, chars[index..<index + digits].allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw fail("expected \(digits) digits for the \(what)")
            }
            let value = chars[index..<index + digits].reduce(0) { $0 * 10 + Int($1 - 0x30) }
            index += digits
            return value
        }
        func expect(_ byte: UInt8, _ what: String) throws(Invalid) {
            guard index < chars.count, chars[index] == byte else { throw fail("expected \(what)") }
            index += 1
        }
        let year = try number(4, "year")
        if index < chars.count, (0x30...0x39).contains(chars[index]) { throw fail("the year must have four digits (0001-9999)") }
        try expect(UInt8(ascii: "-"), "'-' after the year")
        let month = try number(2, "month")
        try expect(UInt8(ascii: "-"), "'-' after the month")
        let day = try number(2, "day")
        guard year >= 1 else { throw fail("year 0000 does not exist") }
        guard (1...12).contains(month) else { throw fail("month \(month) does not exist") }
        let days = CivilDate.daysIn(month: month, year: year)
        guard (1...days).contains(day) else { throw fail("month \(month) of \(year) has \(days) days") }
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
        var offset = 0
        if index < chars.count {
            guard chars[index] == UInt8(ascii: "T") || chars[index] == UInt8(ascii: "t") else { throw fail("expected 'T' before the time") }
            index += 1
            hour = try number(2, "hour")
            try expect(UInt8(ascii: ":"), "':' after the hour")
            minute = try number(2, "minute")
            if index < chars.count, chars[index] == UInt8(ascii: ":") {
                index += 1
                second = try number(2, "second")
                if index < chars.count, chars[index] == UInt8(ascii: ".") || chars[index] == UInt8(ascii: ",") {
                    index += 1
                    let start = index
                    while index < chars.count, (0x30...0x39).contains(chars[index]), index - start < 9 { index += 1 }
                    guard index > start else { throw fail("expected digits after the decimal point") }
                    fraction = Double("0." + String(decoding: chars[start..<index], as: UTF8.self)) ?? 0
                }
            }
            guard hour <= 23 else { throw fail("hour \(hour) does not exist (00-23)") }
            guard minute <= 59 else { throw fail("minute \(minute) does not exist (00-59)") }
            guard second <= 59 else { throw fail("second \(second) does not exist (00-59)") }
            guard index < chars.count else { throw fail("a time needs a zone: Z or +HH:MM") }
            switch chars[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"): index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                let hours = try number(2, "zone hours")
                if index < chars.count, chars[index] == UInt8(ascii: ":") { index += 1 }
                let minutes = try number(2, "zone minutes")
                guard hours <= 23, minutes <= 59 else { throw fail("zone offset \(hours):\(minutes) does not exist") }
                offset = sign * (hours * 3600 + minutes * 60)
            default: throw fail("a time needs a zone: Z or +HH:MM")
            }
        }
        guard index == chars.count else { throw fail("unexpected text after the date") }
        let epochDays = CivilDate.days(year: year, month: month, day: day)
        let seconds = Double(epochDays * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Hex with a separator, for identifiers people compare by eye.
package func hexString(_ bytes: [UInt8], separator: String) -> String {
    bytes.map { hexString([$0]) }.joined(separator: separator)
}

/// The bytes of an even-length hex string, nil for anything else.
package func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
    }
    return bytes
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// A duration as people read it: milliseconds under a second, minutes under two hours, days beyond two days.
package func durationText(_ seconds: TimeInterval) -> String {
    let value = abs(seconds)
    if value < 1 { return fixed(value, decimals: 3) + " s" }
    if value < 120 { return fixed(value, decimals: 1) + " s" }
    if value < 7200 { return fixed(value / 60, decimals: 0) + " min" }
    if value < 172_800 { return fixed(value / 3600, decimals: 1) + " h" }
    return fixed(value / 86400, decimals: 1) + " days"
}

/// `value` with `decimals` digits after the point, as printf's `%.<decimals>f` writes it (`%+.<decimals>f` with `sign`:
/// a `+` before positive values): the C library's own conversion, so rounding and `inf`/`nan` are printf's.
package func fixed(_ value: Double, decimals: Int, sign: Bool = false) -> String {
    // The longest: a sign, 309 integer digits (DBL_MAX), the point and the decimals.
    var buffer = [CChar](repeating: 0, count: 320 + max(0, decimals))
    let count = buffer.count
    _ = withVaList([Int32(clamping: max(0, decimals)), value]) { arguments in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, count, sign ? "%+.*f" : "%.*f", arguments) }
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `value` as `value.formatted()` writes it in the `en_US` and POSIX locales (ICU's default number style): its shortest
/// decimal form rounded half-even to at most six decimals, trailing zeros dropped, thousands grouped with commas
/// (`1,234.5`, `15`, `0.000002`).
package func groupedNumber(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : value < 0 ? "-∞" : "∞" }
    // The shortest digits that read back as `value`, and where the point goes: "1.5e-06" is 15 with the point at -5.
    let text = value.magnitude.description
    let parts = text.split(separator: "e", maxSplits: 1)
    let mantissa = parts[0]
    let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let dot = mantissa.firstIndex(of: ".")
    var digits = Array(mantissa.filter { $0 != "." }.utf8.map { Int($0) - 48 })
    var point = (dot.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exponent
    if point < 0 {
        digits = Array(repeating: 0, count: -point) + digits
        point = 0
    }
    if digits.count < point { digits += Array(repeating: 0, count: point - digits.count) }
    // Half-even at six decimals, on the decimal digits (not on the binary value, as printf rounds).
    let kept = point + 6
    if digits.count > kept {
        let rest = digits[kept...]
        let first = rest.first!
        let tie = first == 5 && rest.dropFirst().allSatisfy { $0 == 0 }
        let odd = kept > 0 && digits[kept - 1] % 2 == 1
        digits.removeSubrange(kept...)
        if first > 5 || (first == 5 && !tie) || (tie && odd) {
            var index = kept - 1
            while index >= 0 {
                if digits[index] < 9 {
                    digits[index] += 1
                    break
                }
                digits[index] = 0
                index -= 1
            }
            if index < 0 {
                digits.insert(1, at: 0)
                point += 1
            }
        }
    }
    var integer = digits[..<point].map(String.init).joined()
    var fraction = digits[point...].map(String.init).joined()
    while fraction.hasSuffix("0") { fraction.removeLast() }
    integer = String(integer.drop { $0 == "0" })
    if integer.isEmpty { integer = "0" }
    var grouped = ""
    for (offset, character) in integer.enumerated() {
        if offset > 0 && (integer.count - offset) % 3 == 0 { grouped.append(",") }
        grouped.append(character)
    }
    return (value.sign == .minus ? "-" : "") + grouped + (fraction.isEmpty ? "" : "." + fraction)
}

/// `value` in hexadecimal with at least `width` digits (leading zeros), as printf's `%0<width>X` (`%0<width>x` when
/// not `uppercase`) writes an unsigned value.
package func hex(_ value: some UnsignedInteger, width: Int, uppercase: Bool = true) -> String {
    let digits = String(value, radix: 16, uppercase: uppercase)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// `value` in decimal with at least `width` characters, zeros after the sign, as printf's `%0<width>d` writes it.
package func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value.magnitude)
    let sign = value < 0 ? "-" : ""
    let zeros = max(0, width - sign.count - digits.count)
    return sign + String(repeating: "0", count: zeros) + digits
}

/// Bytes as ASCII, with every unprintable byte shown as a dot.
package func printableASCII(_ bytes: [UInt8]) -> String {
    String(bytes.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
}

/// The first `length` characters of an answer as text, for a report: control characters other than newlines shown as
/// `.`, and `…` when there was more. Every answer a step keeps (HTTP bodies, SIP messages) goes through it.
package func answerExcerpt(_ bytes: some Collection<UInt8>, length: Int) -> String {
    let text = String(decoding: bytes.prefix(length * 4), as: UTF8.self)
    let kept = text.prefix(length).map { $0.isASCII && ($0.asciiValue! < 0x20 && $0 != "\n") ? "." : $0 }
    return String(kept) + (text.count > length || bytes.count > length * 4 ? "…" : "")
}
