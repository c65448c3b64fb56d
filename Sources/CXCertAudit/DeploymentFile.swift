import CXCertCore
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A deployment described once (YAML or JSON): names, servers, the phone fleet and trust sources.
/// `Examples/deployment.yaml` documents every key.
public struct DeploymentFile: Sendable, Codable {
    /// One server to judge: probed at `host`, or read from `certificate`.
    public struct Server: Sendable, Codable {
        /// A label for reports (default: host:port or the certificate file).
        public var name: String?
        /// The name or address to probe; a name is also checked against the certificate.
        public var host: String?
        /// The port to probe (default 443).
        public var port: Int?
        /// The SNI to send (default: the host name).
        public var sni: String?
        /// Which certificate this server presents: `default` (SIP, 5061) or `web-internal` (443).
        public var role: PlannedName.Role?
        /// Certificate (chain) file for a server that cannot be reached from where the audit runs.
        public var certificate: String?
        /// More names this server must cover.
        public var names: [String]?
    }

    /// One firmware build of the phone fleet.
    public struct FleetEntry: Sendable, Codable {
        /// The device name or family (`cx700`, `tanjay`, `generic`...), as `--device` takes it.
        public var device: String
        /// The firmware build (default: the device data's default).
        public var firmware: String?
        /// How many phones run this build (weights the findings).
        public var count: Int?
    }

    /// A live directory (`trust.ad`) to read the roots published to Active Directory from.
    public struct DirectorySource: Sendable, Codable {
        /// The `ldap://` or `ldaps://` URL of a domain controller.
        public var url: String
        /// The bind name; `--ad-bind` overrides it. Binding needs a password source from the command line.
        public var bind: String?
        /// Refused: which secret is sent where is the command line's decision (`--ad-password-env`,
        /// `--ad-password-file`), never a file's. Read only to say so.
        public var passwordEnv: String?
        /// Refused, as ``passwordEnv`` is.
        public var passwordFile: String?
        /// Used only with `--allow-deployment-ca-file`: a file that names both the server and the CA
        /// that vouches for it could make a rogue server look genuine.
        public var caFile: String?
    }

    /// Where the roots the phones trust come from, besides their built-in cache.
    public struct Trust: Sendable, Codable {
        /// Root certificate files (any format).
        public var roots: [String]?
        /// An LDIF snapshot from `cxcert ds list --save`.
        public var adSnapshot: String?
        /// A live directory to read the roots from, as the phones do.
        public var ad: DirectorySource?
    }

    /// What `cxcert boot` needs besides the names above: the values DHCP gives the phones and the sign-in.
    public struct Boot: Sendable, Codable {
        /// The SMTP domain the phone's Exchange autodiscover step uses.
        public var smtpDomain: String?
        /// `DOMAIN\alias` or nil.
        public var user: String?
        /// The sign-in name `user@domain`, when given instead of ``user``.
        public var upn: String?
        /// The internal web services HOST[:PORT] (DHCP option 43 sub-option 3).
        public var webFQDN: String?
        /// DHCP option 120 HOST[:PORT] names.
        public var registrars: [String]?
        /// DHCP option 6: IP[:PORT].
        public var dnsServers: [String]?
        /// DHCP option 42: IP[:PORT].
        public var ntpServers: [String]?
        /// A captured GetRootCertChains answer.
        public var certprovResponse: String?
        /// The phone signed in before (`--signed-in`): it holds ``heldRoots`` and does not download until reset.
        public var signedIn: Bool?
        /// Root files the phone already holds from an earlier sign-in (`--held-root`), relative to the file.
        public var heldRoots: [String]?
        /// How users sign in (`--sign-in`); nil for each build's default.
        public var signIn: SignInMethod?
        /// The network the phones are on (`--network`); nil for internal.
        public var network: NetworkSide?
    }

