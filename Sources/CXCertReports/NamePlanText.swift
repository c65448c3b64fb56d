import CXCertCore
import Foundation

extension NamePlan {
    /// The plan as a person reads it.
    public func text(style: TextStyle = .plain) -> String {
        var table = TextTable(header: ["Name", "Certificate", "Need", "Public CA", "Why"])
        for entry in names {
            table.append([
                entry.name, entry.roles.map(\.rawValue).joined(separator: ", "),
                entry.necessity == .required ? "required" : style.dim("recommended"),
                entry.publicCA ? "yes" : style.yellow("no"), entry.reason,
            ])
        }
        return ([style.bold("Names for \(deployment.pool)"), table.render(style: style)] + (notes.isEmpty ? [] : [""] + notes))
            .joined(separator: "\n")
    }
}
