import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports

/// "signs in" means what it says: a failing Device Update and a missing Device Update record alike leave it at yes;
/// the exit status (`passes`) still sees a failed step. In process, from traces built in the test.
@Suite("The signs-in column")
struct SignsInTests {
    func trace(deviceUpdate: BootStepStatus) throws -> BootTrace {
        func step(_ kind: BootStepKind, _ status: BootStepStatus) -> BootStep {
            BootStep(kind: kind, status: status, queries: [], endpoints: [], timeSamples: [], roots: [], notes: [], findings: [])
        }
        return BootTrace(
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), phoneClock: nil, clockSource: nil,
            steps: [step(.time, .ok), step(.deviceUpdate, deviceUpdate), step(.registrar, .ok), step(.registrarTLS, .ok)])
    }

    @Test("A failing Device Update and a missing Device Update record: the phone signs in either way")
    func deviceUpdate() throws {
        let failing = try trace(deviceUpdate: .failed)
        let missing = try trace(deviceUpdate: .warning)
        #expect(failing.signsIn && missing.signsIn)
        #expect(!failing.passes && missing.passes)
        let report = BootReport(at: Date(), inputs: try BootInputs(sipDomain: "fabrikam.com"), builds: [failing])
        #expect(report.allSignIn && !report.allPass)
        let text = BootRendering.text(report)
        #expect(text.contains("⚠ signs in, but a step it signs in without failed"))
        #expect(text.contains("1 of 1 builds have a failed step; 0 would not sign in."))
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("cx700") && $0.hasSuffix("yes") })
        #expect(row.contains("✘"))
    }

    @Test("A failed step the phone needs to sign in: signs in no")
    func registrarFails() throws {
        func step(_ kind: BootStepKind, _ status: BootStepStatus) -> BootStep {
            BootStep(kind: kind, status: status, queries: [], endpoints: [], timeSamples: [], roots: [], notes: [], findings: [])
        }
        let trace = BootTrace(
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), phoneClock: nil, clockSource: nil,
            steps: [step(.registrarTLS, .failed)])
        #expect(!trace.signsIn && !trace.passes)
    }
}
