import CXCertCore
import CXCertDirectory
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension BootWalker.Configuration {
    /// The site described by a deployment file (the audit's, with its `boot:` section): SIP domain = the first
    /// `sipDomains` entry, option 15 = the first `adDomains` entry and option 119 = the rest, the fleet's builds,
    /// `trust.roots` and `trust.adSnapshot`, the name plan, and the phone's state (`boot.signedIn`, `boot.heldRoots`,
    /// `boot.signIn`, `boot.network`). Paths are relative to `base`. A live `trust.ad` is not
    /// read here: `boot` connects to a directory only when the command line names it.
    public init(deployment file: DeploymentFile, base: URL, knowledge: DeviceKnowledgeBase = .builtIn) throws(AuditError) {
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base.appendingPathComponent(path).path }
        let boot = file.boot ?? DeploymentFile.Boot()
        guard let sip = file.sipDomains?.first else { throw .invalidFile("boot needs 'sipDomains'") }
        let domains = file.adDomains ?? []
        let inputs: BootInputs
        do {
            inputs = try BootInputs(
                sipDomain: sip, dhcpDomain: domains.first, searchDomains: Array(domains.dropFirst()), smtpDomain: boot.smtpDomain,
                user: boot.user, upn: boot.upn,
                webServices: try boot.webFQDN.map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 443) },
                registrars: try (boot.registrars ?? []).map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 5061) },
                dnsServers: try (boot.dnsServers ?? []).map { text throws(BootError) in
                    do { return try DNSServer(parsing: text) } catch { throw .invalidValue(text, expected: "a DNS server IP[:PORT]") }
                },
                ntpServers: try (boot.ntpServers ?? []).map { text throws(BootError) in try Endpoint(parsing: text, defaultPort: 123) })
        } catch {
            throw .invalidFile("boot: \(error)")
        }
        var profiles: [DeviceProfile] = []
        for entry in file.fleet {
            do {
                profiles.append(try DeviceProfile.resolve(device: entry.device, firmware: entry.firmware, knowledge: knowledge))
            } catch {
                throw .invalidFile("fleet: \(error)")
            }
        }
        var trusted: [TrustAnchor] = []
        for root in file.trust?.roots ?? [] {
            do {
                trusted += try CertificateDecoder().decode(path: resolve(root)).certificates.map {
                    TrustAnchor(certificate: $0, source: .user(file: root))
                }
            } catch {
                throw .input("trust.roots \(root): \(error)")
            }
        }
        var directory: [DirectoryRead]?
        if let snapshot = file.trust?.adSnapshot {
            do {
                directory = [DirectoryRead(try DirectorySnapshot(contentsOfFile: resolve(snapshot)), place: "snapshot \(snapshot)")]
            } catch {
                throw .input("trust.adSnapshot \(snapshot): \(error)")
            }
        }
        var provisioned: [TrustAnchor]?
        if let answer = boot.certprovResponse {
            do {
                provisioned = try CertificateDecoder().decode(path: resolve(answer)).certificates.map {
                    TrustAnchor(certificate: $0, source: .certificateProvisioning("captured answer \(answer)"))
                }
            } catch {
                throw .input("boot.certprovResponse \(answer): \(error)")
            }
        }
        let state = try PhoneStart(file: file, base: base) ?? PhoneStart()
        self.init(
            inputs: inputs, profiles: profiles, trusted: trusted, directory: directory, certificateProvisioning: provisioned,
            // The names of option 43, option 120 and autodiscover are judged on the endpoint the phone reaches by them.
            plan: file.plan?.poolNames,
            timeout: file.timeout ?? 5)
        start = state
    }
}
