import CXCertCore
import CXCertProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A probe with its verdicts, as `cxcert probe` prints it.
public struct ProbeResult: Sendable {
    /// What the probe found.
    public let report: ProbeReport
    /// How each client judged what the server presented.
    public let verdicts: [Verdict]

    /// Pairs a probe with the verdicts made from it.
    public init(report: ProbeReport, verdicts: [Verdict]) {
        self.report = report
        self.verdicts = verdicts
    }

    /// The probe as `cxcert probe` prints it: target and SNI, negotiated session, protocol versions, the phone's
    /// handshake, accepted suites, the chain as sent with its issues, then the verdicts.
    /// - Parameter style: Colours and emphasis for a terminal, or none.
    /// - Returns: Lines separated by newlines, without a final one.
    public func text(style: TextStyle = .plain) -> String {
        let r = report
        // Every field from the peer or the command line is escaped for the terminal (Escaping.terminal).
        let e = Escaping.terminal
        var out = [style.bold(e(r.target.description)) + style.dim(r.target.serverName.map { "  SNI \(e($0))" } ?? "  no SNI")]
        if let negotiated = r.negotiated { out.append("  Negotiated  \(negotiated.version.rawValue), \(e(negotiated.cipher))") }
        out.append(
            "  Protocols   "
                + TLSVersion.allCases.map { version in
                    (r.protocols[version]?.isAccepted ?? false) ? style.green("\(version.rawValue) ✔") : style.dim("\(version.rawValue) ✘")
                }.joined(separator: "  "))
        switch r.asPhone {
        case .accepted(let cipher): out.append("  As a phone  \(style.green("✔")) TLS 1.0, no SNI: \(e(cipher))")
        case .refused(let reason):
            out.append("  As a phone  \(style.red("✘ refused")): \(e(reason))")
            out.append("              Lync Phone Edition speaks at most TLS 1.0; it cannot connect to this server.")
        }
        if !r.cipherSuites.isEmpty { out.append("  Suites      \(e(r.cipherSuites.joined(separator: ", ")))") }
        out.append(
            "  Chain sent  " + r.presented.enumerated().map { "\($0.offset) \(e($0.element.subject.displayName))" }.joined(separator: " → ")
        )
        for issue in r.chainIssues { out.append("              \(style.yellow("!")) \(e(issue.description))") }
        if !verdicts.isEmpty {
            out.append("")
            out.append(
                VerdictReport.text(verdicts, style: style).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
                    .joined(separator: "\n"))
        }
        return out.joined(separator: "\n")
    }

    struct JSON: Encodable {
        struct Outcome: Encodable {
            let accepted: Bool
            let cipher: String?
            let reason: String?

            private enum Key: String, CodingKey { case accepted, cipher, reason }
            func encode(to encoder: any Encoder) throws {
                var out = encoder.container(keyedBy: Key.self)
                try out.encode(accepted, forKey: .accepted)
                try out.encode(cipher, forKey: .cipher)
                try out.encode(reason, forKey: .reason)
            }
            init(_ outcome: HandshakeOutcome) {
                switch outcome {
                case .accepted(let cipher): (accepted, self.cipher, reason) = (true, cipher, nil)
                case .refused(let why): (accepted, cipher, reason) = (false, nil, why)
                }
            }
        }
        let target: String
        let host: String
        let port: Int
        let serverName: String?
        let negotiatedVersion: String?
        let negotiatedCipher: String?
        let protocols: [String: Outcome]
        let asPhone: Outcome
        let cipherSuites: [String]
        let presented: [CertificateReference]
        let chainIssues: [String]
        let results: [VerdictReport.Result]
        /// Why the target could not be probed (then most other values are null or empty).
        var error: String? = nil

        // Every key is always present; a missing value is null.
        private enum Key: String, CodingKey {
            case target, host, port, serverName, negotiatedVersion, negotiatedCipher, protocols, asPhone, cipherSuites, presented,
                chainIssues, results, error
        }
        func encode(to encoder: any Encoder) throws {
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(target, forKey: .target)
            try out.encode(error == nil ? host : nil, forKey: .host)
            try out.encode(error == nil ? port : nil, forKey: .port)
            try out.encode(serverName, forKey: .serverName)
            try out.encode(negotiatedVersion, forKey: .negotiatedVersion)
            try out.encode(negotiatedCipher, forKey: .negotiatedCipher)
            try out.encode(protocols, forKey: .protocols)
            try out.encode(error == nil ? asPhone : nil, forKey: .asPhone)
            try out.encode(cipherSuites, forKey: .cipherSuites)
            try out.encode(presented, forKey: .presented)
            try out.encode(chainIssues, forKey: .chainIssues)
            try out.encode(results, forKey: .results)
            try out.encode(error, forKey: .error)
        }
    }

    var json: JSON {
        JSON(
            target: report.target.description, host: report.target.host, port: report.target.port, serverName: report.target.serverName,
            negotiatedVersion: report.negotiated?.version.rawValue, negotiatedCipher: report.negotiated?.cipher,
            protocols: Dictionary(uniqueKeysWithValues: report.protocols.map { ($0.key.rawValue, JSON.Outcome($0.value)) }),
            asPhone: JSON.Outcome(report.asPhone), cipherSuites: report.cipherSuites,
            presented: report.presented.map(CertificateReference.init),
            chainIssues: report.chainIssues.map(\.description), results: verdicts.map(VerdictReport.result))
    }

    /// A JSON array, one object per probed server.
    public static func json(_ results: [ProbeResult]) -> String { JSONOutput.encode(results.map(\.json)) }

    /// One object per target in the order given: a target that could not be probed is there too, with its `error`.
    public static func json(_ entries: [Result<ProbeResult, ProbeFailure>]) -> String {
        JSONOutput.encode(
            entries.map { entry in
                switch entry {
                case .success(let result): result.json
                case .failure(let failure):
                    JSON(
                        target: failure.target, host: "", port: 0, serverName: nil, negotiatedVersion: nil, negotiatedCipher: nil,
                        protocols: [:], asPhone: .init(.refused("not probed")), cipherSuites: [], presented: [], chainIssues: [],
                        results: [], error: failure.reason)
                }
            })
    }
}

/// A target `probe` could not probe, as given on the command line, and why.
public struct ProbeFailure: Error, Sendable {
    /// The target as the user wrote it.
    public let target: String
    /// Why it could not be probed, in one line.
    public let reason: String
    /// A target that could not be probed.
    public init(target: String, reason: String) {
        self.target = target
        self.reason = reason
    }
}
