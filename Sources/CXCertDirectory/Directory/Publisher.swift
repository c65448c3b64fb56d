import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a directory write did (or, in a dry run, would do) to one object.
public struct DirectoryChange: Sendable, Hashable, Encodable {
    /// What happened to the object, as `--json` spells it.
    public enum Action: String, Sendable, Codable {
        /// The object was created with the certificate as its only value.
        case created
        /// The certificate was added as one more `cACertificate` value.
        case valueAdded = "value-added"
        /// The certificate was there already; nothing changed.
        case alreadyPresent = "already-present"
        /// The certificate was removed from the object's `cACertificate` values.
        case valueRemoved = "value-removed"
        /// The removed value was the object's last certificate: a one-byte 0x00 placeholder took its
        /// place in the same modify, so the object stays valid (its mandatory attribute keeps a value).
        case valueReplacedByPlaceholder = "value-replaced-by-placeholder"
        /// The value was gone already (someone else removed it meanwhile).
        case alreadyAbsent = "already-absent"
        /// The object was deleted (`--delete-object`, once it held nothing but placeholders).
        case objectDeleted = "object-deleted"
        /// `--delete-object` was asked for, but the object was not deleted; `note` says why.
        case objectKept = "object-kept"
    }
    /// The object's distinguished name.
    public let dn: String
    /// What was (or would be) done to it.
    public let action: Action
    /// The change as LDIF (empty when nothing changes).
    public let ldif: String
    /// Why an object was kept.
    public var note: String? = nil
}

/// The outcome of `publish` or `remove`.
public struct DirectoryReport: Sendable, Encodable {
    /// One change per object, in the order they were made.
    public let changes: [DirectoryChange]
    /// Whether nothing was written: the changes are what a write would do.
    public let dryRun: Bool
    /// What the admin should know before relying on what was published (expired root, weak key...).
    public var warnings: [String] = []
    /// Every object already held the certificate ("already published", as certutil says).
    public var nothingChanged: Bool { changes.allSatisfy { [.alreadyPresent, .alreadyAbsent, .objectKept].contains($0.action) } }
    /// The LDIF of every change, in order.
    public var ldif: String { changes.map(\.ldif).filter { !$0.isEmpty }.joined(separator: "\n") }
}

/// What a write that stopped part-way did and did not do (`--json` prints it on failure).
public struct PartialWrite: Sendable, Hashable, Encodable {
    /// The changes made before the error.
    public let written: [DirectoryChange]
    /// The objects not written (or not checked) because of the error.
    public let notWritten: [String]
    /// The error that stopped the write.
    public let error: String
}

extension DirectoryClient {
    private static let placeholder: [UInt8] = [0]

    /// What `publish` refuses without asking the directory: checked before connecting, so a wrong file
    /// is reported as such even when no DC is reachable (`ds publish --dry-run`).
    public static func checkPublishable(_ certificate: Certificate, force: Bool) throws(DirectoryError) {
        guard certificate.isCA || (certificate.isSelfIssued && certificate.basicConstraints == nil) || force else {
            throw .refused(
                "\(certificate.subject.displayName) is not a CA certificate (basicConstraints CA:TRUE is missing); phones would not use it as a root. Use --force to publish it anyway."
            )
        }
    }

    /// Publishes a CA certificate as `certutil -f -dspublish FILE RootCA|SubCA|NTAuthCA` does: each
    /// target object is created when missing (class certificationAuthority, ARL/CRL set to one 0x00 byte)
    /// and otherwise gets the certificate as one more `cACertificate` value; other values are never
    /// touched. Publishing twice changes nothing. Safe against concurrent publishers: a lost race to
    /// create falls back to adding the value, and a value someone else added counts as present.
    public func publish(
        _ certificate: Certificate, target: PublishTarget = .rootCA, force: Bool = false, dryRun: Bool = false
    ) async throws(DirectoryError) -> DirectoryReport {
        try Self.checkPublishable(certificate, force: force)
        var changes: [DirectoryChange] = []
        let objects = target.objects(for: certificate, in: containers)
        for dn in objects {
            do {
                changes.append(try await publish(certificate, to: dn, dryRun: dryRun))
            } catch {
                guard changes.contains(where: { $0.action != .alreadyPresent }) else { throw error }
                throw .partial(
                    PartialWrite(written: changes, notWritten: Array(objects.dropFirst(changes.count)), error: error.description))
            }
        }
        return DirectoryReport(changes: changes, dryRun: dryRun, warnings: PublishAdvice.warnings(for: certificate))
    }

