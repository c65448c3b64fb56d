#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One row of the phones' built-in trusted-authorities cache: the vendor guide's row as printed,
/// the real certificate behind it, and how sure we are that it is the one the phone holds.
public struct TrustStoreEntry: Sendable, Identifiable {
    /// The row exactly as the deployment guide prints it, typos included.
    public struct GuideRow: Sendable, Codable, Equatable {
        /// The vendor column (`VeriSign`).
        public let vendor: String
        /// The certificate name column, as printed (`Comodo` for RSA's Secure Server CA).
        public let name: String
        /// The expiry column, as printed (`1/7/2010`).
        public let expiry: String
        /// The key length column, as printed (`1000`).
        public let keyLength: String
    }

    /// How the certificate relates to the guide's row.
    public enum Match: String, Sendable, Codable {
        /// Subject, expiry and key length all agree with the guide.
        case exact
        /// The right certificate; the guide's row has an error.
        case approx
        /// The identity is inferred.
        case probable
    }

    /// The facts the table records about the certificate (checked against it by the tests).
    public struct RecordedFacts: Sendable, Codable, Equatable {
        /// The subject, RFC 4514.
        public let subject: String
        /// The start of the validity period, ISO 8601 UTC.
        public let notBefore: String
        /// The end of the validity period, ISO 8601 UTC.
        public let notAfter: String
        /// The key type (`RSA`).
        public let keyType: String
        /// The key size in bits.
        public let keyBits: Int
        /// OpenSSL's name of the self-signature's algorithm (`md2WithRSAEncryption`).
        public let signatureAlgorithm: String
        /// The serial number, uppercase hex.
        public let serial: String
        /// The SHA-1 thumbprint, uppercase hex.
        public let sha1: String
        /// The SHA-256 fingerprint, uppercase hex.
        public let sha256: String
    }

    public var id: Int { row }
    /// The row number in the guide's table (1 to 17); also the entry's ``id``.
    public let row: Int
    /// The guide's row as printed.
    public let guide: GuideRow
    /// The PEM file under `TrustStore/`.
    public let file: String
    /// The name Windows shows for the certificate: the CN, else the OU.
    public let displayName: String
    /// The facts the table records about the certificate.
    public let recorded: RecordedFacts
    /// How the certificate relates to the guide's row.
    public let match: Match
    /// How sure the identification is.
    public let confidence: Confidence
    /// Where the guide's row is wrong, one sentence each.
    public let guideErrors: [String]
    /// Why this certificate was chosen, and what is notable about it (key size, signature, expiry).
    public let note: String
    /// Where the certificate comes from (such as the NSS `certdata.txt` tag).
    public let source: String
    /// Re-issues or near namesakes under `TrustStore/alternates/`.
    public let alternates: [String]
    /// The certificate, decoded from the embedded PEM file.
    public let certificate: Certificate
}

/// The trusted-authorities cache the phones ship with: 17 public roots, compiled into the library
/// so that a `cxcert` binary copied alone still has them.
public enum BuiltInTrustStore {
    /// The table, in the guide's order.
    public static let entries: [TrustStoreEntry] = load()

    /// The root certificates, in the guide's order.
    public static var certificates: [Certificate] { entries.map(\.certificate) }

    /// The table's title and sources, for display.
    public static let title = "Lync/OCS Phone Edition built-in trusted-authorities cache"

    /// One row of `TrustStore/index.json`'s `entries`, as the file spells it. The rows are compiled into
    /// ``indexRows`` (`Scripts/device-data`): a start decodes no JSON; `TrustStoreTests` holds them equal to the file.
    struct IndexRow: Decodable, Equatable {
        let row: Int
        let guide: TrustStoreEntry.GuideRow
        let file: String
        let displayName: String
        let subject, notBefore, notAfter, keyType: String
        let keyBits: Int
        let signatureAlgorithm, serial, sha1, sha256: String
        let match: TrustStoreEntry.Match
        let confidence: Confidence
        let guideErrors: [String]
        let note, source: String
        let alternates: [String]
    }

    private static func load() -> [TrustStoreEntry] {
        // The compiled rows are checked by the test suite; a failure here is a build defect, not input.
        do {
            return try zip(indexRows, roots).map { row, root in
                guard row.row == root.row, row.file == root.file else {
                    throw CertificateDecodingError.unreadable("TrustStore/index.json changed while it was read")
                }
                return TrustStoreEntry(
                    row: row.row, guide: row.guide, file: row.file, displayName: row.displayName,
                    recorded: .init(
                        subject: row.subject, notBefore: row.notBefore, notAfter: row.notAfter, keyType: row.keyType,
                        keyBits: row.keyBits, signatureAlgorithm: row.signatureAlgorithm, serial: row.serial,
                        sha1: row.sha1, sha256: row.sha256),
                    match: row.match, confidence: row.confidence, guideErrors: row.guideErrors, note: row.note,
                    source: row.source, alternates: row.alternates, certificate: root.certificate)
            }
        } catch {
            fatalError("the embedded trust store is corrupt (a build defect): \(error)")
        }
    }

