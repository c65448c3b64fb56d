import CXCertCore
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The steps of the phone's walk from power-on to sign-in, in order.
public enum BootStepKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only when the walk starts from a DHCP answer (`--dhcp`, `--dhcp-answer`).
    case dhcp
    /// Step 1: find a time server (SRV, DHCP option 42 or an A record, in the build's order) and set the clock from it.
    case time
    /// Step 2: find the registrar (DHCP option 120 or DNS SRV and A records, in the build's order).
    case registrar
    /// At sign-in, before the roots: the root-chain download from the Certificate Provisioning service over plain HTTP.
    case certprov
    /// Step 3: gather the roots the phone will hold: its built-in cache, `--trust`, and those from AD or Certificate Provisioning.
    case roots
    /// Step 4: the TLS handshake with the registrar, its certificate judged at the phone's clock.
    case registrarTLS = "registrar-tls"
    /// After the registrar's certificate, when asked: the phone's first REGISTER with no credentials, the registrar's
    /// challenges (NTLM, Kerberos, TLS-DSK), and any redirect followed.
    case sipRegister = "sip-register"
    /// Step 5: the internal web services (DHCP option 43's FQDN) over HTTPS.
    case webServices = "web-services"
    /// Step 6: Device Update, through `ucupdates-r2` in the build's DNS domains.
    case deviceUpdate = "device-update"
    /// After Device Update at boot, when asked: the phone's `ucdevice.upx` check, what the server offers, and a HEAD of
    /// each offered file.
    case deviceUpdateRequest = "device-update-request"
    /// Step 7: Exchange autodiscover from the SMTP domain, following redirects to an HTTPS endpoint.
    case exchange
    // Steps of a capture's reading (`cxcert trace`): what the packets show, in protocol order.
    /// A capture's DNS questions and answers.
    case dns
    /// A capture's LDAP searches and the entries returned.
    case ldap
    /// A capture's plain HTTP downloads.
    case http
    /// A capture's TLS handshakes and alerts, each chain judged for the build.
    case tls
}

/// How a step ended for one build.
public enum BootStepStatus: String, Sendable, Hashable, Codable {
    /// Nothing is wrong.
    case ok
    /// The step went on, but something may fail elsewhere or later (a warning finding).
    case warning
    /// The step failed for this build (an error finding).
    case failed
    /// Not run: an input it needs was not given, or the build does not take this step.
    case skipped
}

/// One DNS question the phone asks, and the answer.
public struct BootQuery: Sendable, Hashable {
    /// The name asked, with any DNS suffix the phone appended.
    public let name: String
    /// The record type asked.
    public let type: DNSRecordType
    /// The server asked; `nil` when no DNS server was given.
    public let server: DNSServer?
    /// What the server answered.
    public let answer: DNSAnswer
    /// Why the phone asked (the template and its source), e.g. "registrar: srv-tls _sip._tls.{sip}".
    public let purpose: String
    /// The names of the answer that are aliases (CNAME records), in answer order; empty when the name has its own records.
    public var aliases: [String] = []
}

/// One time server asked over SNTP.
public struct BootTimeSample: Sendable, Hashable {
    /// The name the phone found it under (SRV target, option 42 or an A record).
    public let name: String
    /// The address asked.
    public let address: String
    /// The UDP port asked.
    public let port: Int
    /// How the server was found, e.g. `DHCP option 42` or `SRV _ntp._udp.contoso.com`.
    public let how: TimeVia
    /// The SNTP answer, or why there was none.
    public let result: Result<SNTPResponse, SNTPError>
}

/// A root the phone will hold at sign-in, and where it came from.
public struct BootRoot: Sendable, Hashable {
    /// The root.
    public let certificate: Certificate
    /// Where it came from (the built-in cache, `--trust`, Active Directory, Certificate Provisioning...).
    public let source: String
}

/// One TLS (or plain HTTP) endpoint the phone connects to, and what it would decide.
public struct BootEndpoint: Sendable {
    /// The name the phone connected to (and checks the certificate against).
    public let host: String
    /// The address connected to, when known.
    public let address: String?
    /// The TCP port.
    public let port: Int
    /// Why the phone connects, e.g. `registrar (DHCP option 120)` or `web services`.
    public let purpose: String
    /// The chain the server sent, leaf first.
    public let chain: [Certificate]
    /// The verdict at the phone's clock; nil when no handshake completed.
    public let verdict: Verdict?
    /// Why no handshake completed, or what a plain-HTTP request answered.
    public let outcome: String
}

/// One HTTP conversation a step had as the phone (the `certprov` step's root-chain download): the request as sent
/// and the answer as read, bounded.
public struct BootHTTPExchange: Sendable, Hashable {
    /// The method, `POST`.
    public let method: String
    /// The URL sent to.
    public let url: String
    /// The address connected to (the walk's own DNS answer).
    public let address: String
    /// The header lines sent besides libcurl's `Host` and `Content-Length`.
    public let headers: [String]
    /// The body sent.
    public let body: String
    /// The HTTP status of the answer; nil when none came back.
    public let status: Int?
    /// The answer's `Content-Type`, when there was one.
    public let contentType: String?
    /// The answer's length in bytes.
    public let bodyBytes: Int
    /// The start of the answer as text (at most 512 characters).
    public let excerpt: String
}

