import Foundation
import Testing

@testable import CXCertCapture
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertTestSupport

/// HTTP in captures: chunked and Content-Length bodies, whole, cut or lying about their sizes, read without a trap
/// (captures built in the test, byte by byte, with ``TestCapture``).
@Suite("HTTP bodies in captures: chunked, cut and lying")
struct CaptureHTTPTests {
    /// One DHCPINFORM with vendor class MS-UC-Client, then `GET /ucdevice.upx` on port 80 and this answer.
    static func deviceUpdateCapture(answer: [UInt8]) -> [UInt8] {
        let phone: [UInt8] = [10, 0, 0, 2]
        let server: [UInt8] = [10, 0, 0, 1]
        let inform = DHCPMessage.inform(
            transactionID: 0x1234_5678, hardwareAddress: TestCapture.phoneMAC, clientAddress: phone, vendorClass: "MS-UC-Client",
            requested: [1, 3, 6, 15, 42, 43, 119, 120]
        ).encoded()
        let request = Array("GET /RequestHandler/ucdevice.upx HTTP/1.1\r\nHost: ucupdates-r2.contoso.com\r\n\r\n".utf8)
        return TestCapture.pcap([
            TestCapture.frame(from: phone, 68, to: [255, 255, 255, 255], 67, payload: inform),
            TestCapture.frame(from: phone, 40000, to: server, 80, tcp: (999, 0x02), payload: []),
            TestCapture.frame(from: server, 80, to: phone, 40000, tcp: (4999, 0x12), payload: []),
            TestCapture.frame(from: phone, 40000, to: server, 80, tcp: (1000, 0x18), payload: request),
            TestCapture.frame(from: server, 80, to: phone, 40000, tcp: (5000, 0x18), payload: answer),
        ])
    }

    static func read(_ capture: [UInt8]) throws -> CaptureReport {
        let folder = try makeTemporaryDirectory("capture")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("chunked.pcap")
        try Data(capture).write(to: file)
        return try CaptureReader(options: .init(device: "cx700")).read(paths: [file.path])
    }

    static let chunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"

    // MARK: 1. Chunked HTTP in captures

    @Test(
        "A chunked answer cut or lying about its sizes is a finding, never a trap",
        arguments: [
            ("5\r\nhello", "its CRLF is not in the capture"),  // the capture stopped inside the download
            ("5\r\nhel", "3 of 5 bytes captured"),
            ("-1\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
            ("5\r\nhello\r\n7fffffffffffffff\r\nxx\r\n", "malformed chunk size"),  // 16 digits: refused before any sum
            ("5\r\nhello\r\nfffffffffffffff\r\nxx\r\n", "over 1048576 bytes"),
            ("5\r\nhelloXY0\r\n\r\n", "does not end with CRLF"),
            ("0x5\r\nhello\r\n", "malformed chunk size"),
            ("5", "a chunk is cut"),
            (String(repeating: "0", count: 2000) + "\r\n", "chunk-size line over 1024 bytes"),
        ])
    func chunkedCapture(body: String, expected: String) throws {
        let report = try Self.read(Self.deviceUpdateCapture(answer: Array((Self.chunkedHead + body).utf8)))
        let reasons = report.findings.compactMap { finding -> String? in
            if case .captureGap(_, _, _, _, _, let reason) = finding.detail.captureFacts { return reason }
            return nil
        }
        #expect(reasons.contains { $0.contains(expected) }, "\(reasons)")
        // The phone and its request are still read (the Device Update check is its own step), and the cut answer is said
        // to be cut and not decoded.
        let phone = try #require(report.phones.first)
        let update = try #require(phone.trace.steps.first { $0.kind == .deviceUpdateRequest })
        #expect(update.notes.contains { $0.contains("answer: HTTP/1.1 200 OK") }, "\(update.notes)")
        #expect(update.notes.contains { $0.contains("cut in the capture: not decoded") }, "\(update.notes)")
    }

    @Test("A whole chunked answer is read, its trailers skipped, and the next message follows")
    func chunkedWhole() {
        let stream = Array(
            (Self.chunkedHead + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n").utf8)
        let parsed = HTTPMessageView.parse(stream)
        #expect(parsed.problem == nil)
        #expect(parsed.messages.map(\.body) == [Array("hello world".utf8), []])
        #expect(parsed.messages.map(\.isComplete) == [true, true])
        #expect(parsed.messages.last?.status == 204)
        // A capture that ends right after the last chunk has the whole body.
        let ended = HTTPMessageView.parse(Array((Self.chunkedHead + "2\r\nok\r\n0\r\n").utf8))
        #expect(ended.problem == nil && ended.messages.first?.body == Array("ok".utf8) && ended.messages.first?.isComplete == true)
    }

    @Test("Content-Length is read as digits only; a cut body is kept as cut")
    func contentLength() {
        func parse(_ length: String, _ body: String) -> (messages: [HTTPMessageView], problem: String?) {
            HTTPMessageView.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\n\r\n\(body)".utf8), maxBody: 1024)
        }
        #expect(parse("5", "hello").messages.first?.body == Array("hello".utf8))
        for bad in ["-5", "+5", "0x5", "5, 5", "99999999999999999999", ""] {
            let parsed = parse(bad, "hello")
            #expect(parsed.problem?.contains("malformed Content-Length") == true, "\(bad)")
            #expect(parsed.messages.first?.isComplete == false)
        }
        #expect(parse("2000", "x").problem?.contains("over 1024") == true)
        let cut = parse("10", "hello")
        #expect(cut.problem?.contains("5 of 10 bytes captured") == true && cut.messages.first?.body == Array("hello".utf8))
    }

    @Test("Every prefix of a chunked answer parses without a trap, within the body limit")
    func chunkedPrefixes() {
        let stream = Array((Self.chunkedHead + "5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n").utf8)
        for end in 0...stream.count {
            let parsed = HTTPMessageView.parse(Array(stream[..<end]), maxBody: 16)
            #expect(parsed.messages.allSatisfy { $0.body.count <= 16 })
            #expect(parsed.messages.allSatisfy(\.isComplete) || parsed.problem != nil)
        }
    }
}