    /// The roots as path building first needs them, in the guide's order: each root's DER and names read
    /// without OpenSSL, the certificate decoded on first use. A one-shot `verify` decodes only the roots a chain
    /// can reach by issuer name (OpenSSL's decoding of 17 roots cost a third of its start-up).
    static let roots: [Root] = {
        do {
            return try indexRows.map { row in
                guard let pem = EmbeddedData.trustStoreFile(row.file) else {
                    throw CertificateDecodingError.unreadable("TrustStore/\(row.file) is not embedded")
                }
                return try Root(row: row.row, file: row.file, pem: pem)
            }
        } catch {
            fatalError("the embedded trust store is corrupt (a build defect): \(error)")
        }
    }()

    /// One root of the cache: what path building matches on (the DER of its subject and issuer, and their
    /// canonical forms for ``NextChange``), read from the embedded DER, and the certificate decoded once, when
    /// a path or a report first needs it.
    final class Root: Sendable {
        /// The row number in the guide's table.
        let row: Int
        /// The PEM file under `TrustStore/`.
        let file: String
        /// The certificate's DER.
        let der: [UInt8]
        /// The subject name's DER (what ``DistinguishedName`` compares).
        let subject: [UInt8]
        /// The issuer name's DER.
        let issuer: [UInt8]
        /// ``NextChange/canonical(_:)`` of the subject and the issuer, or nil where a value is in a string
        /// type read here only through OpenSSL (then the decoded certificate's names are used).
        let canonicalSubject: String?
        let canonicalIssuer: String?
        private let decoded = Once<Certificate>()

        init(row: Int, file: String, pem: [UInt8]) throws(CertificateDecodingError) {
            self.row = row
            self.file = file
            der = try Self.der(pem: pem, file: file)
            do throws(DERReader.Failure) {
                let reader = DERReader(der)
                let outer = try reader.children(of: try reader.element(at: 0))
                guard let tbs = outer.first else { throw DERReader.Failure(offset: 0, kind: .malformed("empty")) }
                var fields = try reader.children(of: tbs)
                if fields.first?.tag == DERTag.contextConstructed0 { fields.removeFirst() }
                guard fields.count >= 5, fields[2].tag == DERTag.sequence, fields[4].tag == DERTag.sequence else {
                    throw DERReader.Failure(offset: tbs.contentStart, kind: .malformed("no issuer and subject"))
                }
                issuer = Array(reader.slice(fields[2]))
                subject = Array(reader.slice(fields[4]))
            } catch {
                throw .unreadable("TrustStore/\(file): \(error)")
            }
            canonicalSubject = NextChange.canonical(nameDER: subject)
            canonicalIssuer = NextChange.canonical(nameDER: issuer)
        }

        /// The certificate, decoded by OpenSSL on the first call.
        var certificate: Certificate {
            decoded.value {
                // The embedded data is checked by the test suite; a failure here is a build defect, not input.
                do {
                    let certificates = try CertificateDecoder().decode(der).certificates
                    guard certificates.count == 1, let certificate = certificates.first else {
                        throw CertificateDecodingError.unreadable("TrustStore/\(file) must hold one certificate")
                    }
                    return certificate
                } catch {
                    fatalError("the embedded trust store is corrupt (a build defect): \(error)")
                }
            }
        }

        /// The cache's anchor for this root.
        var anchor: TrustAnchor { TrustAnchor(certificate: certificate, source: .builtInCache(row: row)) }

        /// The DER of the one `CERTIFICATE` block of an embedded PEM file.
        private static func der(pem: [UInt8], file: String) throws(CertificateDecodingError) -> [UInt8] {
            // A plain byte search: the generic `firstRange(of:)` cost a million instructions a file.
            func find(_ marker: String, from start: Int) -> Range<Int>? {
                let marker = Array(marker.utf8)
                guard pem.count >= marker.count, start <= pem.count - marker.count else { return nil }
                for offset in start...(pem.count - marker.count) where pem[offset] == marker[0] {
                    if pem[offset..<offset + marker.count].elementsEqual(marker) { return offset..<offset + marker.count }
                }
                return nil
            }
            guard let begin = find("-----BEGIN CERTIFICATE-----", from: 0),
                let end = find("-----END CERTIFICATE-----", from: begin.upperBound)
            else { throw .unreadable("TrustStore/\(file) holds no CERTIFICATE block") }
            return try Base64.decode(pem[begin.upperBound..<end.lowerBound])
        }
    }
}

/// A value computed once, on first use, by whichever thread asks first.
final class Once<Value: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: Value?

    /// The value, computed by `make` on the first call.
    func value(_ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let stored { return stored }
        let made = make()
        stored = made
        return made
    }
}
