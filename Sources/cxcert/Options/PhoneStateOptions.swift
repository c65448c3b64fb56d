import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The phone's starting state — `--signed-in`, `--held-root`, `--sign-in`, `--network` — shared by `boot`, `trace` and `audit`;
/// a deployment file's `boot:` section gives the same four, and the command line wins (held roots add up).
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

    /// The state an audit judges with: these options over the deployment file's (`fromFile`); nil when neither sets one.
    /// - Parameter fromFile: The state of the file's `boot:` section, if it sets one.
    /// - Returns: The merged state, or nil.
    /// - Throws: `ExitCode(2)` when a `--held-root` file cannot be read (the reason is on standard error).
    func applied(to fromFile: PhoneStart?) throws -> PhoneStart? {
        guard fromFile != nil || signedIn || !heldRoots.isEmpty || signIn != nil || network != nil else { return nil }
        var state = fromFile ?? PhoneStart()
        try apply(to: &state)
        return state
    }

    /// `--held-root FILE`: the roots the phone holds from an earlier sign-in.
    private func heldRootAnchors() throws -> [TrustAnchor] {
        var anchors: [TrustAnchor] = []
        for file in heldRoots {
            do {
                anchors += try Input.certificates(file).certificates.map { TrustAnchor(certificate: $0, source: .heldRoot(file: file)) }
            } catch {
                printError("--held-root \(file): \(error)")
                throw ExitCode(2)
            }
        }
        return anchors
    }

    /// Sets the starting state of a walk (`boot`) or a capture replay (`trace`): the command line over what a deployment
    /// file set; held roots add up.
    /// - Parameter start: The starting state, perhaps from a deployment file.
    /// - Throws: `ExitCode(2)` when a `--held-root` file cannot be read (the reason is on standard error).
    func apply(to start: inout PhoneStart) throws {
        if signedIn { start.signedIn = true }
        start.heldRoots += try heldRootAnchors()
        if let method = signIn.flatMap(SignInMethod.init(rawValue:)) { start.signIn = method }
        if let side = network.flatMap(NetworkSide.init(rawValue:)) { start.network = side }
    }
}
