/// A stable finding code, as scripts match on it. The full list is in the README; every code has a row in
/// `Knowledge/symptoms.json` (a test iterates `allCases`).
public enum FindingCode: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    // The chain: RFC 5280 path validation and candidate paths.
    /// The chain ends at a self-signed root the client does not trust.
    case untrustedRoot = "untrusted-root"
    /// The chain stops: a certificate's issuer is neither supplied nor trusted (an intermediate the server does not
    /// send, or a root that is not published).
    case missingIntermediate = "missing-intermediate"
    /// A certificate is past its notAfter at the time judged.
    case expired
    /// A certificate is before its notBefore at the time judged.
    case notYetValid = "not-yet-valid"
    /// The trust anchor itself has expired.
    case rootExpired = "root-expired"
    /// A signature does not verify with its issuer's key.
    case badSignature = "bad-signature"
    /// An issuer lacks basicConstraints CA:TRUE.
    case notACA = "not-a-ca"
    /// A pathLenConstraint is exceeded.
    case pathLength = "path-length"
    /// keyUsage forbids the use: a CA without keyCertSign, or a server key with neither digitalSignature nor
    /// keyEncipherment.
    case keyUsage = "key-usage"
    /// The extended key usage does not allow TLS server authentication (or, for `generic`, breaks a web-PKI EKU rule).
    case eku
    /// A name is outside a CA's name constraints (or, for `generic`, the constraints break a web-PKI rule).
    case nameConstraints = "name-constraints"
    /// An unrecognised critical extension (RFC 5280).
    case criticalExtension = "critical-extension"
    /// The chain is longer than OpenSSL or the client's maximum depth allows.
    case chainTooLong = "chain-too-long"
    /// A certificate breaks an RFC 5280 rule modern clients enforce (for `generic`, also the Baseline Requirements'
    /// profile).
    case malformed = "malformed-certificate"
    /// Any other OpenSSL verification error; its text is in the message.
    case pathValidation = "path-validation"
    /// Candidate path building stopped at its budget without finding a path the client accepts.
    case pathBudgetExhausted = "path-budget-exhausted"

    // What the client can verify, and the names it accepts.
    /// A SHA-2 signature this firmware cannot validate.
    case sha2Unsupported = "sha2-unsupported"
    /// A SHA-1, MD5 or MD2 signature below the anchor (`generic`).
    case weakSignature = "weak-signature"
    /// A signature or key algorithm (or key size) the client cannot use, such as RSASSA-PSS, ECC or DSA on a phone.
    case unsupportedAlgorithm = "unsupported-algorithm"
    /// An RSA key below 2048 bits (`generic`; a warning for phones below 1024).
    case weakKey = "weak-key"
    /// A name the client connects to is not in the subjectAltName (or only in the CN, which the client ignores).
    case nameNotCovered = "name-not-covered"
    /// Only a wildcard subjectAltName would cover the name, and phones refuse wildcards.
    case wildcardNotSupported = "wildcard-not-supported"
    /// The server refuses the TLS version and suites the phone offers (from a probe).
    case tlsVersion = "tls-version"

    // The phone's discovery walk (`cxcert boot`).
    /// No time source answered with a synchronised time; certificates are judged at this machine's clock instead.
    case timeSourceMissing = "time-source-missing"
    /// A time server the phone asks is not synchronised (or sent a kiss-of-death), so the phone ignores its time.
    case timeSourceUnsynchronized = "time-source-unsynchronized"
    /// The phone's clock is notably off this machine's, or off enough that a chain's verdict at the phone's clock
    /// differs from the verdict now.
    case clockSkew = "clock-skew"
    /// No registrar lookup of the build's order led to a server that completes a connection.
    case registrarNotFound = "registrar-not-found"
    /// A record points outside the SIP domain, and this build enforces strict DNS naming and ignores it.
    case strictDNSNaming = "strict-dns-naming"
    /// The phone finds no domain controller, so it cannot download the roots published in Active Directory.
    case dcNotFound = "dc-not-found"
    /// There is no root the phone can download: none in Active Directory, or none at sign-in for this build.
    case noRootDownload = "no-root-download"
    /// A server the phone connects to does not answer, or answers without a certificate.
    case endpointUnreachable = "endpoint-unreachable"
    /// The Certificate Provisioning service's plain-HTTP listener (port 80) does not answer: closed, filtered, or
    /// not forwarded by the load balancer, so a PIN sign-in downloads no root.
    case certprovUnreachable = "certprov-unreachable"
    /// The root-chain download got an HTTP error, a SOAP fault, a timeout or an answer past the size limit.
    case certprovFailed = "certprov-failed"
    /// The root-chain download answered 200 without any chain the phone can read.
    case certprovNoChains = "certprov-no-chains"
    /// The downloaded chains lack the root the registrar's or the web services' chain needs.
    case certprovRootMissing = "certprov-root-missing"
    /// The Device Update check (`ucdevice.upx`) got no answer, an HTTP error or an answer that does not read.
    case deviceUpdateCheckFailed = "device-update-check-failed"
    /// A file the Device Update server offers does not answer a HEAD with 200 from the phone's network.
    case deviceUpdateFileUnreachable = "device-update-file-unreachable"
    /// DNS questions the phone asks got no answer (NXDOMAIN, NODATA, SERVFAIL, REFUSED or a timeout).
    case dnsUnanswered = "dns-unanswered"
    /// A DNS answer has 64 records or more; only the first ones are read.
    case dnsAnswerOversized = "dns-answer-oversized"
    /// `ucupdates-r2.<DHCP domain>` does not resolve, so phones that never signed in find no update server.
    case deviceUpdateNotFound = "device-update-not-found"
    /// A `<name>.<DHCP domain>` retry answered where the name asked did not: a wildcard record can misroute the phone.
    case concatenatedNameAnswered = "concatenated-name-answered"
    /// An SRV record's target is an alias (a CNAME), which RFC 2782 forbids: resolvers may refuse it, and the phone
    /// checks the certificate for the target name.
    case srvTargetAlias = "srv-target-cname"
    /// No autodiscover URL answered with a certificate the build trusts (or its redirects loop or go too far).
    case autodiscoverFailed = "autodiscover-failed"
    /// The phone reaches a server before it can hold the root the server's chain needs (Device Update at boot, before
    /// the sign-in attempt that downloads the root).
    case rootNotHeldYet = "root-not-held-yet"
    /// The phone holds roots from an earlier sign-in, the server's chain now needs one it does not hold, and the phone
    /// does not look again until it is reset.
    case heldRootStale = "held-root-stale"
    /// A phone outside the network (through the Edge) reaches a server whose chain needs a root it could only download
    /// on the internal network and does not hold: outside it trusts its cache and what it learned while inside.
    case externalRootNotLearned = "external-root-not-learned"
    /// The phone's first REGISTER got no whole answer: the registrar accepted the TLS session and then said nothing
    /// before the deadline, or closed the connection.
    case sipRegisterNoAnswer = "sip-register-no-answer"
    /// The REGISTER's answer is not one the phone can go on from: malformed, past the size limit, or a final error
    /// status (403, 404, 480, 5xx...) instead of a challenge.
    case sipRegisterFailed = "sip-register-failed"
    /// The registrar answered the REGISTER without a Lync authentication package (NTLM, Kerberos, TLS-DSK): not a Lync
    /// or OCS registrar, or a proxy in the way.
    case sipNoLyncPackage = "sip-no-lync-package"
    /// A redirect (301/302) the phone cannot follow: no usable Contact, a target that does not resolve or connect, a
    /// loop, or too many hops.
    case sipRedirectFailed = "sip-redirect-failed"
    /// The challenge's target name is not among the names of the certificate the registrar sent.
    case sipTargetNameMismatch = "sip-target-name-mismatch"
    /// The TLS-DSK challenge's certificate provisioning URL is missing, not HTTPS, or names a host the phone cannot
    /// resolve.
    case sipProvisioningURL = "sip-provisioning-url"

    // DHCP answers (`cxcert dhcp`).
    /// No DHCP server answered the phone's DHCPINFORM with vendor class MS-UC-Client.
    case dhcpNoAnswer = "dhcp-no-answer"
    /// No option 43 for vendor class MS-UC-Client: PIN sign-in cannot find the Certificate Provisioning service.
    case dhcpOption43Missing = "dhcp-option-43-missing"
    /// Option 43 lacks sub-options (or holds a bad host name or port), so the provisioning URL cannot be built.
    case dhcpOption43Incomplete = "dhcp-option-43-incomplete"
    /// Option 43 is cut inside a sub-option (such as by Cisco IOS's 180-hex-digit limit).
    case dhcpOption43Truncated = "dhcp-option-43-truncated"
    /// Option 43 sub-option 1 is not `MS-UC-Client` (case-sensitive).
    case dhcpOption43Identifier = "dhcp-option-43-identifier"
    /// Option 43 sub-option 4 is a 2-byte integer instead of the text `443`.
    case dhcpOption43BinaryPort = "dhcp-option-43-binary-port"
    /// Option 43 is also sent to clients without the vendor class: it is set for the whole scope.
    case dhcpOption43ScopeLevel = "dhcp-option-43-scope-level"
    /// No option 120: the phone finds its registrar only through DNS.
    case dhcpOption120Missing = "dhcp-option-120-missing"
    /// Option 120 gives the registrar as an address; the phone needs a name to check the certificate.
    case dhcpOption120Address = "dhcp-option-120-address"
    /// Option 120 lists more than the two registrars the phones try.
    case dhcpOption120TooMany = "dhcp-option-120-too-many"
    /// Option 120 names other registrars than the `_sipinternaltls._tcp` SRV record.
    case dhcpOption120Mismatch = "dhcp-option-120-mismatch"
    /// Option 119 is the Windows Server 2003 string, not RFC 3397 labels.
    case dhcpOption119WindowsString = "dhcp-option-119-windows-string"
    /// No option 15: the phone has no DHCP domain for `ucupdates-r2` and the DC locator.
    case dhcpOption15Missing = "dhcp-option-15-missing"
    /// An option the phone reads is malformed.
    case dhcpMalformedOption = "dhcp-malformed-option"
    /// Several DHCP servers answered; the phone uses one answer and ignores the others.
    case dhcpSeveralServers = "dhcp-several-servers"
    /// Option 43 names other web services than the deployment's; the phone fetches its root chain from them.
    case dhcpOption43WebFQDN = "dhcp-option-43-web-fqdn"

    // Packet captures (`cxcert trace`).
    /// The capture file is damaged or cut short; frames after the damage were not read.
    case captureDamaged = "capture-damaged"
    /// Part of the capture could not be followed (snap length, limits, a connection caught mid-way, missing bytes).
    case captureGap = "capture-gap"
    /// The phone asked DNS in another order than the device data says for its build.
    case dnsOrderDiffers = "dns-order-differs"
    /// The phone sent a TLS alert; the finding says whether cxcert's verdict on the chain explains it.
    case phoneAlert = "phone-alert"

    public var description: String { rawValue }
}

