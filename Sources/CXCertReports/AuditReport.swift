import CXCertAudit
import CXCertCore
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renderings of an audit: terminal text, JSON for pipelines, Markdown, and one self-contained HTML page.
public enum AuditReport {
    /// What a matrix cell says: `✔` or the error codes.
    static func cell(_ audit: ServerAudit, _ index: Int) -> (trusted: Bool, text: String) {
        if let problem = audit.problem { return (false, "unreachable: \(problem)") }
        guard index < audit.verdicts.count else { return (false, "no certificate") }
        let verdict = audit.verdicts[index]
        let codes = Array(Set(verdict.findings.filter { $0.severity == .error }.map(\.code.rawValue))).sorted()
        return verdict.isTrusted ? (true, "✔") : (false, codes.joined(separator: ", "))
    }

    static func column(_ member: FleetMember) -> String {
        member.profile.name + (member.count > 1 ? " ×\(member.count)" : "")
    }

    // MARK: Text

    /// The audit for a terminal: the fleet's builds, a server × build matrix, the fixes (most phones first)
    /// and, when looked ahead, the verdict changes, then the overall answer.
    /// - Parameters:
    ///   - result: The audit.
    ///   - style: Colours and emphasis for a terminal, or none.
    /// - Returns: Lines separated by newlines.
    public static func text(_ result: AuditResult, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let phones = result.fleet.reduce(0) { $0 + $1.count }
        out.append(
            style.bold(
                "Audit at \(iso8601(result.time)): \(result.servers.count) servers × \(result.fleet.count) builds (\(phones) phones)"))
        for (index, member) in result.fleet.enumerated() { out.append("  [\(index + 1)] \(Escaping.terminal(column(member)))") }
        var table = TextTable(header: ["Server"] + result.fleet.indices.map { "[\($0 + 1)]" })
        for audit in result.servers {
            table.append(
                [Escaping.terminal(audit.name)]
                    + result.fleet.indices.map { index in
                        let (trusted, text) = cell(audit, index)
                        return trusted ? style.green(text) : style.red("✘ " + Escaping.terminal(text))
                    })
        }
        out.append("")
        out.append(table.render(style: style))
        if !result.fixes.isEmpty {
            out.append("")
            out.append(style.bold("Fixes, most phones affected first"))
            for (number, fix) in result.fixes.enumerated() {
                out.append("\(number + 1). \(Escaping.terminal(fix.remedy))")
                out.append(
                    style.dim(
                        Escaping.terminal(
                            "   \(fix.code.rawValue) · \(fix.phonesAffected) phones · \(fix.builds.joined(separator: ", ")) · \(fix.servers.joined(separator: ", "))"
                        )))
                for message in fix.messages.prefix(3) { out.append("   - \(Escaping.terminal(message))") }
            }
        }
        if let until = result.until {
            out.append("")
            out.append(style.bold("When the answer changes (until \(iso8601(until)))"))
            let changes = result.changes
            if changes.isEmpty {
                out.append("  No verdict changes.")
            } else {
                var changeTable = TextTable(header: ["Server", "Build", "At", "Becomes", "Codes"])
                for item in changes {
                    changeTable.append([
                        Escaping.terminal(item.server), "[\(item.memberIndex + 1)]",
                        iso8601(item.change.at), item.change.trusted ? style.green("✔ trusted") : style.red("✘ not trusted"),
                        changeCodes(item.change),
                    ])
                }
                out.append(changeTable.render(style: style))
            }
        }
        for note in result.planNotes { out.append("\n" + Escaping.terminal(note)) }
        out.append("")
        out.append(
            result.allTrusted
                ? style.green("Every phone in the fleet trusts every server.") : style.red("Some phones would not trust some servers."))
        return out.joined(separator: "\n")
    }

    /// `+expired, -not-yet-valid`: the codes that appear and disappear at a change.
    static func changeCodes(_ change: NextChange) -> String {
        (change.appeared.map { "+\($0.rawValue)" } + change.disappeared.map { "-\($0.rawValue)" }).joined(separator: ", ")
    }

