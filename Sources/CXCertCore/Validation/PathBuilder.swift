#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One candidate chain from the leaf upwards: the leaf, intermediates, and the trust anchor that ends it (or
/// the certificate where it stops: a self-signed root the client does not trust, or one whose issuer is absent).
public struct CandidatePath: Sendable, Hashable {
    /// Leaf first; the anchor's certificate last when the path reaches one.
    public let certificates: [Certificate]
    /// The anchor the path ends at, if it reaches one.
    public let anchor: TrustAnchor?

    /// The certificates with their roles, as a verdict shows them.
    public var links: [ChainLink] {
        certificates.enumerated().map { index, certificate in
            let isTop = index == certificates.count - 1
            if isTop, let anchor { return ChainLink(certificate: certificate, role: .anchor(anchor.source)) }
            if isTop, index > 0, certificate.isSelfIssued { return ChainLink(certificate: certificate, role: .untrustedRoot) }
            return ChainLink(certificate: certificate, role: index == 0 ? .leaf : .intermediate)
        }
    }

    /// The intermediates between the leaf and the anchor (or the top).
    var intermediates: [Certificate] {
        Array(certificates.dropFirst().dropLast(anchor == nil ? 0 : 1))
    }
}

/// How much work candidate path building may do before it stops: a hostile set of cross-signed CAs has more
/// paths than any client would try (Go's crypto/x509 caps signature checks at 100 for the same reason).
public struct PathBudget: Sendable, Hashable {
    /// Complete or dead-end paths judged at most.
    public var maxCandidates: Int
    /// Issuer signature checks made at most while building.
    public var maxSignatureChecks: Int
    /// Intermediates on one path at most (`--max-chain-depth`).
    public var maxIntermediates: Int

    /// A budget; the defaults are 16 candidate paths, 100 signature checks and 16 intermediates.
    public init(maxCandidates: Int = 16, maxSignatureChecks: Int = 100, maxIntermediates: Int = 16) {
        self.maxCandidates = maxCandidates
        self.maxSignatureChecks = maxSignatureChecks
        self.maxIntermediates = maxIntermediates
    }
}

/// Builds candidate paths from a leaf, depth first, trying for each certificate the issuers that name it
/// (subject = its issuer, key identifiers compatible): trust anchors whose key verifies its signature first,
/// then other certificates whose key does, then the rest (so a wrong issuer is still judged, and reported,
/// last). A certificate is a loop when one on the path already has its subject, public key and SAN, as Go's
/// crypto/x509 (`alreadyInChain`) decides: a key rollover keeps the subject and changes the key, so the old and
/// the new CA certificate, and the cross-certificates between them, may all sit on one valid path (RFC 5280 6.1
/// self-issued certificates). The budget bounds the work.
struct PathBuilder {
    let anchors: [TrustAnchor]
    let intermediates: [Certificate]
    let budget: PathBudget

    private(set) var signatureChecks = 0
    private(set) var candidates = 0
    private(set) var exhausted = false
    private var signed: [Pair: Bool] = [:]

    private struct Pair: Hashable {
        let child: Certificate
        let parent: Certificate
    }

    init(anchors: [TrustAnchor], intermediates: [Certificate], budget: PathBudget) {
        // One anchor per certificate (the first source wins), and no intermediate that is also an anchor.
        var seen = Set<Certificate>()
        self.anchors = anchors.filter { seen.insert($0.certificate).inserted }
        self.intermediates = intermediates.filter { seen.insert($0).inserted }
        self.budget = budget
    }

    /// Calls `judge` with each candidate in order until it returns true (accepted) or the budget runs out.
    mutating func search(from leaf: Certificate, judge: (CandidatePath) -> Bool) {
        var path = [leaf]
        _ = extend(&path, judge: judge)
    }

    /// Returns true to stop the search (a path was accepted or the budget is spent).
    private mutating func extend(_ path: inout [Certificate], judge: (CandidatePath) -> Bool) -> Bool {
        let top = path[path.count - 1]
        if let anchor = anchors.first(where: { $0.certificate == top }) {
            return offer(CandidatePath(certificates: path, anchor: anchor), judge)
        }
        // Past the depth limit the path is judged as it stands; RFC 5280 validation reports it too long.
        if path.count - 1 > budget.maxIntermediates || (top.isSelfIssued && isSigned(top, by: top)) {
            return offer(CandidatePath(certificates: path, anchor: nil), judge)
        }
        let parents = issuers(of: top, excluding: path)
        if parents.isEmpty { return offer(CandidatePath(certificates: path, anchor: nil), judge) }
        for parent in parents {
            if exhausted { return true }
            path.append(parent)
            defer { path.removeLast() }
            if extend(&path, judge: judge) { return true }
        }
        return false
    }

    private mutating func offer(_ candidate: CandidatePath, _ judge: (CandidatePath) -> Bool) -> Bool {
        guard candidates < budget.maxCandidates else {
            exhausted = true
            return true
        }
        candidates += 1
        return judge(candidate)
    }

    /// The certificates that could have issued `certificate`, best first.
    private mutating func issuers(of certificate: Certificate, excluding path: [Certificate]) -> [Certificate] {
        func names(_ candidate: Certificate) -> Bool {
            guard candidate.subject == certificate.issuer, !Self.isLoop(candidate, on: path) else { return false }
            if let aki = certificate.authorityKeyIdentifier, let ski = candidate.subjectKeyIdentifier, aki != ski { return false }
            return true
        }
        // Among several anchors with the issuer's name (an old and a renewed root), the one whose key signed
        // comes first; the others are still judged, after every certificate that verifies.
        var trusted: [Certificate] = []
        var wrongAnchors: [Certificate] = []
        for candidate in anchors.map(\.certificate) where names(candidate) {
            if isSigned(certificate, by: candidate) { trusted.append(candidate) } else { wrongAnchors.append(candidate) }
        }
        var verified: [Certificate] = []
        var unverified: [Certificate] = []
        for candidate in intermediates where names(candidate) {
            if isSigned(certificate, by: candidate) { verified.append(candidate) } else { unverified.append(candidate) }
        }
        return trusted + verified + wrongAnchors + unverified
    }

    /// True when `candidate` is, for path building, a certificate already on `path`: the same subject, the same
    /// public key and the same subjectAltName (Go's `alreadyInChain`). Cross-certificates that sign each other
    /// (A by B, B by A) repeat a subject and key, so they end here; a renewed CA with a new key does not.
    static func isLoop(_ candidate: Certificate, on path: [Certificate]) -> Bool {
        path.contains { certificate in
            certificate.subject == candidate.subject && certificate.subjectAlternativeNames == candidate.subjectAlternativeNames
                && SignatureCheck.haveSameKey(certificate, candidate)
        }
    }

    private mutating func isSigned(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        let pair = Pair(child: certificate, parent: issuer)
        if let known = signed[pair] { return known }
        guard signatureChecks < budget.maxSignatureChecks else {
            exhausted = true
            return false
        }
        signatureChecks += 1
        let result = SignatureCheck.isSigned(certificate, by: issuer)
        signed[pair] = result
        return result
    }
}