    /// The first is DHCP option 15, the others option 119 (in order).
    public var adDomains: [String]?
    /// The SIP domains users sign in with.
    public var sipDomains: [String]?
    /// The pool FQDN.
    public var pool: String?
    /// The simple URLs (meet, dial-in, admin).
    public var simpleURLs: [String]?
    /// The servers to judge.
    public var servers: [Server]
    /// The phone builds to judge for.
    public var fleet: [FleetEntry]
    /// The roots the phones trust besides their built-in cache; `nil` means none.
    public var trust: Trust?
    /// Validation time (ISO 8601; default now).
    public var at: String?
    /// Seconds per connection.
    public var timeout: Double?
    /// Seconds for the whole audit's probes (default 300): servers not done by then are reported as such.
    public var deadline: Double?
    /// The discovery walk's inputs (`cxcert boot --deployment`).
    public var boot: Boot?

    /// The deepest nesting of lists and mappings accepted, counted on libyaml's events (exact). Real deployment files
    /// nest a few levels; a recursive parser once overflowed its stack on a 3,800-deep `[[[...` fuzz input.
    public static let maxNesting = 64
    /// The largest file accepted, in bytes (1 MiB).
    public static let maxBytes = 1 << 20
    /// The most phones one fleet entry may count: sums stay far from overflow.
    public static let maxCount = 10_000_000

    /// Parses YAML (JSON is YAML too).
    public init(yaml text: String) throws(AuditError) {
        guard text.utf8.count <= Self.maxBytes else { throw .invalidFile("the file is over \(Self.maxBytes) bytes") }
        if let line = Self.binaryLine(text) {
            // Said before any YAML check, which would otherwise read stray bytes as anchors or echo them.
            throw .invalidFile("line \(line): a control character or bytes that are not UTF-8: not a YAML or JSON text file")
        }
        // libyaml's events, with nesting, anchors, aliases and merge keys refused as they come (YAMLLoader).
        let loaded: YAMLNode?
        do { loaded = try YAMLLoader(maxBytes: Self.maxBytes, maxNesting: Self.maxNesting).load(text) } catch {
            if case .missingLibrary(let missing) = error { throw .input(missing.description) }
            throw .invalidFile(error.description)
        }
        guard let root = loaded else { throw .invalidFile("the file is empty (or only comments): expected a mapping (key: value)") }
        try Self.checkKeys(root, pattern: "", path: "")
        do {
            self = try DeploymentFile(from: YAMLNodeDecoder(root))
        } catch let error as DecodingError {
            throw .invalidFile(Self.describe(error, root: root))
        } catch {
            throw .invalidFile("\(error)")
        }
        /// "line L, column C: " of the value at a key path (`servers`, 0, `port`), or "" when the file has no such node.
        func at(_ keys: [Any]) -> String {
            let path: [any CodingKey] = keys.map { ($0 as? Int).map(IndexKey.init) ?? IndexKey(string: "\($0)") }
            return Self.node(at: path, in: root).map { "\(Self.place($0)): " } ?? ""
        }
        guard !servers.isEmpty || boot != nil else { throw .invalidFile("\(at(["servers"]))'servers' lists no server") }
        do {
            _ = try Deployment(adDomains: adDomains ?? [], sipDomains: sipDomains ?? [], pool: pool ?? "", simpleURLs: simpleURLs ?? [])
                .validated(allowingNoPool: pool == nil)
        } catch {
            let key =
                ["ad-domain": "adDomains", "sip-domain": "sipDomains", "pool": "pool", "simple-url": "simpleURLs"][error.option]
                ?? error.option
            throw .invalidFile("\(at([key]))\(key): \(error.invalid)")
        }
        guard !fleet.isEmpty else { throw .invalidFile("\(at(["fleet"]))'fleet' lists no device") }
        for (index, server) in servers.enumerated() {
            if server.host == nil && server.certificate == nil {
                throw .invalidFile("\(at(["servers", index]))servers[\(index)] needs a host or a certificate file")
            }
            if let port = server.port, !(1...65_535).contains(port) {
                throw .invalidFile("\(at(["servers", index, "port"]))servers[\(index)].port: \(port) is not a TCP port (1-65535)")
            }
        }
        for (index, entry) in fleet.enumerated() {
            if let count = entry.count, !(0...Self.maxCount).contains(count) {
                throw .invalidFile(
                    "\(at(["fleet", index, "count"]))fleet[\(index)].count: \(count) is not a number of phones (0-\(Self.maxCount))")
            }
        }
        if let timeout, !(timeout.isFinite && timeout > 0 && timeout <= 3600) {
            throw .invalidFile("\(at(["timeout"]))timeout: \(timeout) is not a number of seconds more than 0 and at most 3600")
        }
        if let deadline, !(deadline.isFinite && deadline > 0 && deadline <= 86_400) {
            throw .invalidFile("\(at(["deadline"]))deadline: \(deadline) is not a number of seconds more than 0 and at most 86400")
        }
    }

