/// Why bytes could not be read as certificates, with the place where they went wrong.
public indirect enum CertificateDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input holds no bytes.
    case empty
    /// The input could not be read at all (missing file, permissions, a directory).
    case unreadable(String)
    /// The input is `size` bytes, more than the decoder's `limit`.
    case tooLarge(size: Int, limit: Int)
    /// The named path could not be read (missing, a directory, a device, over the limit, a symlink loop).
    case read(BoundedReader.Failure)
    /// A DER element at `offset` declares more bytes than the input has.
    case truncated(offset: Int, needed: Int, available: Int)
    /// The DER at `offset` is not what a certificate or PKCS#7 structure holds there.
    case malformedDER(offset: Int, reason: String)
    /// `count` bytes follow the last DER element, from `offset`.
    case trailingData(offset: Int, count: Int)
    /// DER nests deeper than the decoder's `limit`, at `offset`.
    case nestingTooDeep(offset: Int, limit: Int)
    /// A PKCS#7 ContentInfo whose content type is not SignedData.
    case notSignedData(contentType: String)
    /// Base64 text that does not decode, at a line and column.
    case invalidBase64(line: Int, column: Int, reason: String)
    /// A PEM block that cannot be read (such as an unterminated `BEGIN`), at `line`.
    case pem(line: Int, reason: String)
    /// XML that cannot be parsed, at `line`.
    case xml(line: Int, reason: String)
    /// The SOAP answer is a fault, with its reason.
    case soapFault(String)
    /// OpenSSL refused the certificate body.
    case invalidCertificate(reason: String)
    /// The input holds more certificates than the decoder's `limit`.
    case tooManyCertificates(limit: Int)
    /// The input is well formed but holds no certificate (only white space, an empty PKCS#7).
    case noCertificate(String)
    /// The input is none of the formats the decoder reads, or another structure (a PKCS#12 file, a CRL), with
    /// what it is and the command that helps.
    case unrecognized(String)
    /// An error inside one part of a container (a PEM block, a PKCS#7 entry, a SOAP `<Chain>`).
    case inPart(String, CertificateDecodingError)

    public var description: String {
        switch self {
        case .empty: "the input is empty"
        case .unreadable(let reason): reason
        case .read(let failure): failure.reason
        case .tooLarge(let size, let limit): "the input is \(size) bytes; the limit is \(limit) bytes"
        case .truncated(let offset, let needed, let available):
            "truncated DER at offset \(offset): the element needs \(needed) bytes, \(available) remain"
        case .malformedDER(let offset, let reason): "malformed DER at offset \(offset): \(reason)"
        case .trailingData(let offset, let count): "\(count) unexpected bytes after the DER element, at offset \(offset)"
        case .nestingTooDeep(let offset, let limit): "DER nested deeper than \(limit) levels at offset \(offset)"
        case .notSignedData(let type): "PKCS#7 content type is \(type), not SignedData"
        case .invalidBase64(let line, let column, let reason): "base64 does not decode (line \(line), column \(column)): \(reason)"
        case .pem(let line, let reason): "PEM error at line \(line): \(reason)"
        case .xml(let line, let reason): "XML error at line \(line): \(reason)"
        case .soapFault(let text): "the SOAP answer is a fault: \(text)"
        case .invalidCertificate(let reason): "not a valid X.509 certificate: \(reason)"
        case .tooManyCertificates(let limit): "more than \(limit) certificates in one input"
        case .noCertificate(let reason): "no certificate found: \(reason)"
        case .unrecognized(let reason): reason
        case .inPart(let part, let error): "\(part): \(error.description)"
        }
    }

    init(_ failure: DERReader.Failure) {
        switch failure.kind {
        case .truncated(let needed, let available):
            self = .truncated(offset: failure.offset, needed: needed, available: available)
        case .malformed(let reason): self = .malformedDER(offset: failure.offset, reason: reason)
        case .tooDeep(let limit): self = .nestingTooDeep(offset: failure.offset, limit: limit)
        }
    }
}
