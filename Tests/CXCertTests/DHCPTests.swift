import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertTestSupport

/// The DHCP codec and the checks, offline.
@Suite("DHCP options decoded and checked")
struct DHCPDecodeTests {
    /// DHCPUtil's printed example for `-SipServer server.fqdn.company.com` (phone-discovery.md B1/B3).
    static let dhcpUtil43 =
        "010C4D532D55432D436C69656E74 0205 6874747073 0317 7365727665722E6671646E2E636F6D70616E792E636F6D 0403 343433 0525 2F4365727450726F762F4365727450726F766973696F6E696E67536572766963652E737663"
    static let dhcpUtil120 = "00 06 736572766572 04 6671646E 07 636F6D70616E79 03 636F6D 00"

    func bytes(_ hex: String) -> [UInt8] { DHCPExchange.bytes(hex: hex)! }

    @Test("DHCPUtil's example gives its documented URL and registrar")
    func dhcpUtil() throws {
        let report = DHCPOptionsReport(options: [43: bytes(Self.dhcpUtil43), 120: bytes(Self.dhcpUtil120)])
        let provisioning = try #require(report.provisioning)
        #expect(provisioning.length == 90)
        #expect(provisioning.url == "https://server.fqdn.company.com:443/CertProv/CertProvisioningService.svc")
        #expect(provisioning.portEncoding == .text)
        #expect(report.registrars == ["server.fqdn.company.com"])
        #expect(report.registrarEncoding == .names)
        #expect(DHCPOptionsReport.checkProvisioning(provisioning).isEmpty)
        #expect(report.findings.isEmpty)
    }

    @Test("A long FQDN cut at 90 bytes (the IOS 180-hex-digit limit) is found and named")
    func routerTruncation() throws {
        let long = Array("lyncweb-pool01.branch.contoso.com".utf8)
        let full: [UInt8] =
            bytes("010C4D532D55432D436C69656E74 0205 6874747073") + [3, UInt8(long.count)] + long + bytes("0403343433")
            + [5, 37] + Array("/CertProv/CertProvisioningService.svc".utf8)
        let report = DHCPOptionsReport(options: [43: Array(full.prefix(90))])
        let findings = DHCPOptionsReport.checkProvisioning(report.provisioning)
        #expect(report.provisioning?.truncatedSubOption == 5)
        #expect(findings.map(\.code) == [.dhcpOption43Truncated])
        #expect(findings.first?.message.contains("Cisco IOS") == true)
        #expect(findings.first?.detail == .dhcp(.provisioning(report.provisioning, subOption: 5, missing: [], expectedWebFQDN: nil)))
    }

    @Test("Every value gets the check its field needs: the scheme, the subnet mask, a cut option 120 (#27 item 10)")
    func fieldChecks() throws {
        for scheme in ["http", "ftp", "HTTPS"] {
            let hex = Array(scheme.utf8).map { String(format: "%02X", $0) }.joined()
            let other = DHCPOptionsReport(options: [
                43: bytes(
                    Self.dhcpUtil43.replacingOccurrences(of: "0205 6874747073", with: String(format: "02%02X", scheme.utf8.count) + hex))
            ])
            let finding = try #require(DHCPOptionsReport.checkProvisioning(other.provisioning).first, "\(scheme)")
            #expect(finding.code == .dhcpOption43Incomplete)
            #expect(finding.detail == .dhcp(.provisioning(other.provisioning, subOption: 2, missing: [], expectedWebFQDN: nil)))
            #expect(finding.message.contains("sub-option 2") && finding.message.contains("'\(scheme)'"), "\(finding.message)")
        }
        for mask in ["FFFFFF", "FFFFFF00FF", "FF00FF00", "00FFFFFF"] {
            let report = DHCPOptionsReport(options: [1: bytes(mask)])
            #expect(report.subnetMask == nil, "\(mask)")
            #expect(report.findings.map(\.code) == [.dhcpMalformedOption], "\(mask)")
            #expect(report.findings.first?.message.hasPrefix("Option 1:") == true, "\(report.findings.first?.message ?? "")")
        }
        for mask in ["FFFFFF00", "FFFFFFFF", "00000000", "FFFFFFC0"] {
            let report = DHCPOptionsReport(options: [1: bytes(mask)])
            #expect(report.subnetMask != nil && report.findings.isEmpty, "\(mask)")
        }
        for cut in ["01 0A0000", "01", "01 0A000005 0A00", ""] {
            let report = DHCPOptionsReport(options: [120: cut.isEmpty ? [] : bytes(cut)])
            #expect(report.registrars.isEmpty && report.registrarEncoding == nil, "\(cut)")
            #expect(report.findings.map(\.code) == [.dhcpMalformedOption], "option 120 '\(cut)': \(report.findings.map(\.code))")
        }
        let whole = DHCPOptionsReport(options: [120: bytes("01 0A000005")])
        #expect(whole.registrars == ["10.0.0.5"] && whole.findings.map(\.code) == [.dhcpOption120Address])
    }

