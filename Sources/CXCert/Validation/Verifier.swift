import Foundation

/// What to validate: a server certificate, what came with it, the trust sources, names and a time.
public struct VerificationRequest: Sendable {
    public var leaf: Certificate
    /// Intermediates in any order: the input bundle, `--chain` files, AD-published CA certificates.
    public var intermediates: [Certificate]
    /// Roots the client has besides its built-in cache: `--trust` files and AD-published roots.
    public var anchors: [TrustAnchor]
    /// Host names the certificate must cover.
    public var hosts: [String]
    /// A deployment's name plan: every name it gives for the client is checked too.
    public var plan: NamePlan?
    public var time: Date
    /// The command the verdict is printed by, so that every remedy names only options it has.
    public var command: RemedyContext = .verify
    /// The most intermediates a path may hold (`--max-chain-depth`); the leaf and the anchor do not count.
    public var maxChainDepth: Int = VerificationRequest.defaultMaxChainDepth
    /// The depth limit when none is given: the chain-length limit cxcert has always had.
    public static let defaultMaxChainDepth = 16

    public init(
        leaf: Certificate, intermediates: [Certificate] = [], anchors: [TrustAnchor] = [], hosts: [String] = [],
        plan: NamePlan? = nil, time: Date = Date(), command: RemedyContext = .verify
    ) {
        self.command = command
        self.leaf = leaf
        self.intermediates = intermediates
        self.anchors = anchors
        self.hosts = hosts
        self.plan = plan
        self.time = time
    }

    /// Splits a bundle into the server certificate and the rest, by structure rather than order:
    /// the leaf is the certificate that issued none of the others, preferring a non-CA.
    public static func split(bundle: [Certificate]) -> (leaf: Certificate, others: [Certificate])? {
        guard !bundle.isEmpty else { return nil }
        let issuers = Set(bundle.filter { !$0.isSelfIssued }.map(\.issuer))
        let candidates = bundle.filter { !issuers.contains($0.subject) }
        let leaf = candidates.first { !$0.isCA } ?? candidates.first ?? bundle[0]
        var others = bundle
        others.remove(at: others.firstIndex(of: leaf)!)
        return (leaf, others)
    }

    /// Which leaf ``split(bundle:)`` chose and why, when more than one certificate could be the leaf.
    public static func leafChoice(bundle: [Certificate]) -> String? {
        let issuers = Set(bundle.filter { !$0.isSelfIssued }.map(\.issuer))
        let candidates = bundle.filter { !issuers.contains($0.subject) }
        guard candidates.count > 1, let (leaf, _) = split(bundle: bundle) else { return nil }
        let names = candidates.map { "\($0.subject.displayName) (SHA-256 \($0.sha256Fingerprint.prefix(16))...)" }
        let why = leaf.isCA ? "none is a non-CA, so the first in the file" : "the first that is not a CA"
        return
            "\(candidates.count) certificates issued none of the others: \(names.joined(separator: ", ")); judging \(leaf.subject.displayName), \(why). Give one server certificate per file to choose."
    }
}

/// One certificate of the built chain and its role.
public struct ChainLink: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case leaf
        case intermediate
        /// A self-signed certificate at the top of the chain that the client does not trust.
        case untrustedRoot
        case anchor(TrustSource)
    }
    public let certificate: Certificate
    public let role: Role
}

/// The answer for one client: trusted or not, the chain that was built, and every finding.
public struct Verdict: Sendable {
    public let profile: DeviceProfile
    public let time: Date
    public let chain: [ChainLink]
    public let findings: [Finding]
    /// How each requested host name fared.
    public let names: [NameMatch]
    /// How the verdict was reached that the reader must know: an inherited build, names not checked.
    public let notes: [String]

    /// True when no finding is an error: the client would connect.
    public var trusted: Bool { !findings.contains { $0.severity == .error } }
}

