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
        // Contiguous input (arrays, slices) is read through a raw buffer: no per-byte generic overhead.
        let contiguous: Result<[UInt8], CertificateDecodingError>? = text.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CertificateDecodingError) in try decodeBuffer(buffer, firstLine: firstLine) }
        }
        if let contiguous { return try contiguous.get() }
        return try decodeBuffer(Array(text), firstLine: firstLine)
    }

    private static func decodeBuffer<C: Collection>(_ text: C, firstLine: Int) throws(CertificateDecodingError) -> [UInt8]
    where C.Element == UInt8 {
        // One read of the lazily initialised table: indexing `Self.table` in the loop checks its once-token per byte.
        let table = Self.table
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        var line = firstLine
        var column = 0
        for char in text {
            column += 1
            // One table look-up per byte: the alphabet first, the rare markers after.
            let value = table[Int(char)]
            if value >= 0 {
                guard padding == 0 else {
                    throw .invalidBase64(line: line, column: column, reason: "data after '=' padding")
                }
                accumulator = accumulator << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    output.append(UInt8(truncatingIfNeeded: accumulator))
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
                guard padding <= 2 else { throw .invalidBase64(line: line, column: column, reason: "too much '=' padding") }
            default:
                let shown = char >= 0x20 && char < 0x7F ? "'\(Character(Unicode.Scalar(char)))'" : "byte 0x\(hexString([char]))"
                throw .invalidBase64(line: line, column: column, reason: "\(shown) is not a base64 character")
            }
        }
        switch count {
        case 0: break
        case 2: output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            throw .invalidBase64(line: line, column: column, reason: "the text ends in the middle of a base64 group")
        }
        return output
    }
}
