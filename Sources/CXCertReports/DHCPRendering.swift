import CXCertCore
import CXCertDiscovery

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Text and JSON views of DHCP answers; the JSON of `cxcert dhcp` is also what `boot --dhcp-answer` reads.
public enum DHCPRendering {
    struct JSONProvisioning: Encodable {
        @BootRendering.Null var identifier: String?
        @BootRendering.Null var scheme: String?
        @BootRendering.Null var webFQDN: String?
        @BootRendering.Null var port: Int?
        let portEncoding: String
        @BootRendering.Null var path: String?
        @BootRendering.Null var url: String?
        @BootRendering.Null var truncatedSubOption: Int?
        let length: Int
    }
    struct JSONDecoded: Encodable {
        @BootRendering.Null var subnetMask: String?
        let routers: [String]
        let dnsServers: [String]
        let timeServers: [String]
        let ntpServers: [String]
        @BootRendering.Null var domainName: String?
        let searchDomains: [String]
        @BootRendering.Null var searchEncoding: String?
        let registrars: [String]
        @BootRendering.Null var registrarEncoding: String?
        @BootRendering.Null var provisioning: JSONProvisioning?
        let splitOptions: [Int]
    }
    struct JSONAnswer: Encodable {
        let server: String
        @BootRendering.Null var vendorClass: String?
        @BootRendering.Null var messageType: Int?
        let elapsedSeconds: Double
        /// Option code -> hex of its (reassembled) data.
        let options: [String: String]
        let decoded: JSONDecoded
    }
    struct JSONExchange: Encodable {
        @BootRendering.Null var interface: String?
        @BootRendering.Null var clientAddress: String?
        @BootRendering.Null var phoneAnswer: Int?
        let answers: [JSONAnswer]
        let dropped: [DHCPDroppedAnswers]
        let findings: [Finding]
    }
    struct JSONDecode: Encodable {
        let decoded: JSONDecoded
        let findings: [Finding]
    }

    static func decoded(_ report: DHCPOptionsReport) -> JSONDecoded {
        JSONDecoded(
            subnetMask: report.subnetMask, routers: report.routers, dnsServers: report.dnsServers, timeServers: report.timeServers,
            ntpServers: report.ntpServers, domainName: report.domainName, searchDomains: report.searchDomains,
            searchEncoding: report.searchEncoding?.rawValue, registrars: report.registrars,
            registrarEncoding: report.registrarEncoding?.rawValue,
            provisioning: report.provisioning.map {
                JSONProvisioning(
                    identifier: $0.identifier, scheme: $0.scheme, webFQDN: $0.webFQDN, port: $0.port,
                    portEncoding: $0.portEncoding.rawValue,
                    path: $0.path, url: $0.url, truncatedSubOption: $0.truncatedSubOption, length: $0.length)
            }, splitOptions: report.splitOptions)
    }

    /// The exchange as `cxcert dhcp --json` prints it, every answer's raw options kept so ``CXCertDiscovery/DHCPExchange/init(json:)``
    /// can read it back.
    public static func json(_ exchange: DHCPExchange) -> String {
        let phone = exchange.phoneAnswer
        return JSONOutput.encode(
            JSONExchange(
                interface: exchange.interface, clientAddress: exchange.clientAddress,
                phoneAnswer: phone.flatMap { answer in
                    exchange.answers.firstIndex { $0.message == answer.message && $0.server == answer.server }
                },
                answers: exchange.answers.map { answer in
                    JSONAnswer(
                        server: answer.server, vendorClass: answer.vendorClass,
                        messageType: answer.message.messageType.map { Int($0.rawValue) },
                        elapsedSeconds: (answer.elapsed * 1000).rounded() / 1000,
                        options: Dictionary(uniqueKeysWithValues: answer.message.options.map { ("\($0.key)", hexString($0.value)) }),
                        decoded: decoded(answer.options))
                }, dropped: exchange.dropped, findings: exchange.findings))
    }

    /// Decoded options and their findings as `cxcert dhcp decode --json` prints them.
    public static func json(decoding report: DHCPOptionsReport, findings: [Finding]) -> String {
        JSONOutput.encode(JSONDecode(decoded: decoded(report), findings: findings))
    }

    static func lines(_ report: DHCPOptionsReport) -> [String] {
        var out: [String] = []
        if let mask = report.subnetMask { out.append("  1   subnet mask      \(mask)") }
        if !report.routers.isEmpty { out.append("  3   routers          \(report.routers.joined(separator: ", "))") }
        if !report.timeServers.isEmpty { out.append("  4   time servers     \(report.timeServers.joined(separator: ", ")) (RFC 868)") }
        if !report.dnsServers.isEmpty { out.append("  6   DNS servers      \(report.dnsServers.joined(separator: ", "))") }
        if let domain = report.domainName { out.append("  15  domain name      \(domain)") }
        if !report.ntpServers.isEmpty { out.append("  42  NTP servers      \(report.ntpServers.joined(separator: ", "))") }
        if let encoding = report.searchEncoding {
            out.append("  119 search domains   \(report.searchDomains.joined(separator: ", ")) (\(encoding.rawValue))")
        }
        if let encoding = report.registrarEncoding {
            out.append("  120 registrars       \(report.registrars.joined(separator: ", ")) (\(encoding.rawValue))")
        }
        if let p = report.provisioning {
            out.append("  43  MS-UC-Client     \(p.length) bytes")
            out.append("      1 UC identifier  \(p.identifier ?? "missing")")
            out.append("      2 URL scheme     \(p.scheme ?? "missing")")
            out.append("      3 web FQDN       \(p.webFQDN ?? "missing")")
            out.append("      4 port           \(p.port.map(String.init) ?? "missing") (\(p.portEncoding.rawValue))")
            out.append("      5 CertProv path  \(p.path ?? "missing")")
            out.append("      URL              \(p.url ?? "cannot be built")")
        }
        if !report.splitOptions.isEmpty {
            out.append(
                "  options sent in several parts and joined (RFC 3396): \(report.splitOptions.map(String.init).joined(separator: ", "))")
        }
        return out
    }

