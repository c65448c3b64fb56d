#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One rule family the `generic` profile applies on top of OpenSSL's RFC 5280 validation: the checks
/// RFC 5280, the CA/Browser Forum Baseline Requirements or RFC 9525 make and OpenSSL leaves out.
///
/// Each family names the text it comes from, the stable finding code it is reported under (so a script
/// matching on codes sees no new codes for old meanings) and its ``Effect``: whether a strict client refuses a
/// chain that breaks it, or only a CA must not issue such a certificate (a lint, which never changes trust).
enum WebPKIRule: String, CaseIterable, Sendable {
    /// nameConstraints in an end-entity certificate: only CA certificates may carry it.
    case nameConstraintsOnEndEntity = "name-constraints-on-end-entity"
    /// nameConstraints not marked critical.
    case nameConstraintsNotCritical = "name-constraints-not-critical"
    /// nameConstraints with neither subtree, an empty subtree list, or contents OpenSSL cannot decode.
    case nameConstraintsEmpty = "name-constraints-empty"
    /// A constrained name form whose SAN entry is not a valid name of that form, so it cannot be checked.
    case nameConstraintsUncheckableName = "name-constraints-uncheckable-name"
    /// A wildcard SAN that covers a name an excluded subtree forbids.
    case nameConstraintsExcludedWildcard = "name-constraints-excluded-wildcard"
    /// A root's authorityKeyIdentifier without the keyIdentifier field.
    case rootAuthorityKeyIdentifier = "root-authority-key-identifier"
    /// A root's authorityKeyIdentifier with issuer/serial, or with another key's id.
    case rootAuthorityKeyIdentifierFields = "root-authority-key-identifier-fields"
    /// A trust anchor issued by another CA (a cross-signed root) without an authorityKeyIdentifier.
    case anchorWithoutAuthorityKeyIdentifier = "anchor-without-authority-key-identifier"
    /// A subject CN that is not a character-for-character copy of a SAN entry.
    case commonNameNotInSAN = "common-name-not-in-san"
    /// An end-entity extendedKeyUsage marked critical.
    case endEntityExtendedKeyUsageCritical = "end-entity-extended-key-usage-critical"
    /// An end-entity extendedKeyUsage that holds anyExtendedKeyUsage or a purpose other than TLS.
    case endEntityExtendedKeyUsage = "end-entity-extended-key-usage"
    /// An end-entity certificate without extendedKeyUsage.
    case endEntityWithoutExtendedKeyUsage = "end-entity-without-extended-key-usage"
    /// A root certificate with an extendedKeyUsage.
    case rootExtendedKeyUsage = "root-extended-key-usage"
    /// A serial number that is negative, zero or longer than 20 octets.
    case serialNumber = "serial-number"
    /// A dNSName SAN entry that is not a host name in preferred syntax (an underscore, an empty label, ...).
    case dnsNameSyntax = "dns-name-syntax"
    /// A wildcard whose remainder is a public suffix (`*.com`, `*.co.uk`).
    case wildcardPublicSuffix = "wildcard-public-suffix"
    /// An Authority Information Access extension that cannot be decoded.
    case authorityInformationAccess = "authority-information-access"
    /// An Authority Information Access extension that holds no access description.
    case authorityInformationAccessEmpty = "authority-information-access-empty"
    /// A CA:TRUE certificate in leaf position whose keyUsage lacks keyCertSign.
    case caWithoutKeyCertSign = "ca-without-key-cert-sign"
    /// A CA certificate (CA:TRUE) presented as the TLS server's certificate, below a separate anchor.
    case caAsEndEntity = "ca-as-end-entity"
    /// policyConstraints not marked critical.
    case policyConstraintsNotCritical = "policy-constraints-not-critical"

    /// What breaking a rule does to the verdict.
    enum Effect: String, Sendable {
        /// A strict web-PKI verifier refuses the chain: an error, and the chain is not trusted.
        case decidesTrust = "decides trust"
        /// Only a rule about what a CA may issue: a warning that never changes the verdict.
        case lint
    }

