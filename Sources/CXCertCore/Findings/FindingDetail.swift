import Foundation

/// The facts behind a finding, typed: what a script acts on, what the audit groups by, and all that
/// ``FindingWording`` needs to say it. JSON: `{"kind": ..., <the case's fields>}` (documented in the README).
public enum FindingDetail: Sendable, Hashable {
    /// A certificate outside its validity at the validation time (`expired`, `not-yet-valid`, `root-expired`).
    case validity(notBefore: Date, notAfter: Date, at: Date)
    /// A signature that does not verify with the issuer's key (`bad-signature`); `reason` is OpenSSL's.
    case signature(algorithm: String, reason: String)
    /// The chain stops: the issuer is neither supplied nor trusted (`missing-intermediate`).
    case issuerMissing(issuer: String)
    /// The chain stops, though certificates with the issuer's name were supplied or trusted: none holds the key that
    /// signed it (`missing-intermediate` after a CA renewed with a new key pair); `candidates` are their SHA-1
    /// thumbprints.
    case issuerKeyMismatch(issuer: String, candidates: [String])
    /// The chain ends at a self-signed certificate the client does not trust (`untrusted-root`).
    case untrustedRoot(sentByServer: Bool)
    /// What the certificate's usage extensions allow and what its role needs (`key-usage`, `eku`).
    case usage(keyUsage: [String]?, extendedKeyUsage: [String]?, needed: [String])
    /// OpenSSL's own verdict on the path: its `X509_V_ERR_*` code, reason and depth (0 = the leaf).
    case openSSL(code: Int32, reason: String, depth: Int)
    /// An algorithm the client does not verify or use, and the device-data rule that says so.
    case algorithm(name: String, use: AlgorithmUse, rule: CapabilityBasis?)
    /// A key whose size is outside the client's limit, and the rule behind the limit.
    case keySize(algorithm: String, bits: Int, limit: Int, bound: Bound, rule: CapabilityBasis?)
    /// An EC key on a curve the client does not accept.
    case curve(name: String?, allowed: [String])
    /// A serial number that is not positive, or longer than 20 octets.
    case serialNumber(String)
    /// A name the certificate does not cover for this client, and the plan entry that asks for it.
    case name(host: String, match: NameShortfall, dnsNames: [String], ipAddresses: [String], planned: PlannedName?)
    /// A rule of the web PKI (RFC 5280, the CA/Browser Forum Baseline Requirements, RFC 9525) with its reference.
    case rule(id: String, reference: String, detail: String)
    /// Candidate path building stopped at its budget before a path was accepted (`path-budget-exhausted`).
    case pathBudget(candidates: Int, signatureChecks: Int, maxCandidates: Int, maxSignatureChecks: Int)
    /// The server refuses the phone's handshake (`tls-version`).
    case handshakeRefused(endpoint: String, reason: String, offeredSuites: [String])
    /// DNS questions of a walk step that got no answer (`dns-unanswered`), and the DNS servers the phones were given.
    case dnsUnanswered(questions: [DNSQuestion], servers: [String])
    /// One DNS name the walk asked and what it found: too many records (`limit`), a name that answers only with a
    /// DHCP suffix appended (`retriedFrom`, `domain` = the suffix), an SRV target outside the SIP domain (`domain`),
    /// a name that does not resolve (`device-update-not-found`, `endpoint-unreachable`).
    case dnsAnswer(name: String, type: String, result: String, answers: [String], limit: Int?, retriedFrom: String?, domain: String?)
    /// An SRV `record`'s `target` whose A answer went through CNAME records (`srv-target-cname`): the `aliases` (names
    /// that own a CNAME, in answer order) and the `addresses` it ended at.
    case dnsAlias(target: String, record: String, aliases: [String], addresses: [String])
    /// A lookup order of the build's data tried to its end without success (`tried`: its templates, `domains`: the
    /// domains filled in); `roots` counts the roots in Active Directory a phone without a DC cannot download.
    case search(tried: [LookupStep], domains: [String], roots: Int?)
    /// A sign-in's DC locator search that found no domain controller (`dc-not-found`): the templates `tried`, the
    /// `domains` the phone completed the locator name with, the NetBIOS domain of a `DOMAIN\alias` sign-in (`netbios`,
    /// null for a UPN), the Active Directory DNS domains the walk knows (`adDomains`: the deployment's, else option
    /// 15), the option 119 suffix whose absence keeps the phone from building an AD domain's locator name
    /// (`missingSuffix`, CX700 guide l.1128-1145; null when one was given, or when no suffix can: the NetBIOS name is
    /// not the AD domain's first label), whether the directory was given (`directoryGiven`, `--ad`), and `roots` as in
    /// ``search(tried:domains:roots:)``.
    case dcLocator(
        tried: [LookupStep], domains: [String], netbios: String?, adDomains: [String], missingSuffix: String?, directoryGiven: Bool,
        roots: Int?)
    /// Where a build's roots come from holds none (`no-root-download`).
    case roots(scope: RootScope, count: Int)
    /// A server whose chain needs a root the phone does not hold in this phase (`root-not-held-yet`, `held-root-stale`,
    /// `external-root-not-learned`):
    /// the host, the phase, the roots that would make the chain trusted (`needed`, subjects) and where each comes from
    /// (`neededFrom`), where the roots the phone holds come from (`held`), the phase in which the phone would get a needed
    /// root (`downloadsIn`, null when it will not), and the device-data rule the timing rests on.
    case heldRoots(
        host: String, phase: BootPhase, needed: [String], neededFrom: [String], held: [String], downloadsIn: BootPhase?,
        rule: CapabilityBasis?)
    /// A time server that answered but is not synchronised: its leap indicator, stratum and reference (kiss code).
    /// `via` says how the phone found it (`captured` for a capture).
    case ntp(server: String, address: String, port: Int, via: TimeVia, leap: Int, stratum: Int, referenceID: String, kissOfDeath: Bool)
    /// The phone's clock against this machine's (`clock-skew`); with `host`, the verdict on that host's chain at each clock.
    case clock(
        offset: Double, source: ClockSource, phoneClock: Date, host: String?, trustedAtPhoneClock: Bool?, trustedAtLocalClock: Bool?,
        differing: [String])
    /// A server the phone cannot use (`endpoint-unreachable`): `service` is `tls` or `http`, `via` the record that named
    /// it, `failure` the network error (null when the server answered without a certificate).
    case endpoint(host: String, address: String?, port: Int, service: String, purpose: String?, via: String?, failure: String?)
    /// The Certificate Provisioning root-chain download (`certprov-*`): the URL posted to, the address, the HTTP status
    /// (null when none came back), what went wrong, and for `certprov-root-missing` the host whose chain needs a root
    /// (`host`) and the issuer it needs (`needed`).
    case certprov(url: String, address: String?, status: Int?, failure: String?, host: String?, needed: String?)
    /// A Device Update check or an offered file (`device-update-check-failed`, `device-update-file-unreachable`): the URL,
    /// the address, the HTTP status (null when none came back) and what went wrong.
    case deviceUpdate(url: String, address: String?, status: Int?, failure: String?)
    /// The phone's first REGISTER (`sip-*`): the registrar reached, the status it answered (null when none), the
    /// authentication packages it offered, what went wrong, and for `sip-target-name-mismatch` and
    /// `sip-provisioning-url` the challenge's target name, the certificate's DNS names and TLS-DSK's provisioning URL.
    case sipRegister(
        host: String, address: String?, port: Int, status: Int?, packages: [String], failure: String?, targetName: String?,
        certificateNames: [String], provisioningURL: String?)
    /// What a Device Update server offers a build, judged with `Knowledge/updates.json` (`device-update-none-offered`,
    /// `device-update-needs-intermediate`): the check's URL, the running build, the offered version (null: nothing
    /// offered), the build's Lync Server 2013 support (`supported`, `registers-unsupported`, `fails`, `unknown`), the
    /// intermediate builds needed first, and the data row's source and confidence.
    case deviceUpdateOffer(
        url: String, build: String, offered: String?, lync2013: String?, via: [String], source: String, confidence: Confidence)
    /// An HTTP redirect chain that loops or is too long (`autodiscover-failed`).
    case redirect(from: String, to: String, hops: Int, loops: Bool)
    /// Facts another module declares (DHCP answers, captures), typed there: their JSON and their wording come with
    /// them (``FindingFacts``).
    case facts(AnyFindingFacts)

