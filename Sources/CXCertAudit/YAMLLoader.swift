import CXCertCore
internal import CYAML

/// Where a node or a problem is in the text: 1-based line and column (columns count Unicode scalars, as libyaml
/// does).
struct YAMLMark: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    /// "line 3, column 1".
    var description: String { "line \(line), column \(column)" }

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// libyaml's mark, which counts from 0.
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}

/// A scalar as the file wrote it: its text, how it was quoted and its explicit tag, before any type is decided.
struct YAMLScalar: Sendable, Hashable {
    /// How the scalar was written.
    enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The explicit tags accepted: YAML's core schema, and the non-specific `!` (text). Any other is refused.
    enum Tag: String, Sendable, Hashable, CaseIterable {
        case nonSpecific = "!"
        case str = "tag:yaml.org,2002:str"
        case int = "tag:yaml.org,2002:int"
        case float = "tag:yaml.org,2002:float"
        case bool = "tag:yaml.org,2002:bool"
        case null = "tag:yaml.org,2002:null"
        case seq = "tag:yaml.org,2002:seq"
        case map = "tag:yaml.org,2002:map"

        /// `!!str` for `tag:yaml.org,2002:str`, as files write it.
        var shortName: String { Self.shortName(rawValue) }

        static func shortName(_ tag: String) -> String {
            tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        }
    }

    var value: String
    var style: Style
    var tag: Tag?
    var mark: YAMLMark

    /// Resolved as YAML 1.1 resolves an untagged plain scalar (null, bool, number, else text): plain and untagged,
    /// or tagged int/float/bool/null. Quoted and block scalars, and `!`/`!!str`, are text only.
    var resolvesAsPlain: Bool {
        switch tag {
        case nil: style == .plain
        case .int?, .float?, .bool?, .null?: true
        case .nonSpecific?, .str?, .seq?, .map?: false
        }
    }
}

/// One node of a YAML document, as libyaml's events build it: mappings keep their keys in file order.
enum YAMLNode: Sendable, Hashable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], mark: YAMLMark)
    case mapping([YAMLPair], mark: YAMLMark)

    /// Where the node starts.
    var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark): mark
        }
    }

    /// The text of a scalar (a mapping key, say); nil for a collection.
    var string: String? {
        if case .scalar(let scalar) = self { return scalar.value }
        return nil
    }
}

/// A mapping's key and its value.
struct YAMLPair: Sendable, Hashable {
    var key: YAMLNode
    var value: YAMLNode
}

/// Why a YAML text was not loaded. Every case says where; the texts from the file are escaped.
enum YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libyaml could not be loaded.
    case missingLibrary(MissingLibrary)
    /// The text is over the byte limit.
    case tooLarge(limit: Int)
    /// libyaml refused the text: its words (`problem`, and `context` where it gives one).
    case syntax(problem: String, at: YAMLMark, context: String?, contextAt: YAMLMark?)
    /// Collections nested deeper than the limit.
    case tooDeep(line: Int, limit: Int)
    /// An anchor (`&a`), an alias (`*a`) or a merge key (`<<`).
    case aliasOrMerge(line: Int)
    /// A tag other than the core schema's.
    case tag(String, at: YAMLMark)
    /// A key given twice in one mapping.
    case duplicateKey(String, at: YAMLMark, first: YAMLMark)
    /// A second document (`---`) in the stream.
    case multipleDocuments(at: YAMLMark)
    /// libyaml ran out of memory.
    case outOfMemory

    var description: String {
        switch self {
        case .missingLibrary(let missing): missing.description
        case .tooLarge(let limit): "the file is over \(limit) bytes"
        case .syntax(let problem, let mark, let context, let contextMark):
            "\(mark): \(problem)" + (context.map { " (\($0)\(contextMark.map { " at \($0)" } ?? ""))" } ?? "")
        case .tooDeep(let line, let limit): "line \(line): nested deeper than \(limit) levels"
        case .aliasOrMerge(let line):
            "line \(line): YAML anchors, aliases and merge keys (&name, *name, <<) are not accepted (a few hundred bytes of them expand to gigabytes); write the values out"
        case .tag(let tag, let mark):
            "\(mark): the YAML tag '\(tag)' is not accepted (only !!str, !!int, !!float, !!bool, !!null, !!seq and !!map, where they fit); write the plain value"
        case .duplicateKey(let key, let mark, let first): "\(mark): the key '\(key)' is given twice (first at \(first))"
        case .multipleDocuments(let mark): "\(mark): expected a single document in the stream, but found another document"
        case .outOfMemory: "libyaml ran out of memory"
        }
    }
}

/// Loads one YAML document into a ``YAMLNode`` tree from libyaml's event API (`yaml_parser_parse`), with limits
/// checked on the events themselves: the nesting of collections is exact, and anchors, aliases and merge keys are
/// refused where they appear, before anything could expand them. libyaml is iterative, so no input recurses.
struct YAMLLoader: Sendable {
    /// The largest text accepted, in bytes.
    var maxBytes: Int
    /// The deepest nesting of sequences and mappings accepted.
    var maxNesting: Int

