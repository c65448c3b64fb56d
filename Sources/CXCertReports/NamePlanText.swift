import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension NamePlan {
    /// The plan as a person reads it.
    public func text(style: TextStyle = .plain) -> String {
        var table = TextTable(header: ["Name", "Certificate", "Need", "Public CA", "Why"])
        // Names and notes come from the deployment file: each is escaped for the terminal (Escaping.terminal).
        let e = Escaping.terminal
        for entry in names {
            table.append([
                e(entry.name), e(entry.roles.map(\.rawValue).joined(separator: ", ")),
                entry.necessity == .required ? "required" : style.dim("recommended"),
                entry.publicCA ? "yes" : style.yellow("no"), e(entry.reason),
            ])
        }
        return ([style.bold("Names for \(e(deployment.pool))"), table.render(style: style)] + (notes.isEmpty ? [] : [""] + notes.map(e)))
            .joined(separator: "\n")
    }
}
