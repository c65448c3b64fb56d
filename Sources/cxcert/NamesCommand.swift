import ArgumentParser
import CXCert

/// The deployment's names, shared by `names`, `verify` and (later) `audit`.
struct DeploymentOptions: ParsableArguments {
    @Option(name: .customLong("ad-domain"), help: "DHCP/AD DNS domain: option 15 first, then each option 119 domain (repeatable).")
    var adDomains: [String] = []

    @Option(name: .customLong("sip-domain"), help: "SIP domain (repeatable).")
    var sipDomains: [String] = []

    @Option(help: "The Front End pool FQDN.")
    var pool: String?

    @Option(name: .customLong("server"), help: "A Front End server FQDN (repeatable).")
    var servers: [String] = []

    @Option(name: .customLong("simple-url"), help: "A simple URL such as https://meet.fabrikam.com (repeatable).")
    var simpleURLs: [String] = []

    /// Every name and URL checked (exit 2 with the option and the reason), U-labels turned into A-labels.
    func validate() throws {
        do { _ = try deployment(pool: pool ?? "pool.invalid") } catch { throw ValidationError(error.description) }
    }

    private func deployment(pool: String) throws(DeploymentNameError) -> Deployment {
        try Deployment(adDomains: adDomains, sipDomains: sipDomains, pool: pool, servers: servers, simpleURLs: simpleURLs).validated()
    }

    /// The plan when any deployment name is given: without --pool, the names derivable from the
    /// domains are still checked, and the verdict says which were not.
    var plan: NamePlan? {
        guard pool != nil || !adDomains.isEmpty || !sipDomains.isEmpty || !servers.isEmpty || !simpleURLs.isEmpty else { return nil }
        if let pool { return (try? deployment(pool: pool)).map(NamePlan.init) }
        let named = try? Deployment(adDomains: adDomains, sipDomains: sipDomains, pool: "", servers: servers, simpleURLs: simpleURLs)
            .validated(allowingNoPool: true)
        return named.map(NamePlan.init)
    }
}

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
