import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// When, in the phone's walk, a step happens: at boot, at its first sign-in attempt, or once signed in.
public typealias BootPhase = WalkFacts.BootPhase

/// How the user signs in on the phone: what decides which roots it can download (`Knowledge/discovery.json`).
public enum SignInMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Extension and PIN (Aries/LPE): DHCP options 43 and 120 and the Certificate Provisioning service.
    case pin
    /// USB-tethered through a PC running the Lync client (Aries/LPE).
    case usb
    /// User name and password on the phone's keypad (CX700).
    case password

    /// The capability whose rows say what a first sign-in by this method downloads.
    public var rootDownload: Capability {
        switch self {
        case .pin: .rootDownloadPin
        case .usb: .rootDownloadUsb
        case .password: .rootDownloadPassword
        }
    }
}

/// Where the phone is: on the internal network, or outside it (through the Edge and reverse proxy).
public enum NetworkSide: String, Sendable, Hashable, Codable, CaseIterable {
    /// On the internal network: it can reach AD and the Certificate Provisioning service.
    case `internal`
    /// Outside: it trusts its cache and what it learned while inside.
    case external
}

/// A root the phone holds: the certificate, where it came from and when the phone got it.
public struct HeldRoot: Sendable, Hashable {
    /// When the phone got a root.
    public enum Acquired: String, Sendable, Hashable, Codable {
        /// Shipped with the firmware (the built-in trusted-authorities cache).
        case factory
        /// Given as trusted on the command line (`--trust`, or a deployment's `trust.roots`): held from the start.
        case given
        /// Downloaded at an earlier sign-in, before this walk (`--held-root`).
        case earlierSignIn = "earlier-sign-in"
        /// Downloaded in this walk's sign-in phase.
        case signIn = "sign-in"
    }
    /// The root, as a trust anchor with its source.
    public let anchor: TrustAnchor
    /// When the phone got it.
    public let acquired: Acquired

    /// A held root.
    public init(anchor: TrustAnchor, acquired: Acquired) {
        self.anchor = anchor
        self.acquired = acquired
    }
}

/// What a phone holds and where it is, as a value: the phase of its life (fresh from reset, signing in, signed in),
/// the roots it holds, its sign-in method and the network it is on. `boot` walks one per build.
public struct PhoneState: Sendable, Hashable {
    /// Where the phone is in its life.
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable {
        /// Fresh from reset: never signed in, it holds its built-in cache (and what it is given).
        case fresh
        /// A sign-in attempt is under way: the root download its method allows happens now.
        case signingIn = "signing-in"
        /// It has signed in before and holds what it downloaded then; it does not look again until reset.
        case signedIn = "signed-in"
    }

    /// Where the phone is in its life.
    public var phase: Phase
    /// The roots it holds, in the order it got them.
    public private(set) var roots: [HeldRoot]
    /// How the user signs in.
    public var signIn: SignInMethod
    /// Which network it is on.
    public var network: NetworkSide

    /// A state; `roots` are deduplicated by certificate.
    public init(phase: Phase = .fresh, roots: [HeldRoot] = [], signIn: SignInMethod, network: NetworkSide = .internal) {
        self.phase = phase
        self.roots = []
        self.signIn = signIn
        self.network = network
        for root in roots { hold(root) }
    }

    /// The state a walk starts from for one build: its built-in cache (when the build has one), the given roots,
    /// and the roots held from an earlier sign-in.
    /// - Parameters:
    ///   - profile: The build.
    ///   - signedIn: Whether it signed in before (`--signed-in`).
    ///   - trusted: Roots given as trusted (`--trust`).
    ///   - held: Roots it holds from an earlier sign-in (`--held-root`).
    ///   - signIn: The sign-in method; nil for the build's default (the first of its `signInMethods`).
    ///   - network: Which network it is on.
    /// - Returns: The fresh (or signed-in) state, its roots in the order held.
    public static func start(
        profile: DeviceProfile, signedIn: Bool, trusted: [TrustAnchor], held: [TrustAnchor], signIn: SignInMethod?, network: NetworkSide
    ) -> PhoneState {
        var state = PhoneState(
            phase: signedIn ? .signedIn : .fresh, signIn: signIn ?? PhoneLifecycle(profile).defaultSignIn, network: network)
        // The built-in cache is one shared array (a trace starts thousands of phones from it), copied only if a root is added.
        if profile.usesBuiltInCache { state.roots = factoryRoots }
        for anchor in trusted { state.hold(HeldRoot(anchor: anchor, acquired: .given)) }
        for anchor in held { state.hold(HeldRoot(anchor: anchor, acquired: .earlierSignIn)) }
        return state
    }

