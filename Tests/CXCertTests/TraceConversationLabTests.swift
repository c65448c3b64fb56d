import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// The phone's conversations recorded with tcpdump on loopback while the phone-side clients talk to the stand-ins
/// (`certprov_stub.py`) and to Kamailio over TCP, then read back by `trace`.
@Suite("cxcert trace: the phone's conversations in a recorded capture", .serialized, .integration, .tags(.integration))
struct TraceConversationLabTests {
    /// A REGISTER over TCP in clear, as a phone configured for TCP sends it (no credential), and the answer's head.
    static let registerClient = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        s.sendall(sys.stdin.buffer.read())
        data = b""
        while b"\\r\\n\\r\\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        sys.stdout.buffer.write(data)
        """

    @Test("trace shows certprov, device-update-request and sip-register from a capture of the real exchanges")
    func recorded() throws {
        let lab = try BootLab()
        defer { lab.stop() }
        let pki = try BootFixtures.directory()
        _ = try CertProvStandInTests().standIn(lab, "ok", at: 10, port: 80)
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/certprov_stub.py").path
        try lab.launch(["python3", script, "du-missing", lab.address(11), "80"]) { log in
            log.split(separator: "\n").contains { Int($0) != nil }
        }
        try lab.kamailio(
            [
                (
                    12, 5060,
                    .lync(targetName: "pool01.contoso.com", stsURI: "https://pool01.contoso.com/CertProv/CertProvisioningService.svc")
                )
            ],
            certificate: "boot-pool.pem", key: "leaf.key", in: pki, plainTCP: true)
        let register = [
            "REGISTER sip:fabrikam.com SIP/2.0", "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKcxcert1;rport",
            "Max-Forwards: 70", "From: <sip:alice@fabrikam.com>;tag=1", "To: <sip:alice@fabrikam.com>", "Call-ID: cxcert-lab-1",
            "CSeq: 1 REGISTER", "Contact: <sip:alice@127.0.0.1;transport=tcp>", "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")

        let file = try TraceTests().capture(lab, filter: "net \(lab.prefix).0/24") {
            let limits = HTTPFetcher.Limits(maxBodyBytes: 256 << 10, timeout: 15)
            let chains = CertificateProvisioning.download(
                .rootChains(host: "pool01.contoso.com"), address: lab.address(10), limits: limits)
            guard case .chains = chains.outcome else {
                Issue.record("the stand-in gave no chains: \(chains.outcome)")
                return
            }
            let check = DeviceUpdate.check(
                .check(
                    host: lab.address(11),
                    identity: .init(mac: "0004F29531A2", vendor: "POLYCOM", model: "CX600", revision: "Rev-4", firmware: "4.0.7577.4387")),
                address: lab.address(11), limits: limits)
            let offer = try check.outcome.get()
            // The phone fetches the offered files; HEAD here, as boot asks for them. A generous timeout, and a failure said:
            // on a loaded machine a 3 s HEAD once went unanswered, and the step then listed two endpoints, not three.
            for url in offer.files.flatMap(\.urls) {
                do throws(HTTPError) {
                    _ = try HTTPFetcher.head(url, address: lab.address(11), timeout: 15)
                } catch {
                    Issue.record("HEAD \(url): \(error)")
                }
            }
            let answer = try Shell.run(
                ["python3", "-c", Self.registerClient, lab.address(12), "5060"], input: Data(register.utf8), deadline: .seconds(10))
            try #require(String(decoding: answer, as: UTF8.self).hasPrefix("SIP/2.0 401"), "\(String(decoding: answer, as: UTF8.self))")
        }
        let report = try CaptureReader(options: .init(device: "cx600")).read(paths: [file])
        let phone = try #require(report.phones.first)
        #expect(phone.phone.reason == "Device Update request (ucdevice.upx)")
        #expect(phone.trace.profile.firmware?.description == "4.0.7577.4387")

        let certprov = try #require(phone.trace.step(.certprov))
        #expect(certprov.findings.isEmpty, "\(certprov.findings.map(\.message))")
        #expect(certprov.endpoints.first?.outcome == "1 certificate in the root chains")
        #expect(certprov.exchange?.status == 200 && certprov.exchange?.method == "POST")
        let roots = try #require(phone.trace.step(.roots))
        #expect(roots.roots.map(\.certificate.subject.displayName) == ["Contoso Root CA SHA1"])

        let update = try #require(phone.trace.step(.deviceUpdateRequest))
        #expect(update.notes.contains { $0.contains("offers CPE.nbt version 4.0.7577.4420") }, "\(update.notes)")
        // du-missing: CPE.cat answers 404 to the phone's fetch.
        #expect(update.findings.map(\.code) == [.deviceUpdateFileUnreachable], "\(update.findings.map(\.message))")
        #expect(update.endpoints.count == 3 && update.endpoints.filter { $0.outcome.hasSuffix("HTTP 200") }.count == 2)

        let sip = try #require(phone.trace.step(.sipRegister))
        #expect(sip.status == .ok && sip.findings.isEmpty, "\(sip.findings.map(\.message))")
        #expect(sip.sipExchanges.first?.status == 401)
        #expect(Set(sip.sipExchanges.first?.challenges.map(\.scheme) ?? []) == ["NTLM", "Kerberos", "TLS-DSK"])
        #expect(sip.notes.contains { $0.contains("TLS-DSK: the phone fetches its certificate at https://pool01.contoso.com/") })

        // Every output names the three steps.
        let text = CaptureRendering.text(report)
        let html = CaptureRendering.html(report)
        let json = CaptureRendering.json(report)
        for kind in ["certprov", "device-update-request", "sip-register"] {
            #expect(text.contains(kind) && html.contains(kind) && json.contains("\"\(kind)\""), "\(kind)")
        }
    }
}
