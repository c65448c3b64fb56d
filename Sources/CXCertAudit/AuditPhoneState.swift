import CXCertCore
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The phone's state a deployment file's `boot:` section sets (read by `boot --deployment` too) and an audit judges
// with: the same four settings as `boot` and `trace`, one `PhoneStart` value. With a state, each server is judged for
// each build with the roots a phone in that state holds once signed in, instead of with every root the deployment
// lists; the state's findings (`held-root-stale`, `external-root-not-learned`) say why a root is missing.
extension PhoneStart {
    /// The state a deployment file's `boot:` section sets, or nil when it sets none of `signedIn`, `heldRoots`,
    /// `signIn` and `network` (the audit then judges with every root, as before).
    /// - Parameters:
    ///   - file: The deployment file.
    ///   - base: The folder its relative paths start from.
    /// - Throws: ``AuditError/input(_:)`` when a held root file cannot be read.
    public init?(file: DeploymentFile, base: URL) throws(AuditError) {
        guard let boot = file.boot, boot.signedIn != nil || boot.heldRoots != nil || boot.signIn != nil || boot.network != nil else {
            return nil
        }
        var held: [TrustAnchor] = []
        for root in boot.heldRoots ?? [] {
            do {
                held += try CertificateDecoder().decode(path: root.hasPrefix("/") ? root : base.appendingPathComponent(root).path)
                    .certificates.map { TrustAnchor(certificate: $0, source: .heldRoot(file: root)) }
            } catch {
                throw .input("boot.heldRoots \(root): \(error)")
            }
        }
        self.init(signedIn: boot.signedIn ?? false, heldRoots: held, signIn: boot.signIn, network: boot.network ?? .internal)
    }

    /// A phone of one build in this state once signed in (the roots it holds), and the roots its sign-in method would
    /// download on the internal network that it does not fetch (it keeps what it holds until reset, or it is outside).
    /// Directory and Certificate Provisioning roots count only where the build's method downloads them.
    func phone(_ profile: DeviceProfile, anchors: [TrustAnchor]) -> (state: PhoneState, elsewhere: [TrustAnchor]) {
        let lifecycle = PhoneLifecycle(profile)
        var phone = state(profile: profile, trusted: anchors.filter { !Self.downloaded($0) })
        let downloads = lifecycle.downloads(in: .signIn, signIn: phone.signIn, network: .internal).downloads
        let inside = anchors.filter { anchor in
            switch anchor.source {
            case .activeDirectory: downloads.contains(where: \.fromDirectory)
            case .certificateProvisioning: downloads.contains(.certificateProvisioning)
            default: false
            }
        }
        let looks = network == .internal && !(signedIn && lifecycle.keepsRootsUntilReset)
        if looks { for root in inside { phone.hold(HeldRoot(anchor: root, acquired: .signIn)) } }
        phone.phase = .signedIn
        return (phone, looks ? [] : inside)
    }

    /// Roots a phone gets only by a download at sign-in.
    static func downloaded(_ anchor: TrustAnchor) -> Bool {
        switch anchor.source {
        case .activeDirectory, .certificateProvisioning: true
        default: false
        }
    }

    /// The verdict for one build in this state: the chain judged with the roots the phone holds once signed in, with the
    /// state's finding when a root it does not hold would make it trusted; and those roots, for the look-ahead.
    func judge(
        _ server: String, profile: DeviceProfile, anchors: [TrustAnchor], verify: ([TrustAnchor]) -> Verdict?
    ) -> (verdict: Verdict?, held: [TrustAnchor]) {
        let (phone, elsewhere) = phone(profile, anchors: anchors)
        let held = phone.roots.filter { $0.acquired != .factory }.map(\.anchor)
        let timing = RootTiming.judge(
            host: server, phase: .signedIn, state: phone, later: nil, elsewhere: elsewhere, profile: profile,
            vocabulary: .command(.audit)
        ) { roots in verify(roots.filter { root in !TrustAnchor.builtInCache.contains(root) }) }
        guard let verdict = timing.verdict, let finding = timing.finding else { return (timing.verdict, held) }
        return (
            Verdict(
                profile: verdict.profile, time: verdict.time, chain: verdict.chain, findings: verdict.findings + [finding],
                names: verdict.names, notes: verdict.notes, alternatives: verdict.alternatives),
            held
        )
    }
}
