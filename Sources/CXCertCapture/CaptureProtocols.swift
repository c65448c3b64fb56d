import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why reading one direction of a TCP stream as TLS stopped early: a typed fact, so that a stream that is not TLS at all
/// is told apart from a TLS stream cut or damaged in the capture without comparing words.
public enum TLSStreamProblem: Sendable, Hashable, CustomStringConvertible {
    /// The stream does not start with a TLS record: it is another protocol, not a damaged TLS stream.
    case notTLS
    /// A later part of the stream is not a TLS record.
    case notARecord(offset: Int)
    /// A record claims more than TLS allows (2^14 + 2048 bytes).
    case recordTooLong(length: Int, offset: Int)
    /// The capture ends inside a record.
    case recordCut(offset: Int, captured: Int, length: Int)
    /// The handshake messages in clear exceed 1 MiB.
    case handshakeTooLarge
    /// A handshake message claims more than 1 MiB.
    case messageTooLarge(claimed: Int)
    /// The capture ends inside a handshake message.
    case messageCut

    /// Whether the stream was TLS at all: false only for ``notTLS``, which is no gap in the capture.
    public var isTLS: Bool { self != .notTLS }

    /// The problem in words, as a `capture-gap` finding gives its reason.
    public var description: String {
        switch self {
        case .notTLS: "not TLS"
        case .notARecord(let offset): "not a TLS record at stream offset \(offset)"
        case .recordTooLong(let length, let offset): "a record of \(length) bytes at offset \(offset) exceeds TLS's limit"
        case .recordCut(let offset, let captured, let length):
            "the record at offset \(offset) is cut (\(captured) of \(length) bytes captured)"
        case .handshakeTooLarge: "handshake messages over 1 MiB"
        case .messageTooLarge(let claimed): "a handshake message claims \(claimed) bytes"
        case .messageCut: "a handshake message is cut at the end of the capture"
        }
    }
}

/// TLS 1.0-1.2 handshake messages in clear, read from one direction of a TCP stream with strict bounds:
/// records may split a message and a message may span records; after ChangeCipherSpec the rest is
/// encrypted and is not read.
public enum TLSMessage: Sendable, Hashable {
    /// A ClientHello: the version offered, the cipher suites in order, and the SNI name if one was sent.
    case clientHello(version: UInt16, suites: [UInt16], serverName: String?)
    /// A ServerHello: the version and cipher suite the server chose.
    case serverHello(version: UInt16, suite: UInt16)
    /// The certificates as sent (DER), leaf first.
    case certificate([[UInt8]])
    /// An alert in clear: its level (1 warning, 2 fatal) and description code (see ``alertName(_:)``).
    case alert(level: UInt8, description: UInt8)

