#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Validates many server certificates against the same trust sources, as fast as the signatures allow.
///
/// The first certificate under each issuer takes the full OpenSSL path (``Verifier``); that fixes the
/// chain above the leaf and its findings, and caches the issuer's key. Every later certificate from
/// the same issuer (same issuer name and key identifier) is read by a lean DER reader, its one
/// signature verified with the cached key, and only the leaf's own rules checked — the same
/// `CertificateRules` the full path's policies run, over the facts the lean reader provides. Anything unusual —
/// another algorithm, an unknown critical extension, name constraints above, a failed signature,
/// host names to match — goes the full path. Safe to call from several threads at once.
public final class BatchVerifier: @unchecked Sendable {
    /// The verdict for one certificate, as batch output reports it.
    public struct Outcome: Sendable, Equatable {
        /// No finding is an error.
        public let trusted: Bool
        /// Sorted, unique finding codes.
        public let codes: [String]
        /// Decided by the fast path.
        public let fast: Bool
        /// Why the input could not be read as a certificate.
        public let error: String?
    }

    /// A class, not a struct: the fast path looks one up per leaf, and a reference is one retain where the struct's
    /// copy was one per field (the certificate's several).
    private final class IssuerEntry {
        /// The issuer name (DER) and authority key identifier leaves carry: the cache key.
        let issuerName: [UInt8]
        let keyIdentifier: [UInt8]
        let issuer: Certificate
        /// Findings on the rest of the chain (not about the leaf).
        let chainFindings: [(FindingCode, Severity)]
        let fastPathAllowed: Bool

        init(
            issuerName: [UInt8], keyIdentifier: [UInt8], issuer: Certificate, chainFindings: [(FindingCode, Severity)],
            fastPathAllowed: Bool
        ) {
            self.issuerName = issuerName
            self.keyIdentifier = keyIdentifier
            self.issuer = issuer
            self.chainFindings = chainFindings
            self.fastPathAllowed = fastPathAllowed
        }
    }

    /// The client every certificate is judged for.
    public let profile: DeviceProfile
    /// The time every certificate is judged at.
    public let time: Date
    private let intermediates: [Certificate]
    private let anchors: [TrustAnchor]
    private let lock = Lock()
    /// Few issuers per batch: a list compared byte-wise beats hashing a fresh key for every leaf.
    private var issuers: [IssuerEntry] = []
    private let epoch: Int64
    /// Verify contexts for the issuers' keys, freed with this verifier.
    let pool = SignatureCheck.Pool()

    /// The most intermediates a path may hold (`--max-chain-depth`).
    public let maxChainDepth: Int

    /// Validates against `intermediates` and `anchors` as `profile` would at `time`, with paths of at
    /// most `maxChainDepth` intermediates.
    public init(
        intermediates: [Certificate], anchors: [TrustAnchor], profile: DeviceProfile, time: Date = Date(),
        maxChainDepth: Int = VerificationRequest.defaultMaxChainDepth
    ) {
        self.maxChainDepth = maxChainDepth
        self.intermediates = intermediates
        self.anchors = anchors
        self.profile = profile
        self.time = time
        self.epoch = Int64(time.timeIntervalSince1970.rounded(.down))
    }

    /// Validates one certificate given as DER.
    public func verify(der: [UInt8]) -> Outcome {
        if let fast = fastPath(der) { return fast }
        return slowPath(der)
    }

    /// The full path: OpenSSL parsing and validation, then the issuer is cached for the fast path.
    func slowPath(_ der: [UInt8]) -> Outcome {
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: der)
        } catch {
            return Outcome(trusted: false, codes: [], fast: false, error: error.description)
        }
        var request = VerificationRequest(leaf: leaf, intermediates: intermediates, anchors: anchors, time: time)
        request.maxChainDepth = maxChainDepth
        let verdict = Verifier.verify(request, profile: profile)
        if verdict.chain.count > 1 {
            let issuer = verdict.chain[1].certificate
            // Name and policy constraints above make each leaf's names matter: no shortcut then.
            let constrained = verdict.chain.dropFirst().contains { link in
                link.certificate.extensions.contains {
                    [OID.nameConstraints, OID.policyConstraints, OID.inhibitAnyPolicy].contains($0.oid)
                }
            }
            let entry = IssuerEntry(
                issuerName: [UInt8](leaf.issuer.der), keyIdentifier: leaf.authorityKeyIdentifier.map { [UInt8]($0) } ?? [], issuer: issuer,
                chainFindings: verdict.findings.filter { $0.certificate != nil && $0.certificate != leaf }.map { ($0.code, $0.severity) },
                fastPathAllowed: !constrained)
            lock.withLock {
                if !issuers.contains(where: { $0.issuerName == entry.issuerName && $0.keyIdentifier == entry.keyIdentifier }) {
                    issuers.append(entry)
                }
            }
        }
        return Outcome(
            trusted: verdict.isTrusted, codes: Array(Set(verdict.findings.map(\.code.rawValue))).sorted(), fast: false, error: nil)
    }

    /// The fast path, or nil when this certificate must take the full one.
    func fastPath(_ der: [UInt8]) -> Outcome? {
        guard let lean = LeanCertificate(der), lean.version == 3, lean.keyAlgorithmOID == OID.rsaEncryption, lean.rsaBits > 0,
            !lean.otherCriticalExtensions, let facts = CertificateFacts(lean, der: der)
        else { return nil }
        let name = der[lean.issuer]
        let keyIdentifier = lean.authorityKeyIdentifier.map { der[$0] } ?? der[0..<0]
        let known = lock.withLock { issuers }
        guard let entry = known.first(where: { name.elementsEqual($0.issuerName) && keyIdentifier.elementsEqual($0.keyIdentifier) }),
            entry.fastPathAllowed
        else { return nil }
        // OpenSSL's strict mode checks these on the leaf, and the web-PKI leaf rules need the full reader for anything
        // but a plain leaf with an EKU (a leaf without one has a lint of its own): let the full path speak for odd ones.
        if profile.isGeneric,
            lean.authorityKeyIdentifier == nil || !lean.hasSubjectAltName || !lean.hasExtendedKeyUsage || facts.malformedSerial != nil
                || !lean.plainForWebPKI
        {
            return nil
        }
        guard
            SignatureCheck.verify(
                der, signed: lean.tbs, signature: lean.signature, algorithmOID: lean.signatureAlgorithmOID, issuer: entry.issuer, pool: pool
            )
                == true
        else { return nil }

        var findings = entry.chainFindings
        func add(_ hits: [CertificateRules.Hit]) { findings += hits.map { ($0.code, $0.severity) } }
        add(CertificateRules.validity(facts, at: epoch, isAnchor: false).map { [$0] } ?? [])
        // OpenSSL's TLS server purpose (the full path asks OpenSSL): serverAuth when an EKU is present; a keyUsage
        // that allows the key exchange.
        if lean.hasExtendedKeyUsage && !lean.extendedKeyUsageHasServerAuth { findings.append((.eku, .error)) }
        if let usage = lean.keyUsage, usage & 0b1_0101 == 0 { findings.append((.keyUsage, .error)) }
        if profile.isGeneric {
            add(CertificateRules.webPKIKey(facts) + CertificateRules.webPKISigned(facts))
        } else {
            add(
                CertificateRules.firmwareSignature(facts, profile: profile)
                    + CertificateRules.firmwareKey(facts, profile: profile, isLeaf: true))
        }
        return Outcome(
            trusted: !findings.contains { $0.1 == .error }, codes: Array(Set(findings.map(\.0.rawValue))).sorted(), fast: true, error: nil)
    }
}
