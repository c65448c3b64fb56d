import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery

/// Ports outside 1-65535 are refused, not truncated: option 43 and redirects.
@Suite("Ports outside 1-65535 are refused, not truncated")
struct PortRangeTests {
    @Test("Option 43 port 0, 99999 and binary 0 are invalid; 443 as text and as two bytes are read")
    func option43Ports() {
        func sub(_ code: UInt8, _ bytes: [UInt8]) -> [UInt8] { [code, UInt8(bytes.count)] + bytes }
        func port(_ bytes: [UInt8]) -> (Int?, UCProvisioning.PortEncoding)? {
            let data =
                sub(1, Array("MS-UC-Client".utf8)) + sub(2, Array("https".utf8)) + sub(3, Array("a.contoso.com".utf8)) + sub(4, bytes)
                + sub(5, Array("/p".utf8))
            return DHCPOptionsReport(options: [43: data]).provisioning.map { ($0.port, $0.portEncoding) }
        }
        #expect(port(Array("443".utf8))! == (443, .text))
        #expect(port([0x01, 0xBB])! == (443, .binary))
        for bad in [Array("99999".utf8), Array("0".utf8), [0, 0]] {
            let read = port(bad)
            #expect(read?.0 == nil && read?.1 == .invalid, "\(bad)")
        }
    }
}
