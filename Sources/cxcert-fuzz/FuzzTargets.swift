import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything cxcert reads from strangers, as fuzz targets. Each must return (or throw a typed error)
/// on any input: a crash, a leak or a hang is a bug.
enum FuzzTarget: String, CaseIterable {
    /// A phone and the generic web-PKI profile, resolved once.
    static let profiles = ["cx700", "generic"].compactMap { try? DeviceProfile.resolve(device: $0, firmware: nil) }

    case decoder, soap, ldif, deployment, hostname, dhcp, capture, names, certificate

    func run(_ bytes: [UInt8]) {
        switch self {
        case .decoder:
            // Every container format, sniffed from the bytes.
            _ = try? CertificateDecoder(limits: .init(maxInputBytes: 1 << 20, maxCertificates: 64)).decode(bytes)
        case .certificate:
            // One DER certificate. Whatever Certificate takes, OpenSSL's whole-certificate decoder takes too (it runs
            // only on first use now), and every use returns: inspect's JSON and text, verify with it as leaf and anchor.
            guard let certificate = try? Certificate(derEncoded: bytes) else { return }
            precondition(certificate.opensslAccepts, "Certificate took bytes d2i_X509 refuses")
            _ = CertificateSummary.json([CertificateSummary(certificate)])
            _ = CertificateText.render(certificate, now: Date(timeIntervalSince1970: 1_700_000_000))
            let anchor = TrustAnchor(certificate: certificate, source: .user(file: "fuzz"))
            for profile in FuzzTarget.profiles {
                _ = Verifier.verify(VerificationRequest(leaf: certificate, intermediates: [], anchors: [anchor]), profile: profile)
            }
        case .soap:
            // Forced down the XML path whatever the first byte.
            _ = try? CertificateDecoder().decode(Array("<".utf8) + bytes)
        case .ldif:
            if let snapshot = try? DirectorySnapshot(ldif: String(decoding: bytes, as: UTF8.self)) {
                _ = PhoneDiscovery.walk(snapshot)
                _ = snapshot.ldif
            }
        case .deployment:
            if let file = try? DeploymentFile(yaml: String(decoding: bytes, as: UTF8.self)) { _ = file.plan?.opensslConfig() }
        case .hostname:
            // The first line is the host; the rest are SAN entries, matched under both rule sets.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let host = lines.first else { return }
            _ = HostnameMatcher.match(host, dnsNames: Array(lines.dropFirst()), rules: .rfc6125)
            _ = HostnameMatcher.match(host, dnsNames: Array(lines.dropFirst()), rules: .phone(matchesSubjectCN: false))
            _ = LDAPEscaping.dnValue(host) + LDAPEscaping.filterValue(host) + SanitizedName.make(host)
        case .dhcp:
            // A whole packet (as a server's answer), and the same bytes as the data of every option the phone reads.
            if let message = try? DHCPMessage(parsing: bytes) {
                let exchange = DHCPExchange(
                    interface: nil, clientAddress: nil,
                    answers: [DHCPAnswer(server: "fuzz", vendorClass: DHCPExchange.ucVendorClass, message: message, elapsed: 0)])
                _ = exchange.findings
                _ = DHCPRendering.json(exchange)
                _ = message.encoded()
            }
            let options = Dictionary(uniqueKeysWithValues: ([1, 3, 6, 15, 42, 43, 119, 120] as [UInt8]).map { ($0, bytes) })
            let report = DHCPOptionsReport(options: options)
            _ = DHCPOptionsReport.checkProvisioning(report.provisioning)
            _ = DHCPRendering.text(decoding: report, findings: report.findings)
        case .names:
            // Each line as a host name, a date and a deployment name; what comes out must be inert.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for line in lines {
                if let ascii = try? DomainName.aLabels(line) {
                    precondition(
                        ascii.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"[]=\"&;#".unicodeScalars.contains($0) }, ascii)
                }
                _ = try? StrictDate.parse(line)
            }
            let deployment = Deployment(
                adDomains: Array(lines.prefix(2)), sipDomains: Array(lines.dropFirst(2).prefix(1)), pool: lines.first ?? "",
                simpleURLs: Array(lines.dropFirst(3)))
            for plan in [NamePlan(deployment), (try? deployment.validated()).map(NamePlan.init)].compactMap({ $0 }) {
                let config = plan.opensslConfig()
                let sections = config.split(separator: "\n").filter { $0.hasPrefix("[") }
                precondition(sections == ["[req]", "[dn]", "[ext]", "[alt_names]"], config)
                precondition(!plan.certreqINF().split(separator: "\n").contains { $0.hasPrefix("[") && $0.contains("dns=") }, "certreq")
            }
        case .capture:
            // A whole capture file from memory; and the same bytes as a TLS, LDAP and HTTP stream.
            if let file = try? PcapFile(bytes: bytes, maxFrames: 2000) {
                var count = 0
                while count < 2000, let frame = try? file.next() {
                    _ = TransportPacket.decode(frame, link: file.linkType)
                    count += 1
                }
            }
            _ = TLSMessage.parse(bytes)
            _ = LDAPMessageView.parse(bytes)
            _ = HTTPMessageView.parse(bytes)
            // The same bytes as a chunked body and as a Content-Length body after a response head, so the
            // body readers see fuzzed sizes and framing on every input, not only when a header is guessed.
            for head in [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                "HTTP/1.1 302 Found\r\nContent-Length: \(bytes.count / 2)\r\n\r\n",
            ] {
                let parsed = HTTPMessageView.parse(Array(head.utf8) + bytes, maxBody: 4096)
                precondition(parsed.messages.allSatisfy { $0.body.count <= 4096 }, "an HTTP body over its limit")
                precondition(parsed.messages.allSatisfy(\.isComplete) || parsed.problem != nil, "a cut HTTP message without a problem")
            }
            // The same bytes as SIP over TCP (trace's sip-register), alone and after an answer's head, each message's head
            // read back by the SIP parser as trace reads it.
            for prefix in ["", "SIP/2.0 401 Unauthorized\r\nl: \(bytes.count / 2)\r\n\r\n\r\n"] {
                let parsed = HTTPMessageView.parse(Array(prefix.utf8) + bytes, maxBody: 4096, version: "SIP")
                precondition(parsed.messages.allSatisfy { $0.body.count <= 4096 }, "a SIP body over its limit")
                precondition(parsed.messages.allSatisfy(\.isComplete) || parsed.problem != nil, "a cut SIP message without a problem")
                for message in parsed.messages { _ = try? SIPResponse.parse(Array((message.head + "\r\n\r\n").utf8)) }
            }
            _ = HTTPMessageView.parse(bytes, requests: ["HEAD / HTTP/1.1", "GET / HTTP/1.1"])
            _ = DNSMessageSummary.parse(bytes)
        }
    }
}

#if FUZZING
    /// Chosen once from CXCERT_FUZZ_TARGET.
    nonisolated(unsafe) let selected = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["CXCERT_FUZZ_TARGET"] ?? "") ?? .decoder

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's entry point under this name; hand control to libFuzzer.
    @_cdecl("cxcert_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return llvmFuzzerRunDriver(&count, &arguments, fuzz)
    }
#else
    /// Without libFuzzer: `cxcert-fuzz TARGET FILE...` replays inputs (the kept crash inputs, in tests).
    @main
    struct Replay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                let usage = "usage: cxcert-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n"
                _ = usage.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                target.run([UInt8](data))
            }
            print("replayed \(arguments.count - 1) inputs through \(target.rawValue)")
        }
    }
#endif
