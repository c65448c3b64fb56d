import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON and text renderings of verdicts (the `cxcert verify` contract, documented in the README).
public enum VerdictReport {
    /// A link of the chain: its `role` and `source` beside the certificate's reference view.
    struct ChainEntry: Encodable {
        let certificate: CertificateReference
        let role: String
        let source: String?

        // The README's keys are always present: a missing value is null, never an absent key.
        private enum Key: String, CodingKey { case role, source }
        func encode(to encoder: any Encoder) throws {
            try certificate.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(role, forKey: .role)
            try out.encode(source, forKey: .source)
        }
    }

    struct NameEntry: Encodable {
        let host: String
        let covered: Bool
        let matchedBy: String?

        private enum Key: String, CodingKey { case host, covered, matchedBy }
        func encode(to encoder: any Encoder) throws {
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(host, forKey: .host)
            try out.encode(covered, forKey: .covered)
            try out.encode(matchedBy, forKey: .matchedBy)
        }
    }

    /// Another candidate path the client judged: its chain, whether the policies accepted it, its error codes.
    struct AlternativeEntry: Encodable {
        let chain: [ChainEntry]
        let accepted: Bool
        let codes: [FindingCode]
    }

    struct Result: Encodable {
        let trusted: Bool
        let profile: String
        let device: String
        let firmware: String?
        let at: String
        let chain: [ChainEntry]
        let names: [NameEntry]
        let findings: [Finding]
        let notes: [String]
        let alternatives: [AlternativeEntry]

        private enum Key: String, CodingKey { case trusted, profile, device, firmware, at, chain, names, findings, notes, alternatives }
        func encode(to encoder: any Encoder) throws {
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(trusted, forKey: .trusted)
            try out.encode(profile, forKey: .profile)
            try out.encode(device, forKey: .device)
            try out.encode(firmware, forKey: .firmware)
            try out.encode(at, forKey: .at)
            try out.encode(chain, forKey: .chain)
            try out.encode(names, forKey: .names)
            try out.encode(findings, forKey: .findings)
            try out.encode(notes, forKey: .notes)
            try out.encode(alternatives, forKey: .alternatives)
        }
    }

    static func result(_ verdict: Verdict) -> Result {
        let device: String =
            switch verdict.profile.kind {
            case .generic: "generic"
            case .phone(let family, let model, _): model?.id ?? family.id
            }
        return Result(
            trusted: verdict.isTrusted, profile: verdict.profile.name, device: device,
            firmware: verdict.profile.firmware?.text, at: iso8601(verdict.time),
            chain: verdict.chain.map(chainEntry),
            names: verdict.names.map { match in
                var by: String?
                if case .covered(let entry) = match.outcome { by = entry }
                return NameEntry(host: match.host, covered: match.isCovered, matchedBy: by)
            },
            findings: verdict.findings, notes: verdict.notes,
            alternatives: verdict.alternatives.map { candidate in
                AlternativeEntry(
                    chain: candidate.path.links.map(chainEntry), accepted: candidate.isAccepted,
                    codes: candidate.findings.filter { $0.severity == .error }.map(\.code))
            })
    }

    private static func chainEntry(_ link: ChainLink) -> ChainEntry {
        let (role, source): (String, String?) =
            switch link.role {
            case .leaf: ("leaf", nil)
            case .intermediate: ("intermediate", nil)
            case .untrustedRoot: ("root", nil)
            case .anchor(let source): ("anchor", source.description)
            }
        return ChainEntry(certificate: CertificateReference(link.certificate), role: role, source: source)
    }

    /// One object for one verdict; `{"results": [...]}` for several.
    public static func json(_ verdicts: [Verdict]) -> String {
        struct Many: Encodable { let results: [Result] }
        return verdicts.count == 1 ? JSONOutput.encode(result(verdicts[0])) : JSONOutput.encode(Many(results: verdicts.map(result)))
    }

