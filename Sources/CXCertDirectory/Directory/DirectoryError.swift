import CXCertCore
/// Why a directory operation failed, worded for the admin who has to act on it.
public enum DirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not one `ldap://` or `ldaps://` URL cxcert accepts.
    case invalidURL(String)
    /// The server could not be reached (or refused the TLS handshake); `cause` is libldap's result when it gave one.
    case cannotConnect(String, cause: LDAPError? = nil)
    /// The TLS handshake failed because the directory's certificate did not verify.
    case certificateNotVerified(String)
    /// The bind was refused: wrong name or password.
    case invalidCredentials(LDAPError)
    /// The bound account may not do this; `operation` says what was attempted where.
    case insufficientRights(operation: String, dn: String, cause: LDAPError? = nil)
    /// Simple bind over an unencrypted connection was refused, or plain LDAP was not asked for.
    case encryptionRequired(String, cause: LDAPError? = nil)
    /// The object does not exist; `cause` (with the matched DN) when the server said so.
    case noSuchObject(String, cause: LDAPError? = nil)
    /// The server did not answer in time; the text names the step.
    case timeout(String)
    /// A search returned more entries than this limit (``DirectoryConfiguration/maxEntries``).
    case sizeLimit(Int)
    /// Any other LDAP result.
    case ldap(LDAPError)
    /// cxcert will not do it (not a CA, last value of an object, ambiguous serial...).
    case refused(String)
    /// A thumbprint or serial argument that is not hex.
    case invalidSelector(String)
    /// Something needed is not there (no Configuration NC, no certificate matching a selector, an unreadable snapshot).
    case notFound(String)
    /// No password could be had for a bind that needs one; the text says why.
    case noPassword(String)
    /// An LDIF snapshot is malformed at this line (0 when it concerns the whole file).
    case invalidSnapshot(line: Int, reason: String)
    /// A certsrv download failed; the cause says how.
    case http(HTTPError)
    /// A multi-object write stopped part-way; what was and was not written.
    case partial(PartialWrite)
    /// libldap cannot be loaded (cxcert loads it when a command first talks LDAP): the library and the package.
    case missingLibrary(MissingLibrary)

    /// One line for the admin; a wrapped LDAP or HTTP error reads as its cause does.
    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url)' is not an ldap:// or ldaps:// URL"
        case .cannotConnect(let detail, _): "cannot contact the directory: \(detail)"
        case .certificateNotVerified(let detail): detail
        case .invalidCredentials(let cause): "the directory refused the bind (wrong user name or password): \(cause.reason)"
        case .insufficientRights(let operation, let dn, _):
            "insufficient rights: the bound account may not \(operation) \(dn) (ask a member of Enterprise Admins, as certutil -dspublish needs)"
        case .encryptionRequired(let detail, _): detail
        case .noSuchObject(let dn, _): "no such object: \(dn)"
        case .timeout(let operation): "the directory did not answer in time (\(operation))"
        case .sizeLimit(let limit): "the directory returned more than \(limit) entries; narrow the search"
        case .ldap(let cause): cause.description
        case .refused(let reason): reason
        case .invalidSelector(let reason): reason
        case .notFound(let what): what
        case .noPassword(let reason): reason
        case .invalidSnapshot(let line, let reason): "LDIF snapshot, line \(line): \(reason)"
        case .http(let cause): cause.description
        case .missingLibrary(let missing): missing.description
        case .partial(let write):
            "\(write.error) — already written: \(write.written.isEmpty ? "nothing" : write.written.map { "\($0.action.rawValue) \($0.dn)" }.joined(separator: "; ")). Run the same command again to finish; what is done is kept."
        }
    }
}

extension DirectoryError {
    /// The LDAP result behind the error, when it came from one.
    public var ldapCause: LDAPError? {
        switch self {
        case .cannotConnect(_, let cause), .insufficientRights(_, _, let cause), .encryptionRequired(_, let cause),
            .noSuchObject(_, let cause):
            cause
        case .invalidCredentials(let cause), .ldap(let cause): cause
        default: nil
        }
    }

    /// The HTTP failure behind the error, when a certsrv download failed.
    public var httpCause: HTTPError? {
        if case .http(let cause) = self { cause } else { nil }
    }
}
