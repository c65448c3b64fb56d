#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Which command prints a verdict: each has its own way to add a root or an intermediate.
public enum RemedyContext: Sendable, Hashable {
    /// `cxcert verify`, `probe`, `audit`, `boot` or `trace`.
    case verify, probe, audit, boot, trace
}

extension Vocabulary {
    /// How to add a root to what the client trusts.
    var trustOption: String {
        switch self {
        case .plain: "add it to the verification's trust anchors"
        case .command(.audit): "a trust.roots entry in the deployment file"
        case .command: "--trust FILE"
        }
    }

    /// Where the caller's own roots come from, for messages.
    var trustPlace: String {
        switch self {
        case .plain: "the given anchors"
        case .command(.audit): "trust.roots"
        case .command: "--trust"
        }
    }

    /// How to add an intermediate here, when the interface can.
    var chainOption: String? {
        switch self {
        case .plain: "supply it among the intermediates"
        case .command(.verify): "pass it here with --chain FILE"
        case .command(.audit): "list it in the server's certificate: file"
        case .command: nil
        }
    }

    /// How to publish a root where phones download it.
    var publishRoot: String {
        switch self {
        case .plain: "publish it to Active Directory's Certification Authorities container (certutil -f -dspublish ROOT.cer RootCA)"
        case .command:
            "publish it where the phone looks: cxcert ds publish ROOT.cer (same as certutil -f -dspublish ROOT.cer RootCA)"
        }
    }

    /// Where the full list of names to request comes from.
    var namePlanHint: String {
        switch self {
        case .plain: "the deployment's NamePlan lists every name"
        case .command: "cxcert names prints a request config with every name"
        }
    }

    /// Where the device data's sources are listed.
    var deviceDataHint: String {
        switch self {
        case .plain: "sources: DeviceKnowledgeBase"
        case .command: "sources: cxcert devices --json"
        }
    }
}

