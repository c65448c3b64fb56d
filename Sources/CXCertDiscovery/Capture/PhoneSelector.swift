import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A phone named on the command line (`trace --phone`): its MAC address or its IP address, checked when it is
/// parsed, so a typo is a usage error instead of a capture in which "no phone" was found.
public enum PhoneSelector: Sendable, Hashable, CustomStringConvertible {
    /// A MAC address in lowercase colon form (`82:7f:e6:e6:49:c4`).
    case mac(String)
    /// An IPv4 or IPv6 address in canonical form.
    case address(String)

    /// Why a `--phone` value was refused.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The value as given.
        public let value: String
        /// One line for the admin.
        public var description: String {
            "'\(value)' is neither a MAC address (82:7f:e6:e6:49:c4, 82-7f-e6-e6-49-c4, 827f.e6e6.49c4, 827fe6e649c4) nor an IP address"
        }
    }

    /// Parses a MAC address in the usual spellings (colons, dashes, Cisco's dotted groups of four, or twelve hex
    /// digits) or an IPv4 or IPv6 address.
    ///
    /// - Parameter text: The value of `--phone`.
    /// - Throws: ``ParseError`` when it is neither.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingSpaces()
        if let address = HostnameMatcher.ipAddress(trimmed) {
            self = .address(address)
            return
        }
        let hex = trimmed.lowercased()
        let groups: [Substring]
        if hex.contains(":") || hex.contains("-") {
            groups = hex.split(separator: hex.contains(":") ? ":" : "-", omittingEmptySubsequences: false)
            guard groups.count == 6, groups.allSatisfy({ $0.count == 2 }) else { throw ParseError(value: text) }
        } else if hex.contains(".") {
            let quads = hex.split(separator: ".", omittingEmptySubsequences: false)
            guard quads.count == 3, quads.allSatisfy({ $0.count == 4 }) else { throw ParseError(value: text) }
            groups = quads.flatMap { [$0.prefix(2), $0.suffix(2)] }
        } else {
            guard hex.count == 12 else { throw ParseError(value: text) }
            groups = stride(from: 0, to: 12, by: 2).map { hex.dropFirst($0).prefix(2) }
        }
        guard groups.allSatisfy({ $0.allSatisfy(\.isHexDigit) }) else { throw ParseError(value: text) }
        self = .mac(groups.joined(separator: ":"))
    }

    /// The MAC or address as it is matched.
    public var description: String {
        switch self {
        case .mac(let mac): mac
        case .address(let address): address
        }
    }
}