    @Test("The port as a 2-byte integer, a wrong identifier and missing sub-options are findings")
    func badSubOptions() throws {
        let binary = DHCPOptionsReport(options: [43: bytes(Self.dhcpUtil43.replacingOccurrences(of: "0403 343433", with: "0402 01BB"))])
        #expect(binary.provisioning?.port == 443)
        #expect(DHCPOptionsReport.checkProvisioning(binary.provisioning).map(\.code) == [.dhcpOption43BinaryPort])
        let wrong = DHCPOptionsReport(options: [
            43: bytes(Self.dhcpUtil43.replacingOccurrences(of: "4D532D55432D436C69656E74", with: "6D732D75632D636C69656E74"))
        ])
        #expect(DHCPOptionsReport.checkProvisioning(wrong.provisioning).map(\.code) == [.dhcpOption43Identifier])
        let partial = DHCPOptionsReport(options: [43: bytes("010C4D532D55432D436C69656E74 0205 6874747073")])
        let finding = try #require(DHCPOptionsReport.checkProvisioning(partial.provisioning).first)
        #expect(finding.code == .dhcpOption43Incomplete)
        #expect(finding.detail == .dhcp(.provisioning(partial.provisioning, subOption: nil, missing: [3, 4, 5], expectedWebFQDN: nil)))
        #expect(DHCPOptionsReport.checkProvisioning(nil).map(\.code) == [.dhcpOption43Missing])
    }

    @Test("Option 119 in RFC 3397 form (compressed or not) and in the Windows-2003 string form; option 120 with addresses")
    func encodings() throws {
        // dnsmasq compresses, Kea does not (phone-discovery.md B11).
        let compressed = DHCPOptionsReport(options: [119: bytes("07636f6e746f736f03636f6d000866616272696b616dc008")])
        let plain = DHCPOptionsReport(options: [119: bytes("07636f6e746f736f03636f6d000866616272696b616d03636f6d00")])
        #expect(compressed.searchDomains == ["contoso.com", "fabrikam.com"])
        #expect(plain.searchDomains == compressed.searchDomains)
        #expect(plain.searchEncoding == .rfc3397)
        let windows = DHCPOptionsReport(options: [119: Array("contoso.com;fabrikam.com".utf8)])
        #expect(windows.searchEncoding == .windowsString)
        #expect(windows.searchDomains == ["contoso.com", "fabrikam.com"])
        #expect(windows.findings.map(\.code) == [.dhcpOption119WindowsString])
        // A pointer past the end, or to itself, is refused rather than followed.
        #expect(DHCPOptionsReport(options: [119: bytes("c0ff")]).findings.map(\.code) == [.dhcpMalformedOption])
        #expect(DHCPOptionsReport(options: [119: bytes("c000")]).findings.map(\.code) == [.dhcpMalformedOption])
        let address = DHCPOptionsReport(options: [120: bytes("01 0A000005")])
        #expect(address.registrars == ["10.0.0.5"] && address.registrarEncoding == .ipv4)
        #expect(address.findings.map(\.code) == [.dhcpOption120Address])
        let three = DHCPOptionsReport(options: [120: [0] + bytes("0161 00 0162 00 0163 00")])
        #expect(three.findings.map(\.code) == [.dhcpOption120TooMany])
        let fifteen = DHCPOptionsReport(options: [15: Array("contoso.com".utf8) + [0]])
        #expect(fifteen.domainName == "contoso.com")
    }

