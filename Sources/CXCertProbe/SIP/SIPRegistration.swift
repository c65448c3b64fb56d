import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The phone's first REGISTER, sent with no `Authorization` header: the one whose answer carries the registrar's
/// challenges. No credential, PIN or token is ever part of it.
public struct SIPRegisterRequest: Sendable, Hashable {
    /// The Request-URI, `sip:<SIP domain>`.
    public let requestURI: String
    /// The address of record in `From` and `To`.
    public let addressOfRecord: String
    /// The header lines, in order, without the final empty line.
    public let headers: [String]

    /// The request as sent: request line, headers, an empty line, no body.
    public var text: String { (["REGISTER \(requestURI) SIP/2.0"] + headers).joined(separator: "\r\n") + "\r\n\r\n" }

    /// The first REGISTER of a phone signing in to `sipDomain`, shaped as [MS-SIPAE] §4.1's step 1 (the client's REGISTER
    /// with no authorization header field): `Via` over TLS, `From` with a tag and an `epid`, `To`, `Call-ID`, `CSeq`,
    /// `Contact` with `proxy=replace` and a `+sip.instance`, `Supported: gruu-10`, `Content-Length: 0`. RFC 3261's
    /// `Max-Forwards` is added, and `rport` (RFC 3581) so the answer comes back on this connection. The `User-Agent` the
    /// phone sends is in no source found: `CPE/<build>` is a guess (low confidence), with `cxcert` named in a comment.
    /// - Parameters:
    ///   - sipDomain: The SIP domain (the Request-URI and the address of record's domain).
    ///   - user: The address of record's user part; `nil` uses `cxcert-probe`.
    ///   - build: The firmware build the phone runs, for `User-Agent`.
    ///   - random: Hex digits for the tag, branch, Call-ID, epid and instance (random by default; tests fix them).
    /// - Returns: The request.
    public static func first(sipDomain: String, user: String? = nil, build: String? = nil, random: (Int) -> String = randomHex)
        -> SIPRegisterRequest
    {
        let aor = "sip:\(user ?? "cxcert-probe")@\(sipDomain)"
        let instance = random(32).uppercased()
        let uuid = [
            instance.prefix(8), instance.dropFirst(8).prefix(4), instance.dropFirst(12).prefix(4), instance.dropFirst(16).prefix(4),
            instance.dropFirst(20).prefix(12),
        ].joined(separator: "-")
        // `.invalid` (RFC 6761) stands for the phone's own address: the answer is read from this connection (rport).
        let local = "phone.invalid"
        return SIPRegisterRequest(
            requestURI: "sip:\(sipDomain)", addressOfRecord: aor,
            headers: [
                "Via: SIP/2.0/TLS \(local);branch=z9hG4bK\(random(16));rport",
                "Max-Forwards: 70",
                "From: <\(aor)>;tag=\(random(10));epid=\(random(10))",
                "To: <\(aor)>",
                "Call-ID: \(random(32))",
                "CSeq: 1 REGISTER",
                "Contact: <sip:\(local);transport=tls>;proxy=replace;+sip.instance=\"<urn:uuid:\(uuid)>\"",
                "User-Agent: CPE/\(build ?? "unknown") (cxcert)",
                "Supported: gruu-10",
                "Content-Length: 0",
            ])
    }

    /// Random lowercase hex digits.
    /// - Parameter count: How many.
    /// - Returns: The digits.
    public static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement()! })
    }
}

/// One REGISTER sent to one registrar and what came back.
public struct SIPRegisterExchange: Sendable {
    /// How the conversation ended.
    public enum Outcome: Sendable {
        /// A SIP answer was read.
        case answered(SIPResponse)
        /// No TLS session: refused, unreachable, the phone's handshake refused, or the deadline during it.
        case connection(TLSError)
        /// The session opened and the request went out, but no whole answer came before the deadline.
        case noAnswer(received: Int)
        /// The server closed the connection before a whole answer.
        case closed(received: Int)
        /// The answer grew past the limit before it was whole.
        case tooLarge(limit: Int)
        /// What came back is not a SIP answer.
        case malformed(SIPParseError)
        /// Writing the request or reading failed (OpenSSL's words).
        case failed(String)
    }