    /// Whether a strict client refuses the chain (Chrome's, Go's, rustls-webpki's or pyca/cryptography's
    /// verifier enforces the rule), or the rule only binds the issuing CA.
    var effect: Effect {
        switch self {
        case .nameConstraintsOnEndEntity, .nameConstraintsEmpty, .nameConstraintsUncheckableName, .nameConstraintsExcludedWildcard,
            .rootAuthorityKeyIdentifier, .endEntityExtendedKeyUsageCritical, .serialNumber, .wildcardPublicSuffix,
            .authorityInformationAccess, .caWithoutKeyCertSign, .caAsEndEntity:
            .decidesTrust
        case .nameConstraintsNotCritical, .rootAuthorityKeyIdentifierFields, .anchorWithoutAuthorityKeyIdentifier, .commonNameNotInSAN,
            .endEntityExtendedKeyUsage, .endEntityWithoutExtendedKeyUsage, .rootExtendedKeyUsage, .dnsNameSyntax,
            .authorityInformationAccessEmpty, .policyConstraintsNotCritical:
            .lint
        }
    }

    /// The severity of a finding for this rule: an error only when the rule decides trust.
    var severity: Severity { effect == .decidesTrust ? .error : .warning }

    /// Where the rule is written.
    var reference: String {
        switch self {
        case .nameConstraintsOnEndEntity, .nameConstraintsNotCritical: "RFC 5280 4.2.1.10"
        case .nameConstraintsEmpty: "RFC 5280 4.2.1.10, CABF BR 7.1.2.5.2"
        case .nameConstraintsUncheckableName, .nameConstraintsExcludedWildcard: "RFC 5280 4.2.1.10, RFC 9525 6.3"
        case .rootAuthorityKeyIdentifier, .rootAuthorityKeyIdentifierFields: "CABF BR 7.1.2.1.3"
        case .anchorWithoutAuthorityKeyIdentifier: "RFC 5280 4.2.1.1"
        case .commonNameNotInSAN: "CABF BR 7.1.4.3"
        case .endEntityExtendedKeyUsageCritical, .endEntityExtendedKeyUsage, .endEntityWithoutExtendedKeyUsage: "CABF BR 7.1.2.7.10"
        case .rootExtendedKeyUsage: "CABF BR 7.1.2.1.2"
        case .serialNumber: "RFC 5280 4.1.2.2, CABF BR 7.1"
        case .dnsNameSyntax: "RFC 5280 4.2.1.6, CABF BR 7.1.2.7.12"
        case .wildcardPublicSuffix: "CABF BR 3.2.2.6, RFC 9525 6.3"
        case .authorityInformationAccess, .authorityInformationAccessEmpty: "RFC 5280 4.2.2.1, CABF BR 7.1.2.7.7"
        case .caWithoutKeyCertSign: "RFC 5280 4.2.1.9, CABF BR 7.1.2.7.8"
        case .caAsEndEntity: "CABF BR 7.1.2.7.8, 7.1.2.7.11"
        case .policyConstraintsNotCritical: "RFC 5280 4.2.1.11"
        }
    }

