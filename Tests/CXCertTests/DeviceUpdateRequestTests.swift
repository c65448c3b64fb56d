import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// The Device Update check as built and its answers as read, in-process (item 2 of issue 28, first slice).
@Suite("Device Update: the phone's ucdevice.upx request and the server's offer")
struct DeviceUpdateRequestTests {
    static let identity = DeviceUpdate.Identity(
        mac: "0004F29531A2", vendor: "POLYCOM", model: "CX600", revision: "Rev-4", firmware: "4.0.7577.4366")

    @Test("The check posts the phone's identity to /RequestHandler/ucdevice.upx over plain HTTP, with no credential")
    func request() throws {
        let request = DeviceUpdate.Request.check(host: "ucupdates-r2.contoso.com", identity: Self.identity)
        #expect(request.url == "http://ucupdates-r2.contoso.com/RequestHandler/ucdevice.upx")
        #expect(!request.headers.contains { $0.lowercased().hasPrefix("authorization") })
        let root = try XMLReader.parse(Array(request.body.utf8))
        #expect(root.localName == "Request")
        let values = Dictionary(root.allElements.map { ($0.localName, $0.text) }, uniquingKeysWith: { first, _ in first })
        #expect(values["MACAddress"] == "0004F29531A2" && values["SerialNumber"] == "0004F29531A2")
        #expect(values["Vendor"] == "POLYCOM" && values["Model"] == "CX600" && values["Revision"] == "Rev-4" && values["Locale"] == "ENU")
        #expect(values["Version"] == "4.0.7577.4366" && values["FileName"] == "CPE.nbt")
        let hostile = DeviceUpdate.Request.check(
            host: "h", identity: .init(mac: "<x>&", vendor: "V", model: "M", revision: "R", firmware: "1"))
        #expect(try XMLReader.parse(Array(hostile.body.utf8)).allElements.contains { $0.text == "<x>&" })
    }

    @Test("The guide's answer without an update: no files, the server's version")
    func noUpdate() throws {
        let offer = try DeviceUpdate.read(
            Array(
                #"<?xml version="1.0" ?><Response><NumOfFiles>0</NumOfFiles><CurrentTime>2009-06-04T06:22:03</CurrentTime><ServerVersion>3.5.6907.0</ServerVersion><ServiceVersion>3.5.6907.0</ServiceVersion></Response>"#
                    .utf8))
        #expect(offer.numberOfFiles == 0 && offer.files.isEmpty && offer.serverVersion == "3.5.6907.0")
    }

    @Test("The guide's offer: the image, its signature and description, and the version from the folder")
    func offer() throws {
        let offer = try DeviceUpdate.read(
            Array(
                """
                <Response><NumOfFiles>1</NumOfFiles><File><FileName>CPE.nbt</FileName><SignatureFileName>CPE.cat</SignatureFileName>
                <DescriptFile>CPE_desc.xml</DescriptFile>
                <BaseURL>http://POOL01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE</BaseURL>
                <ExternalBaseURL>https://ocsrp.fabrikam.com/DeviceUpdateFiles_Ext/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE</ExternalBaseURL>
                </File></Response>
                """.utf8))
        let file = try #require(offer.files.first)
        #expect(offer.files.count == 1 && file.version == "1.0.522.101")
        #expect(
            file.urls == [
                "http://POOL01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE/CPE.nbt",
                "http://POOL01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE/CPE.cat",
                "http://POOL01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE/CPE_desc.xml",
            ])
        #expect(throws: DeviceUpdate.AnswerError.self) { try DeviceUpdate.read(Array("<html/>".utf8)) }
        #expect(throws: DeviceUpdate.AnswerError.self) { try DeviceUpdate.read(Array("<Response".utf8)) }
    }
}

/// The Device Update check against the stand-in's Device Update modes, in the walk.
@Suite("Device Update: the check and the offered files against a stand-in", .serialized, .integration, .tags(.integration))
struct DeviceUpdateStandInTests {
    func walk(mode: String, device: String = "hp4120", firmware: String = "4.0.7577.4387") async throws -> BootTrace {
        let lab = try BootLab()
        defer { lab.stop() }
        let dns = try lab.dns(["host-record=ucupdates-r2.contoso.com,\(lab.address(10))"])
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/certprov_stub.py").path
        try lab.launch(["python3", script, mode, lab.address(10), "80"]) { log in log.split(separator: "\n").contains { Int($0) != nil } }
        let inputs = try BootInputs(sipDomain: "fabrikam.com", dhcpDomain: "contoso.com", dnsServers: [dns])
        var configuration = BootWalker.Configuration(
            inputs: inputs, profiles: [try DeviceProfile.resolve(device: device, firmware: firmware)], timeout: 2)
        configuration.deviceUpdateIdentity = DeviceUpdate.Identity(
            mac: "0004F29531A2", vendor: "POLYCOM", model: "CX600", revision: "Rev-4", firmware: "")
        let trace = try #require(await BootWalker(configuration).walk().builds.first)
        let log = try String(contentsOf: lab.directory.appendingPathComponent("REQUESTS.log"), encoding: .utf8)
        #expect(log.hasPrefix("POST /RequestHandler/ucdevice.upx\n") && log.contains("<Version>\(firmware)</Version>"))
        #expect(!log.lowercased().contains("authorization"))
        return trace
    }

