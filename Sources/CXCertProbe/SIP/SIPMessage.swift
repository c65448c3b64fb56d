import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One header line of a SIP answer, its continuation lines unfolded (RFC 3261 §7.3.1).
public struct SIPHeader: Sendable, Hashable {
    /// The name as the server wrote it.
    public let name: String
    /// The value, trimmed.
    public let value: String
}

/// One `name=value` parameter of a challenge; a quoted value is kept without its quotes and escapes.
public struct SIPParameter: Sendable, Hashable {
    /// The name, as written.
    public let name: String
    /// The value.
    public let value: String
}

/// One authentication challenge of a 401 (`WWW-Authenticate`) or 407 (`Proxy-Authenticate`) answer.
///
/// [MS-SIPAE] (the server's challenge rules, learn.microsoft.com/openspecs/office_protocols/ms-sipae/aa0ce59d-…, and
/// the example of §4.1) gives one header per package, `NTLM`, `Kerberos` or `TLS-DSK`, each with `realm`,
/// `targetname` and `version` (3 or 4). The TLS-DSK package's certificate provisioning URL travels as `sts-uri`: the
/// name SIPE's `fill_auth` (src/core/sip-transport.c) reads; a captured Lync 2013 challenge carries it too
/// (lpe-facts.md 5.1).
public struct SIPChallenge: Sendable, Hashable {
    /// `WWW-Authenticate` or `Proxy-Authenticate`, as written.
    public let header: String
    /// The authentication package (`NTLM`, `Kerberos`, `TLS-DSK`, `Digest`, ...), as written.
    public let scheme: String
    /// The parameters in order.
    public let parameters: [SIPParameter]

    /// The packages a Lync or OCS registrar offers ([MS-SIPAE]).
    public static let lyncPackages: Set<String> = ["ntlm", "kerberos", "tls-dsk"]

    /// The value of a parameter (names compared without case), or `nil`.
    public func parameter(_ name: String) -> String? { parameters.first { $0.name.lowercased() == name.lowercased() }?.value }
    /// `realm`: "SIP Communications Service" on Lync.
    public var realm: String? { parameter("realm") }
    /// `targetname`: the server's FQDN for NTLM and TLS-DSK, `sip/FQDN` for Kerberos.
    public var targetName: String? { parameter("targetname") }
    /// `version` (3 or 4 in [MS-SIPAE]); `nil` when absent or not a number.
    public var version: Int? { parameter("version").flatMap { Int($0) } }
    /// TLS-DSK's certificate provisioning URL (`sts-uri`).
    public var certificateProvisioningURL: String? { parameter("sts-uri") }
    /// Whether the package is one of ``lyncPackages``.
    public var isLyncPackage: Bool { Self.lyncPackages.contains(scheme.lowercased()) }
    /// The host named by the target name: `sip/` (Kerberos's service prefix) removed.
    public var targetHost: String? {
        guard let name = targetName else { return nil }
        return name.lowercased().hasPrefix("sip/") ? String(name.dropFirst(4)) : name
    }

    /// Reads `SCHEME name="value", name=value, ...`; `nil` when there is no scheme.
    /// - Parameters:
    ///   - value: The header's value.
    ///   - header: The header's name.
    /// - Returns: The challenge, or `nil` for an empty value.
    public static func parse(_ value: String, header: String) -> SIPChallenge? {
        let text = Array(value.unicodeScalars)
        var index = 0
        while index < text.count, text[index] == " " || text[index] == "\t" { index += 1 }
        var scheme = ""
        while index < text.count, text[index] != " ", text[index] != "\t" {
            scheme.unicodeScalars.append(text[index])
            index += 1
        }
        guard !scheme.isEmpty else { return nil }
        var parameters: [SIPParameter] = []
        while index < text.count {
            while index < text.count, text[index] == " " || text[index] == "\t" || text[index] == "," { index += 1 }
            var name = ""
            while index < text.count, text[index] != "=", text[index] != "," {
                name.unicodeScalars.append(text[index])
                index += 1
            }
            name = name.trimmingSpaces()
            guard index < text.count, text[index] == "=" else {
                if !name.isEmpty { parameters.append(SIPParameter(name: name, value: "")) }
                continue
            }
            index += 1
            while index < text.count, text[index] == " " || text[index] == "\t" { index += 1 }
            var parsed = ""
            if index < text.count, text[index] == "\"" {
                index += 1
                while index < text.count, text[index] != "\"" {
                    if text[index] == "\\", index + 1 < text.count { index += 1 }
                    parsed.unicodeScalars.append(text[index])
                    index += 1
                }
                index += 1
            } else {
                while index < text.count, text[index] != "," {
                    parsed.unicodeScalars.append(text[index])
                    index += 1
                }
                parsed = parsed.trimmingSpaces()
            }
            if !name.isEmpty { parameters.append(SIPParameter(name: name, value: parsed)) }
        }
        return SIPChallenge(header: header, scheme: scheme, parameters: parameters)
    }
}

