import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// The batch's readers were rewritten for speed (issue #29, round eight): each is held here to the previous
/// implementation, kept verbatim below as the reference, on fixtures, single-bit flips, truncations and random text.
@Suite("batch readers: the rewritten lean reader, base64 decoder and output line equal the previous ones")
struct BatchReaderReferenceTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.withScenarios() }

    /// Every field, as text (the struct is not Equatable).
    func fields(_ lean: LeanCertificate?) -> String { lean.map { "\($0)" } ?? "nil" }

    @Test("the lean reader reads every fixture, trust-store certificate, bit flip and truncation as the previous reader did")
    func leanReader() throws {
        var files = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).filter { $0.hasSuffix(".pem") }.map {
            pki.url($0)
        }
        let store = repositoryRoot.appendingPathComponent("TrustStore")
        files += try FileManager.default.subpathsOfDirectory(atPath: store.path).filter { $0.hasSuffix(".pem") }.map {
            store.appendingPathComponent($0)
        }
        var inputs: [[UInt8]] = []
        for file in files {
            guard let certificate = try? CertificateDecoder().decode(contentsOf: file).certificates.first else { continue }
            inputs.append([UInt8](certificate.der))
        }
        #expect(inputs.count >= 40)
        var read = 0
        for bytes in inputs {
            let expected = ReferenceLeanReader.read(bytes)
            if expected != nil { read += 1 }
            #expect(fields(LeanCertificate(bytes)) == fields(expected))
        }
        #expect(read >= 40)
        // Every single-bit flip (two bits a byte) and every truncation of leaves that take the fast path, and of the odd ones.
        var mutated = 0
        var differing = 0
        for name in ["leaf", "v-wildcard", "v-cn-only", "v-clientauth", "v-pss", "v-rsa4096"] {
            let original = [UInt8](try pki.certificate("\(name).pem").der)
            var variants: [[UInt8]] = (0..<original.count).map { Array(original[..<$0]) }
            for index in original.indices {
                for bit in [0, 2, 7] {
                    var copy = original
                    copy[index] ^= UInt8(1 << bit)
                    variants.append(copy)
                }
            }
            for bytes in variants {
                mutated += 1
                let (new, old) = (fields(LeanCertificate(bytes)), fields(ReferenceLeanReader.read(bytes)))
                if new != old {
                    differing += 1
                    if differing <= 5 { Issue.record("\(name): \(new) vs \(old)") }
                }
            }
        }
        #expect(differing == 0)
        #expect(mutated > 20_000)
    }

    @Test("base64: the decoder answers as the previous one on clean PEM bodies and on random damaged text")
    func base64() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let noise = Array(" \t\r\n=*%-\u{7F}".utf8) + [0x00, 0xC3, 0xFF]
        var texts: [[UInt8]] = []
        for name in ["leaf", "v-rsa4096", "root"] {
            let pem = try pki.directory.read("\(name).pem")
            let body = String(decoding: pem, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(separator: "\n")
            texts.append(Array(body.utf8))
            texts.append(Array(body.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        }
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<120, using: &generator)
            var text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            for _ in 0..<Int.random(in: 0..<4, using: &generator) where !text.isEmpty {
                text.insert(noise.randomElement(using: &generator)!, at: Int.random(in: 0...text.count, using: &generator))
            }
            if Bool.random(using: &generator) {
                text += Array(repeating: UInt8(ascii: "="), count: Int.random(in: 0...3, using: &generator))
            }
            texts.append(text)
        }
        for text in texts {
            let new = Result { () throws(CertificateDecodingError) in try Base64.decode(text, firstLine: 3) }
            let old = text.withUnsafeBufferPointer { ReferenceBase64.decodeBuffer($0, firstLine: 3) }
            #expect(new == old, "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    @Test("the batch's output line equals the previous one, escapes included")
    func line() {
        let paths = [
            "leaves/48FD.pem", "a", "", "dir with space/é.pem", "quote\"d", "back\\slash", "tab\tnew\nline\r", "\u{1}\u{1F}", "ok\u{7F}",
            "\u{202E}bidi", String(repeating: "x", count: 300),
        ]
        let outcomes = [
            BatchVerifier.Outcome(trusted: true, codes: [], fast: true, error: nil),
            BatchVerifier.Outcome(trusted: false, codes: ["eku"], fast: true, error: nil),
            BatchVerifier.Outcome(trusted: false, codes: ["eku", "expired", "odd\"code"], fast: false, error: nil),
            BatchVerifier.Outcome(trusted: false, codes: [], fast: false, error: "cannot open: \"x\"\n"),
        ]
        for path in paths {
            for outcome in outcomes {
                #expect(BatchRun.line(path, outcome) == Self.referenceLine(path, outcome))
            }
        }
    }

    static func referenceLine(_ path: String, _ outcome: BatchVerifier.Outcome) -> String {
        var out =
            "{\"file\":\(BatchRun.quote(path)),\"trusted\":\(outcome.trusted),\"findings\":[\(outcome.codes.map(BatchRun.quote).joined(separator: ","))]"
        if let error = outcome.error { out += ",\"error\":\(BatchRun.quote(error))" }
        return out + "}"
    }
}

/// The lean reader as it was before round eight (one array per constructed element), with the checks the inspect
/// round added (minimal serial, algorithm parameters, a subject OpenSSL decodes, the month's own days), verbatim but
/// for returning the struct from a static function.
enum ReferenceLeanReader {
    static func read(_ bytes: [UInt8]) -> LeanCertificate? {
        let reader = DERReader(bytes, maxDepth: 8)
        guard let outer = try? reader.element(at: 0), outer.tag == DERTag.sequence, outer.end == bytes.count,
            let parts = try? reader.children(of: outer), parts.count == 3, parts[0].tag == DERTag.sequence,
            parts[1].tag == DERTag.sequence, parts[2].tag == 0x03,
            let outerAlgorithm = ReferenceLeanReader.algorithm(reader, parts[1]),
            parts[2].contentLength > 1, bytes[parts[2].contentStart] == 0,
            let fields = try? reader.children(of: parts[0]), fields.count >= 6
        else { return nil }
        var index = 0
        var version = 1
        if fields[0].tag == DERTag.contextConstructed0 {
            guard let inner = try? reader.children(of: fields[0]), inner.count == 1, inner[0].tag == DERTag.integer,
                inner[0].contentLength == 1
            else { return nil }
            version = Int(bytes[inner[0].contentStart]) + 1
            index = 1
        }
        guard fields.count >= index + 6, fields[index].tag == DERTag.integer,
            LeanCertificate.isMinimalInteger(reader.content(fields[index])), fields[index + 1].tag == DERTag.sequence,
            fields[index + 2].tag == DERTag.sequence, fields[index + 3].tag == DERTag.sequence,
            fields[index + 4].tag == DERTag.sequence, fields[index + 5].tag == DERTag.sequence,
            // The TBS signature algorithm must equal the outer one, byte for byte (as OpenSSL requires).
            reader.slice(fields[index + 1]) == reader.slice(parts[1]),
            let validity = try? reader.children(of: fields[index + 3]), validity.count == 2,
            let notBefore = ReferenceLeanReader.time(reader, validity[0]), let notAfter = ReferenceLeanReader.time(reader, validity[1]),
            let spki = try? reader.children(of: fields[index + 5]), spki.count == 2, spki[1].tag == 0x03,
            let keyAlgorithm = ReferenceLeanReader.algorithm(reader, spki[0]),
            ReferenceLeanReader.subjectDecodes(reader, fields[index + 4])
        else { return nil }
        let tbs = parts[0].headerStart..<parts[0].end
        let signatureAlgorithmOID = outerAlgorithm
        let signature = (parts[2].contentStart + 1)..<parts[2].contentEnd
        let serial = fields[index].contentStart..<fields[index].contentEnd
        let issuer = fields[index + 2].headerStart..<fields[index + 2].end
        let subject = fields[index + 4].headerStart..<fields[index + 4].end
        let keyAlgorithmOID = keyAlgorithm
        let rsaBits = keyAlgorithm == OID.rsaEncryption ? (ReferenceLeanReader.rsaModulusBits(reader, spki[1]) ?? 0) : 0

        var aki: Range<Int>?
        var hasEKU = false
        var serverAuth = false
        var usage: UInt16?
        var san = false
        var otherCritical = false
        var plain = true
        var sanDNSNames: [ArraySlice<UInt8>] = []
        for field in fields.dropFirst(index + 6) {
            if field.tag == 0x81 || field.tag == 0x82 || field.tag == 0xA1 || field.tag == 0xA2 { continue }  // unique IDs
            guard field.tag == 0xA3, let wrapper = try? reader.children(of: field), wrapper.count == 1,
                let extensions = try? reader.children(of: wrapper[0])
            else { return nil }
            for ext in extensions {
                guard let items = try? reader.children(of: ext), (2...3).contains(items.count), items[0].tag == DERTag.objectIdentifier,
                    items.last!.tag == 0x04
                else { return nil }
                let oid = reader.content(items[0])
                var critical = false
                if items.count == 3 {
                    guard items[1].tag == 0x01, items[1].contentLength == 1 else { return nil }
                    critical = bytes[items[1].contentStart] != 0
                }
                let value = items.last!
                if oid.elementsEqual(LeanCertificate.authorityKeyID) {
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let inner = try? reader.children(of: sequence)
                    else { return nil }
                    if let keyID = inner.first(where: { $0.tag == 0x80 }) { aki = keyID.contentStart..<keyID.contentEnd }
                } else if oid.elementsEqual(LeanCertificate.extKeyUsage) {
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let purposes = try? reader.children(of: sequence)
                    else { return nil }
                    hasEKU = true
                    serverAuth = purposes.contains {
                        $0.tag == DERTag.objectIdentifier && reader.content($0).elementsEqual(LeanCertificate.serverAuthBytes)
                    }
                    if critical
                        || !purposes.allSatisfy({
                            $0.tag == DERTag.objectIdentifier
                                && (reader.content($0).elementsEqual(LeanCertificate.serverAuthBytes)
                                    || reader.content($0).elementsEqual(LeanCertificate.clientAuthBytes))
                        })
                    {
                        plain = false
                    }
                } else if oid.elementsEqual(LeanCertificate.keyUsageOID) {
                    guard let bits = try? reader.element(at: value.contentStart, limit: value.contentEnd), bits.tag == 0x03,
                        bits.contentLength >= 1, bits.contentLength <= 3
                    else { return nil }
                    var raw: UInt16 = 0
                    for (offset, byte) in reader.content(bits).dropFirst().enumerated() {
                        // Bit 0 is the most significant bit of the first octet.
                        for bit in 0..<8 where byte & (0x80 >> bit) != 0 { raw |= 1 << UInt16(offset * 8 + bit) }
                    }
                    usage = raw
                } else if oid.elementsEqual(LeanCertificate.subjectAltName) {
                    san = true
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        sequence.tag == DERTag.sequence, let names = try? reader.children(of: sequence)
                    else { return nil }
                    for name in names where name.tag == 0x82 {
                        let text = reader.content(name)
                        if text.first == UInt8(ascii: "*") || !WebPKIRules.isPreferredDNSName(bytes: text) {
                            plain = false
                        }
                        sanDNSNames.append(text)
                    }
                    if names.contains(where: { $0.tag == 0x87 && $0.contentLength != 4 && $0.contentLength != 16 }) { plain = false }
                } else if oid.elementsEqual(LeanCertificate.netscapeCertType) {
                    otherCritical = true
                } else if oid.elementsEqual(LeanCertificate.basicConstraints) {
                    // CA:TRUE in leaf position has rules of its own.
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let items = try? reader.children(of: sequence)
                    else { return nil }
                    if let first = items.first, first.tag == 0x01, reader.content(first).contains(where: { $0 != 0 }) { plain = false }
                } else {
                    if critical { otherCritical = true }
                    if oid.elementsEqual(LeanCertificate.nameConstraintsOID) || oid.elementsEqual(LeanCertificate.policyConstraintsOID) {
                        plain = false
                    }
                    if oid.elementsEqual(LeanCertificate.authorityInfoAccess) {
                        let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd)
                        let items = sequence.flatMap { $0.tag == DERTag.sequence ? try? reader.children(of: $0) : nil } ?? []
                        if items.isEmpty || sequence?.end != value.contentEnd || !items.allSatisfy({ $0.tag == DERTag.sequence }) {
                            plain = false
                        }
                    }
                }
            }
        }
        // The subject CN, if any, must be one of the SAN DNS names byte for byte.
        if plain {
            if let commonNames = ReferenceLeanReader.commonNames(reader, fields[index + 4]) {
                plain = commonNames.allSatisfy { name in sanDNSNames.contains { $0.elementsEqual(name) } }
            } else {
                plain = false
            }
        }
        return LeanCertificate(
            tbs: tbs, signatureAlgorithmOID: signatureAlgorithmOID, signature: signature, version: version, serial: serial,
            issuer: issuer, subject: subject, notBefore: notBefore, notAfter: notAfter, keyAlgorithmOID: keyAlgorithmOID,
            rsaBits: rsaBits, authorityKeyIdentifier: aki, hasExtendedKeyUsage: hasEKU, extendedKeyUsageHasServerAuth: serverAuth,
            keyUsage: usage, hasSubjectAltName: san, otherCriticalExtensions: otherCritical, plainForWebPKI: plain)
    }

    /// The values of the subject's CN attributes, or nil when the name cannot be read here.
    private static func commonNames(_ reader: DERReader, _ name: DERReader.Element) -> [ArraySlice<UInt8>]? {
        guard let sets = try? reader.children(of: name) else { return nil }
        var values: [ArraySlice<UInt8>] = []
        for set in sets {
            guard set.tag == 0x31, let attributes = try? reader.children(of: set) else { return nil }
            for attribute in attributes {
                guard let items = try? reader.children(of: attribute), items.count == 2, items[0].tag == DERTag.objectIdentifier else {
                    return nil
                }
                if reader.content(items[0]).elementsEqual(LeanCertificate.commonNameOID) {
                    // Only the plain string types compare byte for byte with an IA5String SAN entry.
                    guard [0x0C, 0x13, 0x16].contains(items[1].tag) else { return nil }
                    values.append(reader.content(items[1]))
                }
            }
        }
        return values
    }

    /// The OID of an AlgorithmIdentifier, from the known table first (no string building on the hot path).
    private static func algorithm(_ reader: DERReader, _ element: DERReader.Element) -> String? {
        guard let items = try? reader.children(of: element), (1...2).contains(items.count), let first = items.first,
            first.tag == DERTag.objectIdentifier, OIDString.isWellFormed(reader.content(first))
        else {
            return nil
        }
        if items.count == 2 {
            let parameters = items[1]
            guard
                (parameters.tag == 0x05 && parameters.contentLength == 0) || parameters.tag == DERTag.sequence
                    || (parameters.tag == DERTag.objectIdentifier && OIDString.isWellFormed(reader.content(parameters)))
            else { return nil }
        }
        let content = reader.content(first)
        if let known = LeanCertificate.knownAlgorithms.first(where: { content.elementsEqual($0.0) }) { return known.1 }
        return OIDString.dotted(content)
    }

    private static func subjectDecodes(_ reader: DERReader, _ name: DERReader.Element) -> Bool {
        guard let sets = try? reader.children(of: name) else { return false }
        for set in sets {
            guard set.tag == DERTag.set, let attributes = try? reader.children(of: set), !attributes.isEmpty else { return false }
            for attribute in attributes {
                guard attribute.tag == DERTag.sequence, let items = try? reader.children(of: attribute), items.count == 2,
                    items[0].tag == DERTag.objectIdentifier, OIDString.isWellFormed(reader.content(items[0]))
                else { return false }
                let value = reader.content(items[1])
                switch items[1].tag {
                case 0x12, 0x13, 0x14, 0x16: continue
                case 0x0C: guard String(validating: value, as: UTF8.self) != nil else { return false }
                case 0x1E:
                    guard value.count % 2 == 0,
                        stride(from: value.startIndex, to: value.endIndex, by: 2).allSatisfy({ value[$0] & 0xF8 != 0xD8 })
                    else { return false }
                default: return false
                }
            }
        }
        return true
    }

    /// UTCTime or GeneralizedTime in the `...Z` form RFC 5280 requires, as seconds since 1970.
    static func time(_ reader: DERReader, _ element: DERReader.Element) -> Int64? {
        let text = reader.content(element)
        let digits: Int
        switch element.tag {
        case 0x17: digits = 12
        case 0x18: digits = 14
        default: return nil
        }
        guard text.count == digits + 1, text.last == UInt8(ascii: "Z") else { return nil }
        var values: [Int] = []
        var index = text.startIndex
        while index < text.endIndex - 1 {
            let high = Int(text[index]) - 48
            let low = Int(text[index + 1]) - 48
            guard (0...9).contains(high), (0...9).contains(low) else { return nil }
            values.append(high * 10 + low)
            index += 2
        }
        var year: Int
        if element.tag == 0x17 {
            year = values[0] + (values[0] >= 50 ? 1900 : 2000)
            values.removeFirst()
        } else {
            year = values[0] * 100 + values[1]
            values.removeFirst(2)
        }
        let (month, day, hour, minute, second) = (values[0], values[1], values[2], values[3], values[4])
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        // Days from the civil date (H. Hinnant's algorithm).
        year -= month <= 2 ? 1 : 0
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The bit length of an RSA modulus inside a subjectPublicKey BIT STRING.
    private static func rsaModulusBits(_ reader: DERReader, _ bitString: DERReader.Element) -> Int? {
        guard bitString.contentLength > 1, reader.bytes[bitString.contentStart] == 0,
            let key = try? reader.element(at: bitString.contentStart + 1, limit: bitString.contentEnd), key.tag == DERTag.sequence,
            let numbers = try? reader.children(of: key), numbers.count == 2, numbers[0].tag == DERTag.integer
        else { return nil }
        var modulus = reader.content(numbers[0]).drop { $0 == 0 }
        guard let first = modulus.first else { return nil }
        modulus = modulus.dropFirst()
        return modulus.count * 8 + (8 - first.leadingZeroBitCount)
    }
}

/// The base64 decoder as it was before round eight.
enum ReferenceBase64 {
    /// The value of each byte: 0-63 for the alphabet, or one of the markers below.
    static let table: [Int8] = {
        var table = [Int8](repeating: invalid, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = Int8(index)
        }
        for char in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")] { table[Int(char)] = space }
        table[Int(UInt8(ascii: "\n"))] = newline
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
    static let invalid: Int8 = -1, space: Int8 = -2, newline: Int8 = -3, pad: Int8 = -4

    static func decodeBuffer(_ text: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Result<[UInt8], CertificateDecodingError> {
        // One read of the lazily initialised table: indexing `ReferenceBase64.table` in the loop checks its once-token per byte.
        let table = ReferenceBase64.table
        // Every four alphabet bytes make three; the tail adds at most two.
        var output = [UInt8](repeating: 0, count: text.count / 4 * 3 + 2)
        var written = 0
        var failure: CertificateDecodingError?
        table.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { out in
                var accumulator: UInt32 = 0
                var count = 0
                var padding = 0
                var line = firstLine
                var column = 0
                var index = 0
                while index < text.count {
                    // Four alphabet bytes at a group boundary, the bulk of every line: the whole group at once, as the
                    // byte-by-byte steps below would decode it.
                    if count == 0, padding == 0, index + 4 <= text.count {
                        let a = table[Int(text[index])]
                        let b = table[Int(text[index + 1])]
                        let c = table[Int(text[index + 2])]
                        let d = table[Int(text[index + 3])]
                        if (a | b | c | d) >= 0 {
                            let group =
                                UInt32(truncatingIfNeeded: a) << 18 | UInt32(truncatingIfNeeded: b) << 12
                                | UInt32(truncatingIfNeeded: c) << 6 | UInt32(truncatingIfNeeded: d)
                            out[written] = UInt8(truncatingIfNeeded: group >> 16)
                            out[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                            out[written + 2] = UInt8(truncatingIfNeeded: group)
                            written += 3
                            index += 4
                            column += 4
                            continue
                        }
                    }
                    let char = text[index]
                    index += 1
                    column += 1
                    // One table look-up per byte: the alphabet first, the rare markers after.
                    let value = table[Int(char)]
                    if value >= 0 {
                        guard padding == 0 else {
                            failure = .invalidBase64(line: line, column: column, reason: "data after '=' padding")
                            return
                        }
                        accumulator = accumulator << 6 | UInt32(value)
                        count += 1
                        if count == 4 {
                            out[written] = UInt8(truncatingIfNeeded: accumulator >> 16)
                            out[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                            out[written + 2] = UInt8(truncatingIfNeeded: accumulator)
                            written += 3
                            accumulator = 0
                            count = 0
                        }
                        continue
                    }
                    switch value {
                    case newline:
                        line += 1
                        column = 0
                    case space:
                        continue
                    case pad:
                        padding += 1
                        guard padding <= 2 else {
                            failure = .invalidBase64(line: line, column: column, reason: "too much '=' padding")
                            return
                        }
                    default:
                        let shown = char >= 0x20 && char < 0x7F ? "'\(Character(Unicode.Scalar(char)))'" : "byte 0x\(hexString([char]))"
                        failure = .invalidBase64(line: line, column: column, reason: "\(shown) is not a base64 character")
                        return
                    }
                }
                switch count {
                case 0: break
                case 2:
                    out[written] = UInt8(truncatingIfNeeded: accumulator >> 4)
                    written += 1
                case 3:
                    out[written] = UInt8(truncatingIfNeeded: accumulator >> 10)
                    out[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 2)
                    written += 2
                default:
                    failure = .invalidBase64(line: line, column: column, reason: "the text ends in the middle of a base64 group")
                }
            }
        }
        if let failure { return .failure(failure) }
        output.removeLast(output.count - written)
        return .success(output)
    }
}
