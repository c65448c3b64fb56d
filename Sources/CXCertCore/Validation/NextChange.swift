#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The first instant after a verdict's time at which the verdict for the same client would change:
/// a certificate expiring or becoming valid. Answers "how long until the phones go dark?".
///
/// Times follow RFC 5280 §4.1.2.5: a certificate is valid from its notBefore second through its
/// notAfter second inclusive, so a change happens at a notBefore or one second after a notAfter.
public struct NextChange: Sendable, Hashable {
    /// The first second at which the verdict differs from the one at the starting time.
    public let at: Date
    /// Whether the client trusts the server from that instant.
    public let trusted: Bool
    /// Error codes present from `at` that were not before (e.g. `expired`).
    public let appeared: [FindingCode]
    /// Error codes present before `at` that are gone from it (e.g. `not-yet-valid`).
    public let disappeared: [FindingCode]

    /// Creates a change; the codes are kept sorted so that equal changes compare equal.
    public init(at: Date, trusted: Bool, appeared: [FindingCode], disappeared: [FindingCode]) {
        self.at = at
        self.trusted = trusted
        self.appeared = appeared.sorted { $0.rawValue < $1.rawValue }
        self.disappeared = disappeared.sorted { $0.rawValue < $1.rawValue }
    }

    /// Every code that appeared or disappeared: what causes the change.
    public var codes: [FindingCode] { (appeared + disappeared).sorted { $0.rawValue < $1.rawValue } }

    /// The default horizon: ten years after `time`, as `verify --until` assumes.
    public static func defaultHorizon(after time: Date) -> Date {
        // The same day and time ten years on (28 February for a 29th), by date arithmetic: a `Calendar`'s first use costs
        // more than the rest of a one-shot verify's date work. The Gregorian calendar's Julian years before 1583, and
        // times far outside any certificate's, are left to it.
        let seconds = time.timeIntervalSince1970
        if seconds > -12_212_553_600, seconds < 1e13 {  // 1583-01-01 to about year 318,000
            let days = Int((seconds / 86_400).rounded(.down))
            let date = CivilDate.date(days: days)
            let day = min(date.day, CivilDate.daysIn(month: date.month, year: date.year + 10))
            let later = CivilDate.days(year: date.year + 10, month: date.month, day: day)
            return time.addingTimeInterval(Double(later - days) * 86_400)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: 10, to: time) ?? time.addingTimeInterval(10 * 365.25 * 86_400)
    }

    /// The instants at which validity of one of `certificates` begins or ends, after `time` and not
    /// after `until`, in order: each notBefore, and each notAfter plus one second.
    public static func candidateInstants(_ certificates: [Certificate], after time: Date, until: Date) -> [Date] {
        var instants = Set<Date>()
        for certificate in certificates {
            for instant in [certificate.notBefore, certificate.notAfter.addingTimeInterval(1)] where instant > time && instant <= until {
                instants.insert(instant)
            }
        }
        return instants.sorted()
    }

    /// The certificates a chain from `leaf` could use: the leaf, then every pool certificate whose subject
    /// is the issuer of one already taken, repeatedly. Path building goes by issuer name, so nothing
    /// outside this set can enter a chain, and only its validity periods can change the verdict. Names
    /// are compared case- and space-insensitively, as OpenSSL's canonical form does, so the set is never
    /// smaller than what OpenSSL could pick.
    public static func relevantCertificates(leaf: Certificate, pool: [Certificate]) -> [Certificate] {
        relevant(leaf: leaf, pool: pool.map(Named.init))
    }

    /// A certificate with its subject and issuer in canonical form, computed once; a built-in cache root is
    /// decoded only when a chain from the leaf reaches it by name.
    struct Named: Sendable {
        let der: [UInt8]
        let subject: String
        let issuer: String
        private let decoded: @Sendable () -> Certificate

        var certificate: Certificate { decoded() }

        init(_ certificate: Certificate) {
            der = certificate.der
            subject = NextChange.canonical(certificate.subject)
            issuer = NextChange.canonical(certificate.issuer)
            decoded = { certificate }
        }

        init(_ root: BuiltInTrustStore.Root) {
            der = root.der
            subject = root.canonicalSubject ?? NextChange.canonical(root.certificate.subject)
            issuer = root.canonicalIssuer ?? NextChange.canonical(root.certificate.issuer)
            decoded = { root.certificate }
        }
    }