    /// Which verifier refuses a chain breaking a rule that decides trust, or why a lint decides nothing: the
    /// fact the ``effect`` rests on (the README's table repeats it).
    var basis: String {
        switch self {
        case .nameConstraintsOnEndEntity: "pyca/cryptography: nameConstraints must not be present in an end-entity certificate"
        case .nameConstraintsEmpty: "pyca/cryptography: nameConstraints must have a non-empty subtree list"
        case .nameConstraintsUncheckableName: "rustls-webpki and Go refuse a SAN entry they cannot compare with a constraint"
        case .nameConstraintsExcludedWildcard: "rustls-webpki: a wildcard that covers an excluded subtree is refused"
        case .rootAuthorityKeyIdentifier: "pyca/cryptography: a CA's authorityKeyIdentifier must hold keyIdentifier"
        case .endEntityExtendedKeyUsageCritical: "pyca/cryptography: an end-entity extendedKeyUsage must not be critical"
        case .serialNumber: "pyca/cryptography refuses it; Go refuses a negative serial"
        case .wildcardPublicSuffix: "Chrome does not match a wildcard over a registry-controlled suffix"
        case .authorityInformationAccess: "pyca/cryptography: the extension must decode"
        case .caWithoutKeyCertSign: "Chrome (inconsistent CA bits), rustls-webpki and pyca/cryptography refuse it"
        case .caAsEndEntity: "rustls-webpki (CaUsedAsEndEntity) and pyca/cryptography (cA asserted in an end-entity) refuse it"
        case .nameConstraintsNotCritical:
            "a rule for the issuing CA (the BRs allow non-critical); the constraint is still applied, and clients accept it"
        case .rootAuthorityKeyIdentifierFields: "an issuance rule; pyca/cryptography, Go, rustls-webpki and Chrome accept such roots"
        case .anchorWithoutAuthorityKeyIdentifier:
            "the anchor is trusted by name and key (RFC 5280 6.1.1 (d)); the AKI only helps path building"
        case .commonNameNotInSAN: "an issuance rule; TLS clients match names against the SAN only (RFC 9525) and accept it"
        case .endEntityExtendedKeyUsage: "an issuance rule; verifiers need serverAuth present and accept other purposes beside it"
        case .endEntityWithoutExtendedKeyUsage: "an issuance rule; Go, rustls-webpki, pyca/cryptography and Chrome treat no EKU as any"
        case .rootExtendedKeyUsage: "an issuance rule; verifiers accept a root EKU that includes serverAuth"
        case .dnsNameSyntax: "an issuance rule; verifiers skip an entry that is not a host name when matching"
        case .authorityInformationAccessEmpty: "an issuance rule; an empty list decodes and verifiers accept it"
        case .policyConstraintsNotCritical: "a rule for the issuing CA; verifiers accept a non-critical one"
        }
    }

    /// The existing finding code the rule is reported under.
    var code: FindingCode {
        switch self {
        case .nameConstraintsOnEndEntity, .nameConstraintsNotCritical, .nameConstraintsEmpty, .nameConstraintsUncheckableName,
            .nameConstraintsExcludedWildcard:
            .nameConstraints
        case .endEntityExtendedKeyUsageCritical, .endEntityExtendedKeyUsage, .endEntityWithoutExtendedKeyUsage, .rootExtendedKeyUsage:
            .eku
        case .caWithoutKeyCertSign, .caAsEndEntity: .keyUsage
        case .rootAuthorityKeyIdentifier, .rootAuthorityKeyIdentifierFields, .anchorWithoutAuthorityKeyIdentifier, .commonNameNotInSAN,
            .serialNumber, .dnsNameSyntax, .wildcardPublicSuffix, .authorityInformationAccess, .authorityInformationAccessEmpty,
            .policyConstraintsNotCritical:
            .malformed
        }
    }
}

/// One certificate of a path breaking one ``WebPKIRule``; `detail` says how, without the subject.
struct RuleViolation: Sendable, Hashable {
    let rule: WebPKIRule
    let certificate: Certificate
    let detail: String
}

/// The web-PKI rules as one pure function of a built path, so they can be tested without OpenSSL's
/// verdict and run the same whatever builds the path.
enum WebPKIRules {
    static let nameConstraintsOID = OID.nameConstraints
    static let policyConstraintsOID = OID.policyConstraints
    static let extendedKeyUsageOID = OID.extendedKeyUsage
    static let authorityKeyIdentifierOID = OID.authorityKeyIdentifier
    static let authorityInformationAccessOID = OID.authorityInfoAccess

    /// Purposes CABF BR 7.1.2.7.10 forbids in a TLS server certificate, with their names.
    static let forbiddenServerPurposes: [String: String] = [
        OID.anyExtendedKeyUsage: "anyExtendedKeyUsage", OID.codeSigning: "codeSigning", OID.emailProtection: "emailProtection",
        OID.timeStamping: "timeStamping", OID.ocspSigning: "OCSPSigning", OID.precertificateSigning: "precertificate signing",
    ]

