import CXCertCore
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Deployment {
    /// The registrar A-record fallbacks of `sipDomains` (`sipinternal.<SIP domain>`, `sipexternal.<SIP domain>`, the
    /// names of the build's registrar order besides `sip.`, which the plan always has) that DNS answers with an address,
    /// asked as the phone asks: the servers in order, the next only when one does not answer.
    ///
    /// - Parameters:
    ///   - sipDomains: The SIP domains.
    ///   - servers: The DNS servers the phones get (option 6).
    ///   - timeout: Seconds for each question.
    /// - Returns: The names that exist, in order; `nil` when no server is given (the plan then says they were not checked).
    public static func registrarFallbacks(of sipDomains: [String], asking servers: [DNSServer], timeout: TimeInterval) async -> [String]? {
        guard !servers.isEmpty else { return nil }
        let names = sipDomains.flatMap { domain in ["sipinternal", "sipexternal"].map { "\($0).\(domain.lowercased())" } }
        var found: [String] = []
        names: for name in names {
            for server in servers {
                let answer = await DNSClient.query(name, type: .a, server: server, timeout: timeout)
                if !answer.isUnanswered {
                    if !answer.addresses.isEmpty { found.append(name) }
                    continue names
                }
            }
        }
        return found
    }
}
