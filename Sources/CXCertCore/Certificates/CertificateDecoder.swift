#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The container a set of certificates arrived in, detected from the bytes.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    /// One DER certificate (a binary `.cer`).
    case der
    /// PEM `CERTIFICATE` block(s), with any text around them.
    case pem
    /// One certificate as bare base64 (a "Base-64 encoded X.509" `.cer` without armour).
    case base64
    /// PKCS#7 SignedData in DER (a binary `.p7b`).
    case pkcs7DER = "pkcs7-der"
    /// PKCS#7 in a PEM `PKCS7` block.
    case pkcs7PEM = "pkcs7-pem"
    /// PKCS#7 as bare base64.
    case pkcs7Base64 = "pkcs7-base64"
    /// certsrv's `certnew.p7b?...&Enc=b64`: PKCS#7 wrapped in `-----BEGIN CERTIFICATE-----`.
    case certsrvP7B = "certsrv-p7b"
    /// Lync Certificate Provisioning `GetRootCertChainsResponse` SOAP/XML.
    case rootCertChainsSOAP = "lync-rootcertchains-soap"
}

/// How text input was encoded.
public enum TextEncoding: String, Sendable, Codable {
    /// Bytes that are not text: DER.
    case binary
    /// UTF-8 without a byte order mark.
    case utf8 = "utf-8"
    /// UTF-8 with a byte order mark, as Notepad saves it.
    case utf8BOM = "utf-8-bom"
    /// UTF-16 little-endian, as Windows saves "Unicode" text.
    case utf16LE = "utf-16le"
    /// UTF-16 big-endian.
    case utf16BE = "utf-16be"
}

/// What ``CertificateDecoder`` found in one input.
public struct DecodedCertificates: Sendable {
    /// The container the certificates came in.
    public let format: InputFormat
    /// How the input was encoded, when it was text.
    public let encoding: TextEncoding
    /// The certificates, in the order the input holds them.
    public let certificates: [Certificate]
    /// Parts that hold no certificate and were passed over (e.g. `PRIVATE KEY block at line 30`).
    public let skipped: [String]
}

/// Reads certificates from bytes in any format the field produces, trusting the content and never
/// the file name: DER, PEM (with surrounding text), bare base64, PKCS#7 (DER, PEM, base64, certsrv),
/// the Lync `GetRootCertChains` SOAP answer, with UTF-8 BOMs or UTF-16 text as Windows saves it.
public struct CertificateDecoder: Sendable {
    /// Bounds that keep hostile input from exhausting memory or the stack.
    public struct Limits: Sendable {
        /// Input larger than this is refused before it is parsed (16 MiB by default).
        public var maxInputBytes: Int
        /// The most certificates one input may hold (10,000 by default).
        public var maxCertificates: Int
        /// The deepest DER nesting the reader follows (64 by default).
        public var maxNestingDepth: Int

        /// Creates limits; the defaults suit any real input.
        public init(maxInputBytes: Int = 16 << 20, maxCertificates: Int = 10_000, maxNestingDepth: Int = 64) {
            self.maxInputBytes = maxInputBytes
            self.maxCertificates = maxCertificates
            self.maxNestingDepth = maxNestingDepth
        }
    }

    /// The bounds this decoder applies.
    public var limits: Limits

    /// Creates a decoder with the given bounds.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// The namespace of the Lync/OCS authentication web services (MS-OCAUTHWS).
    public static let authWebServicesNamespace = "http://schemas.microsoft.com/OCS/AuthWebServices/"

