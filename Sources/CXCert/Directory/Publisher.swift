import Foundation

/// What a directory write did (or, in a dry run, would do) to one object.
public struct DirectoryChange: Sendable, Hashable, Encodable {
    public enum Action: String, Sendable, Codable {
        /// The object was created with the certificate as its only value.
        case created
        /// The certificate was added as one more `cACertificate` value.
        case valueAdded = "value-added"
        /// The certificate was there already; nothing changed.
        case alreadyPresent = "already-present"
        case valueRemoved = "value-removed"
        case objectDeleted = "object-deleted"
    }
    public let dn: String
    public let action: Action
    /// The change as LDIF (empty when nothing changes).
    public let ldif: String
}

/// The outcome of `publish` or `remove`.
public struct DirectoryReport: Sendable, Encodable {
    public let changes: [DirectoryChange]
    public let dryRun: Bool
    /// Every object already held the certificate ("already published", as certutil says).
    public var nothingChanged: Bool { changes.allSatisfy { $0.action == .alreadyPresent } }
    /// The LDIF of every change, in order.
    public var ldif: String { changes.map(\.ldif).filter { !$0.isEmpty }.joined(separator: "\n") }
}

extension DirectoryError {
    /// A multi-object write stopped part-way: `written` lists what was done before `error`.
    public static func partial(written: [DirectoryChange], error: DirectoryError) -> DirectoryError {
        let done = written.map { "\($0.action.rawValue) \($0.dn)" }.joined(separator: "; ")
        return .refused(
            "\(error) — already written: \(done.isEmpty ? "nothing" : done). Run the same command again to finish; what is done is kept.")
    }
}

extension DirectoryClient {
    private static let placeholder = Data([0])

    /// Publishes a CA certificate as `certutil -f -dspublish FILE RootCA|SubCA|NTAuthCA` does: each
    /// target object is created when missing (class certificationAuthority, ARL/CRL set to one 0x00 byte)
    /// and otherwise gets the certificate as one more `cACertificate` value; other values are never
    /// touched. Publishing twice changes nothing. Safe against concurrent publishers: a lost race to
    /// create falls back to adding the value, and a value someone else added counts as present.
    public func publish(
        _ certificate: Certificate, target: PublishTarget = .rootCA, force: Bool = false, dryRun: Bool = false
    ) throws(DirectoryError) -> DirectoryReport {
        guard certificate.isCA || (certificate.isSelfIssued && certificate.basicConstraints == nil) || force else {
            throw .refused(
                "\(certificate.subject.displayName) is not a CA certificate (basicConstraints CA:TRUE is missing); phones would not use it as a root. Use --force to publish it anyway."
            )
        }
        var changes: [DirectoryChange] = []
        for dn in target.objects(for: certificate, in: containers) {
            do {
                changes.append(try publish(certificate, to: dn, dryRun: dryRun))
            } catch {
                guard changes.contains(where: { $0.action != .alreadyPresent }) else { throw error }
                throw .partial(written: changes, error: error)
            }
        }
        return DirectoryReport(changes: changes, dryRun: dryRun)
    }

    private func publish(_ certificate: Certificate, to dn: String, dryRun: Bool) throws(DirectoryError) -> DirectoryChange {
        let der = certificate.der
        if let existing = try read(dn, attributes: ["cACertificate"]) {
            return try addValue(der, to: existing, dryRun: dryRun)
        }
        let cn = dn.hasPrefix("CN=NTAuthCertificates,") ? "NTAuthCertificates" : SanitizedName.objectName(for: certificate)
        let attributes: [(String, [Data])] = [
            ("objectClass", [Data("top".utf8), Data("certificationAuthority".utf8)]), ("cn", [Data(cn.utf8)]),
            ("cACertificate", [der]), ("authorityRevocationList", [Self.placeholder]),
            ("certificateRevocationList", [Self.placeholder]),
        ]
        let ldif =
            ([LDIF.line("dn", dn), "changetype: add"]
            + attributes.flatMap { name, values in values.map { LDIF.line(name, $0) } }).joined(separator: "\n") + "\n"
        if dryRun { return DirectoryChange(dn: dn, action: .created, ldif: ldif) }
        do {
            try session.add(dn: dn, attributes: attributes)
            return DirectoryChange(dn: dn, action: .created, ldif: ldif)
        } catch .ldap(let code, _, _) where code == LDAPSession.alreadyExists {
            // Another publisher created it a moment ago: add our value to theirs.
            guard let existing = try read(dn, attributes: ["cACertificate"]) else { throw .noSuchObject(dn) }
            return try addValue(der, to: existing, dryRun: false)
        }
    }

