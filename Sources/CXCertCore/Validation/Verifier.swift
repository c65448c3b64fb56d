#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What to validate: a server certificate, what came with it, the trust sources, names and a time.
public struct VerificationRequest: Sendable {
    /// The server certificate to judge.
    public var leaf: Certificate
    /// Intermediates in any order: the input bundle, `--chain` files, AD-published CA certificates.
    public var intermediates: [Certificate]
    /// Roots the client has besides its built-in cache: `--trust` files and AD-published roots.
    public var anchors: [TrustAnchor]
    /// Host names the certificate must cover.
    public var hosts: [String]
    /// A deployment's name plan: every name it gives for the client is checked too.
    public var plan: NamePlan?
    /// The time the chain is judged at (validity periods, the time-dependent rules).
    public var time: Date
    /// Whose words the findings use: plain words, or the options of the cxcert command that prints them.
    public var vocabulary: Vocabulary
    /// The most work candidate path building may do.
    public var budget: PathBudget
    /// The most intermediates a path may hold (`--max-chain-depth`); the leaf and the anchor do not count.
    public var maxChainDepth: Int {
        get { budget.maxIntermediates }
        set { budget.maxIntermediates = newValue }
    }
    /// The depth limit when none is given: the chain-length limit cxcert has always had.
    public static let defaultMaxChainDepth = 16

    /// A request for `leaf`; every other input is optional.
    /// - Parameters:
    ///   - leaf: The server certificate.
    ///   - intermediates: Intermediates in any order.
    ///   - anchors: Roots the client has besides its built-in cache.
    ///   - hosts: Host names the certificate must cover.
    ///   - plan: A deployment's name plan, whose names for the client are checked too.
    ///   - time: The time the chain is judged at; now by default.
    ///   - vocabulary: Whose words the findings use.
    ///   - budget: The most work path building may do.
    public init(
        leaf: Certificate, intermediates: [Certificate] = [], anchors: [TrustAnchor] = [], hosts: [String] = [],
        plan: NamePlan? = nil, time: Date = Date(), vocabulary: Vocabulary = .plain, budget: PathBudget = PathBudget()
    ) {
        self.vocabulary = vocabulary
        self.budget = budget
        self.leaf = leaf
        self.intermediates = intermediates
        self.anchors = anchors
        self.hosts = hosts
        self.plan = plan
        self.time = time
    }

    /// Splits a bundle into the server certificate and the rest, by structure rather than order:
    /// the leaf is the certificate that issued none of the others, preferring a non-CA.
    public static func split(bundle: [Certificate]) -> BundleSplit? {
        guard !bundle.isEmpty else { return nil }
        let issuers = Set(bundle.filter { !$0.isSelfIssued }.map(\.issuer))
        let candidates = bundle.filter { !issuers.contains($0.subject) }
        let leaf = candidates.first { !$0.isCA } ?? candidates.first ?? bundle[0]
        var others = bundle
        others.remove(at: others.firstIndex(of: leaf)!)
        return BundleSplit(leaf: leaf, others: others)
    }

    /// Which leaf ``split(bundle:)`` chose and why, when more than one certificate could be the leaf.
    public static func leafChoice(bundle: [Certificate]) -> String? {
        let issuers = Set(bundle.filter { !$0.isSelfIssued }.map(\.issuer))
        let candidates = bundle.filter { !issuers.contains($0.subject) }
        guard candidates.count > 1, let leaf = split(bundle: bundle)?.leaf else { return nil }
        let names = candidates.map { "\($0.subject.displayName) (SHA-256 \($0.sha256Fingerprint.prefix(16))...)" }
        let why = leaf.isCA ? "none is a non-CA, so the first in the file" : "the first that is not a CA"
        return
            "\(candidates.count) certificates issued none of the others: \(names.joined(separator: ", ")); judging \(leaf.subject.displayName), \(why). Give one server certificate per file to choose."
    }
}

/// A bundle split into the server certificate and the rest (``VerificationRequest/split(bundle:)``).
public struct BundleSplit: Sendable, Hashable {
    /// The certificate that issued none of the others.
    public let leaf: Certificate
    /// Everything else, in bundle order: intermediates, roots, unrelated certificates.
    public let others: [Certificate]
}

/// One certificate of the built chain and its role.
public struct ChainLink: Sendable, Hashable {
    /// What a certificate is in the chain.
    public enum Role: Sendable, Hashable {
        /// The server certificate.
        case leaf
        /// A CA certificate between the leaf and the top.
        case intermediate
        /// A self-signed certificate at the top of the chain that the client does not trust.
        case untrustedRoot
        /// The trust anchor that ends the chain, with where the client got it.
        case anchor(TrustSource)
    }
    /// The certificate.
    public let certificate: Certificate
    /// Its role in the chain.
    public let role: Role
}

/// The answer for one client: trusted or not, the chain that was built, and every finding.
public struct Verdict: Sendable {
    /// The client judged for.
    public let profile: DeviceProfile
    /// The time judged at.
    public let time: Date
    /// The accepted path, or the best candidate when none is accepted.
    public let chain: [ChainLink]
    /// Every finding on the chain and the names; any with severity `error` means the client will not connect.
    public let findings: [Finding]
    /// How each requested host name fared.
    public let names: [NameMatch]
    /// How the verdict was reached that the reader must know: an inherited build, names not checked.
    public let notes: [String]
    /// The other candidate paths judged, with their findings (empty when the first path was accepted).
    public let alternatives: [CandidateVerdict]

