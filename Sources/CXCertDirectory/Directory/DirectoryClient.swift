import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A bound connection to Active Directory (or any LDAP server with the AD PKI layout), found from the
/// rootDSE's Configuration NC. Not thread-safe: use one client per task.
public final class DirectoryClient {
    let session: LDAPSession
    /// The PKI containers under the Configuration NC the rootDSE named.
    public let containers: PKIContainers
    /// How this client connected and bound.
    public let configuration: DirectoryConfiguration

    /// Connects (ldaps://, or ldap:// upgraded with StartTLS unless plain LDAP is allowed), verifies the
    /// server certificate, binds, and reads the Configuration NC.
    public init(_ configuration: DirectoryConfiguration) async throws(DirectoryError) {
        let isPlainURL = !(try LDAPURL(parsing: configuration.url)).isTLS
        if configuration.isUnencrypted, let name = configuration.bindName, !configuration.allowPasswordInClear {
            throw .encryptionRequired(
                "refusing to bind as \(name) over plain LDAP (\(configuration.url)): the password would cross the network in clear. Use ldaps:// or StartTLS, or add --send-password-in-clear to accept that"
            )
        }
        session = try await LDAPSession(
            .init(
                url: configuration.url, caFile: configuration.caFile, startTLS: isPlainURL && !configuration.allowPlain,
                allowPlain: configuration.allowPlain, timeout: configuration.timeout, maxEntries: configuration.maxEntries,
                pageSize: configuration.pageSize, maxPages: configuration.maxPages, maxSearchTime: configuration.maxSearchTime,
                maxIncomingBytes: configuration.maxIncomingBytes))
        if let name = configuration.bindName {
            try await session.bind(name: name, password: configuration.password.resolve(for: name))
        }
        let rootDSE = try await session.search(
            base: "", scope: .base, filter: "(objectClass=*)", attributes: ["configurationNamingContext"])
        guard let nc = rootDSE.first?.string("configurationNamingContext"), !nc.isEmpty else {
            throw .notFound("the rootDSE of \(configuration.url) names no configurationNamingContext (is this Active Directory?)")
        }
        containers = PKIContainers(configurationNC: nc)
        self.configuration = configuration
    }

    /// The base object at `dn`, or nil when it does not exist.
    func read(_ dn: String, attributes: [String]) async throws(DirectoryError) -> DirectoryEntry? {
        do {
            return try await session.search(base: dn, scope: .base, filter: "(objectClass=*)", attributes: attributes).first
        } catch .noSuchObject {
            return nil
        }
    }

    /// `certificationAuthority` objects anywhere in the Configuration NC, as the phone searches.
    public func certificationAuthorityObjects() async throws(DirectoryError) -> [DirectoryEntry] {
        try await session.search(
            base: containers.configurationNC, scope: .subtree, filter: "(objectCategory=certificationAuthority)",
            attributes: ["cn", "cACertificate"])
    }

    /// `pKIEnrollmentService` objects (enterprise CAs), the phone's fallback.
    public func enrollmentServiceObjects() async throws(DirectoryError) -> [DirectoryEntry] {
        try await session.search(
            base: containers.configurationNC, scope: .subtree, filter: "(objectCategory=pKIEnrollmentService)",
            attributes: ["cn", "dNSHostName", "cACertificate"])
    }
}
