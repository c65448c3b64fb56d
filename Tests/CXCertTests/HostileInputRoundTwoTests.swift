import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertDiscovery
@testable import CXCertReports
@testable import CXCertTestSupport

/// Issue 12: every crash, hang and wrong answer a new user found, each pinned by a test.
@Suite("Hostile input, round two")
struct HostileInputRoundTwoTests {
    struct Bounded {
        let status: Int32
        let output: String
        let maxRSSKiB: Int
        let seconds: Double
    }

    /// Runs a bash script (`$CXCERT` is the binary) under GNU time with a hard kill after 30 s, so a
    /// regression fails on its bound instead of hanging the suite.
    static func bounded(_ script: String) throws -> Bounded {
        let folder = try makeTemporaryDirectory("bounded")
        defer { try? FileManager.default.removeItem(at: folder) }
        let timing = folder.appendingPathComponent("time")
        let out = folder.appendingPathComponent("out")
        let wrapper = "/usr/bin/time -o \(timing.path) -f '%M %e' timeout -s KILL 30 bash -c \"$0\" </dev/null >\(out.path) 2>&1"
        let status = try spawn(
            ["/bin/bash", "-c", wrapper, script], environment: ["CXCERT": CLI.binary.path, "NO_COLOR": "1"], output: nil)
        let text = try String(contentsOf: out, encoding: .utf8)
        let measured = try String(contentsOf: timing, encoding: .utf8).split(whereSeparator: \.isWhitespace).suffix(2).map(String.init)
        return Bounded(
            status: status.exited ?? -1, output: text, maxRSSKiB: Int(measured.first ?? "") ?? Int.max,
            seconds: Double(measured.last ?? "") ?? 1e9)
    }

    /// Runs through ``ChildProcess`` with the test process's environment plus `environment`; `output`, when
    /// given, becomes stdout and stderr.
    static func spawn(_ arguments: [String], environment: [String: String], output: Int32?) throws -> (exited: Int32?, signal: Int32?) {
        let sink: ChildProcess.Sink = output.map { .descriptor($0) } ?? .discard
        let outcome = try ChildProcess.run(
            arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, stdout: sink, stderr: sink,
            deadline: .seconds(60))
        switch outcome.termination {
        case .exited(let code): return (code, nil)
        case .signaled(let signal): return (nil, signal)
        }
    }

    // MARK: 1. one bounded reader for every user-named path

    @Test(
        "/dev/zero named anywhere is refused at once, in bounded memory, exit 2",
        arguments: [
            "inspect /dev/zero", "verify /dev/zero", "verify $POOL --trust /dev/zero", "verify $POOL --chain /dev/zero",
            "verify $POOL --device-data /dev/zero", "audit /dev/zero", "ds publish /dev/zero --dry-run --ldap ldaps://127.0.0.1:1",
            "inspect <(cat /dev/zero)", "verify $POOL --trust <(cat /dev/zero)",
        ])
    func devZero(arguments: String) throws {
        let pool = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        let run = try Self.bounded("POOL=\(pool); $CXCERT \(arguments)")
        #expect(run.status == 2, "\(arguments): \(run.output)")
        #expect(run.maxRSSKiB < 200 << 10, "\(arguments): \(run.maxRSSKiB) KiB")
        #expect(run.seconds < 10, "\(arguments): \(run.seconds) s")
        // /dev/zero itself is refused as a device before a byte is read; through a pipe it is cut at 16 MiB.
        let reason = arguments.contains("<(") ? "more than 16 MiB" : "is a device, not a file"
        #expect(run.output.contains(reason), "\(run.output)")
        #expect(!run.output.contains("NSCocoaErrorDomain"))
    }

