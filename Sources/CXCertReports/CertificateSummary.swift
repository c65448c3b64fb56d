import CXCertCore
import Foundation

/// The stable JSON form of one certificate (the `cxcert inspect --json` schema): `file`, `format` and `encoding`
/// beside the ``/CXCertCore/CertificateJSON/Full`` view.
///
/// Every key is always present; absent extensions are `null`. See the README for the schema.
public struct CertificateSummary: Encodable, Sendable {
    /// The certificate summarised.
    public let certificate: Certificate
    /// Where the certificate came from, when it came from a file.
    public let file: String?
    /// The container it was found in.
    public let format: InputFormat?
    /// How the input was encoded, when known.
    public let encoding: TextEncoding?

    /// Creates the summary of a certificate, with where it came from when known.
    public init(_ certificate: Certificate, file: String? = nil, format: InputFormat? = nil, encoding: TextEncoding? = nil) {
        self.certificate = certificate
        self.file = file
        self.format = format
        self.encoding = encoding
    }

    private enum Key: String, CodingKey { case file, format, encoding }

    /// Where the certificate came from, then the full ``/CXCertCore/CertificateJSON/Full`` view.
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(file, forKey: .file)
        try out.encode(format, forKey: .format)
        try out.encode(encoding, forKey: .encoding)
        try CertificateJSON.Full(certificate).encode(to: encoder)
    }
}
