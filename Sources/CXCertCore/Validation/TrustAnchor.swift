/// Where a trust anchor came from.
public enum TrustSource: Sendable, Hashable, CustomStringConvertible {
    /// Row N of the phones' built-in trusted-authorities cache.
    case builtInCache(row: Int)
    /// A root the user named (`--trust FILE`).
    case user(file: String)
    /// A root published in Active Directory (live directory or snapshot).
    case activeDirectory(String)
    /// A root chain from the Lync Certificate Provisioning service (a captured `GetRootCertChains` answer).
    case certificateProvisioning(String)
    /// A root a deployment file lists under `trust.roots`.
    case deploymentRoot(file: String)
    /// A root the phone already holds from an earlier sign-in (`boot --held-root FILE`).
    case heldRoot(file: String)
    /// A root the phone downloaded over HTTP (a certificate bundle a capture shows).
    case download(url: String)

    public var description: String {
        switch self {
        case .builtInCache(let row): "built-in cache, row \(row)"
        case .user(let file): "--trust \(file)"
        case .activeDirectory(let place): "Active Directory (\(place))"
        case .certificateProvisioning(let place): "Certificate Provisioning service (\(place))"
        case .deploymentRoot(let file): "trust.roots \(file)"
        case .heldRoot(let file): "--held-root \(file)"
        case .download(let url): "HTTP \(url)"
        }
    }
}

/// A certificate a client trusts without checking its signature.
public struct TrustAnchor: Sendable, Hashable {
    /// The trusted certificate, usually a self-signed root.
    public let certificate: Certificate
    /// Where the client got it, as findings and remedies name it.
    public let source: TrustSource

    /// An anchor from a certificate and where it came from.
    public init(certificate: Certificate, source: TrustSource) {
        self.certificate = certificate
        self.source = source
    }

    /// The phones' built-in cache as anchors.
    public static let builtInCache: [TrustAnchor] = BuiltInTrustStore.roots.map(\.anchor)

    /// The built-in cache's anchors that a path through `certificates` can end at, in the guide's order: those
    /// whose subject is the issuer of one of them (path building matches an issuer by its name's DER) or that
    /// are one of them. Only these roots are decoded, so a chain that reaches none decodes none.
    static func builtInCache(reachableFrom certificates: [Certificate]) -> [TrustAnchor] {
        // Compared directly: a chain's few certificates against 17 roots. Hashing every DER into two sets cost more
        // than the rest of choosing (0.8M instructions of a one-shot verify).
        BuiltInTrustStore.roots.filter { root in
            certificates.contains { $0.issuer.der == root.subject || $0.der == root.der }
        }.map(\.anchor)
    }
}
