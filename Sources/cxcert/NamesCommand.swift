import ArgumentParser
import CXCert

struct NamesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "names",
        abstract: "Which names each server certificate must carry for the phones, and a request config with them.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, list, openssl, certreq
    }

    @OptionGroup var deployment: DeploymentOptions

    @Option(
        name: .customLong("web-fqdn"),
        help: "The internal web services HOST[:PORT] DHCP option 43 gives (sub-option 3): root download, Device Update.")
    var webFQDN: String?

    @Option(name: .customLong("registrar"), help: "A registrar HOST[:PORT] DHCP option 120 gives (repeatable).")
    var registrars: [String] = []

    @Option(name: .customLong("smtp-domain"), help: "The SMTP domain of the users' addresses: the autodiscover hosts (repeatable).")
    var smtpDomains: [String] = []

    @Option(
        name: .customLong("dns-server"),
        help: "Ask this DNS server IP[:PORT] whether sipinternal.<SIP domain> and sipexternal.<SIP domain> exist (repeatable).")
    var dnsServers: [String] = []

    @Option(help: "Seconds for each DNS question (with --dns-server).")
    var timeout: Double = 5

    @Option(help: "table (default), list (one name per line), openssl (req config) or certreq (Windows INF).")
    var format: Format = .table

    @Option(help: "Only the names of one certificate: default, web-internal or exchange (default: every name, one certificate).")
    var role: PlannedName.Role?

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func validate() throws {
        guard deployment.pool != nil else { throw ValidationError("--pool is required") }
        guard timeout.isFinite, timeout > 0, timeout <= 600 else {
            throw ValidationError("--timeout takes a number of seconds more than 0 and at most 600")
        }
        _ = try endpointNames()
        _ = try servers()
    }

    /// The hosts of `--web-fqdn` and `--registrar`, without their ports.
    private func endpointNames() throws -> (web: [String], registrars: [String]) {
        do {
            return (
                try [webFQDN].compactMap { $0 }.map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 443).host },
                try registrars.map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 5061).host }
            )
        } catch {
            throw ValidationError("\(error)")
        }
    }

    private func servers() throws -> [DNSServer] {
        do { return try dnsServers.map { text throws(DNSError) in try DNSServer(parsing: text) } } catch {
            throw ValidationError("--dns-server: \(error)")
        }
    }

    func run() async throws {
        guard let base = deployment.plan?.deployment else { return }
        let (web, registrarNames) = try endpointNames()
        let named = Deployment(
            adDomains: base.adDomains, sipDomains: base.sipDomains, pool: base.pool, servers: base.servers, simpleURLs: base.simpleURLs,
            webServices: web, registrars: registrarNames,
            registrarFallbacks: await Deployment.registrarFallbacks(of: base.sipDomains, asking: try servers(), timeout: timeout),
            smtpDomains: smtpDomains)
        let plan: NamePlan
        do { plan = NamePlan(try named.validated()) } catch { throw ValidationError(error.description) }
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
