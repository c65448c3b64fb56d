import CXCertCore
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Text, JSON and HTML views of a capture's reading, in the trace shape of `boot`.
public enum CaptureRendering {
    struct JSONPhone: Encodable {
        let address: String
        @BootRendering.Null var mac: String?
        let reason: String
        let device: String
        @BootRendering.Null var family: String?
        @BootRendering.Null var firmware: String?
        let buildSource: String
        let signsIn: Bool
        @BootRendering.Null var phoneClock: String?
        @BootRendering.Null var clockSource: String?
        @BootRendering.Null var state: BootRendering.JSONState?
        let steps: [BootRendering.JSONStep]
    }
    struct JSONReport: Encodable {
        let files: [String]
        let frames: Int
        let findings: [Finding]
        let phones: [JSONPhone]
        let notFound: [String]
    }
    /// The report without its phones: what ``json(_:write:)`` writes before them (`phones` sorts last).
    struct JSONHead: Encodable {
        let files: [String]
        let frames: Int
        let findings: [Finding]
        let notFound: [String]
    }

    /// The reading as `cxcert trace --json` prints it: files, frames, capture findings, and each phone's steps.
    public static func json(_ report: CaptureReport) -> String {
        var out = ""
        json(report) { out += $0 }
        return out
    }

    /// ``json(_:)``'s text, byte for byte, handed to `write` in pieces, a phone at a time: a capture of thousands of
    /// phones is never one string (about 85 KB of JSON a phone) nor one encoder's document.
    /// - Parameters:
    ///   - report: The capture's reading.
    ///   - write: Called with each piece, in order.
    public static func json(_ report: CaptureReport, write: (String) -> Void) {
        guard !report.phones.isEmpty else { return write(JSONOutput.encode(model(report))) }
        // The pretty, key-sorted document is the head's object with `phones` as its last member: each phone is
        // its own document indented two levels (JSON strings hold no raw line break, so every line is indented).
        let head = JSONOutput.encode(
            JSONHead(files: report.files, frames: report.frames, findings: report.findings, notFound: report.notFound.map(\.description)))
        guard head.hasSuffix("\n}") else { return write(JSONOutput.encode(model(report))) }
        write(String(head.dropLast(2)) + ",\n  \"phones\" : [\n")
        for (index, phone) in report.phones.enumerated() {
            write((index == 0 ? "" : ",\n") + nested(JSONOutput.encode(jsonPhone(phone))))
        }
        write("\n  ]\n}")
    }

    /// A pretty-printed document indented two levels, as the whole document nests a phone: every line but the blank
    /// one of an empty array (which stays blank, as there) gets four spaces. On bytes: a phone is about 85 KB.
    static func nested(_ document: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(document.utf8.count + document.utf8.count / 4)
        var lineStart = true
        for byte in document.utf8 {
            if lineStart && byte != UInt8(ascii: "\n") { bytes.append(contentsOf: [0x20, 0x20, 0x20, 0x20]) }
            bytes.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The whole report as one value: ``json(_:write:)`` writes what `JSONEncoder` makes of it.
    static func model(_ report: CaptureReport) -> JSONReport {
        JSONReport(
            files: report.files, frames: report.frames, findings: report.findings, phones: report.phones.map(jsonPhone),
            notFound: report.notFound.map(\.description))
    }

    static func jsonPhone(_ phone: CaptureTrace) -> JSONPhone {
        JSONPhone(
            address: phone.phone.address, mac: phone.phone.mac, reason: phone.phone.reason, device: phone.trace.profile.name,
            family: phone.trace.profile.familyID, firmware: phone.trace.profile.firmware?.description, buildSource: phone.buildSource,
            signsIn: phone.trace.signsIn, phoneClock: phone.trace.phoneClock.map(iso8601), clockSource: phone.trace.clockSource,
            state: phone.trace.state.map(BootRendering.state), steps: phone.trace.steps.map(BootRendering.step))
    }

    /// The reading for a terminal: capture findings, then each phone with how it was found and its steps.
    public static func text(_ report: CaptureReport, style: TextStyle = .plain) -> String {
        var out = [
            style.bold("Capture \(Escaping.terminal(report.files.joined(separator: ", ")))")
                + " · \(report.frames) frames · \(report.phones.count) phone(s)"
        ]
        for finding in report.findings { out.append("  ! \(finding.code.rawValue): \(Escaping.terminal(finding.message))") }
        for phone in report.notFound { out.append("Named with --phone and not in the capture: \(phone).") }
        if report.phones.isEmpty && report.notFound.isEmpty {
            out.append("No phone found in the capture (name one with --phone MAC|IP).")
        }
        for phone in report.phones {
            out.append("")
            out.append(
                style.bold(
                    Escaping.terminal("\(phone.phone.address)\(phone.phone.mac.map { " (\($0))" } ?? "") — \(phone.trace.profile.name)"))
                    + "  " + (phone.trace.passes ? style.green("✔ nothing refused") : style.red("✘ something failed")))
            out.append("  found as: " + Escaping.terminal("\(phone.phone.reason); \(phone.buildSource)"))
            if let state = phone.trace.state { out.append(BootRendering.stateLine(state)) }
            out += phone.trace.steps.flatMap { BootRendering.lines($0, style: style) }
        }
        return out.joined(separator: "\n")
    }

    /// The reading as a Markdown document: capture findings, then each phone with how it was found and its steps
    /// (each step as `boot --markdown` writes it, the conversations' requests and answers among the notes).
    public static func markdown(_ report: CaptureReport) -> String {
        func escaped(_ text: String) -> String { BootRendering.markdown(escaping: text) }
        var out = [
            "# cxcert trace", "",
            "Capture \(escaped(report.files.joined(separator: ", "))) · \(report.frames) frames · \(report.phones.count) phone(s).",
        ]
        if !report.findings.isEmpty { out.append("") }
        for finding in report.findings {
            out.append("- **\(finding.severity.rawValue) `\(finding.code.rawValue)`** \(escaped(finding.message))")
        }
        for phone in report.notFound { out += ["", "Named with --phone and not in the capture: \(escaped(phone.description))."] }
        for phone in report.phones {
            out.append("")
            out.append(
                "## \(escaped("\(phone.phone.address)\(phone.phone.mac.map { " (\($0))" } ?? "") — \(phone.trace.profile.name)")): "
                    + (phone.trace.passes ? "nothing refused" : "**something failed**"))
            out.append("")
            out.append("Found as: \(escaped("\(phone.phone.reason); \(phone.buildSource)"))")
            if let state = phone.trace.state { out += ["", escaped(BootRendering.stateLine(state).trimmingSpaces())] }
            for step in phone.trace.steps { out += BootRendering.markdownLines(step) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The reading as one self-contained HTML page, in the layout of `cxcert boot`'s.
    public static func html(_ report: CaptureReport) -> String {
        let builds = report.phones.map(\.trace)
        // Each row names its phone: several phones of one build would otherwise be identical rows.
        let labels = report.phones.map { phone in
            "\(phone.phone.address)\(phone.phone.mac.map { " (\($0))" } ?? "") — \(phone.trace.profile.name) · \(phone.phone.reason)"
        }
        return BootRendering.html(
            BootReport(at: Date(), inputs: (try? BootInputs(sipDomain: "capture.invalid"))!, builds: builds),
            title: "cxcert trace: \(report.files.joined(separator: ", "))", labels: labels)
    }
}
