#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a policy judges: one candidate path, for one request, on behalf of one client.
public struct PolicyInput: Sendable {
    /// The candidate path judged, from the leaf up.
    public let path: CandidatePath
    /// The request the path was built for: hosts, time, name plan, vocabulary.
    public let request: VerificationRequest
    /// The client the findings are worded for.
    public let client: FindingClient

    /// The certificates whose signatures the client verifies: all but the anchor's own.
    public var verifiedSignatures: [Certificate] {
        path.anchor == nil ? path.certificates : Array(path.certificates.dropLast())
    }

    /// A finding about this path, in the request's vocabulary.
    public func finding(_ code: FindingCode, _ severity: Severity, _ certificate: Certificate?, _ detail: FindingDetail) -> Finding {
        Finding(code: code, severity: severity, certificate: certificate, detail: detail, client: client, vocabulary: request.vocabulary)
    }
}

/// One rule family a client applies to a candidate path. A client is a list of policies; a new device family is
/// a new list, not an edit to a switch (the shape of swift-certificates' `VerifierPolicy`).
public protocol VerifierPolicy: Sendable {
    /// Every finding this policy has about the path; none with severity `.error` means it accepts it.
    func findings(for input: PolicyInput) -> [Finding]
}

/// RFC 5280 path validation of the fixed candidate path by OpenSSL, every problem reported and attributed to
/// its root cause (OpenSSL's knock-on errors folded into the finding that explains them).
public struct RFC5280Policy: VerifierPolicy {
    /// OpenSSL's strict RFC 5280 checks (key identifiers, critical flags), as modern clients apply them.
    public var strict: Bool
    /// Intermediates allowed at most.
    public var maxIntermediates: Int

    /// A policy with or without OpenSSL's strict checks, allowing `maxIntermediates` intermediates.
    public init(strict: Bool, maxIntermediates: Int = 16) {
        self.strict = strict
        self.maxIntermediates = maxIntermediates
    }

    public func findings(for input: PolicyInput) -> [Finding] {
        let path = input.path
        let outcome = PathValidation.validate(
            leaf: path.certificates[0], intermediates: path.intermediates, anchors: path.anchor.map { [$0.certificate] } ?? [],
            options: .init(
                time: input.request.time, strict: strict, maxDepth: maxIntermediates, checksTime: false,
                acceptsCAInLeafPosition: strict))
        // Validity periods are cxcert's own check, on every certificate of the path (RFC 5280 4.1.2.5, inclusive).
        let time = Int64(input.request.time.timeIntervalSince1970.rounded(.down))
        let validity = path.certificates.compactMap { certificate in
            CertificateRules.validity(CertificateFacts(certificate), at: time, isAnchor: certificate == path.anchor?.certificate).map {
                input.finding($0.code, $0.severity, certificate, $0.detail)
            }
        }
        // X.509 has versions 1 to 3. OpenSSL 3.0 reads a larger one; Go and BoringSSL refuse it; no source says what
        // the phones' CryptoAPI does, so it is never a pass.
        let versions = path.certificates.filter { $0.version > 3 }.map { certificate in
            input.finding(
                .malformed, .error, certificate,
                .rule(
                    id: "certificate-version", reference: "RFC 5280 4.1.2.1",
                    detail:
                        "version \(certificate.version), but X.509 defines versions 1 to 3 (some validators refuse it; "
                        + "whether this client does is not known)"))
        }
        return validity + versions + outcome.problems.flatMap { findings(for: $0, input) }
    }

    private func findings(for problem: PathValidation.Problem, _ input: PolicyInput) -> [Finding] {
        if problem.kind == .purpose { return purpose(problem, input) }
        return finding(for: problem, input).map { [$0] } ?? []
    }