    /// Decodes every certificate in `bytes`, whatever the format (see ``InputFormat``).
    public func decode(_ bytes: [UInt8]) throws(CertificateDecodingError) -> DecodedCertificates {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxInputBytes else { throw .tooLarge(size: bytes.count, limit: limits.maxInputBytes) }
        if Self.looksLikeDER(bytes) {
            let found = try binary(bytes)
            return DecodedCertificates(
                format: found.pkcs7 ? .pkcs7DER : .der, encoding: .binary, certificates: found.certificates, skipped: [])
        }
        let (text, encoding) = try Self.text(bytes)
        let start = text.firstIndex { !Self.isSpace($0) } ?? text.endIndex
        if text.firstRange(of: Array("-----BEGIN ".utf8)) != nil {
            return try pem(text, encoding: encoding)
        }
        if start < text.endIndex, text[start] == UInt8(ascii: "<") {
            return DecodedCertificates(
                format: .rootCertChainsSOAP, encoding: encoding, certificates: try soap(text), skipped: [])
        }
        let decoded = try Base64.decode(text)
        guard !decoded.isEmpty else { throw .noCertificate("the input holds only white space") }
        let found = try binary(decoded)
        return DecodedCertificates(
            format: found.pkcs7 ? .pkcs7Base64 : .base64, encoding: encoding, certificates: found.certificates,
            skipped: [])
    }

    // MARK: Binary

