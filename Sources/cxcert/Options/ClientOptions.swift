import ArgumentParser
import CXCert

/// `--trust`, `--device` and `--firmware`: the client a command judges for, shared by verify, probe, boot and trace.
struct ClientOptions: ParsableArguments {
    @Option(
        name: .customLong("trust"), help: "Roots the client has besides a phone's built-in cache: AD-published or your own (repeatable).")
    var trusts: [String] = []

    @Option(
        help:
            "generic, a family (tanjay, aries) or a model (cx700, cx600, hp4120, aastra6725ip, ...); default tanjay (boot: the deployment's fleet; trace: what a Device Update request names)."
    )
    var device: String?

    @Option(
        name: .customLong("firmware"),
        help: "Firmware build(s), e.g. 4.0.7577.4463, one verdict each (default: the newest known build; trace: one).")
    var firmwares: [FirmwareVersion] = []

    /// The profiles to judge for, one per `--firmware`, as usage errors when unknown.
    func profiles(knowledge: DeviceKnowledgeBase, defaultDevice: String = "tanjay") throws -> [DeviceProfile] {
        try resolveProfiles(device: device ?? defaultDevice, firmwares: firmwares.map(\.text), knowledge: knowledge)
    }

    /// The `--trust` files as anchors; an unreadable file is an input error (exit 2).
    func anchors() throws -> [TrustAnchor] { try loadAnchors(trusts) }
}

/// A firmware build on the command line: `4.0.7577.4463`.
extension FirmwareVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { text }
}

/// `--device`/`--firmware` to profiles, as usage errors when unknown; a build given twice is judged once.
func resolveProfiles(device: String, firmwares: [String], knowledge: DeviceKnowledgeBase) throws -> [DeviceProfile] {
    do {
        var seen: Set<String> = []
        return try (firmwares.isEmpty ? [nil] : firmwares.map(Optional.some)).map {
            try DeviceProfile.resolve(device: device, firmware: $0, knowledge: knowledge)
        }.filter { seen.insert($0.name).inserted }
    } catch {
        throw ValidationError("\(error)")
    }
}

/// `--trust` files as anchors; an unreadable file is an input error (exit 2).
func loadAnchors(_ paths: [String]) throws -> [TrustAnchor] {
    try paths.flatMap { path -> [TrustAnchor] in
        do {
            return try Input.certificates(path).certificates.map { TrustAnchor(certificate: $0, source: .user(file: path)) }
        } catch {
            printError("\(path): \(error)")
            throw ExitCode(2)
        }
    }
}

/// `--trust`, `--device` and one `--firmware`: the client `trace` judges a capture's phones as.
struct TraceClientOptions: ParsableArguments {
    @Option(
        name: .customLong("trust"), help: "Roots the phones have besides their built-in cache: AD-published or your own (repeatable).")
    var trusts: [String] = []

    @Option(help: "A family (tanjay, aries) or a model (cx700, cx600, hp4120, ...); default: what a Device Update request names.")
    var device: String?

    @Option(help: "The firmware build, e.g. 4.0.7577.4463 (default: what a Device Update request names, else the newest known).")
    var firmware: FirmwareVersion?

    /// The `--trust` files as anchors; an unreadable file is an input error (exit 2).
    func anchors() throws -> [TrustAnchor] { try loadAnchors(trusts) }
}
