internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One-shot message digests through OpenSSL's EVP interface.
package enum Digest {
    case sha1, sha256

    package func hash<C: ContiguousBytes>(_ data: C) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = self == .sha1 ? EVP_sha1() : EVP_sha256()
        data.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &output, &length, md, nil)
        }
        return Array(output.prefix(Int(length)))
    }
}
