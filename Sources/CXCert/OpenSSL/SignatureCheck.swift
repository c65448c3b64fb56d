import COpenSSL

/// Verifies one RSA PKCS#1 v1.5 signature over raw bytes with an issuer certificate's key: the only
/// public-key operation the batch fast path needs, with no certificate object built for the subject.
enum SignatureCheck {
    /// Digest implementations fetched from the provider once: the legacy `EVP_sha256()` handles make
    /// every `EVP_DigestVerifyInit` look the implementation up again, under a lock.
    private struct Fetched: @unchecked Sendable {
        let byOID: [String: OpaquePointer]
    }

    private static let digestNames: [String: String] = [
        "1.2.840.113549.1.1.5": "SHA1", "1.2.840.113549.1.1.14": "SHA224", "1.2.840.113549.1.1.11": "SHA256",
        "1.2.840.113549.1.1.12": "SHA384", "1.2.840.113549.1.1.13": "SHA512",
    ]

    private static let fetched = Fetched(byOID: digestNames.compactMapValues { EVP_MD_fetch(nil, $0, nil) })

    /// The digests of the RSA PKCS#1 v1.5 signature OIDs the fast path handles.
    private static func digest(_ oid: String) -> OpaquePointer? { fetched.byOID[oid] }

    static func handles(_ oid: String) -> Bool { digest(oid) != nil }

    /// True when the signature verifies, false when it does not, nil when the algorithm is not handled here.
    static func verify(_ bytes: [UInt8], signed: Range<Int>, signature: Range<Int>, algorithmOID: String, issuer: Certificate) -> Bool? {
        guard let md = digest(algorithmOID), let key = X509_get0_pubkey(issuer.handle.pointer), EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA,
            let context = EVP_MD_CTX_new()
        else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, md, nil, key) == 1 else {
            ERR_clear_error()
            return nil
        }
        let result = bytes.withUnsafeBufferPointer { buffer in
            EVP_DigestVerify(
                context, buffer.baseAddress! + signature.lowerBound, signature.count, buffer.baseAddress! + signed.lowerBound, signed.count)
        }
        ERR_clear_error()
        return result == 1
    }
}