    @Test("Options split over several instances are joined (RFC 3396), also from sname/file (option 52)")
    func splitOptions() throws {
        let names = (0..<40).map { "d\($0)x.contoso.com" }
        var encoded: [UInt8] = []
        for name in names {
            for label in name.split(separator: ".") { encoded += [UInt8(label.utf8.count)] + Array(label.utf8) }
            encoded.append(0)
        }
        #expect(encoded.count > 255)
        let reply = DHCPMessage(op: 2, transactionID: 7, hardwareAddress: [1, 2, 3, 4, 5, 6], options: [(53, [5]), (119, encoded)])
        let wire = reply.encoded()
        let parsed = try DHCPMessage(parsing: wire)
        #expect(parsed.instances[119] == (encoded.count + 254) / 255)
        let report = DHCPOptionsReport(options: parsed.options, instances: parsed.instances)
        #expect(report.searchDomains == names)
        #expect(report.splitOptions == [119])
        // Option 52 = 1: more options in the file field.
        var overloaded = DHCPMessage(op: 2, transactionID: 8, hardwareAddress: [], options: [(52, [1])]).encoded()
        overloaded.replaceSubrange(108..<122, with: [15, 11] + Array("contoso.com".utf8) + [255])
        #expect(try DHCPMessage(parsing: overloaded).options[15].map { String(decoding: $0, as: UTF8.self) } == "contoso.com")
    }

    @Test("Every truncation and bad length of a real answer is an error or a valid packet, never a crash")
    func hostilePackets() throws {
        let seed = try Data(contentsOf: repositoryRoot.appendingPathComponent("Fuzz/seeds/dhcp/ack-dnsmasq.bin"))
        let bytes = [UInt8](seed)
        #expect(throws: Never.self) { try DHCPMessage(parsing: bytes) }
        for length in 0..<bytes.count {
            let cut = Array(bytes.prefix(length))
            if let message = try? DHCPMessage(parsing: cut) {
                _ =
                    DHCPExchange(
                        interface: nil, clientAddress: nil,
                        answers: [DHCPAnswer(server: "x", vendorClass: DHCPExchange.ucVendorClass, message: message, elapsed: 0)]
                    ).findings
            }
        }
        #expect(throws: DHCPError.self) { try DHCPMessage(parsing: Array(bytes.prefix(241)) + [43, 200, 1, 2]) }
        var badCookie = bytes
        badCookie[236] = 0
        #expect(throws: DHCPError.self) { try DHCPMessage(parsing: badCookie) }
    }

    @Test("cxcert dhcp decode reads the hex DHCPUtil prints")
    func decodeCommand() throws {
        let result = try CLI.run(["dhcp", "decode", "--option", "43=\(Self.dhcpUtil43)", "--option", "120=\(Self.dhcpUtil120)", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let decoded = try #require(object["decoded"] as? [String: Any])
        #expect(
            (decoded["provisioning"] as? [String: Any])?["url"] as? String
                == "https://server.fqdn.company.com:443/CertProv/CertProvisioningService.svc")
        #expect(decoded["registrars"] as? [String] == ["server.fqdn.company.com"])
        let bad = try CLI.run(["dhcp", "decode", "--option", "43=zz"])
        #expect(bad.status == 2)
    }
}

/// The phone's DHCPINFORM against dnsmasq and ISC Kea, each in a network namespace of its own.
@Suite("cxcert dhcp against dnsmasq and Kea in a network namespace", .serialized, .integration, .tags(.integration))
struct DHCPLiveTests {
    static func ucOptions(_ lab: DHCPLab) -> [String] {
        [
            "dhcp-option=option:domain-name,contoso.com", "dhcp-option=option:domain-search,contoso.com,fabrikam.com",
            "dhcp-option=option:dns-server,\(lab.serverAddress)", "dhcp-option=option:ntp-server,\(lab.serverAddress)",
            "dhcp-option=120,pool01.contoso.com", "dhcp-option=vendor:MS-UC-Client,1,\"MS-UC-Client\"",
            "dhcp-option=vendor:MS-UC-Client,2,\"https\"", "dhcp-option=vendor:MS-UC-Client,3,\"pool01.contoso.com\"",
            "dhcp-option=vendor:MS-UC-Client,4,34:34:33", "dhcp-option=vendor:MS-UC-Client,5,\"/CertProv/CertProvisioningService.svc\"",
        ]
    }

    struct Summary: Equatable {
        let domain: String?
        let search: [String]
        let dns: [String]
        let ntp: [String]
        let registrars: [String]
        let url: String?
    }

