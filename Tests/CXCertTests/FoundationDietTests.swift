import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery

/// The modules import FoundationEssentials only (issue #29); what they used of full Foundation is replaced by small
/// helpers. Each is checked here against the Foundation call it replaces, which the tests still link.
@Suite("Foundation diet: each replacement gives what the Foundation call gave")
struct FoundationDietTests {
    /// A reproducible stream of numbers (the inputs must be the same on every run).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    /// Every BMP scalar (no surrogates) and a few beyond.
    static let scalars: [Unicode.Scalar] =
        (0..<0xD800).compactMap(Unicode.Scalar.init) + (0xE000...0xFFFF).compactMap(Unicode.Scalar.init)
        + [0x1_0000, 0x1_F600, 0x1_D7CE, 0x2_0000, 0xE_0020, 0x10_FFFF].compactMap(Unicode.Scalar.init)

    @Test("trimming: spaces, spaces and newlines, newlines and given characters, on every BMP scalar")
    func trimming() {
        var mismatches: [String] = []
        for scalar in Self.scalars {
            let c = String(scalar)
            for text in [c, c + "a" + c, "a" + c + "b", c + c + "\u{301}" + c] {
                if text.trimmingSpaces() != text.trimmingCharacters(in: .whitespaces) { mismatches.append("spaces \(scalar.value)") }
                if text.trimmingSpacesAndNewlines() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                    mismatches.append("spaces and newlines \(scalar.value)")
                }
                if text.trimmingNewlines() != text.trimmingCharacters(in: .newlines) { mismatches.append("newlines \(scalar.value)") }
                let sub = ("x" + text + "y").dropFirst().dropLast()
                if sub.trimmingSpaces() != sub.trimmingCharacters(in: .whitespaces) { mismatches.append("substring \(scalar.value)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        for text in ["..a.b..", ".", "", "a", " ,;x; ,", ";;", "é.", ".\u{301}a"] {
            #expect(text.trimming(".") == text.trimmingCharacters(in: CharacterSet(charactersIn: ".")), "\(text)")
            #expect(text.trimming(" ,;") == text.trimmingCharacters(in: CharacterSet(charactersIn: " ,;")), "\(text)")
        }
    }

    @Test("replacing, finding and padding work on scalars as NSString does: \\r is found in \\r\\n")
    func replacingFindingPadding() {
        let texts = ["", "a\r\nb\r\n", "\r", "T12:00T", "TT", "0x0x01", "tls1.2TLS", "a&b<c>d&&", "é\u{301}:é:", "x://y://", "\r\n\r\n"]
        let pairs = [("\r", ""), ("T", " "), ("0x", ""), ("tls", ""), ("&", "&amp;"), (":", ""), ("<", "&lt;"), ("//", "/")]
        for text in texts {
            for (target, replacement) in pairs {
                #expect(text.replacingAll(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
            }
            let old = text.range(of: "://").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) }
            #expect(text.firstScalarRange(of: "://").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) } == old)
            for length in [0, 1, 3, 8, 20] {
                #expect(text.padded(toLength: length) == text.padding(toLength: length, withPad: " ", startingAt: 0), "\(text) \(length)")
            }
        }
    }