    @Test("pipes, /dev/stdin and process substitution are read; directories and symlink loops say so")
    func pathKinds() throws {
        let pool = repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path
        for script in ["$CXCERT inspect <(cat \(pool))", "cat \(pool) | $CXCERT inspect /dev/stdin", "cat \(pool) | $CXCERT inspect -"] {
            let run = try Self.bounded(script)
            #expect(run.status == 0, "\(script): \(run.output)")
            #expect(run.output.contains("CN=pool01.contoso.com"), "\(script): \(run.output)")
        }
        let folder = try makeTemporaryDirectory("loops")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("a").path, withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("b").path, withDestinationPath: "a")
        let cases = [
            ("inspect \(folder.path)", "is a directory"), ("inspect \(folder.path)/a", "too many levels of symbolic links"),
            ("verify \(pool) --trust \(folder.path)", "is a directory"), ("audit \(folder.path)/a", "too many levels of symbolic links"),
            ("inspect \(folder.path)/missing", "no such file or directory"),
        ]
        for (arguments, reason) in cases {
            let run = try Self.bounded("$CXCERT \(arguments)")
            #expect(run.status == 2, "\(arguments): \(run.output)")
            #expect(run.output.contains(reason), "\(arguments): \(run.output)")
            #expect(!run.output.contains("NSCocoaErrorDomain") && !run.output.contains("error 256"), "\(run.output)")
        }
        let stdinTooLarge = try Self.bounded("head -c 20000000 /dev/zero | $CXCERT inspect -")
        #expect(stdinTooLarge.status == 2 && stdinTooLarge.output.contains("standard input: more than 16 MiB"), "\(stdinTooLarge.output)")
    }

    // MARK: 2. batch walks each real directory once

    @Test("verify --batch: self links, a link to .., a dangling link and a FIFO end, each reported")
    func batchCycles() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("batch-cycles")
        let tree = folder.appendingPathComponent("d")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try tree.write("leaf.pem", try pki.directory.read("leaf.pem"))
        try folder.write("outside.pem", try pki.directory.read("leaf.pem"))
        for (name, target) in [("a", "."), ("b", "."), ("up", ".."), ("dangling", "nowhere")] {
            try FileManager.default.createSymbolicLink(atPath: tree.appendingPathComponent(name).path, withDestinationPath: target)
        }
        #expect(mkfifo(tree.appendingPathComponent("fifo").path, 0o600) == 0)
        let run = try Self.bounded(
            "$CXCERT verify --batch \(tree.path) --trust \(pki.url("root.pem").path) --chain \(pki.url("inter.pem").path)")
        #expect(run.status == 2, "\(run.output)")
        #expect(run.seconds < 10)
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("{\"file\"") }
        #expect(lines.count == 6, "\(run.output)")
        func line(_ name: String) -> String { lines.first { $0.contains("\"\(tree.path)/\(name)\"") }.map(String.init) ?? "" }
        #expect(line("leaf.pem").contains("\"trusted\":true"))
        #expect(line("dangling").contains("dangling symbolic link"))
        #expect(line("up").contains("outside"))
        #expect(line("fifo").contains("a FIFO"))
        // Both links point at the folder being walked, which is walked once.
        #expect(line("a").contains("already walked"), "\(line("a"))")
        #expect(line("b").contains("already walked"), "\(line("b"))")
        #expect(!run.output.contains("outside.pem"))
    }

    // MARK: 3. a closed stdout or stderr

    /// Runs cxcert with stdout and stderr on a pipe whose reader is already closed.
    static func closedPipe(_ arguments: [String]) throws -> (exited: Int32?, signal: Int32?) {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        return try spawn([CLI.binary.path] + arguments, environment: ["NO_COLOR": "1"], output: ends[1])
    }

    @Test(
        "a closed stdout or stderr ends the process by SIGPIPE, never SIGILL",
        arguments: [
            ["probe", "127.0.0.1:1", "127.0.0.1:47999", "--timeout", "2"], ["inspect", "/nonexistent"], ["truststore"],
            ["verify", "/dev/zero"], ["names", "--pool", "pool01.contoso.com", "--sip-domain", "contoso.com"],
        ])
    func closedPipes(arguments: [String]) throws {
        let ended = try Self.closedPipe(arguments)
        #expect(
            ended.signal == SIGPIPE, "\(arguments): exit \(String(describing: ended.exited)), signal \(String(describing: ended.signal))")
    }
}

/// Items 4-7: wrong answers about algorithms, key usage, unknown builds and dates.
@Suite("Hostile input, round two: wrong answers")
struct WrongAnswerTests {
    let pki: TestPKI
    init() throws {
        pki = try TestPKI.get()
        let pki = pki
        try pki.ensure("w-ed-leaf") {
            try pki.openssl(["genpkey", "-algorithm", "ED25519", "-out", "ed25519.key"])
            try pki.openssl(["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pss.key"])
            try pki.openssl(["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "dsa.param"])
            try pki.openssl(["genpkey", "-paramfile", "dsa.param", "-out", "dsa.key"])
            let server = [
                "subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ]
            let edServer = ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature"]
            try pki.issue("w-pss-key", issuer: "inter", subject: "/CN=pss.contoso.com", key: "pss.key", extensions: server)
            try pki.issue("w-dsa-key", issuer: "inter", subject: "/CN=dsa.contoso.com", key: "dsa.key", extensions: edServer)
            try pki.issue("w-ed-key", issuer: "inter", subject: "/CN=ed.contoso.com", key: "ed25519.key", extensions: edServer)
            try pki.issue(
                "w-ed-inter", issuer: "root", subject: "/CN=Contoso Ed25519 CA", key: "ed25519.key",
                extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"])
            // Ed25519 signs without a separate digest, so this leaf is made by hand.
            try pki.openssl(["req", "-new", "-key", "leaf.key", "-subj", "/CN=pool01.contoso.com", "-out", "w-ed-leaf.csr"])
            try pki.directory.write(
                "w-ed-leaf.ext", "[ext]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" + server.joined(separator: "\n") + "\n")
            try pki.openssl([
                "x509", "-req", "-in", "w-ed-leaf.csr", "-CA", "w-ed-inter.pem", "-CAkey", "ed25519.key", "-set_serial", "0x1234",
                "-extfile", "w-ed-leaf.ext", "-extensions", "ext", "-days", "365", "-out", "w-ed-leaf.pem",
            ])
            try pki.issue(
                "w-crlsign-leaf", issuer: "inter", subject: "/CN=pool01.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth", "keyUsage=critical,cRLSign"])
        }
    }

    func verdict(_ leaf: String, chain: [String] = ["inter.pem"], device: String = "cx700", firmware: String? = nil) throws -> Verdict {
        let request = VerificationRequest(
            leaf: try pki.certificate(leaf), intermediates: try chain.map { try pki.certificate($0) },
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))])
        return Verifier.verify(request, profile: try DeviceProfile.resolve(device: device, firmware: firmware))
    }

