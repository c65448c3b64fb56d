import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a date falls in a certificate's validity period.
public enum ValidityState: String, Sendable, Codable {
    /// Inside notBefore...notAfter (both inclusive).
    case valid
    /// After notAfter.
    case expired
    /// Before notBefore.
    case notYetValid = "not-yet-valid"

    /// Where `date` falls in `certificate`'s validity period.
    public init(_ certificate: Certificate, at date: Date) {
        self = date < certificate.notBefore ? .notYetValid : date > certificate.notAfter ? .expired : .valid
    }
}

/// One cache entry judged at a date: the `cxcert truststore` row and JSON object.
public struct TrustStoreStatus: Sendable, Encodable {
    /// The cache entry judged.
    public let entry: TrustStoreEntry
    /// The date it is judged at.
    public let at: Date
    /// Where ``at`` falls in the certificate's validity period.
    public var state: ValidityState { ValidityState(entry.certificate, at: at) }
    /// RSA under 2048 bits: below what CA/Browser Forum rules and current clients accept.
    public var weakKey: Bool { entry.certificate.publicKey.bits < 2048 }
    /// Self-signed with MD2 or MD5. Harmless on an anchor (its self-signature is never checked), shown for context.
    public var weakSelfSignature: Bool { [.md2, .md5].contains(entry.certificate.signatureAlgorithm.hash) }

    /// Judges one entry at a date.
    public init(entry: TrustStoreEntry, at: Date) {
        self.entry = entry
        self.at = at
    }

    /// Every entry of ``/CXCertCore/BuiltInTrustStore``, in the guide's order, judged at `date`.
    public static func all(at date: Date) -> [TrustStoreStatus] {
        BuiltInTrustStore.entries.map { TrustStoreStatus(entry: $0, at: date) }
    }

    private enum Key: String, CodingKey {
        case row, guide, file, displayName, match, confidence, guideErrors, note, source, alternates, at, state, weakKey
        case weakSelfSignature
    }

    /// The cache row's keys beside the certificate's ``/CXCertCore/CertificateJSON/Reference`` view.
    public func encode(to encoder: any Encoder) throws {
        try CertificateReference(entry.certificate).encode(to: encoder)
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(entry.row, forKey: .row)
        try out.encode(entry.guide, forKey: .guide)
        try out.encode(entry.file, forKey: .file)
        try out.encode(entry.displayName, forKey: .displayName)
        try out.encode(entry.match, forKey: .match)
        try out.encode(entry.confidence, forKey: .confidence)
        try out.encode(entry.guideErrors, forKey: .guideErrors)
        try out.encode(entry.note, forKey: .note)
        try out.encode(entry.source, forKey: .source)
        try out.encode(entry.alternates, forKey: .alternates)
        try out.encode(iso8601(at), forKey: .at)
        try out.encode(state, forKey: .state)
        try out.encode(weakKey, forKey: .weakKey)
        try out.encode(weakSelfSignature, forKey: .weakSelfSignature)
    }

    /// The table a person reads at a glance, then the guide's errors as footnotes.
    public static func text(at date: Date, style: TextStyle = .plain) -> String {
        text(all(at: date), at: date, style: style)
    }

    /// The table of these entries at `date`, each field escaped for the terminal (Escaping.terminal).
    static func text(_ statuses: [TrustStoreStatus], at date: Date, style: TextStyle = .plain) -> String {
        let e = Escaping.terminal
        var table = TextTable(header: [
            "#", "Guide row (as printed)", "Certificate", "Expires", "Key", "Self-sig", "At \(CertificateText.day(date).prefix(10))",
            "Match",
        ])
        var notes: [String] = []
        for status in statuses {
            let entry = status.entry
            let c = entry.certificate
            let state: String =
                switch status.state {
                case .valid: style.green("valid")
                case .expired: style.red("expired")
                case .notYetValid: style.yellow("not yet valid")
                }
            let key = "\(c.publicKey.bits)" + (status.weakKey ? style.yellow(" weak") : "")
            let mark = entry.guideErrors.isEmpty ? "" : " *\(entry.row)"
            table.append([
                "\(entry.row)", e("\(entry.guide.vendor) / \(entry.guide.name) / \(entry.guide.expiry) / \(entry.guide.keyLength)"),
                e(entry.displayName), String(iso8601(c.notAfter).prefix(10)), key, c.signatureAlgorithm.hash.rawValue, state,
                "\(entry.match.rawValue) (\(entry.confidence.rawValue))\(mark)",
            ])
            for error in entry.guideErrors { notes.append("*\(entry.row) \(e(error))") }
        }
        let valid = statuses.filter { $0.state == .valid }.count
        return [
            style.bold(BuiltInTrustStore.title),
            table.render(style: style),
            "",
            "\(valid) of \(statuses.count) roots are within their validity period at \(iso8601(date)).",
            "A root's own self-signature is never checked (RFC 5280), so MD2/MD5 roots still anchor chains.",
            "",
            style.bold("Where the guide is wrong"),
        ].joined(separator: "\n") + "\n" + notes.joined(separator: "\n")
    }
}
