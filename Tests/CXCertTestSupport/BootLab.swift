import CXCertDirectory
import Foundation

@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertProbe

/// A site for the boot tests: real servers (dnsmasq, chrony, `openssl s_server`) and small liars
/// (`lab_stub.py`) on a loopback block of its own, 127.X.Y.0/24, so labs never share an address. Every
/// DNS, NTP and TLS peer is named explicitly; nothing asks the machine's resolver. `Scripts/test` runs the
/// suite inside a private network namespace.
final class BootLab: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var next = 0

    let prefix: String
    let directory: URL
    private let lock = NSLock()
    private var children: [ChildProcess.Running] = []

    init() throws {
        let index = Self.lock.withLock {
            Self.next += 1
            return Self.next
        }
        prefix = "127.\(100 + Int(getpid()) % 100).\(index)"
        directory = try makeTemporaryDirectory("boot-lab")
    }

    deinit { stop() }

    func address(_ last: Int) -> String { "\(prefix).\(last)" }

    /// Stops every server of the lab, each with its process group.
    func stop() {
        let running = lock.withLock {
            defer { children = [] }
            return children
        }
        for child in running { child.stop() }
    }

    /// Starts a server (stdout and stderr to a log in the lab's folder) and waits until `ready` holds for what
    /// it has printed; it runs until ``stop()``.
    ///
    /// - Parameters:
    ///   - arguments: the program and its arguments.
    ///   - environment: variables added to the test process's environment.
    ///   - ready: true once the server is ready, given its output so far.
    /// - Returns: the running server.
    /// - Throws: ``ChildProcess/Failure`` when it exits or is not ready within ten seconds.
    @discardableResult
    func launch(_ arguments: [String], environment: [String: String] = [:], ready: (_ log: String) -> Bool) throws -> ChildProcess.Running {
        let log = lock.withLock {
            directory.appendingPathComponent("\(URL(fileURLWithPath: arguments[0]).lastPathComponent)-\(children.count).log")
        }
        let child = try ChildProcess.start(
            arguments, in: directory,
            environment: environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 },
            log: log)
        lock.withLock { children.append(child) }
        try child.awaitReady(ready)
        return child
    }

    /// dnsmasq answering only from `lines` (host-record, srv-host, ...) on ADDRESS.53:53; never forwards.
    func dns(_ lines: [String], at last: Int = 53) throws -> DNSServer {
        let server = DNSServer(address: address(last), port: 53)
        let config =
            [
                "port=53", "listen-address=\(server.address)", "bind-interfaces", "no-resolv", "no-hosts", "local=/contoso.com/",
                "local=/fabrikam.com/", "local=/windows.com/", "local=/test/", "host-record=ready.test,127.0.0.1",
            ] + lines
        let file = "dnsmasq-\(last).conf"
        try directory.write(file, config.joined(separator: "\n") + "\n")
        // Its own pid file: the default /var/run/dnsmasq.pid is shared by every dnsmasq on the machine, and one left
        // there by another run can keep this one from starting.
        try launch([
            "dnsmasq", "--keep-in-foreground", "--conf-file=\(directory.appendingPathComponent(file).path)", "--user=root",
            "--pid-file=\(directory.appendingPathComponent("dnsmasq-\(last).pid").path)",
        ]) { _ in
            DNSClient.query("ready.test", type: .a, server: server, timeout: 0.3) == .addresses(["127.0.0.1"])
        }
        return server
    }

    /// chrony serving this machine's clock (never touching it: `-x`) on ADDRESS:123.
    func chrony(at last: Int) throws {
        let config = [
            "port 123", "bindaddress \(address(last))", "allow 127.0.0.0/8", "local stratum 8", "cmdport 0",
            "pidfile \(directory.appendingPathComponent("chronyd-\(last).pid").path)",
            "driftfile \(directory.appendingPathComponent("chrony-\(last).drift").path)",
        ]
        try directory.write("chrony-\(last).conf", config.joined(separator: "\n") + "\n")
        try launch(["chronyd", "-x", "-d", "-u", "root", "-f", directory.appendingPathComponent("chrony-\(last).conf").path]) { _ in
            if case .success(let response) = SNTPClient.query(address: address(last), port: 123, timeout: 0.3) {
                return !response.isUnsynchronized
            }
            return false
        }
    }

    /// `openssl s_server` as a phone-friendly server (TLS 1.0 and legacy suites allowed) on ADDRESS:PORT.
    func tls(at last: Int, port: Int, certificate: String, key: String, in pki: URL) throws {
        try launch([
            "openssl", "s_server", "-accept", "\(address(last)):\(port)", "-cert", pki.appendingPathComponent(certificate).path, "-key",
            pki.appendingPathComponent(key).path, "-cipher", "ALL:@SECLEVEL=0", "-min_protocol", "TLSv1", "-www", "-quiet",
        ]) { _ in
            (try? Prober.reach(address: address(last), port: port, timeout: 0.3)) != nil
        }
    }

    /// One of `lab_stub.py`'s liars on ADDRESS:PORT.
    func stub(_ mode: String, at last: Int, port: Int, _ extra: [String] = []) throws {
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/lab_stub.py").path
        // The stub prints its port once bound: that line is the readiness signal.
        try launch(["python3", script, mode, address(last), "\(port)"] + extra) { log in
            log.split(separator: "\n").contains { Int($0) != nil }
        }
    }
}

/// Certificates for the guide's lab (AD/DHCP domain contoso.com, SIP and SMTP domain fabrikam.com), issued
/// by the shared test PKI's SHA-1 root at test time.
enum BootFixtures {
    static let shared: Result<URL, any Error> = Result {
        let pki = try TestPKI.get()
        try pki.issue(
            "boot-pool", issuer: "root-sha1", subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: "sha256",
            extensions: [
                "subjectAltName=DNS:pool01.contoso.com,DNS:sip.fabrikam.com,DNS:ucupdates-r2.contoso.com,DNS:ucupdates-r2",
                "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
        try pki.issue(
            "boot-pool-sha1", issuer: "root-sha1", subject: "/CN=pool01.fabrikam.com", key: "leaf.key", digest: "sha1",
            extensions: [
                "subjectAltName=DNS:pool01.fabrikam.com,DNS:sip.fabrikam.com,DNS:ucupdates-r2.contoso.com,DNS:ucupdates-r2",
                "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
        try pki.issue(
            "boot-mail", issuer: "root-sha1", subject: "/CN=mail.fabrikam.com", key: "leaf.key", digest: "sha256",
            extensions: [
                "subjectAltName=DNS:mail.fabrikam.com,DNS:autodiscover.fabrikam.com", "extendedKeyUsage=serverAuth",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
        try pki.issue(
            "boot-wildcard", issuer: "root-sha1", subject: "/CN=*.fabrikam.com", key: "leaf.key", digest: "sha1",
            extensions: [
                "subjectAltName=DNS:*.fabrikam.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
        return pki.directory
    }

    static func directory() throws -> URL { try shared.get() }

    static func root() throws -> TrustAnchor {
        TrustAnchor(certificate: try TestPKI.get().certificate("root-sha1.pem"), source: .user(file: "root-sha1.pem"))
    }

    /// A directory read whose one `certificationAuthority` entry publishes the SHA-1 root.
    static func directoryRead() throws -> DirectoryRead {
        let entry = DirectoryEntry(
            dn: "CN=Contoso Root,CN=Certification Authorities,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=com",
            attributes: ["cACertificate": [try TestPKI.get().certificate("root-sha1.pem").der]])
        return DirectoryRead(place: "test directory", entries: [entry])
    }
}
