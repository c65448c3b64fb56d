import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Endpoint {
    /// What an NTP server given as DHCP option 42 must be, in every message that refuses one.
    static let ntpServerExpectation = "an NTP server IP[:PORT] (DHCP option 42 carries addresses, as option 6 does)"

    /// Parses a time server as DHCP option 42 carries it: an IP address, with an optional port (default 123). A name,
    /// a malformed address and a bad port get the same message, as `--dns-server` gives one for each.
    /// - Parameter text: The value of `boot --ntp-server`.
    /// - Throws: ``BootError/invalidValue(_:expected:)`` naming what option 42 carries.
    public init(ntpServer text: String) throws(BootError) {
        guard let endpoint = try? Endpoint(parsing: text, defaultPort: 123), HostnameMatcher.ipAddress(endpoint.host) != nil else {
            throw .invalidValue(text, expected: Self.ntpServerExpectation)
        }
        self = endpoint
    }
}
