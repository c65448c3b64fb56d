import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// Serials and fingerprints are typed, with the text forms the JSON and certutil use.
@Suite("Typed serial numbers and fingerprints")
struct IdentifierTests {
    @Test("a certificate's serial and fingerprints are typed values whose hex is what openssl prints")
    func typed() throws {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")
        #expect(leaf.sha256.algorithm == .sha256 && leaf.sha256.bytes.count == 32)
        #expect(leaf.sha1.algorithm == .sha1 && leaf.sha1.bytes.count == 20)
        #expect(leaf.sha256Fingerprint == (try pki.opensslFingerprints(ofPEM: "leaf.pem")).first)
        let printed = try Shell.text(["openssl", "x509", "-noout", "-serial", "-in", pki.url("leaf.pem").path])
        #expect("serial=" + leaf.serial.hex == printed.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(leaf.serial.isWellFormed)
        #expect(!SerialNumber(magnitude: [0x05], isNegative: true).isWellFormed)
        #expect(!SerialNumber(magnitude: [0, 0], isNegative: false).isWellFormed)
        #expect(SerialNumber(magnitude: [0, 0], isNegative: false).hex == "00")
        #expect(!SerialNumber(magnitude: [UInt8](repeating: 1, count: 21), isNegative: false).isWellFormed)
        let json = try JSONEncoder().encode([leaf.sha256])
        #expect(try JSONDecoder().decode([Fingerprint].self, from: json) == [leaf.sha256])
        #expect(try JSONDecoder().decode([SerialNumber].self, from: JSONEncoder().encode([leaf.serial])) == [leaf.serial])
    }
}