    @Test(
        "4. Ed25519 signatures and Ed25519, DSA and RSASSA-PSS keys are unsupported-algorithm on every phone build",
        arguments: [
            ("w-ed-leaf.pem", ["w-ed-inter.pem"]), ("w-ed-key.pem", ["inter.pem"]), ("w-dsa-key.pem", ["inter.pem"]),
            ("w-pss-key.pem", ["inter.pem"]),
        ])
    func algorithms(leaf: String, chain: [String]) throws {
        for firmware in ["1.0.522.101", "3.5.6907.35", "4.0.7577.4463", "4.0.7578.0"] {
            let result = try verdict(leaf, chain: chain, firmware: firmware)
            #expect(!result.isTrusted, "\(leaf) at \(firmware): \(result.findings.map(\.code))")
            #expect(result.findings.contains { $0.code == .unsupportedAlgorithm }, "\(leaf) at \(firmware): \(result.findings.map(\.code))")
        }
        // The batch fast path must agree.
        let batch = BatchVerifier(
            intermediates: try chain.map { try pki.certificate($0) },
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "4.0.7577.4463"), time: Date())
        let outcome = batch.verify(der: [UInt8](try pki.certificate(leaf).der))
        #expect(outcome.codes.contains("unsupported-algorithm") && !outcome.trusted, "\(leaf): \(outcome.codes)")
    }

    @Test("5. a leaf whose keyUsage is only cRLSign is key-usage, not eku, and the text says keyUsage")
    func keyUsageOnly() throws {
        for device in ["cx700", "generic"] {
            let result = try verdict("w-crlsign-leaf.pem", device: device)
            let codes = result.findings.map(\.code)
            #expect(codes.contains(.keyUsage) && !codes.contains(.eku), "\(device): \(codes)")
            let detail = result.findings.first { $0.code == .keyUsage }?.detail
            #expect(
                detail == .usage(keyUsage: ["cRLSign"], extendedKeyUsage: ["serverAuth"], needed: ["digitalSignature", "keyEncipherment"]),
                "\(String(describing: detail))")
        }
        let batch = BatchVerifier(
            intermediates: [try pki.certificate("inter.pem")],
            anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
            profile: try DeviceProfile.resolve(device: "cx700", firmware: nil), time: Date())
        #expect(batch.verify(der: [UInt8](try pki.certificate("w-crlsign-leaf.pem").der)).codes == ["key-usage"])
    }

    @Test("6. a build past the table inherits the newest known build's capabilities, says so, and no fix names an older build")
    func newerBuilds() throws {
        let sha2 = try pki.certificate("leaf.pem")
        #expect(sha2.signatureAlgorithm.hash.isSHA2)
        for firmware in ["4.0.7578.0", "4.1.0.0", "5.0.0.0"] {
            let profile = try DeviceProfile.resolve(device: "cx700", firmware: firmware)
            #expect(profile.validatesSHA2, "\(firmware)")
            #expect(profile.notes.first?.contains("newer than every known build") == true)
            let result = try verdict("leaf.pem", firmware: firmware)
            #expect(!result.findings.contains { $0.code == .sha2Unsupported }, "\(firmware): \(result.findings.map(\.code))")
            #expect(VerdictReport.text([result]).contains("newer than every known build"))
        }
        var knowledge = DeviceKnowledgeBase.builtIn
        try knowledge.override("sha2Signatures", value: .bool(false))
        let forced = Verifier.verify(
            VerificationRequest(
                leaf: sha2, intermediates: [try pki.certificate("inter.pem")],
                anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))]),
            profile: try DeviceProfile.resolve(device: "cx700", firmware: "5.0.0.0", knowledge: knowledge))
        let remedy = try #require(forced.findings.first { $0.code == .sha2Unsupported }).remedy
        #expect(!remedy.contains("4.0.7577.4463"), "\(remedy)")
    }

    @Test("7. impossible dates are refused everywhere with exit 2 and 'not a valid date'")
    func dates() throws {
        for bad in ["2027-02-30", "2026-01-01T25:61:61Z", "10000-01-01", "2026-13-01", "2026-02-29", "2026-01-01T12:00:60Z", "0000-01-01"] {
            #expect(throws: StrictDate.Invalid.self, "\(bad)") { try StrictDate.parse(bad) }
            let result = try CLI.run(["verify", pki.url("leaf.pem").path, "--at", bad])
            #expect(result.status == 2 && result.stderr.contains("not a valid date"), "\(bad): \(result.stderr)")
            let folder = try makeTemporaryDirectory("dates")
            try folder.write("d.yaml", "servers: [{host: a}]\nfleet: [{device: cx700}]\nat: '\(bad)'\n")
            let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path])
            #expect(audit.status == 2 && audit.stderr.contains("not a valid date"), "\(bad): \(audit.stderr)")
        }
        #expect(try StrictDate.parse("2024-02-29") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(try StrictDate.parse("2026-11-21T20:00:00+01:00") == Date(timeIntervalSince1970: 1_795_287_600))
        #expect(try StrictDate.parse("9999-12-31T23:59:59Z") == Date(timeIntervalSince1970: 253_402_300_799))
        var knowledge = DeviceKnowledgeBase.builtIn
        #expect(throws: DeviceKnowledgeError.self) {
            try knowledge.merge(
                userJSON: Array(
                    #"{"builds": [{"version": "9.9.9.9", "name": "x", "date": "2013-02-30", "families": ["*"], "source": "me", "confidence": "user"}]}"#
                        .utf8))
        }
    }
}

