#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts the per-certificate rules read. Both the OpenSSL-backed ``Certificate`` and the batch path's lean
/// DER reader provide them, so the full path and the fast path run the same rules, and the differential tests
/// only have to hold the two readers to the same facts.
struct CertificateFacts: Sendable {
    let signature: SignatureAlgorithm
    let key: PublicKeyInfo
    /// Seconds since 1970.
    let notBefore: Int64
    let notAfter: Int64
    /// The serial as printed, when it is not positive, non-zero and at most 20 octets (nil when it is).
    let malformedSerial: String?

    /// Facts given directly, for the rules' own tests.
    init(signature: SignatureAlgorithm, key: PublicKeyInfo, notBefore: Int64, notAfter: Int64, malformedSerial: String?) {
        self.signature = signature
        self.key = key
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.malformedSerial = malformedSerial
    }

    init(_ certificate: Certificate) {
        signature = certificate.signatureAlgorithm
        key = certificate.publicKey
        notBefore = Int64(certificate.notBefore.timeIntervalSince1970.rounded())
        notAfter = Int64(certificate.notAfter.timeIntervalSince1970.rounded())
        malformedSerial = certificate.serial.isWellFormed ? nil : certificate.serial.hex
    }

    /// The facts of a lean certificate the fast path accepted: an RSA key and an RSA PKCS#1 v1.5 signature.
    init?(_ lean: LeanCertificate, der: [UInt8]) {
        guard let signature = OID.rsaSignatures.first(where: { $0.oid == lean.signatureAlgorithmOID }) else { return nil }
        self.signature = signature
        key = PublicKeyInfo(algorithm: .rsa, bits: lean.rsaBits, curve: nil)
        notBefore = lean.notBefore
        notAfter = lean.notAfter
        let serial = der[lean.serial]
        let wellFormed = serial.first.map { $0 & 0x80 == 0 } ?? false && serial.count <= 21 && serial.contains { $0 != 0 }
        malformedSerial = wellFormed ? nil : hexString(serial)
    }
}

/// Every rule that judges one certificate on its own, in one place: the full path's policies and the batch fast
/// path call these same functions.
enum CertificateRules {
    /// One rule that fired: what the policy turns into a finding about the certificate.
    struct Hit: Sendable, Hashable {
        let code: FindingCode
        let severity: Severity
        let detail: FindingDetail
    }

    /// RFC 5280 4.1.2.5: the validity period includes both `notBefore` and `notAfter`, so a certificate is still
    /// valid at its `notAfter` second (OpenSSL counts that second as expired, so cxcert checks times itself).
    static func validity(_ facts: CertificateFacts, at time: Int64, isAnchor: Bool) -> Hit? {
        guard time < facts.notBefore || time > facts.notAfter else { return nil }
        let detail = FindingDetail.validity(
            notBefore: Date(timeIntervalSince1970: TimeInterval(facts.notBefore)),
            notAfter: Date(timeIntervalSince1970: TimeInterval(facts.notAfter)), at: Date(timeIntervalSince1970: TimeInterval(time)))
        if time < facts.notBefore { return Hit(code: .notYetValid, severity: .error, detail: detail) }
        return Hit(code: isAnchor ? .rootExpired : .expired, severity: .error, detail: detail)
    }

    /// What a phone's firmware can verify in a signature it must check: SHA-2, RSASSA-PSS, ECDSA, RSA only.
    static func firmwareSignature(_ facts: CertificateFacts, profile: DeviceProfile) -> [Hit] {
        let algorithm = facts.signature
        func hit(_ code: FindingCode, _ capability: Capability?) -> Hit {
            Hit(
                code: code, severity: .error,
                detail: .algorithm(name: algorithm.name, use: .signature, rule: capability.flatMap { CapabilityBasis(profile, $0) }))
        }
        var out: [Hit] = []
        if algorithm.hash.isSHA2 && !profile.validatesSHA2 { out.append(hit(.sha2Unsupported, .sha2Signatures)) }
        if algorithm.scheme == .rsaPSS && !profile.acceptsRSASSAPSS { out.append(hit(.unsupportedAlgorithm, .rsassaPss)) }
        if algorithm.scheme == .ecdsa && !profile.acceptsECDSA { out.append(hit(.unsupportedAlgorithm, .ecdsa)) }
        // Lync Phone Edition's CryptoAPI verifies RSA signatures; no source claims any other scheme.
        switch algorithm.scheme {
        case .dsa, .ed25519, .ed448, .unknown: out.append(hit(.unsupportedAlgorithm, nil))
        default: break
        }
        return out
    }

