import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertProbe
@testable import CXCertTestSupport

/// Each C adapter throws its own error (OpenSSL, TLS, HTTP, LDAP); domain errors carry it as their cause
/// and read as they did when they only held a string.
@Suite("Adapter errors: the whole OpenSSL stack, typed TLS, HTTP and LDAP causes")
struct AdapterErrorTests {
    @Test("a refused DER parse keeps every queued OpenSSL error, oldest first, and leaves the queue empty")
    func openSSLStack() throws {
        // A SEQUENCE holding one INTEGER: DER, but not a certificate; OpenSSL queues one error per ASN.1 level.
        let error = #expect(throws: OpenSSLError.self) { try X509Handle(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        let stack = try #require(error?.stack)
        #expect(stack.count >= 2, "\(stack)")
        #expect(stack.allSatisfy { $0.code != 0 && $0.library == "asn1 encoding routines" }, "\(stack)")
        #expect(error?.description == stack[0].reasonText)
        #expect(error?.fullDescription == stack.map(\.description).joined(separator: "; "))
        #expect(Set(stack.map(\.reasonText)).count >= 2, "the deeper reasons differ from the first: \(stack)")
        #expect(OpenSSLError.drain(or: "nothing queued") == OpenSSLError(stack: [], fallback: "nothing queued"))
        #expect(OpenSSLError.drain(or: "nothing queued").description == "nothing queued")
    }

    @Test("an OpenSSL entry names library, reason, data, function and place when known")
    func openSSLEntry() {
        let full = OpenSSLError.Entry(
            code: 0x0A00_010B, library: "SSL routines", reason: "wrong version number", file: "ssl/record/ssl3_record.c", line: 354,
            function: "ssl3_get_record", data: "peer")
        #expect(full.description == "SSL routines: wrong version number (peer) [ssl3_get_record ssl/record/ssl3_record.c:354]")
        let bare = OpenSSLError.Entry(code: 0xABC, library: nil, reason: nil)
        #expect(bare.description == "error 0xabc")
        #expect(OpenSSLError(stack: [bare, full], fallback: "x").description == "error 0xabc")
    }

    @Test("TLS errors read as probe errors did, and say whether a server was reached at all")
    func tlsWording() {
        let cause = OpenSSLError(
            stack: [.init(code: 0x0A00_010B, library: "SSL routines", reason: "wrong version number")], fallback: "handshake failed")
        let cases: [(TLSError, String, Bool)] = [
            (
                .cannotResolve(host: "pool.invalid", reason: "Name or service not known"),
                "cannot resolve pool.invalid: Name or service not known", true
            ),
            (.refused("127.0.0.1:1"), "127.0.0.1:1: connection refused (nothing listens on that port)", true),
            (.unreachable("10.0.0.1:443", reason: "No route to host"), "10.0.0.1:443: unreachable (No route to host)", true),
            (.timeout("h:443", seconds: 2.5), "h:443: no complete answer within 2.5 s", true),
            (.notTLS("h:443", cause), "h:443: the server does not speak TLS on this port (wrong version number)", false),
            (.handshakeRefused("h:443", cause), "h:443: the server refused the handshake (wrong version number)", false),
            (.closedEarly("h:443"), "h:443: the server closed the connection during the handshake", false),
            (.tooLarge("h:443", cause), "h:443: the server's handshake is too large (wrong version number)", false),
            (.setup("h:443", reason: "no usable cipher in 'X'", cause: cause), "h:443: TLS error: no usable cipher in 'X'", false),
            (.failed("h:443", cause), "h:443: TLS error: wrong version number", false),
        ]
        for (error, text, unreachable) in cases {
            #expect(error.description == text)
            #expect(ProbeError.connection(error).description == text)
            #expect(error.isUnreachable == unreachable, "\(error)")
            #expect(ProbeError.connection(error).isUnreachable == unreachable)
        }
        #expect(TLSError.notTLS("h:443", cause).openSSL == cause)
        #expect(TLSError.refused("h:443").openSSL == nil)
        #expect(ProbeError.invalidTarget("h:0").isUnreachable)
    }

    @Test("a closed loopback port is libcurl's CURLE_COULDNT_CONNECT (7) with the URL and curl's words")
    func curlFailure() throws {
        let url = "http://127.0.0.1:1/certsrv/"
        let error = #expect(throws: HTTPError.self) { try HTTPFetcher.get(url, limits: .init(maxBodyBytes: 1024, timeout: 5)) }
        guard case .curl(let failedURL, let code, let message)? = error else {
            Issue.record("expected a curl failure, got \(String(describing: error))")
            return
        }
        #expect(failedURL == url)
        #expect(code == 7)
        #expect(message == "Couldn't connect to server")
        #expect(error?.description == "\(url): Couldn't connect to server")
        #expect(DirectoryError.http(try #require(error)).description == error?.description)
        #expect(DirectoryError.http(try #require(error)).httpCause == error)
        #expect(throws: HTTPError.invalidURL("no-host")) { try HTTPFetcher.answer("no-host", address: "127.0.0.1", timeout: 1) }
    }

    @Test("HTTP status errors explain a 401 by whether Basic was withheld")
    func httpStatusWording() {
        #expect(HTTPError.status(url: "http://x/", code: 500, basicWithheld: true).description == "http://x/: HTTP 500")
        #expect(
            HTTPError.status(url: "https://x/", code: 401, basicWithheld: false).description
                == "https://x/: HTTP 401 (authentication required or refused)")
        #expect(
            HTTPError.status(url: "http://x/", code: 401, basicWithheld: true).description.hasSuffix("--http-basic-in-clear allows it)"))
        #expect(HTTPError.bodyTooLarge(url: "http://x/", limit: 10).url == "http://x/")
        #expect(HTTPError.cannotStart.url == nil)
    }

    @Test("an LDAP result keeps code, libldap's text, the trimmed diagnostic and the matched DN")
    func ldapWording() {
        let cause = LDAPError(code: 50, operation: "add CN=X,CN=AIA", diagnostic: " 00002098: SecErr: DSID-03150F94\n", matchedDN: "")
        #expect(cause.message == "Insufficient access")
        #expect(cause.diagnostic == "00002098: SecErr: DSID-03150F94")
        #expect(cause.matchedDN == nil)
        #expect(cause.description == "LDAP error 50 during add CN=X,CN=AIA: Insufficient access (00002098: SecErr: DSID-03150F94)")
        #expect(DirectoryError.ldap(cause).description == cause.description)
        #expect(DirectoryError.ldap(cause).ldapCause == cause)
        let bind = LDAPError(code: 49, operation: "bind as u", diagnostic: nil, matchedDN: nil)
        #expect(
            DirectoryError.invalidCredentials(bind).description
                == "the directory refused the bind (wrong user name or password): Invalid credentials")
        #expect(DirectoryError.noSuchObject("CN=Gone").description == "no such object: CN=Gone")
        #expect(DirectoryError.noSuchObject("CN=Gone").ldapCause == nil)
        #expect(DirectoryError.sizeLimit(3).ldapCause == nil)
    }
}