    /// Public suffixes a wildcard may not stand on besides every single label (`*.com`): the common
    /// second-level registry suffixes. A short fixed list, not the whole Public Suffix List.
    static let multiLabelPublicSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "com.au", "net.au", "org.au", "edu.au",
        "gov.au", "co.nz", "org.nz", "net.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "com.br", "net.br",
        "org.br", "com.cn", "net.cn", "org.cn", "gov.cn", "com.mx", "org.mx", "co.in", "net.in", "org.in", "co.za", "org.za",
        "com.tw", "org.tw", "com.hk", "org.hk", "com.sg", "org.sg", "com.tr", "org.tr", "com.ar", "co.il", "org.il", "com.ua",
        "com.pl", "co.id", "or.id", "com.my", "com.ph", "com.vn", "com.sa", "com.eg", "co.th", "in.th", "github.io",
        "cloudfront.net", "azurewebsites.net", "herokuapp.com", "appspot.com", "blogspot.com",
    ]

    /// Every violation on `path` (leaf first). `anchorIndex` is the trust anchor's index when the path
    /// reaches one; root rules apply to it only when it is self-issued (a root, not an intermediate
    /// trusted directly).
    static func violations(path: [Certificate], anchorIndex: Int?) -> [RuleViolation] {
        guard let leaf = path.first else { return [] }
        var found: [RuleViolation] = []
        func flag(_ rule: WebPKIRule, _ certificate: Certificate, _ detail: String) {
            found.append(RuleViolation(rule: rule, certificate: certificate, detail: detail))
        }

        // Name constraints: where they may appear and what they must hold.
        for (index, certificate) in path.enumerated() {
            guard let info = certificate.extension(nameConstraintsOID) else { continue }
            if index == 0 && !certificate.isCA {
                flag(.nameConstraintsOnEndEntity, certificate, "an end-entity certificate carries nameConstraints, which only a CA may")
                continue
            }
            if !info.critical { flag(.nameConstraintsNotCritical, certificate, "nameConstraints is not marked critical") }
            switch certificate.nameConstraints {
            case .absent: break
            case .unreadable: flag(.nameConstraintsEmpty, certificate, "nameConstraints cannot be decoded")
            case .present(let constraints):
                if constraints.permitted == nil && constraints.excluded == nil {
                    flag(.nameConstraintsEmpty, certificate, "nameConstraints has neither permitted nor excluded subtrees")
                } else if constraints.permitted?.isEmpty == true || constraints.excluded?.isEmpty == true {
                    flag(.nameConstraintsEmpty, certificate, "nameConstraints has an empty list of subtrees")
                }
            }
        }
        let constraints: [NameConstraintsInfo] = path.dropFirst().compactMap {
            if case .present(let info) = $0.nameConstraints { info } else { nil }
        }
        let leafDNS = leaf.dnsNames
        let leafIPs = leaf.subjectAlternativeNames.compactMap { if case .ip(let value) = $0 { value } else { nil } }
        let constrainsDNS = constraints.contains {
            ($0.permitted ?? []).contains(where: \.isDNS) || ($0.excluded ?? []).contains(where: \.isDNS)
        }
        let constrainsIP = constraints.contains {
            ($0.permitted ?? []).contains(where: \.isIP) || ($0.excluded ?? []).contains(where: \.isIP)
        }
        if constrainsDNS, let bad = leafDNS.first(where: { !isPreferredDNSName($0) }) {
            flag(
                .nameConstraintsUncheckableName, leaf,
                "the SAN entry DNS:\(bad) is not a valid DNS name, so the name constraints above it cannot be checked")
        }
        if constrainsIP, let bad = leafIPs.first(where: { HostnameMatcher.ipAddress($0) == nil }) {
            flag(
                .nameConstraintsUncheckableName, leaf,
                "the SAN entry IP:\(bad) is not a single IPv4 or IPv6 address, so the name constraints above it cannot be checked")
        }
        for info in constraints {
            for case .dns(let excluded) in info.excluded ?? [] {
                let subtree = HostnameMatcher.normalize(excluded.hasPrefix(".") ? String(excluded.dropFirst()) : excluded)
                for wildcard in leafDNS where wildcard.hasPrefix("*.") {
                    let base = HostnameMatcher.normalize(String(wildcard.dropFirst(2)))
                    guard subtree.hasSuffix(".\(base)") else { continue }
                    let extra = subtree.dropLast(base.count + 1)
                    if !extra.isEmpty && !extra.contains(".") {
                        flag(
                            .nameConstraintsExcludedWildcard, leaf,
                            "the wildcard \(wildcard) covers \(subtree), which an excluded subtree forbids")
                    }
                }
            }
        }

        // The root above the leaf: a key id that names its own key, nothing else, and no EKU. (A
        // self-signed server certificate trusted as itself is a leaf, not a root.)
        if let anchorIndex, anchorIndex > 0, path.indices.contains(anchorIndex), path[anchorIndex].isSelfIssued {
            let root = path[anchorIndex]
            if root.extension(authorityKeyIdentifierOID) != nil {
                if root.authorityKeyIdentifier == nil {
                    flag(.rootAuthorityKeyIdentifier, root, "the root's authorityKeyIdentifier has no keyIdentifier")
                } else if let ski = root.subjectKeyIdentifier, ski != root.authorityKeyIdentifier {
                    flag(
                        .rootAuthorityKeyIdentifierFields, root, "the root's authorityKeyIdentifier is not its own subjectKeyIdentifier")
                }
                if root.authorityKeyIdentifierNamesIssuer {
                    flag(
                        .rootAuthorityKeyIdentifierFields, root,
                        "the root's authorityKeyIdentifier carries authorityCertIssuer or authorityCertSerialNumber")
                }
            }
            if let usages = root.extendedKeyUsage {
                flag(
                    .rootExtendedKeyUsage, root,
                    "the root carries an extendedKeyUsage (\(usages.map(\.name).joined(separator: ", "))), which a root may not")
            }
        }

        // An anchor that another CA issued (a cross-signed root trusted directly) names its issuer's key, or
        // path builders cannot tell that issuer's certificates apart (RFC 5280 4.2.1.1's exception is for
        // self-signed certificates only).
        if let anchorIndex, anchorIndex > 0, path.indices.contains(anchorIndex) {
            let anchor = path[anchorIndex]
            let selfSigned = anchor.isSelfIssued && SignatureCheck.isSigned(anchor, by: anchor)
            if !selfSigned, anchor.authorityKeyIdentifier == nil {
                flag(
                    .anchorWithoutAuthorityKeyIdentifier, anchor,
                    "the anchor was issued by \(anchor.issuer.rfc4514) but carries no authorityKeyIdentifier keyIdentifier")
            }
        }

        // The leaf's names: SAN syntax, wildcards, and the CN as a copy of a SAN entry.
        for name in leafDNS where !isPreferredDNSName(name) {
            flag(.dnsNameSyntax, leaf, "the SAN entry DNS:\(name) is not a host name in preferred name syntax")
        }
        for name in leafDNS where name.hasPrefix("*.") {
            let base = HostnameMatcher.normalize(String(name.dropFirst(2)))
            if !base.contains(".") || multiLabelPublicSuffixes.contains(base) {
                flag(.wildcardPublicSuffix, leaf, "the wildcard \(name) spans the public suffix \(base)")
            }
        }
        // BR 7.1.4.3 is the subscriber profile: a CA certificate in leaf position keeps its CA's name.
        let sanTexts = leafDNS + leafIPs
        for commonName in leaf.subject.values(of: "CN") where !leaf.isCA && !sanTexts.contains(commonName) {
            let near =
                leafDNS.contains { HostnameMatcher.normalize($0) == HostnameMatcher.normalize(commonName) }
                || HostnameMatcher.ipAddress(commonName).map { ip in leafIPs.contains { HostnameMatcher.ipAddress($0) == ip } } == true
            flag(
                .commonNameNotInSAN, leaf,
                near
                    ? "the subject CN \(commonName) is not a character-for-character copy of its SAN entry"
                    : "the subject CN \(commonName) is not among the SAN entries (\(sanTexts.isEmpty ? "none" : sanTexts.joined(separator: ", ")))"
            )
        }

        // The leaf's extendedKeyUsage and CA bit. (A certificate trusted as itself is pinned, not issued: the
        // subscriber rules leave it alone.)
        let leafIsAnchor = anchorIndex == 0
        if let usages = leaf.extendedKeyUsage {
            if leaf.extension(extendedKeyUsageOID)?.critical == true {
                flag(.endEntityExtendedKeyUsageCritical, leaf, "the extendedKeyUsage is marked critical")
            }
            let forbidden = usages.compactMap { forbiddenServerPurposes[$0.oid] }
            if !forbidden.isEmpty {
                flag(.endEntityExtendedKeyUsage, leaf, "the extendedKeyUsage holds \(forbidden.joined(separator: ", "))")
            }
        } else if !leaf.isCA, !leafIsAnchor {
            flag(.endEntityWithoutExtendedKeyUsage, leaf, "the server certificate has no extendedKeyUsage (serverAuth)")
        }
        if leaf.isCA, let usage = leaf.keyUsage, !usage.contains(.keyCertSign) {
            flag(.caWithoutKeyCertSign, leaf, "basicConstraints says CA:TRUE but keyUsage lacks keyCertSign")
        } else if leaf.isCA, !leafIsAnchor {
            flag(.caAsEndEntity, leaf, "a CA certificate (basicConstraints CA:TRUE) is presented as the server certificate")
        }

        // Every certificate: serial numbers (not a root's, whose serial no client reads, but a leaf's even
        // when it is its own anchor), AIA, policy constraints.
        for (index, certificate) in path.enumerated() {
            let serial = certificate.serial
            if index == 0 || index != anchorIndex, !serial.isWellFormed {
                flag(.serialNumber, certificate, "serial number \(serial) is not positive, non-zero and at most 20 octets")
            }
            if index != anchorIndex {
                switch certificate.authorityInformationAccessCount {
                case .unreadable: flag(.authorityInformationAccess, certificate, "Authority Information Access cannot be decoded")
                case .present(0):
                    flag(.authorityInformationAccessEmpty, certificate, "Authority Information Access holds no access description")
                default: break
                }
            }
            if let policy = certificate.extension(policyConstraintsOID), !policy.critical {
                flag(.policyConstraintsNotCritical, certificate, "policyConstraints is not marked critical")
            }
        }
        return found
    }

    /// A dNSName as RFC 5280 4.2.1.6 (RFC 1034 preferred name syntax) and the BRs allow it: ASCII
    /// letter-digit-hyphen labels of 1 to 63 characters, no leading or trailing hyphen, at most 253
    /// characters, optionally `*.` in front; no underscore, no empty label, no trailing dot.
    static func isPreferredDNSName(_ name: String) -> Bool { isPreferredDNSName(bytes: name.utf8) }

    /// ``isPreferredDNSName(_:)`` of the name's UTF-8 bytes, in one pass without building a string or splitting it
    /// (the batch fast path checks every leaf's SAN names with it): at most 253 bytes after an optional `*.`, labels of
    /// 1 to 63 letters, digits and hyphens, none starting or ending with a hyphen.
    static func isPreferredDNSName<Bytes: Collection<UInt8>>(bytes name: Bytes) -> Bool {
        let dot = UInt8(ascii: ".")
        let hyphen = UInt8(ascii: "-")
        let host = name.starts(with: [UInt8(ascii: "*"), dot]) ? name.dropFirst(2) : name.dropFirst(0)
        var count = 0
        var label = 0
        var previous = dot
        for byte in host {
            count += 1
            if byte == dot {
                guard label > 0, previous != hyphen else { return false }
                label = 0
            } else {
                guard (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == hyphen,
                    label > 0 || byte != hyphen
                else { return false }
                label += 1
                guard label <= 63 else { return false }
            }
            previous = byte
        }
        return count > 0 && count <= 253 && label > 0 && previous != hyphen
    }
}

extension GeneralName {
    var isDNS: Bool { if case .dns = self { true } else { false } }
    var isIP: Bool { if case .ip = self { true } else { false } }
}