    /// A collection being read: a mapping holds its keys and values alternately.
    private struct Open {
        var isMapping: Bool
        var mark: YAMLMark
        var items: [YAMLNode] = []
        var keys: [String: YAMLMark] = [:]
    }

    /// The document's root, or nil when the stream holds none (an empty file, only comments).
    func load(_ text: String) throws(YAMLError) -> YAMLNode? {
        guard text.utf8.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        if let missing = SystemLibrary.yamlMissing { throw .missingLibrary(missing) }
        // libyaml reads the bytes in place for the whole parse: a copy whose address stays put.
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, text.utf8.count))
        defer { bytes.deallocate() }
        let count = bytes.initialize(fromContentsOf: text.utf8)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { throw .outOfMemory }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, bytes.baseAddress, count)

        var stack: [Open] = []
        var root: YAMLNode?
        var documents = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                throw Self.error(of: parser.pointee, in: UnsafeBufferPointer(rebasing: bytes[..<count]))
            }
            defer { yaml_event_delete(&event) }
            let mark = YAMLMark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { throw .multipleDocuments(at: mark) }
            case YAML_ALIAS_EVENT:
                throw .aliasOrMerge(line: mark.line)
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                if data.anchor != nil { throw .aliasOrMerge(line: mark.line) }
                let tag = try Self.tag(data.tag, at: mark)
                if let tag, tag == .seq || tag == .map { throw .tag(tag.shortName, at: mark) }
                let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
                let node = YAMLNode.scalar(YAMLScalar(value: value, style: Self.style(data.style), tag: tag, mark: mark))
                try add(node, to: &stack, root: &root)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let (anchor, tagText) =
                    isMapping
                    ? (event.data.mapping_start.anchor, event.data.mapping_start.tag)
                    : (event.data.sequence_start.anchor, event.data.sequence_start.tag)
                if anchor != nil { throw .aliasOrMerge(line: mark.line) }
                let tag = try Self.tag(tagText, at: mark)
                if let tag, tag != .nonSpecific, tag != (isMapping ? .map : .seq) { throw .tag(tag.shortName, at: mark) }
                guard stack.count < maxNesting else { throw .tooDeep(line: mark.line, limit: maxNesting) }
                stack.append(Open(isMapping: isMapping, mark: mark))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let open = stack.popLast() else { continue }  // libyaml balances them; nothing to close otherwise
                let node: YAMLNode =
                    open.isMapping
                    ? .mapping(
                        stride(from: 0, to: open.items.count - 1, by: 2).map { YAMLPair(key: open.items[$0], value: open.items[$0 + 1]) },
                        mark: open.mark)
                    : .sequence(open.items, mark: open.mark)
                try add(node, to: &stack, root: &root)
            default:
                continue  // stream start, document end, no event
            }
        }
    }

    /// Adds a finished node to the collection being read, or makes it the root. A key is checked here: a merge key
    /// is refused as aliases are, and a key given twice is an error (libyaml leaves both to the loader).
    private func add(_ node: YAMLNode, to stack: inout [Open], root: inout YAMLNode?) throws(YAMLError) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        if stack[top].isMapping && stack[top].items.count % 2 == 0, case .scalar(let key) = node {
            if key.value == "<<" && key.resolvesAsPlain { throw .aliasOrMerge(line: key.mark.line) }
            if let first = stack[top].keys[key.value] {
                throw .duplicateKey(Self.printable(key.value), at: key.mark, first: first)
            }
            stack[top].keys[key.value] = key.mark
        }
        stack[top].items.append(node)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// The event's explicit tag, nil when it has none; a tag outside the core schema is refused.
    private static func tag(_ text: UnsafeMutablePointer<yaml_char_t>?, at mark: YAMLMark) throws(YAMLError) -> YAMLScalar.Tag? {
        guard let text else { return nil }
        let name = String(cString: text)
        guard let tag = YAMLScalar.Tag(rawValue: name) else {
            throw .tag(printable(YAMLScalar.Tag.shortName(name)), at: mark)
        }
        return tag
    }

    /// libyaml's error, placed: scanner and parser errors carry their mark; a reader error (bytes that are not
    /// UTF-8, a control character) an offset, turned into a line and column here.
    private static func error(of parser: yaml_parser_t, in bytes: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { printable(String(cString: $0)) } ?? "not valid YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return .outOfMemory
        case YAML_READER_ERROR:
            let offset = min(parser.problem_offset, bytes.count)
            let before = bytes[..<offset]
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1
            let value = parser.problem_value >= 0 ? " (#\(String(parser.problem_value, radix: 16, uppercase: true)))" : ""
            return .syntax(problem: problem + value, at: YAMLMark(line: line, column: column), context: nil, contextAt: nil)
        default:
            let context = parser.context.map { printable(String(cString: $0)) }
            return .syntax(
                problem: problem, at: YAMLMark(parser.problem_mark), context: context,
                contextAt: context == nil ? nil : YAMLMark(parser.context_mark))
        }
    }

    /// Text from the file or from libyaml as one printable line: control characters escaped, at most 80 characters.
    static func printable(_ text: String) -> String {
        let escaped = text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        let joined = escaped.joined()
        return joined.count > 80 ? String(joined.prefix(80)) + "…" : joined
    }
}
