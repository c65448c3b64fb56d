import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The words of the walk's findings: the message and the remedy, from the facts.
extension WalkFacts {
    /// One sentence saying what is wrong.
    public func message(for finding: Finding) -> String {
        switch (finding.code, self) {
        case (.certprovUnreachable, .certprov(let url, let address, _, let failure, _, _)):
            return
                "The root-chain download \(url) gets no connection at \(address ?? "its address") (\(failure ?? "no answer")): a PIN sign-in downloads no root."
        case (.certprovFailed, .certprov(let url, _, let status, let failure, _, _)):
            let what = status.map { "HTTP \($0)" } ?? "no answer"
            return "The root-chain download \(url) failed: \(what)\(failure.map { " — \($0)" } ?? "")."
        case (.certprovNoChains, .certprov(let url, _, _, let failure, _, _)):
            return "The root-chain download \(url) answered without a root chain the phone can read (\(failure ?? "no chain"))."
        case (.sipRegisterNoAnswer, .sipRegister(let host, let address, let port, _, _, let failure, _, _, _)):
            return
                "The registrar \(host) (\(address ?? "?"):\(port)) accepted the phone's TLS session but gave no answer to its REGISTER (\(failure ?? "no answer")): the phone cannot sign in."
        case (.sipRegisterFailed, .sipRegister(let host, _, let port, let status, _, let failure, _, _, _)):
            return
                "The registrar \(host):\(port) answered the phone's REGISTER \(status.map { "with \($0)" } ?? "badly")\(failure.map { " (\($0))" } ?? ""), not with a challenge: the phone cannot sign in."
        case (.sipNoLyncPackage, .sipRegister(let host, _, let port, let status, let packages, _, _, _, _)):
            let offered = packages.isEmpty ? "no authentication package" : "only \(packages.joined(separator: ", "))"
            return
                "\(host):\(port) answered the REGISTER (\(status.map(String.init) ?? "no status")) with \(offered), no NTLM, Kerberos or TLS-DSK: it is not a Lync registrar, or a proxy is in the way."
        case (.sipRedirectFailed, .sipRegister(let host, _, let port, _, _, let failure, _, _, _)):
            return "The redirect from \(host):\(port) cannot be followed: \(failure ?? "no target")."
        case (.sipTargetNameMismatch, .sipRegister(let host, _, _, _, _, _, let target, let names, _)):
            return
                "The registrar \(host) names itself \(target ?? "?") in its challenge, a name its certificate does not carry (\(names.isEmpty ? "no DNS names" : names.joined(separator: ", ")))."
        case (.sipProvisioningURL, .sipRegister(let host, _, _, _, _, let failure, _, _, let url)):
            return
                "\(host)'s TLS-DSK challenge gives \(url.map { "the certificate provisioning URL \($0)" } ?? "no certificate provisioning URL (sts-uri)"): \(failure ?? "unusable")."
        case (.deviceUpdateNoneOffered, .deviceUpdateOffer(let url, let build, _, let support, _, _, let confidence)):
            let why =
                switch support {
                case "fails": "it fails to sign in to Lync Server 2013 (SIP 401 whatever the client version policy)"
                case "registers-unsupported":
                    "it may sign in to Lync Server 2013 but is not supported there (CU7, 4.0.7577.4363, is the first supported build)"
                default: "no source says it works with Lync Server 2013 (CU7, 4.0.7577.4363, is the first supported build)"
                }
            return "\(url) offers no update to \(build), and \(why) (\(confidence.rawValue) confidence)."
        case (.deviceUpdateNeedsIntermediate, .deviceUpdateOffer(let url, let build, let offered, _, let via, _, let confidence)):
            return
                "\(url) offers \(offered ?? "an update") to \(build), which cannot take it in one step: it must run \(via.joined(separator: " or ")) first (\(confidence.rawValue) confidence)."
        case (.deviceUpdateFileNotPort80, .deviceUpdate(let url, _, _, let failure)):
            return
                "The offered file \(url) is not on plain HTTP port 80, where the phone fetches update files\(failure.map { " (\($0))" } ?? "")."
        case (.deviceUpdateCheckFailed, .deviceUpdate(let url, let address, _, let failure)):
            return "The Device Update check \(url) at \(address ?? "its address") gave no offer: \(failure ?? "no answer")."
        case (.deviceUpdateFileUnreachable, .deviceUpdate(let url, _, _, let failure)):
            return
                "The offered update file \(url) cannot be fetched from the phone's network (\(failure ?? "no answer")): the phone cannot update."
        case (.certprovRootMissing, .certprov(_, _, _, _, let host, let needed)):
            return
                "The downloaded root chains do not contain \(needed ?? "the root") that \(host ?? "the server")'s chain needs: the phone will not trust it."
        case (_, .dnsUnanswered(let questions, _)):
            return "\(questions.count) DNS question\(questions.count == 1 ? "" : "s") got no answer: "
                + questions.prefix(4).map { "\($0.name) \($0.type) (\($0.result))" }.joined(separator: ", ")
        case (.dnsAnswerOversized, .dnsAnswer(let name, let type, _, _, let limit, _, _)):
            let limit = limit.map(String.init) ?? "many"
            return "\(name) \(type) has \(limit) or more records; only the first \(limit) were read."
        case (.concatenatedNameAnswered, .dnsAnswer(let name, _, _, let answers, _, let retriedFrom, _)):
            return
                "\(name) answers (\(answers.joined(separator: ", "))) although \(retriedFrom ?? "the name asked") does not; the phone will use it."
        case (_, .dnsAlias(let target, let record, let aliases, let addresses)):
            return
                "\(record) names \(target) as its target, but \(target) is an alias (CNAME: \(aliases.joined(separator: " -> "))) resolving to \(addresses.isEmpty ? "nothing" : addresses.joined(separator: ", ")); RFC 2782 forbids an alias as an SRV target, and the phone checks the certificate for \(target)."
        case (.strictDNSNaming, .dnsAnswer(let name, _, _, let answers, _, _, let domain)):
            return
                "\(name) points to \(answers.joined(separator: ", ")), outside the SIP domain \(domain ?? "?"); this build enforces strict DNS naming and ignores the record."
        case (.deviceUpdateNotFound, .dnsAnswer(let name, _, _, _, _, _, let domain)):
            return
                "\(name) does not resolve: phones given \(domain ?? "that domain") by DHCP that have never signed in find no update server."
        case (_, .dnsAnswer(let name, _, _, _, _, _, _)):
            return "The web services name \(name) does not resolve."
        case (.timeSourceMissing, .search(let tried, _, _)):
            return
                "No time source answered with a synchronised time (tried: \(tried.map(\.description).joined(separator: ", "))); certificates are judged at this machine's clock instead."
        case (.registrarNotFound, .search(let tried, _, _)):
            return "No registrar was found that completes a connection (tried \(tried.count) lookups in this build's order)."
        case (.dcNotFound, .search(let tried, let domains, let roots)):
            let count = roots ?? 0
            return
                "The phone finds no domain controller (\(tried.map(\.description).joined(separator: ", ")) for \(domains.joined(separator: ", "))), so it cannot download the \(count) root\(count == 1 ? "" : "s") published in Active Directory."
        case (_, .dcLocator(let tried, let domains, _, _, _, let directoryGiven, let roots)):
            let asked = "\(tried.map(\.description).joined(separator: ", ")) for \(domains.joined(separator: ", "))"
            guard directoryGiven else {
                return
                    "The phone finds no domain controller (\(asked)): it cannot download roots from Active Directory (the directory was not consulted: no --ad)."
            }
            let count = roots ?? 0
            return
                "The phone finds no domain controller (\(asked)), so it cannot download the \(count) root\(count == 1 ? "" : "s") published in Active Directory."
        case (_, .search(let tried, let domains, _)):
            return
                "No autodiscover URL for \(domains.first ?? "the SMTP domain") answered with a certificate this build trusts (\(tried.map(\.description).joined(separator: ", ")))."
        case (.heldRootStale, .heldRoots(let host, let phase, let needed, let neededFrom, let held, _, let rule)):
            return
                "\(host): the chain needs \(Self.list(needed)) (\(Self.list(neededFrom))), which this phone does not hold \(Self.phaseWords(phase)): it holds roots from an earlier sign-in (\(Self.list(held))) and does not look for new ones until it is reset\(FindingWording.basis(rule, finding.vocabulary))."
        case (.externalRootNotLearned, .heldRoots(let host, let phase, let needed, let neededFrom, let held, _, let rule)):
            return
                "\(host) is reached from outside the network \(Self.phaseWords(phase)), where the phone trusts only \(Self.list(held)); its chain needs \(Self.list(needed)) (\(Self.list(neededFrom))), which the phone downloads only on the internal network and does not hold\(FindingWording.basis(rule, finding.vocabulary))."
        case (_, .heldRoots(let host, let phase, let needed, let neededFrom, let held, let downloadsIn, let rule)):
            let later = downloadsIn.map { " It gets it only \(Self.phaseWords($0))." } ?? ""
            return
                "\(host) is reached \(Self.phaseWords(phase)), when the phone holds only \(Self.list(held)); its chain needs \(Self.list(needed)) (\(Self.list(neededFrom))).\(later)"
                + Self.timingBasis(FindingWording.basis(rule, finding.vocabulary))
        case (_, .roots(.activeDirectory, _)):
            return
                "The directory holds no root certificate the phone can download (no certificationAuthority object with a cACertificate, no enrollment service)."
        case (_, .roots(.signIn, _)):
            return "This build holds no root at sign-in."
        case (_, .ntp(let server, let address, let port, let via, let leap, let stratum, let referenceID, let kissOfDeath)):
            if via == .captured {
                return
                    "\(server) answered the phone with leap indicator \(leap), stratum \(stratum): the phone cannot set its clock from it."
            }
            let why =
                kissOfDeath
                ? "sent a kiss-of-death (stratum 0, code \(referenceID.isEmpty ? "none" : referenceID))"
                : "is not synchronised (leap indicator \(leap), stratum \(stratum))"
            return "The time server \(server) (\(address):\(port), \(via)) \(why); the phone ignores its time."
        case (_, .clock(let offset, let source, let phoneClock, let host?, let atPhone, let atLocal, let differing)):
            func said(_ trusted: Bool?) -> String { trusted == true ? "trusted" : "not trusted" }
            let clocks =
                "\(host): at the phone's clock (\(iso8601(phoneClock)), \(durationText(offset)) \(offset < 0 ? "behind" : "ahead") from \(source)) the chain is \(said(atPhone)); at the true time (this machine's clock) it is \(said(atLocal)) (\(differing.joined(separator: ", ")))"
            if atPhone == true && atLocal == false {
                return clocks
                    + ": the certificate is wrong at the true time, and the phone's wrong clock hides it; once the clock is corrected the phones stop trusting \(host)."
            }
            return clocks + "."
        case (_, .clock(let offset, let source, _, nil, _, _, _)):
            return
                "The phone's clock will be \(durationText(offset)) \(offset < 0 ? "behind" : "ahead of") this machine's (time source \(source))."
        case (_, .endpoint(let host, let address, let port, let service, let purpose, let via, let failure)):
            let address = address ?? "?"
            if let via { return "\(host) (\(address):\(port), \(via)): \(failure ?? "no answer")" }
            if service == "http" {
                return
                    "\(host) (\(address)) does not accept plain HTTP on port \(port), which \(purpose ?? "the phone's downloads") use: \(failure ?? "no answer")"
            }
            guard let failure else { return "\(purpose ?? "TLS"): \(host) sent no certificate" }
            return "\(purpose ?? "TLS"): \(host) (\(address):\(port)): \(failure)"
        case (_, .redirect(let from, let to, let hops, let loops)):
            return loops
                ? "The autodiscover redirect loops back to \(to)." : "The autodiscover redirect from \(from) takes more than \(hops) hops."
        default:
            return "\(finding.code.rawValue)."
        }
    }

