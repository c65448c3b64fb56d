import ArgumentParser
import CXCert

struct NamesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "names",
        abstract: "Which names each server certificate must carry for the phones, and a request config with them.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, list, openssl, certreq
    }

    @OptionGroup var deployment: DeploymentOptions

    @Option(help: "table (default), list (one name per line), openssl (req config) or certreq (Windows INF).")
    var format: Format = .table

    @Option(help: "Only the names of one certificate: default or web-internal (default: every name, one certificate).")
    var role: PlannedName.Role?

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func validate() throws {
        guard deployment.pool != nil else { throw ValidationError("--pool is required") }
    }

    func run() {
        guard let plan = deployment.plan else { return }
        if json {
            print(JSONOutput.encode(plan))
            return
        }
        switch format {
        case .table: print(plan.text(style: terminalStyle()))
        case .list: print(plan.names(role: role).joined(separator: "\n"))
        case .openssl: print(plan.opensslConfig(role: role), terminator: "")
        case .certreq: print(plan.certreqINF(role: role), terminator: "")
        }
    }
}

extension PlannedName.Role: ExpressibleByArgument {}
