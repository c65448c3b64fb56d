import Foundation
import Testing

@testable import CXCertAudit
@testable import CXCertCore
@testable import CXCertTestSupport

/// The deployment file's YAML, read through libyaml's events (YAMLLoader) and YAMLNodeDecoder: what decodes to what,
/// and what is refused with which words.
@Suite("Deployment files: libyaml's events, YAML 1.1 scalars, hostile input")
struct DeploymentYAMLTests {
    static let base = "servers: [{host: a}]\nfleet: [{device: cx700}]\n"

    /// A file as sorted JSON, to compare whole files with one expected text.
    static func json(_ file: DeploymentFile) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(file), as: UTF8.self)
    }

    static func error(_ yaml: String) -> String {
        do {
            _ = try DeploymentFile(yaml: yaml)
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test("Examples/deployment.yaml decodes to the values it documents (checked once against PyYAML's reading too)")
    func example() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/deployment.yaml"), encoding: .utf8)
        let expected =
            #"{"adDomains":["contoso.com","fabrikam.com"],"boot":{"smtpDomain":"fabrikam.com","webFQDN":"pool01.contoso.com"},"#
            + #""fleet":[{"count":120,"device":"cx700","firmware":"3.5.6907.35"},{"count":40,"device":"cx700","firmware":"4.0.7577.4463"},"#
            + #"{"count":300,"device":"hp4120","firmware":"4.0.7577.4387"}],"pool":"pool01.contoso.com","#
            + #""servers":[{"certificate":"contoso\/pool01.pem","name":"pool01 web services (today)","role":"web-internal"},"#
            + #"{"certificate":"contoso\/pool01-fixed.pem","name":"pool01 web services (reissued)","role":"web-internal"}],"#
            + #""simpleURLs":["https:\/\/meet.fabrikam.com","https:\/\/dialin.fabrikam.com"],"sipDomains":["fabrikam.com"],"#
            + #""timeout":10,"trust":{"roots":["contoso\/certnew.p7b"]}}"#
        #expect(try Self.json(try DeploymentFile(yaml: text)) == expected)
        // The same file as JSON (JSON is YAML) decodes to the same values.
        let asJSON = try DeploymentFile(yaml: expected.replacingOccurrences(of: "\\/", with: "/"))
        #expect(try Self.json(asJSON) == expected)
    }

    @Test("flow and block collections, block scalars, quoted escapes, comments, --- and ... read as YAML says")
    func constructs() throws {
        let file = try DeploymentFile(
            yaml: """
                %YAML 1.1
                ---   # a document start with a comment
                servers:
                  - {host: "h\\u0041\\x42\\t1", port: 443}   # double-quoted escapes
                  - host: 'it''s'
                    names: [a, "b", 'c']
                    role: default
                fleet:
                  - device: cx700
                    firmware: |
                      4.0.7577.4463
                  - {device: hp4120, count: 1_000}
                boot:
                  user: |
                    CONTOSO\\alice
                  upn: >
                    alice@contoso.com
                    folded
                  registrars:
                  - pool01.contoso.com
                  - 'pool02.contoso.com'
                ...
                # after the document end
                """)
        #expect(file.servers.count == 2)
        #expect(file.servers[0].host == "hAB\t1" && file.servers[0].port == 443)
        #expect(file.servers[1].host == "it's" && file.servers[1].names == ["a", "b", "c"] && file.servers[1].role == .default)
        #expect(file.fleet[0].firmware == "4.0.7577.4463\n" && file.fleet[1].count == 1000)
        #expect(file.boot?.user == "CONTOSO\\alice\n" && file.boot?.upn == "alice@contoso.com folded\n")
        #expect(file.boot?.registrars == ["pool01.contoso.com", "pool02.contoso.com"])
    }

    @Test("plain scalars resolve as YAML 1.1 (bools, integers, floats, null); quoted ones are text; text takes any scalar")
    func scalars() throws {
        for (value, expected) in [
            ("yes", true), ("Yes", true), ("true", true), ("TRUE", true), ("on", true), ("no", false), ("False", false), ("off", false),
        ] {
            #expect(try DeploymentFile(yaml: Self.base + "boot: {signedIn: \(value)}\n").boot?.signedIn == expected, "\(value)")
        }
        for (value, expected) in [
            ("443", 443), ("0x1BB", 443), ("0o777", 511), ("010", 8), ("0b101", 5), ("1_000", 1000), ("+5", 5), ("1:30", 90),
        ] {
            let file = try DeploymentFile(yaml: "servers: [{host: a, port: \(value)}]\nfleet: [{device: cx700}]\n")
            #expect(file.servers[0].port == expected, "\(value)")
        }
        for (value, expected) in [
            ("10", 10.0), ("2.5", 2.5), (".5", 0.5), ("1e1", 10.0), ("1_0.5", 10.5), ("1:30", 90.0), ("1:30.5", 90.5), ("0x10", 16.0),
        ] {
            #expect(try DeploymentFile(yaml: Self.base + "timeout: \(value)\n").timeout == expected, "\(value)")
        }
        for value in ["~", "null", "Null", "NULL", ""] {
            let file = try DeploymentFile(yaml: Self.base + "pool: \(value)\ntimeout: \(value)\nboot: {signedIn: \(value)}\n")
            #expect(file.pool == nil && file.timeout == nil && file.boot?.signedIn == nil, "\(value)")
        }
        // Asked for text, a plain scalar is its text; quoted, it is text even when it looks like something else.
        let text = try DeploymentFile(yaml: "servers: [{host: 123, name: true, sni: 'null'}]\nfleet: [{device: cx700, firmware: 4.0}]\n")
        #expect(text.servers[0].host == "123" && text.servers[0].name == "true" && text.servers[0].sni == "null")
        #expect(text.fleet[0].firmware == "4.0")
        #expect(try DeploymentFile(yaml: Self.base + "pool: !!str 12\ntimeout: !!float '3'\n").pool == "12")
        // Quoted numbers and bools are text, so not a port, a timeout or a yes.
        #expect(
            Self.error("servers: [{host: a, port: '443'}]\nfleet: [{device: cx700}]\n").contains(
                "line 1, column 27: servers[0].port: expected a whole number"))
        #expect(Self.error(Self.base + "timeout: \"10\"\n").contains("line 3, column 10: timeout: expected a number"))
        #expect(Self.error(Self.base + "boot: {signedIn: 'yes'}\n").contains("line 3, column 18: boot.signedIn: expected true or false"))
        for value in ["0x", "1e", "1.2.3", "12abc", "--1", "1::2", "99999999999999999999"] {
            #expect(
                Self.error("servers: [{host: a, port: \(value)}]\nfleet: [{device: cx700}]\n").contains("expected a whole number"),
                "\(value)")
        }
        #expect(Self.error(Self.base + "timeout: inf\n").contains("timeout: expected a number"))
        #expect(Self.error(Self.base + "timeout: .inf\n").contains("timeout: inf is not a number of seconds"))
    }

    @Test("a wrong shape is placed at its line and column, in plain words")
    func shapes() {
        let cases: [(String, String)] = [
            ("servers: [{host: a}]\nfleet: [cx700]\n", "line 2, column 9: fleet[0]: expected a mapping (key: value), found something else"),
            ("servers: 7\nfleet: [{device: cx700}]\n", "line 1, column 10: servers: expected a list, found something else"),
            ("servers:\nfleet: [{device: cx700}]\n", "line 1, column 9: servers: expected a list, found nothing"),
            (
                "servers: [{host: {a: 1}}]\nfleet: [{device: cx700}]\n",
                "line 1, column 18: servers[0].host: expected text, found something else"
            ),
            ("servers: [{host: a}]\n", "missing key 'fleet'"),
            ("servers: [{host: a, role: sip}]\nfleet: [{device: cx700}]\n", "line 1, column 27: servers[0].role: Cannot initialize Role"),
            ("- a\n- b\n", "line 1, column 1: expected a mapping (key: value), found something else"),
            ("---\n", "line 2, column 1: expected a mapping (key: value), found nothing"),
            ("", "the file is empty (or only comments): expected a mapping (key: value)"),
            ("# nothing but a comment\n", "the file is empty (or only comments)"),
        ]
        for (yaml, expected) in cases {
            let error = Self.error(yaml)
            #expect(error.hasPrefix("deployment file: ") && error.contains(expected), "\(yaml.debugDescription): \(error)")
        }
    }

    @Test("refused with their own words: several documents, repeated keys, tags, complex keys, syntax errors")
    func refusals() {
        let cases: [(String, String)] = [
            (Self.base + "---\nfleet: []\n", "line 3, column 1: expected a single document in the stream, but found another document"),
            (Self.base + "servers: [{host: b}]\n", "line 3, column 1: the key 'servers' is given twice (first at line 1, column 1)"),
            ("servers: [{host: a, host: b}]\nfleet: [{device: cx700}]\n", "line 1, column 21: the key 'host' is given twice"),
            (Self.base + "pool: !custom x\n", "line 3, column 7: the YAML tag '!custom' is not accepted"),
            (Self.base + "pool: !!binary eA==\n", "the YAML tag '!!binary' is not accepted"),
            (Self.base + "adDomains: !!map [a]\n", "the YAML tag '!!map' is not accepted"),
            (Self.base + "[a]: b\n", "line 3, column 1: a key is a list or a mapping; keys are names"),
            (
                "servers: [{host: a}]\nfleet: [{device: 'cx700}]\n",
                "line 3, column 1: found unexpected end of stream (while scanning a quoted scalar at line 2, column 18)"
            ),
            ("servers:\n\t- host: a\nfleet: [{device: cx700}]\n", "line 2, column 1: found character that cannot start any token"),
            (Self.base + "pool: \"a\\qb\"\n", "line 3, column 9: found unknown escape character"),
            ("servers: [{host: a}\nfleet: x\n", "line 2, column 1: did not find expected ',' or ']'"),
        ]
        for (yaml, expected) in cases {
            let error = Self.error(yaml)
            #expect(error.hasPrefix("deployment file: ") && error.contains(expected), "\(yaml.debugDescription): \(error)")
        }
    }

    @Test("hostile input: nesting counted exactly on events, anchors and aliases refused where they appear, size, bad bytes")
    func hostile() throws {
        let loader = YAMLLoader(maxBytes: DeploymentFile.maxBytes, maxNesting: DeploymentFile.maxNesting)
        // Exactly 64 levels load; 65 do not, flow or block, at the line of the 65th.
        #expect(try loader.load(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) != nil)
        #expect(throws: YAMLError.tooDeep(line: 1, limit: 64)) {
            try loader.load(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
        }
        let block = (0..<65).map { String(repeating: " ", count: $0 * 2) + "k:" }.joined(separator: "\n") + " v\n"
        #expect(throws: YAMLError.tooDeep(line: 65, limit: 64)) { try loader.load(block) }
        #expect(throws: AuditError.invalidFile("line 1: nested deeper than 64 levels")) {
            try DeploymentFile(yaml: String(repeating: "{a: ", count: 100_000))
        }
        // What the old text pre-check refused though nothing nests: deep indentation, brackets in a plain scalar.
        let indented = try DeploymentFile(
            yaml: "servers: [{host: a,\n\(String(repeating: " ", count: 300))port: 443}]\nfleet: [{device: cx700}]\n")
        #expect(indented.servers[0].port == 443)
        let bracketed = try DeploymentFile(
            yaml: "servers:\n  - name: x\(String(repeating: "[", count: 70))\n    host: a\nfleet: [{device: cx700}]\n")
        #expect(bracketed.servers[0].name?.count == 71)

        // Anchors, aliases and merge keys, wherever they are; the characters inside quotes and words are text.
        for (yaml, line) in [
            ("a: &x {b: 1}\n", 1), ("a: [1, 2]\nb: *x\n", 2), ("a: !!str &x b\n", 1), ("a:\n  - &x [1]\n", 2), ("a: {<<: {b: 1}}\n", 1),
            ("? *x\n: 1\n", 1), ("a:\n  <<: [b]\n", 2),
        ] {
            #expect(throws: YAMLError.aliasOrMerge(line: line), "\(yaml)") { try loader.load(yaml) }
        }
        #expect(try loader.load("a: ['<<', \"*x\", R&D, x*y]\n'<<': 1\n") != nil)
        let laughs =
            "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + (1..<40).map {
                "a\($0): &a\($0) [\(Array(repeating: "*a\($0 == 1 ? "" : String($0 - 1))", count: 9).joined(separator: ", "))]"
            }.joined(separator: "\n")
        let error = Self.error(laughs + "\n" + Self.base)
        #expect(error.contains("line 1: YAML anchors, aliases and merge keys (&name, *name, <<) are not accepted"), "\(error)")

        // 1 MiB is accepted; one byte more is not, before any parsing.
        let padding = String(repeating: "#", count: DeploymentFile.maxBytes - Self.base.utf8.count - 1) + "\n"
        #expect(try DeploymentFile(yaml: Self.base + padding).servers.count == 1)
        #expect(throws: AuditError.invalidFile("the file is over 1048576 bytes")) { try DeploymentFile(yaml: Self.base + padding + " ") }
        #expect(throws: YAMLError.tooLarge(limit: 8)) { try YAMLLoader(maxBytes: 8, maxNesting: 4).load("a: 123456") }

        // Bytes that are not UTF-8 are said before YAML; a character libyaml refuses is placed from its offset.
        let bytes = Array(Self.base.utf8) + [0x70, 0x6F, 0x6F, 0x6C, 0x3A, 0x20, 0xC3, 0x28, 0x0A]
        #expect(Self.error(String(decoding: bytes, as: UTF8.self)).contains("line 3: a control character or bytes that are not UTF-8"))
        let control = Self.error(Self.base + "pool: é\u{80}x\n")
        #expect(control.contains("line 3, column 8: control characters are not allowed (#80)"), "\(control)")
        // Escaped, a control character in a repeated key is shown, not sent to the terminal.
        let escaped = Self.error(Self.base + "\"a\\e\": 1\n\"a\\e\": 2\n")
        #expect(escaped.contains("the key 'a\\u{1b}' is given twice"), "\(escaped)")
    }
}
