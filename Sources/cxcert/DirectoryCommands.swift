import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Seconds must be a finite number in (0, 3600]: nan, inf or 1e30 would crash or never end.
func validateSeconds(_ value: Double, _ name: String) throws {
    guard value.isFinite, value > 0, value <= 3600 else {
        throw ValidationError("\(name) takes a number of seconds more than 0 and at most 3600")
    }
}

/// Runs a directory operation; its error is one line and exit code 2. With `json`, a write that stopped
/// part-way also prints what was written and what was not, as JSON on standard output.
func directory<T>(json: Bool = false, _ body: () throws(DirectoryError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw directoryFailure(error, json: json)
    }
}

/// The same, for the calls that talk to the directory.
func directory<T>(json: Bool = false, _ body: () async throws(DirectoryError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw directoryFailure(error, json: json)
    }
}

private func directoryFailure(_ error: DirectoryError, json: Bool) -> ExitCode {
    if json, case .partial(let write) = error { print(JSONOutput.encode(write)) }
    printError(error.description)
    return ExitCode(2)
}

struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ds",
        abstract: "Publish, list and remove CA certificates in Active Directory, and read them as the phone does.",
        subcommands: [Publish.self, List.self, Remove.self, Discover.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a CA certificate like certutil -f -dspublish FILE RootCA|SubCA|NTAuthCA.")

        @Argument(help: "The CA certificate (any format; the first certificate is published).")
        var file: String

        @Option(help: "rootca (Certification Authorities + AIA), subca (AIA) or ntauth (NTAuthCertificates).")
        var target: PublishTarget = .rootCA

        @Flag(help: "Print the exact changes as LDIF and write nothing.")
        var dryRun = false

        @Flag(help: "Publish a certificate that is not a CA.")
        var force = false

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let certificate: Certificate
            do {
                guard let first = try Input.certificates(file).certificates.first else { throw ExitCode(2) }
                certificate = first
            } catch let error as CertificateDecodingError {
                printError("\(file): \(error)")
                throw ExitCode(2)
            }
            try directory(json: json) { () throws(DirectoryError) in try DirectoryClient.checkPublishable(certificate, force: force) }
            let client = try await connection.connect()
            let report = try await directory(json: json) { () async throws(DirectoryError) in
                try await client.publish(certificate, target: target, force: force, dryRun: dryRun)
            }
            if !json { for warning in report.warnings { printError("warning: \(warning)") } }
            print(json ? JSONOutput.encode(report) : DirectoryRendering.published(report, certificate: certificate))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the certificates in the PKI objects of the Configuration NC.")

        @Option(help: "Also save what was read as an LDIF snapshot, for verify --ad-snapshot.")
        var save: String?

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let client = try await connection.connect()
            let snapshot = try await directory { () async throws(DirectoryError) in try await DirectorySnapshot(reading: client) }
            if let save {
                do { try AtomicFile.write(Array(snapshot.ldif.utf8), to: save) } catch {
                    printError("\(save): cannot save the snapshot: \(error.reason)")
                    throw ExitCode(2)
                }
            }
            let listing = DirectoryListing(snapshot)
            print(json ? JSONOutput.encode(listing) : listing.text(style: terminalStyle()))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Remove one certificate, by SHA-1 thumbprint or serial, from the PKI objects of the named containers (certutil -delstore).")

        @Argument(help: "The SHA-1 thumbprint (or serial number) in hex; byte pairs may be separated by ':' or spaces.")
        var identifier: String

        @Option(
            name: .customLong("target"),
            help:
                "Containers to remove from, as publish names them (repeatable): rootca (default: Certification Authorities + AIA), subca (AIA), ntauth."
        )
        var targets: [PublishTarget] = []

        @Flag(help: "Then delete each object left with placeholders only (never NTAuthCertificates).")
        var deleteObject = false

        @Flag(help: "Print the exact changes as LDIF and write nothing.")
        var dryRun = false

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            do { _ = try CertificateSelector(parsing: identifier) } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            let selector = try directory { () throws(DirectoryError) in try CertificateSelector(parsing: identifier) }
            let client = try await connection.connect()
            let report = try await directory(json: json) { () async throws(DirectoryError) in
                try await client.remove(
                    selector, targets: Set(targets.isEmpty ? [.rootCA] : targets), deleteEmptyObjects: deleteObject, dryRun: dryRun)
            }
            if json {
                print(JSONOutput.encode(report))
            } else if let text = DirectoryRendering.removed(report) {
                print(text)
            }
        }
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look for internal roots exactly as the phone does, and say which step found what.")

        @Flag(help: "Fetch the certsrv URL of enterprise CAs (step 2) over HTTP.")
        var fetch = false

        @Option(name: .customLong("http-user"), help: "User for certsrv's Basic/NTLM/Negotiate authentication.")
        var httpUser: String?

        @Option(name: .customLong("http-password-env"), help: "Environment variable holding the certsrv password.")
        var httpPasswordEnv: String?

        @Option(name: .customLong("http-password-file"), help: "File holding the certsrv password.")
        var httpPasswordFile: String?

        @Flag(
            name: .customLong("http-basic-in-clear"),
            help: "Allow HTTP Basic over plain http: the password crosses the network in clear (default: only Negotiate/NTLM over http).")
        var httpBasicInClear = false

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let client = try await connection.connect()
            let snapshot = try await directory { () async throws(DirectoryError) in try await DirectorySnapshot(reading: client) }
            var credentials: HTTPCredentials?
            if let httpUser {
                let source: PasswordSource =
                    httpPasswordEnv.map { .environment($0) } ?? httpPasswordFile.map { .file($0) } ?? TerminalPassword.source
                credentials = HTTPCredentials(
                    user: httpUser, password: try directory { () throws(DirectoryError) in try source.resolve(for: httpUser) })
            }
            let result = PhoneDiscovery.walk(
                snapshot,
                fetch: fetch
                    ? { (url: String) throws(HTTPError) -> [UInt8] in
                        try HTTPFetcher.get(url, credentials: credentials, allowBasicInClear: httpBasicInClear)
                    } : nil)
            print(json ? JSONOutput.encode(result) : PhoneDiscovery.text(result, style: terminalStyle()))
        }
    }
}

extension PublishTarget: ExpressibleByArgument {}