    /// The ways this build finds a time source, from its own lookup order (`tried`, the data's `timeSources`):
    /// only what the build uses is named.
    private static func timeRemedy(tried: [LookupStep], sip: String) -> String {
        var ways: [String] = []
        for step in tried {
            switch step {
            case .srv(let name) where !name.placeholders.contains(.dhcp):
                ways.append(
                    "publish \(filled(name, sip: sip)) (SRV, port 123) pointing at a synchronised NTP server in the SIP domain")
            case .option42:
                ways.append("give DHCP option 42")
            case .host(let name, _) where name.placeholders.isEmpty:
                ways.append("make \(name) resolve to a synchronised NTP server (an internal A record will do)")
            default: continue
            }
        }
        guard !ways.isEmpty else { return "Give the phones a synchronised time source they can reach over UDP 123." }
        let first = ways[0].prefix(1).uppercased() + ways[0].dropFirst()
        return ([first] + ways.dropFirst()).joined(separator: ", or ")
            + " (what this build looks for, in its order), and let the phones reach UDP 123."
    }

    /// The ways this build finds its registrar, from its own lookup order (`tried`, the data's `registrarLookup`):
    /// option 120 only for a build that reads it.
    private static func registrarRemedy(tried: [LookupStep], sip: String) -> String {
        var ways: [String] = []
        let srv = tried.lazy.compactMap { step -> NameTemplate? in
            if case .srvTLS(let name) = step, !name.placeholders.contains(.dhcp) { name } else { nil }
        }.first
        if let srv { ways.append("Publish \(filled(srv, sip: sip)) (SRV, port 5061) pointing at the pool's name in \(sip)") }
        if tried.contains(.option120) { ways.append(ways.isEmpty ? "Give DHCP option 120" : "give DHCP option 120") }
        guard !ways.isEmpty else { return "Publish sip.\(sip) (A record) pointing at the pool." }
        return ways.joined(separator: ", or ") + "."
    }