    static func findingLines(_ findings: [Finding]) -> [String] {
        findings.flatMap { finding in
            ["\(finding.severity == .error ? "✘" : finding.severity == .warning ? "!" : "·") \(finding.code.rawValue): \(finding.message)"]
                + (finding.deviceSymptom.map { ["    Phone: \($0)"] } ?? []) + ["    Fix: \(finding.remedy)"]
        }
    }

    /// The exchange for a terminal: each answer's options (marking the one the phone uses), then the findings.
    public static func text(_ exchange: DHCPExchange) -> String {
        var out = ["DHCPINFORM from \(exchange.clientAddress ?? "?") on \(exchange.interface ?? "?"): \(exchange.answers.count) answer(s)"]
        let phone = exchange.phoneAnswer
        for answer in exchange.answers {
            let used = phone.map { $0.message == answer.message && $0.server == answer.server } == true
            out.append("")
            out.append(
                "From \(answer.server) to vendor class \(answer.vendorClass ?? "(none)") after \(fixed(answer.elapsed, decimals: 3)) s\(used ? " — the answer the phone uses" : "")"
            )
            out += lines(answer.options)
        }
        if !exchange.dropped.isEmpty {
            out.append("")
            out.append(
                "Dropped \(exchange.droppedCount) more answer(s) over the limit (the first of each server are kept): \(droppedText(exchange.dropped))"
            )
        }
        let findings = exchange.findings
        out.append("")
        out += findings.isEmpty ? ["Every option the phone needs is present and well formed."] : findingLines(findings)
        // No styling here: every line is escaped whole (a server's or an option's text is data).
        return out.map(Escaping.terminal).joined(separator: "\n")
    }

    /// `10.0.0.9 ×403,147, 10.0.0.10 ×12, other servers ×5`.
    static func droppedText(_ dropped: [DHCPDroppedAnswers]) -> String {
        dropped.map { "\($0.server ?? "other servers") ×\($0.count)" }.joined(separator: ", ")
    }

    /// Decoded options and their findings for a terminal (`cxcert dhcp decode`).
    public static func text(decoding report: DHCPOptionsReport, findings: [Finding]) -> String {
        (lines(report) + [""] + (findings.isEmpty ? ["No problem found in the options given."] : findingLines(findings))).map(
            Escaping.terminal
        ).joined(separator: "\n")
    }
}

extension DHCPExchange {
    private struct Stored: Decodable {
        struct Answer: Decodable {
            let server: String
            let vendorClass: String?
            let elapsedSeconds: Double?
            let options: [String: String]
        }
        let interface: String?
        let clientAddress: String?
        let answers: [Answer]
    }

    /// Reads the JSON `cxcert dhcp --json` printed (the raw option bytes are decoded again).
    public init(json: [UInt8]) throws(DHCPError) {
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: Data(json))
        } catch {
            throw .malformed("not the JSON of cxcert dhcp --json (\(DecodingProblem.describe(error)))")
        }
        var answers: [DHCPAnswer] = []
        for answer in stored.answers {
            var options: [(UInt8, [UInt8])] = []
            for (key, value) in answer.options.sorted(by: { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }) {
                guard let code = UInt8(key), let bytes = Self.bytes(hex: value) else {
                    throw .invalidOption("option '\(key)' = '\(value)'")
                }
                options.append((code, bytes))
            }
            answers.append(
                DHCPAnswer(
                    server: answer.server, vendorClass: answer.vendorClass,
                    message: DHCPMessage(op: 2, transactionID: 0, hardwareAddress: [], options: options),
                    elapsed: answer.elapsedSeconds ?? 0))
        }
        self.init(interface: stored.interface, clientAddress: stored.clientAddress, answers: answers)
    }

    /// Hex as DHCPUtil, router configurations and captures print it: spaces, colons, dots and `0x` ignored.
    public static func bytes(hex text: String) -> [UInt8]? {
        let digits = hexDigits(text)
        guard digits.count <= maxHexDigits else { return nil }
        return hexBytes(digits)
    }

    /// The most hex digits one option value may have (2,048 bytes: eight RFC 3396 parts of 255 bytes, and more).
    public static let maxHexDigits = 4096

    /// The digits of a hex text, without `0x` and the separators ``bytes(hex:)`` allows.
    public static func hexDigits(_ text: String) -> String {
        text.replacingAll("0x", with: "").filter { !" :.-\n\t".contains($0) }
    }
}
