import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts behind a finding of the phone's discovery walk (`cxcert boot`, and what `trace` judges of a capture the
/// same way: DNS, time, roots, the servers the phone reaches), typed: what a script acts on and all that its wording
/// (WalkFindingWording.swift) needs. A finding carries them as ``/CXCertCore/FindingDetail/facts(_:)``.
public enum WalkFacts: FindingFacts {
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

    /// The `kind` key of the JSON.
    public var kind: String {
        switch self {
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
        }
    }

    /// `{"kind": ..., <the case's fields>}`, as every finding detail (documented in the README).
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: FindingDetailKey.self)
        try out.put("kind", kind)
        func put<Value: Encodable>(_ key: String, _ value: Value) throws { try out.put(key, value) }
        switch self {
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
        }
    }
}

extension FindingDetail {
    /// Walk facts as a finding's detail.
    public static func walk(_ facts: WalkFacts) -> FindingDetail { .facts(AnyFindingFacts(facts)) }

    /// The walk facts this detail carries; nil for other facts.
    public var walkFacts: WalkFacts? { if case .facts(let facts) = self { facts.base as? WalkFacts } else { nil } }
}
