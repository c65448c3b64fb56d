internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The extension details the web-PKI rules read, decoded on demand: they matter for a handful of
/// certificates per verdict, so ``Certificate`` does not pay for them at parse time.
extension X509Handle {
    /// Whether the extension `nid` is present, decodes, and is marked critical.
    enum ExtensionState<Value> {
        case absent
        /// Present but OpenSSL cannot decode it (or it appears more than once).
        case unreadable
        case present(Value)
    }

    /// The nameConstraints subtrees; `nil` lists are absent fields.
    var nameConstraints: ExtensionState<NameConstraintsInfo> {
        var critical: Int32 = 0
        guard let raw = X509_get_ext_d2i(pointer, NID_name_constraints, &critical, nil) else {
            return critical == -1 ? .absent : .unreadable
        }
        let constraints = raw.assumingMemoryBound(to: NAME_CONSTRAINTS.self)
        defer { NAME_CONSTRAINTS_free(constraints) }
        func subtrees(_ stack: OpaquePointer?) -> [GeneralName]? {
            guard let stack else { return nil }
            return (0..<cx_sk_GENERAL_SUBTREE_num(stack)).compactMap { index in
                cx_sk_GENERAL_SUBTREE_base(stack, index).map(Self.generalName)
            }
        }
        return .present(
            NameConstraintsInfo(
                permitted: subtrees(cx_NAME_CONSTRAINTS_permitted(constraints)),
                excluded: subtrees(cx_NAME_CONSTRAINTS_excluded(constraints))))
    }

    /// Whether authorityKeyIdentifier carries authorityCertIssuer or authorityCertSerialNumber.
    var authorityKeyIdentifierNamesIssuer: Bool {
        X509_get0_authority_issuer(pointer) != nil || X509_get0_authority_serial(pointer) != nil
    }

    /// Authority Information Access as a count of access descriptions, or why it cannot be read.
    var authorityInformationAccessCount: ExtensionState<Int> {
        var critical: Int32 = 0
        guard let raw = X509_get_ext_d2i(pointer, NID_info_access, &critical, nil) else {
            return critical == -1 ? .absent : .unreadable
        }
        let access = OpaquePointer(raw)
        defer { AUTHORITY_INFO_ACCESS_free(access) }
        return .present(Int(cx_sk_ACCESS_DESCRIPTION_num(access)))
    }
}

/// A nameConstraints extension's subtrees (RFC 5280 4.2.1.10); a `nil` list is an absent field.
struct NameConstraintsInfo: Sendable, Hashable {
    let permitted: [GeneralName]?
    let excluded: [GeneralName]?
}

extension Certificate {
    /// nameConstraints, decoded on demand.
    var nameConstraints: X509Handle.ExtensionState<NameConstraintsInfo> { handle?.nameConstraints ?? .unreadable }
    /// True when authorityKeyIdentifier names the issuer by name and serial (forbidden on a web-PKI root).
    var authorityKeyIdentifierNamesIssuer: Bool { handle?.authorityKeyIdentifierNamesIssuer ?? false }
    /// Authority Information Access: how many access descriptions, or why it cannot be read.
    var authorityInformationAccessCount: X509Handle.ExtensionState<Int> { handle?.authorityInformationAccessCount ?? .unreadable }

    /// The extension with this dotted OID, if present.
    func `extension`(_ oid: String) -> ExtensionInfo? { extensions.first { $0.oid == oid } }
}
