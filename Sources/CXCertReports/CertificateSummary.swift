import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The stable JSON form of one certificate (the `cxcert inspect --json` schema): `file`, `format` and `encoding`
/// beside the ``/CXCertCore/CertificateJSON/Full`` view.
///
/// Every key is always present; absent extensions are `null`. See the README for the schema.
public struct CertificateSummary: Encodable, Sendable {
    /// The certificate summarised.
    public let certificate: Certificate
    /// Where the certificate came from, when it came from a file.
    public let file: String?
    /// The container it was found in.
    public let format: InputFormat?
    /// How the input was encoded, when known.
    public let encoding: TextEncoding?

    /// Creates the summary of a certificate, with where it came from when known.
    public init(_ certificate: Certificate, file: String? = nil, format: InputFormat? = nil, encoding: TextEncoding? = nil) {
        self.certificate = certificate
        self.file = file
        self.format = format
        self.encoding = encoding
    }

    private enum Key: String, CodingKey { case file, format, encoding }

    /// Where the certificate came from, then the full ``/CXCertCore/CertificateJSON/Full`` view.
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(file, forKey: .file)
        try out.encode(format, forKey: .format)
        try out.encode(encoding, forKey: .encoding)
        try CertificateJSON.Full(certificate).encode(to: encoder)
    }
}

extension CertificateSummary {
    /// `summaries` as `inspect --json` prints them: the text ``JSONOutput/encode(_:)`` makes of the array, byte for byte,
    /// written directly. `JSONEncoder` costs a bundle of 50 certificates more than decoding them (its generic boxing of
    /// every value); this writer knows the schema's keys in their sorted order. ``encode(to:)`` stays the schema's
    /// definition: `InspectTests` hold this writer to `JSONOutput.encode` on every fixture certificate, so a key added
    /// there and not here fails them.
    public static func json(_ summaries: [CertificateSummary]) -> String {
        var out = PrettyJSON()
        out.array(summaries) { out, summary in
            let full = CertificateJSON.Full(summary.certificate)
            let reference = full.reference
            // JSONEncoder's `.sortedKeys` order of every key of the view and the summary.
            out.object { out in
                out.key("authorityKeyIdentifier", full.authorityKeyIdentifier)
                out.key("caIssuers", strings: full.caIssuers)
                out.key("crlDistributionPoints", strings: full.crlDistributionPoints)
                out.key("encoding", summary.encoding?.rawValue)
                out.key("extendedKeyUsage") { out in
                    if let usages = full.extendedKeyUsage {
                        out.array(usages) { out, usage in
                            out.object { out in
                                out.key("name", usage.name)
                                out.key("oid", usage.oid)
                            }
                        }
                    } else {
                        out.null()
                    }
                }
                out.key("extensions") { out in
                    out.array(full.extensions) { out, info in
                        out.object { out in
                            out.key("critical", info.critical)
                            out.key("name", info.name)
                            out.key("oid", info.oid)
                        }
                    }
                }
                out.key("file", summary.file)
                out.key("format", summary.format?.rawValue)
                out.key("isCA", full.isCA)
                out.key("issuer", reference.issuer)
                out.key("issuerAttributes") { out in out.attributes(full.issuerAttributes) }
                out.key("keyBits", reference.keyBits)
                out.key("keyCurve", full.keyCurve)
                out.key("keyType", reference.keyType)
                out.key("keyUsage") { out in
                    if let names = full.keyUsage { out.strings(names) } else { out.null() }
                }
                out.key("notAfter", reference.notAfter)
                out.key("notBefore", reference.notBefore)
                out.key("ocsp", strings: full.ocsp)
                out.key("pathLength", full.pathLength)
                out.key("san") { out in
                    out.array(full.san) { out, name in
                        out.object { out in
                            out.key("type", name.type)
                            out.key("value", name.value)
                        }
                    }
                }
                out.key("selfIssued", full.selfIssued)
                out.key("serial", reference.serial)
                out.key("sha1", reference.sha1)
                out.key("sha256", reference.sha256)
                out.key("signatureAlgorithm", reference.signatureAlgorithm)
                out.key("signatureAlgorithmOID", full.signatureAlgorithmOID)
                out.key("signatureHash", full.signatureHash.rawValue)
                out.key("signatureScheme", full.signatureScheme.rawValue)
                out.key("subject", reference.subject)
                out.key("subjectAttributes") { out in out.attributes(full.subjectAttributes) }
                out.key("subjectKeyIdentifier", full.subjectKeyIdentifier)
                out.key("version", full.version)
            }
        }
        return out.text
    }
}

/// JSON text in `JSONEncoder`'s `.prettyPrinted` layout (two-space indents, `"key" : value`, an empty array as `[`, an
/// empty line and `]`) with its string escapes (`.withoutEscapingSlashes`); the caller writes keys in sorted order.
/// Written as UTF-8 bytes (appending to a `String` piece by piece cost as much as `JSONEncoder`).
struct PrettyJSON {
    private var bytes: [UInt8] = []
    private var depth = 0
    /// Whether the current array or object has a member yet.
    private var first = true
    /// A byte from DEL up was written: only then can ``Escaping/json(_:)`` have anything to escape.
    private var wide = false

    init() { bytes.reserveCapacity(1 << 16) }

    /// The text, with ``Escaping/json(_:)``'s escapes when a string held a byte from DEL up.
    var text: String {
        let text = String(decoding: bytes, as: UTF8.self)
        return wide ? Escaping.json(text) : text
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// Starts a member of the current array or object.
    private mutating func member() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        newline()
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout PrettyJSON, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        depth += 1
        first = true
        for element in elements {
            member()
            write(&self, element)
        }
        depth -= 1
        if elements.isEmpty { bytes.append(UInt8(ascii: "\n")) }
        newline()
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    mutating func object(_ write: (inout PrettyJSON) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        first = true
        write(&self)
        let empty = first
        depth -= 1
        if empty { bytes.append(UInt8(ascii: "\n")) }
        newline()
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// A member of the current object: its key, then what `write` writes.
    mutating func key(_ name: StaticString, _ write: (inout PrettyJSON) -> Void) {
        member()
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\" : ")
        write(&self)
        first = false
    }

    mutating func key(_ name: StaticString, _ value: String?) { key(name) { out in value.map { out.string($0) } ?? out.null() } }
    mutating func key(_ name: StaticString, _ value: Int?) {
        key(name) { out in value.map { out.bytes.append(contentsOf: String($0).utf8) } ?? out.null() }
    }
    mutating func key(_ name: StaticString, _ value: Bool) { key(name) { out in value ? out.raw("true") : out.raw("false") } }
    mutating func key(_ name: StaticString, strings: [String]) { key(name) { out in out.strings(strings) } }

    mutating func null() { raw("null") }
    mutating func strings(_ values: [String]) { array(values) { out, value in out.string(value) } }

    mutating func attributes(_ attributes: [DistinguishedName.Attribute]) {
        array(attributes) { out, attribute in
            out.object { out in
                out.key("oid", attribute.oid)
                out.key("type", attribute.type)
                out.key("value", attribute.value)
            }
        }
    }

    /// A string as JSONEncoder writes it: `"` and `\` escaped, the C0 controls as `\b`, `\f`, `\n`, `\r`, `\t` or
    /// `\u00XX`, everything else (slashes included) as it is.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default:
                if byte >= 0x7F { wide = true }
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