    @Test("boot --device-update-request sends the check from the command line, as the admin names the phone; opt-in (#28)")
    func commandLine() throws {
        // --help says the body's format is a guess and that no credential is sent.
        let help = try CLI.run(["boot", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--device-update-request") && help.contains("body format is undocumented"))
        #expect(help.contains("guessed (low confidence)") && help.contains("No credential or PIN is ever sent"))
        let lab = try BootLab()
        defer { lab.stop() }
        let dns = try lab.dns(["host-record=ucupdates-r2.contoso.com,\(lab.address(10))"])
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/certprov_stub.py").path
        try lab.launch(["python3", script, "du-offer", lab.address(10), "80"]) { log in
            log.split(separator: "\n").contains { Int($0) != nil }
        }
        let arguments = [
            "boot", "--sip-domain", "fabrikam.com", "--dhcp-domain", "contoso.com", "--dns-server", dns.description, "--device", "hp4120",
            "--firmware", "4.0.7577.4387", "--timeout", "2", "--json",
        ]
        let log = lab.directory.appendingPathComponent("REQUESTS.log")
        // Without the flag nothing is posted.
        _ = try CLI.run(arguments)
        #expect(!FileManager.default.fileExists(atPath: log.path))
        let result = try CLI.run(
            arguments + ["--device-update-request", "--device-update-mac", "00-04-f2-95-31-a2", "--device-update-model", "HP/4120/A"])
        let sent = try String(contentsOf: log, encoding: .utf8)
        #expect(sent.hasPrefix("POST /RequestHandler/ucdevice.upx\n") && sent.contains("<MACAddress>0004F29531A2</MACAddress>"))
        #expect(sent.contains("<Vendor>HP</Vendor>") && sent.contains("<Model>4120</Model>") && sent.contains("<Revision>A</Revision>"))
        #expect(sent.contains("<Version>4.0.7577.4387</Version>") && !sent.lowercased().contains("authorization"))
        #expect(result.stdout.contains("device-update-request") && result.stdout.contains("4.0.7577.4420"), "\(result.stdout.prefix(2000))")
        // Bad values are usage errors; the identity options alone are refused.
        #expect(try CLI.run(arguments + ["--device-update-request", "--device-update-mac", "10.0.0.1"]).status == 2)
        #expect(try CLI.run(arguments + ["--device-update-request", "--device-update-model", "HP/4120"]).status == 2)
        #expect(try CLI.run(arguments + ["--device-update-model", "HP/4120/A"]).status == 2)
    }

    @Test("An offer is reported with its version, and each offered file is asked for its headers only")
    func offer() async throws {
        let step = try #require(try await walk(mode: "du-offer").step(.deviceUpdateRequest))
        #expect(step.phase == .boot && step.status == .ok, "\(step.findings.map(\.message))")
        #expect(step.notes.contains { $0.contains("offers CPE.nbt version 4.0.7577.4420") })
        #expect(step.endpoints.count == 3 && step.endpoints.allSatisfy { $0.outcome.hasSuffix("HTTP 200") })
    }

    @Test("A missing offered file, no offer, and a server error are told apart", arguments: ["du-missing", "du-none", "du-error"])
    func failures(mode: String) async throws {
        let step = try #require(try await walk(mode: mode).step(.deviceUpdateRequest))
        let codes = step.findings.map(\.code)
        switch mode {
        case "du-missing": #expect(codes == [.deviceUpdateFileUnreachable])
        case "du-none":
            #expect(codes.isEmpty)
            #expect(step.notes.contains { $0.contains("offers no update") })
        default: #expect(codes == [.deviceUpdateCheckFailed])
        }
    }

    @Test("Nothing offered to a build Lync Server 2013 does not support is a warning that says why")
    func noneOffered() async throws {
        let step = try #require(try await walk(mode: "du-none", firmware: "4.0.7577.4100").step(.deviceUpdateRequest))
        #expect(step.findings.map(\.code) == [.deviceUpdateNoneOffered] && step.findings.first?.severity == .warning)
        #expect(step.findings.first?.message.contains("not supported there") == true)
        // A supported build offered nothing is fine.
        #expect(try #require(try await walk(mode: "du-none").step(.deviceUpdateRequest)).findings.isEmpty)
    }

    @Test("An offer a Tanjay build cannot take in one step, and an offered file not on port 80")
    func intermediateAndPort() async throws {
        let tanjay = try #require(try await walk(mode: "du-offer", device: "cx700", firmware: "1.0.522.101").step(.deviceUpdateRequest))
        let step = try #require(tanjay.findings.first { $0.code == .deviceUpdateNeedsIntermediate })
        guard case .deviceUpdateOffer(_, "1.0.522.101", "4.0.7577.4420", _, let via, _, .low) = step.detail.walkFacts else {
            throw CertProvRequestTests.Failure("\(step.detail)")
        }
        #expect(via == ["3.5.6907.187"] && step.severity == .warning)
        let https = try #require(try await walk(mode: "du-https").step(.deviceUpdateRequest))
        #expect(https.findings.filter { $0.code == .deviceUpdateFileNotPort80 }.count == 3)
    }
}
