import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Verifier {
    /// As `Verifier.nextChange(for:profile:until:)` for a request, for a probed server, judged as
    /// the probe-report `verify` judges it (a refused phone handshake stays a finding).
    /// Only trust and codes are compared, so the wording of the findings (the printing command) does not matter.
    public static func nextChange(
        for report: ProbeReport, anchors: [TrustAnchor], hosts: [String], plan: NamePlan?, profile: DeviceProfile, time: Date,
        until: Date
    ) -> NextChange? {
        guard let leaf = report.presented.first,
            let baseline = verify(report, anchors: anchors, hosts: hosts, plan: plan, profile: profile, time: time)
        else { return nil }
        let certificates = VerificationRequest(
            leaf: leaf, intermediates: Array(report.presented.dropFirst()), anchors: anchors, time: time
        ).relevantCertificates(for: profile)
        let instants = NextChange.candidateInstants(certificates, after: time, until: until)
        return NextChange.first(after: baseline, instants: instants) { instant in
            verify(report, anchors: anchors, hosts: hosts, plan: plan, profile: profile, time: instant)
        }
    }
}
