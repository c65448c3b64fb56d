/// A stable finding code, as scripts match on it. The full list is in the README; every code has a row in
/// `Knowledge/symptoms.json` (a test iterates `allCases`).
public enum FindingCode: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    // The chain: RFC 5280 path validation and candidate paths.
    case untrustedRoot = "untrusted-root"
    case missingIntermediate = "missing-intermediate"
    case expired
    case notYetValid = "not-yet-valid"
    case rootExpired = "root-expired"
    case badSignature = "bad-signature"
    case notACA = "not-a-ca"
    case pathLength = "path-length"
    case keyUsage = "key-usage"
    case eku
    case nameConstraints = "name-constraints"
    case criticalExtension = "critical-extension"
    case chainTooLong = "chain-too-long"
    case malformed = "malformed-certificate"
    case pathValidation = "path-validation"
    case pathBudgetExhausted = "path-budget-exhausted"

    // What the client can verify, and the names it accepts.
    case sha2Unsupported = "sha2-unsupported"
    case weakSignature = "weak-signature"
    case unsupportedAlgorithm = "unsupported-algorithm"
    case weakKey = "weak-key"
    case nameNotCovered = "name-not-covered"
    case wildcardNotSupported = "wildcard-not-supported"
    /// The server refuses the TLS version and suites the phone offers (from a probe).
    case tlsVersion = "tls-version"

    // The phone's discovery walk (`cxcert boot`).
    case timeSourceMissing = "time-source-missing"
    case timeSourceUnsynchronized = "time-source-unsynchronized"
    case clockSkew = "clock-skew"
    case registrarNotFound = "registrar-not-found"
    case strictDNSNaming = "strict-dns-naming"
    case dcNotFound = "dc-not-found"
    case noRootDownload = "no-root-download"
    case endpointUnreachable = "endpoint-unreachable"
    case dnsUnanswered = "dns-unanswered"
    case dnsAnswerOversized = "dns-answer-oversized"
    case deviceUpdateNotFound = "device-update-not-found"
    case concatenatedNameAnswered = "concatenated-name-answered"
    case autodiscoverFailed = "autodiscover-failed"

    // DHCP answers (`cxcert dhcp`).
    case dhcpNoAnswer = "dhcp-no-answer"
    case dhcpOption43Missing = "dhcp-option-43-missing"
    case dhcpOption43Incomplete = "dhcp-option-43-incomplete"
    case dhcpOption43Truncated = "dhcp-option-43-truncated"
    case dhcpOption43Identifier = "dhcp-option-43-identifier"
    case dhcpOption43BinaryPort = "dhcp-option-43-binary-port"
    case dhcpOption43ScopeLevel = "dhcp-option-43-scope-level"
    case dhcpOption120Missing = "dhcp-option-120-missing"
    case dhcpOption120Address = "dhcp-option-120-address"
    case dhcpOption120TooMany = "dhcp-option-120-too-many"
    case dhcpOption120Mismatch = "dhcp-option-120-mismatch"
    case dhcpOption119WindowsString = "dhcp-option-119-windows-string"
    case dhcpOption15Missing = "dhcp-option-15-missing"
    case dhcpMalformedOption = "dhcp-malformed-option"
    case dhcpSeveralServers = "dhcp-several-servers"
    case dhcpOption43WebFQDN = "dhcp-option-43-web-fqdn"

    // Packet captures (`cxcert trace`).
    case captureDamaged = "capture-damaged"
    case captureGap = "capture-gap"
    case dnsOrderDiffers = "dns-order-differs"
    case phoneAlert = "phone-alert"

    public var description: String { rawValue }
}

/// How much a finding matters: an error means the client will not connect.
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, info

    private var rank: Int { [.info: 0, .warning: 1, .error: 2][self]! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Who judged a finding: the strict modern client or a phone at a firmware build. Wording depends on it
/// ("a root this phone does not trust"), and only a phone has an on-screen symptom.
public enum FindingClient: Sendable, Hashable {
    case generic
    case phone(name: String, firmware: FirmwareVersion?)

    init(_ profile: DeviceProfile) {
        self = profile.isGeneric ? .generic : .phone(name: profile.name, firmware: profile.firmware)
    }

    /// A phone whatever its build: for findings about the network the phones share (DHCP, captures).
    public static let anyPhone = FindingClient.phone(name: "Lync Phone Edition", firmware: nil)

    var isPhone: Bool { if case .phone = self { true } else { false } }
}

/// Whose words a finding's message and remedy use: plain words for library users, or the options of the
/// cxcert command that prints it (so that a remedy never names an option the command lacks).
public enum Vocabulary: Sendable, Hashable {
    case plain
    case command(RemedyContext)
}

/// One reason a client would not (or might not) trust a server, as data: a code, a severity, the certificate
/// it concerns and a typed ``FindingDetail``. The message, the phone's symptom and the remedy are worded from
/// that data in one place (``FindingWording``), in the ``Vocabulary`` of whoever prints it.
public struct Finding: Sendable, Hashable {
    public let code: FindingCode
    public let severity: Severity
    /// The certificate it concerns, when it concerns one.
    public let certificate: Certificate?
    /// The facts behind the finding: what scripts and the audit group on.
    public let detail: FindingDetail
    /// The client that judged it.
    public let client: FindingClient
    /// The words its message and remedy use.
    public var vocabulary: Vocabulary

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
