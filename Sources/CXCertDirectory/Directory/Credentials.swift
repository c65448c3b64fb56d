import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A password that never prints, held in one heap buffer from the moment it is read until the bind (or
/// HTTP request) that uses it, and zeroed when the last copy goes away. Only `init(_: String)` (tests,
/// library callers that already hold a String) leaves a copy cxcert cannot wipe.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bytes plus a NUL, so C APIs can take them in place. Written only while being filled.
    final class Storage: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count: Int

        init(capacity: Int) {
            buffer = .allocate(capacity: capacity + 1)
            buffer.initialize(repeating: 0)
            count = 0
        }

        deinit {
            explicit_bzero(buffer.baseAddress!, buffer.count)
            buffer.deallocate()
        }
    }

    let storage: Storage

    /// Copies a password already held as a `String`; that string's own copy cannot be wiped.
    public init(_ value: String) {
        let bytes = Array(value.utf8)
        storage = Storage(capacity: bytes.count)
        _ = storage.buffer.initialize(from: bytes)
        storage.count = bytes.count
    }

    /// Copies `count` bytes from memory the caller then wipes (a terminal prompt's buffer, a C string).
    public init(copying pointer: UnsafePointer<UInt8>, count: Int) {
        storage = Storage(capacity: count)
        storage.buffer.baseAddress!.update(from: pointer, count: count)
        storage.count = count
    }

    init(storage: Storage) { self.storage = storage }

    /// The password bytes, valid only inside `body`.
    func withBytes<T>(_ body: (UnsafeMutableBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeMutableBufferPointer(rebasing: storage.buffer[0..<storage.count]))
    }

    /// The password as a NUL-terminated C string, valid only inside `body`.
    func withCString<T>(_ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try storage.buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: storage.buffer.count) { try body($0) }
    }

    /// `<redacted>`, so a password never reaches a log or an error message.
    public var description: String { "<redacted>" }
    /// `<redacted>`, as ``description`` is.
    public var debugDescription: String { "<redacted>" }
}

/// Where a bind password comes from. Never the command line: argv is visible to every local user.
public enum PasswordSource: Sendable {
    /// Read from the environment variable with this name.
    case environment(String)
    /// Read from the file at this path (at most 64 KiB; one trailing newline is dropped).
    case file(String)
    /// Asked for only when a bind needs it (the CLI prompts on the terminal without echo); nil when none is given.
    case ask(@Sendable (_ user: String) -> Secret?)
    /// A password the caller already holds.
    case secret(Secret)
    /// No password: fine for an anonymous bind, an error when a bind name needs one.
    case none

    /// The largest password file read.
    static let maxFileBytes = 64 << 10

    /// Gets the password, reading it only now so it is held no longer than the bind needs.
    /// - Parameter user: The bind name, for the prompt of ``ask(_:)`` and for error messages.
    /// - Returns: The password.
    /// - Throws: ``DirectoryError/noPassword(_:)`` when the variable is unset or empty, the file is unreadable or over
    ///   64 KiB, the prompt gives nothing, or the source is ``none``.
    public func resolve(for user: String) throws(DirectoryError) -> Secret {
        switch self {
        case .secret(let secret):
            return secret
        case .environment(let name):
            guard let value = getenv(name), value.pointee != 0 else { throw .noPassword("the environment variable \(name) is not set") }
            return value.withMemoryRebound(to: UInt8.self, capacity: strlen(value)) { Secret(copying: $0, count: strlen(value)) }
        case .file(let path):
            // read(2) straight into the secret's own buffer: no Data or String copy to leave behind.
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .noPassword("cannot read the password file \(path)") }
            defer { close(fd) }
            let storage = Secret.Storage(capacity: Self.maxFileBytes)
            while storage.count < Self.maxFileBytes {
                let got = read(fd, storage.buffer.baseAddress! + storage.count, Self.maxFileBytes - storage.count)
                if got < 0 && errno == EINTR { continue }
                guard got >= 0 else { throw .noPassword("cannot read the password file \(path)") }
                if got == 0 { break }
                storage.count += got
            }
            var probe: UInt8 = 0
            guard read(fd, &probe, 1) == 0 else { throw .noPassword("the password file \(path) is larger than \(Self.maxFileBytes) bytes") }
            // One trailing newline, as editors and `echo` leave it, is not part of the password.
            for terminator in [UInt8(ascii: "\n"), UInt8(ascii: "\r")]
            where storage.count > 0 && storage.buffer[storage.count - 1] == terminator {
                storage.count -= 1
                storage.buffer[storage.count] = 0
            }
            return Secret(storage: storage)
        case .ask(let ask):
            guard let secret = ask(user) else {
                throw .noPassword("no password: use --password-env VAR or --password-file FILE (standard input is not a terminal)")
            }
            return secret
        case .none:
            throw .noPassword("no password was given for \(user)")
        }
    }
}