@Suite("Hostile input, round two: chains and remedies")
struct ChainRemedyTests {
    @Test("8. a chain past the depth limit is chain-too-long only, never also missing-intermediate")
    func tooLong() throws {
        let pki = try TestPKI.get()
        var issuer = "root"
        var intermediates: [Certificate] = []
        try pki.ensure("long-19") {
            for level in 1...19 {
                try pki.issue(
                    "long-\(level)", issuer: level == 1 ? "root" : "long-\(level - 1)", subject: "/CN=Long CA \(level)", key: "rsa2048.key",
                    extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
            }
        }
        try pki.ensure("long-leaf") {
            try pki.issue(
                "long-leaf", issuer: "long-19", subject: "/CN=pool01.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:pool01.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        for level in 1...19 { intermediates.append(try pki.certificate("long-\(level).pem")) }
        issuer = "long-19"
        #expect(issuer == "long-19")
        for device in ["generic", "cx700"] {
            let verdict = Verifier.verify(
                VerificationRequest(
                    leaf: try pki.certificate("long-leaf.pem"), intermediates: intermediates.reversed(),
                    anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))]),
                profile: try DeviceProfile.resolve(device: device))
            let codes = Set(verdict.findings.map(\.code))
            #expect(codes.contains(.chainTooLong), "\(device): \(codes)")
            #expect(!codes.contains(.missingIntermediate), "\(device): \(codes)")
        }
    }

    @Test("9. every remedy fits the command printing it: audit never suggests --chain or --trust")
    func remediesFitTheCommand() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("audit-remedy")
        try folder.write("leaf-only.pem", try pki.directory.read("leaf.pem"))
        try folder.write(
            "with-root.pem", try pki.directory.read("leaf.pem") + pki.directory.read("inter.pem") + pki.directory.read("root.pem"))
        try folder.write(
            "d.yaml",
            "servers: [{name: a, certificate: leaf-only.pem}, {name: b, certificate: with-root.pem}]\nfleet: [{device: cx700}, {device: generic}]\n"
        )
        let result = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("missing-intermediate") && result.stdout.contains("untrusted-root"), "\(result.stdout)")
        #expect(!result.stdout.contains("--chain") && !result.stdout.contains("--trust"), "\(result.stdout)")
        #expect(result.stdout.contains("trust.roots"))
        #expect(!result.stdout.contains("ContosoRootCA.cer") && !result.stdout.contains("ContosoIssuingCA.cer"))
    }
}

@Suite("Hostile input, round two: names")
struct NameInputTests {
    @Test("10. an IP literal is matched against IP SANs only, on phones and generic; the message and fix speak of addresses")
    func ipLiterals() throws {
        let pki = try TestPKI.get()
        let leaf = try pki.certificate("leaf.pem")  // SAN IP:10.0.0.5, IP:2001:db8::1
        for device in ["cx700", "generic"] {
            let verdict = Verifier.verify(
                VerificationRequest(
                    leaf: leaf, intermediates: [try pki.certificate("inter.pem")],
                    anchors: [TrustAnchor(certificate: try pki.certificate("root.pem"), source: .user(file: "root.pem"))],
                    hosts: ["10.0.0.5", "[2001:db8::1]", "2001:DB8:0:0::1", "10.0.0.6"]),
                profile: try DeviceProfile.resolve(device: device))
            #expect(verdict.names.map(\.isCovered) == [true, true, true, false], "\(device): \(verdict.names)")
            let finding = try #require(verdict.findings.first { $0.code == .nameNotCovered })
            guard case .name("10.0.0.6", .notCovered, _, let addresses, nil) = finding.detail else {
                Issue.record("\(device): \(finding.detail)")
                continue
            }
            #expect(addresses.contains("10.0.0.5"), "\(addresses)")
            #expect(finding.message.contains("IP SAN"), "\(finding.message)")
            #expect(!finding.remedy.contains("as a DNS name"), "\(finding.remedy)")
        }
    }

    @Test("11. U-labels become A-labels wherever a name enters: --host matching, names, the generated configs")
    func idn() throws {
        #expect(try DomainName.aLabels("Bücher.Contoso.com.") == "xn--bcher-kva.contoso.com")
        #expect(try DomainName.aLabels("münchen.de") == "xn--mnchen-3ya.de")
        #expect(try DomainName.aLabels("例え.テスト") == "xn--r8jz45g.xn--zckzah")
        #expect(throws: DomainName.Invalid.self) { try DomainName.aLabels("bü☃cher.contoso.com") }
        #expect(throws: DomainName.Invalid.self) { try DomainName.aLabels("xn--.contoso.com") }
        let match = HostnameMatcher.match(
            "bücher.contoso.com", dnsNames: ["xn--bcher-kva.contoso.com"], rules: .phone(matchesSubjectCN: false))
        #expect(match.isCovered)
        let config = try CLI.run(["names", "--pool", "bücher.contoso.com", "--sip-domain", "contoso.com", "--format", "openssl"])
        #expect(config.status == 0)
        #expect(config.stdout.contains("DNS.1 = xn--bcher-kva.contoso.com"))
        #expect(config.stdout.allSatisfy { $0.isASCII }, "\(config.stdout)")
        let inf = try CLI.run(["names", "--pool", "bücher.contoso.com", "--sip-domain", "contoso.com", "--format", "certreq"])
        #expect(inf.stdout.contains("dns=xn--bcher-kva.contoso.com&") && inf.stdout.allSatisfy { $0.isASCII })
    }