/// Validates server chains the way a given client would: RFC 5280 through OpenSSL, then the device's
/// own limits (SHA-2, algorithms, key sizes, name matching) on every signature it must verify.
public enum Verifier {
    public static func verify(_ request: VerificationRequest, profile: DeviceProfile) -> Verdict {
        var anchors = request.anchors
        if profile.usesBuiltInCache { anchors = TrustAnchor.builtInCache + anchors }
        let outcome = PathValidation.validate(
            leaf: request.leaf, intermediates: request.intermediates, anchors: anchors.map(\.certificate),
            options: .init(
                time: request.time, strict: profile.isGeneric, maxDepth: request.maxChainDepth, acceptsCAInLeafPosition: profile.isGeneric))
        let anchorSources = Dictionary(anchors.map { ($0.certificate, $0.source) }, uniquingKeysWith: { first, _ in first })

        let chain = outcome.chain.enumerated().map { index, certificate in
            let isTop = index == outcome.chain.count - 1
            if isTop, let source = anchorSources[certificate] { return ChainLink(certificate: certificate, role: .anchor(source)) }
            if isTop, index > 0, certificate.isSelfIssued { return ChainLink(certificate: certificate, role: .untrustedRoot) }
            return ChainLink(certificate: certificate, role: index == 0 ? .leaf : .intermediate)
        }
        var context = Context(profile: profile, chain: chain, request: request)
        for problem in outcome.problems { context.add(problem) }
        context.applyDevicePolicy()
        var names: [NameMatch] = []
        for host in request.hosts {
            let match = HostnameMatcher.match(host, certificate: request.leaf, rules: profile.nameRules)
            names.append(match)
            context.add(match, planned: nil)
        }
        for planned in request.plan?.names(for: profile) ?? []
        where !names.contains(where: { HostnameMatcher.normalize($0.host) == planned.name }) {
            let match = HostnameMatcher.match(planned.name, certificate: request.leaf, rules: profile.nameRules)
            names.append(match)
            context.add(match, planned: planned)
        }
        return Verdict(
            profile: profile, time: request.time, chain: chain, findings: context.findings, names: names,
            notes: profile.notes + (request.plan?.unchecked ?? []))
    }

    /// Accumulates findings for one verdict, dropping repeats of the same code on the same certificate.
    private struct Context {
        let profile: DeviceProfile
        let chain: [ChainLink]
        let request: VerificationRequest
        var findings: [Finding] = []
        private var seen: Set<String> = []

        init(profile: DeviceProfile, chain: [ChainLink], request: VerificationRequest) {
            self.profile = profile
            self.chain = chain
            self.request = request
        }

        var anchor: ChainLink? { chain.last.flatMap { if case .anchor = $0.role { $0 } else { nil } } }

        /// The certificates whose signatures the client verifies: all but the anchor's own.
        var verifiedSignatures: [Certificate] {
            (anchor == nil ? chain : Array(chain.dropLast())).map(\.certificate)
        }

        mutating func add(_ code: FindingCode, _ severity: Severity, _ certificate: Certificate?, _ message: String) {
            let key = "\(code.rawValue)|\(certificate?.sha256Fingerprint ?? "")"
            guard seen.insert(key).inserted else { return }
            findings.append(
                Finding(
                    code: code, severity: severity, certificate: certificate, message: message,
                    deviceSymptom: profile.isGeneric ? nil : Symptom.builtIn[code.rawValue]?.summary,
                    remedy: Remedy.text(for: code, certificate: certificate, profile: profile, chain: chain, command: request.command)))
        }