/// Why bytes read from a registrar are not a SIP answer.
public enum SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The answer does not start with `SIP/2.0 CODE`.
    case notSIP(String)
    /// The header section has no end (no empty line).
    case incomplete
    /// A header line without a colon, or a `Content-Length` that is not a number.
    case badHeader(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .notSIP(let start): "not a SIP answer (it starts \(start))"
        case .incomplete: "the answer's header section never ends"
        case .badHeader(let line): "a malformed header line: \(line)"
        }
    }
}

/// A SIP answer: status line and headers (RFC 3261 §7.2), the body counted but not kept.
public struct SIPResponse: Sendable, Hashable {
    /// The status code (401, 301, 200, ...).
    public let statusCode: Int
    /// The reason phrase.
    public let reason: String
    /// The header lines in order.
    public let headers: [SIPHeader]
    /// The body's length in bytes (from `Content-Length`).
    public let bodyLength: Int

    /// RFC 3261 §7.3.3's compact forms of the headers read here.
    static let compact: [String: String] = ["m": "contact", "l": "content-length", "v": "via", "i": "call-id", "f": "from", "t": "to"]

    /// The values of every header with this name (case-insensitive; compact forms count).
    public func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { (Self.compact[$0.name.lowercased()] ?? $0.name.lowercased()) == wanted }.map(\.value)
    }

    /// Each `WWW-Authenticate` and `Proxy-Authenticate` challenge, in order. RFC 3261 §7.3.1 does not let these
    /// headers be combined with commas, so each line is one challenge.
    public var challenges: [SIPChallenge] {
        headers.compactMap { header in
            let name = header.name.lowercased()
            guard name == "www-authenticate" || name == "proxy-authenticate" else { return nil }
            return SIPChallenge.parse(header.value, header: header.name)
        }
    }

    /// The URIs of the `Contact` headers (a redirect's targets), in order.
    public var contacts: [String] { values("contact").flatMap(Self.splitContacts) }

    /// The `Server` header, when present.
    public var server: String? { values("server").first }

    /// Splits a Contact value at the commas outside `<>` and quotes and returns each URI.
    static func splitContacts(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var angle = false
        var quoted = false
        for character in value {
            switch character {
            case "\"": quoted.toggle()
            case "<" where !quoted: angle = true
            case ">" where !quoted: angle = false
            case "," where !quoted && !angle:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts.compactMap { part in
            if let open = part.firstIndex(of: "<"), let close = part[open...].firstIndex(of: ">") {
                return String(part[part.index(after: open)..<close])
            }
            let bare = part.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
            return bare.isEmpty || bare == "*" ? nil : bare
        }
    }

    /// The end of the header section (just past the empty line) in `bytes`, if there is one.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A {
                if bytes[index + 1] == 0x0A { return index + 2 }
                if bytes[index + 1] == 0x0D, index + 2 < bytes.count, bytes[index + 2] == 0x0A { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// Keep-alive CRLFs a server may send before an answer (RFC 5626 §3.5.1).
    static func leadingBlankLines(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index < bytes.count, bytes[index] == 0x0D || bytes[index] == 0x0A { index += 1 }
        return index
    }

    /// Whether `bytes` hold a whole answer (headers and the body `Content-Length` announces), or plainly no SIP
    /// answer at all (so reading stops and ``parse(_:)`` says why).
    public static func isComplete(_ bytes: [UInt8]) -> Bool {
        let start = leadingBlankLines(bytes)
        let head = Array(bytes[start...].prefix(4))
        if head.count == 4 && head != Array("SIP/".utf8) { return true }
        guard let end = headerEnd(Array(bytes[start...])) else { return false }
        guard let response = try? parse(bytes) else { return true }
        return bytes.count - start - end >= response.bodyLength
    }

    /// Reads the status line and headers of the first answer in `bytes`.
    /// - Parameter bytes: What the registrar sent.
    /// - Returns: The answer.
    /// - Throws: ``SIPParseError`` when it is not a SIP answer or its headers are malformed or unfinished.
    public static func parse(_ bytes: [UInt8]) throws(SIPParseError) -> SIPResponse {
        let message = Array(bytes[leadingBlankLines(bytes)...])
        guard message.starts(with: Array("SIP/2.0 ".utf8)) else {
            throw .notSIP(answerExcerpt(message.prefix(32), length: 32))
        }
        guard let end = headerEnd(message) else { throw .incomplete }
        let text = String(decoding: message[..<end], as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        lines = lines.filter { !$0.isEmpty }
        let status = lines.removeFirst().split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard status.count >= 2, status[1].count == 3, let code = Int(status[1]), (100...699).contains(code) else {
            throw .notSIP(answerExcerpt(Array(text.utf8.prefix(32)), length: 32))
        }
        var headers: [SIPHeader] = []
        for line in lines {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append(SIPHeader(name: last.name, value: last.value + " " + line.trimmingSpaces()))
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw .badHeader(answerExcerpt(Array(line.utf8), length: 80))
            }
            headers.append(
                SIPHeader(
                    name: line[..<colon].trimmingSpaces(),
                    value: line[line.index(after: colon)...].trimmingSpaces()))
        }
        let response = SIPResponse(
            statusCode: code, reason: status.count > 2 ? String(status[2]) : "", headers: headers, bodyLength: 0)
        var length = 0
        if let declared = response.values("content-length").first {
            guard let value = Int(declared), value >= 0 else { throw .badHeader("Content-Length: \(declared)") }
            length = value
        }
        return SIPResponse(statusCode: code, reason: response.reason, headers: headers, bodyLength: length)
    }
}

/// A `sip:` URI's host, port and transport, as a redirect's Contact names them (RFC 3261 §19.1.1).
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// The host (a name or an address; an IPv6 address without brackets).
    public let host: String
    /// The port, when the URI names one.
    public let port: Int?
    /// The `transport` parameter, lowercased, when present.
    public let transport: String?

    /// Reads `sip:[user@]host[:port][;params]` or `sips:`; `nil` for anything else.
    /// - Parameter text: The URI.
    public init?(_ text: String) {
        let lower = text.lowercased()
        guard lower.hasPrefix("sip:") || lower.hasPrefix("sips:") else { return nil }
        var rest = Substring(text.drop { $0 != ":" }.dropFirst())
        let parameters = rest.split(separator: ";").dropFirst()
        rest = rest.split(separator: ";", maxSplits: 1).first ?? ""
        rest = rest.split(separator: "?", maxSplits: 1).first ?? ""
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host: Substring
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else {
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 {
                guard let value = Int(parts[1]) else { return nil }
                port = value
            }
        }
        guard !host.isEmpty, port.map({ (1...65535).contains($0) }) ?? true else { return nil }
        self.host = host.lowercased()
        self.port = port
        transport = parameters.first { $0.lowercased().hasPrefix("transport=") }.map { String($0.dropFirst(10)).lowercased() }
    }

    /// `host:port;transport=...` as read.
    public var description: String {
        (host.contains(":") ? "[\(host)]" : host) + (port.map { ":\($0)" } ?? "") + (transport.map { ";transport=\($0)" } ?? "")
    }
}