    /// The built-in cache, named once per process rather than once per verdict.
    static let namedCache: [Named] = BuiltInTrustStore.roots.map(Named.init)

    static func relevant(leaf: Certificate, pool: [Named]) -> [Certificate] {
        var taken = [leaf]
        var takenDER: Set<[UInt8]> = [leaf.der]
        var issuers: Set<String> = [canonical(leaf.issuer)]
        var rest = pool.filter { $0.der != leaf.der }
        var grew = true
        while grew {
            grew = false
            var remaining: [Named] = []
            for named in rest {
                if issuers.contains(named.subject) {
                    if takenDER.insert(named.der).inserted { taken.append(named.certificate) }
                    issuers.insert(named.issuer)
                    grew = true
                } else {
                    remaining.append(named)
                }
            }
            rest = remaining
        }
        return taken
    }

    /// A name's attributes with values lowercased and runs of spaces folded, like OpenSSL's canonical encoding.
    static func canonical(_ name: DistinguishedName) -> String {
        name.attributes.map { "\($0.oid)=\(canonical(value: $0.value))" }.joined(separator: "\u{0}")
    }

    /// A value lowercased with its runs of white space folded to one space and none at either end. ASCII text (every
    /// name in practice) is folded byte by byte, which gives what the `Character` path gives at a fraction of its cost
    /// (CR LF, one `Character`, is two white-space bytes, folded the same).
    static func canonical(value: String) -> String {
        let utf8 = value.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            return value.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        var folded: [UInt8] = []
        folded.reserveCapacity(utf8.count)
        fold(ascii: utf8, into: &folded)
        return String(decoding: folded, as: UTF8.self)
    }

    /// ASCII `bytes` lowercased, runs of white space folded to one space and none at either end, appended to `out`.
    private static func fold(ascii bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        let start = out.count
        var pendingSpace = false
        for byte in bytes {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = out.count > start
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
        }
    }

    /// ``canonical(_:)`` of a name read from its DER, or nil when an attribute's value is not a string of a type
    /// decoded here as OpenSSL's `ASN1_STRING_to_UTF8` converts it (UTF8String; PrintableString, T61String, IA5String
    /// and VisibleString as Latin-1; BMPString): the cache's names, so that its roots need no OpenSSL decoding to be
    /// matched. A test checks it against ``canonical(_:)`` of every cache root as OpenSSL decodes it.
    static func canonical(nameDER der: [UInt8]) -> String? {
        let reader = DERReader(der)
        guard let name = try? reader.element(at: 0), name.tag == DERTag.sequence, name.end == der.count,
            let rdns = try? reader.children(of: name)
        else { return nil }
        // Written as bytes: the cache's 34 names are read at every start that judges a chain.
        var out: [UInt8] = []
        out.reserveCapacity(der.count)
        for rdn in rdns {
            guard rdn.tag == DERTag.set, let attributes = try? reader.children(of: rdn) else { return nil }
            for attribute in attributes {
                guard attribute.tag == DERTag.sequence, let pair = try? reader.children(of: attribute), pair.count == 2,
                    pair[0].tag == DERTag.objectIdentifier, let oid = OIDString.dotted(reader.content(pair[0]))
                else { return nil }
                if !out.isEmpty { out.append(0) }
                out.append(contentsOf: oid.utf8)
                out.append(UInt8(ascii: "="))
                let content = reader.content(pair[1])
                // ASCII in any of the string types is its own UTF-8 (`text` gives the same bytes): folded in place.
                if [0x0C, 0x13, 0x14, 0x16, 0x1A].contains(pair[1].tag), content.allSatisfy({ $0 < 0x80 }) {
                    fold(ascii: content, into: &out)
                } else {
                    guard let value = text(pair[1].tag, content) else { return nil }
                    out.append(contentsOf: canonical(value: value).utf8)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A string value as UTF-8 text, for the string types ``canonical(nameDER:)`` reads.
    private static func text(_ tag: UInt8, _ bytes: ArraySlice<UInt8>) -> String? {
        switch tag {
        case 0x0C:  // UTF8String
            return String(validating: bytes, as: UTF8.self)
        case 0x13, 0x14, 0x16, 0x1A:  // PrintableString, T61String, IA5String, VisibleString: OpenSSL reads a byte as Latin-1
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }  // ASCII: the same text
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case 0x1E:  // BMPString: UCS-2, big-endian
            guard bytes.count % 2 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            var index = bytes.startIndex
            while index < bytes.endIndex {
                guard let scalar = Unicode.Scalar(UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])) else { return nil }
                scalars.append(scalar)
                index += 2
            }
            return String(scalars)
        default:
            return nil
        }
    }

    /// Walks `instants` in order and returns the first at which `verdict(at:)` differs from `baseline`
    /// in trust or in its set of error codes; nil when none does.
    package static func first(
        after baseline: Verdict, instants: [Date], verdict: (Date) -> Verdict?
    ) -> NextChange? {
        let before = baseline.errorCodes
        for instant in instants {
            guard let later = verdict(instant) else { continue }
            let after = later.errorCodes
            if later.isTrusted != baseline.isTrusted || after != before {
                return NextChange(
                    at: instant, trusted: later.isTrusted, appeared: Array(after.subtracting(before)),
                    disappeared: Array(before.subtracting(after)))
            }
        }
        return nil
    }
}

extension Verdict {
    /// The codes of the findings that make the verdict untrusted.
    var errorCodes: Set<FindingCode> { Set(findings.filter { $0.severity == .error }.map(\.code)) }
}

extension VerificationRequest {
    /// The certificates whose validity periods the verdict for `profile` can depend on: the leaf, and the
    /// supplied intermediates, the given anchors and (for phones) the built-in cache roots that a chain
    /// from the leaf could reach by issuer name.
    public func relevantCertificates(for profile: DeviceProfile) -> [Certificate] {
        let supplied = (intermediates + anchors.map(\.certificate)).map(NextChange.Named.init)
        return NextChange.relevant(leaf: leaf, pool: supplied + (profile.usesBuiltInCache ? NextChange.namedCache : []))
    }
}

extension Verifier {
    /// When the verdict of `verify(request, profile:)` would first change after `request.time`, up to and
    /// including `until`: re-validates at each instant a relevant certificate begins or ends its validity,
    /// so the answer is exactly what a verification at that instant says. Nil when nothing changes.
    public static func nextChange(for request: VerificationRequest, profile: DeviceProfile, until: Date) -> NextChange? {
        nextChange(for: request, profile: profile, until: until, baseline: verify(request, profile: profile))
    }

