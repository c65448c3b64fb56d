import ArgumentParser
import CXCert
import Foundation

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

    func run() throws {
        let report = DeviceReport(knowledge: try knowledge.load())
        print(json ? JSONOutput.encode(report) : report.text(style: terminalStyle()))
    }
}

/// Parses `--at` values.
func parseDate(_ text: String) throws -> Date {
    do { return try StrictDate.parse(text) } catch { throw ValidationError(error.description) }
}
