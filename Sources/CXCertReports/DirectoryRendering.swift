import CXCertCore
import CXCertDirectory
import Foundation

/// The text of `cxcert ds publish` and `ds remove`: one line per object changed, as certutil reports them.
public enum DirectoryRendering {
    /// What a publish did (or, for a dry run, the LDIF it would apply), and a closing line for `certificate`.
    /// - Parameters:
    ///   - report: the publish's changes.
    ///   - certificate: the certificate that was published.
    /// - Returns: one line per object, then the closing line; for a dry run, the LDIF.
    public static func published(_ report: DirectoryReport, certificate: Certificate) -> String {
        if report.dryRun { return report.ldif + "# dry run: nothing was written" }
        var lines = report.changes.map { change -> String in
            switch change.action {
            case .created: "created \(change.dn)"
            case .valueAdded: "added to \(change.dn)"
            default: "already published in \(change.dn)"
            }
        }
        lines.append(
            report.nothingChanged
                ? "\(certificate.subject.displayName): already published."
                : "\(certificate.subject.displayName): published (\(certificate.sha1Thumbprint)).")
        return lines.joined(separator: "\n")
    }

    /// What a removal did, one line per object (or, for a dry run, the LDIF it would apply); nil when it
    /// touched nothing.
    public static func removed(_ report: DirectoryReport) -> String? {
        if report.dryRun { return report.ldif + "# dry run: nothing was written" }
        let lines = report.changes.map { change -> String in
            switch change.action {
            case .objectDeleted: "deleted \(change.dn)"
            case .objectKept: "kept \(change.dn): \(change.note ?? "")"
            case .alreadyAbsent: "already removed from \(change.dn)"
            case .valueReplacedByPlaceholder: "removed from \(change.dn) (its last certificate; a 0x00 placeholder keeps it valid)"
            default: "removed from \(change.dn)"
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}
