import CXCertCore

/// A small HTML tree for the reports. Text and attribute values are escaped when rendered, so a
/// certificate subject holding `<script>` stays text; markup that is not escaped must be asked for by
/// name with `.raw` (the page's own CSS, the doctype).
public indirect enum HTML: Sendable, Hashable {
    /// One attribute, kept in the order given so a page renders the same every time.
    public struct Attribute: Sendable, Hashable {
        /// The attribute's name, written as is.
        public let name: String
        /// The value, escaped when rendered.
        public let value: String

        /// An attribute; `name` must be a literal attribute name (it is not escaped), `value` is escaped.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `<name attributes>children</name>`; void elements (`br`, `meta`...) render without children or end tag.
    case element(String, [Attribute], [HTML])
    /// Text, escaped when rendered.
    case text(String)
    /// Markup written as is: only for cxcert's own fixed strings, never for data.
    case raw(String)
    /// Several nodes side by side, with no element around them.
    case group([HTML])

    /// An element with attributes in the order written: `.tag("td", ["class": "ok"], .text("✔"))`.
    public static func tag(_ name: String, _ attributes: KeyValuePairs<String, String>, _ children: HTML...) -> HTML {
        .element(name, attributes.map { Attribute($0.key, $0.value) }, children)
    }

    /// An element without attributes: `.tag("b", .text("Fix:"))`, `.tag("br")`.
    public static func tag(_ name: String, _ children: HTML...) -> HTML {
        .element(name, [], children)
    }

    /// An element whose children are an array built elsewhere.
    public static func tag(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], children: [HTML]) -> HTML {
        .element(name, attributes.map { Attribute($0.key, $0.value) }, children)
    }

    /// A line break between blocks, so the page source reads line by line (no effect on the rendered page).
    public static let newline = HTML.raw("\n")

    /// `items` one per line, with a line break before the first and after the last (one break when empty).
    public static func lines(_ items: [HTML]) -> [HTML] {
        guard !items.isEmpty else { return [.newline] }
        return [.newline] + items.flatMap { [$0, .newline] }
    }

    /// `items` with `separator` between each two.
    public static func joined(_ items: [HTML], separator: HTML) -> [HTML] {
        Array(items.enumerated().flatMap { index, item in index == 0 ? [item] : [separator, item] })
    }

    /// Elements that have no end tag (HTML Living Standard §13.1.2).
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]

    /// The markup, escaped where the tree holds text.
    public func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        switch self {
        case .text(let text): out += Self.escape(text)
        case .raw(let markup): out += markup
        case .group(let children): for child in children { child.render(into: &out) }
        case .element(let name, let attributes, let children):
            out += "<" + name
            for attribute in attributes { out += " \(attribute.name)=\"\(Self.escape(attribute.value))\"" }
            out += ">"
            guard !Self.voidElements.contains(name) else { return }
            for child in children { child.render(into: &out) }
            out += "</\(name)>"
        }
    }

    /// Escapes the five characters that could end text or an attribute value (`& < > " '`) and control
    /// characters: ``Escaping/html(_:)``.
    public static func escape(_ text: String) -> String { Escaping.html(text) }

    /// A whole self-contained page: doctype, `<head>` with the title and `css`, and `body` one block per line.
    static func page(title: String, css: String, body: [HTML], trailingNewline: Bool) -> String {
        let document = HTML.group([
            .raw("<!DOCTYPE html>\n"),
            .tag(
                "html", ["lang": "en"],
                .tag(
                    "head", .tag("meta", ["charset": "utf-8"]), .tag("title", .text(title)), .newline,
                    .tag("style", .raw("\n" + css + "\n"))),
                .tag("body", children: lines(body))),
        ])
        return document.render() + (trailingNewline ? "\n" : "")
    }
}
