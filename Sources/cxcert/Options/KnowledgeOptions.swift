import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--device-data FILE` and `--capability KEY=VALUE`, shared by every command that judges devices. `verify` declares
/// the two options itself, with the names and help below, and loads through ``load(deviceData:capabilities:)``: an
/// option group costs its one-shot parse about as much as ten options (round eight in Benchmarks/README.md).
struct KnowledgeOptions: ParsableArguments {
    static let deviceDataName = NameSpecification.customLong("device-data")
    static let deviceDataHelp = ArgumentHelp("A JSON file shaped like Knowledge/devices.json whose rows take precedence.")
    static let capabilityName = NameSpecification.customLong("capability")
    static let capabilityHelp = ArgumentHelp("Force a capability for every build, e.g. sha2Signatures=true (repeatable).")

    @Option(name: deviceDataName, help: deviceDataHelp)
    var deviceData: String?

    @Option(name: capabilityName, help: capabilityHelp)
    var capabilities: [String] = []

    func load() throws -> DeviceKnowledgeBase { try Self.load(deviceData: deviceData, capabilities: capabilities) }

    /// The built-in device data with `--device-data` merged and `--capability` applied; usage errors when they are bad.
    static func load(deviceData: String?, capabilities: [String]) throws -> DeviceKnowledgeBase {
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
            throw ValidationError("--device-data \(deviceData ?? ""): \(error)")
        }
        return knowledge
    }
}
