import CXCertCore
import Foundation

extension BuildWalk {
    /// Remembers the targets of an SRV answer and points out an SRV target whose A answer went through CNAME records:
    /// RFC 2782 says a target "MUST NOT be an alias". The phone's resolver may follow it or not (no source says), and
    /// its certificate check uses the target name, not the alias's end.
    mutating func noteSRVAliases(_ name: String, _ type: DNSRecordType, _ response: DNSResponse) {
        for record in response.answer.services where !record.target.isEmpty {
            let target = record.target.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if srvTargets[target] == nil { srvTargets[target] = name }
        }
        let asked = name.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard type == .a, !response.aliases.isEmpty, let record = srvTargets[asked], aliasedTargets.insert(asked).inserted else {
            return
        }
        findings.append(
            finding(
                .srvTargetAlias, .warning,
                .walk(.dnsAlias(target: asked, record: record, aliases: response.aliases, addresses: response.answer.addresses))))
    }
}