    /// Whether an algorithm finding concerns a signature the client verifies or a key it uses.
    public enum AlgorithmUse: String, Sendable, Hashable, Codable {
        /// `signature`: a signature the client verifies; `key`: the certificate's public key.
        case signature, key
    }

    /// Whether a key-size limit is a minimum or a maximum.
    public enum Bound: String, Sendable, Hashable, Codable {
        /// `minimum`: the key is too small; `maximum`: too large for the client.
        case minimum, maximum
    }

    /// One DNS question and its result.
    public struct DNSQuestion: Sendable, Hashable, Encodable {
        /// The name asked.
        public let name: String
        /// `A` or `SRV`.
        public let type: String
        /// The server asked, `address:port`; null when no server was asked.
        public let server: String?
        /// `NXDOMAIN`, `NODATA`, `SERVFAIL`, `REFUSED`, `timeout`, `skipped` or `error`.
        public let result: String

        /// A question as the walk recorded it.
        public init(name: String, type: String, server: String?, result: String) {
            self.name = name
            self.type = type
            self.server = server
            self.result = result
        }
    }

    /// When, in the phone's walk, a step happens: at boot (fresh from reset, or powered on), at its first sign-in
    /// attempt (the root download its sign-in method allows), or once signed in.
    public enum BootPhase: String, Sendable, Hashable, Codable, CaseIterable {
        /// Power-on: DHCP, time, Device Update (`ucupdates-r2`), before any sign-in.
        case boot
        /// The first sign-in attempt: registrar, the root download, web services.
        case signIn = "sign-in"
        /// Signed in: what the phone reaches with the roots it now holds.
        case signedIn = "signed-in"
    }