    /// What a matrix cell adds with a horizon: `breaks 2027-03-01T00:00:01Z (+expired)` (or `trusted from`, or
    /// `changes` for codes that change while untrusted), or "" when nothing changes.
    static func changeNote(_ audit: ServerAudit, _ index: Int) -> String {
        guard index < audit.nextChanges.count, let change = audit.nextChanges[index] else { return "" }
        let trustedNow = index < audit.verdicts.count && audit.verdicts[index].isTrusted
        let verb = change.trusted ? "trusted from" : trustedNow ? "breaks" : "changes"
        return "\(verb) \(iso8601(change.at)) (\(changeCodes(change)))"
    }

    /// The one line `audit --fail-within` prints on standard error: the earliest pair that breaks in the window,
    /// its time and codes, and how many more do; nil when none does.
    public static func failWithinLine(_ result: AuditResult) -> String? {
        let failing = result.failingWithin.sorted { $0.change.at < $1.change.at }
        guard let first = failing.first, let days = result.failWithinDays else { return nil }
        let more = failing.count > 1 ? "; \(failing.count - 1) more server × build pairs break within the window" : ""
        return
            "\(first.server) stops being trusted by \(first.member.profile.name) at \(iso8601(first.change.at)) (\(changeCodes(first.change))), within \(days) days of \(iso8601(result.time))\(more)"
    }

    // MARK: JSON

    struct JSON: Encodable {
        struct Member: Encodable {
            let profile: String
            let device: String
            let firmware: String?
            let count: Int
        }
        struct Server: Encodable {
            let name: String
            let source: String
            let problem: String?
            let probe: ProbeResult.JSON?
            let results: [ResultEntry]
        }
        /// A verify-shaped result; with a horizon it carries `nextChange` (null when nothing changes).
        struct ResultEntry: Encodable {
            let result: VerdictReport.Result
            /// nil when the audit did not look ahead, so the key is absent.
            let nextChange: NextChange??

            func encode(to encoder: any Encoder) throws {
                if let nextChange {
                    try VerdictReport.ResultWithNextChange(result: result, nextChange: nextChange).encode(to: encoder)
                } else {
                    try result.encode(to: encoder)
                }
            }
        }
        struct Fix: Encodable {
            let code: String
            let remedy: String
            let phonesAffected: Int
            let builds: [String]
            let servers: [String]
            let messages: [String]
        }
        let at: String
        /// The horizon of `nextChange`, present only when the audit looked ahead.
        let until: String?
        let allTrusted: Bool
        let fleet: [Member]
        let servers: [Server]
        let fixes: [Fix]
        let notes: [String]
    }

    /// The audit as one JSON object: time, fleet, servers with their probes and results, fixes and plan notes.
    public static func json(_ result: AuditResult) -> String {
        JSONOutput.encode(
            JSON(
                at: iso8601(result.time), until: result.until.map(iso8601), allTrusted: result.allTrusted,
                fleet: result.fleet.map { member in
                    let device: String =
                        switch member.profile.kind {
                        case .generic: "generic"
                        case .phone(let family, let model, _): model?.id ?? family.id
                        }
                    return .init(profile: member.profile.name, device: device, firmware: member.profile.firmware?.text, count: member.count)
                },
                servers: result.servers.map { audit in
                    .init(
                        name: audit.name, source: audit.source, problem: audit.problem,
                        probe: audit.probe.map { ProbeResult(report: $0, verdicts: []).json },
                        results: audit.verdicts.enumerated().map { index, verdict in
                            .init(
                                result: VerdictReport.result(verdict),
                                nextChange: result.until == nil
                                    ? nil : .some(index < audit.nextChanges.count ? audit.nextChanges[index] : nil))
                        })
                },
                fixes: result.fixes.map {
                    .init(
                        code: $0.code.rawValue, remedy: $0.remedy, phonesAffected: $0.phonesAffected, builds: $0.builds,
                        servers: $0.servers, messages: $0.messages)
                },
                notes: result.planNotes))
    }

