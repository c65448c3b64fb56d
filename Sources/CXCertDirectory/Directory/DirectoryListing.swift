import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
            let parts = dn.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
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
}