    private func finding(for problem: PathValidation.Problem, _ input: PolicyInput) -> Finding? {
        let certificate = problem.certificate
        let isAnchor = certificate != nil && certificate == input.path.anchor?.certificate
        let at = input.request.time
        let openSSL = FindingDetail.openSSL(code: problem.code, reason: problem.reason, depth: problem.depth)
        func validity(_ certificate: Certificate?) -> FindingDetail {
            guard let certificate else { return openSSL }
            return .validity(notBefore: certificate.notBefore, notAfter: certificate.notAfter, at: at)
        }
        switch problem.kind {
        case .expired:
            return input.finding(isAnchor ? .rootExpired : .expired, .error, certificate, validity(certificate))
        case .notYetValid:
            return input.finding(.notYetValid, .error, certificate, validity(certificate))
        case .badSignature:
            return input.finding(
                .badSignature, .error, certificate,
                .signature(algorithm: certificate?.signatureAlgorithm.name ?? "unknown", reason: problem.reason))
        case .issuerNotFound:
            // A certificate with the issuer's name that was not used holds another key: say so, not "not supplied".
            if let certificate {
                let named = (input.request.intermediates + input.request.anchors.map(\.certificate)).filter {
                    $0 != certificate && $0.subject == certificate.issuer
                }
                if !named.isEmpty {
                    return input.finding(
                        .missingIntermediate, .error, certificate,
                        .issuerKeyMismatch(issuer: certificate.issuer.rfc4514, candidates: named.map(\.sha1Thumbprint)))
                }
            }
            return input.finding(
                .missingIntermediate, .error, certificate, .issuerMissing(issuer: certificate?.issuer.rfc4514 ?? "its issuer"))
        case .untrustedSelfSigned:
            let sent = input.request.leaf == certificate || input.request.intermediates.contains { $0 == certificate }
            return input.finding(.untrustedRoot, .error, certificate, .untrustedRoot(sentByServer: sent))
        case .notACA:
            // OpenSSL also calls a CA:TRUE certificate without keyCertSign an invalid CA; that is a key-usage problem.
            if let certificate, certificate.isCA, let usage = certificate.keyUsage, !usage.contains(.keyCertSign) {
                return input.finding(.keyUsage, .error, certificate, Self.usage(certificate, needed: ["keyCertSign"]))
            }
            return input.finding(.notACA, .error, certificate, openSSL)
        case .pathLength:
            return input.finding(.pathLength, .error, certificate, openSSL)
        case .keyUsage:
            if problem.depth > 0, let certificate {
                return input.finding(.keyUsage, .error, certificate, Self.usage(certificate, needed: ["keyCertSign"]))
            }
            return input.finding(.keyUsage, .error, certificate, openSSL)
        case .purpose:
            return nil
        case .nameConstraints:
            return input.finding(.nameConstraints, .error, certificate, openSSL)
        case .criticalExtension:
            return input.finding(.criticalExtension, .error, certificate, openSSL)
        case .chainTooLong:
            return input.finding(.chainTooLong, .error, certificate, openSSL)
        case .strictRFC5280:
            return input.finding(.malformed, .error, certificate, openSSL)
        case .missingAuthorityKeyIdentifier, .missingSubjectKeyIdentifier:
            // Key identifiers are a CA's duty (RFC 5280 4.2.1.1-2 "conforming CAs MUST"), there to help path
            // building. pyca/cryptography requires the AKI of an end-entity certificate and refuses without it; no
            // strict verifier requires either on a CA, so there it is a lint (a warning that never decides trust).
            let isAKI = problem.kind == .missingAuthorityKeyIdentifier
            if isAKI, let certificate, !certificate.isCA { return input.finding(.malformed, .error, certificate, openSSL) }
            return input.finding(
                .malformed, .warning, certificate,
                .rule(
                    id: isAKI ? "missing-authority-key-identifier" : "missing-subject-key-identifier",
                    reference: isAKI ? "RFC 5280 4.2.1.1" : "RFC 5280 4.2.1.2", detail: problem.reason))
        case .weakForSecurityLevel:
            return input.finding(.weakKey, .error, certificate, openSSL)
        case .internalError, .other:
            return input.finding(.pathValidation, .error, certificate, openSSL)
        }
    }

    /// OpenSSL's TLS-server purpose covers keyUsage as well as the EKU: name what actually fails.
    private func purpose(_ problem: PathValidation.Problem, _ input: PolicyInput) -> [Finding] {
        let certificate = problem.certificate
        let allowsServerAuth = certificate?.allowsServerAuth ?? true
        // On a CA the purpose check fails as a consequence of not being a CA, unless its own EKU excludes serverAuth.
        if problem.depth > 0, allowsServerAuth { return [] }
        var out: [Finding] = []
        if problem.depth == 0, let certificate, let usage = certificate.keyUsage,
            usage.isDisjoint(with: [.digitalSignature, .keyEncipherment, .keyAgreement])
        {
            out.append(
                input.finding(.keyUsage, .error, certificate, Self.usage(certificate, needed: ["digitalSignature", "keyEncipherment"])))
            if allowsServerAuth { return out }
        }
        out.append(input.finding(.eku, .error, certificate, Self.usage(certificate, needed: ["serverAuth"])))
        return out
    }

    static func usage(_ certificate: Certificate?, needed: [String]) -> FindingDetail {
        .usage(
            keyUsage: certificate?.keyUsage?.names, extendedKeyUsage: certificate?.extendedKeyUsage?.map(\.name), needed: needed)
    }
}

/// What Lync Phone Edition firmware can verify and use, from the device data: SHA-2, RSASSA-PSS, ECDSA, RSA sizes.
public struct FirmwarePolicy: VerifierPolicy {
    /// The phone whose device data decides what it can verify; `generic` gets no findings from this policy.
    public let profile: DeviceProfile