    @Test("12. every name and URL is validated (exit 2) and no generated config can be restructured")
    func nameValidation() throws {
        let bad: [[String]] = [
            ["--pool", "pool01.contoso.com\n[ext]\nbasicConstraints = CA:TRUE"], ["--pool", ""], ["--pool", "*.contoso.com"],
            ["--pool", "user@fabrikam.com"], ["--pool", "a b.contoso.com"], ["--pool", "pool=1.contoso.com"],
            ["--pool", "p.contoso.com", "--simple-url", "not a url"],
            ["--pool", "p.contoso.com", "--simple-url", "ftp://meet.contoso.com"],
            ["--pool", "p.contoso.com", "--simple-url", "https://meet.contoso.com/\"x"],
            ["--pool", "p.contoso.com", "--server", "fe01..contoso.com"],
            ["--pool", "p.contoso.com", "--sip-domain", "contoso.com\"&dns=evil.com"], ["--pool", "p.contoso.com", "--ad-domain=-bad.com"],
        ]
        for arguments in bad {
            for format in ["openssl", "certreq"] {
                let result = try CLI.run(["names"] + arguments + ["--format", format])
                #expect(result.status == 2, "\(arguments): \(result.stdout)")
                #expect(result.stdout.isEmpty && result.stderr.contains("is not a valid"), "\(arguments): \(result.stderr)")
            }
        }
        let verify = try CLI.run(["verify", repositoryRoot.appendingPathComponent("Examples/contoso/pool01.pem").path, "--host", "a\nb"])
        #expect(verify.status == 2 && verify.stderr.contains("--host"), "\(verify.stderr)")
        // The library's last guard: a plan built from unchecked values still writes only LDH names.
        let plan = NamePlan(Deployment(adDomains: ["contoso.com"], sipDomains: ["x\n[ext]"], pool: "p.contoso.com\n[req]"))
        for text in [plan.opensslConfig(), plan.certreqINF()] {
            #expect(!text.contains("[ext]\n[") && text.components(separatedBy: "[req]").count <= 2, "\(text)")
            #expect(!text.contains("x\n"), "\(text)")
        }
        let file = try makeTemporaryDirectory("bad-pool")
        try file.write("d.yaml", "pool: \"p.contoso.com\\n[ext]\"\nservers: [{host: a}]\nfleet: [{device: cx700}]\n")
        let audit = try CLI.run(["audit", file.appendingPathComponent("d.yaml").path])
        #expect(audit.status == 2 && audit.stderr.contains("not a valid DNS name"), "\(audit.stderr)")
    }
}

@Suite("Hostile input, round two: deployment files")
struct DeploymentInputTests {
    @Test("13. unknown keys are errors at their line and column, with the closest valid key; boot: and deadline stay valid")
    func unknownKeys() throws {
        let cases: [(String, String)] = [
            (
                "sipDomain: [contoso.com]\nservers: [{host: a}]\nfleet: [{device: cx700}]\n",
                "line 1, column 1: unknown key 'sipDomain' (did you mean 'sipDomains'?)"
            ),
            (
                "servers:\n  - host: a\n    certficate: x.pem\nfleet: [{device: cx700}]\n",
                "line 3, column 5: unknown key 'certficate' in servers[0] (did you mean 'certificate'?)"
            ),
            (
                "servers: [{host: a}]\nfleet: [{device: cx700}]\ntrust: {roots: [], adSnapshots: x}\n",
                "unknown key 'adSnapshots' in trust (did you mean 'adSnapshot'?)"
            ),
            ("servers: [{host: a}]\nfleet: [{device: cx700}]\nboot: {smtp: x}\n", "unknown key 'smtp' in boot"),
            (
                "servers: [{host: a}]\nfleet:\n  - device: cx700\n    count: many\n",
                "line 4, column 12: fleet[0].count: expected a whole number"
            ),
            ("servers: [{host: a}\nfleet: x\n", "line 2, column 1:"),
        ]
        for (yaml, expected) in cases {
            let error = #expect(throws: AuditError.self) { try DeploymentFile(yaml: yaml) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
        let valid = try DeploymentFile(
            yaml:
                "servers: [{host: a}]\nfleet: [{device: cx700}]\ndeadline: 60\nboot: {smtpDomain: contoso.com, webFQDN: 'web.contoso.com:443'}\n"
        )
        #expect(valid.deadline == 60 && valid.boot?.smtpDomain == "contoso.com")
        _ = try DeploymentFile(
            yaml: try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/deployment.yaml"), encoding: .utf8))
        let folder = try makeTemporaryDirectory("unknown-key")
        try folder.write("d.yaml", "sipDomain: [contoso.com]\nservers: [{host: a}]\nfleet: [{device: cx700}]\n")
        let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path])
        #expect(audit.status == 2 && audit.stderr.contains("did you mean 'sipDomains'"), "\(audit.stderr)")
    }

