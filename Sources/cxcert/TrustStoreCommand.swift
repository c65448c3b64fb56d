import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct TrustStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "truststore",
        abstract: "Show the phones' built-in trusted-authorities cache and each root's state at a date.")

    @Option(help: "Judge validity at this ISO 8601 date or time (default: now).", transform: parseDate)
    var at: Date?

    @Flag(help: "Print a JSON array (schema in the README).")
    var json = false

    func run() {
        let date = at ?? Date()
        print(json ? JSONOutput.encode(TrustStoreStatus.all(at: date)) : TrustStoreStatus.text(at: date, style: terminalStyle()))
    }
}

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Show device families, firmware builds and their capabilities, with sources.")

    @OptionGroup var knowledge: KnowledgeOptions

    @Flag(help: "Print JSON with every fact's source, confidence and note.")
    var json = false

    @Option(
        name: .customLong("update-status"),
        help:
            "Decode a phone's Last Update Status value (e.g. 0x2F0D/0) with its source and confidence; exit 1 for a code cxcert does not know."
    )
    var updateStatus: String?

    func run() throws {
        if let updateStatus {
            let report: UpdateStatusReport
            do {
                report = try UpdateStatusReport(updateStatus)
            } catch {
                // The value is the user's, echoed in the message: escaped like every other text cxcert prints.
                throw ValidationError(Escaping.terminal(error.description))
            }
            print(json ? JSONOutput.encode(report) : report.text)
            if !report.known { throw ExitCode(1) }
            return
        }
        let report = DeviceReport(knowledge: try knowledge.load())
        print(json ? JSONOutput.encode(report) : report.text(style: terminalStyle()))
    }
}

/// Parses `--at` values.
func parseDate(_ text: String) throws -> Date {
    do { return try StrictDate.parse(text) } catch { throw ValidationError(error.description) }
}
