#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// DHCP option 43 for vendor class `MS-UC-Client`: where the phone finds the Certificate Provisioning
/// service (Microsoft gg412828; sub-options 1-5).
public struct UCProvisioning: Sendable, Hashable, Codable {
    /// How sub-option 4 (the port) was written.
    public enum PortEncoding: String, Sendable, Hashable, Codable {
        /// ASCII decimal ("443"), as DHCPUtil writes it.
        case text
        /// A 2-byte integer (0x01BB), as some third-party tables type it.
        case binary
        /// There is no sub-option 4.
        case missing
        /// Sub-option 4 is neither decimal text of at most 5 digits nor a 2-byte integer.
        case invalid
    }

    /// Sub-option 1: the vendor identifier, which must be `MS-UC-Client`.
    public let identifier: String?
    /// Sub-option 2: the URL scheme (`https`).
    public let scheme: String?
    /// Sub-option 3: the internal web services FQDN, lowercased.
    public let webFQDN: String?
    /// Sub-option 4: the port, however it was encoded.
    public let port: Int?
    /// How the port was written.
    public let portEncoding: PortEncoding
    /// Sub-option 5: the path of the Certificate Provisioning service (`/CertProv/CertProvisioningService.svc`).
    public let path: String?
    /// The sub-option cut short by the end of the option, if any.
    public let truncatedSubOption: Int?
    /// Bytes in option 43.
    public let length: Int
    /// Codes of sub-options other than 1-5, in order.
    public let otherSubOptions: [Int]

    /// `<scheme>://<fqdn>:<port><path>`, as DHCPUtil prints it; nil when a part is missing.
    public var url: String? {
        guard let scheme, let webFQDN, let port, let path else { return nil }
        return "\(scheme)://\(webFQDN):\(port)\(path)"
    }

    /// Reads the sub-option TLVs; a trailing 0xFF (dnsmasq appends one) ends them.
    public init(_ data: [UInt8]) {
        var values: [Int: [UInt8]] = [:]
        var truncated: Int?
        var others: [Int] = []
        var index = 0
        while index < data.count {
            let code = Int(data[index])
            if code == 0 {
                index += 1
                continue
            }
            if code == 255 { break }
            guard index + 1 < data.count else {
                truncated = code
                break
            }
            let length = Int(data[index + 1])
            let available = min(length, data.count - index - 2)
            if available < length { truncated = code }
            if (1...5).contains(code) { values[code] = Array(data[(index + 2)..<(index + 2 + available)]) } else { others.append(code) }
            index += 2 + available
        }
        func text(_ code: Int) -> String? { values[code].map { String(decoding: $0, as: UTF8.self) } }
        identifier = text(1)
        scheme = text(2)
        webFQDN = text(3).map { $0.lowercased() }
        path = text(5)
        var parsedPort: Int?
        var encoding: PortEncoding
        switch values[4] {
        case nil:
            encoding = .missing
        case let bytes? where !bytes.isEmpty && bytes.allSatisfy({ (0x30...0x39).contains($0) }) && bytes.count <= 5:
            parsedPort = Int(String(decoding: bytes, as: UTF8.self))
            encoding = .text
        case let bytes? where bytes.count == 2:
            parsedPort = Int(bytes[0]) << 8 | Int(bytes[1])
            encoding = .binary
        default:
            encoding = .invalid
        }
        // Port 0 and anything past 65535 name no port: refused, never truncated into another one.
        if let value = parsedPort, !(1...65535).contains(value) {
            parsedPort = nil
            encoding = .invalid
        }
        port = parsedPort
        portEncoding = encoding
        truncatedSubOption = truncated
        length = data.count
        otherSubOptions = others
    }
}
