import ArgumentParser
import CXCert
import Foundation

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
                let bytes = try Input.bytes(deviceData, limit: 1 << 20)
                try knowledge.merge(userJSON: bytes, file: deviceData)
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