/// Words every finding from its data: the message, and the remedy specific enough to act on (the command to run
/// or what to reissue). The place where certificate findings become sentences; the facts of other modules word
/// themselves (``FindingFacts``). File names are placeholders the admin fills in (`ROOT.cer`), never a name that
/// looks like an existing file.
public enum FindingWording {
    /// One sentence saying what is wrong.
    public static func message(for finding: Finding) -> String {
        let subject = finding.certificate?.subject.displayName ?? "the certificate"
        if case .facts(let facts) = finding.detail { return facts.base.message(for: finding) }
        let isPhone = finding.client.isPhone
        let words = finding.vocabulary
        switch (finding.code, finding.detail) {
        case (.notYetValid, .validity(let notBefore, _, let at)):
            return "\(subject) is not valid until \(iso8601(notBefore)); validation time is \(iso8601(at))."
        case (_, .validity(_, let notAfter, let at)):
            return "\(subject) expired on \(iso8601(notAfter)); validation time is \(iso8601(at))."
        case (_, .signature(let algorithm, let reason)):
            if finding.certificate?.signatureAlgorithm.hash == .md2 {
                return "\(subject) is signed with MD2, which cannot be verified (OpenSSL 3 has no MD2)."
            }
            return "The signature on \(subject) (\(algorithm)) does not verify with its issuer's key (\(reason))."
        case (_, .issuerMissing(let issuer)):
            return
                "The chain stops at \(subject): its issuer \(issuer) is neither a supplied certificate nor a trusted root\(isPhone ? " of this phone" : "")."
        case (_, .issuerKeyMismatch(let issuer, let candidates)):
            return
                "The chain stops at \(subject): \(candidates.count == 1 ? "a certificate" : "\(candidates.count) certificates") named \(issuer) \(candidates.count == 1 ? "was" : "were") supplied or trusted (SHA-1 \(candidates.joined(separator: ", "))), but none holds the key that signed it: the CA was renewed with a new key pair."
        case (_, .untrustedRoot):
            return isPhone
                ? "The chain ends at \(subject), a root this phone does not trust (not in its built-in cache, \(words.trustPlace) or Active Directory)."
                : "The chain ends at \(subject), a root this client does not trust (not among \(words.trustPlace))."
        case (.eku, .usage(_, let extendedKeyUsage, _)):
            guard let extendedKeyUsage else {
                return "\(subject) has no extendedKeyUsage; the web PKI requires serverAuth on a server certificate."
            }
            return
                "\(subject) is not valid for TLS server authentication (extendedKeyUsage: \(extendedKeyUsage.isEmpty ? "none" : extendedKeyUsage.joined(separator: ", ")))."
        case (_, .usage(let keyUsage, _, let needed)):
            if needed.contains("keyCertSign") { return "\(subject) is a CA but its keyUsage lacks keyCertSign." }
            let has = keyUsage?.joined(separator: ", ") ?? ""
            return
                "\(subject)'s keyUsage (\(has.isEmpty ? "empty" : has)) allows neither digitalSignature nor keyEncipherment, which a TLS server key needs."
        case (_, .openSSL(_, let reason, let depth)):
            let name = finding.certificate?.subject.displayName ?? "the certificate at depth \(depth)"
            switch finding.code {
            case .notACA: return "\(name) issues certificates but its basicConstraints do not mark it as a CA."
            case .pathLength: return "The chain is longer than a pathLenConstraint above \(name) allows."
            case .keyUsage: return "\(name)'s keyUsage does not allow this use (\(reason))."
            case .nameConstraints: return "\(name) violates a name constraint of a CA above it (\(reason))."
            case .criticalExtension: return "\(name) has a critical extension the validator does not understand."
            case .chainTooLong: return "The chain is too long or loops (\(reason))."
            case .malformed: return "\(name) breaks an RFC 5280 rule modern clients enforce: \(reason)."
            default: return "\(name): \(reason)."
            }
        case (_, .algorithm(let algorithm, let use, let rule)):
            return algorithmMessage(finding, subject: subject, algorithm: algorithm, use: use, basis: basis(rule, words))
        case (_, .keySize(_, let bits, let limit, let bound, let rule)):
            switch (bound, isPhone) {
            case (.maximum, _):
                return "\(subject) has a \(bits)-bit RSA key; this firmware handles at most \(limit) bits\(basis(rule, words))."
            case (.minimum, true): return "\(subject) has a \(bits)-bit RSA key."
            case (.handshake, _):
                return
                    "\(subject) has a \(bits)-bit RSA key; a TLS 1.0 handshake with the suites this firmware offers needs at least \(limit) bits (PKCS#1 v1.5 padding around the secret it carries), so the phone cannot connect."
            case (.minimum, false):
                return "\(subject) has a \(bits)-bit RSA key; the web PKI requires at least \(limit) bits, a multiple of 8."
            }
        case (_, .curve(let name, _)):
            return "\(subject) uses the curve \(name ?? "unknown"); the web PKI allows P-256, P-384 and P-521."
        case (_, .serialNumber(let serial)):
            return "\(subject) has serial number \(serial); it must be positive, non-zero and at most 20 octets."
        case (_, .name(let host, let match, let dnsNames, let ipAddresses, let planned)):
            let who = finding.client.phoneName.map { "the phone (\($0))" } ?? "a modern client"
            let why = planned.map { " \($0.reason)" } ?? ""
            switch match {
            case .onlyWildcard(let entry):
                return
                    "\(host) is covered only by the wildcard \(entry); \(who) does not accept wildcard names and needs \(host) itself in the SAN.\(why)"
            case .onlyCommonName:
                let rule = isPhone ? "this firmware is not known to use the CN" : "modern clients match only the subjectAltName"
                return "\(host) appears only in the subject CN; \(rule).\(why)"
            case .notCovered where HostnameMatcher.ipAddress(host) != nil:
                return
                    "The IP address \(host) is not among the certificate's IP SAN entries (\(ipAddresses.isEmpty ? "none" : ipAddresses.joined(separator: ", "))); an address is never matched against DNS names.\(why)"
            case .notCovered:
                return "\(host) is not in the certificate's subjectAltName (\(dnsNames.joined(separator: ", "))).\(why)"
            }
        case (_, .rule(_, let reference, let detail)):
            return "\(subject): \(detail) (\(reference))."
        case (_, .pathBudget(let candidates, let checks, _, _)):
            return
                "Path budget exhausted: \(candidates) candidate paths and \(checks) signature checks tried without finding one this client accepts; the certificates offered form a graph too large to search."
        case (_, .handshakeRefused(let endpoint, let reason, _)):
            return
                "\(endpoint) refuses the phone's handshake (TLS 1.0, no SNI, its cipher suites): \(reason). Phone Edition cannot use TLS 1.1 or 1.2."
        default:
            return "\(finding.code.rawValue)."
        }
    }