    /// Which roots a `no-root-download` finding counts.
    public enum RootScope: String, Sendable, Hashable, Codable {
        /// The roots published in Active Directory.
        case activeDirectory = "active-directory"
        /// Every root the build holds at sign-in.
        case signIn = "sign-in"
    }

    /// How a host name falls short.
    public enum NameShortfall: Sendable, Hashable {
        /// No SAN entry (nor CN the client reads) holds the name.
        case notCovered
        /// Only a wildcard entry covers it, and the client does not accept wildcards.
        case onlyWildcard(entry: String)
        /// Only the subject CN holds it, and the client does not read the CN.
        case onlyCommonName
    }

    /// The `kind` key of the JSON.
    public var kind: String {
        switch self {
        case .validity: "validity"
        case .signature: "signature"
        case .issuerMissing: "issuer-missing"
        case .issuerKeyMismatch: "issuer-key-mismatch"
        case .untrustedRoot: "untrusted-root"
        case .usage: "usage"
        case .openSSL: "openssl"
        case .algorithm: "algorithm"
        case .keySize: "key-size"
        case .curve: "curve"
        case .serialNumber: "serial-number"
        case .name: "name"
        case .rule: "rule"
        case .pathBudget: "path-budget"
        case .handshakeRefused: "handshake-refused"
        case .dnsUnanswered: "dns-questions"
        case .dnsAnswer: "dns-answer"
        case .dnsAlias: "dns-alias"
        case .search: "search"
        case .dcLocator: "dc-locator"
        case .roots: "roots"
        case .heldRoots: "held-roots"
        case .ntp: "ntp"
        case .clock: "clock"
        case .endpoint: "endpoint"
        case .certprov: "certprov"
        case .deviceUpdate: "device-update"
        case .sipRegister: "sip-register"
        case .deviceUpdateOffer: "device-update-offer"
        case .redirect: "redirect"
        case .facts(let facts): facts.base.kind
        }
    }
}