    /// As ``nextChange(for:profile:until:)`` for a verdict already computed from `request`.
    public static func nextChange(
        for request: VerificationRequest, profile: DeviceProfile, until: Date, baseline: Verdict
    ) -> NextChange? {
        let instants = NextChange.candidateInstants(request.relevantCertificates(for: profile), after: request.time, until: until)
        return NextChange.first(after: baseline, instants: instants) { instant in
            var later = request
            later.time = instant
            return verify(later, profile: profile)
        }
    }
}

/// Every profile's verdict on one request, and when each would next change: what `cxcert verify` prints.
public struct VerificationOutcome: Sendable {
    /// One verdict per profile, in the order the profiles were given.
    public let verdicts: [Verdict]
    /// When each verdict next changes (nil: not before ``until``), in the order of ``verdicts``.
    public let nextChanges: [NextChange?]
    /// The last instant looked at for a change.
    public let until: Date

    /// Whether every profile trusts the certificate (and every name is covered).
    public var allTrusted: Bool { verdicts.allSatisfy(\.trusted) }
}

extension Verifier {
    /// Judges `request` for each of `profiles` and says when each verdict next changes, looking up to
    /// `until` (by default ``NextChange/defaultHorizon(after:)`` of the request's time).
    /// - Parameters:
    ///   - request: The certificate, its chain, the trust sources, names and time.
    ///   - profiles: The clients to judge for, one verdict each.
    ///   - until: The last instant to look at for a change.
    /// - Returns: The verdicts and their next changes, in the order of `profiles`.
    public static func verify(_ request: VerificationRequest, profiles: [DeviceProfile], until: Date? = nil) -> VerificationOutcome {
        let verdicts = profiles.map { verify(request, profile: $0) }
        let horizon = until ?? NextChange.defaultHorizon(after: request.time)
        let changes = zip(profiles, verdicts).map { profile, verdict in
            nextChange(for: request, profile: profile, until: horizon, baseline: verdict)
        }
        return VerificationOutcome(verdicts: verdicts, nextChanges: changes, until: horizon)
    }
}
