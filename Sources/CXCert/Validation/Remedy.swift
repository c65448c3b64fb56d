/// Which command prints a verdict: each has its own way to add a root or an intermediate.
public enum RemedyContext: Sendable, Hashable {
    case verify, probe, audit, boot, trace

    /// How to add a root to what this command trusts.
    var trustOption: String {
        switch self {
        case .verify, .probe, .boot, .trace: "--trust FILE"
        case .audit: "a trust.roots entry in the deployment file"
        }
    }

    /// Where this command's own roots come from, for messages.
    var trustPlace: String { self == .audit ? "trust.roots" : "--trust" }

    /// How to add an intermediate here, when the command can.
    var chainOption: String? {
        switch self {
        case .verify: "pass it here with --chain FILE"
        case .audit: "list it in the server's certificate: file"
        case .probe, .boot, .trace: nil
        }
    }
}

/// The fix for each finding, specific enough to act on: the command to run or what to reissue.
/// File names are placeholders the admin fills in (`ROOT.cer`), never a name that looks like an existing file.
enum Remedy {
    static func text(
        for code: FindingCode, certificate: Certificate?, profile: DeviceProfile, chain: [ChainLink], host: String? = nil,
        command: RemedyContext = .verify
    ) -> String {
        let name = certificate?.subject.displayName ?? "the certificate"
        switch code {
        case .untrustedRoot:
            let sent = chain.contains { $0.role == .untrustedRoot && $0.certificate == certificate }
            let save =
                sent
                ? "Save \(name) (SHA-256 \(certificate?.sha256Fingerprint.prefix(16) ?? "")..., in the chain the server sends) as ROOT.cer, then "
                : "With \(name) saved as ROOT.cer, "
            return profile.isGeneric
                ? "\(save)trust it explicitly (\(command.trustOption)), or have the server use a certificate from a CA the clients trust."
                : "\(save)publish it where the phone looks: cxcert ds publish ROOT.cer (same as certutil -f -dspublish ROOT.cer RootCA); phones download it at their next sign-in."
        case .missingIntermediate:
            let issuer = certificate?.issuer.displayName ?? "the issuer"
            let here = command.chainOption.map { " (and \($0))" } ?? ""
            return
                "If \(issuer) is an intermediate CA, have the server send it with its certificate\(here); "
                + (profile.isGeneric
                    ? "if it is a root, add it with \(command.trustOption)."
                    : "if it is your root CA, save it as ROOT.cer and publish it: cxcert ds publish ROOT.cer (certutil -f -dspublish ROOT.cer RootCA).")
        case .expired:
            return "Renew \(name) and install the new certificate on the server."
        case .notYetValid:
            return
                "Check the server's and the CA's clocks; install \(name) only once it is valid, or reissue it with a notBefore in the past."
        case .rootExpired:
            return
                "Renew the root CA \(name) (same key or new), publish the new root (cxcert ds publish), and reissue the certificates below it."
        case .badSignature:
            return
                "Reissue \(name) from its CA, or supply the right issuer certificate: the one given does not hold the key that signed it."
        case .notACA:
            return "Reissue \(name) from a CA template with basicConstraints CA:TRUE (a Subordinate CA certificate)."
        case .pathLength:
            return "Shorten the chain or reissue the constraining CA with a larger pathLenConstraint."
        case .keyUsage:
            return
                "Reissue \(name) with the keyUsage it needs (keyCertSign for CAs; digitalSignature and keyEncipherment for a TLS server)."
        case .eku:
            return "Reissue \(name) with extendedKeyUsage serverAuth (1.3.6.1.5.5.7.3.1), e.g. from the Web Server template."
        case .nameConstraints:
            return "Issue the certificate from a CA whose name constraints permit its names, or remove the constraint."
        case .criticalExtension:
            return "Reissue \(name) without the unknown critical extension (or mark it non-critical)."
        case .chainTooLong:
            return "Remove loops or extra cross-certificates from what the server sends."
        case .malformed:
            return "Reissue \(name) from a CA that produces RFC 5280-conformant certificates."
        case .sha2Unsupported:
            // Never recommend a build older than the one judged (a --capability override can make a new build fail).
            let first = FirmwareVersion("4.0.7577.4463")!
            let update =
                profile.firmware.map { $0 < first } ?? true
                ? ", or update them to Lync Phone Edition \(first) or later, which validates SHA-256" : ""
            return "Reissue \(name) with a SHA-1 signature (sha1WithRSAEncryption) for these phones\(update)."
        case .weakSignature:
            return "Reissue \(name) with a SHA-256 (or stronger) signature."
        case .unsupportedAlgorithm:
            return
                "Reissue \(name) with an RSA key (2048 bits) and a PKCS#1 v1.5 signature (sha1WithRSAEncryption for phones that cannot validate SHA-2)."
        case .weakKey:
            return "Reissue \(name) with an RSA key of 2048 bits."
        case .nameNotCovered where host.flatMap(HostnameMatcher.ipAddress) != nil:
            let address = host ?? ""
            return
                "Connect by the DNS name the phones use (they look servers up by name), or reissue the certificate with IP:\(address) in the subjectAltName."
        case .nameNotCovered, .wildcardNotSupported:
            let missing = host ?? "the host name"
            return
                "Reissue the server certificate with \(missing) as a DNS name in the subjectAltName (an internal enterprise CA is needed for short names and internal domains); cxcert names prints a request config with every name."
        default:
            return "See the message; reissue \(name) if it is malformed."
        }
    }

    /// A file name for a certificate, as an admin would have saved it: `ContosoCA.cer`.
    static func fileName(for certificate: Certificate?) -> String {
        fileName(named: certificate?.subject.displayName ?? "root")
    }

    static func fileName(named name: String) -> String {
        let kept = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return (kept.isEmpty ? "root" : kept) + ".cer"
    }
}
