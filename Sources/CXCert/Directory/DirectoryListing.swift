import Foundation

/// `cxcert ds list`: every PKI object holding certificates, by container.
public struct DirectoryListing: Sendable, Encodable {
    /// One PKI object and the certificates it holds.
    public struct Object: Sendable, Encodable {
        /// The object's distinguished name.
        public let dn: String
        /// `Certification Authorities`, `AIA`, `NTAuthCertificates`, `Enrollment Services` or `other`.
        public let container: String
        /// The `cACertificate` values that decode as certificates.
        public let certificates: [CertificateReference]
        /// How many one-byte placeholder values the object holds besides them.
        public let placeholders: Int
    }
    /// Every certification-authority and enrollment-service object of the snapshot, in its order.
    public let objects: [Object]

    /// Lists a snapshot's objects, naming each one's container from its DN.
    public init(_ snapshot: DirectorySnapshot) {
        func container(_ dn: String) -> String {
            let parts = dn.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for name in ["certification authorities", "aia", "enrollment services"] where parts.dropFirst().first == "cn=\(name)" {
                return [
                    "certification authorities": "Certification Authorities", "aia": "AIA", "enrollment services": "Enrollment Services",
                ][name]!
            }
            return parts.first == "cn=ntauthcertificates" ? "NTAuthCertificates" : "other"
        }
        objects = (snapshot.certificationAuthorities + snapshot.enrollmentServices).map { entry in
            let values = entry.values("cACertificate")
            return Object(
                dn: entry.dn, container: container(entry.dn),
                certificates: entry.certificateValues.compactMap { try? Certificate(derEncoded: $0) }.map(CertificateReference.init),
                placeholders: values.count - entry.certificateValues.count)
        }
    }

    /// The listing as a table (container, object, certificate, SHA-256 prefix), or a sentence when there is nothing.
    public func text(style: TextStyle = .plain) -> String {
        guard !objects.isEmpty else { return "No PKI objects hold certificates." }
        var table = TextTable(header: ["Container", "Object", "Certificate", "SHA-256"])
        for object in objects {
            let name = object.dn.split(separator: ",").first.map(String.init) ?? object.dn
            if object.certificates.isEmpty { table.append([object.container, name, style.dim("(no certificate)"), ""]) }
            for certificate in object.certificates {
                table.append([object.container, name, certificate.subject, String(certificate.sha256.prefix(16)) + "…"])
            }
        }
        return table.render(style: style)
    }
}