    @Test("14. without a pool, the names the domains give are still checked, and the verdict says what was not")
    func namesWithoutPool() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("no-pool")
        // A leaf with the FQDN but without the short name ucupdates-r2.
        try pki.ensure("np-leaf") {
            try pki.issue(
                "np-leaf", issuer: "root-sha1", subject: "/CN=pool01.contoso.com", key: "leaf.key", digest: "sha1",
                extensions: ["subjectAltName=DNS:pool01.contoso.com,DNS:ucupdates-r2.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        let leaf = pki.url("np-leaf.pem").path
        let verify = try CLI.run([
            "verify", leaf, "--trust", pki.url("root-sha1.pem").path, "--device", "cx700", "--firmware", "4.0.7577.4463", "--ad-domain",
            "contoso.com", "--json",
        ])
        #expect(verify.status == 1, "\(verify.stdout) \(verify.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        let names = (json["names"] as? [[String: Any]])?.compactMap { $0["host"] as? String } ?? []
        #expect(names.contains("ucupdates-r2") && names.contains("ucupdates-r2.contoso.com"), "\(names)")
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("pool FQDN") } && notes.contains { $0.contains("sip.<SIP domain>") }, "\(notes)")
        try folder.write("leaf.pem", try pki.directory.read("np-leaf.pem"))
        try folder.write("root.pem", try pki.directory.read("root-sha1.pem"))
        try folder.write(
            "d.yaml",
            "adDomains: [contoso.com]\nservers: [{certificate: leaf.pem, role: web-internal}]\nfleet: [{device: cx700, firmware: 4.0.7577.4463}]\ntrust: {roots: [root.pem]}\n"
        )
        let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--json"])
        #expect(audit.status == 1 && audit.stdout.contains("ucupdates-r2"), "\(audit.stdout) \(audit.stderr)")
    }

    @Test("15. a missing or non-certificate certificate: file is an input error (exit 2), not an unreachable server")
    func certificateFileErrors() throws {
        let folder = try makeTemporaryDirectory("cert-file")
        try folder.write("notes.txt", "hello\n")
        for (file, reason) in [("missing.pem", "no such file or directory"), ("notes.txt", "base64"), (".", "is a directory")] {
            try folder.write("d.yaml", "servers: [{name: a, certificate: '\(file)'}]\nfleet: [{device: generic}]\n")
            let audit = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path])
            #expect(audit.status == 2, "\(file): \(audit.stdout) \(audit.stderr)")
            #expect(audit.stderr.contains("servers[0].certificate \(file)") && audit.stderr.contains(reason), "\(audit.stderr)")
            #expect(!audit.stdout.contains("unreachable"))
        }
    }
}

@Suite("Hostile input, round two: the command line")
struct CommandLineTests {
    @Test("usage errors are one 'cxcert: ...' line plus the subcommand's usage, exit 2; bare cxcert and help bogus exit 2")
    func usageErrors() throws {
        let cases: [([String], String, String)] = [
            ([], "cxcert: no command given", "Usage: cxcert <subcommand>"),
            (["help", "bogus"], "cxcert: unknown command 'bogus'", "Usage: cxcert <subcommand>"),
            (["bogus"], "cxcert: unknown command 'bogus'", "Usage: cxcert <subcommand>"),
            (["verify", "--bogus", "x"], "cxcert: Unknown option '--bogus'", "Usage: cxcert verify "),
            (["ds", "publish"], "cxcert: Missing expected argument '<file>'", "Usage: cxcert ds publish "),
        ]
        for (arguments, first, usage) in cases {
            let result = try CLI.run(arguments)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(lines.first == first, "\(arguments): \(result.stderr)")
            #expect(lines.dropFirst().first?.hasPrefix(usage) == true, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Error:"), "\(arguments): \(result.stderr)")
        }
        let publish = try CLI.run(["ds", "publish"])
        #expect(publish.stderr.contains("See 'cxcert ds publish --help'"), "\(publish.stderr)")
        #expect(try CLI.run(["help", "verify"]).status == 0)
    }

    @Test("--version prints cxcert's version, the OpenSSL version and the trust-store revision")
    func version() throws {
        let result = try CLI.run(["--version"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("cxcert ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("OpenSSL 3") == true, "\(result.stdout)")
        #expect(
            lines.last == "trust store revision \(LibraryVersions.trustStoreRevision)" && LibraryVersions.trustStoreRevision.count == 12)
    }
}

@Suite("Hostile input, round two: misleading or rough")
struct RoughEdgeTests {
    @Test("PKCS#12 and DER CRLs are named with the command that helps; concatenated DER certificates decode")
    func otherFiles() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("other-files")
        try pki.openssl([
            "pkcs12", "-export", "-in", pki.url("leaf.pem").path, "-inkey", pki.url("leaf.key").path, "-passout", "pass:x", "-out",
            folder.appendingPathComponent("leaf.p12").path,
        ])
        try folder.write("index.txt", "")
        try folder.write("crlnumber", "01\n")
        try folder.write(
            "ca.cnf",
            "[ca]\ndefault_ca = d\n[d]\ndatabase = \(folder.path)/index.txt\ncrlnumber = \(folder.path)/crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n"
        )
        try pki.openssl([
            "ca", "-config", folder.appendingPathComponent("ca.cnf").path, "-gencrl", "-keyfile", "rsa2048.key", "-cert", "root.pem",
            "-out",
            folder.appendingPathComponent("root.crl").path,
        ])
        try pki.openssl([
            "crl", "-in", folder.appendingPathComponent("root.crl").path, "-outform", "DER", "-out",
            folder.appendingPathComponent("root.crl.der").path,
        ])
        let p12 = try CLI.run(["inspect", folder.appendingPathComponent("leaf.p12").path])
        #expect(
            p12.status == 2 && p12.stderr.contains("PKCS#12") && p12.stderr.contains("openssl pkcs12 -in FILE -nokeys"), "\(p12.stderr)")
        let crl = try CLI.run(["inspect", folder.appendingPathComponent("root.crl.der").path])
        #expect(crl.status == 2 && crl.stderr.contains("certificate revocation list (CRL)"), "\(crl.stderr)")
        let der =
            try pki.openssl(["x509", "-in", "leaf.pem", "-outform", "DER"]) + pki.openssl(["x509", "-in", "inter.pem", "-outform", "DER"])
        let decoded = try CertificateDecoder().decode(Array(der))
        #expect(decoded.certificates.map(\.subject.commonName) == ["pool01.contoso.com", "Contoso Issuing CA"])
    }

