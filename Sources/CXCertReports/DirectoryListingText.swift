import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DirectoryListing {
    /// The listing as a table (container, object, certificate, SHA-256 prefix), or a sentence when there is nothing.
    public func text(style: TextStyle = .plain) -> String {
        guard !objects.isEmpty else { return "No PKI objects hold certificates." }
        var table = TextTable(header: ["Container", "Object", "Certificate", "SHA-256"])
        for object in objects {
            // The directory's values are escaped for the terminal, each cell on its own (Escaping.terminal).
            let name = Escaping.terminal(object.dn.split(separator: ",").first.map(String.init) ?? object.dn)
            let container = Escaping.terminal(object.container)
            if object.certificates.isEmpty { table.append([container, name, style.dim("(no certificate)"), ""]) }
            for certificate in object.certificates {
                table.append([
                    container, name, Escaping.terminal(certificate.subject), Escaping.terminal(String(certificate.sha256.prefix(16))) + "…",
                ])
            }
        }
        return table.render(style: style)
    }
}
