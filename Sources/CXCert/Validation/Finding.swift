/// A stable finding code, as scripts match on it. The full list is in the README.
public struct FindingCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public static let untrustedRoot: FindingCode = "untrusted-root"
    public static let missingIntermediate: FindingCode = "missing-intermediate"
    public static let expired: FindingCode = "expired"
    public static let notYetValid: FindingCode = "not-yet-valid"
    public static let rootExpired: FindingCode = "root-expired"
    public static let badSignature: FindingCode = "bad-signature"
    public static let notACA: FindingCode = "not-a-ca"
    public static let pathLength: FindingCode = "path-length"
    public static let keyUsage: FindingCode = "key-usage"
    public static let eku: FindingCode = "eku"
    public static let nameConstraints: FindingCode = "name-constraints"
    public static let criticalExtension: FindingCode = "critical-extension"
    public static let chainTooLong: FindingCode = "chain-too-long"
    public static let malformed: FindingCode = "malformed-certificate"
    public static let sha2Unsupported: FindingCode = "sha2-unsupported"
    public static let weakSignature: FindingCode = "weak-signature"
    public static let unsupportedAlgorithm: FindingCode = "unsupported-algorithm"
    public static let weakKey: FindingCode = "weak-key"
    public static let nameNotCovered: FindingCode = "name-not-covered"
    public static let wildcardNotSupported: FindingCode = "wildcard-not-supported"
    public static let pathValidation: FindingCode = "path-validation"
    /// The server refuses the TLS version and suites the phone offers (from a probe).
    public static let tlsVersion: FindingCode = "tls-version"

    // The phone's discovery walk (`cxcert boot`).
    public static let timeSourceMissing: FindingCode = "time-source-missing"
    public static let timeSourceUnsynchronized: FindingCode = "time-source-unsynchronized"
    public static let clockSkew: FindingCode = "clock-skew"
    public static let registrarNotFound: FindingCode = "registrar-not-found"
    public static let strictDNSNaming: FindingCode = "strict-dns-naming"
    public static let dcNotFound: FindingCode = "dc-not-found"
    public static let noRootDownload: FindingCode = "no-root-download"
    public static let endpointUnreachable: FindingCode = "endpoint-unreachable"
    public static let dnsUnanswered: FindingCode = "dns-unanswered"
    public static let dnsAnswerOversized: FindingCode = "dns-answer-oversized"
    public static let deviceUpdateNotFound: FindingCode = "device-update-not-found"
    public static let concatenatedNameAnswered: FindingCode = "concatenated-name-answered"
    public static let autodiscoverFailed: FindingCode = "autodiscover-failed"
}

/// How much a finding matters: an error means the client will not connect.
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, info

    private var rank: Int { [.info: 0, .warning: 1, .error: 2][self]! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One reason a client would not (or might not) trust a server, with what it shows and the fix.
public struct Finding: Sendable, Hashable {
    public let code: FindingCode
    public let severity: Severity
    /// The certificate it concerns, when it concerns one.
    public let certificate: Certificate?
    public let message: String
    /// What the phone shows (text and Last Update Status), from `Knowledge/symptoms.json`; nil for `generic`.
    public let deviceSymptom: String?
    public let remedy: String

    public init(code: FindingCode, severity: Severity, certificate: Certificate?, message: String, deviceSymptom: String?, remedy: String) {
        self.code = code
        self.severity = severity
        self.certificate = certificate
        self.message = message
        self.deviceSymptom = deviceSymptom
        self.remedy = remedy
    }

    /// The same finding with another severity (a failure the phone recovers from by its next fallback).
    public func with(severity: Severity) -> Finding {
        Finding(code: code, severity: severity, certificate: certificate, message: message, deviceSymptom: deviceSymptom, remedy: remedy)
    }
}

extension Finding: Encodable {
    private enum Key: String, CodingKey { case code, severity, certificate, message, deviceSymptom, remedy }
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(code, forKey: .code)
        try out.encode(severity, forKey: .severity)
        try out.encode(certificate.map(CertificateReference.init), forKey: .certificate)
        try out.encode(message, forKey: .message)
        try out.encode(deviceSymptom, forKey: .deviceSymptom)
        try out.encode(remedy, forKey: .remedy)
    }
}

/// `{"subject", "sha256"}`: how JSON output points at a certificate.
public struct CertificateReference: Sendable, Hashable, Encodable {
    public let subject: String
    public let sha256: String

    public init(_ certificate: Certificate) {
        subject = certificate.subject.rfc4514
        sha256 = certificate.sha256Fingerprint
    }
}
