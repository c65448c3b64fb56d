import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the two directory searches a phone makes return: from a live directory or an LDIF snapshot.
public struct DirectorySnapshot: Sendable {
    /// `certificationAuthority` objects (Certification Authorities, AIA, NTAuthCertificates).
    public let certificationAuthorities: [DirectoryEntry]
    /// `pKIEnrollmentService` objects.
    public let enrollmentServices: [DirectoryEntry]

    /// A snapshot of the two searches' results.
    /// - Parameters:
    ///   - certificationAuthorities: The `certificationAuthority` objects (step 1 of the phone's walk).
    ///   - enrollmentServices: The `pKIEnrollmentService` objects (step 2).
    public init(certificationAuthorities: [DirectoryEntry], enrollmentServices: [DirectoryEntry]) {
        self.certificationAuthorities = certificationAuthorities
        self.enrollmentServices = enrollmentServices
    }

    /// Reads both searches from a live directory.
    public init(reading client: DirectoryClient) async throws(DirectoryError) {
        self.init(
            certificationAuthorities: try await client.certificationAuthorityObjects(),
            enrollmentServices: try await client.enrollmentServiceObjects())
    }

    /// Parses an LDIF snapshot (`cxcert ds list --save`, or `ldapsearch -LLL` output of the same searches).
    /// Entries with a `dNSHostName` or the pKIEnrollmentService class are enrollment services.
    public init(ldif: String) throws(DirectoryError) {
        var authorities: [DirectoryEntry] = []
        var services: [DirectoryEntry] = []
        for record in try LDIF.parse(ldif) {
            var attributes: [String: [[UInt8]]] = [:]
            for (name, value) in record.attributes { attributes[name, default: []].append(value) }
            let entry = DirectoryEntry(dn: record.dn, attributes: attributes)
            let classes = entry.values("objectClass").map { String(decoding: $0, as: UTF8.self).lowercased() }
            if classes.contains("pkienrollmentservice")
                || (!classes.contains("certificationauthority") && entry.string("dNSHostName") != nil)
            {
                services.append(entry)
            } else {
                authorities.append(entry)
            }
        }
        self.init(certificationAuthorities: authorities, enrollmentServices: services)
    }

    /// The snapshot as LDIF, readable by `init(ldif:)` and by `ldapmodify`-style tools.
    public var ldif: String {
        let records =
            (certificationAuthorities.map { ($0, "certificationAuthority") } + enrollmentServices.map { ($0, "pKIEnrollmentService") })
            .map { entry, objectClass -> LDIF.Record in
                var attributes: [(String, [UInt8])] = [("objectClass", Array(objectClass.utf8))]
                for key in entry.attributes.keys.sorted() where key.lowercased() != "objectclass" {
                    attributes += entry.attributes[key]!.map { (key, $0) }
                }
                return LDIF.Record(dn: entry.dn, attributes: attributes, line: 0)
            }
        return "# cxcert directory snapshot: the phones' two searches of the Configuration NC\nversion: 1\n\n" + LDIF.render(records)
    }
}

/// A certificate the phone would install, and every object it came from.
public struct DiscoveredCertificate: Sendable, Hashable {
    /// The certificate.
    public let certificate: Certificate
    /// The DN of every object that holds it, in search order.
    public let objects: [String]
}

/// An enterprise CA the phone falls back to, and what its certsrv page gave.
public struct EnrollmentService: Sendable {
    /// The enrollment service object's DN.
    public let dn: String
    /// The CA's host name, as the object's `dNSHostName` gives it.
    public let dnsHostName: String?
    /// `http://<dNSHostName>/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64`, when the host name is sane.
    public let url: String?
    /// The certificates certsrv returned (empty when not fetched or when the fetch failed).
    public let certificates: [Certificate]
    /// Why the URL could not be built or fetched.
    public let problem: String?
}

/// The story a phone lives through when it looks for internal roots in AD.
public struct DiscoveryResult: Sendable {
    /// Step 1: `(objectCategory=certificationAuthority)` → `cACertificate`, deduplicated by DER.
    public let certificationAuthorities: [DiscoveredCertificate]
    /// 1-byte placeholder values skipped.
    public let placeholdersSkipped: Int
    /// Values that are not certificates: the object and the reason.
    public let undecodable: [String]
    /// Step 2 runs only when step 1 finds nothing, as on the phone.
    public let fallbackUsed: Bool
    /// Step 2's enrollment services (empty when step 1 found certificates).
    public let enrollmentServices: [EnrollmentService]

    /// Every certificate the phone ends up trusting, step 1 first.
    public var certificates: [Certificate] {
        var seen: Set<Certificate> = []
        return (certificationAuthorities.map(\.certificate) + enrollmentServices.flatMap(\.certificates)).filter {
            seen.insert($0).inserted
        }
    }
}

/// The phone's discovery of internal roots in AD, replayed: step 1 reads `cACertificate` from certification
/// authority objects; only when that finds nothing, step 2 fetches each enterprise CA's certsrv chain.
public enum PhoneDiscovery {
    /// The certsrv URL the phone builds from an enrollment service's `dNSHostName`. A value that is not a
    /// host name (or host:port) is refused rather than pasted into a URL.
    public static func certsrvURL(dnsHostName: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:")
        guard !dnsHostName.isEmpty, dnsHostName.count <= 255, dnsHostName.allSatisfy(allowed.contains),
            !dnsHostName.hasPrefix("-"), !dnsHostName.hasPrefix(".")
        else { return nil }
        return "http://\(dnsHostName)/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64"
    }