    // MARK: Markdown

    /// The audit as a Markdown document (the matrix, the changes when looked ahead, the fixes), with text from
    /// certificates and servers escaped so that it renders inert.
    public static func markdown(_ result: AuditResult) -> String {
        func escape(_ text: String) -> String { markdownText(text) }
        var out = [
            "# cxcert audit", "",
            "At \(iso8601(result.time)). "
                + (result.allTrusted ? "**Every phone trusts every server.**" : "**Some phones would not trust some servers.**"), "",
        ]
        out.append("| Server | " + result.fleet.map { escape(column($0)) }.joined(separator: " | ") + " |")
        out.append("|---|" + String(repeating: "---|", count: result.fleet.count))
        for audit in result.servers {
            out.append(
                "| \(escape(audit.name)) | "
                    + result.fleet.indices.map { index in
                        let (trusted, text) = cell(audit, index)
                        return trusted ? "✔" : "✘ \(escape(text))"
                    }.joined(separator: " | ") + " |")
        }
        if let until = result.until {
            out += ["", "## When the answer changes (until \(iso8601(until)))", ""]
            let changes = result.changes
            if changes.isEmpty {
                out.append("No verdict changes.")
            } else {
                out += ["| Server | Build | At | Becomes | Codes |", "|---|---|---|---|---|"]
                for item in changes {
                    out.append(
                        "| \(escape(item.server)) | \(escape(item.member.profile.name)) | \(iso8601(item.change.at)) | \(item.change.trusted ? "✔ trusted" : "✘ not trusted") | \(escape(changeCodes(item.change))) |"
                    )
                }
            }
        }
        if !result.fixes.isEmpty {
            out += ["", "## Fixes, most phones affected first", ""]
            for (number, fix) in result.fixes.enumerated() {
                out.append(
                    "\(number + 1). **\(escape(fix.remedy))** — `\(fix.code.rawValue)`, \(fix.phonesAffected) phones; \(escape(fix.servers.joined(separator: ", ")))"
                )
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Text from certificates and servers as inert Markdown: HTML is written as entities (a renderer
    /// must not run a subject's `<script>`), Markdown syntax is backslash-escaped, lines are joined.
    static func markdownText(_ text: String) -> String { Escaping.markdown(text) }

    // MARK: HTML

    /// One self-contained page: the coloured matrix, each chain as a path to its anchor, each finding with its fix.
    /// Built as an `HTML` tree, so every string from a certificate, a server or the deployment file is escaped.
    public static func html(_ result: AuditResult) -> String {
        var body: [HTML] = []
        body.append(.tag("h1", .text("cxcert audit")))
        body.append(
            .tag(
                "p", ["class": "summary \(result.allTrusted ? "ok" : "bad")"],
                .text(result.allTrusted ? "Every phone in the fleet trusts every server." : "Some phones would not trust some servers."),
                .text(" "), .tag("span", ["class": "dim"], .text("Validated at \(iso8601(result.time))."))))
        let header = HTML.tag("tr", children: [.tag("th", .text("Server"))] + result.fleet.map { .tag("th", .text(column($0))) })
        let rows = result.servers.map { audit in
            HTML.tag(
                "tr",
                children: [.tag("th", ["scope": "row"], .tag("a", ["href": "#\(anchorID(audit.name))"], .text(audit.name)))]
                    + result.fleet.indices.map { index in
                        let (trusted, text) = cell(audit, index)
                        let note = changeNote(audit, index)
                        var cell: [HTML] = [.text(trusted ? "✔ trusted" : "✘ " + text)]
                        if !note.isEmpty { cell += [.raw("<br>"), .tag("span", ["class": "next"], .text(note))] }
                        return .tag("td", ["class": trusted ? "trusted" : "untrusted"], children: cell)
                    })
        }
        body.append(.tag("table", ["id": "matrix"], .tag("thead", header), .tag("tbody", children: HTML.lines(rows))))
        if let until = result.until {
            body.append(.tag("h2", .text("When the answer changes "), .tag("span", ["class": "dim"], .text("until \(iso8601(until))"))))
            let changes = result.changes
            if changes.isEmpty {
                body.append(.tag("p", ["class": "ok"], .text("No verdict changes.")))
            } else {
                let head = HTML.tag(
                    "tr", children: ["Server", "Build", "Changes at", "Becomes", "Codes"].map { .tag("th", .text($0)) })
                let rows = changes.map { item in
                    HTML.tag(
                        "tr", .tag("th", ["scope": "row"], .text(item.server)), .tag("td", .text(column(item.member))),
                        .tag("td", .text(iso8601(item.change.at))),
                        .tag(
                            "td", ["class": item.change.trusted ? "trusted" : "untrusted"],
                            .text(item.change.trusted ? "✔ trusted" : "✘ not trusted")),
                        .tag("td", .tag("code", .text(changeCodes(item.change)))))
                }
                body.append(.tag("table", ["id": "changes"], .tag("thead", head), .tag("tbody", children: HTML.lines(rows))))
            }
        }
        if !result.fixes.isEmpty {
            let fixes = result.fixes.map { fix in
                HTML.tag(
                    "li", .tag("strong", .text(fix.remedy)),
                    .tag(
                        "div", ["class": "dim"], .tag("code", .text(fix.code.rawValue)),
                        .text(" · \(fix.phonesAffected) phones · \(fix.servers.joined(separator: ", "))")),
                    .tag("ul", children: fix.messages.map { .tag("li", .text($0)) }))
            }
            body.append(
                .group([
                    .tag("h2", .text("Fixes, most phones affected first")), .tag("ol", ["class": "fixes"], children: HTML.lines(fixes)),
                ]))
        }
        body.append(.tag("h2", .text("Servers")))
        body += result.servers.map { server($0, fleet: result.fleet) }
        return HTML.page(title: "cxcert audit", css: css, body: body, trailingNewline: true)
    }

    /// One server's section: its probe, its chain as a path to the anchor, and each build's findings.
    static func server(_ audit: ServerAudit, fleet: [FleetMember]) -> HTML {
        let heading = HTML.tag("h3", .text(audit.name), .text(" "), .tag("span", ["class": "dim"], .text(audit.source)))
        let id: KeyValuePairs<String, String> = ["id": anchorID(audit.name)]
        if let problem = audit.problem {
            return .tag("section", id, heading, .newline, .tag("p", ["class": "bad"], .text(problem)))
        }
        var blocks: [HTML] = []
        if let probe = audit.probe {
            let protocols = TLSVersion.allCases.map { version in
                let ok = probe.protocols[version]?.isAccepted ?? false
                return HTML.tag("span", ["class": "pill \(ok ? "ok" : "off")"], .text(version.rawValue))
            }
            let phone: HTML =
                switch probe.asPhone {
                case .accepted(let cipher): .tag("span", ["class": "ok"], .text("phone handshake accepted (\(cipher))"))
                case .refused(let reason): .tag("span", ["class": "bad"], .text("phone handshake refused: \(reason)"))
                }
            blocks.append(.tag("p", children: HTML.joined(protocols, separator: .text(" ")) + [.text(" — "), phone]))
            for issue in probe.chainIssues { blocks.append(.tag("p", ["class": "warn"], .text("Chain sent: \(issue.description)"))) }
        }
        if let verdict = audit.verdicts.first { blocks.append(chain(verdict)) }
        for (index, verdict) in audit.verdicts.enumerated() where !verdict.findings.isEmpty {
            let findings = verdict.findings.map { finding in
                HTML.tag(
                    "li", ["class": finding.severity.rawValue],
                    children: [.tag("code", .text(finding.code.rawValue)), .text(" \(finding.message)")]
                        + (finding.deviceSymptom.map { [.tag("br"), .tag("span", ["class": "dim"], .text("Phone shows: \($0)"))] } ?? [])
                        + [.tag("br"), .tag("b", .text("Fix:")), .text(" \(finding.remedy)")])
            }
            blocks.append(
                .group([.tag("h4", .text(column(fleet[index]))), .tag("ul", ["class": "findings"], children: HTML.lines(findings))]))
        }
        return .tag("section", id, children: [heading] + blocks.flatMap { [HTML.newline, $0] } + [.newline])
    }

    /// The chain as boxes joined by arrows, ending at its anchor or at a dashed "no trusted anchor".
    static func chain(_ verdict: Verdict) -> HTML {
        func isAnchor(_ link: ChainLink) -> Bool { if case .anchor = link.role { true } else { false } }
        let arrow = HTML.tag("div", ["class": "arrow"], .text("→"))
        var nodes = verdict.chain.map { link in
            let role: String =
                switch link.role {
                case .leaf: "leaf"
                case .intermediate: "intermediate"
                case .untrustedRoot: "root (not trusted)"
                case .anchor(let source): "anchor · \(source)"
                }
            let key = link.certificate.publicKey
            return HTML.tag(
                "div", ["class": isAnchor(link) ? "node anchor" : "node"], .tag("b", .text(link.certificate.subject.displayName)),
                .tag("br"),
                .tag(
                    "span", ["class": "dim"], .text("\(link.certificate.signatureAlgorithm.name), \(key.algorithm.rawValue) \(key.bits)"),
                    .tag("br"), .text(role)))
        }
        if let last = verdict.chain.last, !isAnchor(last) {
            nodes.append(.tag("div", ["class": "node missing"], .text("no trusted anchor")))
        }
        return .tag("div", ["class": "chain"], children: HTML.joined(nodes, separator: arrow))
    }

    /// The page's own style sheet.
    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:1200px;color:#1d2330;padding:0 1rem}
        h1{margin:0 0 .3rem} .dim{color:#6b7280;font-weight:normal} code{background:#eef1f5;padding:0 .25rem;border-radius:3px}
        .summary{font-size:1.1rem;padding:.6rem .9rem;border-radius:6px} .summary.ok{background:#e6f6ea} .summary.bad{background:#fde8e8}
        table#matrix{border-collapse:collapse;margin:1rem 0;width:100%} #matrix th,#matrix td{border:1px solid #d8dde6;padding:.45rem .6rem;text-align:left;vertical-align:top}
        #matrix thead th{background:#f3f5f8} .next{font-size:12px;color:#92400e}
        table#changes{border-collapse:collapse;margin:.5rem 0} #changes th,#changes td{border:1px solid #d8dde6;padding:.35rem .6rem;text-align:left} td.trusted{background:#d9f2df;color:#14532d} td.untrusted{background:#fbd5d5;color:#7f1d1d}
        .ok{color:#166534} .bad{color:#991b1b} .warn{color:#92400e}
        .pill{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px} .pill.ok{background:#d9f2df} .pill.off{background:#eceff3;color:#9aa1ab;text-decoration:line-through}
        .chain{display:flex;align-items:center;flex-wrap:wrap;gap:.4rem;margin:.6rem 0} .node{border:1px solid #b8c2d0;border-radius:6px;padding:.4rem .6rem;background:#fff}
        .node.anchor{border-color:#15803d;background:#f0fbf3} .node.missing{border-style:dashed;border-color:#b91c1c;color:#b91c1c} .arrow{color:#6b7280;font-size:18px}
        ul.findings li{margin:.35rem 0} li.error code{background:#fbd5d5} li.warning code{background:#fdecc8}
        section{border-top:1px solid #e5e7eb;margin-top:1rem;padding-top:.5rem}
        """

    static func anchorID(_ name: String) -> String {
        "server-" + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }
}
