import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct BootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Replay what a phone does from power-on to sign-in, per firmware build, and judge every server it reaches.",
        discussion: """
            The phone is walked in phases, fresh from reset by default: at boot (time, Device Update) with its built-in cache
            and --held-root roots only, at its first sign-in (the root download --sign-in allows), and once signed in; each
            server is judged with the roots the phone holds in that phase. --signed-in starts from a phone that signed in
            before and keeps its roots until reset.
            Time (SRV/option 42/time.windows.com over SNTP), registrar (option 120, SRV and A fallbacks in the build's order,
            strict DNS naming), roots (built-in cache, --trust, the DC locator and the directory), the root-chain download
            from the Certificate Provisioning service at sign-in (plain HTTP on port 80; no credential or PIN is ever sent;
            --no-certprov or --certprov-response skip it), the registrar's certificate as the phone sees it, with
            --sip-register the phone's first REGISTER and the registrar's challenges (no credential or PIN is ever sent), web services,
            Device Update (ucupdates-r2) and Exchange autodiscover. Lookup orders come from Knowledge/discovery.json
            (override with --device-data). Every certificate is judged at the phone's clock.
            Exit codes: 0 every build signs in and trusts every server it reaches, 1 not, 2 usage or input error.
            """)

    @Option(name: .customLong("sip-domain"), help: "The SIP domain (right side of the sign-in address).")
    var sipDomain: String?

    @Option(
        help:
            "The audit's deployment file with its boot: section (sipDomains, adDomains, fleet, trust.roots, trust.adSnapshot, pool, the phone's state); the options override it."
    )
    var deployment: String?

    @Option(name: .customLong("dhcp-domain"), help: "DHCP option 15.")
    var dhcpDomain: String?

    @Option(name: .customLong("search-domain"), help: "DHCP option 119, in order (repeatable).")
    var searchDomains: [String] = []

    @Option(name: .customLong("smtp-domain"), help: "The SMTP domain of the user's primary address (Exchange autodiscover).")
    var smtpDomain: String?

    @Option(help: "Sign-in as DOMAIN\\alias (the DC locator expands the NetBIOS name with options 15 and 119).")
    var user: String?

    @Option(help: "Sign-in as alias@domain.")
    var upn: String?

    @Option(name: .customLong("web-fqdn"), help: "The internal web services HOST[:PORT] (DHCP option 43 sub-option 3).")
    var webFQDN: String?

    @Option(name: .customLong("registrar"), help: "DHCP option 120 HOST[:PORT] (default port 5061; repeatable).")
    var registrars: [String] = []

    @Option(name: .customLong("dns-server"), help: "DHCP option 6: IP[:PORT] (repeatable; default: the servers in /etc/resolv.conf).")
    var dnsServers: [String] = []

    @Option(name: .customLong("ntp-server"), help: "DHCP option 42: IP[:PORT] (repeatable).")
    var ntpServers: [String] = []

    @OptionGroup(title: "Client") var client: ClientOptions

    @Option(
        name: .customLong("ad"),
        help:
            "The directory the phone downloads roots from (ldaps://...); its name is resolved by the machine's resolver, not --dns-server.")
    var ad: String?

    @Option(name: .customLong("ad-snapshot"), help: "An LDIF snapshot of it (cxcert ds list --save).")
    var adSnapshot: String?

    @OptionGroup(title: "Directory connection (with --ad)") var directoryAuth: DirectoryBindOptions

    @Option(help: "Start from DHCP: send the phone's DHCPINFORMs from this interface (see cxcert dhcp).")
    var dhcp: String?

    @Option(name: .customLong("dhcp-answer"), help: "Start from DHCP answers saved by cxcert dhcp --json.")
    var dhcpAnswer: String?

    @Option(
        name: .customLong("certprov-response"),
        help: "A captured GetRootCertChains answer of the Certificate Provisioning service (offline: nothing is sent to it).")
    var certProvResponse: String?

    @Flag(
        name: .customLong("certprov"), inversion: .prefixedNo,
        help:
            "At sign-in, send the phone's root-chain request to the web services over plain HTTP (port 80), as a PIN sign-in does; no credential or PIN is ever sent."
    )
    var certProv = true

    @OptionGroup(title: "The phone's state") var state: PhoneStateOptions

    @Flag(
        name: .customLong("sip-register"),
        help:
            "After the registrar's handshake, send the phone's first REGISTER (TLS 1.0, no SNI) and read its challenges (NTLM, Kerberos, TLS-DSK), following redirects; no credential or PIN is ever sent."
    )
    var sipRegister = false

    @Flag(
        name: .customLong("device-update-request"),
        help: """
            At boot, post the phone's Device Update check (ucdevice.upx, plain HTTP on port 80) to each Device Update server \
            found, report what it offers and ask each offered file for its headers. The request's body format is \
            undocumented: its element names are guessed (low confidence), so a server may refuse it or offer nothing because \
            of that. No credential or PIN is ever sent.
            """)
    var deviceUpdateRequest = false

    @Option(
        name: .customLong("device-update-mac"),
        help: "The MAC address the Device Update check names (default \(DeviceUpdate.Identity.placeholderMAC), a placeholder).")
    var deviceUpdateMAC: String?

    @Option(
        name: .customLong("device-update-model"),
        help: "VENDOR/MODEL/REVISION the Device Update check names (default \(DeviceUpdate.Identity.defaultModel)).")
    var deviceUpdateModel: String?

    @Option(help: "The Front End pool FQDN: check the deployment's whole name plan on the registrar's certificate.")
    var pool: String?

    @Option(name: .customLong("timeout"), help: "Seconds for each network operation, the directory's too (default 5, at most 600).")
    var timeoutOption: Double?

    var timeout: Double { timeoutOption ?? 5 }

    @OptionGroup var knowledge: KnowledgeOptions

    @Flag(help: "Print JSON (schema in the README).")
    var json = false

    @Flag(help: "Print Markdown.")
    var markdown = false

    @Option(help: "Also write an HTML report to this file ('-' for standard output).")
    var html: String?

    @Option(help: "Seconds for the whole walk; after it the report says what was not done (default 300).")
    var deadline: Double = 300

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 600 else {
            throw ValidationError("--timeout takes a number of seconds more than 0 and at most 600")
        }
        guard deadline.isFinite, deadline > 0, deadline <= 3600 else {
            throw ValidationError("--deadline takes a number of seconds more than 0 and at most 3600")
        }
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
        if (json || markdown) && html == "-" {
            throw ValidationError("--\(json ? "json" : "markdown") and --html - both print to standard output: give --html a FILE")
        }
        if user != nil && upn != nil { throw ValidationError("--user and --upn exclude each other") }
        if sipDomain == nil && deployment == nil { throw ValidationError("give --sip-domain (or --deployment FILE)") }
        if dhcp != nil && dhcpAnswer != nil { throw ValidationError("--dhcp and --dhcp-answer exclude each other") }
        if !deviceUpdateRequest && (deviceUpdateMAC != nil || deviceUpdateModel != nil) {
            throw ValidationError("--device-update-mac and --device-update-model go with --device-update-request")
        }
    }

    func run() async throws {
        let knowledgeBase = try knowledge.load()
        var configuration = try siteFromFile(knowledge: knowledgeBase)
        let exchange = try await dhcpExchange()
        do {
            var base = configuration?.inputs
            if let options = exchange?.phoneAnswer?.options {
                // Command line > DHCP > deployment file.
                base = (try base ?? BootInputs(sipDomain: sipDomain ?? "")).overriding(with: options)
            }
            let servers = try dnsServers.map { text throws(DNSError) in try DNSServer(parsing: text) }
            let inputs = try BootInputs(
                sipDomain: sipDomain ?? base?.sipDomain ?? "", dhcpDomain: dhcpDomain ?? base?.dhcpDomain,
                searchDomains: searchDomains.isEmpty ? base?.searchDomains ?? [] : searchDomains,
                smtpDomain: smtpDomain ?? base?.smtpDomain,
                user: user ?? (upn == nil ? base?.user : nil), upn: upn ?? (user == nil ? base?.upn : nil),
                webServices: try webFQDN.map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 443) }
                    ?? base?.webServices,
                registrars: registrars.isEmpty
                    ? base?.registrars ?? []
                    : try registrars.map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 5061) },
                dnsServers: !servers.isEmpty ? servers : !(base?.dnsServers.isEmpty ?? true) ? base!.dnsServers : DNSServer.systemServers(),
                ntpServers: ntpServers.isEmpty
                    ? base?.ntpServers ?? []
                    : try ntpServers.map { text throws(BootError) in try Endpoint(ntpServer: text) })
            guard !inputs.dnsServers.isEmpty else { throw ValidationError("no DNS server: give --dns-server IP[:PORT]") }
            var site = configuration ?? BootWalker.Configuration(inputs: inputs, profiles: [])
            site.inputs = inputs
            if configuration == nil || !client.firmwares.isEmpty || client.device != nil {
                site.profiles = try client.profiles(knowledge: knowledgeBase)
            }
            if site.profiles.contains(where: \.isGeneric) {
                throw ValidationError(
                    "--device generic has no boot to replay (no lookup order, no phone state): give a phone family or model")
            }
            site.trusted += try client.anchors()
            if let directory = try await directoryReads() { site.directory = (site.directory ?? []) + directory }
            if let provisioned = try certProvAnchors() { site.certificateProvisioning = provisioned }
            if let pool {
                site.plan = NamePlan(
                    Deployment(
                        adDomains: [inputs.dhcpDomain].compactMap { $0 } + inputs.searchDomains, sipDomains: [inputs.sipDomain], pool: pool)
                )
            }
            if timeoutOption != nil || configuration == nil { site.timeout = timeout }
            site.deadline = deadline
            site.dhcp = exchange
            site.downloadsRootChains = certProv && certProvResponse == nil
            try state.apply(to: &site.start)
            site.registersWithSIP = sipRegister
            if deviceUpdateRequest {
                site.deviceUpdateIdentity = try DeviceUpdate.Identity(
                    mac: deviceUpdateMAC ?? DeviceUpdate.Identity.placeholderMAC,
                    model: deviceUpdateModel ?? DeviceUpdate.Identity.defaultModel)
            }
            // The phone uses option 43's web services whatever the deployment says: walk those, compare with the rest.
            if let options = exchange?.phoneAnswer?.options, options.provisioning?.webFQDN != nil,
                let fromDHCP = inputs.overriding(with: options).webServices
            {
                site.expectedWebServices = inputs.webServices != fromDHCP ? inputs.webServices : configuration?.inputs.webServices
                site.inputs.webServices = fromDHCP
            }
            configuration = site
        } catch let error as BootError {
            throw ValidationError("\(error)")
        } catch let error as DNSError {
            throw ValidationError("\(error)")
        }
        guard var configuration else { throw ExitCode(2) }
        configuration.vocabulary = .command(.boot)
        let report = await BootWalker(configuration).walk()
        if let html {
            if html == "-" {
                print(BootRendering.html(report))
            } else {
                try writeReport(BootRendering.html(report), to: html)
            }
        }
        if html != "-" {
            print(
                json
                    ? BootRendering.json(report)
                    : markdown ? BootRendering.markdown(report) : BootRendering.text(report, style: terminalStyle()))
        }
        if !report.allPass { throw ExitCode(1) }
    }

    /// `--dhcp IFACE` (asked now) or `--dhcp-answer FILE` (asked before), or nil.
    private func dhcpExchange() async throws -> DHCPExchange? {
        if let dhcp {
            do {
                return try await DHCPClient.inform(interface: dhcp, timeout: min(timeout, 10))
            } catch {
                printError("--dhcp \(dhcp): \(error)")
                throw ExitCode(2)
            }
        }
        guard let dhcpAnswer else { return nil }
        do {
            return try DHCPExchange(json: try Input.bytes(dhcpAnswer, limit: 1 << 20))
        } catch let error as BoundedReader.Failure {
            printError(error.description)
            throw ExitCode(2)
        } catch {
            printError("\(dhcpAnswer): \(error)")
            throw ExitCode(2)
        }
    }

    /// The site of `--deployment FILE`, or nil.
    private func siteFromFile(knowledge: DeviceKnowledgeBase) throws -> BootWalker.Configuration? {
        guard let deployment else { return nil }
        do {
            let bytes = try Input.bytes(deployment, limit: DeploymentFile.maxBytes)
            let file = try DeploymentFile(yaml: String(decoding: bytes, as: UTF8.self))
            let base = URL(fileURLWithPath: deployment).deletingLastPathComponent()
            return try BootWalker.Configuration(deployment: file, base: base, knowledge: knowledge)
        } catch let error as BoundedReader.Failure {
            printError(error.description)
            throw ExitCode(2)
        } catch {
            printError("\(deployment): \(error)")
            throw ExitCode(2)
        }
    }

    private func directoryReads() async throws -> [DirectoryRead]? {
        guard ad != nil || adSnapshot != nil else { return nil }
        return try await loadDirectorySnapshots(ad: ad, snapshot: adSnapshot) { directoryAuth.configuration(url: $0, timeout: timeout) }
            .map { DirectoryRead($0.snapshot, place: $0.place) }
    }

    private func certProvAnchors() throws -> [TrustAnchor]? {
        guard let certProvResponse else { return nil }
        do {
            return try Input.certificates(certProvResponse).certificates.map {
                TrustAnchor(certificate: $0, source: .certificateProvisioning("captured answer \(certProvResponse)"))
            }
        } catch {
            printError("\(certProvResponse): \(error)")
            throw ExitCode(2)
        }
    }
}

/// Writes a report with the project's one output writer (``AtomicFile``): a regular file is replaced whole,
/// keeping its mode; a device, pipe or `/dev/stdout` is written through; other kinds are refused by name.
func writeReport(_ text: String, to path: String) throws {
    do {
        try AtomicFile.write(Array(text.utf8), to: path)
    } catch {
        printError("\(path): cannot write the report: \(error.reason)")
        throw ExitCode(2)
    }
}
