import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDirectory
@testable import CXCertDiscovery
@testable import CXCertProbe
@testable import CXCertTestSupport

/// The installable cxcert: the .deb of `Scripts/package`, unpacked into a throwaway root and run with no Swift
/// toolchain reachable. `Scripts/test` builds the package first; without it this test builds it (minutes).
@Suite("Scripts/package: a .deb that runs without a Swift toolchain", .integration, .tags(.integration))
struct PackageTests {
    static let output = repositoryRoot.appendingPathComponent(".build-package")

    static func deb() throws -> URL {
        func find() -> URL? {
            (try? FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: nil))?.first { $0.pathExtension == "deb" }
        }
        if let deb = find() { return deb }
        try Shell.run([repositoryRoot.appendingPathComponent("Scripts/package").path, output.path])
        guard let deb = find() else { throw Shell.Failure(description: "Scripts/package made no .deb") }
        return deb
    }

    @Test("Installed into an empty root: runs, links no Swift runtime, carries its man page and completions")
    func installed() throws {
        let deb = try Self.deb()
        let root = try makeTemporaryDirectory("deb-root")
        try Shell.run(["dpkg-deb", "-x", deb.path, root.path])
        let binary = root.appendingPathComponent("usr/bin/cxcert")
        // No Swift runtime: ldd names no libswift and nothing under /opt/swift.
        let libraries = try Shell.text(["ldd", binary.path])
        #expect(!libraries.contains("libswift") && !libraries.contains("/opt/swift"), "\(libraries)")
        // Depends lists the package of each library the binary links directly (NEEDED) or loads on first use, no
        // more and no less.
        let control = try Shell.text(["dpkg-deb", "-f", deb.path, "Depends"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let needed = try Shell.text(["readelf", "-d", binary.path]).split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap {
            $0.split(separator: "[").last?.split(separator: "]").first.map(String.init)
        }
        #expect(needed.contains { $0.hasPrefix("libcrypto") } && !needed.contains { $0.hasPrefix("libswift") })
        // The C++ runtime is linked in (Scripts/package): no libstdc++ to load, relocate and initialise at every start.
        #expect(!needed.contains { $0.hasPrefix("libstdc++") }, "\(needed)")
        let linked = libraries.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first else { return nil }
            if needed.contains(first), fields.count >= 3, fields[2].hasPrefix("/") { return fields[2] }
            if first.hasPrefix("/"), needed.contains(URL(fileURLWithPath: first).lastPathComponent) { return first }
            return nil
        }
        #expect(linked.count == needed.count)
        // libssl, libcurl, libldap, c-ares, libpcap and libyaml are loaded on first use, not linked: not NEEDED, yet in
        // Depends, found where the loader finds them.
        let onDemand = [SystemLibrary.ssl, .curl, .ldap, .ares, .pcap, .yaml]
        #expect(!needed.contains { name in onDemand.contains { $0.soname == name } }, "\(needed)")
        let cache = try Shell.text(["ldconfig", "-p"]).split(separator: "\n").map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        let loaded = onDemand.compactMap { library in cache.first { $0.first == library.soname }?.last }
        #expect(loaded.count == onDemand.count, "\(loaded)")
        var packages: Set<String> = []
        for library in linked + loaded {
            let owner =
                (try? Shell.text(["dpkg", "-S", library]))
                ?? (try? Shell.text(["dpkg", "-S", URL(fileURLWithPath: library).resolvingSymlinksInPath().path])) ?? ""
            if let name = owner.split(separator: ":").first { packages.insert(String(name)) }
        }
        // Each entry is a package, libc6 with the lowest glibc the binary's symbol versions allow.
        let entries = control.components(separatedBy: ", ")
        #expect(Set(entries.map { String($0.prefix { $0 != " " }) }) == packages)
        let glibc = try Shell.text(["readelf", "-V", "--wide", binary.path]).matches(of: /GLIBC_(2\.[0-9]+)|GLIBC_ABI_DT_RELR/).map {
            $0.output.1.map(String.init) ?? "2.36"
        }.max { $0.compare($1, options: .numeric) == .orderedAscending }
        #expect(glibc != nil && entries.contains("libc6 (>= \(glibc ?? ""))"), "\(entries)")
        #expect(packages.contains { $0.hasPrefix("libssl") } && packages.contains { $0.hasPrefix("libldap") })
        #expect(packages.contains(SystemLibrary.curl.debianPackage) && packages.contains(SystemLibrary.pcap.debianPackage))
        #expect(entries.contains(SystemLibrary.yaml.debianPackage), "\(entries)")
        for file in [
            "usr/share/man/man1/cxcert.1.gz", "usr/share/bash-completion/completions/cxcert", "usr/share/zsh/vendor-completions/_cxcert",
            "usr/share/fish/vendor_completions.d/cxcert.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file)")
        }
        let manual = try Shell.text(["sh", "-c", "gzip -dc '\(root.appendingPathComponent("usr/share/man/man1/cxcert.1.gz").path)'"])
        #expect(manual.contains(".Dt CXCERT 1") && manual.contains(".It Em boot") && manual.contains(".It Em trace"))

        // Run with an environment that reaches no toolchain: no /opt/swift on PATH or LD_LIBRARY_PATH.
        let environment = ["PATH": "/usr/bin:/bin", "HOME": root.path]
        func run(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, binary: binary, environment: environment, clean: true)
        }
        let version = try run(["--version"])
        #expect(version.status == 0 && version.stdout.contains("0."))
        let store = try run(["truststore", "--json"])
        #expect(store.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(store.stdout.utf8)) as? [Any])?.count == 17)
        let verify = try run([
            "verify", repositoryRoot.appendingPathComponent("Examples/contoso/pool01-fixed.pem").path, "--trust",
            repositoryRoot.appendingPathComponent("Examples/contoso/certnew.p7b").path, "--device", "cx700", "--firmware", "3.5.6907.35",
            "--host", "pool01.contoso.com", "--host", "ucupdates-r2",
        ])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
