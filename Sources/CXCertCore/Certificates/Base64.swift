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
    /// place into an uninitialised output sized up front, with no per-byte capacity check; whole groups of four
    /// alphabet bytes (the bulk of every line) are decoded in a tight loop, and a column is counted only for a message.
    private static func decodeBuffer(_ text: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Result<[UInt8], CertificateDecodingError> {
        // One read of the lazily initialised table: indexing `Self.table` in the loop checks its once-token per byte.
        let table = Self.table
        var failure: CertificateDecodingError?
        // Every four alphabet bytes make three; the tail adds at most two.
        let output = [UInt8](unsafeUninitializedCapacity: text.count / 4 * 3 + 2) { out, initialized in
            initialized = 0
            table.withUnsafeBufferPointer { table in
                var written = 0
                var accumulator: UInt32 = 0
                var count = 0
                var padding = 0
                var line = firstLine
                // The offset just past the last line feed: a byte's column is its offset + 1 - lineStart.
                var lineStart = 0
                var index = 0
                let end = text.count
                while index < end {
                    if count == 0, padding == 0 {
                        // Four alphabet bytes at a group boundary, as the byte-by-byte steps below would decode them
                        // (raw pointers and wrapping arithmetic: the offsets are bounded by the buffers' sizes).
                        let input = text.baseAddress!
                        let output = out.baseAddress!
                        while index &+ 4 <= end {
                            let a = table[Int(input[index])]
                            let b = table[Int(input[index &+ 1])]
                            let c = table[Int(input[index &+ 2])]
                            let d = table[Int(input[index &+ 3])]
                            guard (a | b | c | d) >= 0 else { break }
                            let group =
                                UInt32(truncatingIfNeeded: a) &<< 18 | UInt32(truncatingIfNeeded: b) &<< 12
                                | UInt32(truncatingIfNeeded: c) &<< 6 | UInt32(truncatingIfNeeded: d)
                            output[written] = UInt8(truncatingIfNeeded: group &>> 16)
                            output[written &+ 1] = UInt8(truncatingIfNeeded: group &>> 8)
                            output[written &+ 2] = UInt8(truncatingIfNeeded: group)
                            written &+= 3
                            index &+= 4
                        }
                        guard index < end else { break }
                    }
                    let char = text[index]
                    index += 1
                    // One table look-up per byte: the alphabet first, the rare markers after.
                    let value = table[Int(char)]
                    if value >= 0 {
                        guard padding == 0 else {
                            failure = .invalidBase64(line: line, column: index - lineStart, reason: "data after '=' padding")
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
                        lineStart = index
                    case space:
                        continue
                    case pad:
                        padding += 1
                        guard padding <= 2 else {
                            failure = .invalidBase64(line: line, column: index - lineStart, reason: "too much '=' padding")
                            return
                        }
                    default:
                        let shown = char >= 0x20 && char < 0x7F ? "'\(Character(Unicode.Scalar(char)))'" : "byte 0x\(hexString([char]))"
                        failure = .invalidBase64(line: line, column: index - lineStart, reason: "\(shown) is not a base64 character")
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
                    failure = .invalidBase64(
                        line: line, column: end - lineStart, reason: "the text ends in the middle of a base64 group")
                    return
                }
                initialized = written
            }
        }
        if let failure { return .failure(failure) }
        return .success(output)
    }
}
