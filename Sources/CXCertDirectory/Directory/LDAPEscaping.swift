import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Escaping for every value cxcert puts into a DN or a search filter, so that names taken from
/// certificates can never change the structure of either.
public enum LDAPEscaping {
    /// An RFC 4514 attribute value: `, + " \ < > ; =` and NUL escaped, a leading `#` or space and a
    /// trailing space escaped.
    public static func dnValue(_ value: String) -> String {
        var out = ""
        let scalars = Array(value.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";", "=": out += "\\\(scalar)"
            case "\0": out += "\\00"
            case "#" where index == 0: out += "\\#"
            case " " where index == 0 || index == scalars.count - 1: out += "\\ "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An RFC 4515 filter assertion value: `* ( ) \` and NUL as `\2a \28 \29 \5c \00`.
    public static func filterValue(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": out += "\\2a"
            case "(": out += "\\28"
            case ")": out += "\\29"
            case "\\": out += "\\5c"
            case "\0": out += "\\00"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// The "sanitized CA short name" AD objects are named by (MS-WCCE 3.1.1.4.1.1), as certutil computes it.
public enum SanitizedName {
    /// ASCII characters MS-WCCE 3.1.1.4.1.1.2 disallows besides controls and non-ASCII.
    private static let disallowed = Set("!\"#%&'()*+,/:;<=>?[\\]^`{|}".utf16)

    /// Escapes disallowed UTF-16 code units as `!xxxx`, cuts to 51 characters and appends a 16-bit hash
    /// of what was cut (`-NNNNN`).
    public static func make(_ name: String) -> String {
        var escaped = ""
        for unit in name.utf16 {
            if unit < 0x20 || unit >= 0x7F || disallowed.contains(unit) {
                escaped += "!" + hex(unit, width: 4, uppercase: false)
            } else {
                escaped.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            }
        }
        let units = Array(escaped.utf16)
        guard units.count > 51 else { return escaped }
        var cut = 51
        // Do not split an !xxxx sequence: cut before a '!' among the last four kept characters.
        if let bang = units[47..<51].lastIndex(of: UInt16(UInt8(ascii: "!"))) { cut = bang }
        var hash: UInt16 = 0
        for unit in units[cut...] {
            let carry: UInt16 = hash & 0x8000 != 0 ? 1 : 0
            hash = ((hash << 1) | carry) &+ unit
        }
        return String(decoding: units[..<cut], as: UTF16.self) + "-" + zeroPadded(Int(hash), width: 5)
    }

    /// The name certutil uses for a certificate: the subject's most specific attribute value for a CA,
    /// the issuer's for anything else; an empty name becomes the hex SHA-1 of its encoding.
    ///
    /// Unlike certutil, leading and trailing spaces are trimmed first: Samba stores an RDN ending in an
    /// escaped space but cannot find it again by DN, so such an object could never be read back or updated.
    public static func objectName(for certificate: Certificate) -> String {
        let name = certificate.isCA || certificate.isSelfIssued ? certificate.subject : certificate.issuer
        let value = name.attributes.last?.value.trimmingSpaces() ?? ""
        guard !value.isEmpty else { return hexString(Digest.sha1.hash(name.der)).lowercased() }
        return make(value)
    }
}