    private func publish(_ certificate: Certificate, to dn: String, dryRun: Bool) async throws(DirectoryError) -> DirectoryChange {
        // A concurrent `remove --delete-object` may take the object away between our read and our write
        // (noSuchObject), and a concurrent publisher may create it (alreadyExists): read again and retry.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await publishOnce(certificate, to: dn, dryRun: dryRun)
            } catch .noSuchObject where attempt < 5 {
                continue
            } catch .ldap(let cause) where cause.code == LDAPSession.alreadyExists && attempt < 5 {
                continue
            }
        }
    }

    private func publishOnce(_ certificate: Certificate, to dn: String, dryRun: Bool) async throws(DirectoryError) -> DirectoryChange {
        let der = certificate.der
        if let existing = try await read(dn, attributes: ["cACertificate"]) {
            // If a remover deletes the object meanwhile, the add fails (noSuchObject) and the caller starts again.
            return try await addValue(der, to: existing, dryRun: dryRun)
        }
        let cn = dn.hasPrefix("CN=NTAuthCertificates,") ? "NTAuthCertificates" : SanitizedName.objectName(for: certificate)
        let attributes: [(String, [[UInt8]])] = [
            ("objectClass", [Array("top".utf8), Array("certificationAuthority".utf8)]), ("cn", [Array(cn.utf8)]),
            ("cACertificate", [der]), ("authorityRevocationList", [Self.placeholder]),
            ("certificateRevocationList", [Self.placeholder]),
        ]
        let ldif =
            ([LDIF.line("dn", dn), "changetype: add"]
            + attributes.flatMap { name, values in values.map { LDIF.line(name, $0) } }).joined(separator: "\n") + "\n"
        if dryRun { return DirectoryChange(dn: dn, action: .created, ldif: ldif) }
        // alreadyExists (another publisher created it a moment ago) goes back to the caller's retry,
        // which adds our value to theirs.
        try await session.add(dn: dn, attributes: attributes)
        return DirectoryChange(dn: dn, action: .created, ldif: ldif)
    }

    /// The value `remove --delete-object` adds to `authorityRevocationList` while it decides to delete an
    /// object. AD has no conditional delete (no assertion control; Configuration NC objects cannot be
    /// renamed), so this is the lock: adding a value that is present fails atomically. Phones never read
    /// that attribute; certutil's own value there is the 0x00 placeholder.
    static let deletionLock = Array("cxcert: object being deleted".utf8)

    private func addValue(_ der: [UInt8], to existing: DirectoryEntry, dryRun: Bool) async throws(DirectoryError) -> DirectoryChange {
        let dn = existing.dn
        if existing.values("cACertificate").contains(der) { return DirectoryChange(dn: dn, action: .alreadyPresent, ldif: "") }
        // One modify: add the certificate, and add-then-delete the deletion lock. The whole modify fails
        // if a remover holds the lock, so a value can never land on an object being deleted.
        let lock = Self.deletionLock
        let ldif =
            [
                LDIF.line("dn", dn), "changetype: modify", "add: cACertificate", LDIF.line("cACertificate", der), "-",
                "add: authorityRevocationList", LDIF.line("authorityRevocationList", lock), "-", "delete: authorityRevocationList",
                LDIF.line("authorityRevocationList", lock), "-",
            ]
            .joined(separator: "\n") + "\n"
        if dryRun { return DirectoryChange(dn: dn, action: .valueAdded, ldif: ldif) }
        for attempt in 1...50 {
            do {
                try await session.modify(
                    dn: dn,
                    [
                        LDAPModification(operation: .add, attribute: "cACertificate", values: [der]),
                        LDAPModification(operation: .add, attribute: "authorityRevocationList", values: [lock]),
                        LDAPModification(operation: .delete, attribute: "authorityRevocationList", values: [lock]),
                    ])
                return DirectoryChange(dn: dn, action: .valueAdded, ldif: ldif)
            } catch .ldap(let cause) where cause.code == LDAPSession.valueExists {
                // Either the certificate is there already (another publisher) or a remover holds the lock.
                guard let fresh = try await read(dn, attributes: ["cACertificate", "authorityRevocationList"]) else {
                    throw .noSuchObject(dn)
                }
                if fresh.values("cACertificate").contains(der) { return DirectoryChange(dn: dn, action: .alreadyPresent, ldif: "") }
                guard fresh.values("authorityRevocationList").contains(lock), attempt < 50 else { break }
                // The remover deletes the object or releases the lock within a round trip or two.
                usleep(20_000)
            }
        }
        throw .refused(
            "\(dn) is locked by a cxcert remove --delete-object that did not finish (authorityRevocationList holds '\(String(decoding: lock, as: UTF8.self))'); if no remove is running, delete that value (ldapmodify: delete: authorityRevocationList) and publish again"
        )
    }

    /// Removes one certificate value, named by SHA-1 thumbprint or serial number, from the PKI objects
    /// of `targets` that hold it (`certutil -delstore` parity; default: the objects `publish` writes for
    /// RootCA). Each object gets one atomic modify that deletes exactly that value; when it was the last
    /// certificate, the same modify adds the one-byte 0x00 placeholder, so a concurrent publisher's value
    /// is never lost and the object stays valid. Deleting an object is a separate step, only with
    /// `deleteEmptyObjects`, and never for NTAuthCertificates (see `deleteIfEmpty`).
    public func remove(
        _ selector: CertificateSelector, targets: Set<PublishTarget> = [.rootCA], deleteEmptyObjects: Bool = false, dryRun: Bool = false
    ) async throws(DirectoryError) -> DirectoryReport {
        let objects = try await certificationAuthorityObjects().filter { isInside($0.dn, targets: targets) }
        var matches: [(DirectoryEntry, [UInt8])] = []
        var distinct: Set<[UInt8]> = []
        for object in objects {
            for value in object.certificateValues {
                guard let certificate = try? Certificate(derEncoded: value), selector.matches(certificate) else { continue }
                matches.append((object, value))
                distinct.insert(value)
            }
        }
        let places = targets.map(\.rawValue).sorted().joined(separator: ", ")
        guard !matches.isEmpty else {
            throw .notFound("no certificate published in the \(places) containers has the thumbprint or serial \(selector)")
        }
        guard distinct.count == 1 else {
            let prints = distinct.compactMap { try? Certificate(derEncoded: $0).sha1Thumbprint }.sorted()
            throw .refused(
                "serial \(selector) matches \(distinct.count) different certificates (\(prints.joined(separator: ", "))); name one by its SHA-1 thumbprint"
            )
        }
        let value = matches[0].1
        var done: [DirectoryChange] = []
        for (index, (object, _)) in matches.enumerated() {
            do {
                done.append(try await removeValue(value, from: object, dryRun: dryRun))
            } catch {
                guard done.contains(where: { $0.action != .alreadyAbsent }) else { throw error }
                throw .partial(
                    PartialWrite(written: done, notWritten: matches.dropFirst(index).map(\.0.dn), error: error.description))
            }
        }
        if deleteEmptyObjects {
            for (index, (object, _)) in matches.enumerated() {
                do {
                    done.append(try await deleteIfEmpty(object.dn, dryRun: dryRun))
                } catch {
                    throw .partial(
                        PartialWrite(
                            written: done, notWritten: matches.dropFirst(index).map { "delete \($0.0.dn)" }, error: error.description))
                }
            }
        }
        return DirectoryReport(changes: done, dryRun: dryRun)
    }

    /// Whether `dn` is an object of one of the containers `targets` name.
    func isInside(_ dn: String, targets: Set<PublishTarget>) -> Bool {
        let lower = dn.lowercased()
        return targets.contains { target in
            switch target {
            case .rootCA:
                return Self.isChild(lower, of: containers.certificationAuthorities) || Self.isChild(lower, of: containers.aia)
            case .subCA: return Self.isChild(lower, of: containers.aia)
            case .ntAuth: return lower == containers.ntAuthCertificates.lowercased()
            }
        }
    }

    private static func isChild(_ lowercasedDN: String, of container: String) -> Bool {
        // The first RDN is escaped (LDAPEscaping.dnValue), so its first unescaped comma ends it.
        var escaped = false
        for (offset, character) in lowercasedDN.enumerated() {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                return String(lowercasedDN.dropFirst(offset + 1)) == container.lowercased()
            }
        }
        return false
    }

    /// One atomic modify per object; retried on what a concurrent writer can change underneath.
    private func removeValue(_ value: [UInt8], from object: DirectoryEntry, dryRun: Bool) async throws(DirectoryError) -> DirectoryChange {
        let dn = object.dn
        var current = object
        for _ in 0..<4 {
            let values = current.values("cACertificate")
            guard values.contains(value) else { return DirectoryChange(dn: dn, action: .alreadyAbsent, ldif: "") }
            let others = values.filter { $0 != value }
            let last = !others.contains { $0.count > 1 }
            // The placeholder is added only when the object would otherwise have no value left.
            let addPlaceholder = others.isEmpty
            var modifications = [LDAPModification(operation: .delete, attribute: "cACertificate", values: [value])]
            var lines = [LDIF.line("dn", dn), "changetype: modify", "delete: cACertificate", LDIF.line("cACertificate", value), "-"]
            if addPlaceholder {
                modifications.append(LDAPModification(operation: .add, attribute: "cACertificate", values: [Self.placeholder]))
                lines += ["add: cACertificate", LDIF.line("cACertificate", Self.placeholder), "-"]
            }
            let change = DirectoryChange(
                dn: dn, action: last ? .valueReplacedByPlaceholder : .valueRemoved, ldif: lines.joined(separator: "\n") + "\n")
            if dryRun { return change }
            do {
                try await session.modify(dn: dn, modifications)
                return change
            } catch .ldap(let cause)
                where [LDAPSession.noSuchAttribute, LDAPSession.objectClassViolation, LDAPSession.valueExists].contains(cause.code)
            {
                // Someone changed the values meanwhile (removed ours, removed the others, added a
                // placeholder): the modify was refused as a whole, so read again and decide again.
                guard let fresh = try await read(dn, attributes: ["cACertificate"]) else { throw .noSuchObject(dn) }
                current = fresh
            }
        }
        throw .refused("\(dn) kept changing while its value was being removed; run the command again")
    }

    /// Deletes an object only if it holds nothing but placeholders. The decision is made under the
    /// deletion lock (see `deletionLock`): once it is taken, no publisher can add a value, so the read
    /// that follows is the object's final content. If a certificate is there, the lock is released and
    /// the object kept. NTAuthCertificates is never deleted.
    private func deleteIfEmpty(_ dn: String, dryRun: Bool) async throws(DirectoryError) -> DirectoryChange {
        if dn.lowercased() == containers.ntAuthCertificates.lowercased() {
            return DirectoryChange(
                dn: dn, action: .objectKept, ldif: "", note: "NTAuthCertificates is the forest's one NTAuth store and is never deleted")
        }
        let gone = DirectoryChange(dn: dn, action: .objectKept, ldif: "", note: "the object is gone already")
        let lock = LDAPModification(operation: .add, attribute: "authorityRevocationList", values: [Self.deletionLock])
        let change = DirectoryChange(
            dn: dn, action: .objectDeleted,
            ldif: [
                LDIF.line("dn", dn), "changetype: modify", "add: authorityRevocationList",
                LDIF.line("authorityRevocationList", Self.deletionLock), "-", "", LDIF.line("dn", dn), "changetype: delete",
            ].joined(separator: "\n") + "\n")
        if dryRun {
            guard let entry = try await read(dn, attributes: ["cACertificate"]) else { return gone }
            return entry.certificateValues.isEmpty
                ? change : DirectoryChange(dn: dn, action: .objectKept, ldif: "", note: "it holds certificates")
        }
        do {
            try await session.modify(dn: dn, [lock])
        } catch .noSuchObject {
            return gone
        } catch .ldap(let cause) where cause.code == LDAPSession.valueExists {
            return DirectoryChange(dn: dn, action: .objectKept, ldif: "", note: "another cxcert remove is deleting it")
        }
        guard let entry = try await read(dn, attributes: ["cACertificate"]) else { return gone }
        let held = entry.certificateValues.count
        guard held == 0 else {
            try await session.modify(
                dn: dn, [LDAPModification(operation: .delete, attribute: "authorityRevocationList", values: [Self.deletionLock])])
            return DirectoryChange(
                dn: dn, action: .objectKept, ldif: "",
                note: "it holds \(held) certificate\(held == 1 ? "" : "s") (published meanwhile); not deleted")
        }
        try await session.delete(dn: dn)
        return change
    }
}