    private func addValue(_ der: Data, to existing: DirectoryEntry, dryRun: Bool) throws(DirectoryError) -> DirectoryChange {
        let dn = existing.dn
        if existing.values("cACertificate").contains(der) { return DirectoryChange(dn: dn, action: .alreadyPresent, ldif: "") }
        let ldif =
            [LDIF.line("dn", dn), "changetype: modify", "add: cACertificate", LDIF.line("cACertificate", der), "-"]
            .joined(separator: "\n") + "\n"
        if dryRun { return DirectoryChange(dn: dn, action: .valueAdded, ldif: ldif) }
        do {
            try session.modify(dn: dn, [LDAPModification(operation: .add, attribute: "cACertificate", values: [der])])
        } catch .ldap(let code, _, _) where code == LDAPSession.valueExists {
            return DirectoryChange(dn: dn, action: .alreadyPresent, ldif: "")
        }
        return DirectoryChange(dn: dn, action: .valueAdded, ldif: ldif)
    }

    /// Removes one certificate value, named by SHA-1 thumbprint or serial number, from every PKI object
    /// that holds it (`certutil -delstore` parity). Only that value goes; an object whose last real value
    /// it is is deleted only with `deleteEmptyObjects`, otherwise nothing is written at all.
    public func remove(
        _ identifier: String, deleteEmptyObjects: Bool = false, dryRun: Bool = false
    ) throws(DirectoryError) -> DirectoryReport {
        let key = identifier.uppercased().filter { $0.isHexDigit }
        guard !key.isEmpty else { throw .refused("'\(identifier)' is neither a SHA-1 thumbprint nor a serial number") }
        let objects = try certificationAuthorityObjects()
        var matches: [(DirectoryEntry, Data)] = []
        var distinct: Set<Data> = []
        for object in objects {
            for value in object.certificateValues {
                guard let certificate = try? Certificate(derEncoded: value) else { continue }
                let serial = String(certificate.serialNumber.drop { $0 == "0" })
                if certificate.sha1Thumbprint == key || (!serial.isEmpty && serial == String(key.drop { $0 == "0" })) {
                    matches.append((object, value))
                    distinct.insert(value)
                }
            }
        }
        guard !matches.isEmpty else { throw .notFound("no published certificate has the thumbprint or serial \(identifier)") }
        guard distinct.count == 1 else {
            let prints = distinct.compactMap { try? Certificate(derEncoded: $0).sha1Thumbprint }.sorted()
            throw .refused(
                "serial \(identifier) matches \(distinct.count) different certificates (\(prints.joined(separator: ", "))); name one by its SHA-1 thumbprint"
            )
        }
        // Decide everything before writing anything.
        var plan: [DirectoryChange] = []
        for (object, value) in matches {
            let remaining = object.certificateValues.filter { $0 != value }
            if remaining.isEmpty {
                guard deleteEmptyObjects else {
                    throw .refused(
                        "\(object.dn) holds no other certificate; it would be left without a valid value. Pass --delete-object to delete the object."
                    )
                }
                plan.append(
                    DirectoryChange(dn: object.dn, action: .objectDeleted, ldif: "\(LDIF.line("dn", object.dn))\nchangetype: delete\n"))
            } else {
                let ldif =
                    [LDIF.line("dn", object.dn), "changetype: modify", "delete: cACertificate", LDIF.line("cACertificate", value), "-"]
                    .joined(separator: "\n") + "\n"
                plan.append(DirectoryChange(dn: object.dn, action: .valueRemoved, ldif: ldif))
            }
        }
        if dryRun { return DirectoryReport(changes: plan, dryRun: true) }
        let value = matches[0].1
        var done: [DirectoryChange] = []
        for change in plan {
            do {
                switch change.action {
                case .objectDeleted: try session.delete(dn: change.dn)
                default:
                    try session.modify(dn: change.dn, [LDAPModification(operation: .delete, attribute: "cACertificate", values: [value])])
                }
                done.append(change)
            } catch {
                guard !done.isEmpty else { throw error }
                throw .partial(written: done, error: error)
            }
        }
        return DirectoryReport(changes: done, dryRun: false)
    }
}
