/// A C library cxcert loads when a command first needs it (`dlopen`), not when the program starts: libcurl,
/// libldap, c-ares and libpcap. `cxcert verify` or `inspect` never loads them (nor their dependency trees: GnuTLS,
/// Kerberos, SASL, ...), which was most of a one-shot run's start-up. The module that wraps each library defines it.
public struct SystemLibrary: Sendable, Hashable, CustomStringConvertible {
    /// The library's usual name, e.g. `libcurl`.
    public let name: String
    /// The file the loader is asked for, e.g. `libcurl.so.4` (the soname of the headers cxcert was built with).
    public let soname: String
    /// The Debian package that installs it on the release cxcert was built on, e.g. `libcurl4`.
    public let debianPackage: String

    /// Describes a library; `soname` and `debianPackage` come from the wrapper module's C headers.
    public init(name: String, soname: String, debianPackage: String) {
        self.name = name
        self.soname = soname
        self.debianPackage = debianPackage
    }

    /// `libcurl (libcurl.so.4)`.
    public var description: String { "\(name) (\(soname))" }
}

/// A command needs a library cxcert loads on first use, and the loader could not load it (or it lacks a
/// function cxcert calls). Thrown instead of crashing; the other commands work without the library.
public struct MissingLibrary: Error, Sendable, Hashable, CustomStringConvertible {
    /// The library that could not be loaded.
    public let library: SystemLibrary
    /// The loader's words (`dlerror`), e.g. `libcurl.so.4: cannot open shared object file: No such file or directory`.
    public let reason: String

    /// Records why `library` could not be loaded.
    public init(library: SystemLibrary, reason: String) {
        self.library = library
        self.reason = reason
    }

    /// One line for the admin: the library, the loader's reason and the package to install.
    public var description: String {
        "this command needs \(library.name), which cannot be loaded (\(reason)); install the Debian package \(library.debianPackage)"
    }
}
