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

    /// Every name and URL checked (exit 2 with the option and the reason), U-labels turned into A-labels. Without any
    /// (a plain one-shot `verify`) there is nothing to check, and the check's cost (1M instructions) is skipped.
    func validate() throws {
        guard anyName else { return }
        do { _ = try deployment(pool: pool ?? "pool.invalid") } catch { throw ValidationError(error.description) }
    }

    /// Whether any deployment name or URL is given.
    private var anyName: Bool { pool != nil || !adDomains.isEmpty || !sipDomains.isEmpty || !servers.isEmpty || !simpleURLs.isEmpty }

    private func deployment(pool: String) throws(DeploymentNameError) -> Deployment {
        try Deployment(adDomains: adDomains, sipDomains: sipDomains, pool: pool, servers: servers, simpleURLs: simpleURLs).validated()
    }

    /// The plan when any deployment name is given: without --pool, the names derivable from the
    /// domains are still checked, and the verdict says which were not.
    var plan: NamePlan? {
        guard anyName else { return nil }
        if let pool { return (try? deployment(pool: pool)).map(NamePlan.init) }
        let named = try? Deployment(adDomains: adDomains, sipDomains: sipDomains, pool: "", servers: servers, simpleURLs: simpleURLs)
            .validated(allowingNoPool: true)
        return named.map(NamePlan.init)
    }
}
