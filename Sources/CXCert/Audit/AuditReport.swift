import Foundation

/// Renderings of an audit: terminal text, JSON for pipelines, Markdown, and one self-contained HTML page.
public enum AuditReport {
    /// What a matrix cell says: `✔` or the error codes.
    static func cell(_ audit: ServerAudit, _ index: Int) -> (trusted: Bool, text: String) {
        if let problem = audit.problem { return (false, "unreachable: \(problem)") }
        guard index < audit.verdicts.count else { return (false, "no certificate") }
        let verdict = audit.verdicts[index]
        let codes = Array(Set(verdict.findings.filter { $0.severity == .error }.map(\.code.rawValue))).sorted()
        return verdict.trusted ? (true, "✔") : (false, codes.joined(separator: ", "))
    }

    static func column(_ member: FleetMember) -> String {
        member.profile.name + (member.count > 1 ? " ×\(member.count)" : "")
    }

    // MARK: Text

    public static func text(_ result: AuditResult, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let phones = result.fleet.reduce(0) { $0 + $1.count }
        out.append(
            style.bold(
                "Audit at \(iso8601(result.time)): \(result.servers.count) servers × \(result.fleet.count) builds (\(phones) phones)"))
        for (index, member) in result.fleet.enumerated() { out.append("  [\(index + 1)] \(column(member))") }
        var table = TextTable(header: ["Server"] + result.fleet.indices.map { "[\($0 + 1)]" })
        for audit in result.servers {
            table.append(
                [audit.name]
                    + result.fleet.indices.map { index in
                        let (trusted, text) = cell(audit, index)
                        return trusted ? style.green(text) : style.red("✘ " + text)
                    })
        }
        out.append("")
        out.append(table.render(style: style))
        if !result.fixes.isEmpty {
            out.append("")
            out.append(style.bold("Fixes, most phones affected first"))
            for (number, fix) in result.fixes.enumerated() {
                out.append("\(number + 1). \(fix.remedy)")
                out.append(
                    style.dim(
                        "   \(fix.code.rawValue) · \(fix.phonesAffected) phones · \(fix.builds.joined(separator: ", ")) · \(fix.servers.joined(separator: ", "))"
                    ))
                for message in fix.messages.prefix(3) { out.append("   - \(message)") }
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
                        item.server, "[\(item.memberIndex + 1)]",
                        iso8601(item.change.at), item.change.trusted ? style.green("✔ trusted") : style.red("✘ not trusted"),
                        changeCodes(item.change),
                    ])
                }
                out.append(changeTable.render(style: style))
            }
        }
        for note in result.planNotes { out.append("\n" + note) }
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
        let trustedNow = index < audit.verdicts.count && audit.verdicts[index].trusted
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
    static func markdownText(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|", "\\", "`", "*", "_", "[", "]", "#": out += "\\\(character)"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: HTML

    static func html(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// One self-contained page: the coloured matrix, each chain as a path to its anchor, each finding with its fix.
    public static func html(_ result: AuditResult) -> String {
        var body: [String] = []
        body.append("<h1>cxcert audit</h1>")
        body.append(
            "<p class=\"summary \(result.allTrusted ? "ok" : "bad")\">\(result.allTrusted ? "Every phone in the fleet trusts every server." : "Some phones would not trust some servers.") <span class=\"dim\">Validated at \(html(iso8601(result.time))).</span></p>"
        )
        body.append(
            "<table id=\"matrix\"><thead><tr><th>Server</th>" + result.fleet.map { "<th>\(html(column($0)))</th>" }.joined()
                + "</tr></thead><tbody>")
        for audit in result.servers {
            body.append(
                "<tr><th scope=\"row\"><a href=\"#\(anchorID(audit.name))\">\(html(audit.name))</a></th>"
                    + result.fleet.indices.map { index in
                        let (trusted, text) = cell(audit, index)
                        let note = changeNote(audit, index)
                        let next = note.isEmpty ? "" : "<br><span class=\"next\">\(html(note))</span>"
                        return "<td class=\"\(trusted ? "trusted" : "untrusted")\">\(trusted ? "✔ trusted" : "✘ " + html(text))\(next)</td>"
                    }.joined() + "</tr>")
        }
        body.append("</tbody></table>")
        if let until = result.until {
            body.append("<h2>When the answer changes <span class=\"dim\">until \(html(iso8601(until)))</span></h2>")
            let changes = result.changes
            if changes.isEmpty {
                body.append("<p class=\"ok\">No verdict changes.</p>")
            } else {
                body.append(
                    "<table id=\"changes\"><thead><tr><th>Server</th><th>Build</th><th>Changes at</th><th>Becomes</th><th>Codes</th></tr></thead><tbody>"
                )
                for item in changes {
                    body.append(
                        "<tr><th scope=\"row\">\(html(item.server))</th><td>\(html(column(item.member)))</td><td>\(html(iso8601(item.change.at)))</td><td class=\"\(item.change.trusted ? "trusted" : "untrusted")\">\(item.change.trusted ? "✔ trusted" : "✘ not trusted")</td><td><code>\(html(changeCodes(item.change)))</code></td></tr>"
                    )
                }
                body.append("</tbody></table>")
            }
        }
        if !result.fixes.isEmpty {
            body.append("<h2>Fixes, most phones affected first</h2><ol class=\"fixes\">")
            for fix in result.fixes {
                body.append(
                    "<li><strong>\(html(fix.remedy))</strong><div class=\"dim\"><code>\(html(fix.code.rawValue))</code> · \(fix.phonesAffected) phones · \(html(fix.servers.joined(separator: ", ")))</div><ul>"
                        + fix.messages.map { "<li>\(html($0))</li>" }.joined() + "</ul></li>")
            }
            body.append("</ol>")
        }
        body.append("<h2>Servers</h2>")
        for audit in result.servers {
            body.append(
                "<section id=\"\(anchorID(audit.name))\"><h3>\(html(audit.name)) <span class=\"dim\">\(html(audit.source))</span></h3>")
            if let problem = audit.problem {
                body.append("<p class=\"bad\">\(html(problem))</p></section>")
                continue
            }
            if let probe = audit.probe {
                let protocols = TLSVersion.allCases.map { version in
                    let ok = probe.protocols[version]?.isAccepted ?? false
                    return "<span class=\"pill \(ok ? "ok" : "off")\">\(version.rawValue)</span>"
                }.joined(separator: " ")
                let phone: String =
                    switch probe.asPhone {
                    case .accepted(let cipher): "<span class=\"ok\">phone handshake accepted (\(html(cipher)))</span>"
                    case .refused(let reason): "<span class=\"bad\">phone handshake refused: \(html(reason))</span>"
                    }
                body.append("<p>\(protocols) — \(phone)</p>")
                for issue in probe.chainIssues { body.append("<p class=\"warn\">Chain sent: \(html(issue.description))</p>") }
            }
            if let verdict = audit.verdicts.first {
                body.append(
                    "<div class=\"chain\">"
                        + verdict.chain.map { link in
                            let role: String =
                                switch link.role {
                                case .leaf: "leaf"
                                case .intermediate: "intermediate"
                                case .untrustedRoot: "root (not trusted)"
                                case .anchor(let source): "anchor · \(source)"
                                }
                            let isAnchor = if case .anchor = link.role { true } else { false }
                            return
                                "<div class=\"node\(isAnchor ? " anchor" : "")\"><b>\(html(link.certificate.subject.displayName))</b><br><span class=\"dim\">\(html(link.certificate.signatureAlgorithm.name)), \(link.certificate.publicKey.algorithm.rawValue) \(link.certificate.publicKey.bits)<br>\(html(role))</span></div>"
                        }.joined(separator: "<div class=\"arrow\">→</div>")
                        + (verdict.chain.last.map {
                            if case .anchor = $0.role {
                                ""
                            } else {
                                "<div class=\"arrow\">→</div><div class=\"node missing\">no trusted anchor</div>"
                            }
                        } ?? "") + "</div>")
            }
            for (index, verdict) in audit.verdicts.enumerated() where !verdict.findings.isEmpty {
                body.append("<h4>\(html(column(result.fleet[index])))</h4><ul class=\"findings\">")
                for finding in verdict.findings {
                    body.append(
                        "<li class=\"\(finding.severity.rawValue)\"><code>\(html(finding.code.rawValue))</code> \(html(finding.message))"
                            + (finding.deviceSymptom.map { "<br><span class=\"dim\">Phone shows: \(html($0))</span>" } ?? "")
                            + "<br><b>Fix:</b> \(html(finding.remedy))</li>")
                }
                body.append("</ul>")
            }
            body.append("</section>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>cxcert audit</title>
            <style>
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
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    static func anchorID(_ name: String) -> String {
        "server-" + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }
}
