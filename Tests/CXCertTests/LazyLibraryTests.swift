import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertTestSupport

/// libssl, libcurl, libldap, c-ares, libpcap and libyaml are loaded when a command first needs them (`dlopen` in each
/// wrapper's shim.h), so `--version`, `verify` and `inspect` start with OpenSSL's libcrypto alone.
@Suite("C libraries beyond OpenSSL load on first use")
struct LazyLibraryTests {
    static let onDemand = [SystemLibrary.ssl, .curl, .ldap, .ares, .pcap, .yaml]
    static let contoso = repositoryRoot.appendingPathComponent("Examples/contoso")
    static let verify = [
        "verify", contoso.appendingPathComponent("pool01-fixed.pem").path, "--trust", contoso.appendingPathComponent("ContosoCA.cer").path,
        "--device", "cx700", "--firmware", "3.5.6907.35", "--host", "pool01.contoso.com",
    ]
    static let capture = repositoryRoot.appendingPathComponent("Examples/captures/phone-lab.pcap").path

    /// The sonames the dynamic loader opened for one run, from its own `LD_DEBUG=files` log.
    static func opened(_ arguments: [String]) throws -> (status: Int32, sonames: Set<String>) {
        let result = try CLI.run(arguments, environment: ["LD_DEBUG": "files"])
        let sonames = result.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "file="), line.contains("[0];  needed by") || line.contains("dynamically loaded by") else {
                return nil
            }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        }
        return (result.status, Set(sonames))
    }

    @Test("The binary names none of them as NEEDED")
    func notLinked() throws {
        let dynamic = try Shell.text(["readelf", "-d", CLI.binary.path])
        #expect(dynamic.contains("libcrypto"))
        for library in Self.onDemand { #expect(!dynamic.contains("[\(library.soname)]"), "\(library)") }
    }

    @Test(
        "--version, verify and inspect never load them; trace loads libpcap and only it; audit loads libyaml and not libpcap; a probe loads libssl"
    )
    func loadedOnlyWhenUsed() throws {
        for arguments in [["--version"], Self.verify, ["inspect", "--json", Self.contoso.appendingPathComponent("certnew.p7b").path]] {
            let run = try Self.opened(arguments)
            #expect(run.status == 0, "\(arguments)")
            #expect(run.sonames.contains { $0.hasPrefix("libcrypto") }, "\(arguments): \(run.sonames)")
            for library in Self.onDemand { #expect(!run.sonames.contains(library.soname), "\(arguments) loaded \(library)") }
        }
        let trace = try Self.opened(["trace", Self.capture])
        #expect(trace.status == 0 || trace.status == 1)
        #expect(trace.sonames.contains(SystemLibrary.pcap.soname), "\(trace.sonames)")
        for library in [SystemLibrary.ssl, .curl, .ldap, .yaml] {
            #expect(!trace.sonames.contains(library.soname), "trace loaded \(library)")
        }
        // A deployment file whose only server is a certificate file: no probe, no directory, no capture.
        let audit = try Self.opened([
            "audit", repositoryRoot.appendingPathComponent("Examples/deployment.yaml").path, "--json",
        ])
        #expect(audit.status == 0 || audit.status == 1, "\(audit.sonames)")
        #expect(audit.sonames.contains(SystemLibrary.yaml.soname), "\(audit.sonames)")
        #expect(!audit.sonames.contains(SystemLibrary.pcap.soname), "\(audit.sonames)")
        // A probe loads libssl before it connects (port 9 answers nothing; the handshake is not the point).
        let probe = try Self.opened(["probe", "127.0.0.1:9", "--timeout", "2"])
        #expect(probe.status == 2, "\(probe.sonames)")
        #expect(probe.sonames.contains(SystemLibrary.ssl.soname), "\(probe.sonames)")
    }

    @Test("A missing library is a typed error naming it and its package, without a crash", .integration, .tags(.integration))
    func missing() throws {
        // A private mount namespace where /dev/null covers each library's file: dlopen fails as if uninstalled.
        let cache = try Shell.text(["ldconfig", "-p"]).split(separator: "\n").map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        let files = Self.onDemand.compactMap { library in cache.first { $0.first == library.soname }?.last }
        #expect(files.count == Self.onDemand.count)
        let hide = files.map { "mount --bind /dev/null \"$(readlink -f '\($0)')\"" }.joined(separator: " && ")
        func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
            let command = ([CLI.binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
            return try ChildProcess.run(
                ["unshare", "--mount", "sh", "-c", "\(hide) && NO_COLOR=1 exec \(command)"], deadline: .seconds(60))
        }
        let verify = try run(Self.verify)
        #expect(verify.status == 0, "\(String(decoding: verify.stderr, as: UTF8.self))")
        let trace = try run(["trace", Self.capture])
        let stderr = String(decoding: trace.stderr, as: UTF8.self)
        #expect(trace.status == 2, "\(stderr)")
        #expect(
            stderr.contains("needs libpcap") && stderr.contains("install the Debian package \(SystemLibrary.pcap.debianPackage)"),
            "\(stderr)")
        let audit = try run(["audit", repositoryRoot.appendingPathComponent("Examples/deployment.yaml").path])
        let auditError = String(decoding: audit.stderr, as: UTF8.self)
        #expect(audit.status == 2, "\(auditError)")
        #expect(
            auditError.contains("needs libyaml") && auditError.contains("install the Debian package \(SystemLibrary.yaml.debianPackage)"),
            "\(auditError)")
        // A probe checks for libssl before it connects: the admin hears which package, not a connection error.
        let probe = try run(["probe", "127.0.0.1:9", "--timeout", "2"])
        let probeError = String(decoding: probe.stderr, as: UTF8.self)
        #expect(probe.status == 2, "\(probeError)")
        #expect(
            probeError.contains("needs libssl") && probeError.contains("install the Debian package \(SystemLibrary.ssl.debianPackage)"),
            "\(probeError)")
    }
}
