import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct DHCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhcp",
        abstract: "Ask DHCP as the phone asks (DHCPINFORM, vendor class MS-UC-Client), or decode options offline, and check them.",
        subcommands: [DHCPInformCommand.self, DHCPDecodeCommand.self], defaultSubcommand: DHCPInformCommand.self)
}

struct DHCPInformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inform",
        abstract: "Send the phone's DHCPINFORMs from an interface and check every answer.",
        discussion: """
            Three INFORMs from the interface's own address: option 60 MS-UC-Client (options 1, 3, 6, 15, 42, 43, 119, 120),
            CPE-OCPHONE (the VLAN request), and none (does option 43 reach every client?). Needs UDP port 68 and
            SO_BINDTODEVICE: root, or CAP_NET_BIND_SERVICE and CAP_NET_RAW.
            Exit codes: 0 the options the phone needs are there and well formed, 1 not, 2 usage or permission error.
            """)

    @Option(help: "The interface to ask from (it must have an IPv4 address).")
    var interface: String

    @Option(help: "Ask this DHCP server (unicast) instead of broadcasting.")
    var server: String?

    @Option(help: "Seconds to collect answers.")
    var timeout: Double = 3

    @Flag(help: "Print JSON (schema in the README; boot --dhcp-answer reads it).")
    var json = false

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 600 else {
            throw ValidationError("--timeout takes a number of seconds more than 0 and at most 600")
        }
    }

    func run() async throws {
        let exchange: DHCPExchange
        do {
            exchange = try await DHCPClient.inform(interface: interface, server: server, timeout: timeout)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        print(json ? DHCPRendering.json(exchange) : DHCPRendering.text(exchange))
        if exchange.findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}

struct DHCPDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode and check options from hex (as DHCPUtil, a server configuration, a router or a capture shows them).",
        discussion: """
            Example: cxcert dhcp decode --option 43=010C4D532D55432D436C69656E74... --option 120=00067365727665720466...
            Hex may contain spaces, colons or dots. Exit codes: 0 no error found, 1 an error, 2 usage error.
            """)

    @Option(name: .customLong("option"), help: "CODE=HEX (repeatable; a repeated code is joined, as RFC 3396 splits long options).")
    var options: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        guard !options.isEmpty else { throw ValidationError("give at least one --option CODE=HEX") }
        var values: [UInt8: [UInt8]] = [:]
        var instances: [UInt8: Int] = [:]
        for text in options {
            // A value is echoed only in part: an argument can be as long as the command line allows.
            let shown = text.count > 48 ? "\(text.prefix(48))… (\(text.count) characters)" : text
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let code = UInt8(parts[0]), code != 0, code != 255 else {
                throw ValidationError("'\(shown)' is not CODE=HEX (a code from 1 to 254, then '=' and an even number of hex digits)")
            }
            let digits = DHCPExchange.hexDigits(parts[1]).count
            guard digits <= DHCPExchange.maxHexDigits else {
                throw ValidationError("option \(code): \(digits) hex digits; an option value holds at most \(DHCPExchange.maxHexDigits)")
            }
            guard let bytes = DHCPExchange.bytes(hex: parts[1]) else {
                throw ValidationError("'\(shown)': the value after '=' is not an even number of hex digits")
            }
            values[code, default: []] += bytes
            instances[code, default: 0] += 1
        }
        let report = DHCPOptionsReport(options: values, instances: instances)
        let findings = report.findings + (values[43] != nil ? DHCPOptionsReport.checkProvisioning(report.provisioning) : [])
        print(json ? DHCPRendering.json(decoding: report, findings: findings) : DHCPRendering.text(decoding: report, findings: findings))
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}