    @Test("control characters from certificates are escaped in inspect text; Markdown escapes HTML")
    func escaping() throws {
        #expect(CertificateText.printable("a\u{1B}[2Jb\nc\u{9B}") == "a\\u{1b}[2Jb\\u{a}c\\u{9b}")
        #expect(AuditReport.markdownText("<script>alert(1)</script> | *x*") == "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*")
        let pki = try TestPKI.get()
        try pki.ensure("esc-leaf") {
            try pki.issue(
                "esc-leaf", issuer: "inter", subject: "/CN=esc.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=DNS:esc.contoso.com,URI:http://x/\u{1B}[2J"])
        }
        let result = try CLI.run(["inspect", pki.url("esc-leaf.pem").path])
        #expect(result.status == 0 && !result.stdout.contains("\u{1B}") && result.stdout.contains("\\u{1b}[2J"), "\(result.stdout)")
    }

    @Test("colour follows no-color.org: an empty NO_COLOR does not disable it, TERM=dumb does")
    func colour() {
        #expect(TextStyle.terminal(isTTY: true, environment: [:]).color)
        #expect(TextStyle.terminal(isTTY: true, environment: ["NO_COLOR": ""]).color)
        #expect(!TextStyle.terminal(isTTY: true, environment: ["NO_COLOR": "1"]).color)
        #expect(!TextStyle.terminal(isTTY: true, environment: ["TERM": "dumb"]).color)
        #expect(!TextStyle.terminal(isTTY: false, environment: [:]).color)
    }

    @Test("verify FILE with two leaves says which was chosen and why; documented JSON keys are present even when null")
    func twoLeavesAndNulls() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("two-leaves")
        try pki.ensure("tl-other") {
            try pki.issue(
                "tl-other", issuer: "inter", subject: "/CN=other.contoso.com", key: "other.key",
                extensions: ["subjectAltName=DNS:other.contoso.com", "extendedKeyUsage=serverAuth"])
        }
        try folder.write("two.pem", try pki.directory.read("leaf.pem") + pki.directory.read("tl-other.pem"))
        let result = try CLI.run([
            "verify", folder.appendingPathComponent("two.pem").path, "--device", "generic", "--json", "--host", "nowhere.contoso.com",
        ])
        #expect(
            result.stderr.contains("2 certificates issued none of the others") && result.stderr.contains("judging pool01.contoso.com"),
            "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["trusted", "profile", "device", "firmware", "at", "chain", "names", "findings", "notes"] {
            #expect(json.keys.contains(key), "\(key)")
        }
        #expect(json["firmware"] is NSNull)
        let name = try #require((json["names"] as? [[String: Any]])?.first)
        #expect(name.keys.contains("matchedBy") && name["matchedBy"] is NSNull)
        for link in json["chain"] as? [[String: Any]] ?? [] {
            #expect(
                Set(link.keys)
                    == [
                        "subject", "sha256", "role", "source", "signatureAlgorithm", "keyBits",
                        // The rest of the shared certificate reference (CertificateJSON.Reference), added by issue #15.
                        "issuer", "serial", "sha1", "notBefore", "notAfter", "keyType",
                    ], "\(link.keys)")
        }
    }

    @Test("audit --html - prints the page, --html DIR is a clear error, audit - reads standard input")
    func auditOutputs() throws {
        let pki = try TestPKI.get()
        let folder = try makeTemporaryDirectory("audit-outputs")
        try folder.write("leaf.pem", try pki.directory.read("leaf.pem"))
        let yaml = "servers: [{certificate: \(folder.appendingPathComponent("leaf.pem").path)}]\nfleet: [{device: generic}]\n"
        try folder.write("d.yaml", yaml)
        let page = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--html", "-"])
        #expect(page.stdout.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"), "\(page.stdout.prefix(200))")
        let directory = try CLI.run(["audit", folder.appendingPathComponent("d.yaml").path, "--html", folder.path])
        #expect(directory.status == 2 && directory.stderr.contains("is a directory"), "\(directory.stderr)")
        let stdin = try CLI.run(["audit", "-", "--json"], input: Data(yaml.utf8))
        #expect(stdin.status == 1 && stdin.stdout.contains("pool01.contoso.com"), "\(stdin.stderr)")
    }
}

@Suite("Hostile input, round two: probe and publish without servers")
struct OfflineTests {
    @Test("a failed probe target is in the JSON array with its error, every key present")
    func failedProbeInJSON() throws {
        let result = try CLI.run(["probe", "127.0.0.1:1", "--timeout", "2", "--json"])
        #expect(result.status == 2)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        let entry = try #require(array.first)
        #expect(entry["target"] as? String == "127.0.0.1:1")
        // Refused with loopback up (Scripts/test), unreachable in a bare `unshare -n` (the unit tier): either way the
        // error the probe met is in the array, as standard error says it.
        let error = try #require(entry["error"] as? String, "\(entry)")
        #expect(error.contains("connection refused") || error.contains("unreachable"), "\(error)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
        for key in ["host", "port", "serverName", "negotiatedVersion", "negotiatedCipher", "protocols", "asPhone", "presented", "results"] {
            #expect(entry.keys.contains(key), "\(key)")
        }
    }

