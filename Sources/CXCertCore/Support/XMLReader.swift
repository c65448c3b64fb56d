/// A small, non-validating XML reader with namespaces, enough for SOAP answers. It refuses
/// DOCTYPE declarations outright, so entity-expansion bombs and external entities cannot apply.
package struct XMLReader {
    package struct Element {
        package var namespace: String?
        package var localName: String
        package var attributes: [String: String]
        package var children: [Element]
        /// Text directly inside this element (child elements' text excluded).
        package var text: String
        package var line: Int

        /// This element and every descendant, depth first.
        package var allElements: [Element] { [self] + children.flatMap(\.allElements) }
    }

    package struct Failure: Error {
        package var line: Int
        package var reason: String
    }

    static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a whole document and returns its root element.
    package static func parse(_ bytes: [UInt8]) throws(Failure) -> Element {
        var reader = XMLReader(bytes)
        return try reader.document()
    }

    private mutating func document() throws(Failure) -> Element {
        var root: Element?
        while true {
            skipWhitespace()
            guard index < bytes.count else { break }
            guard peek("<") else {
                throw fail(root == nil ? "text before the root element" : "text after the root element")
            }
            if try skipMarkup() { continue }
            guard root == nil else { throw fail("a second root element") }
            root = try element(scopes: [["xml": "http://www.w3.org/XML/1998/namespace"]], depth: 0)
        }
        guard let root else { throw fail("no root element") }
        return root
    }

    /// Skips a comment or processing instruction; refuses DTDs. Returns false at an element.
    private mutating func skipMarkup() throws(Failure) -> Bool {
        if peek("<?") {
            try skip(past: "?>", what: "processing instruction")
            return true
        }
        if peek("<!--") {
            try skip(past: "-->", what: "comment")
            return true
        }
        if peek("<!DOCTYPE") || peek("<!ENTITY") {
            throw fail("DOCTYPE and entity declarations are refused (they enable entity-expansion attacks)")
        }
        if peek("<!") && !peek("<![CDATA[") { throw fail("unsupported markup declaration") }
        return false
    }

    private mutating func element(scopes: [[String: String]], depth: Int) throws(Failure) -> Element {
        guard depth < Self.maxDepth else { throw fail("elements nested deeper than \(Self.maxDepth) levels") }
        let startLine = line
        index += 1  // "<"
        let qualified = try name()
        var rawAttributes: [(String, String)] = []
        var selfClosing = false
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("the document ends inside <\(qualified)>") }
            if peek("/>") {
                index += 2
                selfClosing = true
                break
            }
            if peek(">") {
                index += 1
                break
            }
            let attribute = try name()
            skipWhitespace()
            guard peek("=") else { throw fail("attribute \(attribute) has no value") }
            index += 1
            skipWhitespace()
            rawAttributes.append((attribute, try quoted()))
        }
        var scope = scopes.last ?? [:]
        for (key, value) in rawAttributes {
            if key == "xmlns" { scope[""] = value } else if key.hasPrefix("xmlns:") { scope[String(key.dropFirst(6))] = value }
        }
        let scopes = scopes + [scope]
        let (prefix, local) = split(qualified)
        guard prefix.isEmpty || scope[prefix] != nil else { throw fail("undeclared namespace prefix '\(prefix)'") }
        var result = Element(
            namespace: scope[prefix], localName: local,
            attributes: Dictionary(rawAttributes, uniquingKeysWith: { first, _ in first }),
            children: [], text: "", line: startLine)
        if selfClosing { return result }
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("<\(qualified)> is never closed") }
            if peek("</") {
                index += 2
                let closing = try name()
                guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                skipWhitespace()
                guard peek(">") else { throw fail("malformed end tag </\(closing)") }
                index += 1
                result.text = String(decoding: text, as: UTF8.self)
                return result
            }
            if peek("<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>", what: "CDATA section")
                text.append(contentsOf: bytes[start..<index - 3])
                continue
            }
            if peek("<") {
                if try skipMarkup() { continue }
                result.children.append(try element(scopes: scopes, depth: depth + 1))
                continue
            }
            if peek("&") {
                text.append(contentsOf: try reference())
                continue
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            text.append(bytes[index])
            index += 1
        }
    }

    private mutating func reference() throws(Failure) -> [UInt8] {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ";"), index - start < 12 { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw fail("unterminated character reference") }
        let body = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
        index += 1
        switch body {
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "amp": return Array("&".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            let scalar: UInt32? =
                body.hasPrefix("#x")
                ? UInt32(body.dropFirst(2), radix: 16)
                : body.hasPrefix("#") ? UInt32(body.dropFirst(1)) : nil
            guard let scalar, let unicode = Unicode.Scalar(scalar) else { throw fail("undefined entity &\(body);") }
            return Array(String(Character(unicode)).utf8)
        }
    }

    private mutating func quoted() throws(Failure) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("attribute value is not quoted")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while index < bytes.count, bytes[index] != quote {
            if bytes[index] == UInt8(ascii: "<") { throw fail("'<' inside an attribute value") }
            if bytes[index] == UInt8(ascii: "&") {
                value.append(contentsOf: try reference())
                continue
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            value.append(bytes[index])
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated attribute value") }
        index += 1
        return String(decoding: value, as: UTF8.self)
    }

    private mutating func name() throws(Failure) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isNameByte =
                byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isNameByte else { break }
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func split(_ qualified: String) -> (String, String) {
        guard let colon = qualified.firstIndex(of: ":") else { return ("", qualified) }
        return (String(qualified[..<colon]), String(qualified[qualified.index(after: colon)...]))
    }

    private mutating func skip(past terminator: String, what: String) throws(Failure) {
        let target = Array(terminator.utf8)
        while index < bytes.count {
            if bytes[index] == target[0], bytes[index...].starts(with: target) {
                index += target.count
                return
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        throw fail("unterminated \(what)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            default: return
            }
            index += 1
        }
    }

    private func peek(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
    }

    private func fail(_ reason: String) -> Failure { Failure(line: line, reason: reason) }
}