/// How much a finding matters: an error means the client will not connect.
public enum Severity: String, Sendable, Codable, Comparable {
    /// `error`: the client will not connect; `warning`: it may not, or recovers by a fallback; `info`: worth knowing.
    case error, warning, info

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Who judged a finding: the strict modern client or a phone at a firmware build. Wording depends on it
/// ("a root this phone does not trust"), and only a phone has an on-screen symptom.
public enum FindingClient: Sendable, Hashable {
    /// The strict modern client (RFC 5280 and the web-PKI rules).
    case generic
    /// A phone, by device name and firmware build (nil when the build is unknown or does not matter).
    case phone(name: String, firmware: FirmwareVersion?)

    package init(_ profile: DeviceProfile) {
        self = profile.isGeneric ? .generic : .phone(name: profile.name, firmware: profile.firmware)
    }

    /// A phone whatever its build: for findings about the network the phones share (DHCP, captures).
    public static let anyPhone = FindingClient.phone(name: "Lync Phone Edition", firmware: nil)

    var isPhone: Bool { if case .phone = self { true } else { false } }
}

/// Whose words a finding's message and remedy use: plain words for library users, or the options of the
/// cxcert command that prints it (so that a remedy never names an option the command lacks).
public enum Vocabulary: Sendable, Hashable {
    /// Plain words, for library users.
    case plain
    /// The options of the cxcert command that prints the finding.
    case command(RemedyContext)
}

/// One reason a client would not (or might not) trust a server, as data: a code, a severity, the certificate
/// it concerns and a typed ``FindingDetail``. The message, the phone's symptom and the remedy are worded from
/// that data in one place (``FindingWording``), in the ``Vocabulary`` of whoever prints it.
public struct Finding: Sendable, Hashable {
    /// The stable code scripts match on.
    public let code: FindingCode
    /// How much it matters: an error means the client will not connect.
    public let severity: Severity
    /// The certificate it concerns, when it concerns one.
    public let certificate: Certificate?
    /// The facts behind the finding: what scripts and the audit group on.
    public let detail: FindingDetail
    /// The client that judged it.
    public let client: FindingClient
    /// The words its message and remedy use.
    public var vocabulary: Vocabulary