    /// The name of an alert description (RFC 5246 §7.2).
    public static func alertName(_ code: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow", 40: "handshake_failure",
            42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
            46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
            51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error", 90: "user_canceled",
            100: "no_renegotiation", 112: "unrecognized_name",
        ]
        return names[code] ?? "alert \(code)"
    }

    /// The name of a protocol version on the wire (`0x0301` is `TLS 1.0`); an unknown one in hex.
    public static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + hex(version, width: 4)
        }
    }

    /// Messages with the stream offset of the record they ended in; `problem` says where reading stopped early.
    package static func parse(_ stream: [UInt8], maxCertificates: Int = 16) -> (
        messages: [(offset: Int, message: TLSMessage)], problem: TLSStreamProblem?
    ) {
        var messages: [(Int, TLSMessage)] = []
        var handshake: [UInt8] = []
        var offset = 0
        while offset + 5 <= stream.count {
            let type = stream[offset]
            let major = stream[offset + 1]
            let length = Int(stream[offset + 3]) << 8 | Int(stream[offset + 4])
            guard [20, 21, 22, 23].contains(type), major == 3 else {
                return (messages, offset == 0 ? .notTLS : .notARecord(offset: offset))
            }
            guard length <= 18_432 else { return (messages, .recordTooLong(length: length, offset: offset)) }
            guard offset + 5 + length <= stream.count else {
                return (messages, .recordCut(offset: offset, captured: stream.count - offset - 5, length: length))
            }
            let body = Array(stream[(offset + 5)..<(offset + 5 + length)])
            offset += 5 + length
            switch type {
            case 20: return (messages, nil)  // ChangeCipherSpec: the rest is encrypted.
            case 21 where body.count == 2: messages.append((offset, .alert(level: body[0], description: body[1])))
            case 22:
                handshake += body
                guard handshake.count <= 1 << 20 else { return (messages, .handshakeTooLarge) }
                while handshake.count >= 4 {
                    let size = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
                    guard size <= 1 << 20 else { return (messages, .messageTooLarge(claimed: size)) }
                    guard handshake.count >= 4 + size else { break }
                    let message = Array(handshake[4..<4 + size])
                    if let decoded = decode(handshake[0], message, maxCertificates: maxCertificates) { messages.append((offset, decoded)) }
                    handshake.removeFirst(4 + size)
                }
            default: continue
            }
        }
        return (messages, handshake.isEmpty ? nil : .messageCut)
    }

    static func decode(_ type: UInt8, _ body: [UInt8], maxCertificates: Int) -> TLSMessage? {
        var cursor = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, cursor + count <= body.count else { return nil }
            defer { cursor += count }
            return body[cursor..<cursor + count]
        }
        func number(_ count: Int) -> Int? { take(count).map { $0.reduce(0) { $0 << 8 | Int($1) } } }
        switch type {
        case 1:
            guard let version = number(2), take(32) != nil, let sid = number(1), take(sid) != nil, let suitesLength = number(2),
                let suites = take(suitesLength), let compression = number(1), take(compression) != nil
            else { return nil }
            var serverName: String?
            if let extensionsLength = number(2), let extensions = take(extensionsLength) {
                var index = extensions.startIndex
                while index + 4 <= extensions.endIndex {
                    let kind = Int(extensions[index]) << 8 | Int(extensions[index + 1])
                    let size = Int(extensions[index + 2]) << 8 | Int(extensions[index + 3])
                    guard index + 4 + size <= extensions.endIndex else { break }
                    let data = extensions[(index + 4)..<(index + 4 + size)]
                    if kind == 0, data.count >= 5, data[data.startIndex + 2] == 0 {
                        let nameLength = Int(data[data.startIndex + 3]) << 8 | Int(data[data.startIndex + 4])
                        if data.count >= 5 + nameLength {
                            serverName = String(decoding: data[(data.startIndex + 5)..<(data.startIndex + 5 + nameLength)], as: UTF8.self)
                        }
                    }
                    index += 4 + size
                }
            }
            let list = stride(from: suites.startIndex, to: suites.endIndex - 1, by: 2).map {
                UInt16(suites[$0]) << 8 | UInt16(suites[$0 + 1])
            }
            return .clientHello(version: UInt16(version), suites: list, serverName: serverName)
        case 2:
            guard let version = number(2), take(32) != nil, let sid = number(1), take(sid) != nil, let suite = number(2) else { return nil }
            return .serverHello(version: UInt16(version), suite: UInt16(suite))
        case 11:
            guard let total = number(3), total <= body.count - 3 else { return nil }
            var certificates: [[UInt8]] = []
            while cursor < 3 + total, certificates.count < maxCertificates, let size = number(3), let der = take(size) {
                certificates.append(Array(der))
            }
            return .certificate(certificates)
        default:
            return nil
        }
    }
}

/// LDAP messages in clear (the phones search port 389): search requests and the entries returned, read
/// with the bounded BER reader.
public enum LDAPMessageView: Sendable, Hashable {
    /// A search request: its base DN and the attributes asked for.
    case searchRequest(base: String, attributes: [String])
    /// An entry and its attributes' values.
    case searchEntry(dn: String, attributes: [String: [[UInt8]]])

    package static func parse(_ stream: [UInt8], maxMessages: Int = 10_000) -> (
        messages: [(offset: Int, message: LDAPMessageView)], problem: String?
    ) {
        let reader = DERReader(stream)
        var messages: [(Int, LDAPMessageView)] = []
        var offset = 0
        while offset < stream.count, messages.count < maxMessages {
            let element: DERReader.Element
            do {
                element = try reader.element(at: offset)
            } catch {
                return (messages, "LDAP message at offset \(offset) is cut or malformed")
            }
            offset = element.end
            guard element.tag == 0x30, let children = try? reader.children(of: element), children.count >= 2 else { continue }
            let op = children[1]
            guard let parts = try? reader.children(of: op) else { continue }
            func text(_ element: DERReader.Element) -> String { String(decoding: reader.content(element), as: UTF8.self) }
            switch op.tag {
            case 0x63 where parts.count >= 8:
                let attributes = (try? reader.children(of: parts[7]))?.map(text) ?? []
                messages.append((offset, .searchRequest(base: text(parts[0]), attributes: attributes)))
            case 0x64 where parts.count >= 2:
                var attributes: [String: [[UInt8]]] = [:]
                for attribute in (try? reader.children(of: parts[1])) ?? [] {
                    guard let pair = try? reader.children(of: attribute), pair.count == 2 else { continue }
                    let values = (try? reader.children(of: pair[1]))?.map { Array(reader.content($0)) } ?? []
                    attributes[text(pair[0]).lowercased(), default: []] += values
                }
                messages.append((offset, .searchEntry(dn: text(parts[0]), attributes: attributes)))
            default: continue
            }
        }
        return (messages, nil)
    }
}

