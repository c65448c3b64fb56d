/// Strict base64: whitespace (including CRLF) is skipped, anything else outside the alphabet is an
/// error that names its line and column, unlike Foundation's all-or-nothing decoder.
enum Base64 {
    private static let table: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = Int8(index)
        }
        return table
    }()

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
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        var line = firstLine
        var column = 0
        for char in text {
            column += 1
            switch char {
            case UInt8(ascii: "\n"):
                line += 1
                column = 0
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2 else { throw .invalidBase64(line: line, column: column, reason: "too much '=' padding") }
                continue
            default:
                break
            }
            let value = table[Int(char)]
            guard value >= 0 else {
                let shown = char >= 0x20 && char < 0x7F ? "'\(Character(Unicode.Scalar(char)))'" : "byte 0x\(hexString([char]))"
                throw .invalidBase64(line: line, column: column, reason: "\(shown) is not a base64 character")
            }
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
