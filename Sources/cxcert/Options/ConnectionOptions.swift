import ArgumentParser
import CXCert

/// `--ldap URL` and how to bind: the connection of every `ds` subcommand.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("ldap"), help: "The directory: ldaps://dc.contoso.com, or ldap://... (upgraded with StartTLS).")
    var url: String

    @OptionGroup var auth: DirectoryAuthOptions

    func connect() async throws -> DirectoryClient {
        do {
            return try await DirectoryClient(auth.configuration(url: url))
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
