import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The clock rule `boot` and `trace` share, and a captured handshake judged for every name the phone resolved to its
/// address: in process, on a certificate issued at test time and a capture built byte by byte (``TestCapture``).
@Suite("Clock skew in boot and trace, and handshakes to shared addresses")
struct ClockAndNameRuleTests {
    static let day: TimeInterval = 86_400

    func pool() throws -> (Certificate, TrustAnchor) {
        let directory = try BootFixtures.directory()
        _ = directory
        let leaf = try TestPKI.get().certificate("boot-pool.pem")
        return (leaf, try BootFixtures.root())
    }

    func verdict(_ leaf: Certificate, _ root: TrustAnchor, at time: Date, host: String = "pool01.contoso.com") throws -> Verdict {
        let profile = try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463")
        return Verifier.verify(VerificationRequest(leaf: leaf, anchors: [root], hosts: [host], time: time), profile: profile)
    }

    @Test("A clock behind hides an expired certificate: an error, renew first, then the time source")
    func clockBehindHidesExpiry() throws {
        let (leaf, root) = try pool()
        let now = Date()
        let trueTime = now.addingTimeInterval(900 * Self.day)  // the leaf (825 days) really expired
        let atPhone = try verdict(leaf, root, at: now)
        let atTruth = try verdict(leaf, root, at: trueTime)
        #expect(atPhone.isTrusted && !atTruth.isTrusted)
        let rule = try #require(
            ClockRule.chain(
                host: "pool01.contoso.com", offset: -900 * Self.day,
                source: .server(name: "ntp.contoso.com", address: "127.0.0.1", port: 123, via: .option42), phoneClock: now,
                atPhoneClock: atPhone,
                atTrueTime: atTruth))
        #expect(rule.severity == .error)
        let finding = Finding(code: .clockSkew, severity: rule.severity, detail: rule.detail, client: .anyPhone)
        #expect(finding.message.contains("the certificate is wrong at the true time"))
        #expect(finding.remedy.hasPrefix("Renew the certificate on pool01.contoso.com first"))
        #expect(finding.remedy.contains("then correct the time on ntp.contoso.com"))
        #expect(!finding.remedy.contains("rather than the certificate"))
    }

    @Test("A clock ahead breaks a good certificate: an error whose fix is the time source")
    func clockAheadBreaksGood() throws {
        let (leaf, root) = try pool()
        let now = Date()
        let rule = try #require(
            ClockRule.chain(
                host: "pool01.contoso.com", offset: 900 * Self.day,
                source: .server(name: "ntp.contoso.com", address: "127.0.0.1", port: 123, via: .option42), phoneClock: now + 900 * Self.day,
                atPhoneClock: try verdict(leaf, root, at: now + 900 * Self.day), atTrueTime: try verdict(leaf, root, at: now)))
        let finding = Finding(code: .clockSkew, severity: rule.severity, detail: rule.detail, client: .anyPhone)
        #expect(rule.severity == .error)
        #expect(finding.remedy.hasPrefix("Fix the time source ntp.contoso.com rather than the certificate"))
        #expect(ClockRule.skew(offset: 200, source: .capturedAnswer(at: now), phoneClock: now) == nil)
        #expect(ClockRule.skew(offset: -400, source: .capturedAnswer(at: now), phoneClock: now)?.severity == .warning)
    }

    // MARK: Captures

    static let phone: [UInt8] = [10, 0, 0, 2]
    static let dns: [UInt8] = [10, 0, 0, 1]
    static let pool: [UInt8] = [10, 0, 0, 10]

    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func dnsExchange(id: UInt8, _ host: String, _ address: [UInt8]) -> [[UInt8]] {
        let question = name(host) + [0, 1, 0, 1]
        let query: [UInt8] = [0, id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + question
        let answer: [UInt8] =
            [0, id, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + question + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4] + address
        return [
            TestCapture.frame(from: phone, 40000 + Int(id), to: dns, 53, payload: query),
            TestCapture.frame(from: dns, 53, to: phone, 40000 + Int(id), payload: answer),
        ]
    }

    static func ntpTimestamp(_ date: Date) -> [UInt8] {
        let seconds = UInt32(truncatingIfNeeded: Int64(date.timeIntervalSince1970) + 2_208_988_800)
        return withUnsafeBytes(of: seconds.bigEndian, Array.init) + [0, 0, 0, 0]
    }

    /// The phone asks the time at `at` by its own clock; the server answers `offset` seconds off.
    static func ntpExchange(at: Date, offset: TimeInterval) -> [[UInt8]] {
        let transmit = ntpTimestamp(at)
        let request: [UInt8] = [0x23] + [UInt8](repeating: 0, count: 39) + transmit
        let server = ntpTimestamp(at.addingTimeInterval(offset))
        let reply: [UInt8] = [0x24, 2, 6, 0xEC] + [0, 0, 0, 0, 0, 0, 0, 0] + [10, 0, 0, 1] + server + transmit + server + server
        return [
            TestCapture.frame(from: phone, 123, to: dns, 123, payload: request),
            TestCapture.frame(from: dns, 123, to: phone, 123, payload: reply),
        ]
    }

    /// A TLS connection to the pool's address whose server sends only its Certificate message; with `sni`, the
    /// client's ClientHello names it.
    static func handshake(_ chain: [Certificate], sni: String? = nil) -> [[UInt8]] {
        func be24(_ value: Int) -> [UInt8] { [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var hello: [[UInt8]] = []
        if let sni {
            let entry: [UInt8] = [0] + be16(sni.utf8.count) + Array(sni.utf8)
            let serverName: [UInt8] = [0, 0] + be16(entry.count + 2) + be16(entry.count) + entry
            let body: [UInt8] =
                [3, 1] + [UInt8](repeating: 7, count: 32) + [0] + be16(2) + [0, 0x2F] + [1, 0] + be16(serverName.count) + serverName
            let message: [UInt8] = [1] + be24(body.count) + body
            hello = [
                TestCapture.frame(
                    from: phone, 41000, to: pool, 443, tcp: (1000, 0x18), payload: [0x16, 3, 1] + be16(message.count) + message)
            ]
        }
        let list = chain.flatMap { be24($0.der.count) + $0.der }
        let body = be24(list.count) + list
        let message: [UInt8] = [11] + be24(body.count) + body
        let record: [UInt8] = [0x16, 3, 1, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        return [
            TestCapture.frame(from: phone, 41000, to: pool, 443, tcp: (999, 0x02), payload: []),
            TestCapture.frame(from: pool, 443, to: phone, 41000, tcp: (4999, 0x12), payload: []),
        ] + hello + [TestCapture.frame(from: pool, 443, to: phone, 41000, tcp: (5000, 0x18), payload: record)]
    }

    func trace(_ frames: [[UInt8]], at seconds: UInt32) throws -> BootTrace {
        let folder = try makeTemporaryDirectory("clock-and-names")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("phone.pcap", TestCapture.pcap(frames, at: seconds))
        let report = try CaptureReader(
            options: .init(phones: [.address("10.0.0.2")], device: "cx700", firmware: "4.0.7577.4463", trusted: [try BootFixtures.root()])
        ).read(paths: [folder.appendingPathComponent("phone.pcap").path])
        return try #require(report.phones.first).trace
    }

    @Test("trace: a time server 900 days ahead is clock-skew, as in boot, not only 'expired, renew'")
    func traceClockSkew() throws {
        let (leaf, _) = try pool()
        let now = Date()
        let frames =
            Self.dnsExchange(id: 1, "pool01.contoso.com", Self.pool) + Self.ntpExchange(at: now, offset: 900 * Self.day)
            + Self.handshake([leaf])
        let trace = try trace(frames, at: UInt32(now.timeIntervalSince1970))
        let time = try #require(trace.step(.time))
        #expect(time.findings.contains { $0.code == .clockSkew && $0.severity == .warning })
        let tls = try #require(trace.step(.tls))
        let skew = try #require(tls.findings.first { $0.code == .clockSkew })
        guard case .clock(let offset, _, _, "pool01.contoso.com", false, true, let differing) = skew.detail.walkFacts else {
            Issue.record("detail: \(skew.detail)")
            return
        }
        #expect(abs(offset - 900 * Self.day) < 5)
        #expect(skew.severity == .error && !differing.isEmpty)
        #expect(skew.remedy.hasPrefix("Fix the time source"))
    }

    @Test("trace: two names resolved to one address are judged each; trusted if one is covered, the other named as not")
    func traceSharedAddress() throws {
        let (leaf, _) = try pool()
        let now = Date()
        // The certificate names pool01.contoso.com, not lyncweb.contoso.com; the phone resolved both to the pool's address.
        let frames =
            Self.dnsExchange(id: 1, "pool01.contoso.com", Self.pool) + Self.dnsExchange(id: 2, "lyncweb.contoso.com", Self.pool)
            + Self.handshake([leaf])
        let tls = try #require(try trace(frames, at: UInt32(now.timeIntervalSince1970)).step(.tls))
        let byName = Dictionary(uniqueKeysWithValues: tls.endpoints.map { ($0.host, $0.verdict?.isTrusted) })
        #expect(byName == ["pool01.contoso.com": true, "lyncweb.contoso.com": false])
        #expect(tls.status != .failed)
        let uncovered = try #require(tls.findings.first { $0.code == .nameNotCovered })
        #expect(uncovered.severity == .warning)
        #expect(
            tls.notes.contains {
                $0.contains("cannot tell which one it used") && $0.contains("trusted for pool01.contoso.com")
                    && $0.contains("not trusted for lyncweb.contoso.com")
            })

        // A client that sent SNI said which name it used: that name alone is judged.
        let named =
            Self.dnsExchange(id: 1, "pool01.contoso.com", Self.pool) + Self.dnsExchange(id: 2, "lyncweb.contoso.com", Self.pool)
            + Self.handshake([leaf], sni: "lyncweb.contoso.com")
        let sent = try #require(try trace(named, at: UInt32(now.timeIntervalSince1970)).step(.tls))
        #expect(sent.endpoints.map(\.host) == ["lyncweb.contoso.com"])
        #expect(sent.status == .failed)

        // Neither name covered: still a failure, for each name.
        let neither =
            Self.dnsExchange(id: 1, "lyncweb.contoso.com", Self.pool) + Self.dnsExchange(id: 2, "meet.contoso.com", Self.pool)
            + Self.handshake([leaf])
        let failed = try #require(try trace(neither, at: UInt32(now.timeIntervalSince1970)).step(.tls))
        #expect(failed.status == .failed)
        #expect(failed.endpoints.allSatisfy { $0.verdict?.isTrusted == false })
    }
}
