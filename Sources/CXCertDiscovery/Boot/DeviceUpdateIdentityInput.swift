import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DeviceUpdate.Identity {
    /// The MAC `boot --device-update-request` names when none is given: Polycom's OUI (00:04:F2) and zeros, a
    /// placeholder a Device Update log shows as such.
    public static let placeholderMAC = "0004F2000000"
    /// The vendor, model and revision named when none is given: those of the Device Update audit log's example line
    /// (a Polycom CX600, `Rev-4`; seed 002 l.52).
    public static let defaultModel = "POLYCOM/CX600/Rev-4"

    /// An identity read from the command line (`boot --device-update-mac`, `--device-update-model`); each build's
    /// firmware is filled in by the walk.
    /// - Parameters:
    ///   - mac: A MAC address in the usual spellings (colons, dashes, dotted quads, twelve hex digits).
    ///   - model: `VENDOR/MODEL/REVISION`, each part 1-32 letters, digits, `-`, `_` or `.`.
    /// - Throws: ``BootError/invalidValue(_:expected:)`` naming what was expected.
    public init(mac: String, model: String) throws(BootError) {
        guard case .mac(let colons) = try? PhoneSelector(parsing: mac) else {
            throw .invalidValue(String(mac.prefix(64)), expected: "a MAC address (00:04:f2:95:31:a2, 00-04-f2-95-31-a2 or 0004f29531a2)")
        }
        let parts = model.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let allowed = parts.allSatisfy { part in
            (1...32).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        guard parts.count == 3, allowed else {
            throw .invalidValue(
                String(model.prefix(64)), expected: "VENDOR/MODEL/REVISION (letters, digits, '-', '_' or '.'; e.g. \(Self.defaultModel))")
        }
        self.init(
            mac: colons.replacingAll(":", with: "").uppercased(), vendor: parts[0], model: parts[1], revision: parts[2],
            firmware: "")
    }
}
