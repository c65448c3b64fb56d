import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One directory object: its DN and binary attribute values.
public struct DirectoryEntry: Sendable, Hashable {
    /// The object's distinguished name.
    public let dn: String
    /// Every attribute's values as the server sent them, keyed by attribute name as the server spelled it.
    public let attributes: [String: [[UInt8]]]

    /// An entry read from a directory or a snapshot.
    public init(dn: String, attributes: [String: [[UInt8]]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// Values of an attribute, matched case-insensitively as LDAP does.
    public func values(_ name: String) -> [[UInt8]] {
        attributes.first { $0.key.lowercased() == name.lowercased() }?.value ?? []
    }

    /// The first value as text.
    public func string(_ name: String) -> String? { values(name).first.map { String(decoding: $0, as: UTF8.self) } }

    /// `cACertificate` values that are certificates: the 1-byte 0x00 placeholders certutil writes
    /// into mandatory attributes are skipped, as the phones and PSPKI skip them.
    var certificateValues: [[UInt8]] { values("cACertificate").filter { $0.count > 1 } }
}