/// How to reach and bind to a directory.
public struct DirectoryConfiguration: Sendable {
    /// True when this connection would carry LDAP (and a simple bind's password) unencrypted.
    public var isUnencrypted: Bool {
        guard allowPlain, let parsed = try? LDAPURL(parsing: url) else { return false }
        return !parsed.isTLS
    }

    /// The `ldap://` or `ldaps://` URL of the directory server.
    public var url: String
    /// Bind name: a DN, a UPN (`admin@contoso.com`) or `DOMAIN\user`; nil for an anonymous bind.
    public var bindName: String?
    /// Where the bind password comes from, read only when binding.
    public var password: PasswordSource
    /// CA certificates (PEM) to verify the server with; default: the system store.
    public var caFile: String?
    /// ldap:// without TLS, only when asked for.
    public var allowPlain: Bool
    /// With `allowPlain`, a simple bind sends the password in clear: refused unless this is set too.
    public var allowPasswordInClear: Bool
    /// Seconds allowed for each network step (lookup, connect, TLS, each LDAP operation).
    public var timeout: TimeInterval
    /// The most entries one search may return before it is refused.
    public var maxEntries: Int
    /// Paged searches: entries per page, and the most pages and seconds one search may take, however
    /// long the server keeps returning a paging cookie.
    public var pageSize: Int = 500
    /// The most pages one paged search may take.
    public var maxPages: Int = 1_000
    /// The most seconds one paged search may take in total.
    public var maxSearchTime: TimeInterval = 300
    /// The largest single LDAP message accepted from the server.
    public var maxIncomingBytes: Int = 16 << 20

    /// A configuration with the defaults: TLS required, the system CA store, 15-second steps and 100,000 entries.
    /// - Parameters:
    ///   - url: The `ldap://` or `ldaps://` URL of the server.
    ///   - bindName: A DN, UPN or `DOMAIN\user` to bind as; `nil` binds anonymously.
    ///   - password: Where the bind password comes from.
    ///   - caFile: CA certificates (PEM) to verify the server with; `nil` uses the system store.
    ///   - allowPlain: Allow `ldap://` without StartTLS.
    ///   - allowPasswordInClear: With `allowPlain`, allow a simple bind that sends the password unencrypted.
    ///   - timeout: Seconds for each network step.
    ///   - maxEntries: The most entries one search may return.
    public init(
        url: String, bindName: String? = nil, password: PasswordSource = .none, caFile: String? = nil,
        allowPlain: Bool = false, allowPasswordInClear: Bool = false, timeout: TimeInterval = 15, maxEntries: Int = 100_000
    ) {
        self.allowPasswordInClear = allowPasswordInClear
        self.maxEntries = maxEntries
        self.url = url
        self.bindName = bindName
        self.password = password
        self.caFile = caFile
        self.allowPlain = allowPlain
        self.timeout = timeout
    }
}
