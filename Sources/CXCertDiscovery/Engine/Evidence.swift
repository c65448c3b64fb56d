import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What happened on the wire, typed: the live walk and the capture replay produce it, ``PhoneJudge`` judges it.
/// No fact travels as prose: wording is the reports layer's.
public enum Evidence: Sendable {
    /// A time reading: a server's answer, or the phone's own clock in its request.
    case time(TimeEvidence)
    /// Roots the phone received from the Certificate Provisioning service or an HTTP download.
    case roots([TrustAnchor], at: Date)
    /// An LDAP read of the directory: the entries read, from which the judge derives the roots the phone holds
    /// (``PhoneJudge/roots(in:)``), the one rule for the live walk's Active Directory read and a capture's LDAP search.
    case directory(DirectoryRead, at: Date)
    /// A TLS handshake and the chain the server sent.
    case handshake(HandshakeEvidence)
    /// A DNS question the phone asked, with the server asked and the answer it got (or why there was none), at the time
    /// the answer came (the question's, when none came).
    case dns(BootQuery, at: Date)

    /// The true time the evidence happened at: the order the judge takes it in.
    public var at: Date {
        switch self {
        case .time(let reading): reading.at
        case .roots(_, let at): at
        case .directory(_, let at): at
        case .handshake(let handshake): handshake.at
        case .dns(_, let at): at
        }
    }
}

/// A time reading the phone's clock follows.
public struct TimeEvidence: Sendable, Hashable {
    /// Whose clock the reading is.
    public enum Kind: Sendable, Hashable {
        /// A synchronised time server's answer: the phone sets its clock from it.
        case answer
        /// The phone's own clock, as its request carried it (a capture without an answer).
        case phoneReading
    }
    /// Whose clock the reading is.
    public let kind: Kind
    /// The phone's clock minus the true time, in seconds.
    public let offset: TimeInterval
    /// Where the reading came from, as the `clock-skew` finding names it.
    public let source: ClockSource
    /// The true time of the reading (this machine's clock, or the capture's).
    public let at: Date

    /// A reading.
    public init(kind: Kind, offset: TimeInterval, source: ClockSource, at: Date) {
        self.kind = kind
        self.offset = offset
        self.source = source
        self.at = at
    }
}

/// What an LDAP read of the directory returned: the `certificationAuthority` entries with their attributes as the server
/// sent them, read live (`boot --ad`), from a snapshot (`--ad-snapshot`, `trust.adSnapshot`), or decoded from a capture's
/// LDAP search results. The roots are not carried: the judge derives them (``PhoneJudge/roots(in:)``).
public struct DirectoryRead: Sendable, Hashable {
    /// Where the entries were read: the directory's URL, the snapshot, or the captured server and entry; the roots'
    /// Active Directory source names it.
    public let place: String
    /// The entries read (container and attributes, the `cACertificate` values among them).
    public let entries: [DirectoryEntry]

    /// A read of entries at a place.
    public init(place: String, entries: [DirectoryEntry]) {
        self.place = place
        self.entries = entries
    }

    /// The phone's first search of a snapshot: its `certificationAuthority` entries (the enrollment services give roots
    /// only through a certsrv fetch, which the phone's walk makes only when these hold none).
    /// - Parameters:
    ///   - snapshot: The directory's answers, live or from LDIF.
    ///   - place: Where it was read.
    public init(_ snapshot: DirectorySnapshot, place: String) {
        self.init(place: place, entries: snapshot.certificationAuthorities)
    }
}

/// A TLS handshake the phone made, live or in a capture.
public struct HandshakeEvidence: Sendable {
    /// The server's address.
    public let address: String
    /// The server's port.
    public let port: Int
    /// The certificates the server sent, leaf first (empty when it sent none).
    public let chain: [Certificate]
    /// Why the server refused the phone's own handshake (its TLS version and suites); nil when it did not.
    public let refusal: String?
    /// The true time of the handshake.
    public let at: Date

    /// A handshake.
    public init(address: String, port: Int, chain: [Certificate], refusal: String? = nil, at: Date) {
        self.address = address
        self.port = port
        self.chain = chain
        self.refusal = refusal
        self.at = at
    }

    /// `address:port`, as findings name the server.
    public var endpoint: String { "\(address):\(port)" }
}

/// A handshake judged for the names the phone may have used to reach it.
public struct HandshakeJudgement: Sendable {
    /// One name (or set of names the chain must all cover) the handshake is judged for.
    public struct Candidate: Sendable {
        /// The name the phone connected by; nil when the capture shows none (names are not checked then).
        public let name: String?
        /// The names the chain must cover for it.
        public let hosts: [String]
        /// The verdict at the phone's clock with the roots it held then.
        public let verdict: Verdict
    }
    /// Every candidate, in the order given.
    public let candidates: [Candidate]
    /// The candidate the verdict stands on: the first the phone trusts, else the first.
    public let chosen: Candidate
    /// What is wrong, for the step: the chosen candidate's findings (a missing root said as `root-not-held-yet` or
    /// `held-root-stale` when the phone gets it at another moment), the others' own findings (warnings when another
    /// name is covered) and `clock-skew` when the phone's clock changes the verdict.
    public let findings: [Finding]
    /// The phone's clock the chain was judged at.
    public let phoneClock: Date
    /// Where that clock came from; nil when the phone had none (the true time stands in).
    public let clockSource: ClockSource?

    /// The verdict the step reports.
    public var verdict: Verdict { chosen.verdict }
    /// The names whose chain the phone trusts.
    public var covered: [String] { candidates.filter { $0.verdict.isTrusted }.compactMap(\.name) }
    /// The names whose chain it does not.
    public var uncovered: [String] { candidates.filter { !$0.verdict.isTrusted }.compactMap(\.name) }
}
