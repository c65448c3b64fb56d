import CXCertCore
import CXCertDirectory
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The rules that judge the phone's three conversations (the root-chain download, the Device Update check, the first
// REGISTER) from what was said, whoever heard it: `boot` speaking as the phone, `trace` reading a capture. What each
// producer does besides (resolving, connecting, following a redirect) stays with it; the verdict on an answer is here.
extension PhoneJudge {
    // MARK: certprov

    /// The finding a root-chain answer gives, if any: the service not reached, an HTTP error or SOAP fault, an answer
    /// without chains. `nil` for an answer with chains (``missingRoot(top:held:)`` judges those against the servers).
    public func certProvFinding(_ outcome: CertificateProvisioning.Outcome, url: String, address: String?, status: Int?) -> Finding? {
        func failed(_ code: FindingCode, _ why: String) -> Finding {
            finding(code, .error, .walk(.certprov(url: url, address: address, status: status, failure: why, host: nil, needed: nil)))
        }
        switch outcome {
        case .chains: return nil
        case .transport(let error):
            // CURLE_COULDNT_CONNECT (7): refused or no route; a timeout (28) may be a filtered port or a slow answer.
            if case .curl(_, 7, _) = error { return failed(.certprovUnreachable, error.description) }
            return failed(.certprovFailed, error.description)
        case .status(let code, _): return failed(.certprovFailed, "HTTP \(code)")
        case .fault(let reason): return failed(.certprovFailed, "SOAP fault: \(reason)")
        case .noChains(let error): return failed(.certprovNoChains, error.description)
        }
    }

    /// The issuer a server's chain needs when the phone holds neither it nor the chain's self-signed top: the top's
    /// issuer (its own subject when self-signed), nil when `held` (the downloaded roots and the phone's) has it.
    public static func missingRoot(top: Certificate, held: Set<DistinguishedName>) -> DistinguishedName? {
        let needed = top.subject == top.issuer ? top.subject : top.issuer
        return held.contains(needed) ? nil : needed
    }

    /// `certprov-root-missing` for one server whose chain ends in `needed`.
    public func certProvRootMissing(url: String, address: String?, server: String, needed: DistinguishedName) -> Finding {
        finding(
            .certprovRootMissing, .error,
            .walk(.certprov(url: url, address: address, status: 200, failure: nil, host: server, needed: needed.description)))
    }

    // MARK: device-update-request

    /// Nothing offered: a warning when `Knowledge/updates.json` says this build needs an update for Lync Server 2013 (the
    /// pool's version is not known, so never an error).
    public func deviceUpdateNoneOffered(url: String) -> Finding? {
        guard let build = profile.firmware,
            let row = UpdateKnowledge.builtIn.lync2013(build, family: profile.familyID), row.needsUpdate
        else { return nil }
        return finding(
            .deviceUpdateNoneOffered, .warning,
            .walk(
                .deviceUpdateOffer(
                    url: url, build: build.description, offered: nil, lync2013: row.support, via: [], source: row.source,
                    confidence: row.confidence)))
    }

    /// An offered version the running build cannot take in one step (`Knowledge/updates.json` `upgradePaths`).
    public func deviceUpdateNeedsIntermediate(_ version: String, url: String) -> Finding? {
        guard let build = profile.firmware, let offered = FirmwareVersion(version), offered > build,
            let path = UpdateKnowledge.builtIn.upgradePath(from: build, to: offered, family: profile.familyID)
        else { return nil }
        return finding(
            .deviceUpdateNeedsIntermediate, path.confidence == .low ? .warning : .error,
            .walk(
                .deviceUpdateOffer(
                    url: url, build: build.description, offered: version, lync2013: nil, via: path.via, source: path.source,
                    confidence: path.confidence)))
    }

