import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertReports

/// What `cxcert verify` and `cxcert audit` compute, called in-process through the same library functions
/// the commands call (`Sources/cxcert/VerifyCommand.swift`, `AuditCommand.swift`), so a test of a verdict,
/// a finding or a report needs no `cxcert` process.
enum InProcess {
    /// `cxcert verify LEAF --chain ... --trust ... --device ... --firmware ... --host ... --at ... --until ...`.
    /// - Parameters:
    ///   - file: The server certificate with any bundle that came with it.
    ///   - chain: More intermediates (`--chain`).
    ///   - trust: Roots (`--trust`), as user anchors named by their path.
    ///   - device: `--device` (the command's default is tanjay).
    ///   - firmwares: `--firmware`, one verdict each (none: the newest build).
    ///   - hosts: `--host`.
    ///   - plan: The deployment's names (`--pool`, `--ad-domain`, ...).
    ///   - at: `--at`.
    ///   - until: `--until`.
    ///   - maxChainDepth: `--max-chain-depth`.
    ///   - knowledge: The device knowledge (`--device-data`, `--capability`).
    /// - Returns: The verdicts and their next changes.
    /// - Throws: A decoding error for an unreadable file, a profile error for an unknown device or build.
    static func verify(
        _ file: String, chain: [String] = [], trust: [String] = [], device: String = "tanjay", firmwares: [String] = [],
        hosts: [String] = [], plan: NamePlan? = nil, at: Date = Date(), until: Date? = nil,
        maxChainDepth: Int = VerificationRequest.defaultMaxChainDepth, knowledge: DeviceKnowledgeBase = .builtIn
    ) throws -> VerificationOutcome {
        let decoder = CertificateDecoder()
        let split = try #require(VerificationRequest.split(bundle: try decoder.decode(path: file).certificates))
        let anchors = try trust.flatMap { path in
            try decoder.decode(path: path).certificates.map { TrustAnchor(certificate: $0, source: .user(file: path)) }
        }
        let intermediates = try split.others + chain.flatMap { try decoder.decode(path: $0).certificates }
        var request = VerificationRequest(
            leaf: split.leaf, intermediates: intermediates, anchors: anchors, hosts: hosts, plan: plan, time: at,
            vocabulary: .command(.verify))
        request.maxChainDepth = maxChainDepth
        let profiles = try (firmwares.isEmpty ? [nil] : firmwares.map(Optional.some)).map {
            try DeviceProfile.resolve(device: device, firmware: $0, knowledge: knowledge)
        }
        return Verifier.verify(request, profiles: profiles, until: until)
    }

    /// `cxcert verify ... --json`, parsed.
    /// - Throws: When the JSON is not an object.
    static func verifyJSON(_ outcome: VerificationOutcome) throws -> [String: Any] {
        let text = VerdictReport.json(outcome.verdicts, nextChanges: outcome.nextChanges)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// `cxcert verify ...` as text (no colour).
    static func verifyText(_ outcome: VerificationOutcome) -> String {
        VerdictReport.text(outcome.verdicts, nextChanges: outcome.nextChanges, until: outcome.until)
    }

    /// `cxcert audit FILE [--until] [--fail-within]`: the deployment file read and audited.
    /// - Throws: The ``AuditError`` the command reports with exit 2, or a read error.
    static func audit(_ file: URL, until: Date? = nil, failWithinDays: Int? = nil) async throws -> AuditResult {
        let deployment = try DeploymentFile(yaml: try String(contentsOf: file, encoding: .utf8))
        return try await Auditor.run(
            deployment, relativeTo: file.deletingLastPathComponent(), until: until, failWithinDays: failWithinDays)
    }

    /// `cxcert audit FILE --json`, parsed.
    /// - Throws: When the JSON is not an object.
    static func auditJSON(_ result: AuditResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(AuditReport.json(result).utf8)) as? [String: Any])
    }
}
