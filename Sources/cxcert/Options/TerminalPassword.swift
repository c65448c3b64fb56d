import CXCert

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

/// The password prompt: the CLI's way to satisfy ``PasswordSource/ask(_:)`` when no --password-env or
/// --password-file is given.
enum TerminalPassword {
    /// The source that asks on the terminal without echo, or gives none when standard input is not a terminal.
    static let source = PasswordSource.ask { user in ask(user: user) }

    static func ask(user: String) -> Secret? {
        guard isatty(STDIN_FILENO) == 1, let raw = getpass("Password for \(user): ") else { return nil }
        // getpass returns its own static buffer: copy once, then wipe it.
        let length = strlen(raw)
        defer { explicit_bzero(raw, length) }
        return raw.withMemoryRebound(to: UInt8.self, capacity: length) { Secret(copying: $0, count: length) }
    }
}
