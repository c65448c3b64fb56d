internal import COpenSSL
import Foundation

/// One-shot message digests through OpenSSL's EVP interface.
package enum Digest {
    case sha1, sha256

    /// An implementation fetched once from the default provider: `EVP_sha1()` and `EVP_sha256()` make OpenSSL 3.0
    /// fetch one by name on every digest (37k instructions each; two per certificate `inspect` reads).
    private struct Fetched: @unchecked Sendable {
        let pointer: OpaquePointer?
        init(_ name: String, fallback: @autoclosure () -> OpaquePointer?) { pointer = EVP_MD_fetch(nil, name, nil) ?? fallback() }
    }
    private static let sha1MD = Fetched("SHA1", fallback: EVP_sha1())
    private static let sha256MD = Fetched("SHA256", fallback: EVP_sha256())

    package func hash<C: ContiguousBytes>(_ data: C) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = self == .sha1 ? Self.sha1MD.pointer : Self.sha256MD.pointer
        data.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &output, &length, md, nil)
        }
        return Array(output.prefix(Int(length)))
    }
}
