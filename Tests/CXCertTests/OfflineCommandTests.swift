import Foundation
import Testing

@testable import CXCertTestSupport

@Suite("probe and ds publish without servers")
struct OfflineTests {
    @Test("a failed probe target is in the JSON array with its error, every key present")
    func failedProbeInJSON() throws {
        let result = try CLI.run(["probe", "127.0.0.1:1", "--timeout", "2", "--json"])
        #expect(result.status == 2)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        let entry = try #require(array.first)
        #expect(entry["target"] as? String == "127.0.0.1:1")
        // Refused with loopback up (Scripts/test), unreachable in a bare `unshare -n` (the unit tier): either way the
        // error the probe met is in the array, as standard error says it.
        let error = try #require(entry["error"] as? String, "\(entry)")
        #expect(error.contains("connection refused") || error.contains("unreachable"), "\(error)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
        for key in ["host", "port", "serverName", "negotiatedVersion", "negotiatedCipher", "protocols", "asPhone", "presented", "results"] {
            #expect(entry.keys.contains(key), "\(key)")
        }
    }

    @Test("ds publish --dry-run refuses a non-CA file before it needs a DC")
    func publishOffline() throws {
        let pki = try TestPKI.get()
        let result = try CLI.run(["ds", "publish", pki.url("leaf.pem").path, "--dry-run", "--ldap", "ldaps://127.0.0.1:1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a CA certificate") && !result.stderr.contains("127.0.0.1"), "\(result.stderr)")
    }
}
