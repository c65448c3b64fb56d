import Foundation
import Synchronization
import Testing

@testable import CXCertCore
@testable import CXCertProbe
@testable import CXCertTestSupport

/// The one probe-then-verify path of `probe` and `audit`.
@Suite("Probe then verify: one service for probe and audit")
struct ProbeVerificationTests {
    @Test("the phones' built-in roots count as known roots only when a phone is among the clients")
    func knownRoots() throws {
        let generic = ProbeVerification(profiles: [try DeviceProfile.resolve(device: "generic")], anchors: [])
        #expect(generic.options.knownRoots.isEmpty)
        #expect(!generic.options.asPhone)
        let phone = try DeviceProfile.resolve(device: "cx600")
        let mixed = ProbeVerification(
            profiles: [try DeviceProfile.resolve(device: "generic"), phone], anchors: [],
            options: Prober.Options(asPhone: true))
        #expect(Set(mixed.options.knownRoots) == Set(BuiltInTrustStore.certificates))
        #expect(mixed.options.phoneCipherSuites == phone.tlsCipherSuites)
    }

    @Test("bounded work never runs more than its limit at once and keeps the input order")
    func bounded() async {
        let running = Mutex(0)
        let peak = Mutex(0)
        let results = await BoundedWork.map(Array(0..<40), limit: 3) { index, value in
            let now = running.withLock { count in
                count += 1
                return count
            }
            peak.withLock { $0 = max($0, now) }
            usleep(2_000)  // hold the slot so that others pile up if the bound leaks
            running.withLock { $0 -= 1 }
            return value * 2 + index
        } failed: { _, _, _ in
            -1
        }
        #expect(results == (0..<40).map { $0 * 3 })
        #expect((1...3).contains(peak.withLock { $0 }))
    }
}