    /// The built-in cache as held roots, deduplicated by certificate as ``hold(_:)`` does, built once.
    static let factoryRoots: [HeldRoot] = {
        var roots: [HeldRoot] = []
        for anchor in TrustAnchor.builtInCache where !roots.contains(where: { $0.anchor.certificate == anchor.certificate }) {
            roots.append(HeldRoot(anchor: anchor, acquired: .factory))
        }
        return roots
    }()

    /// The roots as trust anchors, for the verifier.
    public var anchors: [TrustAnchor] { roots.map(\.anchor) }

    /// Adds a root unless the phone holds that certificate already.
    public mutating func hold(_ root: HeldRoot) {
        guard !roots.contains(where: { $0.anchor.certificate == root.anchor.certificate }) else { return }
        roots.append(root)
    }
}

/// The state a phone starts from, as `boot`, `trace` and an audit are told it (`--signed-in`, `--held-root`, `--sign-in`,
/// `--network`): one value, so a live walk and a capture replay start each build's judge the same way.
public struct PhoneStart: Sendable {
    /// Whether the phone signed in before: it holds ``heldRoots`` and does not download again until reset.
    public var signedIn: Bool
    /// Roots it holds from an earlier sign-in.
    public var heldRoots: [TrustAnchor]
    /// The sign-in method; nil for each build's default (`Knowledge/discovery.json` `signInMethods`).
    public var signIn: SignInMethod?
    /// The network it is on.
    public var network: NetworkSide

    /// A starting state; the defaults are a phone fresh from reset on the internal network, signing in by its build's method.
    /// - Parameters:
    ///   - signedIn: Whether it signed in before.
    ///   - heldRoots: Roots it holds from an earlier sign-in.
    ///   - signIn: The sign-in method; nil for each build's default.
    ///   - network: The network it is on.
    public init(signedIn: Bool = false, heldRoots: [TrustAnchor] = [], signIn: SignInMethod? = nil, network: NetworkSide = .internal) {
        self.signedIn = signedIn
        self.heldRoots = heldRoots
        self.signIn = signIn
        self.network = network
    }

    /// The state one build starts from (``PhoneState/start(profile:signedIn:trusted:held:signIn:network:)``).
    /// - Parameters:
    ///   - profile: The build.
    ///   - trusted: Roots given as trusted (`--trust`).
    /// - Returns: Its state, fresh or signed in, with its roots in the order held.
    public func state(profile: DeviceProfile, trusted: [TrustAnchor]) -> PhoneState {
        PhoneState.start(profile: profile, signedIn: signedIn, trusted: trusted, held: heldRoots, signIn: signIn, network: network)
    }
}

/// What the device data says about one build's phone state (`Knowledge/discovery.json`): its sign-in methods and
/// what each downloads, what it downloads at boot or outside, and whether it keeps roots until reset.
public struct PhoneLifecycle: Sendable {
    /// The build.
    public let profile: DeviceProfile

    /// The lifecycle of one build.
    public init(_ profile: DeviceProfile) { self.profile = profile }

    private func list(_ capability: Capability) -> [String] {
        switch profile.facts[capability]?.value {
        case .list(let value): value
        case .string(let value): [value]
        default: []
        }
    }

    /// The sign-in methods the build offers, the default first (user name and password when the data names none).
    public var signInMethods: [SignInMethod] {
        let methods = list(.signInMethods).compactMap(SignInMethod.init(rawValue:))
        return methods.isEmpty ? [.password] : methods
    }

    /// The method `boot` assumes when `--sign-in` is not given.
    public var defaultSignIn: SignInMethod { signInMethods[0] }

    /// The root downloads (``/CXCertCore/DeviceProfile/rootDiscovery`` values) the phone makes in a phase, on a network, by a
    /// method — only those the build can make at all — and the rule that says when.
    public func downloads(in phase: BootPhase, signIn: SignInMethod, network: NetworkSide) -> (
        downloads: [RootDownload], rule: CapabilityRule?
    ) {
        let capability: Capability =
            switch (phase, network) {
            case (_, .external): .rootDownloadExternal
            case (.boot, _): .rootDownloadAtBoot
            case (.signIn, _), (.signedIn, _): signIn.rootDownload
            }
        let able = Set(profile.rootDownloads)
        return (list(capability).compactMap(RootDownload.init(rawValue:)).filter(able.contains), profile.facts[capability])
    }

    /// Whether a phone holding downloaded roots keeps them, without looking again, until it is reset.
    public var keepsRootsUntilReset: Bool {
        if case .bool(let value) = profile.facts[.rootsKeptUntilReset]?.value { return value }
        return true
    }
}