    /// Walks the snapshot as the phone does. `fetch` downloads a certsrv URL over HTTP (nil: do not fetch);
    /// its failure becomes the enrollment service's problem.
    public static func walk(_ snapshot: DirectorySnapshot, fetch: ((String) throws(HTTPError) -> [UInt8])? = nil) -> DiscoveryResult {
        var found: [Certificate: [String]] = [:]
        var order: [Certificate] = []
        var placeholders = 0
        var undecodable: [String] = []
        for entry in snapshot.certificationAuthorities {
            let values = entry.values("cACertificate")
            placeholders += values.count - entry.certificateValues.count
            for value in entry.certificateValues {
                do {
                    let certificate = try Certificate(derEncoded: value)
                    if found[certificate] == nil { order.append(certificate) }
                    found[certificate, default: []].append(entry.dn)
                } catch {
                    undecodable.append("\(entry.dn): \(error)")
                }
            }
        }
        let step1 = order.map { DiscoveredCertificate(certificate: $0, objects: found[$0]!) }
        guard step1.isEmpty else {
            return DiscoveryResult(
                certificationAuthorities: step1, placeholdersSkipped: placeholders, undecodable: undecodable, fallbackUsed: false,
                enrollmentServices: [])
        }
        let services = snapshot.enrollmentServices.map { entry -> EnrollmentService in
            let host = entry.string("dNSHostName")
            guard let host, let url = certsrvURL(dnsHostName: host) else {
                return EnrollmentService(
                    dn: entry.dn, dnsHostName: host, url: nil, certificates: [],
                    problem: host == nil ? "no dNSHostName" : "dNSHostName '\(host)' is not a host name")
            }
            guard let fetch else { return EnrollmentService(dn: entry.dn, dnsHostName: host, url: url, certificates: [], problem: nil) }
            do {
                let certificates = try CertificateDecoder().decode(try fetch(url)).certificates
                return EnrollmentService(dn: entry.dn, dnsHostName: host, url: url, certificates: certificates, problem: nil)
            } catch let error as HTTPError {
                return EnrollmentService(dn: entry.dn, dnsHostName: host, url: url, certificates: [], problem: error.description)
            } catch {
                return EnrollmentService(dn: entry.dn, dnsHostName: host, url: url, certificates: [], problem: "\(error)")
            }
        }
        return DiscoveryResult(
            certificationAuthorities: [], placeholdersSkipped: placeholders, undecodable: undecodable, fallbackUsed: true,
            enrollmentServices: services)
    }
}

extension DiscoveryResult: Encodable {
    /// A certificate found: the objects it came from, beside its reference view.
    private struct Found: Encodable {
        let certificate: CertificateReference
        let objects: [String]

        private enum Key: String, CodingKey { case objects }
        func encode(to encoder: any Encoder) throws {
            try certificate.encode(to: encoder)
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(objects, forKey: .objects)
        }
    }
    private struct Service: Encodable {
        let dn: String
        let dnsHostName: String?
        let url: String?
        let certificates: [Found]
        let problem: String?
    }
    private enum Key: String, CodingKey {
        case certificationAuthorities, placeholdersSkipped, undecodable, fallbackUsed, enrollmentServices
    }

    /// Encodes the result for `--json`: subjects as RFC 4514 strings, certificates by SHA-1 and SHA-256.
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        func found(_ c: Certificate, _ objects: [String]) -> Found {
            Found(certificate: CertificateReference(c), objects: objects)
        }
        try out.encode(certificationAuthorities.map { found($0.certificate, $0.objects) }, forKey: .certificationAuthorities)
        try out.encode(placeholdersSkipped, forKey: .placeholdersSkipped)
        try out.encode(undecodable, forKey: .undecodable)
        try out.encode(fallbackUsed, forKey: .fallbackUsed)
        try out.encode(
            enrollmentServices.map {
                Service(
                    dn: $0.dn, dnsHostName: $0.dnsHostName, url: $0.url, certificates: $0.certificates.map { found($0, []) },
                    problem: $0.problem)
            }, forKey: .enrollmentServices)
    }
}

extension DirectorySnapshot {
    /// The largest snapshot read, as for every other input.
    public static let maxBytes = 16 << 20

    /// Reads an LDIF snapshot file (`cxcert ds list --save`).
    /// - Parameter path: The snapshot file, at most ``maxBytes``.
    /// - Throws: ``DirectoryError/notFound(_:)`` when the file cannot be read,
    ///   ``DirectoryError/invalidSnapshot(line:reason:file:)`` (naming the file) when it is too large or not valid LDIF.
    public init(contentsOfFile path: String) throws(DirectoryError) {
        let data: [UInt8]
        do { data = try BoundedReader.read(path: path, limit: Self.maxBytes) } catch {
            if case .tooLarge = error { throw .invalidSnapshot(line: 0, reason: "the snapshot is \(error.reason)", file: path) }
            throw .notFound("cannot read the snapshot \(error)")
        }
        do {
            try self.init(ldif: String(decoding: data, as: UTF8.self))
        } catch .invalidSnapshot(let line, let reason, _) {
            throw .invalidSnapshot(line: line, reason: reason, file: path)
        }
    }

    /// The roots a phone ends up trusting from this directory (its discovery walk, without fetching
    /// certsrv), as trust anchors labelled with `place`.
    public func phoneAnchors(place: String) -> [TrustAnchor] {
        PhoneDiscovery.walk(self).certificates.map { TrustAnchor(certificate: $0, source: .activeDirectory(place)) }
    }
}
