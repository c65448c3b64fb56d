import CXCertCore
/// Where AD keeps PKI objects: `CN=Public Key Services,CN=Services,<Configuration NC>`.
public struct PKIContainers: Sendable, Hashable {
    /// The Configuration naming context, as the rootDSE's `configurationNamingContext` gives it.
    public let configurationNC: String

    /// The containers under a Configuration NC.
    public init(configurationNC: String) { self.configurationNC = configurationNC }

    /// `CN=Public Key Services,CN=Services,<Configuration NC>`, the parent of every PKI container.
    public var publicKeyServices: String { "CN=Public Key Services,CN=Services,\(configurationNC)" }
    /// Roots (`certutil -dspublish RootCA`); clients put these in their Trusted Root store.
    public var certificationAuthorities: String { "CN=Certification Authorities,\(publicKeyServices)" }
    /// CA certificates for chain building (`RootCA` and `SubCA`).
    public var aia: String { "CN=AIA,\(publicKeyServices)" }
    /// Enterprise CAs (`pKIEnrollmentService` objects with the CA's `dNSHostName`).
    public var enrollmentServices: String { "CN=Enrollment Services,\(publicKeyServices)" }
    /// The single NTAuth object (`certutil -dspublish NTAuthCA`).
    public var ntAuthCertificates: String { "CN=NTAuthCertificates,\(publicKeyServices)" }

    /// The DN of the object named `name` in `container`.
    public func object(_ name: String, in container: String) -> String {
        "CN=\(LDAPEscaping.dnValue(name)),\(container)"
    }
}

/// Where `cxcert ds publish` writes, as certutil's `-dspublish` targets do.
public enum PublishTarget: String, Sendable, CaseIterable, Codable {
    /// `RootCA`: both `CN=Certification Authorities` and `CN=AIA`.
    case rootCA = "rootca"
    /// `SubCA`: `CN=AIA` only.
    case subCA = "subca"
    /// `NTAuthCA`: the one `CN=NTAuthCertificates` object.
    case ntAuth = "ntauth"

    /// The objects a certificate is written to.
    public func objects(for certificate: Certificate, in containers: PKIContainers) -> [String] {
        let name = SanitizedName.objectName(for: certificate)
        switch self {
        case .rootCA:
            return [containers.object(name, in: containers.certificationAuthorities), containers.object(name, in: containers.aia)]
        case .subCA: return [containers.object(name, in: containers.aia)]
        case .ntAuth: return [containers.ntAuthCertificates]
        }
    }
}
