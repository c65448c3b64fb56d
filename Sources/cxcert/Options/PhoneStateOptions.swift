import ArgumentParser
import CXCert
import Foundation

/// The phone's starting state — `--signed-in`, `--held-root`, `--sign-in`, `--network` — shared by `boot` and by every
/// command that walks a phone; a deployment file's `boot:` section gives the same four, and the command line wins.
struct PhoneStateOptions: ParsableArguments {
    @Flag(
        name: .customLong("signed-in"),
        help:
            "The phone signed in before: it holds the --held-root roots and does not download again until reset (default: fresh from reset)."
    )
    var signedIn = false

    @Option(
        name: .customLong("held-root"),
        help: "A root the phone already holds from an earlier sign-in (repeatable; any format inspect reads).")
    var heldRoots: [String] = []

    @Option(
        name: .customLong("sign-in"),
        help: "How the user signs in: pin, usb or password (default: the build's first method in Knowledge/discovery.json).")
    var signIn: String?

    @Option(help: "The network the phone is on: internal (default) or external (through the Edge).")
    var network: String?

    func validate() throws {
        if let signIn, SignInMethod(rawValue: signIn) == nil {
            throw ValidationError("--sign-in takes pin, usb or password, not '\(signIn)'")
        }
        if let network, NetworkSide(rawValue: network) == nil {
            throw ValidationError("--network takes internal or external, not '\(network)'")
        }
    }

    /// Sets the state on a walk's configuration: the command line over what a deployment file set; held roots add up.
    /// - Parameter configuration: The walk's configuration, perhaps from a deployment file.
    /// - Throws: `ExitCode(2)` when a `--held-root` file cannot be read (the reason is on standard error).
    func apply(to configuration: inout BootWalker.Configuration) throws {
        if signedIn { configuration.signedIn = true }
        for file in heldRoots {
            do {
                configuration.heldRoots += try Input.certificates(file).certificates.map {
                    TrustAnchor(certificate: $0, source: .heldRoot(file: file))
                }
            } catch {
                printError("--held-root \(file): \(error)")
                throw ExitCode(2)
            }
        }
        if let method = signIn.flatMap(SignInMethod.init(rawValue:)) { configuration.signIn = method }
        if let side = network.flatMap(NetworkSide.init(rawValue:)) { configuration.network = side }
    }
}
