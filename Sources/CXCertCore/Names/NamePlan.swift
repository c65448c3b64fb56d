#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The names of a deployment, as the admin knows them.
public struct Deployment: Sendable, Hashable, Codable {
    /// DNS domains DHCP hands the phones: option 15 first, then each option 119 entry.
    public var adDomains: [String]
    /// The SIP domains users sign in with (`user@contoso.com`): each needs `sip.<domain>`.
    public var sipDomains: [String]
    /// The Front End pool's FQDN; empty when not given (``NamePlan/unchecked`` then says what was not checked).
    public var pool: String
    /// The FQDNs of the pool's Front End servers.
    public var servers: [String]
    /// Simple URLs (https://meet.fabrikam.com/...) or their host names.
    public var simpleURLs: [String]
    /// The internal web services FQDNs DHCP option 43 gives (sub-option 3): the phone reaches the Certificate
    /// Provisioning service, the root-chain download and Device Update by these names, which often differ from the pool's.
    public var webServices: [String]
    /// The registrar names DHCP option 120 gives; an address among them is no name a certificate carries and is left out.
    public var registrars: [String]
    /// The registrar A-record fallbacks DNS answers for (`sipinternal.<SIP domain>`, `sipexternal.<SIP domain>`);
    /// `nil` when DNS was not asked (``NamePlan/unchecked`` then says so).
    public var registrarFallbacks: [String]?
    /// The SMTP domains of the users' primary addresses: the phone finds Exchange at `<SMTP domain>` and
    /// `autodiscover.<SMTP domain>`.
    public var smtpDomains: [String]

    /// Domain lists may be written as DHCP option 119 shows them (`contoso.com;fabrikam.com`); repeats are dropped.
    public init(
        adDomains: [String], sipDomains: [String], pool: String, servers: [String] = [], simpleURLs: [String] = [],
        webServices: [String] = [], registrars: [String] = [], registrarFallbacks: [String]? = nil, smtpDomains: [String] = []
    ) {
        func split(_ values: [String]) -> [String] {
            var seen: Set<String> = []
            return values.flatMap { $0.split(whereSeparator: { ";, ".contains($0) }).map(String.init) }
                .filter { seen.insert(HostnameMatcher.normalize($0)).inserted }
        }
        self.adDomains = split(adDomains)
        self.sipDomains = split(sipDomains)
        self.pool = pool
        self.servers = servers
        self.simpleURLs = simpleURLs
        self.webServices = webServices
        self.registrars = registrars
        self.registrarFallbacks = registrarFallbacks
        self.smtpDomains = split(smtpDomains)
    }

    /// Every name checked as a host name and turned into A-labels, every simple URL checked as an
    /// http(s) URL with such a host; the first bad value is the error (`--pool`, `--simple-url`, ...).
    public func validated(allowingNoPool: Bool = false) throws(DeploymentNameError) -> Deployment {
        func names(_ values: [String], _ option: String) throws(DeploymentNameError) -> [String] {
            var out: [String] = []
            for value in values {
                do { out.append(try DomainName.aLabels(value)) } catch { throw DeploymentNameError(option: option, invalid: error) }
            }
            return out
        }
        var urls: [String] = []
        for url in simpleURLs {
            do { urls.append(try Self.simpleURL(url)) } catch { throw DeploymentNameError(option: "simple-url", invalid: error) }
        }
        var registrarNames: [String] = []
        for registrar in registrars {
            if HostnameMatcher.ipAddress(registrar) != nil {
                registrarNames.append(registrar)
            } else {
                registrarNames += try names([registrar], "registrar")
            }
        }
        return Deployment(
            adDomains: try names(adDomains, "ad-domain"), sipDomains: try names(sipDomains, "sip-domain"),
            pool: allowingNoPool && pool.isEmpty ? "" : try names([pool], "pool")[0], servers: try names(servers, "server"),
            simpleURLs: urls, webServices: try names(webServices, "web-fqdn"), registrars: registrarNames,
            registrarFallbacks: try registrarFallbacks.map { values throws(DeploymentNameError) in try names(values, "registrar-fallback")
            },
            smtpDomains: try names(smtpDomains, "smtp-domain"))
    }

