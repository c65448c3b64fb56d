/// A stable finding code, as scripts match on it: an open set of names, like `HTTPField.Name`. Each module declares
/// the codes it produces as static members (the certificate codes here; the walk's, DHCP's and capture's beside the
/// code that finds them), so a call site spells `.untrustedRoot` whatever module declared it. Every code has a row
/// in `Knowledge/symptoms.json` and is named in the README (a test iterates every module's list, gathered by the
/// `CXCert` umbrella).
public struct FindingCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The code as scripts see it (`untrusted-root`).
    public let rawValue: String

    /// A code by its name; a module declares its codes as static members with it.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A code by its name (`RawRepresentable`): any name is a code, known to cxcert or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code as scripts see it.
    public var description: String { rawValue }
}

/// The certificate codes: what path validation, the device capabilities and the web-PKI rules find.
extension FindingCode {
    // The chain: RFC 5280 path validation and candidate paths.
    /// The chain ends at a self-signed root the client does not trust.
    public static let untrustedRoot = FindingCode("untrusted-root")
    /// The chain stops: a certificate's issuer is neither supplied nor trusted (an intermediate the server does not
    /// send, or a root that is not published).
    public static let missingIntermediate = FindingCode("missing-intermediate")
    /// A certificate is past its notAfter at the time judged.
    public static let expired = FindingCode("expired")
    /// A certificate is before its notBefore at the time judged.
    public static let notYetValid = FindingCode("not-yet-valid")
    /// The trust anchor itself has expired.
    public static let rootExpired = FindingCode("root-expired")
    /// A signature does not verify with its issuer's key.
    public static let badSignature = FindingCode("bad-signature")
    /// An issuer lacks basicConstraints CA:TRUE.
    public static let notACA = FindingCode("not-a-ca")
    /// A pathLenConstraint is exceeded.
    public static let pathLength = FindingCode("path-length")
    /// keyUsage forbids the use: a CA without keyCertSign, or a server key with neither digitalSignature nor
    /// keyEncipherment.
    public static let keyUsage = FindingCode("key-usage")
    /// The extended key usage does not allow TLS server authentication (or, for `generic`, breaks a web-PKI EKU rule).
    public static let eku = FindingCode("eku")
    /// A name is outside a CA's name constraints (or, for `generic`, the constraints break a web-PKI rule).
    public static let nameConstraints = FindingCode("name-constraints")
    /// An unrecognised critical extension (RFC 5280).
    public static let criticalExtension = FindingCode("critical-extension")
    /// The chain is longer than OpenSSL or the client's maximum depth allows.
    public static let chainTooLong = FindingCode("chain-too-long")
    /// A certificate breaks an RFC 5280 rule modern clients enforce (for `generic`, also the Baseline Requirements'
    /// profile).
    public static let malformed = FindingCode("malformed-certificate")
    /// Any other OpenSSL verification error; its text is in the message.
    public static let pathValidation = FindingCode("path-validation")
    /// Candidate path building stopped at its budget without finding a path the client accepts.
    public static let pathBudgetExhausted = FindingCode("path-budget-exhausted")

    // What the client can verify, and the names it accepts.
    /// A SHA-2 signature this firmware cannot validate.
    public static let sha2Unsupported = FindingCode("sha2-unsupported")
    /// A SHA-1, MD5 or MD2 signature below the anchor (`generic`).
    public static let weakSignature = FindingCode("weak-signature")
    /// A signature or key algorithm (or key size) the client cannot use, such as RSASSA-PSS, ECC or DSA on a phone.
    public static let unsupportedAlgorithm = FindingCode("unsupported-algorithm")
    /// An RSA key below 2048 bits (`generic`; a warning for phones below 1024).
    public static let weakKey = FindingCode("weak-key")
    /// A name the client connects to is not in the subjectAltName (or only in the CN, which the client ignores).
    public static let nameNotCovered = FindingCode("name-not-covered")
    /// Only a wildcard subjectAltName would cover the name, and phones refuse wildcards.
    public static let wildcardNotSupported = FindingCode("wildcard-not-supported")
    /// The server refuses the TLS version and suites the phone offers (from a probe).
    public static let tlsVersion = FindingCode("tls-version")

    /// The codes of certificate verdicts, in declaration order.
    public static let certificateCodes: [FindingCode] = [
        .untrustedRoot,
        .missingIntermediate,
        .expired,
        .notYetValid,
        .rootExpired,
        .badSignature,
        .notACA,
        .pathLength,
        .keyUsage,
        .eku,
        .nameConstraints,
        .criticalExtension,
        .chainTooLong,
        .malformed,
        .pathValidation,
        .pathBudgetExhausted,
        .sha2Unsupported,
        .weakSignature,
        .unsupportedAlgorithm,
        .weakKey,
        .nameNotCovered,
        .wildcardNotSupported,
        .tlsVersion,
    ]
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
/// that data (``FindingWording``, or the ``FindingFacts`` type of another module's facts), in the ``Vocabulary`` of
/// whoever prints it.
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