    /// A template with the SIP domain filled in (other placeholders kept as written).
    private static func filled(_ name: NameTemplate, sip: String) -> String {
        (try? name.expand { $0 == .sip ? [sip] : ["{\($0.rawValue)}"] }.get().first) ?? name.description
    }

    /// The fix, specific enough to act on.
    public func remedy(for finding: Finding) -> String {
        let words = finding.vocabulary
        switch (finding.code, self) {
        case (.certprovUnreachable, .certprov(let url, _, _, _, _, _)):
            return
                "Open TCP 80 from the phones' network to the web services and have the load balancer forward it to the pool's internal web site (\(url))."
        case (.certprovFailed, _), (.certprovNoChains, _):
            return
                "Check the pool's web services: Set-CsWebServiceConfiguration -EnableCertChainDownload $true, the TrustedCACerts list, and the CertProv application's event log; Test-CsPhoneBootstrap runs the same download."
        case (.sipRegisterNoAnswer, _):
            return
                "Check that the registrar's SIP service is running and that nothing between the phones and the pool (a load balancer's idle or SSL-offload rule, a firewall's SIP inspection) swallows SIP over TLS; the Front End's event log and a Snooper trace show whether the REGISTER arrived."
        case (.sipRegisterFailed, _):
            return
                "Read the answer in the step's notes: a 5xx means the pool is not ready (check the Front End service), a 403/404 a policy or a domain the pool does not serve (the SIP domain must be one of the pool's supported domains)."
        case (.sipNoLyncPackage, _):
            return
                "Point the phones (DHCP option 120, the _sipinternaltls._tcp SRV record) at the Lync pool itself, not at a SIP proxy or another PBX, and let the load balancer pass TLS through to the Front End servers."
        case (.sipRedirectFailed, _):
            return
                "Check the user's home pool and the pool the director redirects to: its FQDN must resolve from the phones' network and accept the phone's TLS on 5061, and redirects must end at the home pool."
        case (.sipTargetNameMismatch, .sipRegister(_, _, _, _, _, _, let target, _, _)):
            return
                "Reissue the registrar's certificate with \(target.map { $0.lowercased().hasPrefix("sip/") ? String($0.dropFirst(4)) : $0 } ?? "the Front End's FQDN") in its subjectAltName (the pool FQDN and each Front End FQDN), as the Lync certificate wizard does."
        case (.sipProvisioningURL, _):
            return
                "Check the pool's internal web services FQDN (Get-CsService -WebServer): the TLS-DSK URL must be HTTPS on a name the phones resolve and whose certificate they trust."
        case (.deviceUpdateNoneOffered, _):
            return
                "Import the current cumulative update for this family into the pool (Import-CsDeviceUpdate), approve it (Approve-CsDeviceUpdateRule), and check that the phone's model and revision have a rule."
        case (.deviceUpdateNeedsIntermediate, .deviceUpdateOffer(_, _, _, _, let via, _, _)):
            return
                "Offer \(via.first ?? "the intermediate build") first (import and approve it, or restore it as the approved version for these phones), let the phones take it, then approve the newer build."
        case (.deviceUpdateFileNotPort80, _):
            return
                "Serve the internal update files over plain HTTP on port 80 (DeviceUpdateStoreInternalUri is http://<internal web FQDN>/RequestHandler/Files), forwarded by the load balancer."
        case (.deviceUpdateCheckFailed, _):
            return
                "Check the pool's Device Update web service (/RequestHandler/ucdevice.upx on port 80) and its RequestHandler audit log; the request's body format is a guess (see the README), so compare with a phone's own request."
        case (.deviceUpdateFileUnreachable, _):
            return
                "Let the phones reach the offered file over plain HTTP (port 80 forwarded by the load balancer to the pool's /RequestHandler/Files), and approve the update on every server of the pool."
        case (.certprovRootMissing, .certprov(_, _, _, _, _, let needed)):
            return
                "Add \(needed ?? "the issuing root") to the web services' trusted CA list (Set-CsWebServiceConfiguration -TrustedCACerts), or let it infer the chain from the web certificate (-InferCertChainFromSSL)."
        case (_, .dnsUnanswered(_, let servers)):
            return
                "Make sure the DNS servers the phones get from DHCP option 6 (\(servers.joined(separator: ", "))) answer from the phones' network."
        case (.dnsAnswerOversized, .dnsAnswer(let name, _, _, _, _, _, _)):
            return "Publish a handful of records for \(name); a phone tries them in priority order."
        case (.concatenatedNameAnswered, .dnsAnswer(_, _, _, _, _, let retriedFrom, let domain)):
            return
                "Publish \(retriedFrom ?? "the name") itself, and remove any wildcard record in \(domain ?? "the DHCP domain") that makes concatenated names resolve."
        case (_, .dnsAlias(let target, let record, _, _)):
            return
                "Point \(record) at the host's own name (one with an A record, not a CNAME), and make sure the certificate of the server there carries that name; or replace the CNAME \(target) with an A record."
        case (.strictDNSNaming, .dnsAnswer(let name, _, _, _, _, _, let domain)):
            let sip = domain ?? "the SIP domain"
            return
                "Point \(name) at a name in \(sip) (for example a new A record pool01.\(sip) or sip.\(sip)) that the pool certificate carries."
        case (.deviceUpdateNotFound, .dnsAnswer(_, _, _, _, _, _, let domain)):
            return
                "Publish an A record ucupdates-r2.\(domain ?? "<DHCP domain>") pointing at the pool's web services (or its load balancer)."
        case (_, .dnsAnswer(let name, _, _, _, _, _, _)):
            return "Publish an A record for \(name) in the DNS the phones use."
        case (.timeSourceMissing, .search(let tried, let domains, _)):
            return Self.timeRemedy(tried: tried, sip: domains.first ?? "<SIP domain>")
        case (.registrarNotFound, .search(let tried, let domains, _)):
            return Self.registrarRemedy(tried: tried, sip: domains.first ?? "<SIP domain>")
        case (_, .dcLocator(_, let domains, let netbios?, let adDomains, let missingSuffix, _, _)):
            // The guide's fix (CX700 guide l.1128-1145): the phone builds the locator name from the NetBIOS name and
            // option 15 and each option 119 suffix; the suffix that completes it, or WINS.
            let upper = netbios.uppercased()
            if let missingSuffix {
                return
                    "Add \(missingSuffix) to DHCP option 119: the phone builds the DC locator name from the NetBIOS name \(upper) and each suffix, and \(netbios).\(missingSuffix) is the Active Directory domain. Or give the phones WINS (DHCP option 44), or have users sign in as alias@\(netbios).\(missingSuffix)."
            }
            if let reached = adDomains.first(where: { domains.contains($0) }) {
                return "Publish _ldap._tcp.dc._msdcs.\(reached) in the DNS the phones use (option 6)."
            }
            if adDomains.isEmpty {
                return
                    "Add to DHCP option 119 the suffix that completes \(upper) into the Active Directory DNS domain (for fabrikam.dk, dk), or give the phones WINS (DHCP option 44), or have users sign in with a UPN (alias@<AD domain>)."
            }
            return
                "No option 119 suffix completes \(upper) into the Active Directory DNS domain (\(adDomains.joined(separator: ", "))): give the phones WINS (DHCP option 44), or have users sign in with a UPN (alias@\(adDomains[0]))."
        case (.dcNotFound, _):
            return "Publish _ldap._tcp.dc._msdcs.<AD domain> in the DNS the phones use (option 6), and give option 15 the AD domain."
        case (_, .search(_, let domains, _)):
            let smtp = domains.first ?? "<SMTP domain>"
            return
                "Give https://autodiscover.\(smtp) a certificate without wildcards that chains to a root the phone has, or an HTTP redirect to one."
        case (_, .roots(.activeDirectory, _)):
            let tool = if case .command = words { " (or cxcert ds publish)" } else { "" }
            return "Publish the internal root: certutil -f -dspublish root.cer RootCA\(tool)."
        case (.heldRootStale, .heldRoots(_, _, let needed, _, _, _, _)):
            return
                "Reset the phone (a soft reset clears its certificate store) and sign in once on the internal network, so that it downloads \(Self.list(needed)); every phone that signed in before the change needs the same."
        case (.externalRootNotLearned, .heldRoots(let host, _, let needed, _, _, _, _)):
            return
                "Sign the phone in once on the internal network, so that it downloads \(Self.list(needed)), before taking it outside (a phone that signed in before keeps the roots it holds until it is reset: reset it first); or give \(host) a certificate that chains to a root in the phone's built-in cache."
        case (_, .heldRoots(let host, _, _, _, _, _, _)):
            return
                "Either give \(host) a certificate that chains to a root in the phone's built-in cache, or attempt a sign-in on the phone first (on an LPE phone a wrong PIN is enough) so that it downloads the root, then let it check again."
        case (_, .roots(.signIn, _)):
            return "Publish the internal root in Active Directory (certutil -f -dspublish root.cer RootCA)."
        case (_, .ntp(let server, _, _, let via, _, _, _, _)):
            if via == .captured { return "Give \(server) a reliable upstream source." }
            return
                "Give \(server) a reliable upstream source (on a Windows DC: w32tm /config /manualpeerlist:... /syncfromflags:manual /reliable:yes /update)."
        case (_, .clock(_, let source, _, let host?, true, false, let differing)):
            return
                "Renew the certificate on \(host) first (it fails at the true time: \(differing.joined(separator: ", "))), then correct the time on \(source.serverName ?? source.description): correcting the time first makes every phone refuse \(host)."
        case (_, .clock(_, let source, _, let host, _, _, _)):
            if host != nil {
                return
                    "Fix the time source \(source.serverName ?? source.description) rather than the certificate (the chain is trusted at the true time)."
            }
            return
                "Correct the time on \(source.serverName ?? "the time source"); every certificate is judged at the phone's clock."
        case (_, .endpoint(let host, _, let port, let service, _, let via, let failure)):
            if via != nil { return "Make \(host):\(port) reachable from the phones, or remove the record that names it." }
            if service == "http" { return "Open TCP \(port) to \(host) from the phones (and balance it on the hardware load balancer)." }
            if failure == nil { return "Configure a certificate on \(host):\(port)." }
            return "Make \(host):\(port) answer TLS from the phones' network."
        case (_, .redirect):
            return "Redirect http://autodiscover.<SMTP domain>/autodiscover/autodiscover.xml once, to the HTTPS autodiscover URL."
        default:
            return "See the message."
        }
    }

    /// `a, b and c`, or `none`.
    private static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: "none"
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    /// A rule's basis (` (…)`, or nothing) as the basis of a timing: ` (timing: …)`.
    private static func timingBasis(_ basis: String) -> String {
        basis.hasPrefix(" (") ? " (timing: " + basis.dropFirst(2) : basis
    }

    /// "at boot", "at its first sign-in", "once signed in".
    private static func phaseWords(_ phase: BootPhase) -> String {
        switch phase {
        case .boot: "at boot"
        case .signIn: "at its first sign-in"
        case .signedIn: "once signed in"
        }
    }
}
