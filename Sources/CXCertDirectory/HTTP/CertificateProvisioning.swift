import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The phone's anonymous root-chain download from the Lync Certificate Provisioning web service, sent as
/// the phone sends it and read with ``/CXCertCore/CertificateDecoder``. No credential is ever sent.
///
/// What each element rests on (see "Speaking as the phone" in the README):
/// - The service: [MS-OCAUTHWS] §1.3.2 "Certificate Provisioning Service", whose `CertProvisioningService`
///   portType (§3.1.4) is a SOAP service; §3.1.4.1 documents only `GetAndPublishCert` (authenticated enrolment).
///   The root-chain operation is **not** in the published text.
/// - The path: DHCP option 43 sub-option 5, `/CertProv/CertProvisioningService.svc` (Microsoft gg412828, H).
/// - The transport: plain HTTP on port 80 to the web services FQDN (option 43 sub-option 3): Lync's
///   `CAHandlerInternalAnonUri` is `http://<internal web FQDN>/CertProv/CertProvisioningService.svc`
///   (`Get-CsService -WebServer`, H) and J. Schertz writes that the download "is actually facilitated over HTTP
///   (port 80 by default)" (M). Option 43 itself gives `https://<fqdn>:443<path>`: the scheme and port it gives
///   are for the authenticated calls, not this one.
/// - The body: a SOAP 1.1 envelope with an empty `GetRootCertChains` element in the
///   `http://schemas.microsoft.com/OCS/AuthWebServices/` namespace, and the SOAPAction: **guesses** (confidence
///   low), built from the answer's element name and namespace in a captured `GetRootCertChainsResponse`; no
///   request capture was found.
public enum CertificateProvisioning {
    /// The namespace of the AuthWebServices messages, as the captured answer carries it.
    public static let namespace = CertificateDecoder.authWebServicesNamespace
    /// The path the service lives at when option 43 gives none (option 43 sub-option 5 as Microsoft documents it).
    public static let defaultPath = "/CertProv/CertProvisioningService.svc"

    /// One root-chain request, exactly as it is sent.
    public struct Request: Sendable, Hashable {
        /// The URL posted to: `http://<web services FQDN><path>`.
        public let url: String
        /// The header lines sent besides libcurl's own (`Host`, `Content-Length`).
        public let headers: [String]
        /// The SOAP envelope.
        public let body: String

        /// The request for the web services `host`, on `port` (80, the plain-HTTP listener, unless told otherwise),
        /// at `path` (option 43 sub-option 5; ``CertificateProvisioning/defaultPath`` when `nil` or empty).
        public static func rootChains(host: String, port: Int = 80, path: String? = nil) -> Request {
            var path = path ?? defaultPath
            if path.isEmpty { path = defaultPath }
            if !path.hasPrefix("/") { path = "/" + path }
            let literal = host.contains(":") ? "[\(host)]" : host
            let authority = port == 80 ? literal : "\(literal):\(port)"
            // SOAP 1.1 (text/xml + SOAPAction): a guess, as is the action; [MS-OCAUTHWS] §2.1 names SOAP over HTTP(S).
            let body =
                #"<?xml version="1.0" encoding="utf-8"?>"#
                + #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>"#
                + #"<GetRootCertChains xmlns="\#(namespace)"/>"#
                + "</s:Body></s:Envelope>"
            return Request(
                url: "http://\(authority)\(path)",
                headers: [
                    "Content-Type: text/xml; charset=utf-8",
                    #"SOAPAction: "\#(namespace)GetRootCertChains""#,
                ],
                body: body)
        }
    }

    /// What the download ended in.
    public enum Outcome: Sendable {
        /// The answer carried root chains: the certificates read from them.
        case chains([Certificate])
        /// Nothing came back: no connection (port closed or not forwarded), a timeout, a body past the limit.
        case transport(HTTPError)
        /// The server answered with a status other than 200; `excerpt` is the start of its body.
        case status(Int, excerpt: String)
        /// The answer is a SOAP fault or an unsuccessful `ResponseClass`: the decoder's words.
        case fault(String)
        /// A 200 answer without any chain, or one that does not read: the decoder's error, with its cause.
        case noChains(CertificateDecodingError)
    }

    /// One conversation: what was sent, what came back (bounded) and what it ended in.
    public struct Exchange: Sendable {
        /// The request sent.
        public let request: Request
        /// The address posted to (the walk's own DNS answer for the host).
        public let address: String
        /// The HTTP status, when the server answered.
        public let status: Int?
        /// The answer's `Content-Type`, when there was one.
        public let contentType: String?
        /// The answer's length in bytes.
        public let bodyBytes: Int
        /// The start of the answer, as text, at most ``excerptLength`` characters.
        public let excerpt: String
        /// What the download ended in.
        public let outcome: Outcome
    }

    /// Characters of the answer kept for the report.
    public static let excerptLength = 512

    /// Posts `request` to `address` (the host's address from the caller's own DNS), bounded by `limits`, and reads
    /// the answer: a 200 answer through ``/CXCertCore/CertificateDecoder`` (the `GetRootCertChainsResponse` reader).
    public static func download(_ request: Request, address: String, limits: HTTPFetcher.Limits) -> Exchange {
        let reply: HTTPFetcher.Reply
        do {
            reply = try HTTPFetcher.post(
                request.url, body: Array(request.body.utf8), headers: request.headers, address: address, limits: limits)
        } catch {
            return Exchange(
                request: request, address: address, status: nil, contentType: nil, bodyBytes: 0, excerpt: "", outcome: .transport(error))
        }
        return read(reply, request: request, address: address)
    }

    /// Judges one answer (no network): 200 with chains, a fault, an answer without chains, another status.
    public static func read(_ reply: HTTPFetcher.Reply, request: Request, address: String) -> Exchange {
        let excerpt = excerpt(reply.body)
        let outcome: Outcome
        if reply.status != 200 {
            // A fault travels with 500 in SOAP 1.1: say so rather than just the status.
            if case .failure(let error) = decode(reply.body), case .soapFault(let reason) = error {
                outcome = .fault(reason)
            } else {
                outcome = .status(reply.status, excerpt: excerpt)
            }
        } else {
            switch decode(reply.body) {
            case .success(let certificates): outcome = .chains(certificates)
            case .failure(.soapFault(let reason)): outcome = .fault(reason)
            case .failure(let error): outcome = .noChains(error)
            }
        }
        return Exchange(
            request: request, address: address, status: reply.status, contentType: reply.contentType, bodyBytes: reply.body.count,
            excerpt: excerpt, outcome: outcome)
    }

    private static func decode(_ body: [UInt8]) -> Result<[Certificate], CertificateDecodingError> {
        Result { () throws(CertificateDecodingError) in
            let decoded = try CertificateDecoder().decode(body)
            guard decoded.format == .rootCertChainsSOAP else {
                throw .noCertificate("the answer is \(decoded.format.rawValue), not a GetRootCertChains SOAP answer")
            }
            return decoded.certificates
        }
    }

    /// The first ``excerptLength`` characters of `body`, control characters other than newlines shown as `.`.
    static func excerpt(_ body: [UInt8]) -> String { answerExcerpt(body, length: excerptLength) }
}
