import CXCertCore
import Foundation

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
        return Escaping.json(out.text)
    }
}

/// JSON text in `JSONEncoder`'s `.prettyPrinted` layout (two-space indents, `"key" : value`, an empty array as `[`, an
/// empty line and `]`) with its string escapes (`.withoutEscapingSlashes`); the caller writes keys in sorted order.
struct PrettyJSON {
    private(set) var text = ""
    private var depth = 0
    /// Whether the current array or object has a member yet.
    private var first = true

    private mutating func newline() {
        text += "\n"
        for _ in 0..<depth { text += "  " }
    }

    /// Starts a member of the current array or object.
    private mutating func member() {
        if !first { text += "," }
        first = false
        newline()
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout PrettyJSON, Element) -> Void) {
        text += "["
        depth += 1
        first = true
        for element in elements {
            member()
            write(&self, element)
        }
        depth -= 1
        if elements.isEmpty { text += "\n" }
        newline()
        text += "]"
        first = false
    }

    mutating func object(_ write: (inout PrettyJSON) -> Void) {
        text += "{"
        depth += 1
        first = true
        write(&self)
        let empty = first
        depth -= 1
        if empty { text += "\n" }
        newline()
        text += "}"
        first = false
    }

    /// An array element that is an object: `member` then the object.
    mutating func key(_ name: String, _ write: (inout PrettyJSON) -> Void) {
        member()
        string(name)
        text += " : "
        write(&self)
        first = false
    }

    mutating func key(_ name: String, _ value: String?) { key(name) { out in value.map { out.string($0) } ?? out.null() } }
    mutating func key(_ name: String, _ value: Int?) { key(name) { out in value.map { out.text += String($0) } ?? out.null() } }
    mutating func key(_ name: String, _ value: Bool) { key(name) { out in out.text += value ? "true" : "false" } }
    mutating func key(_ name: String, strings: [String]) { key(name) { out in out.strings(strings) } }

    mutating func null() { text += "null" }
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
        text += "\""
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\u{08}": text += "\\b"
                case "\u{0C}": text += "\\f"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text += "\""
    }
}