    /// A coding key for walking the composed YAML by path.
    struct IndexKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(_ index: Int) {
            stringValue = "\(index)"
            intValue = index
        }
        init(string: String) {
            stringValue = string
            intValue = nil
        }
        init?(stringValue: String) { self.init(string: stringValue) }
        init?(intValue: Int) { self.init(intValue) }
    }

    /// The first line holding a control character other than tab, CR and LF, or bytes that were not UTF-8 (decoded as
    /// U+FFFD); a UTF-8 byte order mark at the start is text.
    static func binaryLine(_ text: String) -> Int? {
        var line = 1
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if scalar == "\n" {
                line += 1
            } else if (scalar.value < 0x20 && scalar != "\t" && scalar != "\r") || scalar.value == 0x7F || scalar == "\u{FFFD}"
                || (scalar == "\u{FEFF}" && index > 0)
            {
                return line
            }
        }
        return nil
    }

    /// The keys each mapping may hold (the Codable properties above), by path (`servers[]` is any
    /// element): anything else is a typo that would otherwise be ignored silently (`sipDomain:` leaving
    /// every name unchecked). A flat table, not a recursive enum: LeakSanitizer cannot see pointers kept
    /// in an indirect enum's spare bits and reports the static as leaked.
    static let schema: [String: Set<String>] = [
        "": [
            "adDomains", "sipDomains", "pool", "simpleURLs", "at", "timeout", "deadline", "servers", "fleet", "trust", "boot",
        ],
        "servers[]": ["name", "host", "port", "sni", "role", "certificate", "names"],
        "fleet[]": ["device", "firmware", "count"],
        "trust": ["roots", "adSnapshot", "ad"],
        "trust.ad": ["url", "bind", "passwordEnv", "passwordFile", "caFile"],
        "boot": [
            "smtpDomain", "user", "upn", "webFQDN", "registrars", "dnsServers", "ntpServers", "certprovResponse", "signedIn", "heldRoots",
            "signIn", "network",
        ],
    ]

    /// "line 3, column 1" for a node.
    static func place(_ node: YAMLNode) -> String { node.mark.description }

    static func checkKeys(_ node: YAMLNode, pattern: String, path: String) throws(AuditError) {
        switch node {
        case .mapping(let pairs, _):
            guard let keys = schema[pattern] else { return }  // a wrong shape is the decoder's error, placed by describe
            for pair in pairs {
                let (key, value) = (pair.key, pair.value)
                guard let name = key.string else {
                    throw .invalidFile("\(place(key)): a key is a list or a mapping\(path.isEmpty ? "" : " in \(path)"); keys are names")
                }
                guard keys.contains(name) else {
                    let known = keys.sorted()
                    let hint = closest(name, in: known).map { "did you mean '\($0)'?" } ?? "valid keys: \(known.joined(separator: ", "))"
                    throw .invalidFile("\(place(key)): unknown key '\(name)'\(path.isEmpty ? "" : " in \(path)") (\(hint))")
                }
                try checkKeys(
                    value, pattern: pattern.isEmpty ? name : "\(pattern).\(name)", path: path.isEmpty ? name : "\(path).\(name)")
            }
        case .sequence(let sequence, _):
            for (index, item) in sequence.enumerated() { try checkKeys(item, pattern: "\(pattern)[]", path: "\(path)[\(index)]") }
        case .scalar: return
        }
    }

    /// The valid key nearest to a typo (edit distance, ignoring case), when it is near enough.
    static func closest(_ name: String, in keys: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var previous = row[0]
                row[0] = i + 1
                for (j, y) in b.enumerated() {
                    let current = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (x == y ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let lower = Array(name.lowercased())
        let best = keys.map { ($0, distance(lower, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, lower.count / 3) else { return nil }
        return best.0
    }

    /// The node a decoding path points at, for its line and column.
    static func node(at path: [any CodingKey], in root: YAMLNode?) -> YAMLNode? {
        var current = root
        for key in path {
            if let index = key.intValue, case .sequence(let sequence, _)? = current {
                current = index < sequence.count ? sequence[index] : nil
            } else if case .mapping(let pairs, _)? = current {
                current = pairs.first { $0.key.string == key.stringValue }?.value
            } else {
                return current
            }
        }
        return current
    }

    private static func describe(_ error: DecodingError, root: YAMLNode?) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return String(joined.drop { (character: Character) in character == "." })
        }
        func at(_ context: DecodingError.Context) -> String {
            node(at: context.codingPath, in: root).map { "\(place($0)): " } ?? ""
        }
        /// "line L, column C: servers[0].port: " (no path at the top).
        func prefix(_ context: DecodingError.Context) -> String {
            "\(at(context))\(path(context).isEmpty ? "" : path(context) + ": ")"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(prefix(context))missing key '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "\(prefix(context))expected \(plainType(type)), found something else"
        case .valueNotFound(let type, let context):
            return "\(prefix(context))expected \(plainType(type)), found nothing"
        case .dataCorrupted(let context):
            return "\(prefix(context))\(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// `Array<String>` -> "a list", `Int` -> "a whole number", as an admin reads it.
    static func plainType(_ type: Any.Type) -> String { DecodingProblem.plainType(type) }

    /// The name plan, when the file gives any name: the pool's names and those of its `boot:` section (option 43's
    /// web services, option 120's registrars, the autodiscover hosts of the SMTP domain). The registrar fallbacks DNS
    /// has are not asked here (``plan(registrarFallbacks:)``), so the plan says they were not checked.
    public var plan: NamePlan? { plan(registrarFallbacks: nil) }

    /// The name plan with the registrar A-record fallbacks (`sipinternal.`, `sipexternal.`) DNS answered for; `nil` when
    /// DNS was not asked.
    public func plan(registrarFallbacks: [String]?) -> NamePlan? {
        let webServices = [boot?.webFQDN].compactMap { $0 }.map { (try? Endpoint(parsing: $0, defaultPort: 443))?.host ?? $0 }
        let registrars = (boot?.registrars ?? []).map { (try? Endpoint(parsing: $0, defaultPort: 5061))?.host ?? $0 }
        let smtp = [boot?.smtpDomain].compactMap { $0 }
        guard
            pool != nil || adDomains?.isEmpty == false || sipDomains?.isEmpty == false || simpleURLs?.isEmpty == false
                || !webServices.isEmpty || !registrars.isEmpty || !smtp.isEmpty
        else { return nil }
        let deployment = Deployment(
            adDomains: adDomains ?? [], sipDomains: sipDomains ?? [], pool: pool ?? "", simpleURLs: simpleURLs ?? [],
            webServices: webServices, registrars: registrars, registrarFallbacks: registrarFallbacks, smtpDomains: smtp)
        return NamePlan((try? deployment.validated(allowingNoPool: true)) ?? deployment)
    }

    /// The registrar A-record fallbacks of the SIP domains that the `boot.dnsServers` answer for
    /// (`Deployment.registrarFallbacks(of:asking:timeout:)`); `nil` without a DNS server.
    public func registrarFallbacks(timeout: TimeInterval) async -> [String]? {
        await Deployment.registrarFallbacks(
            of: sipDomains ?? [], asking: (boot?.dnsServers ?? []).compactMap { try? DNSServer(parsing: $0) }, timeout: timeout)
    }
}

/// Why an audit could not run.
public enum AuditError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The deployment file is malformed or holds an invalid value; the text says where.
    case invalidFile(String)
    /// Another input (a command-line value, a referenced file) is invalid; the text says which.
    case input(String)

    /// One line for the admin; a file error names the deployment file.
    public var description: String {
        switch self {
        case .invalidFile(let reason): "deployment file: \(reason)"
        case .input(let reason): reason
        }
    }
}
