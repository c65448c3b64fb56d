import CXCertCore
import Foundation

/// The steps of the phone's walk from power-on to sign-in, in order.
public enum BootStepKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only when the walk starts from a DHCP answer (`--dhcp`, `--dhcp-answer`).
    case dhcp
    case time
    case registrar
    case roots
    case registrarTLS = "registrar-tls"
    case webServices = "web-services"
    case deviceUpdate = "device-update"
    case exchange
    // Steps of a capture's reading (`cxcert trace`): what the packets show, in protocol order.
    case dns
    case ldap
    case http
    case tls
}

/// How a step ended for one build.
public enum BootStepStatus: String, Sendable, Hashable, Codable {
    case ok
    case warning
    case failed
    /// Not run: an input it needs was not given, or the build does not take this step.
    case skipped
}

/// One DNS question the phone asks, and the answer.
public struct BootQuery: Sendable, Hashable {
    public let name: String
    public let type: DNSRecordType
    public let server: DNSServer?
    public let answer: DNSAnswer
    /// Why the phone asked (the template and its source), e.g. "registrar: srv-tls _sip._tls.{sip}".
    public let purpose: String
}

/// One time server asked over SNTP.
public struct BootTimeSample: Sendable, Hashable {
    /// The name the phone found it under (SRV target, option 42 or an A record).
    public let name: String
    public let address: String
    public let port: Int
    public let how: String
    public let result: Result<SNTPResponse, SNTPError>
}

/// A root the phone will hold at sign-in, and where it came from.
public struct BootRoot: Sendable, Hashable {
    public let certificate: Certificate
    public let source: String
}

/// One TLS (or plain HTTP) endpoint the phone connects to, and what it would decide.
public struct BootEndpoint: Sendable {
    /// The name the phone connected to (and checks the certificate against).
    public let host: String
    public let address: String?
    public let port: Int
    public let purpose: String
    /// The chain the server sent, leaf first.
    public let chain: [Certificate]
    /// The verdict at the phone's clock; nil when no handshake completed.
    public let verdict: Verdict?
    /// Why no handshake completed, or what a plain-HTTP request answered.
    public let outcome: String
}

/// One step of one build's walk.
public struct BootStep: Sendable {
    public let kind: BootStepKind
    public let status: BootStepStatus
    public let queries: [BootQuery]
    public let endpoints: [BootEndpoint]
    public let timeSamples: [BootTimeSample]
    public let roots: [BootRoot]
    /// What the step decided, in order ("registrar: pool01.contoso.com:5061 from _sipinternaltls._tcp.fabrikam.com").
    public let notes: [String]
    public let findings: [Finding]
}

/// The whole walk of one firmware build.
public struct BootTrace: Sendable {
    public let profile: DeviceProfile
    /// The phone's clock (the time source's time when the walk ran); nil when it found none.
    public let phoneClock: Date?
    /// Where the clock came from.
    public let clockSource: String?
    public let steps: [BootStep]

    /// Would this build sign in and trust every server it reaches?
    public var signsIn: Bool { !steps.contains { $0.status == .failed } }
    public var findings: [Finding] { steps.flatMap(\.findings) }

    public func step(_ kind: BootStepKind) -> BootStep? { steps.first { $0.kind == kind } }
}

/// The replay of a fleet's walk against one site.
public struct BootReport: Sendable {
    /// When the walk ran (this machine's clock).
    public let at: Date
    public let inputs: BootInputs
    public let builds: [BootTrace]

    /// Every build signs in and trusts every server it reaches.
    package init(at: Date, inputs: BootInputs, builds: [BootTrace]) {
        self.at = at
        self.inputs = inputs
        self.builds = builds
    }

    public var allSignIn: Bool { builds.allSatisfy(\.signsIn) }
}