    /// A verdict from its parts, as ``Verifier`` assembles it (or a test or another front end does).
    public init(
        profile: DeviceProfile, time: Date, chain: [ChainLink], findings: [Finding], names: [NameMatch], notes: [String],
        alternatives: [CandidateVerdict] = []
    ) {
        self.profile = profile
        self.time = time
        self.chain = chain
        self.findings = findings
        self.names = names
        self.notes = notes
        self.alternatives = alternatives
    }

    /// True when no finding is an error: the client would connect.
    public var isTrusted: Bool { !findings.contains { $0.severity == .error } }

    /// The same as ``isTrusted``, the name this property had before; kept so existing code compiles.
    @available(*, deprecated, renamed: "isTrusted")
    public var trusted: Bool { isTrusted }
}

/// One candidate path and what the client's policies found on it.
public struct CandidateVerdict: Sendable, Hashable {
    /// The path, from the leaf up.
    public let path: CandidatePath
    /// What the client's policies found on it.
    public let findings: [Finding]

    /// True when no finding is an error.
    public var isAccepted: Bool { !findings.contains { $0.severity == .error } }
}

/// Validates server chains the way a given client would: candidate paths built from the leaf (issuers by
/// name and key identifier, loops refused, a budget on the work), each judged by the client's policies
/// (RFC 5280 through OpenSSL on the fixed path, then the device's own limits and the name rules). The verdict is
/// the first path the policies accept, otherwise the best candidate with all its findings.
public enum Verifier {
    /// Judges `request` for the client `profile` describes.
    public static func verify(_ request: VerificationRequest, profile: DeviceProfile) -> Verdict {
        var anchors = request.anchors
        // The cache roots no issuer name reaches could never enter a path: they are left out, and never decoded.
        if profile.usesBuiltInCache {
            anchors = TrustAnchor.builtInCache(reachableFrom: [request.leaf] + request.intermediates) + anchors
        }
        let nameCoverage = NameCoveragePolicy(profile: profile)
        return verify(
            request, anchors: anchors, policies: profile.policies(maxIntermediates: request.budget.maxIntermediates),
            client: FindingClient(profile), profile: profile,
            names: nameCoverage.matches(for: request).map(\.match),
            notes: profile.notes + (request.plan?.unchecked ?? []))
    }

    /// Judges `request` with any list of policies: the entry point for a client cxcert has no profile for.
    static func verify(
        _ request: VerificationRequest, anchors: [TrustAnchor], policies: [any VerifierPolicy], client: FindingClient,
        profile: DeviceProfile, names: [NameMatch], notes: [String]
    ) -> Verdict {
        var builder = PathBuilder(anchors: anchors, intermediates: request.intermediates, budget: request.budget)
        var judged: [CandidateVerdict] = []
        builder.search(from: request.leaf) { path in
            let input = PolicyInput(path: path, request: request, client: client)
            let verdict = CandidateVerdict(path: path, findings: deduplicated(policies.flatMap { $0.findings(for: input) }))
            judged.append(verdict)
            return verdict.isAccepted
        }
        if judged.isEmpty {
            let path = CandidatePath(certificates: [request.leaf], anchor: nil)
            let input = PolicyInput(path: path, request: request, client: client)
            judged = [CandidateVerdict(path: path, findings: deduplicated(policies.flatMap { $0.findings(for: input) }))]
        }
        let chosen = judged.last(where: \.isAccepted) ?? best(judged)
        var findings = chosen.findings
        if builder.exhausted, !chosen.isAccepted {
            findings.append(
                Finding(
                    code: .pathBudgetExhausted, severity: .error, certificate: request.leaf,
                    detail: .pathBudget(
                        candidates: builder.candidates, signatureChecks: builder.signatureChecks,
                        maxCandidates: request.budget.maxCandidates, maxSignatureChecks: request.budget.maxSignatureChecks),
                    client: client, vocabulary: request.vocabulary))
        }
        return Verdict(
            profile: profile, time: request.time, chain: chosen.path.links, findings: findings, names: names, notes: notes,
            alternatives: judged.filter { $0 != chosen })
    }

    /// The candidate to show when none is accepted: one that reaches an anchor, then the fewest errors, then the shortest.
    private static func best(_ judged: [CandidateVerdict]) -> CandidateVerdict {
        judged.enumerated().min { a, b in
            func rank(_ c: CandidateVerdict) -> (Int, Int, Int) {
                (c.path.anchor == nil ? 1 : 0, c.findings.filter { $0.severity == .error }.count, c.path.certificates.count)
            }
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }!.element
    }

    /// One finding per code and certificate (per host for names): policies may see one problem twice.
    private static func deduplicated(_ findings: [Finding]) -> [Finding] {
        var seen = Set<String>()
        return findings.filter { finding in
            var key = "\(finding.code.rawValue)|\(finding.certificate?.sha256Fingerprint ?? "")"
            if case .name(let host, _, _, _, _) = finding.detail { key = "name|\(host.lowercased())" }
            return seen.insert(key).inserted
        }
    }
}
