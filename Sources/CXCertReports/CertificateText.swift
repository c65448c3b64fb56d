import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The human layout of `cxcert inspect`: subject, issuer, validity, SANs, algorithm and thumbprint first.
public enum CertificateText {
    /// Renders one certificate as aligned `label  value` lines, judged against `now` for validity colour.
    public static func render(_ c: Certificate, now: Date = Date(), style: TextStyle = .plain) -> String {
        var lines: [(String, String)] = []
        lines.append(("Subject", style.bold(c.subject.rfc4514.isEmpty ? "(empty)" : printable(c.subject.rfc4514))))
        lines.append(("Issuer", printable(c.issuer.rfc4514) + (c.isSelfIssued ? style.dim("  (self-issued)") : "")))
        lines.append(("Validity", "\(day(c.notBefore)) → \(day(c.notAfter))  " + validity(c, now: now, style: style)))
        let san = c.subjectAlternativeNames.map { printable($0.description) }
        lines.append(("SANs", san.isEmpty ? style.dim("none") : san.joined(separator: ", ")))
        let algorithm = c.signatureAlgorithm
        let hash = algorithm.hash.isBroken ? style.red(algorithm.name) : algorithm.name
        lines.append(("Signature", hash + style.dim("  (\(algorithm.scheme.rawValue), \(algorithm.hash.rawValue))")))
        let key = c.publicKey
        let keyText = "\(key.algorithm.rawValue) \(key.bits) bits" + (key.curve.map { " (\($0))" } ?? "")
        lines.append(("Public key", key.algorithm == .rsa && key.bits < 2048 ? style.yellow(keyText) : keyText))
        lines.append(("SHA-1", c.sha1Thumbprint + style.dim("  (Windows thumbprint)")))
        lines.append(("SHA-256", c.sha256Fingerprint))
        lines.append(("Serial", c.serialNumber))
        lines.append(("Version", "v\(c.version)"))
        if let constraints = c.basicConstraints {
            let path = constraints.pathLength.map { ", path length ≤ \($0)" } ?? ""
            lines.append(("CA", (constraints.isCA ? "yes" : "no") + path + (constraints.critical ? " (critical)" : "")))
        } else {
            lines.append(("CA", style.dim("no basicConstraints")))
        }
        if let usage = c.keyUsage { lines.append(("Key usage", usage.names.joined(separator: ", "))) }
        if let eku = c.extendedKeyUsage { lines.append(("EKU", eku.map(\.name).joined(separator: ", "))) }
        if let ski = c.subjectKeyIdentifier { lines.append(("SKI", hexString(ski, separator: ":"))) }
        if let aki = c.authorityKeyIdentifier { lines.append(("AKI", hexString(aki, separator: ":"))) }
        for url in c.crlDistributionPoints { lines.append(("CRL", printable(url))) }
        for url in c.ocspURLs { lines.append(("OCSP", printable(url))) }
        for url in c.caIssuerURLs { lines.append(("CA issuers", printable(url))) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padded(toLength: width + 2) + $0.1 }
            .joined(separator: "\n")
    }

    /// Text from a certificate with control characters (C0, DEL, C1) escaped as `\u{1b}`: a crafted
    /// SAN must not move the cursor, clear the screen or fake output lines on the reader's terminal.
    public static func printable(_ text: String) -> String { Escaping.terminal(text) }

    static func day(_ date: Date) -> String {
        let text = iso8601(date)
        return text.replacingAll("T", with: " ")
    }

    private static func validity(_ c: Certificate, now: Date, style: TextStyle) -> String {
        let day = 86_400.0
        if now < c.notBefore {
            return style.yellow("(not yet valid: starts in \(Int(c.notBefore.timeIntervalSince(now) / day)) days)")
        }
        if now > c.notAfter {
            return style.red("(expired \(Int(now.timeIntervalSince(c.notAfter) / day)) days ago)")
        }
        let left = Int(c.notAfter.timeIntervalSince(now) / day)
        return left < 30 ? style.yellow("(valid, \(left) days left)") : style.green("(valid, \(left) days left)")
    }
}
