import Foundation
import Testing

extension Tag {
    /// Needs root and real servers (openssl s_server, Samba AD, dnsmasq, chrony, Kea, tcpdump, Chromium, HTTP stubs).
    @Tag static var integration: Self
}

/// Two tiers: unit tests run with a plain `swift test` on any machine with Swift and the -dev packages (no root,
/// no servers, no network); integration tests run when `CXCERT_INTEGRATION=1`, which `Scripts/test` sets inside
/// the private network namespace where it starts them all.
enum Tier {
    static var integration: Bool { ProcessInfo.processInfo.environment["CXCERT_INTEGRATION"] == "1" }
}

extension Trait where Self == ConditionTrait {
    /// Runs only in `Scripts/test` (root, a private network namespace, real servers).
    static var integration: Self {
        .enabled(if: Tier.integration, "an integration test: needs root and real servers; Scripts/test runs it")
    }
}