/// Warnings for a certificate about to be published as a root, in the phones' terms.
public enum PublishAdvice {
    /// Warnings for publishing `certificate` as a root: expired or not yet valid, and an RSA key under 2048 bits
    /// (naming the phone builds that can still use it).
    /// - Parameters:
    ///   - certificate: The certificate to publish.
    ///   - time: When to judge its validity.
    ///   - knowledge: The device data naming which builds accept which key sizes.
    /// - Returns: One sentence per problem; empty when there is none.
    public static func warnings(for certificate: Certificate, at time: Date = Date(), knowledge: DeviceKnowledgeBase = .builtIn)
        -> [String]
    {
        let name = certificate.subject.displayName
        var warnings: [String] = []
        if certificate.notAfter < time {
            warnings.append(
                "\(name) expired on \(iso8601(certificate.notAfter)): no phone build (and no other client) trusts a chain that ends at an expired root (finding root-expired), so publishing it helps nobody; publish a current root."
            )
        } else if certificate.notBefore > time {
            warnings.append(
                "\(name) is not valid until \(iso8601(certificate.notBefore)); until then no phone trusts chains that end at it.")
        }
        let key = certificate.publicKey
        if key.algorithm == .rsa && key.bits < 2048 {
            var usable: [String] = []
            for family in knowledge.families {
                let builds = knowledge.builds.filter { $0.families.contains(family.id) }
                let able = builds.filter { build in
                    guard
                        let profile = try? DeviceProfile.resolve(
                            device: family.id, firmware: build.version.description, knowledge: knowledge)
                    else { return false }
                    return profile.maxRSAKeyBits.map { key.bits <= $0 } ?? true
                }
                if !able.isEmpty {
                    usable.append(
                        "\(family.id) (\(able.count == builds.count ? "every known build" : able.map(\.version.description).joined(separator: ", ")))"
                    )
                }
            }
            let phones = usable.isEmpty ? "no known phone build" : "the phones can still use it: \(usable.joined(separator: "; "))"
            warnings.append(
                "\(name) has a \(key.bits)-bit RSA key: \(phones); Windows, browsers and other current clients (cxcert --device generic) refuse RSA keys under 2048 bits."
            )
        }
        return warnings
    }
}

