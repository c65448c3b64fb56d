internal import COpenSSL

/// What `cxcert --version` reports besides its own version: the OpenSSL it runs on and which trust
/// store data it was built with.
public enum LibraryVersions {
    /// e.g. `OpenSSL 3.0.15 3 Sep 2024`, from the library actually loaded.
    public static var openSSL: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }

    /// The first 12 hex digits of the SHA-256 of the embedded trust-store index (`TrustStore/index.json`, which
    /// records every certificate's SHA-256): changes whenever the built-in cache data does.
    ///
    /// Precomputed, because hashing at run time starts OpenSSL's providers, half of what `--version` cost;
    /// a unit test recomputes it from the index and fails when this value is stale.
    public static let trustStoreRevision = "9be4514513ff"
}
