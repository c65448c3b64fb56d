internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Verifies one RSA PKCS#1 v1.5 signature over raw bytes with an issuer certificate's key: the only
/// public-key operation the batch fast path needs, with no certificate object built for the subject.
enum SignatureCheck {
    /// Digest implementations fetched from the provider once: the legacy `EVP_sha256()` handles make
    /// every `EVP_DigestVerifyInit` look the implementation up again, under a lock.
    private struct Fetched: @unchecked Sendable {
        let byOID: [String: OpaquePointer]
    }

    private static let digestNames: [String: String] = Dictionary(
        uniqueKeysWithValues: OID.rsaSignatures.map { ($0.oid, $0.hash.rawValue.uppercased()) })

    private static let fetched = Fetched(byOID: digestNames.compactMapValues { EVP_MD_fetch(nil, $0, nil) })

    /// The digests of the RSA PKCS#1 v1.5 signature OIDs the fast path handles.
    private static func digest(_ oid: String) -> OpaquePointer? { fetched.byOID[oid] }

    static func handles(_ oid: String) -> Bool { digest(oid) != nil }

    /// Verify contexts already set up for an issuer key and digest (RSA, PKCS#1 v1.5 padding): setting
    /// one up costs provider look-ups under a lock, more than the verification. A context serves one
    /// thread at a time, so they are checked out and back in. The verifier that owns a pool frees it with itself.
    final class Pool: @unchecked Sendable {
        struct Key: Hashable {
            let key: OpaquePointer
            let digest: OpaquePointer
        }
        private let lock = Lock()
        /// Idle contexts by key. A list searched in order, not a dictionary: a batch has a key or two, and hashing one
        /// twice per leaf cost more than comparing two pointers.
        private var free: [(key: Key, contexts: [OpaquePointer])] = []

        func checkout(_ key: Key) -> OpaquePointer? {
            let idle = lock.withLock { () -> OpaquePointer? in
                guard let index = free.firstIndex(where: { $0.key == key }) else { return nil }
                return free[index].contexts.popLast()
            }
            if let idle { return idle }
            guard let context = EVP_PKEY_CTX_new(key.key, nil) else { return nil }
            guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
                EVP_PKEY_CTX_set_signature_md(context, key.digest) == 1
            else {
                EVP_PKEY_CTX_free(context)
                ERR_clear_error()
                return nil
            }
            return context
        }

        func checkin(_ key: Key, _ context: OpaquePointer) {
            lock.withLock {
                if let index = free.firstIndex(where: { $0.key == key }) {
                    free[index].contexts.append(context)
                } else {
                    free.append((key, [context]))
                }
            }
        }

        /// How many contexts are set up and idle (for tests).
        var idle: Int { lock.withLock { free.reduce(0) { $0 + $1.contexts.count } } }

        deinit {
            for context in free.flatMap(\.contexts) { EVP_PKEY_CTX_free(context) }
        }
    }

    /// True when the signature verifies, false when it does not, nil when the algorithm is not handled here.
    /// The issuer certificate must outlive the call (the pool keys on its key object).
    static func verify(
        _ bytes: [UInt8], signed: Range<Int>, signature: Range<Int>, algorithmOID: String, issuer: Certificate, pool: Pool
    ) -> Bool? {
        guard let md = digest(algorithmOID), let handle = issuer.handle, let key = X509_get0_pubkey(handle.pointer),
            EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
        else { return nil }
        // The digest on the stack: one allocation less per leaf.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { hash -> Bool? in
            var hashLength: UInt32 = 0
            let hashed = bytes.withUnsafeBufferPointer { buffer in
                EVP_Digest(buffer.baseAddress! + signed.lowerBound, signed.count, hash.baseAddress, &hashLength, md, nil)
            }
            guard hashed == 1 else {
                ERR_clear_error()
                return nil
            }
            let poolKey = Pool.Key(key: key, digest: md)
            guard let context = pool.checkout(poolKey) else { return nil }
            defer { pool.checkin(poolKey, context) }
            let result = bytes.withUnsafeBufferPointer { buffer in
                EVP_PKEY_verify(context, buffer.baseAddress! + signature.lowerBound, signature.count, hash.baseAddress, Int(hashLength))
            }
            if result != 1 { ERR_clear_error() }
            return result == 1
        }
    }
}

extension SignatureCheck {
    /// True when `issuer`'s public key verifies the signature on `certificate` (any algorithm OpenSSL knows).
    static func isSigned(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        guard let issuerHandle = issuer.handle, let handle = certificate.handle, let key = X509_get0_pubkey(issuerHandle.pointer)
        else {
            ERR_clear_error()
            return false
        }
        let result = X509_verify(handle.pointer, key)
        if result != 1 { ERR_clear_error() }
        return result == 1
    }
}

extension SignatureCheck {
    /// Whether two certificates certify the same public key (OpenSSL compares the key parameters, not the
    /// encoding): what tells a key rollover's certificates apart when their subjects are equal.
    static func haveSameKey(_ a: Certificate, _ b: Certificate) -> Bool {
        guard let a = a.handle, let b = b.handle, let left = X509_get0_pubkey(a.pointer), let right = X509_get0_pubkey(b.pointer)
        else {
            ERR_clear_error()
            return false
        }
        let result = EVP_PKEY_eq(left, right)
        if result != 1 { ERR_clear_error() }
        return result == 1
    }
}