    func summary(_ exchange: DHCPExchange) throws -> Summary {
        let options = try #require(exchange.phoneAnswer?.options)
        return Summary(
            domain: options.domainName, search: options.searchDomains, dns: options.dnsServers, ntp: options.ntpServers,
            registrars: options.registrars, url: options.provisioning?.url)
    }

    @Test("dnsmasq and Kea decode to the same answer; option 43 goes only to MS-UC-Client")
    func sameAnswer() throws {
        let first = try DHCPLab()
        defer { first.stop() }
        try first.dnsmasq(Self.ucOptions(first))
        let fromDnsmasq = try first.inform()
        first.stop()

        let second = try DHCPLab()
        defer { second.stop() }
        let sub = "vendor-encapsulated-options-space"
        try second.kea([
            "option-def": [
                ["name": "uc-sip-server", "code": 120, "space": "dhcp4", "type": "binary"],
                ["name": "uc-identifier", "code": 1, "space": sub, "type": "string"],
                ["name": "uc-url-scheme", "code": 2, "space": sub, "type": "string"],
                ["name": "uc-web-fqdn", "code": 3, "space": sub, "type": "string"],
                ["name": "uc-web-port", "code": 4, "space": sub, "type": "string"],
                ["name": "uc-certprov-path", "code": 5, "space": sub, "type": "string"],
            ],
            "client-classes": [
                [
                    "name": "VENDOR_CLASS_MS-UC-Client",
                    "option-def": [["name": "vendor-encapsulated-options", "code": 43, "type": "empty", "encapsulate": sub]],
                    "option-data": [
                        ["name": "vendor-encapsulated-options"],
                        ["name": "uc-identifier", "space": sub, "data": "MS-UC-Client", "always-send": true],
                        ["name": "uc-url-scheme", "space": sub, "data": "https", "always-send": true],
                        ["name": "uc-web-fqdn", "space": sub, "data": "pool01.contoso.com", "always-send": true],
                        ["name": "uc-web-port", "space": sub, "data": "443", "always-send": true],
                        ["name": "uc-certprov-path", "space": sub, "data": "/CertProv/CertProvisioningService.svc", "always-send": true],
                        [
                            "name": "uc-sip-server", "csv-format": false, "data": "0006706F6F6C303107636F6E746F736F03636F6D00",
                            "always-send": true,
                        ],
                    ],
                ]
            ],
            "subnet4": [
                [
                    "option-data": [
                        ["name": "domain-name", "data": "contoso.com"], ["name": "domain-search", "data": "contoso.com, fabrikam.com"],
                        ["name": "ntp-servers", "data": second.serverAddress],
                        ["name": "domain-name-servers", "data": second.serverAddress],
                    ]
                ]
            ],
        ])
        let fromKea = try second.inform()

        let expected = Summary(
            domain: "contoso.com", search: ["contoso.com", "fabrikam.com"], dns: [first.serverAddress], ntp: [first.serverAddress],
            registrars: ["pool01.contoso.com"], url: "https://pool01.contoso.com:443/CertProv/CertProvisioningService.svc")
        #expect(try summary(fromDnsmasq) == expected)
        let kea = try summary(fromKea)
        #expect(
            kea.url == expected.url && kea.registrars == expected.registrars && kea.search == expected.search
                && kea.domain == expected.domain)
        #expect(kea.dns == [second.serverAddress] && kea.ntp == [second.serverAddress])
        for exchange in [fromDnsmasq, fromKea] {
            #expect(exchange.findings.isEmpty)
            #expect(exchange.answers.filter { $0.vendorClass == nil }.allSatisfy { $0.message.options[43] == nil })
            #expect(exchange.answers.contains { $0.vendorClass == nil })
        }
    }

    @Test("Real misconfigurations: scope-level 43, binary port, truncated 43, Windows-2003 119, option 120 with an address")
    func misconfigurations() throws {
        let lab = try DHCPLab()
        defer { lab.stop() }
        let long = Array("lyncweb-pool01.branch.contoso.com".utf8)
        let option43: [UInt8] =
            DHCPExchange.bytes(hex: "010C4D532D55432D436C69656E74 0205 6874747073")! + [3, UInt8(long.count)] + long
            + DHCPExchange.bytes(hex: "0403343433")! + [5, 37] + Array("/CertProv/CertProvisioningService.svc".utf8)
        let truncated = option43.prefix(90).map { String(format: "%02x", $0) }.joined(separator: ":")
        try lab.dnsmasq([
            "dhcp-option=option:domain-name,contoso.com", "dhcp-option=120,10.77.\(lab.index).5",
            // The router truncation, for the phones only; and a second option 43 for everyone (scope level).
            "dhcp-vendorclass=set:uc,MS-UC-Client", "dhcp-option=tag:uc,43,\(truncated)", "dhcp-option=tag:!uc,43,01:02:03:04",
        ])
        let exchange = try lab.inform()
        let codes = Set(exchange.findings.map(\.code))
        #expect(
            codes == [.dhcpOption43Truncated, .dhcpOption43ScopeLevel, .dhcpOption120Address])
        #expect(exchange.phoneAnswer?.options.provisioning?.length == 90)
        lab.stop()

