import Foundation

@testable import CXCertCore
@testable import CXCertDirectory

/// The throwaway Samba AD DC of `Scripts/samba-dc`: started once per test process if `Scripts/test`
/// has not started it already.
struct SambaDC: Sendable {
    let url: String
    let plainURL: String
    let caFile: String
    let base: String
    let admin: String
    let adminPasswordFile: String
    let user: String
    let userPasswordFile: String

    static let shared: Result<SambaDC, any Error> = Result {
        let script = repositoryRoot.appendingPathComponent("Scripts/samba-dc").path
        let envPath = try Shell.text([script, "start"]).trimmingCharacters(in: .whitespacesAndNewlines)
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: envPath, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1].replacingOccurrences(of: "\\\\", with: "\\") }
        }
        func value(_ key: String) throws -> String {
            guard let found = values[key] else { throw Shell.Failure(description: "\(envPath) lacks \(key)") }
            return found
        }
        return SambaDC(
            url: try value("CXCERT_TEST_LDAP_URL"), plainURL: try value("CXCERT_TEST_LDAP_PLAIN_URL"),
            caFile: try value("CXCERT_TEST_LDAP_CA"),
            base: try value("CXCERT_TEST_BASE"), admin: try value("CXCERT_TEST_ADMIN"),
            adminPasswordFile: try value("CXCERT_TEST_ADMIN_PASSWORD_FILE"), user: try value("CXCERT_TEST_USER"),
            userPasswordFile: try value("CXCERT_TEST_USER_PASSWORD_FILE"))
    }

    static func get() throws -> SambaDC { try shared.get() }

    var adminConfiguration: DirectoryConfiguration {
        DirectoryConfiguration(url: url, bindName: admin, password: .file(adminPasswordFile), caFile: caFile)
    }

    var userConfiguration: DirectoryConfiguration {
        DirectoryConfiguration(url: url, bindName: user, password: .file(userPasswordFile), caFile: caFile)
    }

    var connectionArguments: [String] {
        ["--ldap", url, "--ca-file", caFile, "--bind", admin, "--password-file", adminPasswordFile]
    }

    var publicKeyServices: String { "CN=Public Key Services,CN=Services,CN=Configuration,\(base)" }

    /// `ldapsearch` as an independent reader: the values of `attribute` on the object at `dn`.
    func ldapsearch(_ dn: String, _ attribute: String) throws -> [[UInt8]] {
        let password = try String(contentsOfFile: adminPasswordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let output: String
        do {
            output = try Shell.text(
                [
                    "env", "LDAPTLS_CACERT=\(caFile)", "ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-x", "-H", url, "-D", admin,
                    "-y", "/dev/stdin", "-s", "base", "-b", dn, attribute,
                ], input: Data(password.utf8))
        } catch let failure as Shell.Failure where failure.description.contains("exited 32") {
            return []
        }
        return output.split(separator: "\n").compactMap { line in
            guard line.lowercased().hasPrefix(attribute.lowercased() + ":") else { return nil }
            let rest = line.dropFirst(attribute.count + 1)
            return rest.hasPrefix(":")
                ? Data(base64Encoded: rest.dropFirst().trimmingCharacters(in: .whitespaces)).map(Array.init)
                : Array(rest.trimmingCharacters(in: .whitespaces).utf8)
        }
    }
}
