import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The phone's Device Update check: a POST of its identity to `ucdevice.upx` and the answer naming the update it
/// should install. No credential is ever sent.
///
/// What each element rests on:
/// - URL and transport: "sends an HTTP POST request over port 80 to the IP Address returned … <http://192.168.7.81/
///   RequestHandler/ucdevice.upx>" (Polycom CX700 deployment guide, seed 000 l.492 and l.555; H). Conflicts: Lync 2010
///   *How the Device Update Process Works* (gg398740) says "an HTTP request over port 443" (H); J. Schertz (seed 002
///   l.21) TLS to the short name (M). Externally: `https://<reverse proxy>/RequestHandlerExt/ucdevice.upx`.
/// - What the request carries: "the MAC address and serial number of the phone" (seed 000 l.492), "phone vendor info"
///   (l.555), and the fields of the Device Update audit log: device type, MAC, serial, vendor, model, revision, locale,
///   request modules as `filename;version;timestamp` (Lync 2010 audit log schema; seed 002 l.50-53).
/// - **The request body's format is NOT FOUND** in any source: the XML element names below are guesses named after
///   the audit log's columns (confidence low), and a real server that expects another shape will say so (an HTTP error
///   or an answer without files).
/// - The answer: `<Response>` with `NumOfFiles`, `CurrentTime`, `ServerVersion`, `ServiceVersion` (seed 000 l.848-858)
///   and, for an update, `FileName` (`CPE.nbt`), `SignatureFileName` (`CPE.cat`), `DescriptFile` (`CPE_desc.xml`),
///   `BaseURL` and `ExternalBaseURL` ending `/<Brand>/<Model>/<Rev>/<Locale>/<Version>/CPE` (seed 000 l.420-433).
public enum DeviceUpdate {
    /// The path of the internal handler (seed 000 l.421, l.492).
    public static let internalPath = "/RequestHandler/ucdevice.upx"

    /// Who the phone says it is.
    public struct Identity: Sendable, Hashable {
        /// The device type as the audit log shows it (`UCPhone`).
        public var deviceType: String
        /// The MAC address, 12 hex digits.
        public var mac: String
        /// The serial number (the MAC on the phones the audit log shows).
        public var serial: String
        /// The vendor (`POLYCOM`).
        public var vendor: String
        /// The model (`CX600`, `CX700`).
        public var model: String
        /// The hardware revision (`Rev-4`, `A`).
        public var revision: String
        /// The locale (`ENU`).
        public var locale: String
        /// The firmware build the phone runs (`4.0.7577.4366`).
        public var firmware: String

        /// An identity; the serial defaults to the MAC, as in the audit log line of seed 002 l.52.
        public init(
            deviceType: String = "UCPhone", mac: String, serial: String? = nil, vendor: String, model: String, revision: String,
            locale: String = "ENU", firmware: String
        ) {
            self.deviceType = deviceType
            self.mac = mac
            self.serial = serial ?? mac
            self.vendor = vendor
            self.model = model
            self.revision = revision
            self.locale = locale
            self.firmware = firmware
        }
    }

    /// One Device Update request, exactly as it is sent.
    public struct Request: Sendable, Hashable {
        /// The URL posted to.
        public let url: String
        /// The header lines sent besides libcurl's own.
        public let headers: [String]
        /// The body: **undocumented format** (see ``/CXCertDirectory/DeviceUpdate``).
        public let body: String

        /// The check a phone sends to the Device Update server `host` (the `ucupdates-r2` name or its address).
        public static func check(host: String, identity: Identity) -> Request {
            func element(_ name: String, _ value: String) -> String { "<\(name)>\(escape(value))</\(name)>" }
            let module =
                "<Module>" + element("FileName", "CPE.nbt") + element("Version", identity.firmware) + "</Module>"
            let body =
                #"<?xml version="1.0" encoding="utf-8"?><Request>"#
                + element("DeviceType", identity.deviceType) + element("MACAddress", identity.mac)
                + element("SerialNumber", identity.serial) + element("Vendor", identity.vendor) + element("Model", identity.model)
                + element("Revision", identity.revision) + element("Locale", identity.locale) + "<Modules>\(module)</Modules></Request>"
            let literal = host.contains(":") ? "[\(host)]" : host
            return Request(url: "http://\(literal)\(internalPath)", headers: ["Content-Type: text/xml; charset=utf-8"], body: body)
        }
    }

    /// One file the server offers.
    public struct OfferedFile: Sendable, Hashable {
        /// The image (`CPE.nbt`).
        public let fileName: String
        /// Its signature file (`CPE.cat`), when named.
        public let signatureFileName: String?
        /// Its description file (`CPE_desc.xml`), when named.
        public let descriptionFileName: String?
        /// The internal folder URL (plain HTTP), when given.
        public let baseURL: String?
        /// The external folder URL (HTTPS through the reverse proxy), when given.
        public let externalBaseURL: String?

        /// The version in the folder path (`…/<Version>/CPE`), when it has one.
        public var version: String? {
            let parts = (baseURL ?? externalBaseURL ?? "").split(separator: "/")
            guard parts.count >= 2, parts.last?.uppercased() == "CPE" else { return nil }
            let candidate = parts[parts.count - 2]
            return candidate.split(separator: ".").count == 4 && candidate.allSatisfy({ $0.isNumber || $0 == "." })
                ? String(candidate) : nil
        }

