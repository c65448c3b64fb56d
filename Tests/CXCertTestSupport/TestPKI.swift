import Foundation

@testable import CXCertCore

/// Certificates made with the real `openssl` command, once per test process, in a temp directory.
///
/// `issue(...)` makes any leaf or CA the tests need; the fixed "Contoso" hierarchy mirrors the guide's
/// internal enterprise CA.
struct TestPKI: Sendable {
    let directory: URL

    static let shared: Result<TestPKI, any Error> = Result { try TestPKI.build() }

    static func get() throws -> TestPKI { try shared.get() }

    /// Key files are reused across certificates so fixture generation stays fast.
    static func build() throws -> TestPKI {
        let pki = TestPKI(directory: try makeTemporaryDirectory("pki"))
        for bits in [1024, 2048, 4096] {
            try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", "rsa\(bits).key"])
        }
        try pki.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec256.key"])
        try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "leaf.key"])
        try pki.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.key"])
        try pki.selfSigned("root", subject: "/DC=com/DC=contoso/CN=Contoso Root CA", key: "rsa2048.key", digest: "sha256")
        try pki.selfSigned("root-sha1", subject: "/DC=com/DC=contoso/CN=Contoso Root CA SHA1", key: "rsa2048.key", digest: "sha1")
        try pki.issue(
            "inter", issuer: "root", subject: "/DC=com/DC=contoso/CN=Contoso Issuing CA", key: "rsa2048.key",
            extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.issue(
            "leaf", issuer: "inter", subject: "/C=US/O=Contoso/CN=pool01.contoso.com", key: "leaf.key",
            extensions: [
                "subjectAltName=DNS:pool01.contoso.com,DNS:ucupdates-r2.contoso.com,DNS:ucupdates-r2,IP:10.0.0.5,IP:2001:db8::1,URI:https://pool01.contoso.com/,email:admin@contoso.com",
                "extendedKeyUsage=serverAuth,clientAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
                "crlDistributionPoints=URI:http://pki.contoso.com/crl/issuing.crl",
                "authorityInfoAccess=OCSP;URI:http://ocsp.contoso.com/,caIssuers;URI:http://pki.contoso.com/issuing.cer",
            ])
        return pki
    }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The certificates in a PEM file made by this PKI.
    func certificates(_ name: String) throws -> [Certificate] {
        try CertificateDecoder().decode(contentsOf: url(name)).certificates
    }

    func certificate(_ name: String) throws -> Certificate {
        guard let first = try certificates(name).first else { throw Shell.Failure(description: "\(name) holds no certificate") }
        return first
    }

    /// Issues `name` once per process, however many tests ask for it.
    func ensure(_ name: String, _ make: () throws -> Void) throws {
        try TestPKI.lock.withLock {
            if !FileManager.default.fileExists(atPath: url("\(name).pem").path) { try make() }
        }
    }

    static let lock = NSLock()

    @discardableResult
    func openssl(_ arguments: [String], input: Data? = nil) throws -> Data {
        try Shell.run(["openssl"] + arguments, in: directory, input: input)
    }

    /// A self-signed CA certificate `name.pem`.
    func selfSigned(_ name: String, subject: String, key: String, digest: String, days: Int = 3650, extra: [String] = []) throws {
        try openssl(
            [
                "req", "-x509", "-new", "-key", key, "-subj", subject, "-\(digest)", "-days", "\(days)", "-out", "\(name).pem",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ] + extra)
        try directory.write("\(name).keyfile", key)
    }

    /// A certificate `name.pem` signed by `issuer` (whose key is `issuer.keyfile`, recorded at creation).
    func issue(
        _ name: String, issuer: String, subject: String, key: String, digest: String = "sha256",
        extensions: [String] = [], days: Int = 825,
        sigopts: [String] = []
    ) throws {
        let issuerKey = try String(contentsOf: url("\(issuer).keyfile"), encoding: .utf8)
        try openssl(["req", "-new", "-key", key, "-subj", subject, "-out", "\(name).csr"])
        // Key identifiers, as every real CA adds them (RFC 5280 strict mode requires them).
        let identifiers = ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
        let config = "[ext]\n" + (identifiers + extensions).joined(separator: "\n") + "\n"
        try directory.write("\(name).ext", config)
        var arguments = [
            "x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", issuerKey, "-set_serial",
            "0x\(UUID().uuidString.prefix(8))", "-\(digest)", "-extfile", "\(name).ext", "-extensions", "ext", "-out",
            "\(name).pem",
        ]
        arguments += sigopts.flatMap { ["-sigopt", $0] }
        arguments += ["-days", "\(days)"]
        try openssl(arguments)
        try directory.write("\(name).keyfile", key)
    }

    /// SHA-256 fingerprints of every certificate in a PEM file, as openssl computes them.
    func opensslFingerprints(ofPEM file: String) throws -> [String] {
        let text = try String(contentsOf: url(file), encoding: .utf8)
        return try pemBlocks(text).map { block in
            let line = try Shell.text(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input: Data(block.utf8))
            return line.split(separator: "=").last!.replacingOccurrences(of: ":", with: "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private func pemBlocks(_ text: String) throws -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("-----BEGIN CERTIFICATE-----") {
                current = [line]
            } else if current != nil {
                current!.append(line)
                if line.hasPrefix("-----END CERTIFICATE-----") {
                    blocks.append(current!.joined(separator: "\n") + "\n")
                    current = nil
                }
            }
        }
        return blocks
    }
}
