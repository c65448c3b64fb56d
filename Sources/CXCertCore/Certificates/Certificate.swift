#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An X.509 certificate, parsed once from DER into immutable fields.
///
/// Two certificates are equal when their DER encodings are equal.
///
/// ## Decoding and OpenSSL
/// A `Certificate` is made only from bytes that OpenSSL's `d2i_X509` also accepts, so no later use can find OpenSSL
/// refusing what decoding took. Most certificates are read part by part, each part with the decoder `d2i_X509` uses
/// for it (`X509_ALGOR` for both algorithm identifiers, `ASN1_INTEGER`, `X509_NAME`, `ASN1_TIME`, `X509_EXTENSION`)
/// around a strictly encoded RSA key; anything else (another key type, RSA-PSS, a v1 or v2 certificate with unique
/// identifiers, an extension that does not decode) is decoded whole by `d2i_X509` at once and refused there with its
/// reason. The whole OpenSSL object, which OpenSSL 3.0 makes costly by building a key decoder for each, is decoded
/// on first use (path validation, signatures) and shared by every copy. Should OpenSSL refuse it even so, which
/// would be a gap in the rule above (the differential, mutation and fuzz tests look for one), no use traps: path
/// validation reports the leaf as an internal error and leaves out an intermediate or anchor, a signature check
/// answers unknown or not signed, and the web-PKI extension readers answer unreadable; none makes a verdict pass.
public struct Certificate: Sendable, Hashable, CustomStringConvertible {
    /// The exact DER encoding.
    public let der: [UInt8]
    /// The X.509 version (1, 2 or 3).
    public let version: Int
    /// The subject name, in encoded order.
    public let subject: DistinguishedName
    /// The issuer name, in encoded order; path building matches it against a candidate issuer's subject.
    public let issuer: DistinguishedName
    /// The serial number, typed.
    public let serial: SerialNumber
    /// The serial number as uppercase hex without separators (a leading `-` if negative).
    public var serialNumber: String { serial.hex }
    /// The start of the validity period (inclusive).
    public let notBefore: Date
    /// The end of the validity period (inclusive).
    public let notAfter: Date
    /// The algorithm of the issuer's signature over this certificate.
    public let signatureAlgorithm: SignatureAlgorithm
    /// The subject's public key: algorithm, size and curve.
    public let publicKey: PublicKeyInfo
    /// basicConstraints, or `nil` when the extension is absent.
    public let basicConstraints: BasicConstraints?
    /// keyUsage, or `nil` when the extension is absent.
    public let keyUsage: KeyUsage?
    /// extendedKeyUsage purposes, or `nil` when the extension is absent.
    public let extendedKeyUsage: [ExtendedKeyUsage]?
    /// The subjectAltName entries in encoded order; empty when the extension is absent.
    public let subjectAlternativeNames: [GeneralName]
    /// The authorityKeyIdentifier's key identifier, or `nil` when absent.
    public let authorityKeyIdentifier: [UInt8]?
    /// The subjectKeyIdentifier, or `nil` when the extension is absent.
    public let subjectKeyIdentifier: [UInt8]?
    /// The URLs of the CRL distribution points.
    public let crlDistributionPoints: [String]
    /// OCSP responder URLs from Authority Information Access.
    public let ocspURLs: [String]
    /// CA issuer certificate URLs from Authority Information Access.
    public let caIssuerURLs: [String]
    /// Every extension present, in order.
    public let extensions: [ExtensionInfo]
    /// SHA-1 over the DER: the Windows "thumbprint".
    public let sha1: Fingerprint
    /// SHA-256 over the DER.
    public let sha256: Fingerprint
    /// True when the certificate may serve TLS: no extendedKeyUsage, or one listing serverAuth or anyExtendedKeyUsage.
    public var allowsServerAuth: Bool {
        extendedKeyUsage.map { $0.contains { [ExtendedKeyUsage.serverAuthOID, ExtendedKeyUsage.anyOID].contains($0.oid) } } ?? true
    }
    /// The SHA-1 thumbprint as uppercase hex without separators, as certutil prints it.
    public var sha1Thumbprint: String { sha1.hex }
    /// The SHA-256 fingerprint as uppercase hex without separators.
    public var sha256Fingerprint: String { sha256.hex }

    /// The OpenSSL object, decoded once on first use (validation, signatures) and shared by every copy; nil only if
    /// OpenSSL refuses bytes the DER reader read, which the rule under "Decoding and OpenSSL" excludes.
    var handle: X509Handle? { box.handle }
    /// True when OpenSSL's whole-certificate decoder accepts these bytes (decoding them if no use has yet): the rule
    /// the fuzz target checks on every input `init(derEncoded:)` takes.
    package var opensslAccepts: Bool { handle != nil }
    private let box: LazyX509Handle