        let binary = try DHCPLab()
        defer { binary.stop() }
        try binary.dnsmasq(
            Self.ucOptions(binary).filter { !$0.contains(",4,34:34:33") } + ["dhcp-option=vendor:MS-UC-Client,4,443"])
        let port = try binary.inform()
        #expect(port.findings.map(\.code) == [.dhcpOption43BinaryPort])
        #expect(port.phoneAnswer?.options.provisioning?.port == 443)
        binary.stop()

        // dnsmasq and Kea both re-encode option 119 as RFC 3397 (Kea refuses the string outright), so the
        // Windows Server 2003 string of the guide comes from a stand-in that sends the bytes given.
        let windows = try DHCPLab()
        defer { windows.stop() }
        let string = Array("contoso.com;fabrikam.com".utf8).map { String(format: "%02x", $0) }.joined()
        try windows.rawServer(["15=" + Array("contoso.com".utf8).map { String(format: "%02x", $0) }.joined(), "119=\(string)"])
        let legacy = try windows.inform()
        #expect(legacy.phoneAnswer?.options.searchEncoding == .windowsString)
        #expect(legacy.phoneAnswer?.options.searchDomains == ["contoso.com", "fabrikam.com"])
        #expect(legacy.findings.map(\.code).contains(.dhcpOption119WindowsString))
        _ = try FindingDetailTests.check(exchange.findings + port.findings + legacy.findings, "dhcp misconfigurations")
    }

    @Test("No server: a finding within the deadline; port 68 taken: a clear error")
    func noServer() throws {
        let lab = try DHCPLab()
        defer { lab.stop() }
        let started = Date()
        let exchange = try lab.inform(timeout: 1)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(exchange.findings.map(\.code) == [.dhcpNoAnswer])
        // Port 68 held on this lab's interface only, as a DHCP client holds it: a lab of another suite running at the same
        // time has its own interface, and a holder on every interface would fail to bind beside it.
        let holder = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(holder) }
        let device = Array(lab.clientInterface.utf8CString)
        #expect(setsockopt(holder, SOL_SOCKET, SO_BINDTODEVICE, device, socklen_t(device.count)) == 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(68).bigEndian)
        // Another suite's DHCP client may hold the port for a moment: wait for it (ten seconds at most).
        var bound: Int32 = -1
        for _ in 0..<100 {
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 || errno != EADDRINUSE { break }
            usleep(100_000)
        }
        try #require(bound == 0, "the holder binds port 68 on \(lab.clientInterface): \(String(cString: strerror(errno)))")
        #expect(
            throws: DHCPClientError.network(
                "UDP port 68 on \(lab.clientInterface) is taken (a DHCP client is running); stop it or use another interface")
        ) {
            try lab.inform()
        }
        #expect(throws: DHCPClientError.noInterface("cxnothere")) { try DHCPClient.inform(interface: "cxnothere", timeout: 1) }
    }

    @Test("dhcp --server to an address with no route: the send error, not \"no answer\"; a server on the link still answers (#27)")
    func unroutableServer() throws {
        let lab = try DHCPLab()
        defer { lab.stop() }
        // The test's namespace has the veth's /24 and no default route: 192.0.2.1 (TEST-NET-1) has no route. The socket
        // bound to the interface took it for an address on the link, sent, and waited out the deadline.
        let started = Date()
        #expect(throws: DHCPClientError.network("cannot send the DHCPINFORM to 192.0.2.1: Network is unreachable")) {
            try DHCPClient.inform(interface: lab.clientInterface, server: "192.0.2.1", timeout: 3)
        }
        #expect(Date().timeIntervalSince(started) < 1)
        let cli = try CLI.run(["dhcp", "--interface", lab.clientInterface, "--server", "192.0.2.1", "--timeout", "1"])
        #expect(cli.status != 0 && cli.stderr.contains("cannot send the DHCPINFORM to 192.0.2.1: Network is unreachable"))
        // The same socket, unconnected, still reads the answer of a server asked by its address.
        try lab.dnsmasq(Self.ucOptions(lab))
        let exchange = try DHCPClient.inform(interface: lab.clientInterface, server: lab.serverAddress, timeout: 1.5)
        #expect(exchange.phoneAnswer?.options.registrars == ["pool01.contoso.com"])
    }

    @Test("boot --dhcp: the walk starts from the answer and reaches the servers the options name")
    func bootFromDHCP() throws {
        let lab = try DHCPLab()
        defer { lab.stop() }
        let pki = try BootFixtures.directory()
        let address = lab.serverAddress
        try lab.dnsmasq(
            Self.ucOptions(lab) + [
                "host-record=pool01.contoso.com,\(address)", "host-record=sip.fabrikam.com,\(address)",
                "srv-host=_sipinternaltls._tcp.fabrikam.com,sip.fabrikam.com,5061,0,0",
            ], dns: true)
        for port in [5061, 443] {
            try lab.lab.launch([
                "ip", "netns", "exec", lab.namespace, "openssl", "s_server", "-accept", "\(address):\(port)", "-cert",
                pki.appendingPathComponent("boot-pool.pem").path, "-key", pki.appendingPathComponent("leaf.key").path, "-cipher",
                "ALL:@SECLEVEL=0", "-www", "-quiet",
            ]) { _ in (try? Prober.reach(address: address, port: port, timeout: 0.3)) != nil }
        }
        let saved = lab.lab.directory.appendingPathComponent("dhcp.json")
        let dhcp = try CLI.run(["dhcp", "--interface", lab.clientInterface, "--timeout", "1.5", "--json"])
        #expect(dhcp.status == 0)
        try lab.lab.directory.write("dhcp.json", dhcp.stdout)
        for source in [["--dhcp", lab.clientInterface], ["--dhcp-answer", saved.path]] {
            let result = try CLI.run(
                [
                    "boot", "--sip-domain", "fabrikam.com", "--device", "cx600", "--firmware", "4.0.7577.4463", "--trust",
                    TestPKI.get().url("root-sha1.pem").path, "--timeout", "1.5", "--json",
                ] + source + (source.first == "--dhcp" ? ["--web-fqdn", "web.contoso.com"] : []))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let inputs = try #require(object["inputs"] as? [String: Any])
            #expect(inputs["dhcpDomain"] as? String == "contoso.com")
            #expect(inputs["dnsServers"] as? [String] == ["\(address):53"])
            #expect(inputs["registrars"] as? [String] == ["pool01.contoso.com:5061"])
            #expect(inputs["webFQDN"] as? String == "pool01.contoso.com:443")
            let steps = try #require((object["builds"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
            #expect(steps.first?["step"] as? String == "dhcp")
            let registrarTLS = try #require(steps.first { $0["step"] as? String == "registrar-tls" })
            let endpoint = try #require((registrarTLS["endpoints"] as? [[String: Any]])?.first)
            #expect(endpoint["host"] as? String == "pool01.contoso.com")
            #expect((endpoint["verdict"] as? [String: Any])?["trusted"] as? Bool == true)
            let web = try #require(steps.first { $0["step"] as? String == "web-services" })
            #expect((web["endpoints"] as? [[String: Any]])?.first?["address"] as? String == address)
            // The deployment's web services differ from option 43's: the phone uses option 43's, and that is said.
            let dhcpStep = try #require(steps.first { $0["step"] as? String == "dhcp" })
            let flagged =
                (dhcpStep["findings"] as? [[String: Any]])?.contains {
                    $0["code"] as? String == "dhcp-option-43-web-fqdn"
                        && ($0["detail"] as? [String: Any])?["expectedWebFQDN"] as? String == "web.contoso.com"
                } ?? false
            #expect(flagged == (source.first == "--dhcp"), "\(dhcpStep["findings"] ?? "none")")
            // Option 120 and the SRV record name different hosts.
            let registrar = try #require(steps.first { $0["step"] as? String == "registrar" })
            #expect((registrar["findings"] as? [[String: Any]])?.contains { $0["code"] as? String == "dhcp-option-120-mismatch" } == true)
        }
    }
}