/// The device-data rule a finding rests on: which capability, how sure, and where it comes from.
public struct CapabilityBasis: Sendable, Hashable, Encodable {
    /// The capability the finding rests on.
    public let capability: Capability
    /// How sure the device data is about it.
    public let confidence: Confidence
    /// The document the rule comes from.
    public let source: String
    /// The first known later build of the family that has the capability, when the data names one.
    public let firstBuildWith: FirmwareVersion?

    package init?(_ profile: DeviceProfile, _ capability: Capability) {
        guard let rule = profile.facts[capability] else { return nil }
        self.capability = capability
        confidence = rule.confidence
        source = rule.source
        firstBuildWith = profile.upgrades[capability]?.version
    }
}

extension FindingDetail: Encodable {
    public func encode(to encoder: any Encoder) throws {
        if case .facts(let facts) = self { return try facts.base.encode(to: encoder) }
        var out = encoder.container(keyedBy: FindingDetailKey.self)
        try out.put("kind", kind)
        func put<Value: Encodable>(_ key: String, _ value: Value) throws { try out.put(key, value) }
        switch self {
        case .validity(let notBefore, let notAfter, let at):
            try put("notBefore", iso8601(notBefore))
            try put("notAfter", iso8601(notAfter))
            try put("at", iso8601(at))
        case .signature(let algorithm, let reason):
            try put("algorithm", algorithm)
            try put("reason", reason)
        case .issuerMissing(let issuer):
            try put("issuer", issuer)
        case .issuerKeyMismatch(let issuer, let candidates):
            try put("issuer", issuer)
            try put("candidates", candidates)
        case .untrustedRoot(let sentByServer):
            try put("sentByServer", sentByServer)
        case .usage(let keyUsage, let extendedKeyUsage, let needed):
            try put("keyUsage", keyUsage)
            try put("extendedKeyUsage", extendedKeyUsage)
            try put("needed", needed)
        case .openSSL(let code, let reason, let depth):
            try put("code", code)
            try put("reason", reason)
            try put("depth", depth)
        case .algorithm(let name, let use, let rule):
            try put("algorithm", name)
            try put("use", use)
            try put("rule", rule)
        case .keySize(let algorithm, let bits, let limit, let bound, let rule):
            try put("algorithm", algorithm)
            try put("bits", bits)
            try put("limit", limit)
            try put("bound", bound)
            try put("rule", rule)
        case .curve(let name, let allowed):
            try put("curve", name)
            try put("allowed", allowed)
        case .serialNumber(let serial):
            try put("serial", serial)
        case .name(let host, let match, let dnsNames, let ipAddresses, let planned):
            try put("host", host)
            switch match {
            case .notCovered:
                try put("match", "none")
                try put("wildcard", String?.none)
            case .onlyWildcard(let entry):
                try put("match", "wildcard-only")
                try put("wildcard", entry)
            case .onlyCommonName:
                try put("match", "common-name-only")
                try put("wildcard", String?.none)
            }
            try put("dnsNames", dnsNames)
            try put("ipAddresses", ipAddresses)
            try put("planned", planned)
        case .rule(let id, let reference, let detail):
            try put("rule", id)
            try put("reference", reference)
            try put("detail", detail)
        case .pathBudget(let candidates, let signatureChecks, let maxCandidates, let maxSignatureChecks):
            try put("candidates", candidates)
            try put("signatureChecks", signatureChecks)
            try put("maxCandidates", maxCandidates)
            try put("maxSignatureChecks", maxSignatureChecks)
        case .handshakeRefused(let endpoint, let reason, let offeredSuites):
            try put("endpoint", endpoint)
            try put("reason", reason)
            try put("offeredSuites", offeredSuites)
        case .dnsUnanswered(let questions, let servers):
            try put("questions", questions)
            try put("servers", servers)
        case .dnsAnswer(let name, let type, let result, let answers, let limit, let retriedFrom, let domain):
            try put("name", name)
            try put("type", type)
            try put("result", result)
            try put("answers", answers)
            try put("limit", limit)
            try put("retriedFrom", retriedFrom)
            try put("domain", domain)
        case .dnsAlias(let target, let record, let aliases, let addresses):
            try put("target", target)
            try put("record", record)
            try put("aliases", aliases)
            try put("addresses", addresses)
        case .search(let tried, let domains, let roots):
            try put("tried", tried.map(\.description))
            try put("domains", domains)
            try put("roots", roots)
        case .dcLocator(let tried, let domains, let netbios, let adDomains, let missingSuffix, let directoryGiven, let roots):
            try put("tried", tried.map(\.description))
            try put("domains", domains)
            try put("netbios", netbios)
            try put("adDomains", adDomains)
            try put("missingSuffix", missingSuffix)
            try put("directoryGiven", directoryGiven)
            try put("roots", roots)
        case .roots(let scope, let count):
            try put("scope", scope)
            try put("count", count)
        case .heldRoots(let host, let phase, let needed, let neededFrom, let held, let downloadsIn, let rule):
            try put("host", host)
            try put("phase", phase)
            try put("needed", needed)
            try put("neededFrom", neededFrom)
            try put("held", held)
            try put("downloadsIn", downloadsIn)
            try put("rule", rule)
        case .ntp(let server, let address, let port, let via, let leap, let stratum, let referenceID, let kissOfDeath):
            try put("server", server)
            try put("address", address)
            try put("port", port)
            try put("via", via.description)
            try put("leap", leap)
            try put("stratum", stratum)
            try put("referenceID", referenceID)
            try put("kissOfDeath", kissOfDeath)
        case .clock(let offset, let source, let phoneClock, let host, let trustedAtPhoneClock, let trustedAtLocalClock, let differing):
            try put("offset", offset)
            try put("source", source.description)
            try put("phoneClock", iso8601(phoneClock))
            try put("host", host)
            try put("trustedAtPhoneClock", trustedAtPhoneClock)
            try put("trustedAtLocalClock", trustedAtLocalClock)
            try put("differing", differing)
        case .endpoint(let host, let address, let port, let service, let purpose, let via, let failure):
            try put("host", host)
            try put("address", address)
            try put("port", port)
            try put("service", service)
            try put("purpose", purpose)
            try put("via", via)
            try put("failure", failure)
        case .certprov(let url, let address, let status, let failure, let host, let needed):
            try put("url", url)
            try put("address", address)
            try put("status", status)
            try put("failure", failure)
            try put("host", host)
            try put("needed", needed)
        case .deviceUpdate(let url, let address, let status, let failure):
            try put("url", url)
            try put("address", address)
            try put("status", status)
            try put("failure", failure)
        case .sipRegister(let host, let address, let port, let status, let packages, let failure, let targetName, let names, let url):
            try put("host", host)
            try put("address", address)
            try put("port", port)
            try put("status", status)
            try put("packages", packages)
            try put("failure", failure)
            try put("targetName", targetName)
            try put("certificateNames", names)
            try put("provisioningURL", url)
        case .deviceUpdateOffer(let url, let build, let offered, let lync2013, let via, let source, let confidence):
            try put("url", url)
            try put("build", build)
            try put("offered", offered)
            try put("lync2013", lync2013)
            try put("via", via)
            try put("source", source)
            try put("confidence", confidence.rawValue)
        case .redirect(let from, let to, let hops, let loops):
            try put("from", from)
            try put("to", to)
            try put("hops", hops)
            try put("loops", loops)
        case .facts:
            return  // encoded whole above, by its own type
        }
    }
}