    /// What keys a phone's firmware can use, and its RSA size limits.
    static func firmwareKey(_ facts: CertificateFacts, profile: DeviceProfile, isLeaf: Bool) -> [Hit] {
        let key = facts.key
        func basis(_ capability: Capability) -> CapabilityBasis? { CapabilityBasis(profile, capability) }
        func unsupported(_ capability: Capability?) -> Hit {
            Hit(
                code: .unsupportedAlgorithm, severity: .error,
                detail: .algorithm(name: key.algorithm.rawValue, use: .key, rule: capability.flatMap(basis)))
        }
        var out: [Hit] = []
        switch key.algorithm {
        case .ec where !profile.acceptsECDSA: out.append(unsupported(.ecdsa))
        case .rsaPSS where !profile.acceptsRSASSAPSS: out.append(unsupported(.rsassaPss))
        case .dsa, .ed25519, .ed448, .unknown: out.append(unsupported(nil))
        default: break
        }
        if let limit = profile.maxRSAKeyBits, key.algorithm == .rsa || key.algorithm == .rsaPSS, key.bits > limit {
            out.append(
                Hit(
                    code: .unsupportedAlgorithm, severity: .error,
                    detail: .keySize(
                        algorithm: key.algorithm.rawValue, bits: key.bits, limit: limit, bound: .maximum, rule: basis(.maxRSAKeyBits))))
        }
        // The suites are searched only for a key below the larger minimum: this runs for every leaf of a batch.
        if key.algorithm == .rsa, isLeaf, key.bits < handshakeMinimumRSABits(dhe: false),
            case let handshakeMinimum = handshakeMinimumRSABits(suites: profile.tlsCipherSuites), key.bits < handshakeMinimum
        {
            // Not a policy: no TLS 1.0 handshake can be made with this key, whatever the phone's CryptoAPI accepts.
            out.append(
                Hit(
                    code: .weakKey, severity: .error,
                    detail: .keySize(algorithm: "RSA", bits: key.bits, limit: handshakeMinimum, bound: .handshake, rule: nil)))
        } else if key.algorithm == .rsa, key.bits < 1024, isLeaf {
            out.append(
                Hit(
                    code: .weakKey, severity: .warning,
                    detail: .keySize(algorithm: "RSA", bits: key.bits, limit: 1024, bound: .minimum, rule: nil)))
        }
        return out
    }

    /// The smallest RSA modulus, in bits, with which a server can complete a TLS 1.0 handshake offering only these
    /// suites (OpenSSL names). RSA key exchange (every suite without DHE/ECDHE) encrypts the 48-byte pre-master
    /// secret with PKCS#1 v1.5, which needs a modulus of at least 48 + 11 octets (RFC 2246 7.4.7.1, RFC 8017 7.2.1):
    /// 59 octets, 465 bits. An (EC)DHE suite instead signs 36 octets (MD5 and SHA-1) with PKCS#1 v1.5 padding
    /// (RFC 2246 7.4.3): 47 octets, 369 bits. The smaller of the two when the phone offers both kinds.
    static func handshakeMinimumRSABits(suites: [String]) -> Int {
        handshakeMinimumRSABits(dhe: suites.contains { $0.contains("DHE") })
    }

    /// ``handshakeMinimumRSABits(suites:)`` once the suites are known to offer an (EC)DHE suite or not.
    static func handshakeMinimumRSABits(dhe: Bool) -> Int { dhe ? 47 * 8 - 7 : 59 * 8 - 7 }

    /// The curves the web PKI allows.
    static let webPKICurves = ["prime256v1", "secp384r1", "secp521r1"]

    /// The web PKI's key rules (CA/Browser Forum Baseline Requirements 6.1.5).
    static func webPKIKey(_ facts: CertificateFacts) -> [Hit] {
        let key = facts.key
        switch key.algorithm {
        case .rsa where key.bits < 2048 || key.bits % 8 != 0:
            return [
                Hit(
                    code: .weakKey, severity: .error,
                    detail: .keySize(algorithm: "RSA", bits: key.bits, limit: 2048, bound: .minimum, rule: nil))
            ]
        case .dsa:
            return [Hit(code: .unsupportedAlgorithm, severity: .error, detail: .algorithm(name: "DSA", use: .key, rule: nil))]
        case .ec where !webPKICurves.contains(key.curve ?? ""):
            return [Hit(code: .unsupportedAlgorithm, severity: .error, detail: .curve(name: key.curve, allowed: webPKICurves))]
        default:
            return []
        }
    }

    /// The web PKI's rules on a certificate whose signature the client verifies: no broken digest, no DSA, a
    /// well-formed serial.
    static func webPKISigned(_ facts: CertificateFacts) -> [Hit] {
        let algorithm = facts.signature
        var out: [Hit] = []
        if algorithm.hash.isBroken {
            out.append(Hit(code: .weakSignature, severity: .error, detail: .algorithm(name: algorithm.name, use: .signature, rule: nil)))
        }
        if algorithm.scheme == .dsa {
            out.append(
                Hit(code: .unsupportedAlgorithm, severity: .error, detail: .algorithm(name: algorithm.name, use: .signature, rule: nil)))
        }
        if let serial = facts.malformedSerial { out.append(Hit(code: .malformed, severity: .error, detail: .serialNumber(serial))) }
        return out
    }
}