    /// The policy for `profile`.
    public init(profile: DeviceProfile) { self.profile = profile }

    public func findings(for input: PolicyInput) -> [Finding] {
        guard profile.firmware != nil else { return [] }
        let leaf = input.path.certificates[0]
        let signatures = input.verifiedSignatures.flatMap { certificate in
            CertificateRules.firmwareSignature(CertificateFacts(certificate), profile: profile).map { (certificate, $0) }
        }
        let keys = input.path.certificates.flatMap { certificate in
            CertificateRules.firmwareKey(CertificateFacts(certificate), profile: profile, isLeaf: certificate == leaf).map {
                (certificate, $0)
            }
        }
        return (signatures + keys).map { certificate, hit in input.finding(hit.code, hit.severity, certificate, hit.detail) }
    }
}

/// The CA/Browser Forum rules a current browser or rustls-webpki applies on top of RFC 5280.
public struct WebPKIPolicy: VerifierPolicy {
    /// The policy; it has no settings.
    public init() {}

    public func findings(for input: PolicyInput) -> [Finding] {
        let keys = input.path.certificates.flatMap { certificate in
            CertificateRules.webPKIKey(CertificateFacts(certificate)).map { (certificate, $0) }
        }
        let signed = input.verifiedSignatures.flatMap { certificate in
            CertificateRules.webPKISigned(CertificateFacts(certificate)).map { (certificate, $0) }
        }
        // RFC 5280, the Baseline Requirements and RFC 9525 where OpenSSL does not apply them (WebPKIRules.swift).
        let path = input.path
        let rules = WebPKIRules.violations(path: path.certificates, anchorIndex: path.anchor == nil ? nil : path.certificates.count - 1)
            .map { violation in
                input.finding(
                    violation.rule.code, violation.rule.severity, violation.certificate,
                    .rule(id: violation.rule.rawValue, reference: violation.rule.reference, detail: violation.detail))
            }
        return (keys + signed).map { certificate, hit in input.finding(hit.code, hit.severity, certificate, hit.detail) } + rules
    }
}

/// The names the client connects by: the request's hosts and the deployment plan's names for this client.
public struct NameCoveragePolicy: VerifierPolicy {
    /// The client whose name rules and plan names apply.
    public let profile: DeviceProfile

    /// The policy for `profile`.
    public init(profile: DeviceProfile) { self.profile = profile }

    /// How each name fares, with the plan entry that asks for it.
    func matches(for request: VerificationRequest) -> [(match: NameMatch, planned: PlannedName?)] {
        var out: [(NameMatch, PlannedName?)] = []
        for host in request.hosts {
            out.append((HostnameMatcher.match(host, certificate: request.leaf, rules: profile.nameRules), nil))
        }
        for planned in request.plan?.names(for: profile) ?? []
        where !out.contains(where: { HostnameMatcher.normalize($0.0.host) == planned.name }) {
            out.append((HostnameMatcher.match(planned.name, certificate: request.leaf, rules: profile.nameRules), planned))
        }
        return out
    }

    public func findings(for input: PolicyInput) -> [Finding] {
        let leaf = input.request.leaf
        let ips = leaf.subjectAlternativeNames.compactMap { if case .ip(let value) = $0 { value } else { nil } }
        var seen = Set<String>()
        return matches(for: input.request).compactMap { match, planned in
            let shortfall: FindingDetail.NameShortfall
            switch match.outcome {
            case .covered: return nil
            case .onlyWildcard(let entry): shortfall = .onlyWildcard(entry: entry)
            case .onlyCommonName: shortfall = .onlyCommonName
            case .notCovered: shortfall = .notCovered
            }
            guard seen.insert(match.host.lowercased()).inserted else { return nil }
            let code: FindingCode = if case .onlyWildcard = shortfall { .wildcardNotSupported } else { .nameNotCovered }
            return input.finding(
                code, planned?.necessity == .recommended ? .warning : .error, leaf,
                .name(host: match.host, match: shortfall, dnsNames: leaf.dnsNames, ipAddresses: ips, planned: planned))
        }
    }
}

extension DeviceProfile {
    /// The name-matching rules this client applies.
    public var nameRules: NameRules { isGeneric ? .rfc6125 : .phone(matchesSubjectCN: matchesSubjectCN) }

    /// The policies this client applies to every candidate path, in order.
    public func policies(maxIntermediates: Int = 16) -> [any VerifierPolicy] {
        isGeneric
            ? [RFC5280Policy(strict: true, maxIntermediates: maxIntermediates), WebPKIPolicy(), NameCoveragePolicy(profile: self)]
            : [
                RFC5280Policy(strict: false, maxIntermediates: maxIntermediates), FirmwarePolicy(profile: self),
                NameCoveragePolicy(profile: self),
            ]
    }
}