    /// Creates a finding from its data; the message and remedy are worded from it when read.
    /// - Parameters:
    ///   - code: The stable code.
    ///   - severity: How much it matters.
    ///   - certificate: The certificate it concerns, if any.
    ///   - detail: The facts behind it.
    ///   - client: The client that judged it.
    ///   - vocabulary: The words its message and remedy use.
    public init(
        code: FindingCode, severity: Severity, certificate: Certificate? = nil, detail: FindingDetail, client: FindingClient,
        vocabulary: Vocabulary = .plain
    ) {
        self.code = code
        self.severity = severity
        self.certificate = certificate
        self.detail = detail
        self.client = client
        self.vocabulary = vocabulary
    }

    /// One sentence saying what is wrong.
    public var message: String { FindingWording.message(for: self) }
    /// What the phone shows (text and Last Update Status), from `Knowledge/symptoms.json`; nil for `generic`.
    public var deviceSymptom: String? { client.isPhone ? Symptom.builtIn[code]?.summary : nil }
    /// The fix, specific enough to act on.
    public var remedy: String { FindingWording.remedy(for: self) }

    /// The same finding with another severity (a failure the phone recovers from by its next fallback).
    public func with(severity: Severity) -> Finding {
        Finding(code: code, severity: severity, certificate: certificate, detail: detail, client: client, vocabulary: vocabulary)
    }

    /// The same finding worded for another interface.
    public func with(vocabulary: Vocabulary) -> Finding {
        Finding(code: code, severity: severity, certificate: certificate, detail: detail, client: client, vocabulary: vocabulary)
    }
}

extension Finding: Encodable {
    private enum Key: String, CodingKey { case code, severity, certificate, message, deviceSymptom, remedy, detail }
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(code, forKey: .code)
        try out.encode(severity, forKey: .severity)
        try out.encode(certificate.map(CertificateReference.init), forKey: .certificate)
        try out.encode(message, forKey: .message)
        try out.encode(deviceSymptom, forKey: .deviceSymptom)
        try out.encode(remedy, forKey: .remedy)
        try out.encode(detail, forKey: .detail)
    }
}