    /// `https://meet.contoso.com/path` (or a bare host) with its host in A-labels.
    static func simpleURL(_ text: String) throws(DomainName.Invalid) -> String {
        func fail(_ reason: String) -> DomainName.Invalid { DomainName.Invalid(text: text, reason: reason, what: "URL") }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x21 || $0.value == 0x7F || "\"<>\\^`{|}".unicodeScalars.contains($0) })
        {
            throw fail("a URL cannot contain \(bad.value < 0x21 ? "a space or control character" : "'\(bad)'")")
        }
        let full = text.contains("://") ? text : "https://\(text)"
        guard let schemeEnd = full.firstScalarRange(of: "://") else { throw fail("not a URL") }
        let scheme = full[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { throw fail("a simple URL is http:// or https://, not \(scheme)://") }
        let rest = full[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { throw fail("a simple URL has no user part") }
        var host = String(authority)
        var port = ""
        if let colon = host.lastIndex(of: ":") {
            port = String(host[colon...])
            host = String(host[..<colon])
            guard port.count > 1, port.dropFirst().allSatisfy(\.isASCII), let number = Int(port.dropFirst()), (1...65535).contains(number)
            else { throw fail("the port is not a number from 1 to 65535") }
        }
        let ascii = try DomainName.aLabels(host)
        return "\(scheme)://\(ascii)\(port)\(rest.dropFirst(authority.count))"
    }
}

/// A deployment name that is not a host name (or a simple URL that is not a URL), with the option or key it came from.
public struct DeploymentNameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The option or deployment-file key the value came from, without its dashes (`pool`, `simple-url`).
    public let option: String
    /// Why the value is not a host name or URL.
    public let invalid: DomainName.Invalid
    public var description: String { "--\(option): \(invalid)" }
}

/// One name a certificate must (or should) carry, and why.
public struct PlannedName: Sendable, Hashable, Encodable {
    /// Which server certificate needs it.
    public enum Role: String, Sendable, Codable, CaseIterable {
        /// The Front End pool's default certificate (SIP over TLS, port 5061).
        case `default`
        /// The internal web services certificate (Device Update, Certificate Provisioning, simple URLs).
        case webInternal = "web-internal"
        /// The Exchange server's certificate, which the phone reaches by its autodiscover names (not the pool's).
        case exchange
    }
    /// Which deployment value a name comes from.
    public enum Origin: String, Sendable, Codable, CaseIterable {
        /// The pool FQDN (`--pool`, `pool:`).
        case pool
        /// A Front End server FQDN (`--server`).
        case server
        /// `sip.<SIP domain>`.
        case sipDomain = "sip-domain"
        /// `ucupdates-r2.<DHCP domain>` and the short name `ucupdates-r2` (options 15 and 119).
        case dhcpDomain = "dhcp-domain"
        /// The short pool name of the guide's walk-through.
        case shortPool = "short-pool"
        /// A simple URL's host.
        case simpleURL = "simple-url"
        /// The web services FQDN of DHCP option 43 (sub-option 3).
        case webServices = "dhcp-option-43"
        /// A registrar name of DHCP option 120.
        case registrar = "dhcp-option-120"
        /// A registrar A-record fallback DNS answers for (`sipinternal.`, `sipexternal.`).
        case registrarFallback = "dns-registrar-fallback"
        /// An autodiscover host of an SMTP domain.
        case autodiscover = "smtp-domain"