/// HTTP/1.x messages in clear: request line or status line, headers, and a bounded body (Content-Length
/// or chunked). Every length read from the stream (a chunk size, a Content-Length) is checked as text and
/// against what is left before it is used: a message cut by the end of the capture is kept with what was
/// captured and ``isComplete`` false, and the reader says where it stopped.
public struct HTTPMessageView: Sendable, Hashable {
    /// The request line (`GET /path HTTP/1.1`) or status line (`HTTP/1.1 200 OK`).
    public let startLine: String
    /// The headers, by name as sent.
    public let headers: [String: String]
    /// The body, at most the parser's limit.
    public let body: [UInt8]
    /// Where the message starts in its direction's stream.
    public let offset: Int
    /// Whether the whole body was read; false when the capture ends inside it or its framing is malformed.
    public let isComplete: Bool
    /// The start line and header lines as sent (repeated headers, such as a SIP answer's challenges, kept in order).
    package var head: String = ""

    /// Whether this is a request (its start line is not a status line).
    public var isRequest: Bool { !startLine.hasPrefix("HTTP/") && !startLine.hasPrefix("SIP/") }
    /// A response's status code; `nil` for a request.
    public var status: Int? { isRequest ? nil : startLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
    /// A request's target (path and query); `nil` for a response.
    public var target: String? { isRequest ? startLine.split(separator: " ").dropFirst().first.map(String.init) : nil }

    /// The most bytes of a chunk-size line (size, extensions and CRLF) that are looked at.
    static let maxChunkLine = 1024
    /// The most bytes of a chunked body's trailer section.
    static let maxTrailers = 65_536
    /// The most messages read per direction.
    static let maxMessages = 1000

    /// A chunk size: hexadecimal digits only (no sign, no `0x`), at most 15 of them so the value and any
    /// sum of two fit an `Int`; extensions after `;` are ignored. `nil` for anything else.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 0x20 || $0 == 0x09 }
        let trimmed = digits.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        guard !trimmed.isEmpty, trimmed.count <= 15 else { return nil }
        var value = 0
        for byte in trimmed {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    /// A chunked body from `start`: the body (at most `maxBody` bytes), where the message ends, and the problem
    /// that stopped it early (the body is then incomplete). The cursor never passes the end of the stream.
    static func chunkedBody(_ stream: [UInt8], from start: Int, maxBody: Int) -> (body: [UInt8], end: Int, problem: String?) {
        var cursor = start
        var body: [UInt8] = []
        let crlf: [UInt8] = [13, 10]
        while true {
            let window = stream[cursor..<min(stream.count, cursor + maxChunkLine)]
            guard let lineEnd = window.firstRange(of: crlf) else {
                return (
                    body, stream.count,
                    window.count >= maxChunkLine
                        ? "a chunk-size line over \(maxChunkLine) bytes at offset \(cursor)" : "a chunk is cut at offset \(cursor)"
                )
            }
            guard let size = chunkSize(stream[cursor..<lineEnd.lowerBound]) else {
                return (body, stream.count, "a malformed chunk size at offset \(cursor)")
            }
            cursor = lineEnd.upperBound
            if size == 0 {
                // Trailer fields up to an empty line, bounded; a capture that ends right after the last chunk
                // has the whole body.
                let limit = min(stream.count, cursor + maxTrailers)
                var line = cursor
                while let next = stream[line..<limit].firstRange(of: crlf) {
                    if next.lowerBound == line { return (body, next.upperBound, nil) }
                    line = next.upperBound
                }
                if limit < stream.count { return (body, stream.count, "chunked trailers over \(maxTrailers) bytes at offset \(cursor)") }
                return (body, stream.count, line == stream.count ? nil : "a chunked trailer is cut at offset \(line)")
            }
            guard size <= maxBody - body.count else {
                return (body, stream.count, "an HTTP body over \(maxBody) bytes (a chunk of \(size) bytes at offset \(cursor))")
            }
            let available = stream.count - cursor
            guard size <= available else {
                body += stream[cursor..<stream.count]
                return (body, stream.count, "a chunk is cut at offset \(cursor) (\(available) of \(size) bytes captured)")
            }
            body += stream[cursor..<cursor + size]
            cursor += size
            guard stream.count - cursor >= 2 else {
                return (body, stream.count, "a chunk is cut at offset \(cursor) (its CRLF is not in the capture)")
            }
            guard stream[cursor] == 13, stream[cursor + 1] == 10 else {
                return (body, stream.count, "a chunk does not end with CRLF at offset \(cursor)")
            }
            cursor += 2
        }
    }

    /// A Content-Length value: decimal digits only, at most 18 of them; `nil` for anything else.
    static func contentLength(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    /// The messages of one direction of a connection, each body at most `maxBody` bytes, and the problem that stopped
    /// the reading early. `version` is the protocol of the start lines: `HTTP` (HTTP/1.x), or `SIP` (SIP/2.0 over TCP,
    /// RFC 3261 §18.3: framed by `Content-Length`, compact `l` too, with keep-alive CRLFs between messages skipped).
    /// `requests` are the start lines of the requests these messages answer, in order: an answer to `HEAD` has no body
    /// whatever its `Content-Length` says (RFC 9112 §6.3), as 1xx, 204 and 304 answers have none.
    package static func parse(_ stream: [UInt8], maxBody: Int = 1 << 20, version: String = "HTTP", requests: [String] = []) -> (
        messages: [HTTPMessageView], problem: String?
    ) {
        var messages: [HTTPMessageView] = []
        var offset = 0
        let separator: [UInt8] = [13, 10, 13, 10]
        let sip = version == "SIP"
        while offset < stream.count, messages.count < maxMessages {
            if sip {
                // RFC 5626 §3.5.1 keep-alives: CRLFs between messages.
                while offset < stream.count, stream[offset] == 13 || stream[offset] == 10 { offset += 1 }
                if offset == stream.count { break }
            }
            let window = stream[offset..<min(stream.count, offset + 65_536)]
            guard let end = window.firstRange(of: separator) else {
                return (
                    messages,
                    window.count >= 65_536
                        ? "\(version) headers over 64 KiB at offset \(offset)"
                        : "a\(sip ? "" : "n") \(version) message is cut at offset \(offset)"
                )
            }
            let head = String(decoding: stream[offset..<end.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let startLine = lines.isEmpty ? "" : lines.removeFirst()
            let marker = sip ? "SIP/2.0" : "HTTP/1."
            guard startLine.hasPrefix(sip ? "SIP/2.0 " : "HTTP/") || startLine.contains(" \(marker)") else {
                return (messages, "not \(version) at offset \(offset)")
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
            }
            let cursor = end.upperBound
            func keep(_ body: [UInt8], complete: Bool) {
                messages.append(
                    HTTPMessageView(startLine: startLine, headers: headers, body: body, offset: offset, isComplete: complete, head: head))
            }
            let status = startLine.hasPrefix("HTTP/") ? startLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } : nil
            let answersHead = messages.count < requests.count && requests[messages.count].hasPrefix("HEAD ")
            if !sip, answersHead || status.map({ (100..<200).contains($0) || $0 == 204 || $0 == 304 }) == true {
                keep([], complete: true)
                offset = cursor
            } else if !sip, headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                let chunked = chunkedBody(stream, from: cursor, maxBody: maxBody)
                keep(chunked.body, complete: chunked.problem == nil)
                if let problem = chunked.problem { return (messages, problem) }
                offset = chunked.end
            } else if let text = headers["content-length"] ?? (sip ? headers["l"] : nil) {
                guard let length = contentLength(text) else {
                    keep([], complete: false)
                    return (messages, "a malformed Content-Length (\(text.prefix(40))) at offset \(offset)")
                }
                guard length <= maxBody else {
                    keep([], complete: false)
                    return (messages, "a\(sip ? " SIP" : "n HTTP") body of \(length) bytes is over \(maxBody)")
                }
                let available = stream.count - cursor
                guard length <= available else {
                    keep(Array(stream[cursor...]), complete: false)
                    return (messages, "an HTTP body is cut at offset \(cursor) (\(available) of \(length) bytes captured)")
                }
                keep(Array(stream[cursor..<cursor + length]), complete: true)
                offset = cursor + length
            } else {
                keep([], complete: true)
                offset = cursor
            }
        }
        return (messages, nil)
    }
}