/// Names one certificate for `ds remove`: a SHA-1 thumbprint or a serial number, in hex. Strict: only hex
/// digits, optionally in byte pairs separated by `:` or spaces (as openssl and Windows print them);
/// anything else is refused rather than filtered (`"Root 1"` must not select serial 01).
public struct CertificateSelector: Sendable, Hashable, CustomStringConvertible {
    /// Uppercase hex without separators.
    public let hex: String

    /// Parses a thumbprint or serial number.
    /// - Parameter text: Hex digits, optionally in byte pairs separated by `:` or spaces; at most 40 digits.
    /// - Throws: ``DirectoryError/invalidSelector(_:)`` for anything else.
    public init(parsing text: String) throws(DirectoryError) {
        let trimmed = text.trimmingSpaces()
        let groups = trimmed.split(whereSeparator: { $0 == ":" || $0 == " " }).map(String.init)
        let isHex = { (group: String) in !group.isEmpty && group.allSatisfy { $0.isASCII && $0.isHexDigit } }
        let separated = groups.count > 1
        guard !groups.isEmpty, groups.allSatisfy(isHex), !separated || groups.allSatisfy({ $0.count == 2 }),
            trimmed.first != ":", trimmed.last != ":", !trimmed.contains("::")
        else {
            throw .invalidSelector(
                "'\(text)' is neither a SHA-1 thumbprint nor a serial number: give hex digits only (e.g. 4F2A...; byte pairs may be separated by ':' or spaces)"
            )
        }
        let hex = groups.joined().uppercased()
        guard hex.count <= 40 else {
            throw .invalidSelector("'\(text)' has \(hex.count) hex digits; a SHA-1 thumbprint has 40 and a serial number at most 40")
        }
        self.hex = hex
    }

    /// The selector as uppercase hex.
    public var description: String { hex }

    func matches(_ certificate: Certificate) -> Bool {
        if certificate.sha1Thumbprint == hex { return true }
        let serial = String(certificate.serialNumber.uppercased().drop { $0 == "0" })
        return !serial.isEmpty && serial == String(hex.drop { $0 == "0" })
    }
}