        /// Names `boot` judges on the endpoint the phone reaches by them, never on the pool's other endpoints.
        public var isEndpointName: Bool {
            switch self {
            case .webServices, .registrar, .registrarFallback, .autodiscover: true
            default: false
            }
        }
    }
    /// Whether a name must be on the certificate or only should be.
    public enum Necessity: String, Sendable, Codable {
        /// `required`: a client fails without it; `recommended`: needed only in some deployments (such as the short pool
        /// name, when SRV records or option 120 name the pool that way).
        case required, recommended
    }
    /// Which clients connect by it; decides whether `verify` checks it for a device.
    public enum Audience: String, Sendable, Codable {
        /// Every client that connects to the server.
        case everyone
        /// Phones whose firmware looks up `ucupdates-r2` before sign-in.
        case unregisteredPhones = "unregistered-phones"
    }

    /// The name in A-labels, lower case.
    public let name: String
    /// The certificates that need it.
    public let roles: [Role]
    /// Whether it must or should be there.
    public let necessity: Necessity
    /// Which clients connect by it.
    public let audience: Audience
    /// Which device, which step of its boot or sign-in.
    public let reason: String
    /// The document that says so.
    public let source: String
    /// False when a public CA cannot issue it (a short name or an internal TLD, after 2015-11-01).
    public let publicCA: Bool
    /// The deployment value the name comes from (the pool, option 43, an SMTP domain, ...).
    public let origin: Origin
}

/// Which names each role's certificate must carry for the phones and clients of a deployment.
public struct NamePlan: Sendable, Encodable {
    /// The deployment the plan was made for.
    public let deployment: Deployment
    /// The planned names, in the order derived, without repeats.
    public let names: [PlannedName]
    /// Remarks on the whole plan, such as names a public CA cannot issue.
    public let notes: [String]

    static let guide = "Polycom CX700 deployment guide (OCS 2007 R2), 'Configure DNS' and the sign-in walk-through"
    static let deviceUpdateArticle = "J. Schertz, 'Updating Lync Phone Edition Devices for Lync 2013' (2013-05-31)"
    static let certificateRequirements = "Microsoft, 'Certificate requirements for internal servers in Lync Server 2013' (Gg398094)"
    static let option43Source =
        "Microsoft, 'DNS requirements for Front End pools in Lync Server 2013' ('HTTP/HTTPS traffic will use the defined internal Web services address'); seed 004 l.5 ('option 43 specifies the URL of the web server')"
    static let option120Source =
        "RFC 3361 (DHCP option 120); Microsoft Lync 2010 device DHCP troubleshooting ('the first DHCP response with an FQDN is used')"
    static let registrarLookupSource =
        "Polycom CX700 deployment guide, 'DNS and the Polycom CX700 IP Phone' (A-record fallbacks sipinternal, sip, sipexternal); Knowledge/discovery.json registrarLookup"
    static let autodiscoverSource =
        "Polycom CX700 deployment guide, 'Exchange Server 2007 Autodiscover Service'; Knowledge/discovery.json autodiscoverOrder"
    static let baselineRequirements =
        "CA/Browser Forum Baseline Requirements §7.1.4.2.1 (no internal names in certificates expiring after 2015-11-01)"

    /// Suffixes that are not public top-level domains and are common inside companies (a fixed list,
    /// not a lookup of the IANA root zone).
    static let internalSuffixes: Set = [
        "local", "localdomain", "lan", "corp", "internal", "intranet", "private", "home", "priv", "domain", "ad",
        "test", "example", "invalid", "localhost", "int.local",
    ]

    /// Can a public CA still put `name` in a certificate?
    public static func publiclyIssuable(_ name: String) -> Bool {
        let normalized = HostnameMatcher.normalize(name)
        guard normalized.contains("."), HostnameMatcher.ipAddress(normalized) == nil else { return false }
        return !internalSuffixes.contains(String(normalized.split(separator: ".").last ?? ""))
    }

    init(deployment: Deployment, names: [PlannedName], notes: [String]) {
        self.deployment = deployment
        self.names = names
        self.notes = notes
        self.unchecked = Self.unchecked(deployment)
    }

    /// The names this plan could not derive, and why (a deployment given without its pool, its SIP or
    /// DHCP domains): `verify` and `audit` say so instead of implying every name was checked.
    public private(set) var unchecked: [String] = []