        mutating func add(_ problem: PathValidation.Problem) {
            let subject = problem.certificate.map { $0.subject.displayName } ?? "the certificate at depth \(problem.depth)"
            let isAnchor = problem.certificate != nil && problem.certificate == anchor?.certificate
            let at = iso8601(request.time)
            switch problem.kind {
            case .expired:
                let end = problem.certificate.map { " on \(iso8601($0.notAfter))" } ?? ""
                add(isAnchor ? .rootExpired : .expired, .error, problem.certificate, "\(subject) expired\(end); validation time is \(at).")
            case .notYetValid:
                let start = problem.certificate.map { " until \(iso8601($0.notBefore))" } ?? ""
                add(.notYetValid, .error, problem.certificate, "\(subject) is not valid\(start); validation time is \(at).")
            case .badSignature:
                if problem.certificate?.signatureAlgorithm.hash == .md2 {
                    add(
                        .badSignature, .error, problem.certificate,
                        "\(subject) is signed with MD2, which cannot be verified (OpenSSL 3 has no MD2).")
                } else {
                    add(
                        .badSignature, .error, problem.certificate,
                        "The signature on \(subject) does not verify with its issuer's key (\(problem.reason)).")
                }
            case .issuerNotFound:
                let issuer = problem.certificate?.issuer.rfc4514 ?? "its issuer"
                add(
                    .missingIntermediate, .error, problem.certificate,
                    "The chain stops at \(subject): its issuer \(issuer) is neither a supplied certificate nor a trusted root\(profile.isGeneric ? "" : " of this phone")."
                )
            case .untrustedSelfSigned:
                add(
                    .untrustedRoot, .error, problem.certificate,
                    "The chain ends at \(subject), a root this \(profile.isGeneric ? "client" : "phone") does not trust\(profile.isGeneric ? " (not among \(request.command.trustPlace))" : " (not in its built-in cache, \(request.command.trustPlace) or Active Directory)")."
                )
            case .notACA:
                // OpenSSL also calls a CA:TRUE certificate without keyCertSign an invalid CA; that is a key-usage problem.
                if let certificate = problem.certificate, certificate.isCA, let usage = certificate.keyUsage, !usage.contains(.keyCertSign)
                {
                    add(.keyUsage, .error, certificate, "\(subject) is a CA but its keyUsage lacks keyCertSign.")
                } else {
                    add(
                        .notACA, .error, problem.certificate,
                        "\(subject) issues certificates but its basicConstraints do not mark it as a CA.")
                }
            case .pathLength:
                add(.pathLength, .error, problem.certificate, "The chain is longer than a pathLenConstraint above \(subject) allows.")
            case .keyUsage:
                let message =
                    problem.depth > 0
                    ? "\(subject) is a CA but its keyUsage lacks keyCertSign."
                    : "\(subject)'s keyUsage does not allow this use (\(problem.reason))."
                add(.keyUsage, .error, problem.certificate, message)
            case .purpose:
                // On a CA the purpose check fails as a consequence of not being a CA, unless its own EKU excludes serverAuth.
                if problem.depth > 0, let certificate = problem.certificate,
                    certificate.extendedKeyUsage.map({
                        $0.contains { [ExtendedKeyUsage.serverAuthOID, ExtendedKeyUsage.anyOID].contains($0.oid) }
                    }) ?? true
                {
                    return
                }
                // OpenSSL's TLS-server purpose covers keyUsage as well as the EKU: name what actually fails.
                var blamed = false
                if problem.depth == 0, let certificate = problem.certificate, let usage = certificate.keyUsage,
                    usage.isDisjoint(with: [.digitalSignature, .keyEncipherment, .keyAgreement])
                {
                    let has = usage.names.joined(separator: ", ")
                    add(
                        .keyUsage, .error, certificate,
                        "\(subject)'s keyUsage (\(has.isEmpty ? "empty" : has)) allows neither digitalSignature nor keyEncipherment, which a TLS server key needs."
                    )
                    blamed = true
                }
                let ekuAllows =
                    problem.certificate?.extendedKeyUsage.map {
                        $0.contains { [ExtendedKeyUsage.serverAuthOID, ExtendedKeyUsage.anyOID].contains($0.oid) }
                    } ?? true
                if blamed && ekuAllows { return }
                let usages = problem.certificate?.extendedKeyUsage?.map(\.name).joined(separator: ", ") ?? "none"
                add(
                    .eku, .error, problem.certificate,
                    "\(subject) is not valid for TLS server authentication (extendedKeyUsage: \(usages)).")
            case .nameConstraints:
                add(
                    .nameConstraints, .error, problem.certificate,
                    "\(subject) violates a name constraint of a CA above it (\(problem.reason)).")
            case .criticalExtension:
                add(
                    .criticalExtension, .error, problem.certificate,
                    "\(subject) has a critical extension the validator does not understand.")
            case .chainTooLong:
                add(.chainTooLong, .error, problem.certificate, "The chain is too long or loops (\(problem.reason)).")
            case .strictRFC5280:
                add(
                    .malformed, .error, problem.certificate, "\(subject) breaks an RFC 5280 rule modern clients enforce: \(problem.reason)."
                )
            case .weakForSecurityLevel:
                add(.weakKey, .error, problem.certificate, "\(subject): \(problem.reason).")
            case .internalError, .other:
                add(.pathValidation, .error, problem.certificate, "\(subject): \(problem.reason).")
            }
        }

        mutating func applyDevicePolicy() {
            if profile.isGeneric { applyWebPKI() } else { applyPhone() }
        }

