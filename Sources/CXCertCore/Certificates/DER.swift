/// A minimal, bounds-checked reader of ASN.1 DER (and BER indefinite lengths) used to sniff formats,
/// walk PKCS#7 containers and report *where* malformed input goes wrong. OpenSSL still parses the
/// certificates themselves; this reader only finds element boundaries.
package struct DERReader {
    /// One tag-length-value element, as offsets into the reader's bytes.
    package struct Element: Equatable {
        package var tag: UInt8
        package var headerStart: Int
        package var contentStart: Int
        /// One past the last content byte (for an indefinite length: the start of the end-of-contents octets).
        package var contentEnd: Int
        /// One past the whole element, including BER end-of-contents octets.
        package var end: Int
        package var isConstructed: Bool { tag & 0x20 != 0 }
        package var contentLength: Int { contentEnd - contentStart }
    }

    package struct Failure: Error, Equatable {
        package enum Kind: Equatable {
            case truncated(needed: Int, available: Int)
            case malformed(String)
            case tooDeep(limit: Int)
        }
        package var offset: Int
        package var kind: Kind
    }

    package let bytes: [UInt8]
    package var maxDepth = 64

    package init(_ bytes: [UInt8], maxDepth: Int = 64) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Reads the element that starts at `offset` and must end by `limit`.
    package func element(at offset: Int, limit: Int? = nil, depth: Int = 0) throws(Failure) -> Element {
        let limit = limit ?? bytes.count
        guard depth <= maxDepth else { throw Failure(offset: offset, kind: .tooDeep(limit: maxDepth)) }
        guard offset < limit else {
            throw Failure(offset: offset, kind: .truncated(needed: 2, available: 0))
        }
        let tag = bytes[offset]
        guard tag & 0x1F != 0x1F else {
            throw Failure(offset: offset, kind: .malformed("high-tag-number form is not used by X.509 or PKCS#7"))
        }
        var cursor = offset + 1
        guard cursor < limit else {
            throw Failure(offset: offset, kind: .truncated(needed: 2, available: limit - offset))
        }
        let first = bytes[cursor]
        cursor += 1
        if first < 0x80 {
            return try definite(tag: tag, start: offset, contentStart: cursor, length: Int(first), limit: limit)
        }
        if first == 0x80 {
            guard tag & 0x20 != 0 else {
                throw Failure(offset: offset + 1, kind: .malformed("indefinite length on a primitive element"))
            }
            // BER: children until the end-of-contents octets 00 00.
            var child = cursor
            while true {
                guard child + 1 < limit else {
                    throw Failure(offset: child, kind: .truncated(needed: 2, available: limit - child))
                }
                if bytes[child] == 0 && bytes[child + 1] == 0 {
                    return Element(tag: tag, headerStart: offset, contentStart: cursor, contentEnd: child, end: child + 2)
                }
                child = try element(at: child, limit: limit, depth: depth + 1).end
            }
        }
        let count = Int(first & 0x7F)
        guard count <= 4 else {
            throw Failure(offset: offset + 1, kind: .malformed("length uses \(count) bytes; no certificate needs more than 4"))
        }
        guard cursor + count <= limit else {
            throw Failure(offset: offset, kind: .truncated(needed: 2 + count, available: limit - offset))
        }
        var length = 0
        for byte in bytes[cursor..<cursor + count] { length = length << 8 | Int(byte) }
        cursor += count
        return try definite(tag: tag, start: offset, contentStart: cursor, length: length, limit: limit)
    }

    private func definite(tag: UInt8, start: Int, contentStart: Int, length: Int, limit: Int) throws(Failure) -> Element {
        guard length <= limit - contentStart else {
            throw Failure(
                offset: start,
                kind: .truncated(needed: contentStart - start + length, available: limit - start))
        }
        let end = contentStart + length
        return Element(tag: tag, headerStart: start, contentStart: contentStart, contentEnd: end, end: end)
    }

    /// A position among the direct children of a constructed element: ``next(_:)`` reads them one at a time, with no
    /// array (the batch's lean reader walks every leaf this way; ``children(of:depth:)`` collects them).
    package struct ChildCursor {
        /// Where the next child starts.
        package fileprivate(set) var offset: Int
        /// One past the parent's last content byte.
        package let end: Int
        /// The parent's depth.
        let depth: Int
    }

    /// A cursor before the first child of `parent`, which must be constructed.
    package func cursor(in parent: Element, depth: Int = 0) throws(Failure) -> ChildCursor {
        guard parent.isConstructed else {
            throw Failure(offset: parent.headerStart, kind: .malformed("expected a constructed element"))
        }
        return ChildCursor(offset: parent.contentStart, end: parent.contentEnd, depth: depth)
    }

    /// The child at `cursor`, moving it past that child; nil after the last.
    package func next(_ cursor: inout ChildCursor) throws(Failure) -> Element? {
        guard cursor.offset < cursor.end else { return nil }
        let child = try element(at: cursor.offset, limit: cursor.end, depth: cursor.depth + 1)
        cursor.offset = child.end
        return child
    }

    /// The direct children of a constructed element.
    package func children(of parent: Element, depth: Int = 0) throws(Failure) -> [Element] {
        var cursor = try cursor(in: parent, depth: depth)
        var result: [Element] = []
        // Certificates' sequences are short: room for them up front spares the growth copies.
        result.reserveCapacity(8)
        while let child = try next(&cursor) { result.append(child) }
        return result
    }

    func slice(_ element: Element) -> ArraySlice<UInt8> { bytes[element.headerStart..<element.end] }
    package func content(_ element: Element) -> ArraySlice<UInt8> { bytes[element.contentStart..<element.contentEnd] }
}

enum DERTag {
    static let integer: UInt8 = 0x02
    static let objectIdentifier: UInt8 = 0x06
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let contextConstructed0: UInt8 = 0xA0
}

/// Object identifiers as dotted strings, decoded from their DER content bytes.
enum OIDString {
    /// OBJECT IDENTIFIER content as OpenSSL's decoder takes it: not empty, no subidentifier padded with a leading 0x80,
    /// the last octet ending one.
    static func isWellFormed(_ content: ArraySlice<UInt8>) -> Bool {
        guard let last = content.last, last & 0x80 == 0 else { return false }
        var atStart = true
        for byte in content {
            if atStart && byte == 0x80 { return false }
            atStart = byte & 0x80 == 0
        }
        return true
    }

    /// The dotted form (`2.5.4.3`), written digit by digit: every name's attributes go through here, and the generic
    /// `map(String.init).joined` cost a one-shot verify a quarter of a million instructions for the cache's names.
    static func dotted<C: Collection>(_ content: C) -> String? where C.Element == UInt8 {
        guard !content.isEmpty else { return nil }
        var text: [UInt8] = []
        text.reserveCapacity(content.count * 3 + 4)
        func put(_ number: UInt64) {
            if !text.isEmpty { text.append(UInt8(ascii: ".")) }
            let start = text.count
            var rest = number
            repeat {
                text.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            text[start...].reverse()
        }
        var value: UInt64 = 0
        var pending = false
        var first = true
        for byte in content {
            guard value < (1 << 56) else { return nil }
            value = value << 7 | UInt64(byte & 0x7F)
            pending = byte & 0x80 != 0
            if !pending {
                if first {
                    if value < 80 {
                        put(value / 40)
                        put(value % 40)
                    } else {
                        put(2)
                        put(value - 80)
                    }
                    first = false
                } else {
                    put(value)
                }
                value = 0
            }
        }
        guard !pending else { return nil }
        return String(decoding: text, as: UTF8.self)
    }
}