    private static func algorithmMessage(
        _ finding: Finding, subject: String, algorithm: String, use: FindingDetail.AlgorithmUse, basis: String
    ) -> String {
        guard let certificate = finding.certificate else { return "\(subject) uses \(algorithm)." }
        if case .generic = finding.client {
            switch (finding.code, use) {
            case (.weakSignature, _):
                return
                    "\(subject) is signed with \(algorithm); \(certificate.signatureAlgorithm.hash.rawValue.uppercased()) signatures are not accepted below a trust anchor."
            case (_, .signature): return "\(subject) is signed with \(algorithm)."
            case (_, .key): return "\(subject) has a \(algorithm) key, which the web PKI no longer allows."
            }
        }
        let firmware = finding.client.firmware.map { "firmware \($0)" } ?? "this firmware"
        switch use {
        case .signature where finding.code == .sha2Unsupported:
            return "\(subject) is signed with \(algorithm); \(firmware) cannot validate SHA-2 signatures\(basis)."
        case .signature:
            switch certificate.signatureAlgorithm.scheme {
            case .rsaPSS: return "\(subject) is signed with RSASSA-PSS, which Lync Phone Edition does not support\(basis)."
            case .ecdsa: return "\(subject) is signed with ECDSA, which this firmware is not known to verify\(basis)."
            default:
                return
                    "\(subject) is signed with \(algorithm) (\(certificate.signatureAlgorithm.scheme.rawValue)); Lync Phone Edition verifies only RSA signatures (PKCS#1 v1.5, and RSASSA-PSS or ECDSA where the device data says so)."
            }
        case .key:
            switch certificate.publicKey.algorithm {
            case .ec: return "\(subject) has an EC key; this firmware is not known to use ECC\(basis)."
            case .rsaPSS: return "\(subject) has an RSASSA-PSS key, which Lync Phone Edition does not support\(basis)."
            case .unknown:
                return "\(subject) has an unknown key; Lync Phone Edition uses only RSA keys (and EC keys where the device data says so)."
            default:
                return
                    "\(subject) has a \(algorithm) key; Lync Phone Edition uses only RSA keys (and EC keys where the device data says so)."
            }
        }
    }

    /// ` (device data, low confidence; sources: ...)` so the reader sees what a claim rests on.
    package static func basis(_ rule: CapabilityBasis?, _ words: Vocabulary) -> String {
        guard let rule else { return "" }
        return " (device data, \(rule.confidence.rawValue) confidence; \(words.deviceDataHint))"
    }

