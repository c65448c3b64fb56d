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

/// `--device-data FILE` and `--capability KEY=VALUE`, shared by every command that judges devices.
struct KnowledgeOptions: ParsableArguments {
    @Option(name: .customLong("device-data"), help: "A JSON file shaped like Knowledge/devices.json whose rows take precedence.")
    var deviceData: String?

    @Option(name: .customLong("capability"), help: "Force a capability for every build, e.g. sha2Signatures=true (repeatable).")
    var capabilities: [String] = []

    func load() throws -> DeviceKnowledgeBase {
        var knowledge = DeviceKnowledgeBase.builtIn
        do {
            if let deviceData {
                let bytes = try BoundedReader.read(path: deviceData, limit: 1 << 20)
                try knowledge.merge(userJSON: Data(bytes))
            }
            for assignment in capabilities {
                let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--capability takes KEY=VALUE, not '\(assignment)'") }
                try knowledge.override(parts[0], value: FactValue(commandLine: parts[1]))
            }
        } catch let error as BoundedReader.Failure {
            throw ValidationError("--device-data \(error)")
        } catch let error as DeviceKnowledgeError {
            throw ValidationError(error.description)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("--device-data \(deviceData ?? ""): \(error.localizedDescription)")
        }
        return knowledge
    }
}
