import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The rule for SRV targets that are aliases, one place for `boot` and `trace`: remembers the targets of each SRV
/// answer and points out a target whose A answer went through CNAME records. RFC 2782 says a target "MUST NOT be an
/// alias". The phone's resolver may follow it or not (no source says), and its certificate check uses the target
/// name, not the alias's end.
struct SRVTargetAliases: Sendable {
    /// Each SRV target seen, with the SRV name that gave it.
    private var targets: [String: String] = [:]
    /// Targets already said to be aliases (once each, whatever the phase).
    private var said: Set<String> = []

    /// Reads one answer in the order the phone got them.
    /// - Returns: The `dnsAlias` detail when `name` is an SRV target seen before and its A answer went through
    ///   `aliases`, the first time only; otherwise `nil`.
    mutating func note(_ name: String, _ type: DNSRecordType, _ answer: DNSAnswer, aliases: [String]) -> FindingDetail? {
        for record in answer.services where !record.target.isEmpty {
            let target = record.target.lowercased().trimming(".")
            if targets[target] == nil { targets[target] = name }
        }
        let asked = name.lowercased().trimming(".")
        guard type == .a, !aliases.isEmpty, let record = targets[asked], said.insert(asked).inserted else { return nil }
        return .walk(.dnsAlias(target: asked, record: record, aliases: aliases, addresses: answer.addresses))
    }
}

extension BuildWalk {
    /// Feeds one answer of the walk to the SRV alias rule (``SRVTargetAliases``) and records what it finds.
    mutating func noteSRVAliases(_ name: String, _ type: DNSRecordType, _ response: DNSResponse) {
        if let detail = srvAliases.note(name, type, response.answer, aliases: response.aliases) {
            findings.append(finding(.srvTargetAlias, .warning, detail))
        }
    }
}