        /// What the firmware can verify: SHA-2, RSASSA-PSS, ECDSA, RSA sizes.
        private mutating func applyPhone() {
            guard let firmware = profile.firmware else { return }
            for certificate in verifiedSignatures {
                let algorithm = certificate.signatureAlgorithm
                if algorithm.hash.isSHA2 && !profile.validatesSHA2 {
                    add(
                        .sha2Unsupported, .error, certificate,
                        "\(certificate.subject.displayName) is signed with \(algorithm.name); firmware \(firmware) cannot validate SHA-2 signatures\(Self.basis(profile.facts["sha2Signatures"]))."
                    )
                }
                if algorithm.scheme == .rsaPSS && !profile.acceptsRSASSAPSS {
                    add(
                        .unsupportedAlgorithm, .error, certificate,
                        "\(certificate.subject.displayName) is signed with RSASSA-PSS, which Lync Phone Edition does not support\(Self.basis(profile.facts["rsassaPss"]))."
                    )
                }
                if algorithm.scheme == .ecdsa && !profile.acceptsECDSA {
                    add(
                        .unsupportedAlgorithm, .error, certificate,
                        "\(certificate.subject.displayName) is signed with ECDSA, which this firmware is not known to verify\(Self.basis(profile.facts["ecdsa"]))."
                    )
                }
                // Lync Phone Edition's CryptoAPI verifies RSA signatures; no source claims any other scheme.
                if [.dsa, .ed25519, .ed448, .unknown].contains(algorithm.scheme) {
                    add(
                        .unsupportedAlgorithm, .error, certificate,
                        "\(certificate.subject.displayName) is signed with \(algorithm.name) (\(algorithm.scheme.rawValue)); Lync Phone Edition verifies only RSA signatures (PKCS#1 v1.5, and RSASSA-PSS or ECDSA where the device data says so)."
                    )
                }
            }
            for link in chain {
                let key = link.certificate.publicKey
                let name = link.certificate.subject.displayName
                switch key.algorithm {
                case .ec where !profile.acceptsECDSA:
                    add(
                        .unsupportedAlgorithm, .error, link.certificate,
                        "\(name) has an EC key; this firmware is not known to use ECC\(Self.basis(profile.facts["ecdsa"])).")
                case .rsaPSS where !profile.acceptsRSASSAPSS:
                    add(
                        .unsupportedAlgorithm, .error, link.certificate,
                        "\(name) has an RSASSA-PSS key, which Lync Phone Edition does not support\(Self.basis(profile.facts["rsassaPss"]))."
                    )
                case .dsa, .ed25519, .ed448, .unknown:
                    add(
                        .unsupportedAlgorithm, .error, link.certificate,
                        "\(name) has a\(key.algorithm == .unknown ? "n unknown" : " \(key.algorithm.rawValue)") key; Lync Phone Edition uses only RSA keys (and EC keys where the device data says so)."
                    )
                default: break
                }
                if let limit = profile.maxRSAKeyBits, key.algorithm == .rsa || key.algorithm == .rsaPSS, key.bits > limit {
                    add(
                        .unsupportedAlgorithm, .error, link.certificate,
                        "\(name) has a \(key.bits)-bit RSA key; this firmware handles at most \(limit) bits\(Self.basis(profile.facts["maxRSAKeyBits"]))."
                    )
                }
                if key.algorithm == .rsa, key.bits < 1024, case .leaf = link.role {
                    add(.weakKey, .warning, link.certificate, "\(name) has a \(key.bits)-bit RSA key.")
                }
            }
        }

