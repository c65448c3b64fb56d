import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PhoneDiscovery {
    /// The walk as text: which step found which certificate.
    public static func text(_ result: DiscoveryResult, style: TextStyle = .plain) -> String {
        // Every value from the directory or a certsrv server is escaped for the terminal (Escaping.terminal).
        let e = Escaping.terminal
        var out = [style.bold("Step 1: certificationAuthority objects in the Configuration NC (cACertificate)")]
        if result.certificationAuthorities.isEmpty {
            out.append(
                "  nothing found\(result.placeholdersSkipped > 0 ? " (\(result.placeholdersSkipped) empty placeholder values)" : "")")
        }
        for found in result.certificationAuthorities {
            let c = found.certificate
            out.append(
                "  \(style.green("✔")) \(e(c.subject.displayName))  \(c.sha1Thumbprint)  expires \(String(iso8601(c.notAfter).prefix(10)))")
            for object in found.objects { out.append("      from \(e(object))") }
        }
        if result.placeholdersSkipped > 0 && !result.certificationAuthorities.isEmpty {
            out.append(style.dim("  (\(result.placeholdersSkipped) one-byte placeholder values skipped, as the phone does)"))
        }
        for problem in result.undecodable { out.append("  \(style.yellow("!")) \(e(problem))") }
        out.append(style.bold("Step 2: pKIEnrollmentService objects, then /certsrv/certnew.p7b"))
        if !result.fallbackUsed {
            out.append("  not reached: step 1 found \(result.certificationAuthorities.count) certificate(s)")
        } else if result.enrollmentServices.isEmpty {
            out.append("  nothing found: the phone gets no internal root from AD")
        }
        for service in result.enrollmentServices {
            out.append("  \(e(service.dn))")
            if let url = service.url { out.append("      \(e(url))") }
            for c in service.certificates { out.append("      \(style.green("✔")) \(e(c.subject.displayName))  \(c.sha1Thumbprint)") }
            if let problem = service.problem { out.append("      \(style.red("✘")) \(e(problem))") }
            if service.url != nil && service.certificates.isEmpty && service.problem == nil {
                out.append(style.dim("      (not fetched; use --fetch)"))
            }
        }
        return out.joined(separator: "\n")
    }
}
