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
    private var processes: [Process] = []
    /// Servers started behind a shell, killed by the pid they write.
    private var pidFiles: [URL] = []
    /// The shell in front of each such server: it exits when the server does.
    private var shells: [URL: Process] = [:]

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

    /// Starts a server behind a shell and returns the file holding its pid. Run as direct children of the test
    /// process, programs that change user or close every descriptor at start (dnsmasq, tcpdump) stop Foundation
    /// from noticing when later children exit, and a CLI run then waits for ever on a zombie.
    @discardableResult
    func launchBehindShell(_ arguments: [String], environment: [String: String] = [:], ready: (_ log: String) -> Bool) throws -> URL {
        let pidFile = directory.appendingPathComponent("\(UUID().uuidString).pid")
        pidFiles.append(pidFile)
        shells[pidFile] = try launch(
            ["sh", "-c", "\"$@\" & echo $! > '\(pidFile.path)'; wait", "sh"] + arguments, environment: environment, ready: ready)
        return pidFile
    }

    /// Sends `signal` to a `launchBehindShell` server and joins its shell (which exits with it), for at most
    /// `seconds`. True when it ended in time.
    @discardableResult
    func signal(_ pidFile: URL, _ signal: Int32, waitingUpTo seconds: TimeInterval = 5) -> Bool {
        guard let pid = pid(pidFile), let shell = shells[pidFile] else { return false }
        kill(pid, signal)
        let ended = DispatchSemaphore(value: 0)
        Thread {
            shell.waitUntilExit()
            ended.signal()
        }.start()
        return ended.wait(timeout: .now() + seconds) == .success
    }

    /// The pid a `launchBehindShell` server wrote.
    func pid(_ file: URL) -> Int32? {
        (try? String(contentsOf: file, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func stop() {
        for file in pidFiles {
            if let text = try? String(contentsOf: file, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
        }
        pidFiles = []
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes = []
    }

    @discardableResult
    func launch(_ arguments: [String], environment: [String: String] = [:], ready: (_ log: String) -> Bool) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("\(arguments[0])-\(processes.count).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
        processes.append(process)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if ready((try? String(contentsOf: log, encoding: .utf8)) ?? "") { return process }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw Shell.Failure(description: "\(arguments.joined(separator: " ")) did not become ready: \(output)")
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
        let pidFile = directory.appendingPathComponent("dnsmasq-\(last).pid")
        pidFiles.append(pidFile)
        // Behind a shell: run as a direct child of the test process, dnsmasq stops Foundation from noticing
        // when later children exit (a CLI run then waits for ever on a zombie).
        let command =
            "dnsmasq --keep-in-foreground --conf-file=\(directory.appendingPathComponent(file).path) --user=root --pid-file=\(pidFile.path) & wait"
        try launch(["sh", "-c", command]) { _ in
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
        let log = directory.appendingPathComponent("stub-\(mode)-\(last)-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/lab_stub.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, mode, address(last), "\(port)"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        // The stub prints its port once bound: that line is the readiness signal; the rest goes to the log.
        let readiness = ReadinessLine(output, copyTo: log) { Int($0) }
        try? output.fileHandleForWriting.close()
        guard readiness.wait(seconds: 10) != nil else { throw Shell.Failure(description: "lab_stub.py \(mode) did not start") }
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
}
