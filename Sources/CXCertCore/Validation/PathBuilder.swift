import Foundation

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
/// (subject = its issuer, key identifiers compatible): trust anchors first, then certificates whose key
/// verifies its signature, then the rest (so a wrong issuer is still judged, and reported, last). Loops are
/// refused; the budget bounds the work.
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
            // A subject already on the path is a loop, whichever certificate carries it (cross-signed CAs).
            guard candidate.subject == certificate.issuer, !path.dropFirst().contains(where: { $0.subject == candidate.subject })
            else { return false }
            if let aki = certificate.authorityKeyIdentifier, let ski = candidate.subjectKeyIdentifier, aki != ski { return false }
            return true
        }
        let trusted = anchors.map(\.certificate).filter(names)
        var verified: [Certificate] = []
        var unverified: [Certificate] = []
        for candidate in intermediates where names(candidate) {
            if isSigned(certificate, by: candidate) { verified.append(candidate) } else { unverified.append(candidate) }
        }
        return trusted + verified + unverified
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
