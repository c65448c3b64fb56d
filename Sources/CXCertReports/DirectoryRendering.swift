import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text of `cxcert ds publish` and `ds remove`: one line per object changed, as certutil reports them.
public enum DirectoryRendering {
    /// What a publish did (or, for a dry run, the LDIF it would apply), and a closing line for `certificate`.
    /// - Parameters:
    ///   - report: the publish's changes.
    ///   - certificate: the certificate that was published.
    /// - Returns: one line per object, then the closing line; for a dry run, the LDIF.
    public static func published(_ report: DirectoryReport, certificate: Certificate) -> String {
        if report.dryRun { return ldif(report) }
        var lines = report.changes.map { change -> String in
            let dn = Escaping.terminal(change.dn)
            return switch change.action {
            case .created: "created \(dn)"
            case .valueAdded: "added to \(dn)"
            default: "already published in \(dn)"
            }
        }
        let subject = Escaping.terminal(certificate.subject.displayName)
        lines.append(
            report.nothingChanged
                ? "\(subject): already published."
                : "\(subject): published (\(certificate.sha1Thumbprint)).")
        return lines.joined(separator: "\n")
    }

    /// What a removal did, one line per object (or, for a dry run, the LDIF it would apply); nil when it
    /// touched nothing.
    public static func removed(_ report: DirectoryReport) -> String? {
        if report.dryRun { return ldif(report) }
        let lines = report.changes.map { change -> String in
            let dn = Escaping.terminal(change.dn)
            return switch change.action {
            case .objectDeleted: "deleted \(dn)"
            case .objectKept: "kept \(dn): \(Escaping.terminal(change.note ?? ""))"
            case .alreadyAbsent: "already removed from \(dn)"
            case .valueReplacedByPlaceholder: "removed from \(dn) (its last certificate; a 0x00 placeholder keeps it valid)"
            default: "removed from \(dn)"
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// A dry run's LDIF, each line escaped for the terminal (LDIF writes unsafe values in base64, so this
    /// changes nothing a valid LDIF holds), then the closing comment.
    static func ldif(_ report: DirectoryReport) -> String {
        report.ldif.split(separator: "\n", omittingEmptySubsequences: false).map { Escaping.terminal(String($0)) }
            .joined(separator: "\n") + "# dry run: nothing was written"
    }
}
