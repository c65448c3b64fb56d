#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts behind a finding, typed: what a script acts on, what the audit groups by, and all that
/// ``FindingWording`` needs to say it. The certificate facts are cases here; the discovery walk's, DHCP's and a
/// capture's are typed in the module that finds them and carried by ``facts(_:)``. JSON: `{"kind": ..., <the case's
/// fields>}` (documented in the README).
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
    /// Facts another module declares (the discovery walk, DHCP answers, captures), typed there: their JSON and their wording come with
    /// them (``FindingFacts``).
    case facts(AnyFindingFacts)

    /// Whether an algorithm finding concerns a signature the client verifies or a key it uses.
    public enum AlgorithmUse: String, Sendable, Hashable, Codable {
        /// `signature`: a signature the client verifies; `key`: the certificate's public key.
        case signature, key
    }

    /// Whether a key-size limit is a minimum or a maximum.
    public enum Bound: String, Sendable, Hashable, Codable {
        /// `minimum`: the key is too small; `maximum`: too large for the client; `handshake`: too small for the
        /// client's TLS handshake to use at all.
        case minimum, maximum, handshake
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
        case .facts:
            return  // encoded whole above, by its own type
        }
    }
}