    @Test("ds publish --dry-run refuses a non-CA file before it needs a DC")
    func publishOffline() throws {
        let pki = try TestPKI.get()
        let result = try CLI.run(["ds", "publish", pki.url("leaf.pem").path, "--dry-run", "--ldap", "ldaps://127.0.0.1:1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a CA certificate") && !result.stderr.contains("127.0.0.1"), "\(result.stderr)")
    }
}

@Suite("Hostile input, round two: inspect JSON")
struct InspectJSONTests {
    static let documentedKeys: Set<String> = [
        "file", "format", "encoding", "subject", "issuer", "subjectAttributes", "issuerAttributes", "serial", "version", "notBefore",
        "notAfter", "signatureAlgorithm", "signatureAlgorithmOID", "signatureHash", "signatureScheme", "keyType", "keyBits", "keyCurve",
        "isCA", "pathLength", "keyUsage", "extendedKeyUsage", "san", "subjectKeyIdentifier", "authorityKeyIdentifier",
        "crlDistributionPoints", "ocsp", "caIssuers", "selfIssued", "extensions", "sha1", "sha256",
    ]

    @Test("every documented key is present (absent extensions null); registeredID keeps its OID, otherName its value")
    func keysAndOtherNames() throws {
        let pki = try TestPKI.get()
        try pki.ensure("san-other") {
            try pki.issue(
                "san-other", issuer: "inter", subject: "/CN=o.contoso.com", key: "leaf.key",
                extensions: ["subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:admin@contoso.com,RID:1.2.3.4,DNS:o.contoso.com"])
        }
        // A bare v1 certificate has none of the optional extensions.
        try pki.ensure("bare-v1") {
            try pki.openssl([
                "req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=bare", "-days", "30", "-out", "bare-v1.pem", "-config",
                "/dev/null",
            ])
        }
        for (file, absent) in [
            ("san-other.pem", [] as [String]), ("bare-v1.pem", ["keyUsage", "extendedKeyUsage", "pathLength", "subjectKeyIdentifier"]),
        ] {
            let result = try CLI.run(["inspect", pki.url(file).path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let entry = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first)
            #expect(Set(entry.keys) == Self.documentedKeys, "\(file): \(Set(entry.keys).symmetricDifference(Self.documentedKeys))")
            for key in absent { #expect(entry[key] is NSNull, "\(file): \(key) = \(String(describing: entry[key]))") }
        }
        let san = try pki.certificate("san-other.pem").subjectAlternativeNames.map(\.value)
        #expect(san.contains("UPN: admin@contoso.com") && san.contains("registeredID 1.2.3.4"), "\(san)")
    }
}

@Suite("Hostile input, round two: boot names")
struct BootNameTests {
    @Test("11. boot's domains enter as A-labels too; a non-name is still refused")
    func bootIDN() throws {
        let inputs = try BootInputs(sipDomain: "Bücher.de", dhcpDomain: "münchen.de", searchDomains: ["例え.テスト"])
        #expect(inputs.sipDomain == "xn--bcher-kva.de" && inputs.dhcpDomain == "xn--mnchen-3ya.de")
        #expect(inputs.searchDomains == ["xn--r8jz45g.xn--zckzah"])
        #expect(throws: BootError.self) { try BootInputs(sipDomain: "contoso.com\n[x]") }
    }
}

@Suite("Hostile input, round two: capture paths")
struct CapturePathTests {
    @Test("trace: process substitution is read; a directory, a device and a symlink loop are refused in plain words")
    func tracePaths() throws {
        let capture = repositoryRoot.appendingPathComponent("Fuzz/seeds/capture/lab-boot-and-tls.pcap").path
        let piped = try HostileInputRoundTwoTests.bounded("$CXCERT trace <(cat \(capture))")
        #expect(piped.status != 2 && piped.output.contains("45 frames"), "\(piped.output)")
        let folder = try makeTemporaryDirectory("trace-loop")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("a").path, withDestinationPath: "a")
        for (path, reason) in [
            (folder.path, "is a directory"), ("/dev/zero", "is a device, not a file"),
            (folder.appendingPathComponent("a").path, "too many levels of symbolic links"),
        ] {
            let run = try HostileInputRoundTwoTests.bounded("$CXCERT trace \(path)")
            #expect(run.status == 2 && run.seconds < 10, "\(path): \(run.output)")
            #expect(run.output == "cxcert: \(path): \(reason)\n", "\(run.output)")
        }
    }
}

@Suite("Hostile input, round two: deployment-file places")
struct DeploymentPlaceTests {
    @Test("13. range and name errors found after decoding also name their line and column")
    func placedErrors() throws {
        let cases: [(String, String)] = [
            ("servers: [{host: a, port: 70000}]\nfleet: [{device: cx700}]\n", "line 1, column 27: servers[0].port"),
            ("servers: [{host: a}]\nfleet:\n  - device: cx700\n    count: -1\n", "line 4, column 12: fleet[0].count"),
            ("servers: [{host: a}]\nfleet: [{device: cx700}]\ntimeout: -3\n", "line 3, column 10: timeout"),
            ("pool: 'a b'\nservers: [{host: a}]\nfleet: [{device: cx700}]\n", "line 1, column 7: pool: 'a b' is not a valid DNS name"),
            ("servers: [{name: x}]\nfleet: [{device: cx700}]\n", "line 1, column 11: servers[0] needs a host"),
        ]
        for (yaml, expected) in cases {
            let error = #expect(throws: AuditError.self) { try DeploymentFile(yaml: yaml) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
    }
}
