import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// The batch fast path must say exactly what the full OpenSSL path says, or step aside.
@Suite("verify --batch: the lean fast path agrees with the full OpenSSL path")
struct BatchTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.withScenarios() }

    static let underInter = ["leaf", "v-short", "v-clientauth", "v-rsa1024", "v-rsa4096", "v-wildcard", "v-cn-only", "v-pss"]

    func verifier(_ device: String, _ firmware: String?, at time: Date = Date()) throws -> BatchVerifier {
        BatchVerifier(
            intermediates: [try pki.certificate("inter.pem"), try pki.certificate("v-sha1-inter.pem")],
            anchors: [try pki.certificate("root.pem"), try pki.certificate("root-sha1.pem")].map {
                TrustAnchor(certificate: $0, source: .user(file: "root"))
            },
            profile: try DeviceProfile.resolve(device: device, firmware: firmware), time: time)
    }

    func der(_ name: String) throws -> [UInt8] { [UInt8](try pki.certificate("\(name).pem").der) }

    @Test(
        "every fixture leaf, every profile, three validation times",
        arguments: [
            ("generic", nil), ("cx700", "3.5.6907.35"), ("cx600", "4.0.7577.4463"),
        ] as [(String, String?)])
    func differential(device: String, firmware: String?) throws {
        var fastDecisions = 0
        for offset: TimeInterval in [0, 60 * 86_400, -2 * 86_400] {
            let batch = try verifier(device, firmware, at: Date().addingTimeInterval(offset))
            // Warm the issuer cache through the full path, as the first leaf of a batch does.
            _ = batch.slowPath(try der("leaf"))
            _ = batch.slowPath(try der("v-sha1-leaf"))
            for name in Self.underInter + ["v-sha1-leaf"] {
                let bytes = try der(name)
                let slow = batch.slowPath(bytes)
                if let fast = batch.fastPath(bytes) {
                    fastDecisions += 1
                    #expect(fast.codes == slow.codes, "\(name) \(device) at \(offset): fast \(fast.codes) vs full \(slow.codes)")
                    #expect(fast.trusted == slow.trusted, "\(name) \(device) at \(offset)")
                }
            }
        }
        // The fast path must actually be taken for ordinary certificates.
        #expect(fastDecisions >= 12)
    }

    @Test("the lean DER reader reads what OpenSSL reads, on every fixture and trust-store certificate")
    func leanReaderAgrees() throws {
        var files = try FileManager.default.contentsOfDirectory(atPath: pki.directory.path).filter { $0.hasSuffix(".pem") }.map {
            pki.url($0)
        }
        let store = repositoryRoot.appendingPathComponent("TrustStore")
        files += try FileManager.default.subpathsOfDirectory(atPath: store.path).filter { $0.hasSuffix(".pem") }.map {
            store.appendingPathComponent($0)
        }
        var compared = 0
        for file in files {
            guard let certificate = try? CertificateDecoder().decode(contentsOf: file).certificates.first else { continue }
            let bytes = [UInt8](certificate.der)
            guard let lean = LeanCertificate(bytes) else {
                Issue.record("the lean reader refused \(file.lastPathComponent)")
                continue
            }
            compared += 1
            #expect(lean.version == certificate.version, "\(file.lastPathComponent)")
            #expect(Array(bytes[lean.issuer]) == certificate.issuer.der)
            #expect(Array(bytes[lean.subject]) == certificate.subject.der)
            #expect(lean.notBefore == Int64(certificate.notBefore.timeIntervalSince1970), "\(file.lastPathComponent)")
            #expect(lean.notAfter == Int64(certificate.notAfter.timeIntervalSince1970), "\(file.lastPathComponent)")
            let magnitude = hexString(bytes[lean.serial].drop { $0 == 0 })
            #expect(
                (magnitude.isEmpty ? "00" : magnitude) == certificate.serialNumber || certificate.serialNumber.hasPrefix("-"),
                "\(file.lastPathComponent)")
            if certificate.publicKey.algorithm == .rsa { #expect(lean.rsaBits == certificate.publicKey.bits, "\(file.lastPathComponent)") }
            #expect(lean.signatureAlgorithmOID == certificate.signatureAlgorithm.oid)
            #expect(lean.hasExtendedKeyUsage == (certificate.extendedKeyUsage != nil))
            #expect(
                lean.extendedKeyUsageHasServerAuth
                    == (certificate.extendedKeyUsage?.contains { $0.oid == ExtendedKeyUsage.serverAuthOID } ?? false))
            #expect(lean.keyUsage.map { KeyUsage(rawValue: $0) } == certificate.keyUsage, "\(file.lastPathComponent)")
            #expect(lean.authorityKeyIdentifier.map { Array(bytes[$0]) } == certificate.authorityKeyIdentifier)
            #expect(
                lean.hasSubjectAltName == !certificate.subjectAlternativeNames.isEmpty
                    || certificate.extensions.contains { $0.oid == "2.5.29.17" })
        }
        #expect(compared >= 40)
    }

    @Test("single-bit flips: the batch answer always equals the full path's, errors included")
    func bitFlips() throws {
        let batch = try verifier("cx600", "4.0.7577.4463")
        let original = try der("leaf")
        _ = batch.slowPath(original)
        var fast = 0
        for index in original.indices {
            for bit in [0, 7] {
                var copy = original
                copy[index] ^= UInt8(1 << bit)
                let answer = batch.verify(der: copy)
                let full = batch.slowPath(copy)
                if answer.fast { fast += 1 }
                #expect(
                    answer.codes == full.codes && answer.trusted == full.trusted && (answer.error == nil) == (full.error == nil),
                    "byte \(index) bit \(bit): \(answer) vs \(full)")
            }
        }
        // A flipped signed byte breaks the signature, so the fast path hands such certificates back.
        #expect(fast < 20)
    }

    @Test("cxcert verify --batch: JSON lines, a summary, a directory or paths on standard input, exit codes")
    func command() throws {
        let folder = try makeTemporaryDirectory("batch")
        let good = ["leaf", "v-rsa4096", "v-wildcard"]
        for name in good { try folder.write("\(name).pem", try pki.directory.read("\(name).pem")) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try folder.write("nested/der.cer", try pki.certificate("leaf.pem").der)
        let common = [
            "verify", "--batch", "--trust", pki.url("root.pem").path, "--chain", pki.url("inter.pem").path, "--device", "cx600",
            "--firmware", "4.0.7577.4463",
        ]
        let run = try CLI.run(common + [folder.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 5)
        #expect(lines.dropLast().allSatisfy { $0?["trusted"] as? Bool == true && ($0?["findings"] as? [String])?.isEmpty == true })
        let summary = try #require(lines.last??["summary"] as? [String: Any])
        #expect(summary["total"] as? Int == 4)
        #expect(summary["trusted"] as? Int == 4)

        try folder.write(
            "list.txt", [pki.url("leaf.pem").path, pki.url("v-clientauth.pem").path, "/nonexistent.pem"].joined(separator: "\n") + "\n")
        let mixed = try CLI.run(common + ["-"], input: try folder.read("list.txt"))
        #expect(mixed.status == 2)
        #expect(mixed.stdout.contains("\"findings\":[\"eku\"]"))
        #expect(mixed.stdout.contains("\"error\":"))
        let untrusted = try CLI.run(common + [pki.url("v-clientauth.pem").path])
        #expect(untrusted.status == 1)
    }

    @Test(
        "the pipeline writes every line in input order, the same with one thread or many, any window; the walk's read equals the named path's"
    )
    func pipelineOrder() throws {
        let folder = try makeTemporaryDirectory("batch-order")
        let names = Self.underInter + ["v-sha1-leaf", "v-clientauth"]
        // 300 files in one walked directory: certificates (PEM and DER), an empty file, text, a truncated certificate.
        var expected: [String] = []
        for index in 0..<300 {
            let name = String(format: "%03d", index)
            switch index % 10 {
            case 7: try folder.write("\(name).pem", "")
            case 8: try folder.write("\(name).pem", "not a certificate\n")
            case 9: try folder.write("\(name).pem", try pki.directory.read("leaf.pem").prefix(500))
            case 6: try folder.write("\(name).cer", try pki.certificate("\(names[index % names.count]).pem").der)
            default: try folder.write("\(name).pem", try pki.directory.read("\(names[index % names.count]).pem"))
            }
            expected.append(index % 10 == 6 ? "\(name).cer" : "\(name).pem")
        }
        let walked = Array(BatchRun.paths([folder.path]))
        #expect(walked.count == 300 && walked.allSatisfy(\.isRegular))
        // The walk's order, whatever readdir gives: the lines must follow it.
        let order = walked.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(Set(order) == Set(expected))
        func lines(workers: Int, window: Int, _ entries: [BatchRun.Entry]) throws -> [String] {
            var out: [String] = []
            let summary = BatchRun.run(
                AnySequence(entries), verifier: try verifier("cx700", "3.5.6907.35"), window: window, workers: workers
            ) {
                out.append($0)
            }
            #expect(summary.total == entries.count)
            return out
        }
        let serial = try lines(workers: 1, window: 16, walked)
        #expect(serial.count == 300)
        for (line, name) in zip(serial, order) { #expect(line.contains("/\(name)\""), "\(line) for \(name)") }
        #expect(serial.filter { $0.contains("\"error\":") }.count == 90, "\(serial.filter { $0.contains("error") })")
        for (workers, window) in [(2, 16), (4, 16), (8, 4096), (3, 17)] {
            #expect(try lines(workers: workers, window: window, walked) == serial, "\(workers) workers, window \(window)")
        }
        // The same paths named one by one (read with fstat and a read to the end) give the same lines.
        let named = walked.map { BatchRun.Entry(path: $0.path) }
        #expect(try lines(workers: 2, window: 16, named) == serial)
        #expect(try lines(workers: 2, window: 16, []) == [])
    }
}