    /// The name the registrar was reached by.
    public let host: String
    /// The address connected to.
    public let address: String
    /// The TCP port.
    public let port: Int
    /// The request as sent.
    public let request: SIPRegisterRequest
    /// The TLS version and suite negotiated, when the session opened.
    public let session: NegotiatedSession?
    /// The certificates the registrar sent, leaf first.
    public let chain: [Certificate]
    /// How it ended.
    public let outcome: Outcome
    /// How many answer bytes were read.
    public let answerBytes: Int
    /// The start of the answer as text (at most ``SIPRegistration/excerptLength`` characters, carriage returns removed).
    public let excerpt: String

    /// The answer, when one was read.
    public var response: SIPResponse? {
        if case .answered(let response) = outcome { return response }
        return nil
    }
}

/// Sends the phone's first REGISTER over the phone's TLS (1.0, no SNI, its suites) and reads the answer, bounded in
/// size and time.
public enum SIPRegistration {
    /// The characters of an answer kept for the report.
    public static let excerptLength = 1024

    /// The largest answer read by default (64 KiB: a challenge is a few hundred bytes).
    public static let defaultMaxAnswerBytes = 64 << 10

    /// Connects to `address:port`, makes the phone's handshake, sends `request`, and reads one answer.
    /// - Parameters:
    ///   - request: The REGISTER.
    ///   - host: The name the registrar was found under (reported, never sent as SNI).
    ///   - address: The address to connect to (the walk's own DNS answer).
    ///   - port: The port.
    ///   - suites: The phone's cipher suites.
    ///   - timeout: Seconds for the whole conversation: connect, handshake, request and answer.
    ///   - maxAnswerBytes: The most answer bytes read.
    /// - Returns: What happened; never throws, every failure is an outcome.
    public static func register(
        _ request: SIPRegisterRequest, host: String, address: String, port: Int, suites: [String], timeout: TimeInterval,
        maxAnswerBytes: Int = defaultMaxAnswerBytes
    ) -> SIPRegisterExchange {
        var settings = TLSHandshake.Settings(
            host: address, port: port, serverName: nil, versions: .tls10 ... .tls10, ciphers: suites.joined(separator: ":"),
            timeout: timeout)
        settings.conversation = TLSHandshake.Conversation(
            request: Array(request.text.utf8), maxAnswer: maxAnswerBytes, isComplete: SIPResponse.isComplete)
        func exchange(_ result: TLSHandshake.Result?, _ outcome: SIPRegisterExchange.Outcome, bytes: [UInt8] = [])
            -> SIPRegisterExchange
        {
            SIPRegisterExchange(
                host: host, address: address, port: port, request: request,
                session: result.map { NegotiatedSession(version: $0.version, cipher: $0.cipher) },
                chain: result.map { Certificate.presentedChain($0.chain).chain } ?? [], outcome: outcome, answerBytes: bytes.count,
                excerpt: answerExcerpt(bytes.filter { $0 != 0x0D }, length: excerptLength))
        }
        let result: TLSHandshake.Result
        do {
            result = try TLSHandshake.perform(settings)
        } catch {
            return exchange(nil, .connection(error))
        }
        guard let answer = result.answer else { return exchange(result, .failed("no answer was read")) }
        let bytes = answer.bytes
        switch answer.end {
        case .complete:
            do {
                return exchange(result, .answered(try SIPResponse.parse(bytes)), bytes: bytes)
            } catch {
                return exchange(result, .malformed(error), bytes: bytes)
            }
        case .closed:
            if bytes.isEmpty { return exchange(result, .closed(received: 0)) }
            // A whole header section without its body still says what the server answered; bytes that are no SIP at all
            // are a malformed answer, whoever closed.
            do {
                return exchange(result, .answered(try SIPResponse.parse(bytes)), bytes: bytes)
            } catch .notSIP(let start) {
                return exchange(result, .malformed(.notSIP(start)), bytes: bytes)
            } catch {
                return exchange(result, .closed(received: bytes.count), bytes: bytes)
            }
        case .timeout: return exchange(result, .noAnswer(received: bytes.count), bytes: bytes)
        case .tooLarge: return exchange(result, .tooLarge(limit: maxAnswerBytes), bytes: bytes)
        case .failed(let reason): return exchange(result, .failed(reason), bytes: bytes)
        }
    }
}
