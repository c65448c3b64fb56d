import CXCertAudit
import CXCertCore
import CXCertDiscovery
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Text, JSON, Markdown and HTML views of a boot replay. The JSON schema is documented in the README.
public enum BootRendering {
    /// Encodes nil as `null`: the documented keys are always present.
    // swift-format-ignore: UseSynthesizedInitializer
    @propertyWrapper
    struct Null<Value: Encodable>: Encodable {
        var wrappedValue: Value?
        // Declared, not synthesized: only an explicit init(wrappedValue:) lets the enclosing memberwise
        // initializers take a plain `Value?`.
        init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
        }
    }

    // MARK: JSON

    struct JSONQuery: Encodable {
        let name: String
        let type: String
        @Null var server: String?
        let result: String
        let answers: [String]
        let purpose: String
    }
    struct JSONVerdict: Encodable {
        let trusted: Bool
        let codes: [String]
    }
    struct JSONEndpoint: Encodable {
        let host: String
        @Null var address: String?
        let port: Int
        let purpose: String
        let outcome: String
        let chain: [CertificateReference]
        @Null var verdict: JSONVerdict?
    }
    struct JSONTimeSample: Encodable {
        let name: String
        let address: String
        let port: Int
        let how: String
        @Null var leapIndicator: Int?
        @Null var stratum: Int?
        @Null var referenceID: String?
        @Null var referenceTime: String?
        @Null var serverTime: String?
        @Null var offsetSeconds: Double?
        let synchronized: Bool
        @Null var error: String?
    }
    /// A root the phone holds: where it came from, beside the certificate's reference view.
    struct JSONRoot: Encodable {
        let certificate: CertificateReference
        let source: String

        private enum Key: String, CodingKey { case source }
        func encode(to encoder: any Encoder) throws {
            try certificate.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(source, forKey: .source)
        }
    }
    struct JSONStep: Encodable {
        let step: String
        /// `boot`, `sign-in` or `signed-in`; absent for a capture's steps (`trace` has no phases yet).
        let phase: String?
        let status: String
        let queries: [JSONQuery]
        let endpoints: [JSONEndpoint]
        let timeSources: [JSONTimeSample]
        let roots: [JSONRoot]
        let notes: [String]
        let findings: [Finding]
        /// The HTTP conversation the step had as the phone (`certprov`); absent for the other steps.
        var exchange: JSONExchange? = nil
        /// The REGISTERs the step sent as the phone (`sip-register`); absent for the other steps.
        var sipRegister: [JSONSIPExchange]? = nil
    }
    /// One REGISTER as sent and its answer as read (bounded).
    struct JSONSIPExchange: Encodable {
        let host: String
        let address: String
        let port: Int
        let request: String
        let status: Int?
        let reason: String?
        let challenges: [JSONChallenge]
        let contacts: [String]
        let outcome: String
        let answerBytes: Int
        let answer: String
    }
    /// One challenge: the header, the package and every parameter (`realm`, `targetname`, `version`, `sts-uri`, ...).
    struct JSONChallenge: Encodable {
        let header: String
        let scheme: String
        let parameters: [String: String]
        let realm: String?
        let targetName: String?
        let version: Int?
        let certificateProvisioningURL: String?
    }
    /// The request a step sent as the phone and the answer it read (bounded).
    struct JSONExchange: Encodable {
        let method: String
        let url: String
        let address: String
        let headers: [String]
        let body: String
        let status: Int?
        let contentType: String?
        let bodyBytes: Int
        let answer: String
    }
    /// A root the phone holds at the start of the walk: its reference, source and when it got it.
    struct JSONHeldRoot: Encodable {
        let certificate: CertificateReference
        let source: String
        let acquired: String

        private enum Key: String, CodingKey { case source, acquired }
        func encode(to encoder: any Encoder) throws {
            try certificate.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(source, forKey: .source)
            try out.encode(acquired, forKey: .acquired)
        }
    }
    struct JSONState: Encodable {
        let phase: String
        let signIn: String
        let network: String
        let heldRoots: [JSONHeldRoot]
    }
    struct JSONBuild: Encodable {
        let device: String
        @Null var family: String?
        @Null var firmware: String?
        let signsIn: Bool
        let passes: Bool
        @Null var phoneClock: String?
        @Null var clockSource: String?
        @Null var state: JSONState?
        /// How the build was judged (a build newer than every known one takes the newest's capabilities).
        let notes: [String]
        let steps: [JSONStep]
    }
    struct JSONInputs: Encodable {
        let sipDomain: String
        @Null var dhcpDomain: String?
        let searchDomains: [String]
        @Null var smtpDomain: String?
        @Null var user: String?
        @Null var upn: String?
        @Null var webFQDN: String?
        let registrars: [String]
        let dnsServers: [String]
        let ntpServers: [String]
    }
    struct JSONReport: Encodable {
        let at: String
        let signsIn: Bool
        let passes: Bool
        let inputs: JSONInputs
        let builds: [JSONBuild]
    }

    static func answers(_ answer: DNSAnswer) -> [String] {
        switch answer {
        case .addresses(let list): list
        case .services(let list): list.map { "\($0.priority) \($0.weight) \($0.port) \($0.target)" }
        case .skipped(let why), .failed(let why): [why]
        default: []
        }
    }

    static func model(_ report: BootReport) -> JSONReport {
        let inputs = report.inputs
        return JSONReport(
            at: iso8601(report.at), signsIn: report.allSignIn, passes: report.allPass,
            inputs: JSONInputs(
                sipDomain: inputs.sipDomain, dhcpDomain: inputs.dhcpDomain, searchDomains: inputs.searchDomains,
                smtpDomain: inputs.smtpDomain, user: inputs.user, upn: inputs.upn, webFQDN: inputs.webServices?.description,
                registrars: inputs.registrars.map(\.description), dnsServers: inputs.dnsServers.map(\.description),
                ntpServers: inputs.ntpServers.map(\.description)),
            builds: report.builds.map { trace in
                JSONBuild(
                    device: trace.profile.name, family: trace.profile.familyID, firmware: trace.profile.firmware?.description,
                    signsIn: trace.signsIn, passes: trace.passes, phoneClock: trace.phoneClock.map(iso8601), clockSource: trace.clockSource,
                    state: trace.state.map(state), notes: trace.profile.notes, steps: trace.steps.map(step))
            })
    }

    static func state(_ state: PhoneState) -> JSONState {
        JSONState(
            phase: state.phase.rawValue, signIn: state.signIn.rawValue, network: state.network.rawValue,
            heldRoots: state.roots.map {
                JSONHeldRoot(
                    certificate: CertificateReference($0.anchor.certificate), source: $0.anchor.source.description,
                    acquired: $0.acquired.rawValue)
            })
    }

    /// The text line of a phone's starting state, for `boot` and `trace`.
    static func stateLine(_ state: PhoneState) -> String {
        let held = state.roots.filter { $0.acquired != .factory }
        return "  state: "
            + Escaping.terminal(
                "\(state.phase.rawValue), sign-in by \(state.signIn.rawValue), \(state.network.rawValue) network; holds "
                    + (["the built-in cache"].filter { _ in state.roots.contains { $0.acquired == .factory } }
                    + held.map { "\($0.anchor.certificate.subject.displayName) (\($0.anchor.source))" })
                    .joined(separator: ", "))
    }

    static func step(_ step: BootStep) -> JSONStep {
        JSONStep(
            step: step.kind.rawValue, phase: step.phase?.rawValue, status: step.status.rawValue,
            queries: step.queries.map {
                JSONQuery(
                    name: $0.name, type: $0.type.rawValue, server: $0.server?.description, result: $0.answer.result,
                    answers: answers($0.answer), purpose: $0.purpose)
            },
            endpoints: step.endpoints.map { endpoint in
                JSONEndpoint(
                    host: endpoint.host, address: endpoint.address, port: endpoint.port, purpose: endpoint.purpose,
                    outcome: endpoint.outcome, chain: endpoint.chain.map(CertificateReference.init),
                    verdict: endpoint.verdict.map { verdict in
                        JSONVerdict(
                            trusted: verdict.isTrusted,
                            codes: verdict.findings.filter { $0.severity != .info }.map(\.code.rawValue))
                    })
            },
            timeSources: step.timeSamples.map(timeSample),
            roots: step.roots.map {
                JSONRoot(certificate: CertificateReference($0.certificate), source: $0.source)
            },
            notes: step.notes, findings: step.findings,
            exchange: step.exchange.map {
                JSONExchange(
                    method: $0.method, url: $0.url, address: $0.address, headers: $0.headers, body: $0.body, status: $0.status,
                    contentType: $0.contentType, bodyBytes: $0.bodyBytes, answer: $0.excerpt)
            },
            sipRegister: step.kind == .sipRegister
                ? step.sipExchanges.map { exchange in
                    JSONSIPExchange(
                        host: exchange.host, address: exchange.address, port: exchange.port, request: exchange.request,
                        status: exchange.status, reason: exchange.reason,
                        challenges: exchange.challenges.map { challenge in
                            JSONChallenge(
                                header: challenge.header, scheme: challenge.scheme,
                                parameters: Dictionary(challenge.parameters.map { ($0.name, $0.value) }) { first, _ in first },
                                realm: challenge.realm, targetName: challenge.targetName, version: challenge.version,
                                certificateProvisioningURL: challenge.certificateProvisioningURL)
                        }, contacts: exchange.contacts, outcome: exchange.outcome, answerBytes: exchange.answerBytes,
                        answer: exchange.excerpt)
                } : nil)
    }

    static func timeSample(_ sample: BootTimeSample) -> JSONTimeSample {
        switch sample.result {
        case .success(let response):
            JSONTimeSample(
                name: sample.name, address: sample.address, port: sample.port, how: sample.how.description,
                leapIndicator: response.leapIndicator,
                stratum: response.stratum, referenceID: response.referenceID, referenceTime: response.referenceTime.map(iso8601),
                serverTime: iso8601(response.serverTime), offsetSeconds: response.offset, synchronized: !response.isUnsynchronized,
                error: nil)
        case .failure(let error):
            JSONTimeSample(
                name: sample.name, address: sample.address, port: sample.port, how: sample.how.description, leapIndicator: nil,
                stratum: nil,
                referenceID: nil, referenceTime: nil, serverTime: nil, offsetSeconds: nil, synchronized: false, error: error.description)
        }
    }

    /// The report as `cxcert boot --json` prints it: the time, the overall answer, the inputs, and each build's clock and steps.
    public static func json(_ report: BootReport) -> String {
        return JSONOutput.encode(model(report))
    }

    /// The steps some build took, in order (the `dhcp` step only when the walk started from DHCP).
    static func columns(_ report: BootReport) -> [BootStepKind] {
        BootStepKind.allCases.filter { kind in report.builds.contains { $0.step(kind) != nil } }
    }

    /// The worst status of a build's steps of one kind (a step taken in several phases), or nil when it took none.
    static func worst(_ trace: BootTrace, _ kind: BootStepKind) -> BootStepStatus? {
        let statuses = trace.steps.filter { $0.kind == kind }.map(\.status)
        for status in [BootStepStatus.failed, .warning, .ok, .skipped] where statuses.contains(status) { return status }
        return nil
    }

    // MARK: Text

    static func symbol(_ status: BootStepStatus) -> String {
        switch status {
        case .ok: "✔"
        case .warning: "!"
        case .failed: "✘"
        case .skipped: "–"
        }
    }

    static func line(_ query: BootQuery) -> String {
        let answer: String =
            switch query.answer {
            case .addresses, .services: answers(query.answer).joined(separator: ", ")
            case .skipped(let why): "skipped (\(why))"
            case .failed(let why): "error (\(why))"
            default: query.answer.result
            }
        return "DNS \(query.name) \(query.type.rawValue)\(query.server.map { " @\($0)" } ?? "") → \(answer)"
    }

    static func line(_ sample: BootTimeSample) -> String {
        switch sample.result {
        case .success(let r):
            "NTP \(sample.name) \(sample.address):\(sample.port) (\(sample.how)) → stratum \(r.stratum), leap \(r.leapIndicator), ref \(r.referenceID), time \(iso8601(r.serverTime)), offset \(fixed(r.offset, decimals: 3, sign: true)) s\(r.isUnsynchronized ? " — unsynchronised" : "")"
        case .failure(let error):
            "NTP \(sample.name) \(sample.address):\(sample.port) (\(sample.how)) → \(error)"
        }
    }

    static func line(_ endpoint: BootEndpoint) -> String {
        let chain = endpoint.chain.first.map { " · leaf \($0.subject.displayName)" } ?? ""
        return
            "\(endpoint.purpose): \(endpoint.host)\(endpoint.address.map { " (\($0))" } ?? ""):\(endpoint.port) → \(endpoint.outcome)\(chain)"
    }

    /// The report for a terminal: each build's clock and steps, then a build × step matrix and the overall answer.
    public static func text(_ report: BootReport, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let inputs = report.inputs
        out.append(
            style.bold("Boot replay at \(iso8601(report.at))")
                + Escaping.terminal(
                    " · SIP domain \(inputs.sipDomain)\(inputs.dhcpDomain.map { " · DHCP domain \($0)" } ?? "")"
                        + " · DNS \(inputs.dnsServers.map(\.description).joined(separator: ", "))"))
        for trace in report.builds {
            out.append("")
            let verdict =
                trace.passes
                ? style.green("✔ signs in and trusts every server it reaches")
                : trace.signsIn
                    ? style.yellow("⚠ signs in, but a step it signs in without failed (Device Update or Exchange)")
                    : style.red("✘ would not sign in")
            out.append(style.bold(trace.profile.name) + "  " + verdict)
            for note in trace.profile.notes { out.append("  note: " + Escaping.terminal(note)) }
            out.append(
                "  phone clock: "
                    + Escaping.terminal(
                        trace.phoneClock.map { "\(iso8601($0)) from \(trace.clockSource ?? "?")" }
                            ?? "none (judged at this machine's clock)")
            )
            if let state = trace.state { out.append(stateLine(state)) }
            var phase: BootPhase?
            for step in trace.steps {
                if let next = step.phase, next != phase {
                    phase = next
                    out.append("  " + style.bold("\(next.rawValue):"))
                }
                out += lines(step, style: style)
            }
        }
        out.append("")
        out.append(style.bold("Matrix"))
        let kinds = columns(report)
        let header = ["Build"] + kinds.map(\.rawValue) + ["signs in"]
        let rows = report.builds.map { trace in
            [trace.profile.name] + kinds.map { kind in worst(trace, kind).map(symbol) ?? " " }
                + [trace.signsIn ? "yes" : "no"]
        }
        var table = TextTable(header: header)
        for row in rows { table.append(row) }
        out.append(table.render())
        out.append(
            report.allPass
                ? "Every build signs in and trusts every server it reaches."
                : "\(report.builds.filter { !$0.passes }.count) of \(report.builds.count) builds have a failed step; \(report.builds.filter { !$0.signsIn }.count) would not sign in."
        )
        return out.joined(separator: "\n")
    }

    /// One step of a trace, indented under its build.
    static func lines(_ step: BootStep, style: TextStyle) -> [String] {
        // Padded to a column, never cut: `device-update-request` is longer than the column.
        let label = step.kind.rawValue.padded(toLength: max(14, step.kind.rawValue.count))
        let status: String =
            switch step.status {
            case .ok: style.green("✔ ok")
            case .warning: style.yellow("! warning")
            case .failed: style.red("✘ failed")
            case .skipped: style.dim("– skipped")
            }
        var out = ["  \(label) \(status)"]
        for query in step.queries { out.append("      " + style.dim(Escaping.terminal(line(query)))) }
        for sample in step.timeSamples { out.append("      " + Escaping.terminal(line(sample))) }
        for endpoint in step.endpoints { out.append("      " + Escaping.terminal(line(endpoint))) }
        if !step.roots.isEmpty {
            out.append(
                "      roots besides the built-in cache: "
                    + Escaping.terminal(step.roots.map { "\($0.certificate.subject.displayName) (\($0.source))" }.joined(separator: "; ")))
        }
        for note in step.notes { out.append("      · " + Escaping.terminal(note)) }
        for finding in step.findings {
            let mark = finding.severity == .error ? style.red("✘") : finding.severity == .warning ? style.yellow("!") : "·"
            out.append("      \(mark) \(finding.code.rawValue): \(Escaping.terminal(finding.message))")
            if let symptom = finding.deviceSymptom { out.append("        Phone: \(Escaping.terminal(symptom))") }
            out.append("        Fix: \(Escaping.terminal(finding.remedy))")
        }
        return out
    }

    // MARK: Markdown

    /// Markdown as inert text, the one escaping every report uses.
    static func markdown(escaping text: String) -> String { AuditReport.markdownText(text) }

    /// The report as a Markdown document: the build × step matrix, then each build's steps with their findings.
    public static func markdown(_ report: BootReport) -> String {
        var out: [String] = ["# cxcert boot replay", ""]
        out.append("At \(iso8601(report.at)), SIP domain `\(report.inputs.sipDomain)`.")
        out.append("")
        let kinds = columns(report)
        out.append("| Build | " + kinds.map(\.rawValue).joined(separator: " | ") + " | signs in |")
        out.append("|---|" + kinds.map { _ in "---" }.joined(separator: "|") + "|---|")
        for trace in report.builds {
            out.append(
                "| \(markdown(escaping: trace.profile.name)) | "
                    + kinds.map { worst(trace, $0).map { "\(symbol($0)) \($0.rawValue)" } ?? "" }.joined(
                        separator: " | ")
                    + " | \(trace.signsIn ? "yes" : "**no**") |")
        }
        for trace in report.builds {
            out.append("")
            out.append("## \(markdown(escaping: trace.profile.name))")
            for note in trace.profile.notes { out.append("\nNote: \(markdown(escaping: note))") }
            for step in trace.steps where step.status != .skipped || !step.notes.isEmpty { out += markdownLines(step) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One step as a Markdown section (`boot` and `trace` both): a heading with its status, then its lines and findings.
    static func markdownLines(_ step: BootStep) -> [String] {
        var out = ["", "### \(step.kind.rawValue)\(step.phase.map { " (\($0.rawValue))" } ?? ""): \(step.status.rawValue)"]
        for query in step.queries { out.append("- \(markdown(escaping: line(query)))") }
        for sample in step.timeSamples { out.append("- \(markdown(escaping: line(sample)))") }
        for endpoint in step.endpoints { out.append("- \(markdown(escaping: line(endpoint)))") }
        if !step.roots.isEmpty {
            out.append(
                "- roots besides the built-in cache: "
                    + markdown(escaping: step.roots.map { "\($0.certificate.subject.displayName) (\($0.source))" }.joined(separator: "; ")))
        }
        for note in step.notes { out.append("- \(markdown(escaping: note))") }
        for finding in step.findings {
            out.append(
                "- **\(finding.severity.rawValue) `\(finding.code.rawValue)`** \(markdown(escaping: finding.message)) Fix: \(markdown(escaping: finding.remedy))"
            )
        }
        return out
    }

    // MARK: HTML

    /// One self-contained page: the build × step matrix and each build's timeline, built as an `HTML` tree
    /// so names, answers and messages from the network are escaped.
    public static func html(_ report: BootReport, title: String? = nil) -> String {
        html(report, title: title, labels: nil)
    }

    /// The page with `labels` naming each build's row and section (a capture's phones: address, MAC, how it was found)
    /// instead of the build alone.
    static func html(_ report: BootReport, title: String?, labels: [String]?) -> String {
        func label(_ index: Int, _ trace: BootTrace) -> String { labels.map { $0[index] } ?? trace.profile.name }
        var body: [HTML] = [.tag("h1", .text(title ?? "cxcert boot replay"))]
        if title == nil {
            body.append(
                .tag(
                    "p", ["class": "summary \(report.allPass ? "ok" : "bad")"],
                    .text(
                        report.allPass
                            ? "Every build signs in and trusts every server it reaches."
                            : report.allSignIn
                                ? "Every build signs in, but a step they sign in without failed." : "Some builds would not sign in."),
                    .text(" "),
                    .tag("span", ["class": "dim"], .text("At \(iso8601(report.at)), SIP domain \(report.inputs.sipDomain)."))))
        }
        let header = HTML.tag(
            "tr",
            children: [.tag("th", .text("Build"))] + columns(report).map { .tag("th", .text($0.rawValue)) } + [
                .tag("th", .text("signs in"))
            ])
        let rows = report.builds.enumerated().map { index, trace in
            HTML.tag(
                "tr",
                children: [.tag("th", ["scope": "row"], .tag("a", ["href": "#build-\(index)"], .text(label(index, trace))))]
                    + columns(report).map { kind in
                        let status = trace.step(kind)?.status ?? .skipped
                        return .tag("td", ["class": status.rawValue], .text("\(symbol(status)) \(status.rawValue)"))
                    } + [.tag("td", ["class": trace.signsIn ? "ok" : "failed"], .text(trace.signsIn ? "yes" : "no"))])
        }
        body.append(.tag("table", ["id": "matrix"], .tag("thead", header), .tag("tbody", children: HTML.lines(rows))))
        for (index, trace) in report.builds.enumerated() {
            body.append(timeline(trace, index: index, label: label(index, trace)))
        }
        return HTML.page(title: title ?? "cxcert boot replay", css: css, body: body, trailingNewline: false)
    }

    /// One build's section: its clock and each step with what it asked, what answered and what was found.
    static func timeline(_ trace: BootTrace, index: Int, label: String) -> HTML {
        let steps = trace.steps.map { step in
            var items: [HTML] = []
            items += step.queries.map { .tag("li", ["class": "query"], .tag("code", .text(line($0)))) }
            items += step.timeSamples.map { .tag("li", ["class": "ntp"], .text(line($0))) }
            items += step.endpoints.map { .tag("li", ["class": "endpoint"], .text(line($0))) }
            items += step.notes.map { .tag("li", ["class": "note"], .text($0)) }
            let findings = step.findings.map { finding in
                HTML.tag(
                    "div", ["class": "finding \(finding.severity.rawValue)"],
                    children: [.tag("code", .text(finding.code.rawValue)), .text(" \(finding.message)")]
                        + (finding.deviceSymptom.map { [.tag("div", ["class": "dim"], .text("Phone: \($0)"))] } ?? [])
                        + [.tag("div", ["class": "fix"], .text("Fix: \(finding.remedy)"))])
            }
            let heading = HTML.tag(
                "h3", .text("\(symbol(step.status)) \(step.kind.rawValue) "),
                .tag("span", ["class": "dim"], .text(step.status.rawValue + (step.phase.map { " · \($0.rawValue)" } ?? ""))))
            return HTML.tag(
                "li", ["class": "step \(step.status.rawValue)"],
                children: [heading, .tag("ul", children: HTML.lines(items))] + findings.flatMap { [HTML.newline, $0] } + [.newline])
        }
        let clock = trace.phoneClock.map { "\(iso8601($0)) from \(trace.clockSource ?? "?")" } ?? "none"
        return .tag(
            "section", ["class": "build", "id": "build-\(index)"], .tag("h2", .text(label)), .newline,
            .tag("p", ["class": "dim"], .text("Phone clock: \(clock)")),
            .tag("div", children: trace.profile.notes.map { .tag("p", ["class": "note"], .text("Note: \($0)")) }),
            .tag("ol", ["class": "timeline"], children: HTML.lines(steps)))
    }

    /// The page's own style sheet.
    static let css = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
        td.ok{background:#e6f4ea}td.warning{background:#fff4d6}td.failed{background:#fde2e1}td.skipped{color:#888}
        .summary.ok{color:#1e7b34}.summary.bad{color:#b3261e;font-weight:bold}.dim{color:#777;font-weight:normal}
        ol.timeline{list-style:none;border-left:3px solid #ccc;padding-left:1em}
        li.step{margin:.8em 0}li.step.failed h3{color:#b3261e}li.step.ok h3{color:#1e7b34}li.step.warning h3{color:#8a6d00}
        li.step h3{margin:.2em 0;font-size:1.05em}li.query code{font-size:.85em;color:#555}
        .finding{margin:.3em 0 .3em 1em;padding:.3em .6em;border-left:4px solid #b3261e;background:#fdf3f2}
        .finding.warning{border-color:#e0a800;background:#fffbea}.fix{margin-top:.2em}
        """
}
