import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A password that never prints: its description is redacted, so it cannot leak into logs or errors.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Where a bind password comes from. Never the command line: argv is visible to every local user.
public enum PasswordSource: Sendable {
    case environment(String)
    case file(String)
    /// Ask on the terminal without echo.
    case prompt
    case secret(Secret)

    public func resolve(for user: String) throws(DirectoryError) -> Secret {
        switch self {
        case .secret(let secret):
            return secret
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw .noPassword("the environment variable \(name) is not set")
            }
            return Secret(value)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw .noPassword("cannot read the password file \(path)") }
            let text = String(decoding: data, as: UTF8.self)
            // One trailing newline, as editors and `echo` leave it, is not part of the password.
            return Secret(text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text)
        case .prompt:
            guard isatty(STDIN_FILENO) == 1, let raw = getpass("Password for \(user): ") else {
                throw .noPassword("no password: use --password-env VAR or --password-file FILE (standard input is not a terminal)")
            }
            return Secret(String(cString: raw))
        }
    }
}

/// How to reach and bind to a directory.
public struct DirectoryConfiguration: Sendable {
    public var url: String
    /// Bind name: a DN, a UPN (`admin@contoso.com`) or `DOMAIN\user`; nil for an anonymous bind.
    public var bindName: String?
    public var password: PasswordSource
    /// CA certificates (PEM) to verify the server with; default: the system store.
    public var caFile: String?
    /// ldap:// without TLS, only when asked for.
    public var allowPlain: Bool
    public var timeout: TimeInterval
    /// The most entries one search may return before it is refused.
    public var maxEntries: Int

    public init(
        url: String, bindName: String? = nil, password: PasswordSource = .prompt, caFile: String? = nil,
        allowPlain: Bool = false, timeout: TimeInterval = 15, maxEntries: Int = 100_000
    ) {
        self.maxEntries = maxEntries
        self.url = url
        self.bindName = bindName
        self.password = password
        self.caFile = caFile
        self.allowPlain = allowPlain
        self.timeout = timeout
    }
}
