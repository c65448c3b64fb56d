import Foundation
import Testing

@testable import CXCertDirectory
@testable import CXCertTestSupport

/// A loopback HTTP server on 127.0.0.1 (a port of its own) that answers every request with the same bytes,
/// closes the connection, and keeps what it was asked.
final class CannedHTTPServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let answer: [UInt8]
    private let lock = NSLock()
    private var received: [String] = []
    private let done = DispatchSemaphore(value: 0)

    init(answer: [UInt8]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(fd >= 0 && bound && listen(fd, 8) == 0)
        port = Int(UInt16(bigEndian: address.sin_port))
        self.answer = answer
        Thread.detachNewThread { [self] in serve() }
    }

    /// Every request read so far, as text.
    var requests: [String] { lock.withLock { received } }

    private func serve() {
        defer { done.signal() }
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) && request.count < 1 << 16 {
                let count = read(client, &buffer, buffer.count)
                guard count > 0 else { break }
                request += buffer[0..<count]
            }
            lock.withLock { received.append(String(decoding: request, as: UTF8.self)) }
            var sent = 0
            while sent < answer.count {
                let count = answer[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                sent += count
            }
            close(client)
        }
    }

    /// Stops accepting and waits for the server's thread.
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        _ = done.wait(timeout: .now() + 5)
    }
}

/// What the walk's HTTP requests ask of libcurl: the exact A-label pinned, nothing left for a resolver.
@Suite("The walk's HTTP: pinned hosts, refused ones")
struct WalkHTTPTests {
    static func redirect(to location: String, bodyBytes: Int = 0) -> [UInt8] {
        Array("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: \(bodyBytes)\r\n\r\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: bodyBytes)
    }

    @Test("The host libcurl uses is read from the URL's text: the A-label, never Foundation's decoded name")
    func targets() throws {
        #expect(try HTTPFetcher.target(of: "http://xn--bcher-kva.example/") == ("xn--bcher-kva.example", 80))
        #expect(try HTTPFetcher.target(of: "HTTPS://u:p@XN--BCHER-KVA.Example.:8443/a?b#c") == ("xn--bcher-kva.example", 8443))
        #expect(try HTTPFetcher.target(of: "https://[::1]/x") == ("::1", 443))
        #expect(try HTTPFetcher.target(of: "http://10.0.0.5:8080") == ("10.0.0.5", 8080))
        for url in ["http://bücher.example/", "http://b%C3%BCcher.example/", "http:///x", "http://a..b/", "http://[nope]/"] {
            #expect {
                try HTTPFetcher.target(of: url)
            } throws: { error in
                if case .unsupportedHost(url, _) = error as? HTTPError { true } else { false }
            }
        }
        for url in ["ftp://a/", "http://a:99999/", "http://a:0/", "http://a:+5/", "http://a:5:6/", "a.example/x"] {
            #expect(throws: HTTPError.invalidURL(url)) { try HTTPFetcher.target(of: url) }
        }
        // Exactly that host (and its trailing-dot spelling) is pinned, to the address the walk resolved.
        #expect(
            HTTPFetcher.pins(host: "xn--bcher-kva.example", port: 80, address: "10.0.0.5") == [
                "xn--bcher-kva.example:80:10.0.0.5", "xn--bcher-kva.example.:80:10.0.0.5",
            ])
        #expect(
            HTTPFetcher.pins(host: "a.example", port: 443, address: "fd00::5") == ["a.example:443:[fd00::5]", "a.example.:443:[fd00::5]"])
    }

    @Test("A host the pins do not cover is refused before libcurl asks any resolver")
    func unpinnedRefused() throws {
        let server = try CannedHTTPServer(answer: Self.redirect(to: "/next"))
        defer { server.stop() }
        let url = "http://xn--bcher-kva.example:\(server.port)/"
        #expect(throws: HTTPError.unpinnedHost(url: url, host: "xn--bcher-kva.example")) {
            // The pin the old code made: the decoded name.
            try HTTPFetcher.answer(url, pins: ["bücher.example:\(server.port):127.0.0.1"], timeout: 5)
        }
        #expect(server.requests.isEmpty, "nothing fetched")
        #expect(throws: HTTPError.unsupportedHost(url: "http://bücher.example/", host: "bücher.example")) {
            try HTTPFetcher.answer("http://bücher.example/", address: "127.0.0.1", timeout: 5)
        }
        #expect(HTTPError.unpinnedHost(url: url, host: "xn--bcher-kva.example").description.contains("machine's resolver"))
    }
}

/// The walk's HTTP against a server on loopback (loopback is down in a bare `unshare -n`, so these are integration tests).
@Suite("The walk's HTTP against a loopback server", .integration, .tags(.integration))
struct WalkHTTPLoopbackTests {
    @Test("A Punycode host is fetched from the pinned address, with no resolver asked")
    func punycodePinned() throws {
        let server = try CannedHTTPServer(answer: WalkHTTPTests.redirect(to: "https://autodiscover.contoso.com/a.xml"))
        defer { server.stop() }
        // Before the fix the pin was made under `bücher.example`; libcurl missed it and asked the machine's resolver.
        let answer = try HTTPFetcher.answer("http://xn--bcher-kva.example:\(server.port)/autodiscover", address: "127.0.0.1", timeout: 5)
        #expect(answer == HTTPFetcher.Answer(status: 302, location: "https://autodiscover.contoso.com/a.xml"))
        #expect(server.requests.first?.contains("Host: xn--bcher-kva.example:\(server.port)\r\n") == true, "\(server.requests)")
        // An IP literal and a trailing dot are pinned as well.
        #expect(try HTTPFetcher.answer("http://127.0.0.1:\(server.port)/", address: "127.0.0.1", timeout: 5).status == 302)
        #expect(try HTTPFetcher.answer("http://a.example.:\(server.port)/", address: "127.0.0.1", timeout: 5).status == 302)
    }

    @Test("A 302 whose body is over 64 KiB keeps its Location; a relative one is made absolute")
    func largeRedirectBody() throws {
        let server = try CannedHTTPServer(answer: WalkHTTPTests.redirect(to: "http://next.example/autodiscover.xml", bodyBytes: 200 << 10))
        defer { server.stop() }
        let answer = try HTTPFetcher.answer("http://a.example:\(server.port)/", address: "127.0.0.1", timeout: 5)
        #expect(answer == HTTPFetcher.Answer(status: 302, location: "http://next.example/autodiscover.xml"))
        let relative = try CannedHTTPServer(answer: WalkHTTPTests.redirect(to: "/other/path?q=1", bodyBytes: 100 << 10))
        defer { relative.stop() }
        let second = try HTTPFetcher.answer("http://b.example:\(relative.port)/start", address: "127.0.0.1", timeout: 5)
        #expect(second.location == "http://b.example:\(relative.port)/other/path?q=1")
    }
}