    static func unchecked(_ deployment: Deployment) -> [String] {
        var out: [String] = []
        if HostnameMatcher.normalize(deployment.pool).isEmpty {
            out.append("Not checked: the pool FQDN and its short name (no pool given: --pool, or pool: in a deployment file).")
        }
        if deployment.sipDomains.isEmpty { out.append("Not checked: sip.<SIP domain> (no SIP domain given: --sip-domain or sipDomains:).") }
        if deployment.adDomains.isEmpty {
            out.append("Not checked: ucupdates-r2 and ucupdates-r2.<DHCP domain> (no DHCP domain given: --ad-domain or adDomains:).")
        }
        if deployment.registrarFallbacks == nil && !deployment.sipDomains.isEmpty {
            out.append(
                "Not checked: sipinternal.<SIP domain> and sipexternal.<SIP domain> (DNS was not asked whether they exist: cxcert names --dns-server, or boot.dnsServers in an audit's deployment file, asks it)."
            )
        }
        return out
    }

    /// Derives the names from a deployment: the pool, its servers, `sip.<SIP domain>`, `ucupdates-r2` and
    /// `ucupdates-r2.<DHCP domain>`, the short pool name, the simple URL hosts, and the names the phone reaches other
    /// endpoints by (option 43's web services, option 120's registrars, the `sipinternal`/`sipexternal` fallbacks DNS
    /// has, the autodiscover hosts), each with its roles, reason, source and origin.
    public init(_ deployment: Deployment) {
        var entries: [PlannedName] = []
        func add(
            _ name: String, _ roles: [PlannedName.Role], _ necessity: PlannedName.Necessity, _ audience: PlannedName.Audience,
            _ reason: String, _ source: String, _ origin: PlannedName.Origin
        ) {
            let normalized = HostnameMatcher.normalize(name)
            guard !normalized.isEmpty else { return }
            // A name already planned for another certificate is planned for this one too: each role lists it.
            if let index = entries.firstIndex(where: { $0.name == normalized }) {
                let old = entries[index]
                guard !Set(roles).isSubset(of: old.roles) else { return }
                entries[index] = PlannedName(
                    name: old.name, roles: old.roles + roles.filter { !old.roles.contains($0) },
                    necessity: old.necessity == .required || necessity == .required ? .required : .recommended, audience: old.audience,
                    reason: old.reason + " " + reason, source: old.source, publicCA: old.publicCA, origin: old.origin)
                return
            }
            entries.append(
                PlannedName(
                    name: normalized, roles: roles, necessity: necessity, audience: audience, reason: reason, source: source,
                    publicCA: Self.publiclyIssuable(normalized), origin: origin))
        }
        let pool = HostnameMatcher.normalize(deployment.pool)
        add(
            pool, [.default, .webInternal], .required, .everyone,
            "Registered phones connect to the pool (Registrar from DHCP option 120 or DNS SRV) and to its web services.",
            Self.certificateRequirements, .pool)
        for server in deployment.servers {
            add(
                server, [.default, .webInternal], .required, .everyone,
                "Front End server FQDN: clients reach each server of the pool by name.", Self.certificateRequirements, .server)
        }
        for sip in deployment.sipDomains {
            add(
                "sip.\(HostnameMatcher.normalize(sip))", [.default], .required, .everyone,
                "Phones signing in as user@\(sip) look up sip.\(sip) when SRV records do not answer (automatic sign-in with strict DNS matching).",
                Self.guide + "; " + Self.certificateRequirements, .sipDomain)
        }
        for (index, domain) in deployment.adDomains.enumerated() {
            let option = index == 0 ? "DHCP option 15" : "DHCP option 119"
            add(
                "ucupdates-r2.\(HostnameMatcher.normalize(domain))", [.webInternal], .required, .unregisteredPhones,
                "Unregistered phones look up ucupdates-r2.\(domain) (\(option)) to find Device Update before anyone signs in.",
                Self.guide + "; " + Self.deviceUpdateArticle, .dhcpDomain)
        }
        if !deployment.adDomains.isEmpty {
            add(
                "ucupdates-r2", [.webInternal], .required, .unregisteredPhones,
                "Unregistered phones resolve ucupdates-r2.<DHCP domain> but check the certificate against the short name ucupdates-r2; without it Device Update fails before sign-in.",
                Self.deviceUpdateArticle, .dhcpDomain)
        }
        if let short = pool.split(separator: ".").first, pool.contains(".") {
            add(
                String(short), [.default, .webInternal], .recommended, .everyone,
                "The guide's walk-through resolves the pool as \(short).<DHCP domain> and its _sipinternaltls SRV record points to \(short); carry the short name if SRV records or option 120 name the pool that way.",
                Self.guide, .shortPool)
        }
        for url in deployment.simpleURLs {
            let host = URL(string: url.contains("://") ? url : "https://\(url)")?.host ?? url
            add(
                host, [.webInternal], .required, .everyone,
                "Simple URL \(url): meeting, dial-in and admin pages on the internal web services.", Self.certificateRequirements,
                .simpleURL)
        }
        for web in deployment.webServices {
            add(
                web, [.webInternal], .required, .everyone,
                "DHCP option 43 gives the web services as \(web): the phone downloads its root chain (Certificate Provisioning) and reaches Device Update by this name.",
                Self.option43Source, .webServices)
        }
        for registrar in deployment.registrars where HostnameMatcher.ipAddress(registrar) == nil {
            add(
                registrar, [.default], .required, .everyone,
                "DHCP option 120 gives the registrar as \(registrar): builds that read option 120 connect by this name.",
                Self.option120Source, .registrar)
        }
        for fallback in deployment.registrarFallbacks ?? [] {
            add(
                fallback, [.default], .required, .everyone,
                "DNS answers for \(fallback): a phone whose SRV lookups find no registrar connects to it by this name (port 5061 or 443).",
                Self.registrarLookupSource, .registrarFallback)
        }
        for smtp in deployment.smtpDomains {
            let domain = HostnameMatcher.normalize(smtp)
            add(
                "autodiscover.\(domain)", [.exchange], .required, .everyone,
                "Phones of users with an @\(domain) address find Exchange at https://autodiscover.\(domain)/autodiscover/autodiscover.xml (and through its HTTP redirect).",
                Self.autodiscoverSource, .autodiscover)
            add(
                domain, [.exchange], .recommended, .everyone,
                "The phone first tries https://\(domain)/autodiscover/autodiscover.xml; a server there that the phone does not trust only delays it.",
                Self.autodiscoverSource, .autodiscover)
        }
        self.deployment = deployment
        self.names = entries
        var notes: [String] = []
        let privateNames = entries.filter { !$0.publicCA }.map(\.name)
        if !privateNames.isEmpty {
            notes.append(
                "A public CA cannot issue \(privateNames.joined(separator: ", ")) (short names and internal TLDs, \(Self.baselineRequirements)); this plan needs the internal enterprise CA, published to AD for the phones."
            )
        }
        self.notes = notes
        self.unchecked = Self.unchecked(deployment)
    }

