import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// `trace` starts each phone's judge from the state `boot` takes (`--signed-in`, `--held-root`, `--sign-in`,
/// `--network`): in process, on a capture built byte by byte (``TestCapture``) whose handshake chains to an enterprise
/// root the phone never downloads in the capture.
@Suite("trace carries the phone's state")
struct TraceStateTests {
    static let dc: [UInt8] = [10, 0, 0, 5]

    /// The phone resolves the pool and receives its chain (leaf only: the enterprise root is not sent).
    func frames() throws -> [[UInt8]] {
        _ = try BootFixtures.directory()  // issues boot-pool.pem
        let leaf = try TestPKI.get().certificate("boot-pool.pem")
        return ClockAndNameRuleTests.dnsExchange(id: 1, "pool01.contoso.com", ClockAndNameRuleTests.pool)
            + ClockAndNameRuleTests.handshake([leaf])
    }

    /// An LDAP answer from the DC on port 389 with one search entry whose `cACertificate` is `root`.
    func ldapDownload(_ root: Certificate) -> [[UInt8]] {
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            let length: [UInt8] =
                content.count < 128 ? [UInt8(content.count)] : [0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)]
            return [tag] + length + content
        }
        let attribute = tlv(0x30, tlv(0x04, Array("cACertificate".utf8)) + tlv(0x31, tlv(0x04, [UInt8](root.der))))
        let entry = tlv(0x64, tlv(0x04, Array("CN=Contoso Root CA,CN=Certification Authorities".utf8)) + tlv(0x30, attribute))
        let message = tlv(0x30, tlv(0x02, [2]) + entry)
        let phone = ClockAndNameRuleTests.phone
        return [
            TestCapture.frame(from: phone, 42000, to: Self.dc, 389, tcp: (1, 0x02), payload: []),
            TestCapture.frame(from: Self.dc, 389, to: phone, 42000, tcp: (700, 0x12), payload: []),
            TestCapture.frame(from: Self.dc, 389, to: phone, 42000, tcp: (701, 0x18), payload: message),
        ]
    }

    func read(_ frames: [[UInt8]], start: PhoneStart) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("trace-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        try folder.write("phone.pcap", TestCapture.pcap(frames, at: UInt32(Date().timeIntervalSince1970)))
        var options = CaptureReader.Options(phones: [.address("10.0.0.2")], device: "cx700", firmware: "4.0.7577.4463")
        options.start = start
        return try CaptureReader(options: options).read(paths: [folder.appendingPathComponent("phone.pcap").path])
    }

    func held() throws -> TrustAnchor {
        TrustAnchor(certificate: try BootFixtures.root().certificate, source: .heldRoot(file: "contoso-root.pem"))
    }

    @Test("A chain to an enterprise root the capture never shows: untrusted fresh, trusted with the root held")
    func heldRootCountsFromTheStart() throws {
        let fresh = try #require(try read(try frames(), start: PhoneStart()).phones.first).trace
        let freshTLS = try #require(fresh.step(.tls))
        #expect(freshTLS.status == .failed)
        #expect(freshTLS.endpoints.map(\.verdict?.isTrusted) == [false])
        #expect(fresh.state?.phase == .fresh)

        let withRoot = try #require(try read(try frames(), start: PhoneStart(heldRoots: [try held()])).phones.first).trace
        let tls = try #require(withRoot.step(.tls))
        #expect(tls.endpoints.map(\.verdict?.isTrusted) == [true])
        #expect(tls.status != .failed)
        #expect(withRoot.state?.roots.contains { $0.acquired == .earlierSignIn } == true)
        let roots = try #require(withRoot.step(.roots))
        #expect(roots.notes.contains { $0.contains("held from an earlier sign-in") })
    }

    @Test("A phone that signed in before takes no root it downloads in the capture, as in boot; a fresh one does")
    func signedInDoesNotDownloadAgain() throws {
        let root = try BootFixtures.root().certificate
        let frames = ldapDownload(root) + (try frames())
        let fresh = try #require(try read(frames, start: PhoneStart()).phones.first).trace
        #expect(fresh.step(.tls)?.endpoints.map(\.verdict?.isTrusted) == [true])

        let signedIn = try #require(try read(frames, start: PhoneStart(signedIn: true)).phones.first).trace
        #expect(signedIn.step(.tls)?.endpoints.map(\.verdict?.isTrusted) == [false])
        #expect(signedIn.state?.phase == .signedIn)
        #expect(signedIn.step(.roots)?.notes.contains { $0.contains("keeps the roots it holds until reset") } == true)
    }

    @Test("trace --json: each phone carries its state, held roots with their source")
    func jsonCarriesState() throws {
        let report = try read(try frames(), start: PhoneStart(heldRoots: [try held()], signIn: .password, network: .external))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(CaptureRendering.json(report).utf8)) as? [String: Any])
        let phone = try #require((json["phones"] as? [[String: Any]])?.first)
        let state = try #require(phone["state"] as? [String: Any])
        #expect(state["phase"] as? String == "fresh")
        #expect(state["signIn"] as? String == "password")
        #expect(state["network"] as? String == "external")
        let heldRoots = try #require(state["heldRoots"] as? [[String: Any]])
        #expect(
            heldRoots.contains {
                $0["source"] as? String == "--held-root contoso-root.pem" && $0["acquired"] as? String == "earlier-sign-in"
            })
        // A fresh phone with nothing held: the same keys, no held root.
        let bare = try read(try frames(), start: PhoneStart())
        let bareJSON = try #require(try JSONSerialization.jsonObject(with: Data(CaptureRendering.json(bare).utf8)) as? [String: Any])
        let bareState = try #require(((bareJSON["phones"] as? [[String: Any]])?.first?["state"]) as? [String: Any])
        #expect(bareState["signIn"] as? String == "password" && bareState["network"] as? String == "internal")
        #expect((bareState["heldRoots"] as? [[String: Any]])?.contains { $0["acquired"] as? String == "earlier-sign-in" } == false)
    }

    @Test("cxcert trace takes boot's state options: the lab capture's chains trust with --held-root of the lab root, not without")
    func commandLine() throws {
        let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path
        let root = repositoryRoot.appendingPathComponent("Examples/captures/lab-root.pem").path
        func tls(_ extra: [String]) throws -> (state: [String: Any], trusted: [Bool?]) {
            let json = try #require(try CLI.json(["trace", capture, "--json"] + extra) as? [String: Any])
            let phone = try #require((json["phones"] as? [[String: Any]])?.first)
            let steps = try #require(phone["steps"] as? [[String: Any]])
            let endpoints = steps.filter { $0["step"] as? String == "tls" }.flatMap { $0["endpoints"] as? [[String: Any]] ?? [] }
            return (
                try #require(phone["state"] as? [String: Any]),
                endpoints.map { ($0["verdict"] as? [String: Any])?["trusted"] as? Bool }
            )
        }
        let fresh = try tls([])
        #expect(!fresh.trusted.isEmpty && fresh.trusted.allSatisfy { $0 == false })
        let held = try tls(["--held-root", root, "--sign-in", "pin", "--network", "external", "--signed-in"])
        #expect(!held.trusted.isEmpty && held.trusted.allSatisfy { $0 == true })
        #expect(held.state["phase"] as? String == "signed-in")
        #expect(held.state["signIn"] as? String == "pin" && held.state["network"] as? String == "external")
        #expect(
            (held.state["heldRoots"] as? [[String: Any]])?.contains { ($0["source"] as? String)?.hasPrefix("--held-root ") == true }
                == true)
        let text = try CLI.run(["trace", capture, "--held-root", root])
        #expect(text.stdout.contains("  state: fresh, sign-in by password, internal network; holds the built-in cache, "))
        #expect(text.stdout.contains("(--held-root \(root))"))
        let refused = try CLI.run(["trace", capture, "--network", "outside"])
        #expect(refused.status == 2 && refused.stderr.contains("--network takes internal or external"))
    }
}
