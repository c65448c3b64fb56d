import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// Hostile and broken input must give a specific error, never a crash or a hang.
@Suite("Malformed input gives errors, never crashes")
struct MalformedInputTests {
    /// A small certificate (P-256 key, no extensions) keeps the exhaustive loops short.
    static let small: Result<[UInt8], any Error> = Result {
        let pki = try TestPKI.get()
        return [UInt8](
            try pki.openssl(["req", "-x509", "-new", "-key", "ec256.key", "-subj", "/CN=s", "-days", "1", "-outform", "DER"]))
    }

    static func smallCertificate() throws -> [UInt8] { try small.get() }

    @Test("every truncation of a DER certificate is reported with its offset")
    func truncations() throws {
        let der = try Self.smallCertificate()
        let decoder = CertificateDecoder()
        for length in 1..<der.count {
            #expect(throws: CertificateDecodingError.self, "length \(length)") {
                try decoder.decode(Array(der.prefix(length)))
            }
        }
        let error = #expect(throws: CertificateDecodingError.self) { try decoder.decode(Array(der.prefix(100))) }
        #expect(error == .truncated(offset: 0, needed: der.count, available: 100))
        #expect(error?.description.contains("truncated DER at offset 0") == true)
    }

    @Test("every single-bit flip either decodes or throws")
    func bitFlips() throws {
        let der = try Self.smallCertificate()
        let decoder = CertificateDecoder()
        var failures = 0
        for index in der.indices {
            for bit in 0..<8 {
                var copy = der
                copy[index] ^= 1 << bit
                do { _ = try decoder.decode(copy) } catch { failures += 1 }
            }
        }
        // Most flips in the header and structure must be caught; flips in the signature bits are not a parse error.
        #expect(failures > 0)
    }

    @Test("a length that overflows the input or uses too many bytes")
    func wrongLengths() throws {
        var der = try Self.smallCertificate()
        der[1] = 0x84
        let overflow = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00])
        }
        #expect(overflow == .truncated(offset: 0, needed: 6 + 0xFFFF_FFFF, available: 7))
        let huge = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        }
        #expect(huge == .malformedDER(offset: 1, reason: "length uses 9 bytes; no certificate needs more than 4"))
        #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(der) }
    }

    @Test("trailing bytes after a certificate")
    func trailing() throws {
        let der = try Self.smallCertificate()
        let error = #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(der + [0, 0]) }
        #expect(error == .trailingData(offset: der.count, count: 2))
    }

    @Test("10,000-deep BER nesting stops at the depth limit")
    func deepNesting() {
        let depth = 10_000
        let bytes =
            Array([[UInt8]](repeating: [0x30, 0x80], count: depth).joined())
            + [UInt8](repeating: 0, count: depth * 2)
        let error = #expect(throws: CertificateDecodingError.self) {
            // A PKCS#7 ContentInfo whose SignedData is nested garbage.
            try CertificateDecoder().decode(
                [0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x80] + bytes
                    + [0, 0, 0, 0])
        }
        #expect(error?.description.contains("nested deeper than 64 levels") == true)
    }

    @Test("PKCS#7 that is not SignedData names its content type")
    func envelopedData() throws {
        let pki = try TestPKI.get()
        try pki.directory.write("message.txt", "hello")
        try pki.openssl([
            "smime", "-encrypt", "-in", "message.txt", "-outform", "DER", "-out", "enveloped.p7m", "leaf.pem",
        ])
        let error = #expect(throws: CertificateDecodingError.self) {
            try CertificateDecoder().decode(contentsOf: pki.url("enveloped.p7m"))
        }
        #expect(error == .notSignedData(contentType: "envelopedData (1.2.840.113549.1.7.3)"))
    }

    @Test("base64 that does not decode names line and column")
    func badBase64() throws {
        let text = "MIIB\nMIIB*xyz\n"
        let error = #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(Array(text.utf8)) }
        #expect(error == .invalidBase64(line: 2, column: 5, reason: "'*' is not a base64 character"))
        let pem = "-----BEGIN CERTIFICATE-----\nMII%\n-----END CERTIFICATE-----\n"
        let inPEM = #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(Array(pem.utf8)) }
        #expect(
            inPEM?.description
                == "PEM block CERTIFICATE at line 1: base64 does not decode (line 2, column 4): '%' is not a base64 character")
    }

    @Test("PEM problems: unterminated block, mismatched END, no certificate")
    func pemProblems() {
        let decoder = CertificateDecoder()
        let open = #expect(throws: CertificateDecodingError.self) {
            try decoder.decode(Array("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8))
        }
        #expect(open == .pem(line: 1, reason: "BEGIN CERTIFICATE has no matching END line"))
        let mismatch = #expect(throws: CertificateDecodingError.self) {
            try decoder.decode(Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END PKCS7-----\n".utf8))
        }
        #expect(mismatch == .pem(line: 3, reason: "-----END PKCS7----- closes BEGIN CERTIFICATE from line 1"))
        let none = #expect(throws: CertificateDecodingError.self) {
            try decoder.decode(Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8))
        }
        #expect(none == .noCertificate("no CERTIFICATE or PKCS7 PEM block (only PRIVATE KEY block at line 1)"))
    }

    @Test("empty, binary junk, oversize input")
    func junk() {
        let decoder = CertificateDecoder(limits: .init(maxInputBytes: 1000))
        #expect(throws: CertificateDecodingError.empty) { try decoder.decode([]) }
        #expect(throws: CertificateDecodingError.tooLarge(size: 1001, limit: 1000)) {
            try decoder.decode([UInt8](repeating: 0x41, count: 1001))
        }
        let junk = #expect(throws: CertificateDecodingError.self) { try decoder.decode([0xFF, 0x00, 0x13, 0x37, 0xC3]) }
        #expect(junk?.description.hasPrefix("the input is neither DER") == true)
    }

    @Test("XML: entity bombs are refused, faults and failures are reported")
    func xml() throws {
        let decoder = CertificateDecoder()
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <GetRootCertChainsResponse>&lol2;</GetRootCertChainsResponse>
            """
        let refused = #expect(throws: CertificateDecodingError.self) { try decoder.decode(Array(bomb.utf8)) }
        #expect(refused == .xml(line: 2, reason: "DOCTYPE and entity declarations are refused (they enable entity-expansion attacks)"))
        let fault = """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
            <faultcode>s:Client</faultcode><faultstring>Access denied</faultstring></s:Fault></s:Body></s:Envelope>
            """
        #expect(throws: CertificateDecodingError.soapFault("Access denied")) { try decoder.decode(Array(fault.utf8)) }
        let failed = #"<GetRootCertChainsResponse ResponseClass="Error" xmlns=""/>"#
        #expect(throws: CertificateDecodingError.soapFault(#"GetRootCertChainsResponse ResponseClass="Error""#)) {
            try decoder.decode(Array(failed.utf8))
        }
        let unclosed = #expect(throws: CertificateDecodingError.self) {
            try decoder.decode(Array("<a:Chain xmlns:a=\"x\">\nAAAA".utf8))
        }
        #expect(unclosed == .xml(line: 2, reason: "<a:Chain> is never closed"))
        let deep = String(repeating: "<a>", count: 10_000)
        let tooDeep = #expect(throws: CertificateDecodingError.self) { try decoder.decode(Array(deep.utf8)) }
        #expect(tooDeep == .xml(line: 1, reason: "elements nested deeper than 256 levels"))
    }

    @Test("a broken certificate inside a bundle names its position")
    func brokenMember() throws {
        let fixtures = try FormatFixtures.shared.get()
        var p7 = [UInt8](try fixtures.pki.directory.read("chain.p7b"))
        // Corrupt the first certificate's signature algorithm OID tag deep inside the bundle.
        let reader = DERReader(p7)
        let outer = try reader.element(at: 0)
        let signed = try reader.children(of: try reader.children(of: outer)[1])[0]
        let certs = try reader.children(of: signed).first { $0.tag == 0xA0 }!
        let first = try reader.children(of: certs)[0]
        p7[first.contentStart] = 0x04
        let error = #expect(throws: CertificateDecodingError.self) { try CertificateDecoder().decode(p7) }
        #expect(error?.description.hasPrefix("PKCS#7 certificate 1 at offset \(first.headerStart): ") == true)
    }
}