        /// The internal URL of each file named (image, signature, description).
        public var urls: [String] {
            guard let baseURL else { return [] }
            let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            return [fileName, signatureFileName, descriptionFileName].compactMap { $0 }.map { "\(base)/\($0)" }
        }
    }

    /// What the server answered.
    public struct Offer: Sendable, Hashable {
        /// `NumOfFiles`; nil when absent.
        public let numberOfFiles: Int?
        /// `CurrentTime`, as sent.
        public let currentTime: String?
        /// `ServerVersion`, as sent.
        public let serverVersion: String?
        /// `ServiceVersion`, as sent.
        public let serviceVersion: String?
        /// The files offered, in order.
        public let files: [OfferedFile]
    }

    /// Why an answer is not an offer.
    public enum AnswerError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The body is not well-formed XML: the line and the parser's reason.
        case xml(line: Int, reason: String)
        /// The XML has no `<Response>`.
        case noResponse(String)

        /// One line for the admin.
        public var description: String {
            switch self {
            case .xml(let line, let reason): "not well-formed XML (line \(line)): \(reason)"
            case .noResponse(let root): "no <Response> element (the document is <\(root)>)"
            }
        }
    }

    /// Reads a `ucdevice.upx` answer (no network).
    public static func read(_ body: [UInt8]) throws(AnswerError) -> Offer {
        let root: XMLReader.Element
        do {
            root = try XMLReader.parse(body)
        } catch {
            throw .xml(line: error.line, reason: error.reason)
        }
        guard let response = root.allElements.first(where: { $0.localName == "Response" }) else {
            throw .noResponse(root.localName)
        }
        func value(_ name: String, in element: XMLReader.Element) -> String? {
            element.allElements.first { $0.localName == name }.map { $0.text.trimmingSpacesAndNewlines() }
        }
        // Files: each element holding a FileName, its siblings (seed 000 shows them flat under the response).
        let holders = response.allElements.filter { element in element.children.contains { $0.localName == "FileName" } }
        let files = holders.flatMap { holder -> [OfferedFile] in
            let names = holder.children.filter { $0.localName == "FileName" }
            return names.map { name in
                OfferedFile(
                    fileName: name.text.trimmingSpacesAndNewlines(),
                    signatureFileName: value("SignatureFileName", in: holder), descriptionFileName: value("DescriptFile", in: holder),
                    baseURL: value("BaseURL", in: holder), externalBaseURL: value("ExternalBaseURL", in: holder))
            }
        }
        return Offer(
            numberOfFiles: value("NumOfFiles", in: response).flatMap { Int($0) }, currentTime: value("CurrentTime", in: response),
            serverVersion: value("ServerVersion", in: response), serviceVersion: value("ServiceVersion", in: response), files: files)
    }

    /// One check: the request sent, the answer read (bounded) and the offer or why there is none.
    public struct Exchange: Sendable {
        /// The request sent.
        public let request: Request
        /// The address posted to.
        public let address: String
        /// The HTTP status, when the server answered.
        public let status: Int?
        /// The answer's length in bytes.
        public let bodyBytes: Int
        /// The start of the answer as text (at most 512 characters).
        public let excerpt: String
        /// The offer, or why there is none: a transport failure, a status other than 200, an answer that does not read.
        public let outcome: Result<Offer, Failure>
    }

    /// Why a check gave no offer.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Nothing came back (no connection, a timeout, a body past the limit).
        case transport(HTTPError)
        /// The server answered with another status than 200.
        case status(Int)
        /// A 200 answer that is not a `<Response>`.
        case answer(AnswerError)

        /// One line for the admin.
        public var description: String {
            switch self {
            case .transport(let error): error.description
            case .status(let code): "HTTP \(code)"
            case .answer(let error): error.description
            }
        }
    }

    /// Posts `request` to `address` (the caller's own DNS answer), bounded by `limits`, and reads the answer.
    public static func check(_ request: Request, address: String, limits: HTTPFetcher.Limits) -> Exchange {
        let reply: HTTPFetcher.Reply
        do {
            reply = try HTTPFetcher.post(
                request.url, body: Array(request.body.utf8), headers: request.headers, address: address, limits: limits)
        } catch {
            return Exchange(
                request: request, address: address, status: nil, bodyBytes: 0, excerpt: "", outcome: .failure(.transport(error)))
        }
        return Exchange(
            request: request, address: address, status: reply.status, bodyBytes: reply.body.count,
            excerpt: CertificateProvisioning.excerpt(reply.body), outcome: outcome(status: reply.status, body: reply.body))
    }

    /// What one answer gives (no network): the offer in a 200 answer, else why there is none.
    public static func outcome(status: Int, body: [UInt8]) -> Result<Offer, Failure> {
        status != 200
            ? .failure(.status(status)) : Result { () throws(AnswerError) in try read(body) }.mapError { .answer($0) }
    }

    static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;")
            .replacingAll(">", with: "&gt;")
    }
}
