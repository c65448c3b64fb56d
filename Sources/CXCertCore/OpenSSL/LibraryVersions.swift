internal import COpenSSL
import Foundation

/// What `cxcert --version` reports besides its own version: the OpenSSL it runs on and which trust
/// store data it was built with.
public enum LibraryVersions {
    /// e.g. `OpenSSL 3.0.15 3 Sep 2024`, from the library actually loaded.
    public static var openSSL: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }

    /// The first 12 hex digits of the SHA-256 of the embedded trust-store index: changes whenever the
    /// built-in cache data does.
    public static let trustStoreRevision: String = {
        let bytes = EmbeddedData.trustStoreIndex
        var digest = [UInt8](repeating: 0, count: 32)
        _ = bytes.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: digest.prefix(6).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }, as: UTF8.self)
    }()
}
