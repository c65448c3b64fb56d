/// Why a directory operation failed, worded for the admin who has to act on it.
public enum DirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String)
    /// The server could not be reached (or refused the TLS handshake).
    case cannotConnect(String)
    /// The TLS handshake failed because the directory's certificate did not verify.
    case certificateNotVerified(String)
    /// The bind was refused: wrong name or password.
    case invalidCredentials(String)
    /// The bound account may not do this; `operation` says what was attempted where.
    case insufficientRights(operation: String, dn: String)
    /// Simple bind over an unencrypted connection was refused, or plain LDAP was not asked for.
    case encryptionRequired(String)
    case noSuchObject(String)
    case timeout(String)
    case sizeLimit(Int)
    /// Any other LDAP result.
    case ldap(code: Int32, operation: String, message: String)
    /// cxcert will not do it (not a CA, last value of an object, ambiguous serial...).
    case refused(String)
    /// A thumbprint or serial argument that is not hex.
    case invalidSelector(String)
    case notFound(String)
    case noPassword(String)
    case invalidSnapshot(line: Int, reason: String)
    case http(String)
    /// A multi-object write stopped part-way; what was and was not written.
    case partial(PartialWrite)

    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url)' is not an ldap:// or ldaps:// URL"
        case .cannotConnect(let detail): "cannot contact the directory: \(detail)"
        case .certificateNotVerified(let detail): detail
        case .invalidCredentials(let detail): "the directory refused the bind (wrong user name or password): \(detail)"
        case .insufficientRights(let operation, let dn):
            "insufficient rights: the bound account may not \(operation) \(dn) (ask a member of Enterprise Admins, as certutil -dspublish needs)"
        case .encryptionRequired(let detail): detail
        case .noSuchObject(let dn): "no such object: \(dn)"
        case .timeout(let operation): "the directory did not answer in time (\(operation))"
        case .sizeLimit(let limit): "the directory returned more than \(limit) entries; narrow the search"
        case .ldap(let code, let operation, let message): "LDAP error \(code) during \(operation): \(message)"
        case .refused(let reason): reason
        case .invalidSelector(let reason): reason
        case .notFound(let what): what
        case .noPassword(let reason): reason
        case .invalidSnapshot(let line, let reason): "LDIF snapshot, line \(line): \(reason)"
        case .http(let reason): reason
        case .partial(let write):
            "\(write.error) — already written: \(write.written.isEmpty ? "nothing" : write.written.map { "\($0.action.rawValue) \($0.dn)" }.joined(separator: "; ")). Run the same command again to finish; what is done is kept."
        }
    }
}
