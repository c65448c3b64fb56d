/// A `Decoder` over a loaded ``YAMLNode`` tree, with YAML 1.1's resolution of plain scalars as Yams did it for the
/// types deployment files use: `true/false/yes/no/on/off` (any case) for Bool, integers (decimal, `0x`, `0o`, `0b`,
/// a leading `0` for octal, `_` separators, `1:30` base 60), floats (the integers, decimals, exponents, `.inf`, `.nan`),
/// and `~`, `null` or nothing for an absent value. Quoted and block scalars are text only; any scalar is text when
/// text is asked for. Errors are `DecodingError`s with the coding path, as `JSONDecoder`'s are.
struct YAMLNodeDecoder: Decoder {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ node: YAMLNode, codingPath: [any CodingKey] = []) {
        self.node = node
        self.codingPath = codingPath
    }

    /// A coding key of a sequence element.
    struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let pairs, _) = node else { throw mismatch([String: YAMLNode].self) }
        return KeyedDecodingContainer(Keyed<Key>(decoder: self, pairs: pairs))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items, _) = node else { throw mismatch([YAMLNode].self) }
        return Unkeyed(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(_ node: YAMLNode, _ key: any CodingKey) -> YAMLNodeDecoder { YAMLNodeDecoder(node, codingPath: codingPath + [key]) }

    /// `typeMismatch`, or `valueNotFound` when the node is an absent value (`~`, `null`, nothing).
    func mismatch(_ type: Any.Type) -> DecodingError {
        isNull
            ? .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "found no value"))
            : .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found something else"))
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.resolvesAsPlain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.value)
    }

    /// The scalar, when it is one that resolves as plain (not quoted, not `!!str`).
    private var plain: String? {
        guard case .scalar(let scalar) = node, scalar.resolvesAsPlain else { return nil }
        return scalar.value
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let text = plain, let value = Self.integer(text).flatMap(T.init(exactly:)) else { throw mismatch(type) }
        return value
    }

    func floatingPoint<T: BinaryFloatingPoint>(_ type: T.Type) throws -> T {
        guard let text = plain, let value = Self.floatingPoint(text) else { throw mismatch(type) }
        return T(value)
    }

    /// A YAML 1.1 integer, as Yams read one: `_` ignored; a sign; `0x`, `0b`, `0o` or `0` (octal) before the digits, or
    /// base-60 parts (`1:30`); nil when it is not one or does not fit.
    static func integer(_ text: String) -> Int? {
        let cleaned = text.filter { $0 != "_" }
        let negative = cleaned.hasPrefix("-")
        let unsigned = negative || cleaned.hasPrefix("+") ? cleaned.dropFirst() : cleaned[...]
        func signed(_ digits: Substring, radix: Int) -> Int? {
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
            return Int((negative ? "-" : "") + digits, radix: radix)
        }
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8)] where unsigned.hasPrefix(prefix) {
            return signed(unsigned.dropFirst(2), radix: radix)
        }
        if unsigned.contains(":") {
            var total = 0
            for part in unsigned.split(separator: ":", omittingEmptySubsequences: false) {
                guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let digit = Int(part) else { return nil }
                let (shifted, overflow) = total.multipliedReportingOverflow(by: 60)
                let (sum, carry) = shifted.addingReportingOverflow(digit)
                guard !overflow && !carry else { return nil }
                total = sum
            }
            return negative ? -total : total
        }
        if unsigned.count > 1 && unsigned.hasPrefix("0") { return signed(unsigned.dropFirst(), radix: 8) }
        guard unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return signed(unsigned, radix: 10)
    }

    /// A YAML 1.1 float: `.inf`, `-.inf`, `.nan` (three spellings each), a decimal with an optional exponent, base-60
    /// parts (`1:30.5`), or any integer form above; `_` ignored.
    static func floatingPoint(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let cleaned = text.filter { $0 != "_" }
        if isDecimal(cleaned[...]) { return Double(cleaned) }
        if cleaned.contains(":") {
            let negative = cleaned.hasPrefix("-")
            let unsigned = negative || cleaned.hasPrefix("+") ? cleaned.dropFirst() : cleaned[...]
            let parts = unsigned.split(separator: ":", omittingEmptySubsequences: false)
            var total = 0.0
            for (index, part) in parts.enumerated() {
                let whole = !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber }
                let last = index == parts.count - 1 && !part.hasPrefix("-") && !part.hasPrefix("+") && isDecimal(part)
                guard whole || last, let value = Double(part) else { return nil }
                total = total * 60 + value
            }
            return negative ? -total : total
        }
        return integer(text).map(Double.init)
    }

    /// `[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?`
    private static func isDecimal(_ text: Substring) -> Bool {
        var rest = text.drop { $0 == "-" || $0 == "+" }
        guard text.count - rest.count <= 1 else { return false }
        let digit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
        let whole = rest.prefix(while: digit)
        rest = rest.dropFirst(whole.count)
        var fraction = Substring()
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: digit)
            rest = rest.dropFirst(fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return false }
        if let e = rest.first, e == "e" || e == "E" {
            rest = rest.dropFirst()
            if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
            let exponent = rest.prefix(while: digit)
            guard !exponent.isEmpty else { return false }
            rest = rest.dropFirst(exponent.count)
        }
        return rest.isEmpty
    }

    /// The mappings of a file, read by key.
    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: YAMLNodeDecoder
        let pairs: [YAMLPair]

        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { pairs.compactMap { $0.key.string.flatMap(Key.init(stringValue:)) } }
        func contains(_ key: Key) -> Bool { pairs.contains { $0.key.string == key.stringValue } }

        func child(_ key: Key) throws -> YAMLNodeDecoder {
            guard let pair = pairs.last(where: { $0.key.string == key.stringValue }) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no key '\(key.stringValue)'"))
            }
            return decoder.child(pair.value, key)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try child(key).isNull }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key)) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<
            NestedKey
        > { try child(key).container(keyedBy: type) }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    /// The sequences of a file, read in order.
    struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: YAMLNodeDecoder
        let items: [YAMLNode]
        var currentIndex = 0

        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        mutating func next(_ type: Any.Type) throws -> YAMLNodeDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    type, .init(codingPath: codingPath + [Index(currentIndex)], debugDescription: "the list has no more values"))
            }
            defer { currentIndex += 1 }
            return decoder.child(items[currentIndex], Index(currentIndex))
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { return false }
            guard decoder.child(items[currentIndex], Index(currentIndex)).isNull else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next(type).decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next(type).decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try next(type).decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next(type).decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).decode(type) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next(type)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next([String: YAMLNode].self).container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([YAMLNode].self).unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next(YAMLNode.self) }
    }
}

extension YAMLNodeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch plain?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw mismatch(type)
        }
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .scalar(let scalar) = node else { throw mismatch(type) }
        return scalar.value
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}
