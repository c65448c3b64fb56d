import Foundation

/// One row of the phones' built-in trusted-authorities cache: the vendor guide's row as printed,
/// the real certificate behind it, and how sure we are that it is the one the phone holds.
public struct TrustStoreEntry: Sendable, Identifiable {
    /// The row exactly as the deployment guide prints it, typos included.
    public struct GuideRow: Sendable, Codable, Equatable {
        public let vendor: String
        public let name: String
        public let expiry: String
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
        public let subject: String
        public let notBefore: String
        public let notAfter: String
        public let keyType: String
        public let keyBits: Int
        public let signatureAlgorithm: String
        public let serial: String
        public let sha1: String
        public let sha256: String
    }

    public var id: Int { row }
    public let row: Int
    public let guide: GuideRow
    /// The PEM file under `TrustStore/`.
    public let file: String
    public let displayName: String
    public let recorded: RecordedFacts
    public let match: Match
    public let confidence: Confidence
    /// Where the guide's row is wrong, one sentence each.
    public let guideErrors: [String]
    public let note: String
    public let source: String
    /// Re-issues or near namesakes under `TrustStore/alternates/`.
    public let alternates: [String]
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

    private struct IndexFile: Decodable {
        struct Row: Decodable {
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
        let entries: [Row]
    }

    private static func load() -> [TrustStoreEntry] {
        // The embedded data is checked by the test suite; a failure here is a build defect, not input.
        do {
            let index = try JSONDecoder().decode(IndexFile.self, from: Data(EmbeddedData.trustStoreIndex))
            return try index.entries.map { row in
                guard let pem = EmbeddedData.trustStoreFile(row.file) else {
                    throw CertificateDecodingError.unreadable("TrustStore/\(row.file) is not embedded")
                }
                let decoded = try CertificateDecoder().decode(Data(pem))
                guard decoded.certificates.count == 1, let certificate = decoded.certificates.first else {
                    throw CertificateDecodingError.unreadable("TrustStore/\(row.file) must hold one certificate")
                }
                return TrustStoreEntry(
                    row: row.row, guide: row.guide, file: row.file, displayName: row.displayName,
                    recorded: .init(
                        subject: row.subject, notBefore: row.notBefore, notAfter: row.notAfter, keyType: row.keyType,
                        keyBits: row.keyBits, signatureAlgorithm: row.signatureAlgorithm, serial: row.serial,
                        sha1: row.sha1, sha256: row.sha256),
                    match: row.match, confidence: row.confidence, guideErrors: row.guideErrors, note: row.note,
                    source: row.source, alternates: row.alternates, certificate: certificate)
            }
        } catch {
            fatalError("the embedded trust store is corrupt (a build defect): \(error)")
        }
    }
}