    /// An offered file the phone cannot fetch the way it fetches them: plain HTTP on port 80 (seed 002 comment 14;
    /// DeviceUpdateStoreInternalUri).
    public func deviceUpdateFileNotPort80(_ url: String) -> Finding? {
        guard let target = try? HTTPFetcher.target(of: url), !(url.lowercased().hasPrefix("http://") && target.port == 80) else {
            return nil
        }
        return finding(
            .deviceUpdateFileNotPort80, .warning,
            .walk(
                .deviceUpdate(
                    url: url, address: nil, status: nil,
                    failure: "\(url.lowercased().hasPrefix("https://") ? "HTTPS" : "another scheme") on port \(target.port)")))
    }

    /// The findings of one Device Update answer: a check that failed, no update offered, an update that needs an
    /// intermediate build, an offered file off port 80. The offer, when there is one, comes back for the caller to fetch.
    public func deviceUpdateFindings(
        _ outcome: Result<DeviceUpdate.Offer, DeviceUpdate.Failure>, url: String, address: String?, status: Int?
    ) -> (findings: [Finding], offer: DeviceUpdate.Offer?) {
        let offer: DeviceUpdate.Offer
        switch outcome {
        case .failure(let failure):
            let checkFailed = finding(
                .deviceUpdateCheckFailed, .error,
                .walk(.deviceUpdate(url: url, address: address, status: status, failure: failure.description)))
            return ([checkFailed], nil)
        case .success(let value): offer = value
        }
        var findings: [Finding] = []
        if offer.files.isEmpty, let none = deviceUpdateNoneOffered(url: url) { findings.append(none) }
        var judged: Set<String> = []
        for file in offer.files {
            if let version = file.version, judged.insert(version).inserted, let path = deviceUpdateNeedsIntermediate(version, url: url) {
                findings.append(path)
            }
            findings += file.urls.compactMap(deviceUpdateFileNotPort80)
        }
        return (findings, offer)
    }

    /// What `server` offers this build, a line for the step's notes per offered file (or one saying there is none).
    public func deviceUpdateOfferNotes(_ offer: DeviceUpdate.Offer, server: String) -> [String] {
        guard !offer.files.isEmpty else {
            return [
                "\(server) offers no update to \(profile.name) (NumOfFiles \(offer.numberOfFiles.map(String.init) ?? "absent"), server \(offer.serverVersion ?? "?"))"
            ]
        }
        return offer.files.map { file in
            "\(server) offers \(file.fileName) version \(file.version ?? "unknown") at \(file.baseURL ?? "no internal URL")"
        }
    }

    // MARK: sip-register

    /// What a REGISTER's answer means for the phone.
    public enum SIPAnswerVerdict: Sendable {
        /// A 401/407: the challenges to judge with ``sipChallengeFindings(_:server:chain:)``.
        case challenged
        /// A redirect to this URI.
        case redirect(SIPURI)
        /// Nothing further to do: the findings say why.
        case done([Finding])
    }

    /// Where a REGISTER was sent, for the findings.
    public struct SIPServer: Sendable, Hashable {
        /// The name the registrar was reached by (its address when no name is known).
        public var host: String
        /// Its address.
        public var address: String
        /// The TCP port.
        public var port: Int

        /// A server.
        public init(host: String, address: String, port: Int) {
            self.host = host
            self.address = address
            self.port = port
        }
    }

    /// A `sip-register` finding about `server`.
    public func sipFinding(
        _ code: FindingCode, _ severity: Severity = .error, server: SIPServer, status: Int? = nil, packages: [String] = [],
        failure: String? = nil, targetName: String? = nil, certificateNames: [String] = [], provisioningURL: String? = nil
    ) -> Finding {
        finding(
            code, severity,
            .walk(
                .sipRegister(
                    host: server.host, address: server.address, port: server.port, status: status, packages: packages, failure: failure,
                    targetName: targetName, certificateNames: certificateNames, provisioningURL: provisioningURL)))
    }

    /// The status rules: 401/407 challenge, 3xx redirect (a sip: Contact or `sip-redirect-failed`), 2xx registered
    /// without any credential asked (`sip-no-lync-package`), anything else `sip-register-failed`.
    public func sipAnswer(_ response: SIPResponse, server: SIPServer) -> SIPAnswerVerdict {
        let packages = response.challenges.map(\.scheme)
        switch response.statusCode {
        case 401, 407: return .challenged
        case 300..<400:
            guard let next = response.contacts.lazy.compactMap(SIPURI.init).first else {
                return .done([
                    sipFinding(
                        .sipRedirectFailed, server: server, status: response.statusCode,
                        failure: "\(response.statusCode) without a sip: Contact")
                ])
            }
            return .redirect(next)
        case 200..<300:
            return .done([
                sipFinding(
                    .sipNoLyncPackage, server: server, status: response.statusCode, packages: packages,
                    failure: "it registered the phone without asking for any credential")
            ])
        default:
            return .done([
                sipFinding(
                    .sipRegisterFailed, server: server, status: response.statusCode, packages: packages,
                    failure: "\(response.statusCode) \(response.reason)")
            ])
        }
    }

    /// A 401/407's challenges: no Lync package (`sip-no-lync-package`), a target name outside the registrar's
    /// certificate (`sip-target-name-mismatch`, when `chain` has one), a TLS-DSK challenge without a usable https
    /// `sts-uri` (`sip-provisioning-url`). Returns the findings, a note per challenge, and the TLS-DSK provisioning
    /// URL's host and port for the caller to reach when it can.
    public func sipChallengeFindings(_ response: SIPResponse, server: SIPServer, chain: [Certificate]) -> (
        findings: [Finding], notes: [String], provisioning: (url: String, host: String, port: Int)?
    ) {
        let challenges = response.challenges
        let notes = challenges.map { challenge in
            "challenge (\(challenge.header)): \(challenge.scheme) "
                + challenge.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        }
        func detail(
            _ code: FindingCode, _ severity: Severity = .error, targetName: String? = nil, names: [String] = [], url: String? = nil,
            why: String? = nil
        )
            -> Finding
        {
            sipFinding(
                code, severity, server: server, status: response.statusCode, packages: challenges.map(\.scheme), failure: why,
                targetName: targetName, certificateNames: names, provisioningURL: url)
        }
        let lync = challenges.filter(\.isLyncPackage)
        guard !lync.isEmpty else { return ([detail(.sipNoLyncPackage)], notes, nil) }
        var findings: [Finding] = []
        // [MS-SIPAE]: targetname is the server's FQDN (`sip/FQDN` for Kerberos); the phone connected to a name its
        // certificate must carry, so a target name outside that certificate is worth a look (its effect is not documented).
        if let leaf = chain.first {
            var reported: Set<String> = []
            for challenge in lync {
                guard let host = challenge.targetHost, reported.insert(host.lowercased()).inserted else { continue }
                if !HostnameMatcher.match(host, certificate: leaf, rules: .rfc6125).isCovered {
                    findings.append(detail(.sipTargetNameMismatch, .warning, targetName: challenge.targetName, names: leaf.dnsNames))
                }
            }
        }
        guard let dsk = lync.first(where: { $0.scheme.lowercased() == "tls-dsk" }) else { return (findings, notes, nil) }
        guard let url = dsk.certificateProvisioningURL else {
            return (findings + [detail(.sipProvisioningURL, why: "the TLS-DSK challenge names no sts-uri")], notes, nil)
        }
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https", let host = components.host,
            !host.isEmpty
        else {
            return (findings + [detail(.sipProvisioningURL, url: url, why: "not an https:// URL")], notes, nil)
        }
        let port = components.port ?? 443
        guard (1...65535).contains(port) else {
            return (findings + [detail(.sipProvisioningURL, url: url, why: "port \(port) is outside 1-65535")], notes, nil)
        }
        return (findings, notes, (url, host, port))
    }
}