/// Why a chain the phone does not trust in a phase would be trusted at another moment: the finding that says so.
/// Pure logic over a verify function, so that it is the same for a live walk and for a test.
public enum RootTiming {
    /// Judges a chain in a phase with the roots the phone holds then.
    /// - Parameters:
    ///   - host: The name the phone connected to.
    ///   - phase: When the phone reaches it.
    ///   - state: The phone's state in that phase (the roots it holds now).
    ///   - later: Roots it will download later in the walk, and the phase in which it gets them.
    ///   - elsewhere: Roots its sign-in method would download on the internal network if it looked there, which it does
    ///     not: it holds roots from an earlier sign-in and keeps them until reset, or it is outside the network.
    ///   - profile: The build.
    ///   - vocabulary: Whose words the finding uses.
    ///   - verify: The verdict on the chain with a set of anchors (nil when the server sent no certificate).
    /// - Returns: The verdict with the held roots, and the state finding when another moment's roots would make it trusted.
    public static func judge(
        host: String, phase: BootPhase, state: PhoneState, later: (roots: [TrustAnchor], phase: BootPhase)?, elsewhere: [TrustAnchor],
        profile: DeviceProfile, vocabulary: Vocabulary, verify: ([TrustAnchor]) -> Verdict?
    ) -> (verdict: Verdict?, finding: Finding?, otherwise: Verdict?) {
        let held = state.anchors
        guard let verdict = verify(held) else { return (nil, nil, nil) }
        guard !verdict.isTrusted else { return (verdict, nil, nil) }
        let lifecycle = PhoneLifecycle(profile)
        let heldSources = Self.sources(state.roots)
        // Outside, the phone downloads nothing: a root it could only have learned inside is the reason, whatever its phase.
        if state.network == .external, !elsewhere.isEmpty, let then = verify(held + elsewhere), Self.rootless(verdict, then) {
            let rule = CapabilityBasis(profile, .rootDownloadExternal)
            let needed = Self.needed(then, among: elsewhere)
            let finding = Finding(
                code: .externalRootNotLearned, severity: rule?.confidence == .low ? .warning : .error,
                detail: .walk(
                    .heldRoots(
                        host: host, phase: phase, needed: needed.map(\.certificate.subject.displayName),
                        neededFrom: needed.map(\.source.description), held: heldSources, downloadsIn: nil, rule: rule)),
                client: FindingClient(profile), vocabulary: vocabulary)
            return (verdict, finding, then)
        }
        if let later, !later.roots.isEmpty, let then = verify(held + later.roots), Self.rootless(verdict, then) {
            let rule = CapabilityBasis(profile, phase == .boot ? .rootDownloadAtBoot : state.signIn.rootDownload)
            let needed = Self.needed(then, among: later.roots)
            let finding = Finding(
                code: .rootNotHeldYet, severity: rule?.confidence == .low ? .warning : .error,
                detail: .walk(
                    .heldRoots(
                        host: host, phase: phase, needed: needed.map(\.certificate.subject.displayName),
                        neededFrom: needed.map(\.source.description), held: heldSources, downloadsIn: later.phase, rule: rule)),
                client: FindingClient(profile), vocabulary: vocabulary)
            return (verdict, finding, then)
        }
        if state.phase == .signedIn, lifecycle.keepsRootsUntilReset, !elsewhere.isEmpty, let then = verify(held + elsewhere),
            Self.rootless(verdict, then)
        {
            let rule = CapabilityBasis(profile, .rootsKeptUntilReset)
            let needed = Self.needed(then, among: elsewhere)
            let finding = Finding(
                code: .heldRootStale, severity: .error,
                detail: .walk(
                    .heldRoots(
                        host: host, phase: phase, needed: needed.map(\.certificate.subject.displayName),
                        neededFrom: needed.map(\.source.description), held: heldSources, downloadsIn: nil, rule: rule)),
                client: FindingClient(profile), vocabulary: vocabulary)
            return (verdict, finding, then)
        }
        return (verdict, nil, nil)
    }

    /// The other roots make the chain trusted: only a root was missing.
    static func rootless(_ now: Verdict, _ then: Verdict) -> Bool { !now.isTrusted && then.isTrusted }

    /// The anchors of `among` that end the accepted path (every one when the path does not say).
    static func needed(_ verdict: Verdict, among roots: [TrustAnchor]) -> [TrustAnchor] {
        let anchors = verdict.chain.compactMap { link -> Certificate? in
            if case .anchor = link.role { link.certificate } else { nil }
        }
        let used = roots.filter { root in anchors.contains(root.certificate) }
        return used.isEmpty ? roots : used
    }

    /// Where held roots come from, one entry per source kind (the cache counted, not listed).
    static func sources(_ roots: [HeldRoot]) -> [String] {
        let cache = roots.filter { $0.acquired == .factory }.count
        return (cache > 0 ? ["the built-in cache (\(cache) roots)"] : [])
            + roots.filter { $0.acquired != .factory }.map { "\($0.anchor.certificate.subject.displayName) (\($0.anchor.source))" }
    }
}
