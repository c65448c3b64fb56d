/// Strict base64: whitespace (including CRLF) is skipped, anything else outside the alphabet is an
/// error that names its line and column, unlike Foundation's all-or-nothing decoder.
enum Base64 {
    /// The value of each byte: 0-63 for the alphabet, or one of the markers below.
    private static let table: [Int8] = {
        var table = [Int8](repeating: invalid, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = Int8(index)
        }
        for char in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")] { table[Int(char)] = space }
        table[Int(UInt8(ascii: "\n"))] = newline
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
    private static let invalid: Int8 = -1, space: Int8 = -2, newline: Int8 = -3, pad: Int8 = -4

    /// Decodes `text`; `firstLine` numbers the first line for error messages.
    static func decode<S: Sequence>(_ text: S, firstLine: Int = 1) throws(CertificateDecodingError) -> [UInt8]
    where S.Element == UInt8 {
        // Contiguous input (arrays, slices) is read in place; anything else is copied once.
        if let contiguous = text.withContiguousStorageIfAvailable({ decodeBuffer($0, firstLine: firstLine) }) {
            return try contiguous.get()
        }
        return try Array(text).withUnsafeBufferPointer { decodeBuffer($0, firstLine: firstLine) }.get()
    }

    /// The hot loop of every PEM read (a batch decodes one file per leaf): a raw buffer in, the bytes written in
    /// place into an output sized up front, with no per-byte capacity check.
    private static func decodeBuffer(_ text: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Result<[UInt8], CertificateDecodingError> {
        // One read of the lazily initialised table: indexing `Self.table` in the loop checks its once-token per byte.
        let table = Self.table
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
