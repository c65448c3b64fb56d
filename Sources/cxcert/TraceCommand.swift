import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Read a packet capture of real phones and judge what they actually saw.",
        discussion: """
            pcap or pcapng (a Network Monitor .cap is refused with the conversion command). Per phone, in time order: DHCP,
            DNS (against the build's lookup order), time (NTP), LDAP and HTTP downloads (the roots it received), and every
            TLS handshake in clear: the chain judged for the build with the roots the phone had, at its clock, for the names
            it resolved; alerts the phone sent are explained or not. Each phone starts in the state boot takes (--signed-in,
            --held-root, --sign-in, --network; fresh from reset by default). Exit codes: 0 nothing failed, 1 something did, 2 input error.
            """)

    @Argument(help: "Capture files (pcap, pcapng).")
    var files: [String]

    @Option(name: .customLong("phone"), help: "A phone's MAC or IP address (repeatable; default: every client that looks like a phone).")
    var phones: [String] = []

    @OptionGroup(title: "Client") var client: TraceClientOptions

    @OptionGroup(title: "The phone's state") var state: PhoneStateOptions

    @OptionGroup var knowledge: KnowledgeOptions

    @Flag(help: "Print JSON (schema in the README).")
    var json = false

    @Flag(help: "Print Markdown instead of text.")
    var markdown = false

    @Option(help: "Also write an HTML report to this file ('-' for standard output).")
    var html: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one capture FILE") }
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
        if (json || markdown) && html == "-" {
            throw ValidationError("--\(json ? "json" : "markdown") and --html - both print to standard output: give --html a FILE")
        }
        for phone in phones {
            do { _ = try PhoneSelector(parsing: phone) } catch { throw ValidationError("--phone: \(error.description)") }
        }
    }

    func run() async throws {
        let knowledgeBase = try knowledge.load()
        if let device = client.device {
            _ = try resolveProfiles(device: device, firmwares: client.firmware.map { [$0.text] } ?? [], knowledge: knowledgeBase)
        }
        var options = CaptureReader.Options(
            phones: try phones.map { try PhoneSelector(parsing: $0) }, device: client.device, firmware: client.firmware?.text,
            trusted: try client.anchors(),
            knowledge: knowledgeBase)
        try state.apply(to: &options.start)
        options.vocabulary = .command(.trace)
        let reader = CaptureReader(options: options)
        let report: CaptureReport
        do {
            report = try await reader.read(paths: files)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        if let html {
            if html == "-" { print(CaptureRendering.html(report)) } else { try writeReport(CaptureRendering.html(report), to: html) }
        }
        if json && html != "-" {
            // A phone at a time: 5,000 phones make 88 MB of JSON, never held at once.
            var output = ChunkedOutput()
            CaptureRendering.json(report) { output.write(Escaping.terminalOutput($0)) }
            output.write("\n")
            output.flush()
        } else if html != "-" {
            print(markdown ? CaptureRendering.markdown(report) : CaptureRendering.text(report, style: terminalStyle()))
        }
        // A phone named and not found is a failed check, so a CI gate on the wrong capture does not pass.
        for phone in report.notFound { printError("--phone \(phone): not in the capture") }
        if !report.notFound.isEmpty || report.phones.contains(where: { !$0.trace.passes }) { throw ExitCode(1) }
    }
}