    /// Parses one DER-encoded certificate.
    ///
    /// - Throws: ``CertificateDecodingError`` naming the offset of a truncation or the reason OpenSSL gives.
    public init(derEncoded bytes: [UInt8]) throws(CertificateDecodingError) {
        let reader = DERReader(bytes)
        let outer: DERReader.Element
        do {
            outer = try reader.element(at: 0)
        } catch {
            throw CertificateDecodingError(error)
        }
        guard outer.tag == DERTag.sequence else {
            throw .malformedDER(offset: 0, reason: "a certificate starts with a SEQUENCE (0x30), found 0x\(hexString([outer.tag]))")
        }
        guard outer.end == bytes.count else {
            throw .trailingData(offset: outer.end, count: bytes.count - outer.end)
        }
        self.der = bytes
        if let fields = DERCertificateFields(bytes) {
            // No whole X509 until something needs one: OpenSSL 3.0 builds a key decoder context for every one.
            box = LazyX509Handle(der: bytes)
            version = fields.version
            subject = fields.subject
            issuer = fields.issuer
            serial = fields.serial
            notBefore = fields.notBefore
            notAfter = fields.notAfter
            signatureAlgorithm = fields.signatureAlgorithm
            publicKey = fields.publicKey
            basicConstraints = fields.basicConstraints
            keyUsage = fields.keyUsage
            extendedKeyUsage = fields.extendedKeyUsage
            subjectAlternativeNames = fields.subjectAlternativeNames
            authorityKeyIdentifier = fields.authorityKeyIdentifier
            subjectKeyIdentifier = fields.subjectKeyIdentifier
            crlDistributionPoints = fields.crlDistributionPoints
            ocspURLs = fields.authorityInformationAccess.filter { $0.method == "OCSP" }.map(\.location)
            caIssuerURLs = fields.authorityInformationAccess.filter { $0.method == "caIssuers" }.map(\.location)
            extensions = fields.extensions
            sha1 = Fingerprint(.sha1, of: bytes)
            sha256 = Fingerprint(.sha256, of: bytes)
            return
        }
        let handle: X509Handle
        do {
            handle = try X509Handle(der: bytes)
        } catch {
            throw .invalidCertificate(reason: error.description)
        }
        guard let notBefore = handle.notBefore, let notAfter = handle.notAfter else {
            throw .invalidCertificate(reason: "the validity dates cannot be read")
        }
        let extensions = handle.extensions
        let access = handle.authorityInformationAccess

        self.box = LazyX509Handle(handle)
        self.version = handle.version
        self.subject = handle.subject
        self.issuer = handle.issuer
        self.serial = handle.serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.signatureAlgorithm = handle.signatureAlgorithm
        self.publicKey = handle.publicKey
        self.basicConstraints = handle.basicConstraints(
            critical: extensions.first { $0.oid == OID.basicConstraints }?.critical ?? false)
        self.keyUsage = handle.keyUsage
        self.extendedKeyUsage = handle.extendedKeyUsage
        self.subjectAlternativeNames = handle.subjectAlternativeNames
        self.authorityKeyIdentifier = handle.authorityKeyIdentifier
        self.subjectKeyIdentifier = handle.subjectKeyIdentifier
        self.crlDistributionPoints = handle.crlDistributionPoints
        self.ocspURLs = access.filter { $0.method == "OCSP" }.map(\.location)
        self.caIssuerURLs = access.filter { $0.method == "caIssuers" }.map(\.location)
        self.extensions = extensions
        self.sha1 = Fingerprint(.sha1, of: bytes)
        self.sha256 = Fingerprint(.sha256, of: bytes)
    }

    /// Whether basicConstraints marks this certificate as a CA.
    public var isCA: Bool { basicConstraints?.isCA ?? false }

    /// Subject and issuer are the same name (a root, or a self-issued key rollover).
    public var isSelfIssued: Bool { subject == issuer }

    /// The DNS names of the subjectAltName extension, as written.
    public var dnsNames: [String] {
        subjectAlternativeNames.compactMap { if case .dns(let name) = $0 { name } else { nil } }
    }

    /// Whether `date` falls inside notBefore...notAfter.
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    public var description: String { "\(subject.displayName) [\(sha1Thumbprint)]" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.der == rhs.der }

    /// The certificates a server presented (its own first), decoded in order up to the first that cannot be read, and
    /// why that one cannot: a later certificate is never judged in the place of the one before it (an intermediate as
    /// the server's certificate when the server's own is unreadable).
    package static func presentedChain(_ ders: [[UInt8]]) -> (chain: [Certificate], unreadable: CertificateDecodingError?) {
        var chain: [Certificate] = []
        for der in ders {
            do {
                chain.append(try Certificate(derEncoded: der))
            } catch {
                return (chain, error)
            }
        }
        return (chain, nil)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

/// A certificate's OpenSSL object, decoded from its DER on first use, once, whichever thread asks first.
final class LazyX509Handle: @unchecked Sendable {
    private let lock = Lock()
    private var der: [UInt8]?
    private var decoded: X509Handle?

    /// An object to decode from `der` when first asked for.
    init(der: [UInt8]) { self.der = der }
    /// An object already decoded.
    init(_ handle: X509Handle) { decoded = handle }

    var handle: X509Handle? {
        lock.withLock {
            if let der {
                decoded = try? X509Handle(der: der)
                self.der = nil
            }
            return decoded
        }
    }
}