    /// The names a client must find: everything for `generic`; for a phone, the `ucupdates-r2` names
    /// only if its firmware looks them up, and only the DHCP domains it uses.
    public func names(for profile: DeviceProfile) -> [PlannedName] {
        guard !profile.isGeneric else { return names }
        let domains = profile.lookupPlan.deviceUpdateDomains
        let usable = Set(
            deployment.adDomains.enumerated().filter { index, _ in
                domains.contains(index == 0 ? .dhcpOption15 : .dhcpOption119)
            }.map { "ucupdates-r2.\(HostnameMatcher.normalize($0.element))" })
        return names.filter { entry in
            guard entry.audience == .unregisteredPhones else { return true }
            guard profile.looksUpUCUpdates else { return false }
            return entry.name == "ucupdates-r2" ? !usable.isEmpty : usable.contains(entry.name)
        }
    }

    /// The names for `role`, or every name of the pool's certificates (the Exchange server's are its own).
    public func names(role: PlannedName.Role?) -> [String] {
        names.filter { role.map($0.roles.contains) ?? ($0.roles != [.exchange]) }.map(\.name)
    }

    // MARK: Renderings

    /// An `openssl req` configuration whose CSR carries exactly the plan's names.
    /// Only plain LDH names (letters, digits, '-', '_', '.') reach a generated config: a newline, '=',
    /// '"' or '[' would change its structure. ``Deployment/validated()`` refuses such names up front;
    /// this is the last guard for a plan built from unchecked values.
    static func configSafe(_ names: [String]) -> [String] {
        names.filter { name in
            !name.isEmpty
                && name.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
                }
        }
    }

    /// An `openssl req` configuration whose CSR carries exactly the planned names (for `role`, or every name) in its
    /// subjectAltName; names that are not plain LDH are left out so that none can change the file's structure.
    public func opensslConfig(role: PlannedName.Role? = nil) -> String {
        let dns = Self.configSafe(names(role: role)).enumerated().map { "DNS.\($0.offset + 1) = \($0.element)" }
        return """
            # openssl req -new -config this.cnf -newkey rsa:2048 -nodes -keyout pool.key -out pool.csr
            # Generated by cxcert names for \(Self.configSafe([HostnameMatcher.normalize(deployment.pool)]).first ?? "an invalid pool name"). Phones that cannot validate SHA-2 need the
            # CA to sign with SHA-1; the CSR's own hash does not decide that.
            [req]
            prompt = no
            default_md = sha256
            distinguished_name = dn
            req_extensions = ext

            [dn]
            CN = \(Self.configSafe([HostnameMatcher.normalize(deployment.pool)]).first ?? "invalid")

            [ext]
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth, clientAuth
            subjectAltName = @alt_names

            [alt_names]
            \(dns.joined(separator: "\n"))

            """
    }

    /// A Windows `certreq -new` INF with the SAN extension filled in.
    public func certreqINF(role: PlannedName.Role? = nil) -> String {
        let continued = Self.configSafe(names(role: role)).map { "_continue_ = \"dns=\($0)&\"" }
        return """
            ; certreq -new pool.inf pool.req   (then certreq -submit -attrib "CertificateTemplate:WebServer" pool.req)
            ; Generated by cxcert names for \(Self.configSafe([HostnameMatcher.normalize(deployment.pool)]).first ?? "an invalid pool name").
            [Version]
            Signature = "$Windows NT$"

            [NewRequest]
            Subject = "CN=\(Self.configSafe([HostnameMatcher.normalize(deployment.pool)]).first ?? "invalid")"
            KeyLength = 2048
            KeySpec = 1
            KeyUsage = 0xA0
            MachineKeySet = TRUE
            Exportable = TRUE
            RequestType = PKCS10
            ProviderName = "Microsoft RSA SChannel Cryptographic Provider"

            [EnhancedKeyUsageExtension]
            OID = 1.3.6.1.5.5.7.3.1
            OID = 1.3.6.1.5.5.7.3.2

            [Extensions]
            2.5.29.17 = "{text}"
            \(continued.joined(separator: "\n"))

            """
    }
}

extension NamePlan {
    /// The same plan holding only `names`.
    package func restricted(to names: Set<String>) -> NamePlan {
        NamePlan(deployment: deployment, names: self.names.filter { names.contains($0.name) }, notes: notes)
    }

    /// The names every endpoint of the pool must carry: without those `boot` judges on the endpoint the phone reaches
    /// by them (``PlannedName/Origin/isEndpointName``), and without the Exchange server's.
    public var poolNames: NamePlan {
        restricted(to: Set(names.filter { !$0.origin.isEndpointName && !$0.roles.contains(.exchange) }.map(\.name)))
    }
}