    @Test("fixed decimals, hexadecimal and zero-padded numbers are String(format:)'s, byte for byte")
    func numbers() {
        var generator = Generator(state: 29)
        var values: [Double] = [
            0, -0.0, 0.0005, 0.0015, 0.125, 0.375, 2.5, 3.5, -2.5, 0.05, 0.95, 1e-7, 59.95, 119.95, 1e15, 1e20, 1e300, -1e300,
            .greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity,
        ]
        values += (0..<3_000).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
        values += (0..<1_000).map { _ in Double(Int.random(in: -100_000...100_000, using: &generator)) / 1000 + 0.0005 }
        for value in values {
            #expect(fixed(value, decimals: 3) == String(format: "%.3f", value))
            #expect(fixed(value, decimals: 1) == String(format: "%.1f", value))
            #expect(fixed(value, decimals: 0) == String(format: "%.0f", value))
            #expect(fixed(value, decimals: 3, sign: true) == String(format: "%+.3f", value))
        }
        for seconds in values where seconds.isFinite {
            let value = abs(seconds)
            let old =
                value < 1
                ? String(format: "%.3f s", value)
                : value < 120
                    ? String(format: "%.1f s", value)
                    : value < 7200
                        ? String(format: "%.0f min", value / 60)
                        : value < 172_800 ? String(format: "%.1f h", value / 3600) : String(format: "%.1f days", value / 86400)
            #expect(durationText(seconds) == old)
        }
        var grouped =
            values + [0.1234567, 1.5e-6, 5e-7, 2.5e-6, 3.5e-6, 2.0000005, 999_999.9999996, 0.9999995, 1e16 + 2, 123_456.7, 15, 2.5, -1e-9]
        grouped += (0..<2_000).map { _ in
            Double(Int.random(in: 0...10_000_000, using: &generator)) / 10_000_000
                * pow(10, Double(Int.random(in: -8...9, using: &generator)))
        }
        for value in grouped where value.isFinite { #expect(groupedNumber(value) == value.formatted(), "\(value)") }
        for value in UInt16.min...UInt16.max {
            #expect(hex(value, width: 4) == String(format: "%04X", value))
            #expect(hex(value, width: 4, uppercase: false) == String(format: "%04x", value))
            #expect(zeroPadded(Int(value), width: 5) == String(format: "%05d", value))
        }
        for value in UInt8.min...UInt8.max {
            #expect(hex(value, width: 2) == String(format: "%02X", value))
            #expect(hex(value, width: 2, uppercase: false) == String(format: "%02x", value))
        }
        for value in [0, 0x1F, 0x2F0D, 0xFFFF, 0x1_0000, 0x10_FFFF, Int(UInt32.max), 0x1_2345_6789] {
            #expect("0x" + hex(UInt32(truncatingIfNeeded: value), width: 4) == String(format: "0x%04X", value))
            #expect(hex(UInt32(truncatingIfNeeded: value), width: 4, uppercase: false) == String(format: "%04x", value))
        }
        for value in [-1, -42, -99_999, -100_000, 123_456] { #expect(zeroPadded(value, width: 5) == String(format: "%05d", value)) }
    }

    @Test("NFC without Foundation: host-name labels compose as precomposedStringWithCanonicalMapping does")
    func composition() {
        for text in ["e\u{301}", "\u{212B}", "A\u{30A}", "\u{FB01}", "\u{1100}\u{1161}\u{11A8}", "\u{0958}", "ö", "o\u{308}\u{301}", "abc"]
        {
            #expect(String(decoding: text._nfcCodeUnits, as: UTF8.self) == text.precomposedStringWithCanonicalMapping, "\(text)")
        }
        #expect((try? DomainName.aLabels("cafe\u{301}.example")) == (try? DomainName.aLabels("caf\u{E9}.example")))
    }

    /// `readableSource` as it was, on `NSRegularExpression`: the oracle.
    static func oldReadableSource(_ source: String) -> String {
        let section = #"(?:section\s+)?(?:[A-Z](?:-?\d+(?:\.\d+)*)?\b|\d+(?:\.\d+)*)"#
        let rules: [(String, String)] = [
            (#"\s*\(seeds?/[^)]*\)"#, ""), (#"\s*\(seed \d+[^)]*\)"#, ""), (#",?\s*seeds?/\S+"#, ""), (#",?\s*seed \d+ l\.[\d,\-]+"#, ""),
            (#"\s+l\.\d+(-\d+)?"#, ""),
            (
                #"\s*(?:,?\s*(?:via|see|and|in)\s+)?(?<![\w./-])(?:reference/)?[\w-]+\.md\b(?:\s+"# + section + #"(?:\s?[/,]\s?"#
                    + section + #")*)?"#, ""
            ),
            (#"\(\s*[,;:]?\s*\)"#, ""), (#"\(\s*[,;:]\s*"#, "("), (#"\s*,\s*(?=[:;)])"#, ""), (#"\s+(?=[.,;:)])"#, ""), (#"\s{2,}"#, " "),
        ]
        var text = source
        for (pattern, replacement) in rules {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: " ,;"))
    }

    /// Every string of the built-in device data (its sources among them).
    static func knowledgeStrings() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Sources/CXCertCore/Knowledge")
        var strings: [String] = []
        func collect(_ value: Any) {
            if let text = value as? String { strings.append(text) }
            if let array = value as? [Any] { array.forEach(collect) }
            if let object = value as? [String: Any] { object.values.forEach(collect) }
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            collect(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))))
        }
        let swift = try String(
            contentsOf: root.appendingPathComponent("Sources/CXCertCore/Devices/BuiltInDeviceData.swift"), encoding: .utf8)
        strings += swift.components(separatedBy: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        return strings
    }

    @Test("readableSource gives what the NSRegularExpression rules gave, on the device data and on made-up sources")
    func readableSources() throws {
        let known = try Self.knowledgeStrings()
        #expect(known.count > 200)
        let tokens = [
            "via", "see", "and", "in", "x", "Ab", " ", "  ", ",", ";", ":", "(", ")", ".", "/", "-", "_", "lpe-facts.md", "reference/",
            "phone-discovery.md", "a.md", "E-6", "1.4", "B5", "L", "section", "seed", "seeds/", "seed 004", "l.", "12", "-3", "\u{A0}",
            "\u{0B}", "\u{85}", "\u{2028}", "\t", "\n", "é", "\u{301}", "\u{200C}", "\u{663}", "https://a.example/", "md", "\u{3000}",
        ]
        var generator = Generator(state: 4)
        let made = (0..<4_000).map { _ in
            (0..<Int.random(in: 1...14, using: &generator)).map { _ in tokens.randomElement(using: &generator)! }.joined()
        }
        // Every scalar beyond printable ASCII spelled out: the differences are in the spaces.
        func shown(_ text: String) -> String {
            text.unicodeScalars.map { (0x20..<0x7F).contains($0.value) ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        }
        var mismatches: [String] = []
        for text in known + made where readableSource(text) != Self.oldReadableSource(text) {
            mismatches.append("\(shown(text)): \(shown(readableSource(text))) vs \(shown(Self.oldReadableSource(text)))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(10).joined(separator: "\n"))")
    }

    @Test("build numbers in a request are found as the NSRegularExpression found them")
    func buildNumbers() {
        let pattern = try! NSRegularExpression(pattern: "\\b([1-9])\\.([0-9]{1,2})\\.([0-9]{3,5})\\.([0-9]{1,5})\\b")
        func old(_ text: String) -> [String] {
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range, in: text).map { String(text[$0]) }
            }
        }
        let tokens = [
            "1", "4", "9", "0", "12", "123", "7577", "89012", "123456", ".", "..", " ", "a", "_", "é", "\u{301}", "\u{663}", "-", "/",
            "4.0.7577.4463",
        ]
        var generator = Generator(state: 6907)
        var texts = [
            "GET /x?v=4.0.7577.4463 HTTP/1.1", "3.5.6907.35;1.2.345.6789.1", "10.0.0.1", "a4.0.7577.4463", "4.0.7577.44634", "1.2.345.6_",
        ]
        texts += (0..<5_000).map { _ in
            (0..<Int.random(in: 1...16, using: &generator)).map { _ in tokens.randomElement(using: &generator)! }.joined()
        }
        for text in texts { #expect(CaptureReader.firmwareVersions(in: text) == old(text), "\(text.debugDescription)") }
    }

    @Test("Condition: a timed wait ends at its deadline, a signal ends it sooner; startThread runs its body")
    func condition() async {
        let condition = Condition()
        condition.lock()
        #expect(!condition.wait(until: Date().addingTimeInterval(0.05)))
        #expect(!condition.wait(until: Date.distantPast))
        condition.unlock()
        let box = Lock()
        nonisolated(unsafe) var ran = false
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            #expect(
                startThread(stackSize: 1 << 20) {
                    box.withLock { ran = true }
                    continuation.resume()
                })
        }
        #expect(box.withLock { ran })
    }
}
