import Foundation

@testable import CXCertProbe

/// What one Kamailio TLS listener answers to a REGISTER.
enum SIPListenerAnswer: Sendable {
    /// A Lync registrar's 401: one `WWW-Authenticate` per package, NTLM, Kerberos and TLS-DSK, with realm,
    /// targetname and version 4, and TLS-DSK's `sts-uri` when given ([MS-SIPAE]'s challenge rules and §4.1 example;
    /// `sts-uri` as SIPE reads it).
    case lync(targetName: String, stsURI: String?)
    /// A 301 whose Contact is `sip:TARGET;transport=tls`, as a director sends a phone to its home pool.
    case redirect(to: String)
    /// A 401 with only a Digest challenge: a SIP server that is not Lync.
    case digest
    /// No answer at all: the request is dropped and the connection kept open.
    case silent
}

extension BootLab {
    /// Real Kamailio (`kamailio -DD -E`, its `tls` module) with one TLS listener per entry, each answering a REGISTER as
    /// its `SIPListenerAnswer` says (`append_to_reply` and `sl_send_reply`, stateless). The config is written into the
    /// lab's folder; each REGISTER received is logged with its `Authorization` header and `User-Agent` to `kamailio-*.log`.
    /// - Parameters:
    ///   - listeners: (last address byte, port, answer) per listener.
    ///   - certificate: The server certificate file in `pki`.
    ///   - key: Its key file in `pki`.
    ///   - pki: The folder of both.
    ///   - plainTCP: Listen over TCP in clear instead of TLS (SIP a capture can read).
    /// - Throws: ``ChildProcess/Failure`` when Kamailio exits or its listeners do not open within ten seconds.
    func kamailio(
        _ listeners: [(last: Int, port: Int, answer: SIPListenerAnswer)], certificate: String, key: String, in pki: URL,
        plainTCP: Bool = false
    ) throws {
        let tls = [
            "[server:default]", "method = TLSv1+", "verify_certificate = no", "require_certificate = no",
            "certificate = \(pki.appendingPathComponent(certificate).path)", "private_key = \(pki.appendingPathComponent(key).path)",
            "cipher_list = ALL:@SECLEVEL=0",
        ]
        try directory.write("kamailio-tls.cfg", tls.joined(separator: "\n") + "\n")
        func quoted(_ text: String) -> String { text.replacingOccurrences(of: "\"", with: "\\\"") }
        var routes: [String] = []
        for listener in listeners {
            let condition = "dst_ip==\(address(listener.last)) && dst_port==\(listener.port)"
            var body: [String]
            switch listener.answer {
            case .lync(let target, let sts):
                let realm = #"realm="SIP Communications Service""#
                body =
                    [
                        "WWW-Authenticate: NTLM \(realm), targetname=\"\(target)\", version=4",
                        "WWW-Authenticate: Kerberos \(realm), targetname=\"sip/\(target)\", version=4",
                        "WWW-Authenticate: TLS-DSK \(realm), targetname=\"\(target)\", version=4"
                            + (sts.map { ", sts-uri=\"\($0)\"" } ?? ""),
                    ].map { "append_to_reply(\"\(quoted($0))\\r\\n\");" } + [#"sl_send_reply("401", "Unauthorized");"#]
            case .redirect(let target):
                body = [
                    "append_to_reply(\"Contact: <sip:\(target);transport=tls>\\r\\n\");",
                    #"sl_send_reply("301", "Redirect request to Home Server");"#,
                ]
            case .digest:
                body = [
                    #"append_to_reply("WWW-Authenticate: Digest realm=\"fabrikam.com\", nonce=\"4d67de88\", algorithm=MD5\r\n");"#,
                    #"sl_send_reply("401", "Unauthorized");"#,
                ]
            case .silent:
                body = ["drop;"]
            }
            routes.append("  if (\(condition)) {\n    " + (body + ["exit;"]).joined(separator: "\n    ") + "\n  }")
        }
        let modules = "/usr/lib/\(Self.multiarch)/kamailio/modules/"
        let config =
            [
                "#!KAMAILIO", "debug=2", "log_stderror=yes", "children=1", "tcp_children=2", "enable_tls=yes", "auto_aliases=no",
                "tcp_connection_lifetime=30",
            ] + listeners.map { "listen=\(plainTCP ? "tcp" : "tls"):\(address($0.last)):\($0.port)" } + [
                "mpath=\"\(modules)\"", #"loadmodule "tls.so""#, #"loadmodule "sl.so""#, #"loadmodule "textops.so""#,
                #"loadmodule "pv.so""#, #"loadmodule "xlog.so""#,
                "modparam(\"tls\", \"config\", \"\(directory.appendingPathComponent("kamailio-tls.cfg").path)\")",
                "request_route {",
                "  force_rport();",
                #"  xlog("L_NOTICE", "REGISTER-RECEIVED on $Ri:$Rp auth=[$hdr(Authorization)] ua=[$ua]\n");"#,
            ] + routes + [#"  sl_send_reply("500", "No route");"#, "}"]
        try directory.write("kamailio.cfg", config.joined(separator: "\n") + "\n")
        let run = directory.appendingPathComponent("kamailio-run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try launch([
            "kamailio", "-DD", "-E", "-m", "32", "-M", "8", "-f", directory.appendingPathComponent("kamailio.cfg").path, "-Y", run.path,
            "-w", directory.path,
        ]) { _ in
            listeners.allSatisfy { (try? Prober.reach(address: address($0.last), port: $0.port, timeout: 0.3)) != nil }
        }
    }

    /// What Kamailio logged so far (its REGISTER-RECEIVED lines among them).
    func kamailioLog() -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix("kamailio-") && $0.hasSuffix(".log") }.compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }.joined(separator: "\n")
    }

    /// One of `sip_stub.py`'s hostile registrars on ADDRESS:PORT with the given certificate.
    func sipStub(_ mode: String, at last: Int, port: Int, certificate: String, key: String, in pki: URL) throws {
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/sip_stub.py").path
        try launch([
            "python3", script, mode, address(last), "\(port)", pki.appendingPathComponent(certificate).path,
            pki.appendingPathComponent(key).path,
        ]) { log in
            log.split(separator: "\n").contains { Int($0) != nil }
        }
    }

    /// Debian's multiarch folder for this machine's modules.
    static let multiarch: String = {
        #if arch(arm64)
            "aarch64-linux-gnu"
        #else
            "x86_64-linux-gnu"
        #endif
    }()
}