/// One REGISTER a step sent as the phone (`sip-register`): the request as sent and the answer as read, bounded.
public struct BootSIPExchange: Sendable, Hashable {
    /// The name the registrar was reached by.
    public let host: String
    /// The address connected to (the walk's own DNS answer).
    public let address: String
    /// The TCP port.
    public let port: Int
    /// The request as sent (request line and headers).
    public let request: String
    /// The answer's status code; nil when no SIP answer was read.
    public let status: Int?
    /// The answer's reason phrase; nil when no SIP answer was read.
    public let reason: String?
    /// The answer's challenges, in order.
    public let challenges: [SIPChallenge]
    /// The answer's Contact URIs (a redirect's targets).
    public let contacts: [String]
    /// How the conversation ended: `answered`, or what went wrong.
    public let outcome: String
    /// How many answer bytes were read.
    public let answerBytes: Int
    /// The start of the answer as text (at most 1024 characters).
    public let excerpt: String
}

/// One step of one build's walk.
public struct BootStep: Sendable {
    /// Which step.
    public let kind: BootStepKind
    /// How it ended for this build.
    public let status: BootStepStatus
    /// The DNS questions the step asked, in order.
    public let queries: [BootQuery]
    /// The servers the step connected to.
    public let endpoints: [BootEndpoint]
    /// The time servers the step asked (the `time` step).
    public let timeSamples: [BootTimeSample]
    /// The roots the step gathered (the `roots` step).
    public let roots: [BootRoot]
    /// What the step decided, in order ("registrar: pool01.contoso.com:5061 from _sipinternaltls._tcp.fabrikam.com").
    public let notes: [String]
    /// What is wrong; the status follows the most severe.
    public let findings: [Finding]
    /// When in the phone's walk the step happens (`boot`, `sign-in`, `signed-in`); nil for a capture's steps.
    public var phase: BootPhase? = nil
    /// The HTTP conversation the step had as the phone (`certprov`), when it had one.
    public var exchange: BootHTTPExchange? = nil
    /// The REGISTERs the step sent as the phone (`sip-register`: the registrar, then each redirect's target).
    public var sipExchanges: [BootSIPExchange] = []
}

/// The whole walk of one firmware build.
public struct BootTrace: Sendable {
    /// The device and firmware build walked.
    public let profile: DeviceProfile
    /// The phone's clock (the time source's time when the walk ran); nil when it found none.
    public let phoneClock: Date?
    /// Where the clock came from.
    public let clockSource: String?
    /// The steps the build took, in order.
    public let steps: [BootStep]
    /// The state the phone started the walk (or the capture) in.
    public var state: PhoneState? = nil

    /// The steps a phone signs in without: Device Update (at boot and once signed in) and Exchange. A failing Device
    /// Update and a missing Device Update record are alike here: the phone signs in either way.
    public static let notNeededToSignIn: Set<BootStepKind> = [.deviceUpdate, .exchange]

    /// Would this build sign in? No step it needs to sign in failed (see ``notNeededToSignIn``).
    public var signsIn: Bool { !steps.contains { $0.status == .failed && !Self.notNeededToSignIn.contains($0.kind) } }
    /// Does this build sign in and trust every server it reaches? No step failed.
    public var passes: Bool { !steps.contains { $0.status == .failed } }
    /// Every step's findings, in step order.
    public var findings: [Finding] { steps.flatMap(\.findings) }

    /// The step of this kind, or `nil` when the build did not take it (the first, when it takes it in several phases).
    public func step(_ kind: BootStepKind) -> BootStep? { steps.first { $0.kind == kind } }

    /// The step of this kind in one phase, or `nil`.
    public func step(_ kind: BootStepKind, in phase: BootPhase) -> BootStep? { steps.first { $0.kind == kind && $0.phase == phase } }
}

/// The replay of a fleet's walk against one site.
public struct BootReport: Sendable {
    /// When the walk ran (this machine's clock).
    public let at: Date
    /// What the phones were told (DHCP values, sign-in, DNS and NTP servers).
    public let inputs: BootInputs
    /// One walk per firmware build, in the order asked.
    public let builds: [BootTrace]

    package init(at: Date, inputs: BootInputs, builds: [BootTrace]) {
        self.at = at
        self.inputs = inputs
        self.builds = builds
    }

    /// Every build signs in (Device Update and Exchange aside: see ``BootTrace/notNeededToSignIn``).
    public var allSignIn: Bool { builds.allSatisfy(\.signsIn) }
    /// Every build signs in and trusts every server it reaches: no step of any build failed (what `boot`'s exit
    /// status gates on).
    public var allPass: Bool { builds.allSatisfy(\.passes) }
}

extension Array where Element == Finding {
    /// The findings in order, each fact once: two handshakes with the same chain (two names on one address) judge it
    /// twice, and the step lists the same code and detail only once.
    var withoutRepeats: [Finding] {
        var seen: Set<Finding> = []
        return filter { seen.insert($0).inserted }
    }
}