    /// A DER SEQUENCE header, as opposed to text that happens to start with "0".
    static func looksLikeDER<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard bytes.first == DERTag.sequence else { return false }
        guard let second = bytes.dropFirst().first else { return true }
        return second >= 0x80 || second < 0x20
    }

    /// One DER certificate or one PKCS#7 SignedData.
    func binary(_ bytes: [UInt8]) throws(CertificateDecodingError) -> (certificates: [Certificate], pkcs7: Bool) {
        let reader = DERReader(bytes, maxDepth: limits.maxNestingDepth)
        do {
            let outer = try reader.element(at: 0)
            guard outer.tag == DERTag.sequence else {
                throw CertificateDecodingError.malformedDER(
                    offset: 0, reason: "expected a SEQUENCE (0x30), found 0x\(hexString([outer.tag]))")
            }
            let first = try reader.element(at: outer.contentStart, limit: outer.contentEnd, depth: 1)
            if first.tag == DERTag.objectIdentifier {
                guard outer.end == bytes.count else {
                    throw CertificateDecodingError.trailingData(offset: outer.end, count: bytes.count - outer.end)
                }
                return (try pkcs7(reader, contentInfo: outer), true)
            }
            if let other = try Self.otherStructure(reader, outer: outer, first: first) {
                throw CertificateDecodingError.unrecognized(other)
            }
            guard outer.end < bytes.count else { return ([try Certificate(derEncoded: bytes)], false) }
            // Concatenated DER certificates (`cat a.cer b.cer`): one after another, each a whole SEQUENCE.
            var certificates: [Certificate] = []
            var offset = 0
            while offset < bytes.count {
                let element = try reader.element(at: offset)
                guard element.tag == DERTag.sequence else {
                    throw CertificateDecodingError.trailingData(offset: offset, count: bytes.count - offset)
                }
                do {
                    certificates.append(try Certificate(derEncoded: Array(bytes[offset..<element.end])))
                } catch {
                    throw CertificateDecodingError.inPart("DER certificate \(certificates.count + 1) at offset \(offset)", error)
                }
                guard certificates.count <= limits.maxCertificates else {
                    throw CertificateDecodingError.tooManyCertificates(limit: limits.maxCertificates)
                }
                offset = element.end
            }
            return (certificates, false)
        } catch let failure as DERReader.Failure {
            throw CertificateDecodingError(failure)
        } catch let error as CertificateDecodingError {
            throw error
        } catch {
            throw .unrecognized("\(error)")
        }
    }

    /// Files people mistake for certificates: a PKCS#12 bundle (version 3, then a ContentInfo) or a CRL
    /// (its TBS has a time right after the issuer name, where a certificate has its validity SEQUENCE).
    static func otherStructure(_ reader: DERReader, outer: DERReader.Element, first: DERReader.Element) throws -> String? {
        let parts = try reader.children(of: outer)
        if first.tag == DERTag.integer, reader.content(first) == [3], parts.count >= 2, parts[1].tag == DERTag.sequence,
            let inner = try reader.children(of: parts[1], depth: 1).first, inner.tag == DERTag.objectIdentifier
        {
            return
                "a PKCS#12 (.pfx/.p12) file: it bundles a private key, and cxcert reads certificates only; extract them with openssl pkcs12 -in FILE -nokeys -out certs.pem"
        }
        guard first.tag == DERTag.sequence else { return nil }
        var fields = try reader.children(of: first, depth: 1)
        if fields.first?.tag == DERTag.integer { fields.removeFirst() }  // a CRL's optional version
        if fields.count >= 3, fields[0].tag == DERTag.sequence, fields[1].tag == DERTag.sequence,
            fields[2].tag == 0x17 || fields[2].tag == 0x18
        {
            return
                "a certificate revocation list (CRL), not a certificate; openssl crl -inform DER -in FILE -noout -text shows it"
        }
        return nil
    }

    private static let signedDataOID = OID.pkcs7SignedData
    private static let pkcs7ContentTypes = OID.pkcs7ContentTypes

    /// ContentInfo { contentType, [0] EXPLICIT SignedData { version, digestAlgorithms,
    /// encapContentInfo, [0] IMPLICIT certificates OPTIONAL, [1] crls OPTIONAL, signerInfos } }.
    private func pkcs7(_ reader: DERReader, contentInfo: DERReader.Element) throws -> [Certificate] {
        let parts = try reader.children(of: contentInfo)
        let oid = OIDString.dotted(reader.content(parts[0])) ?? "an invalid OID"
        guard oid == Self.signedDataOID else {
            let name = Self.pkcs7ContentTypes[oid].map { "\($0) (\(oid))" } ?? oid
            throw CertificateDecodingError.notSignedData(contentType: name)
        }
        guard parts.count >= 2, parts[1].tag == DERTag.contextConstructed0 else {
            throw CertificateDecodingError.malformedDER(offset: contentInfo.headerStart, reason: "SignedData content is missing")
        }
        guard let signedData = try reader.children(of: parts[1], depth: 1).first, signedData.tag == DERTag.sequence else {
            throw CertificateDecodingError.malformedDER(offset: parts[1].contentStart, reason: "SignedData is not a SEQUENCE")
        }
        let fields = try reader.children(of: signedData, depth: 2)
        guard fields.count >= 3, fields[0].tag == DERTag.integer, fields[1].tag == DERTag.set,
            fields[2].tag == DERTag.sequence
        else {
            throw CertificateDecodingError.malformedDER(
                offset: signedData.headerStart, reason: "SignedData lacks version, digestAlgorithms or contentInfo")
        }
        guard let set = fields.dropFirst(3).first(where: { $0.tag == DERTag.contextConstructed0 }) else {
            throw CertificateDecodingError.noCertificate("the PKCS#7 SignedData has no certificates field")
        }
        let entries = try reader.children(of: set, depth: 3)
        guard entries.count <= limits.maxCertificates else {
            throw CertificateDecodingError.tooManyCertificates(limit: limits.maxCertificates)
        }
        var certificates: [Certificate] = []
        for (index, entry) in entries.enumerated() where entry.tag == DERTag.sequence {
            do {
                certificates.append(try Certificate(derEncoded: Array(reader.slice(entry))))
            } catch {
                throw CertificateDecodingError.inPart("PKCS#7 certificate \(index + 1) at offset \(entry.headerStart)", error)
            }
        }
        guard !certificates.isEmpty else {
            throw CertificateDecodingError.noCertificate("the PKCS#7 SignedData holds no X.509 certificates")
        }
        return certificates
    }

    // MARK: Text

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// UTF-8 bytes of the input text, after removing a BOM or converting UTF-16 as Windows tools save it.
    static func text(_ bytes: [UInt8]) throws(CertificateDecodingError) -> ([UInt8], TextEncoding) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return try utf8(Array(bytes.dropFirst(3)), .utf8BOM) }
        if bytes.starts(with: [0xFF, 0xFE]) { return try utf16(bytes.dropFirst(2), littleEndian: true) }
        if bytes.starts(with: [0xFE, 0xFF]) { return try utf16(bytes.dropFirst(2), littleEndian: false) }
        if bytes.count >= 4, bytes.count % 2 == 0 {
            if bytes[0] != 0, bytes[1] == 0, bytes[3] == 0 { return try utf16(bytes[...], littleEndian: true) }
            if bytes[0] == 0, bytes[1] != 0, bytes[2] == 0 { return try utf16(bytes[...], littleEndian: false) }
        }
        return try utf8(bytes, .utf8)
    }

    private static func utf8(_ bytes: [UInt8], _ encoding: TextEncoding) throws(CertificateDecodingError) -> ([UInt8], TextEncoding) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 {
                    throw .unrecognized("the input is neither DER (no SEQUENCE at offset 0) nor text (NUL byte at offset \(offset))")
                }
                offset += UTF8.width(scalar)
            case .emptyInput:
                return (bytes, encoding)
            case .error:
                throw .unrecognized(
                    "the input is neither DER (no SEQUENCE at offset 0) nor text (invalid UTF-8 near offset \(offset))")
            }
        }
    }

    private static func utf16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) throws(CertificateDecodingError) -> ([UInt8], TextEncoding) {
        guard bytes.count % 2 == 0 else { throw .unrecognized("UTF-16 text with an odd number of bytes") }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let (a, b) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            index += 2
        }
        var output: [UInt8] = []
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): output.append(contentsOf: String(Character(scalar)).utf8)
            case .emptyInput: break loop
            case .error: throw .unrecognized("invalid UTF-16 text (an unpaired surrogate)")
            }
        }
        return (output, littleEndian ? .utf16LE : .utf16BE)
    }

    // MARK: PEM

    private static let certificateLabels: Set = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]
    private static let pkcs7Labels: Set = ["PKCS7", "PKCS #7 SIGNED DATA", "CMS"]

    private func pem(_ text: [UInt8], encoding: TextEncoding) throws(CertificateDecodingError) -> DecodedCertificates {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        var certificates: [Certificate] = []
        var skipped: [String] = []
        var kinds: Set<InputFormat> = []
        var number = 0
        while number < lines.count {
            let line = lines[number].trimmingSpaces()
            number += 1
            guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 else { continue }
            let label = String(line.dropFirst(11).dropLast(5))
            let beginLine = number
            var body: [UInt8] = []
            var closed = false
            var inHeaders = true
            while number < lines.count {
                let current = lines[number].trimmingSpaces()
                number += 1
                if current.hasPrefix("-----END ") {
                    guard current == "-----END \(label)-----" else {
                        throw .pem(line: number, reason: "\(current) closes BEGIN \(label) from line \(beginLine)")
                    }
                    closed = true
                    break
                }
                // RFC 1421 headers (Proc-Type: ...) come before the base64.
                if inHeaders, current.contains(":") { continue }
                inHeaders = false
                body.append(contentsOf: current.utf8)
                body.append(UInt8(ascii: "\n"))
            }
            guard closed else { throw .pem(line: beginLine, reason: "BEGIN \(label) has no matching END line") }
            let isCertificate = Self.certificateLabels.contains(label)
            guard isCertificate || Self.pkcs7Labels.contains(label) else {
                skipped.append("\(label) block at line \(beginLine)")
                continue
            }
            let part = "PEM block \(label) at line \(beginLine)"
            do throws(CertificateDecodingError) {
                var der = try Base64.decode(body, firstLine: beginLine + 1)
                if label == "TRUSTED CERTIFICATE" {
                    // OpenSSL's trusted form appends trust settings after the certificate.
                    let end = (try? DERReader(der).element(at: 0).end) ?? der.count
                    der = Array(der.prefix(end))
                }
                let found = try binary(der)
                kinds.insert(found.pkcs7 ? (isCertificate ? .certsrvP7B : .pkcs7PEM) : .pem)
                certificates += found.certificates
                guard certificates.count <= limits.maxCertificates else {
                    throw .tooManyCertificates(limit: limits.maxCertificates)
                }
            } catch {
                throw .inPart(part, error)
            }
        }
        guard !certificates.isEmpty else {
            let seen = skipped.isEmpty ? "" : " (only \(skipped.joined(separator: ", ")))"
            throw .noCertificate("no CERTIFICATE or PKCS7 PEM block\(seen)")
        }
        let format: InputFormat = kinds.count == 1 ? kinds.first! : .pem
        return DecodedCertificates(format: format, encoding: encoding, certificates: certificates, skipped: skipped)
    }

    // MARK: SOAP

    /// Each `<Chain>` holds one base64 PKCS#7. The operation is not in the published MS-OCAUTHWS
    /// text and a captured trace shows the answer with `xmlns=""`, so the reader accepts
    /// `GetRootCertChainsResponse` in any namespace, or else any element in the AuthWebServices
    /// namespace, and then tries base64 text under it when no `<Chain>` is present.
    private func soap(_ text: [UInt8]) throws(CertificateDecodingError) -> [Certificate] {
        let root: XMLReader.Element
        do {
            root = try XMLReader.parse(text)
        } catch {
            throw .xml(line: error.line, reason: error.reason)
        }
        let elements = root.allElements
        if let fault = elements.first(where: { $0.localName == "Fault" }) {
            let reason = fault.allElements.first { ["faultstring", "Text"].contains($0.localName) }?.text
            throw .soapFault(reason?.trimmingSpacesAndNewlines() ?? "no reason given")
        }
        // Depth-first order: the first match is the outermost.
        let scope =
            elements.first { $0.localName == "GetRootCertChainsResponse" }
            ?? elements.first { $0.namespace == Self.authWebServicesNamespace }
        guard let scope else {
            throw .noCertificate(
                "XML with neither GetRootCertChainsResponse nor an element in the \(Self.authWebServicesNamespace) namespace")
        }
        if let outcome = scope.attributes["ResponseClass"], outcome != "Success" {
            throw .soapFault("GetRootCertChainsResponse ResponseClass=\"\(outcome)\"")
        }
        let inside = scope.allElements
        var parts = inside.filter { $0.localName == "Chain" }
        if parts.isEmpty {
            parts = inside.filter { $0.text.trimmingSpacesAndNewlines().count >= 64 }
        }
        guard !parts.isEmpty else { throw .noCertificate("the GetRootCertChains answer has no <Chain> element") }
        var certificates: [Certificate] = []
        for (index, part) in parts.enumerated() {
            do throws(CertificateDecodingError) {
                let der = try Base64.decode(Array(part.text.utf8), firstLine: part.line)
                certificates += try binary(der).certificates
                guard certificates.count <= limits.maxCertificates else {
                    throw .tooManyCertificates(limit: limits.maxCertificates)
                }
            } catch {
                throw .inPart("<\(part.localName)> \(index + 1) at line \(part.line)", error)
            }
        }
        return certificates
    }
}

extension CertificateDecoder {
    /// Reads (through ``BoundedReader``, capped at the input limit) and decodes a file.
    public func decode(contentsOf url: URL) throws(CertificateDecodingError) -> DecodedCertificates {
        try decode(path: url.path)
    }
}

extension CertificateDecoder {
    /// Reads (through ``BoundedReader``, capped at the input limit) and decodes the file at `path`.
    public func decode(path: String) throws(CertificateDecodingError) -> DecodedCertificates {
        let bytes: [UInt8]
        do { bytes = try BoundedReader.read(path: path, limit: limits.maxInputBytes) } catch { throw .read(error) }
        return try decode(bytes)
    }

    /// Reads an open descriptor (standard input, a pipe) to its end, capped at the input limit, and decodes it;
    /// `name` names it in errors.
    public func decode(descriptor: Int32, name: String) throws(CertificateDecodingError) -> DecodedCertificates {
        let bytes: [UInt8]
        do { bytes = try BoundedReader.read(descriptor: descriptor, path: name, limit: limits.maxInputBytes) } catch { throw .read(error) }
        return try decode(bytes)
    }
}