        /// The CA/Browser Forum rules a current browser or rustls applies on top of RFC 5280.
        private mutating func applyWebPKI() {
            for link in chain {
                let certificate = link.certificate
                let key = certificate.publicKey
                let name = certificate.subject.displayName
                switch key.algorithm {
                case .rsa where key.bits < 2048 || key.bits % 8 != 0:
                    add(
                        .weakKey, .error, certificate,
                        "\(name) has a \(key.bits)-bit RSA key; the web PKI requires at least 2048 bits, a multiple of 8.")
                case .dsa:
                    add(.unsupportedAlgorithm, .error, certificate, "\(name) has a DSA key, which the web PKI no longer allows.")
                case .ec where !["prime256v1", "secp384r1", "secp521r1"].contains(key.curve ?? ""):
                    add(
                        .unsupportedAlgorithm, .error, certificate,
                        "\(name) uses the curve \(key.curve ?? "unknown"); the web PKI allows P-256, P-384 and P-521.")
                default: break
                }
            }
            for certificate in verifiedSignatures {
                let algorithm = certificate.signatureAlgorithm
                if algorithm.hash.isBroken {
                    add(
                        .weakSignature, .error, certificate,
                        "\(certificate.subject.displayName) is signed with \(algorithm.name); \(algorithm.hash.rawValue.uppercased()) signatures are not accepted below a trust anchor."
                    )
                }
                if algorithm.scheme == .dsa {
                    add(.unsupportedAlgorithm, .error, certificate, "\(certificate.subject.displayName) is signed with DSA.")
                }
                let serial = certificate.serialNumber
                if serial.hasPrefix("-") || serial.allSatisfy({ $0 == "0" }) || serial.count > 40 {
                    add(
                        .malformed, .error, certificate,
                        "\(certificate.subject.displayName) has serial number \(serial); it must be positive, non-zero and at most 20 octets."
                    )
                }
            }
            // RFC 5280, the Baseline Requirements and RFC 9525 where OpenSSL does not apply them (WebPKIRules.swift).
            for violation in WebPKIRules.violations(path: chain.map(\.certificate), anchorIndex: anchor == nil ? nil : chain.count - 1) {
                add(
                    violation.rule.code, .error, violation.certificate,
                    "\(violation.certificate.subject.displayName): \(violation.detail) (\(violation.rule.reference))")
            }
        }

        /// A name check; a planned name says which clients and which step break, and a recommended one is a warning.
        mutating func add(_ match: NameMatch, planned: PlannedName?) {
            let leaf = request.leaf
            let who = profile.isGeneric ? "a modern client" : "the phone (\(profile.name))"
            let why = planned.map { " \($0.reason)" } ?? ""
            let severity: Severity = planned?.necessity == .recommended ? .warning : .error
            switch match.outcome {
            case .covered: return
            case .onlyWildcard(let entry):
                guard seen.insert("name|\(match.host.lowercased())").inserted else { return }
                add(
                    .wildcardNotSupported, severity, leaf,
                    "\(match.host) is covered only by the wildcard \(entry); \(who) does not accept wildcard names and needs \(match.host) itself in the SAN.\(why)"
                )
            case .onlyCommonName:
                let rule =
                    profile.isGeneric
                    ? "modern clients match only the subjectAltName"
                    : "this firmware is not known to use the CN\(Self.basis(profile.facts["subjectCNMatching"]))"
                addName(match.host, severity, "\(match.host) appears only in the subject CN; \(rule).\(why)")
            case .notCovered:
                if HostnameMatcher.ipAddress(match.host) != nil {
                    let ips = leaf.subjectAlternativeNames.compactMap { if case .ip(let value) = $0 { value } else { nil } }
                    addName(
                        match.host, severity,
                        "The IP address \(match.host) is not among the certificate's IP SAN entries (\(ips.isEmpty ? "none" : ips.joined(separator: ", "))); an address is never matched against DNS names.\(why)"
                    )
                    return
                }
                addName(
                    match.host, severity,
                    "\(match.host) is not in the certificate's subjectAltName (\(leaf.dnsNames.joined(separator: ", "))).\(why)")
            }
        }

        /// name-not-covered is per host, so the dedupe key includes the host.
        private mutating func addName(_ host: String, _ severity: Severity, _ message: String) {
            guard seen.insert("name|\(host.lowercased())").inserted else { return }
            findings.append(
                Finding(
                    code: .nameNotCovered, severity: severity, certificate: request.leaf, message: message,
                    deviceSymptom: profile.isGeneric ? nil : Symptom.builtIn[FindingCode.nameNotCovered.rawValue]?.summary,
                    remedy: Remedy.text(
                        for: .nameNotCovered, certificate: request.leaf, profile: profile, chain: chain, host: host,
                        command: request.command)))
        }

        /// ` (source: ..., confidence ...)` so the user sees what the claim rests on.
        static func basis(_ rule: CapabilityRule?) -> String {
            guard let rule else { return "" }
            return " (device data, \(rule.confidence.rawValue) confidence; sources: cxcert devices --json)"
        }
    }
}

extension DeviceProfile {
    /// The name-matching rules this client applies.
    public var nameRules: NameRules { isGeneric ? .rfc6125 : .phone(matchesSubjectCN: matchesSubjectCN) }
}
