internal import CLDAP
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An LDAP result other than success, as libldap reported it: the result code, the server's diagnostic
/// message and the matched DN (how much of a missing object's name exists). `DirectoryError` carries it
/// as the cause of the cases that come from a result code.
public struct LDAPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The LDAP result code (RFC 4511 §4.1.9, or a negative libldap client code).
    public let code: Int32
    /// libldap's words for the code (`ldap_err2string`), e.g. `Insufficient access`.
    public let message: String
    /// What was attempted, with its object: `add CN=ContosoCA,...`, `bind as admin@contoso.com`.
    public let operation: String
    /// The server's diagnostic message (AD's `00000005: SecErr: DSID-...`), when it sent one.
    public let diagnostic: String?
    /// The longest existing part of the DN the operation named, when the server reported it.
    public let matchedDN: String?

    /// Builds the error for `code`, taking libldap's text for it.
    public init(code: Int32, operation: String, diagnostic: String? = nil, matchedDN: String? = nil) {
        self.init(
            code: code, message: String(cString: ldap_err2string(code)), operation: operation, diagnostic: diagnostic,
            matchedDN: matchedDN)
    }

    /// Builds the error with explicit text (for tests and snapshots).
    public init(code: Int32, message: String, operation: String, diagnostic: String?, matchedDN: String?) {
        self.code = code
        self.message = message
        self.operation = operation
        let trimmed = diagnostic?.trimmingSpacesAndNewlines()
        self.diagnostic = trimmed?.isEmpty == false ? trimmed : nil
        self.matchedDN = matchedDN?.isEmpty == false ? matchedDN : nil
    }

    /// The code's text with the server's diagnostic after it, as admins search for it.
    public var reason: String { diagnostic.map { "\(message) (\($0))" } ?? message }

    /// `LDAP error CODE during OPERATION: REASON`, the wording `DirectoryError.ldap` has always used.
    public var description: String { "LDAP error \(code) during \(operation): \(reason)" }
}
