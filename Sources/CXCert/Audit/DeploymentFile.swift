import Foundation
import Yams

/// A deployment described once (YAML or JSON): names, servers, the phone fleet and trust sources.
/// `Examples/deployment.yaml` documents every key.
public struct DeploymentFile: Sendable, Codable {
    public struct Server: Sendable, Codable {
        /// A label for reports (default: host:port or the certificate file).
        public var name: String?
        public var host: String?
        public var port: Int?
        /// The SNI to send (default: the host name).
        public var sni: String?
        /// Which certificate this server presents: `default` (SIP, 5061) or `web-internal` (443).
        public var role: PlannedName.Role?
        /// Certificate (chain) file for a server that cannot be reached from where the audit runs.
        public var certificate: String?
        /// More names this server must cover.
        public var names: [String]?
    }

    public struct FleetEntry: Sendable, Codable {
        public var device: String
        public var firmware: String?
        /// How many phones run this build (weights the findings).
        public var count: Int?
    }

    public struct DirectorySource: Sendable, Codable {
        public var url: String
        public var bind: String?
        public var passwordEnv: String?
        public var passwordFile: String?
        public var caFile: String?
    }

    public struct Trust: Sendable, Codable {
        /// Root certificate files (any format).
        public var roots: [String]?
        /// An LDIF snapshot from `cxcert ds list --save`.
        public var adSnapshot: String?
        /// A live directory to read the roots from, as the phones do.
        public var ad: DirectorySource?
    }

    public var adDomains: [String]?
    public var sipDomains: [String]?
    public var pool: String?
    public var simpleURLs: [String]?
    public var servers: [Server]
    public var fleet: [FleetEntry]
    public var trust: Trust?
    /// Validation time (ISO 8601; default now).
    public var at: String?
    /// Seconds per connection.
    public var timeout: Double?

    /// Parses YAML (JSON is YAML too).
    public init(yaml text: String) throws(AuditError) {
        do {
            self = try YAMLDecoder().decode(DeploymentFile.self, from: text)
        } catch let error as DecodingError {
            throw .invalidFile(Self.describe(error))
        } catch {
            throw .invalidFile("\(error)")
        }
        guard !servers.isEmpty else { throw .invalidFile("'servers' lists no server") }
        guard !fleet.isEmpty else { throw .invalidFile("'fleet' lists no device") }
        for (index, server) in servers.enumerated() where server.host == nil && server.certificate == nil {
            throw .invalidFile("servers[\(index)] needs a host or a certificate file")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
                in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context).isEmpty ? "" : path(context) + ": ")missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The name plan, when the file gives a pool.
    public var plan: NamePlan? {
        pool.map { NamePlan(Deployment(adDomains: adDomains ?? [], sipDomains: sipDomains ?? [], pool: $0, simpleURLs: simpleURLs ?? [])) }
    }
}

/// Why an audit could not run.
public enum AuditError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidFile(String)
    case input(String)

    public var description: String {
        switch self {
        case .invalidFile(let reason): "deployment file: \(reason)"
        case .input(let reason): reason
        }
    }
}