    /// The fix for a finding.
    public static func remedy(for finding: Finding) -> String {
        if case .facts(let facts) = finding.detail { return facts.base.remedy(for: finding) }
        let name = finding.certificate?.subject.displayName ?? "the certificate"
        let words = finding.vocabulary
        let isPhone = finding.client.isPhone
        switch (finding.code, finding.detail) {
        case (_, .handshakeRefused(let endpoint, _, let suites)):
            return
                "Allow TLS 1.0 and one of the phone's suites (\(suites.joined(separator: ", "))) on \(endpoint), e.g. a listener or load-balancer virtual server kept for the phones."
        case (.untrustedRoot, .untrustedRoot(let sent)):
            let save =
                sent
                ? "Save \(name) (SHA-256 \(finding.certificate?.sha256Fingerprint.prefix(16) ?? "")..., in the chain the server sends) as ROOT.cer, then "
                : "With \(name) saved as ROOT.cer, "
            return isPhone
                ? "\(save)\(words.publishRoot); phones download it at their next sign-in."
                : "\(save)trust it explicitly (\(words.trustOption)), or have the server use a certificate from a CA the clients trust."
        case (.missingIntermediate, .issuerKeyMismatch):
            let issuer = finding.certificate?.issuer.displayName ?? "the issuer"
            let here = words.chainOption.map { " (\($0))" } ?? ""
            return
                "Have the server send the certificate of \(issuer)'s new key, and the cross-certificate the CA issued between its old and new keys, with its certificate\(here); "
                + (isPhone
                    ? "a phone that holds only the old root reaches it through that cross-certificate, or publish the renewed root too (\(words.publishRoot))."
                    : "or trust the renewed root (\(words.trustOption)).")
        case (.missingIntermediate, _):
            let issuer = finding.certificate?.issuer.displayName ?? "the issuer"
            let here = words.chainOption.map { " (and \($0))" } ?? ""
            return
                "If \(issuer) is an intermediate CA, have the server send it with its certificate\(here); "
                + (isPhone
                    ? "if it is your root CA, save it as ROOT.cer and \(words.publishRoot)."
                    : "if it is a root, add it (\(words.trustOption)).")
        case (.expired, _):
            return "Renew \(name) and install the new certificate on the server."
        case (.notYetValid, _):
            return
                "Check the server's and the CA's clocks; install \(name) only once it is valid, or reissue it with a notBefore in the past."
        case (.rootExpired, _):
            let publish = if case .command = words { "publish the new root (cxcert ds publish)" } else { "publish the new root" }
            return "Renew the root CA \(name) (same key or new), \(publish), and reissue the certificates below it."
        case (.badSignature, _):
            return
                "Reissue \(name) from its CA, or supply the right issuer certificate: the one given does not hold the key that signed it."
        case (.notACA, _):
            return "Reissue \(name) from a CA template with basicConstraints CA:TRUE (a Subordinate CA certificate)."
        case (.pathLength, _):
            return "Shorten the chain or reissue the constraining CA with a larger pathLenConstraint."
        case (.keyUsage, _):
            return
                "Reissue \(name) with the keyUsage it needs (keyCertSign for CAs; digitalSignature and keyEncipherment for a TLS server)."
        case (.eku, _):
            return "Reissue \(name) with extendedKeyUsage serverAuth (1.3.6.1.5.5.7.3.1), e.g. from the Web Server template."
        case (.nameConstraints, _):
            return "Issue the certificate from a CA whose name constraints permit its names, or remove the constraint."
        case (.criticalExtension, _):
            return "Reissue \(name) without the unknown critical extension (or mark it non-critical)."
        case (.chainTooLong, _):
            return "Remove loops or extra cross-certificates from what the server sends."
        case (.pathBudgetExhausted, _):
            return
                "Send only the chain the clients need (the leaf and its intermediates, no cross-certificates), or supply fewer candidate intermediates."
        case (.malformed, _):
            return "Reissue \(name) from a CA that produces RFC 5280 and CA/Browser Forum-conformant certificates."
        case (.sha2Unsupported, .algorithm(_, _, let rule)):
            // The build to recommend comes from the device data that judged this one: a later build that has the
            // capability, never one at or below the judged build (an override can make a new build fail).
            let update = rule?.firstBuildWith.map { ", or update them to Lync Phone Edition \($0) or later, which validates SHA-256" } ?? ""
            return "Reissue \(name) with a SHA-1 signature (sha1WithRSAEncryption) for these phones\(update)."
        case (.weakSignature, _):
            return "Reissue \(name) with a SHA-256 (or stronger) signature."
        case (.unsupportedAlgorithm, _):
            return
                "Reissue \(name) with an RSA key (2048 bits) and a PKCS#1 v1.5 signature (sha1WithRSAEncryption for phones that cannot validate SHA-2)."
        case (.weakKey, _):
            return "Reissue \(name) with an RSA key of 2048 bits."
        case (.nameNotCovered, .name(let host, _, _, _, _)) where HostnameMatcher.ipAddress(host) != nil:
            return
                "Connect by the DNS name the phones use (they look servers up by name), or reissue the certificate with IP:\(host) in the subjectAltName."
        case (.nameNotCovered, .name(let host, _, _, _, _)), (.wildcardNotSupported, .name(let host, _, _, _, _)):
            return
                "Reissue the server certificate with \(host) as a DNS name in the subjectAltName (an internal enterprise CA is needed for short names and internal domains); \(words.namePlanHint)."
        default:
            return "Reissue \(name) so that it meets the rule named in the message."
        }
    }

    /// A file name for a certificate, as an admin would have saved it: `ContosoCA.cer`.
    static func fileName(named name: String) -> String {
        let kept = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return (kept.isEmpty ? "root" : kept) + ".cer"
    }
}

extension FindingClient {
    var phoneName: String? { if case .phone(let name, _) = self { name } else { nil } }
    var firmware: FirmwareVersion? { if case .phone(_, let firmware) = self { firmware } else { nil } }
}