    /// The human report: a verdict per client (a matrix when there are several), the chain, names, findings.
    public static func text(_ verdicts: [Verdict], style: TextStyle = .plain) -> String {
        guard let first = verdicts.first else { return "" }
        var out: [String] = []
        if verdicts.count == 1 {
            out.append(headline(first, style: style))
        } else {
            var table = TextTable(header: ["Client", "Verdict", "Findings"])
            for verdict in verdicts {
                let codes = Array(Set(verdict.findings.filter { $0.severity == .error }.map(\.code.rawValue))).sorted()
                table.append([Escaping.terminal(verdict.profile.name), mark(verdict, style: style), codes.joined(separator: ", ")])
            }
            out.append(style.bold("Verdict per firmware at \(iso8601(first.time))"))
            out.append(table.render(style: style))
        }
        for note in Set(verdicts.flatMap(\.notes)).sorted() { out.append(style.dim("Note: \(Escaping.terminal(note))")) }
        out.append("")
        out.append(style.bold("Chain") + style.dim(" (as \(first.profile.isGeneric ? "the client" : "the phone") builds it)"))
        for (index, link) in first.chain.enumerated() {
            let c = link.certificate
            let role: String =
                switch link.role {
                case .leaf: "leaf"
                case .intermediate: "intermediate"
                case .untrustedRoot: "root (not trusted)"
                case .anchor(let source): "anchor: \(source)"
                }
            out.append(
                Escaping.terminal(
                    "  \(index)  \(c.subject.displayName)  ·  \(c.signatureAlgorithm.name), \(c.publicKey.algorithm.rawValue) \(c.publicKey.bits)  ·  \(role)"
                ))
        }
        if !first.names.isEmpty {
            out.append("")
            out.append(style.bold("Names"))
            for match in first.names {
                switch match.outcome {
                case .covered(let entry): out.append("  \(style.green("✔")) " + Escaping.terminal("\(match.host)  (\(entry))"))
                default: out.append("  \(style.red("✘")) \(Escaping.terminal(match.host))")
                }
            }
        }
        if !first.alternatives.isEmpty {
            out.append("")
            out.append(style.bold("Other candidate paths") + style.dim(" (judged by the same client, not chosen)"))
            for candidate in first.alternatives {
                let names = Escaping.terminal(candidate.path.certificates.map(\.subject.displayName).joined(separator: " → "))
                let codes = Set(candidate.findings.filter { $0.severity == .error }.map(\.code.rawValue)).sorted()
                out.append(
                    "  \(candidate.isAccepted ? style.green("✔") : style.red("✘")) \(names)  \(style.dim(codes.joined(separator: ", ")))")
            }
        }
        // Each distinct finding once, with the clients it applies to.
        var order: [String] = []
        var groups: [String: (finding: Finding, clients: [String])] = [:]
        for verdict in verdicts {
            for finding in verdict.findings {
                let key = "\(finding.code.rawValue)|\(finding.certificate?.sha256Fingerprint ?? "")|\(finding.message)"
                if groups[key] == nil {
                    order.append(key)
                    groups[key] = (finding, [])
                }
                groups[key]!.clients.append(verdict.profile.firmware?.text ?? verdict.profile.name)
            }
        }
        if !order.isEmpty {
            out.append("")
            out.append(style.bold("Findings"))
            for key in order {
                let (finding, clients) = groups[key]!
                let icon = finding.severity == .error ? style.red("✘") : finding.severity == .warning ? style.yellow("!") : "·"
                let applies = verdicts.count > 1 ? style.dim("  [\(clients.joined(separator: ", "))]") : ""
                out.append("  \(icon) \(style.bold(finding.code.rawValue))\(applies)")
                out.append("    \(Escaping.terminal(finding.message))")
                if let symptom = finding.deviceSymptom { out.append("    Phone shows: \(Escaping.terminal(symptom))") }
                out.append("    Fix: \(Escaping.terminal(finding.remedy))")
            }
        }
        return out.joined(separator: "\n")
    }

    private static func mark(_ verdict: Verdict, style: TextStyle) -> String {
        verdict.isTrusted ? style.green("✔ trusted") : style.red("✘ not trusted")
    }

    private static func headline(_ verdict: Verdict, style: TextStyle) -> String {
        "\(mark(verdict, style: style).uppercased())  \(verdict.profile.name)  at \(iso8601(verdict.time))"
    }
}

// MARK: When the answer changes

extension VerdictReport {
    /// `{"at", "trusted", "codes"}`: the README's `nextChange` object.
    struct NextChangeEntry: Encodable {
        let at: String
        let trusted: Bool
        let codes: [String]

        init(_ change: NextChange) {
            at = iso8601(change.at)
            trusted = change.trusted
            codes = change.codes.map(\.rawValue)
        }
    }

    /// A verify-shaped result plus its `nextChange` key, which is always written (null when nothing changes).
    struct ResultWithNextChange: Encodable {
        let result: Result
        let nextChange: NextChange?

        private enum Key: String, CodingKey { case nextChange }
        func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(nextChange.map(NextChangeEntry.init), forKey: .nextChange)
        }
    }

    /// As ``json(_:)`` with each result's `nextChange` (`nextChanges` in the order of `verdicts`).
    public static func json(_ verdicts: [Verdict], nextChanges: [NextChange?]) -> String {
        struct Many: Encodable { let results: [ResultWithNextChange] }
        let results = zip(verdicts, padded(nextChanges, to: verdicts.count)).map {
            ResultWithNextChange(result: result($0.0), nextChange: $0.1)
        }
        return results.count == 1 ? JSONOutput.encode(results[0]) : JSONOutput.encode(Many(results: results))
    }

    /// As ``text(_:style:)`` followed by one line per verdict saying when the answer changes.
    public static func text(_ verdicts: [Verdict], nextChanges: [NextChange?], until: Date, style: TextStyle = .plain) -> String {
        var out = [text(verdicts, style: style), ""]
        for (verdict, change) in zip(verdicts, padded(nextChanges, to: verdicts.count)) {
            let who = verdicts.count > 1 ? "\(verdict.profile.name): " : ""
            out.append("\(who)\(nextChangeLine(change, until: until, style: style))")
        }
        return out.joined(separator: "\n")
    }

    /// One line: `Next change: 2027-03-01T00:00:01Z ✘ not trusted (+expired)`, or none before `until`.
    public static func nextChangeLine(_ change: NextChange?, until: Date, style: TextStyle = .plain) -> String {
        guard let change else { return "Next change: none until \(iso8601(until))." }
        let mark = change.trusted ? style.green("✔ trusted") : style.red("✘ not trusted")
        let codes = change.appeared.map { "+\($0.rawValue)" } + change.disappeared.map { "-\($0.rawValue)" }
        return "Next change: \(iso8601(change.at)) \(mark) (\(codes.joined(separator: ", ")))."
    }

    private static func padded(_ changes: [NextChange?], to count: Int) -> [NextChange?] {
        Array(changes.prefix(count)) + Array(repeating: nil, count: max(0, count - changes.count))
    }
}
