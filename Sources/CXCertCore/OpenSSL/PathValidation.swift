internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// RFC 5280 path validation by OpenSSL's `X509_verify_cert`, with a callback that records every
/// problem instead of stopping at the first. OpenSSL builds the path itself: it looks issuers up
/// by name and key identifier among the anchors and the untrusted certificates, whatever their order.
enum PathValidation {
    /// One problem OpenSSL reported, at a depth of the built chain (0 = the leaf).
    struct Problem: Sendable, Hashable {
        let kind: PathProblem
        /// OpenSSL's `X509_V_ERR_*` code.
        let code: Int32
        let depth: Int
        let certificate: Certificate?
        /// OpenSSL's own wording, kept for the message.
        let reason: String
    }

    struct Outcome: Sendable {
        /// Leaf first; ends at an anchor when one was reached.
        let chain: [Certificate]
        let problems: [Problem]
    }

    struct Options: Sendable {
        var time: Date
        /// Apply RFC 5280's stricter checks (key identifiers, critical flags) as modern clients do.
        var strict: Bool
        /// Check the TLS server purpose (serverAuth EKU when present, and on CAs).
        var serverPurpose: Bool = true
        var maxDepth: Int = 16
        /// Let OpenSSL check validity periods; off when the caller checks them itself (OpenSSL treats the
        /// `notAfter` second as expired, RFC 5280 as valid).
        var checksTime: Bool = true
        /// A CA certificate (CA:TRUE with keyCertSign) may be the server certificate, as RFC 5280 allows:
        /// OpenSSL's TLS-server purpose then refuses it only for its keyUsage, which names its CA role.
        var acceptsCAInLeafPosition: Bool = false
    }

    /// Validates `leaf` through `intermediates` (any order) up to one of `anchors`.
    static func validate(
        leaf: Certificate, intermediates: [Certificate], anchors: [Certificate], options: Options
    ) -> Outcome {
        guard let leafHandle = leaf.handle else {
            return Outcome(
                chain: [leaf],
                problems: [
                    Problem(
                        kind: .internalError, code: X509_V_ERR_UNSPECIFIED, depth: 0, certificate: leaf,
                        reason: "OpenSSL cannot decode the certificate")
                ])
        }
        var known: [OpaquePointer: Certificate] = [leafHandle.pointer: leaf]
        for certificate in intermediates + anchors {
            if let handle = certificate.handle { known[handle.pointer] = certificate }
        }
        func certificate(_ pointer: OpaquePointer?) -> Certificate? {
            guard let pointer else { return nil }
            return known[pointer]
        }

        guard let store = X509_STORE_new(), let untrusted = cx_sk_X509_new_null(), let context = X509_STORE_CTX_new()
        else {
            return Outcome(
                chain: [leaf],
                problems: [
                    Problem(kind: .internalError, code: X509_V_ERR_UNSPECIFIED, depth: 0, certificate: leaf, reason: "out of memory")
                ])
        }
        defer {
            X509_STORE_CTX_free(context)
            cx_sk_X509_pop_free(untrusted)
            X509_STORE_free(store)
        }
        for anchor in anchors { if let handle = anchor.handle { _ = X509_STORE_add_cert(store, handle.pointer) } }
        for intermediate in intermediates { if let handle = intermediate.handle { _ = cx_sk_X509_push_ref(untrusted, handle.pointer) } }
        // Anchors need not be self-signed: whatever a phone downloads from AD is an anchor to it.
        var flags = UInt(X509_V_FLAG_PARTIAL_CHAIN)
        if options.strict { flags |= UInt(X509_V_FLAG_X509_STRICT) }
        if !options.checksTime { flags |= UInt(X509_V_FLAG_NO_CHECK_TIME) }
        _ = X509_STORE_set_flags(store, flags)
        ERR_clear_error()
        guard X509_STORE_CTX_init(context, store, leafHandle.pointer, untrusted) == 1 else {
            return Outcome(
                chain: [leaf],
                problems: [
                    Problem(
                        kind: .internalError, code: X509_V_ERR_UNSPECIFIED, depth: 0, certificate: leaf,
                        reason: OpenSSLError.drain(or: "cannot start validation").description)
                ])
        }
        // A set time would override X509_V_FLAG_NO_CHECK_TIME (OpenSSL checks USE_CHECK_TIME first).
        if options.checksTime { X509_STORE_CTX_set_time(context, 0, time_t(options.time.timeIntervalSince1970)) }
        // OpenSSL adds to the depth internally; a huge --max-chain-depth must not overflow its int.
        X509_STORE_CTX_set_depth(context, Int32(clamping: min(max(options.maxDepth, 0), 1 << 20)))
        if options.serverPurpose { _ = X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER) }

        let collector = Collector()
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        _ = X509_STORE_CTX_set_ex_data(context, 0, unmanaged.toOpaque())
        X509_STORE_CTX_set_verify_cb(context, collectEveryProblem)
        _ = X509_verify_cert(context)
        ERR_clear_error()

        var chain: [Certificate] = []
        if let stack = X509_STORE_CTX_get1_chain(context) {
            defer { cx_sk_X509_pop_free(stack) }
            for index in 0..<cx_sk_X509_num(stack) {
                if let element = certificate(cx_sk_X509_value(stack, index)) { chain.append(element) }
            }
        }
        if chain.isEmpty { chain = [leaf] }
        let problems = collector.entries.map { entry in
            Problem(
                kind: PathProblem(code: entry.code), code: entry.code, depth: entry.depth, certificate: certificate(entry.certificate),
                reason: entry.reason)
        }
        // OpenSSL may report one condition more than once (e.g. while trying alternative chains).
        var seen = Set<Problem>()
        var unique = problems.filter { seen.insert($0).inserted }
        if options.acceptsCAInLeafPosition, let first = chain.first, first == leaf, Self.isCAInLeafPosition(leaf) {
            unique.removeAll { $0.kind == .purpose && $0.depth == 0 }
        }
        // Past the depth limit OpenSSL stops building and then cannot find the cut certificate's issuer:
        // that is the same problem, not a missing intermediate.
        if unique.contains(where: { $0.kind == .chainTooLong }) { unique.removeAll { $0.kind == .issuerNotFound } }
        return Outcome(chain: chain, problems: unique)
    }

    /// A CA certificate used as the server certificate whose only objection from OpenSSL's TLS-server
    /// purpose is a CA keyUsage: CA:TRUE, keyCertSign, and an EKU (if any) that allows serverAuth.
    static func isCAInLeafPosition(_ leaf: Certificate) -> Bool {
        guard leaf.isCA, leaf.keyUsage?.contains(.keyCertSign) ?? true else { return false }
        return leaf.allowsServerAuth
    }

    /// Receives the callback's reports; lives for one validation on one thread.
    private final class Collector {
        struct Entry {
            let code: Int32
            let depth: Int
            let certificate: OpaquePointer?
            let reason: String
        }
        var entries: [Entry] = []
    }

    /// Records the problem and returns 1 so that OpenSSL goes on and reports the rest.
    private static let collectEveryProblem: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
        guard ok == 0, let context, let raw = X509_STORE_CTX_get_ex_data(context, 0) else { return ok }
        let collector = Unmanaged<Collector>.fromOpaque(raw).takeUnretainedValue()
        let code = X509_STORE_CTX_get_error(context)
        collector.entries.append(
            .init(
                code: code, depth: Int(X509_STORE_CTX_get_error_depth(context)),
                certificate: X509_STORE_CTX_get_current_cert(context),
                reason: String(cString: X509_verify_cert_error_string(Int(code)))))
        return 1
    }
}

/// The path-validation problems cxcert distinguishes, named after OpenSSL's `X509_V_ERR_*`.
enum PathProblem: Sendable, Hashable {
    case expired, notYetValid, badSignature, issuerNotFound, untrustedSelfSigned
    case notACA, pathLength, keyUsage, purpose, nameConstraints, criticalExtension
    case chainTooLong, strictRFC5280, weakForSecurityLevel, internalError
    /// Strict mode's missing authorityKeyIdentifier or subjectKeyIdentifier (RFC 5280 4.2.1.1, 4.2.1.2).
    case missingAuthorityKeyIdentifier, missingSubjectKeyIdentifier
    case other(Int32)

    init(code: Int32) {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: self = .expired
        case X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD: self = .notYetValid
        case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
            X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH,
            X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY:
            self = .badSignature
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            self = .issuerNotFound
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_CERT_UNTRUSTED:
            self = .untrustedSelfSigned
        case X509_V_ERR_INVALID_CA, X509_V_ERR_INVALID_NON_CA: self = .notACA
        case X509_V_ERR_PATH_LENGTH_EXCEEDED: self = .pathLength
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN, X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE: self = .keyUsage
        case X509_V_ERR_INVALID_PURPOSE: self = .purpose
        case X509_V_ERR_PERMITTED_VIOLATION, X509_V_ERR_EXCLUDED_VIOLATION, X509_V_ERR_SUBTREE_MINMAX,
            X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX,
            X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
            self = .nameConstraints
        case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: self = .criticalExtension
        case X509_V_ERR_CERT_CHAIN_TOO_LONG, X509_V_ERR_PATH_LOOP: self = .chainTooLong
        case X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER: self = .missingAuthorityKeyIdentifier
        case X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER: self = .missingSubjectKeyIdentifier
        case X509_V_ERR_EMPTY_SUBJECT_ALT_NAME, X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL, X509_V_ERR_CA_BCONS_NOT_CRITICAL,
            X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL, X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL,
            X509_V_ERR_CA_CERT_MISSING_KEY_USAGE, X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3, X509_V_ERR_EC_KEY_EXPLICIT_PARAMS,
            X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA, X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN,
            X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, X509_V_ERR_ISSUER_NAME_EMPTY, X509_V_ERR_SUBJECT_NAME_EMPTY,
            X509_V_ERR_INVALID_EXTENSION, X509_V_ERR_AKID_SKID_MISMATCH:
            self = .strictRFC5280
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK: self = .weakForSecurityLevel
        default: self = .other(code)
        }
    }
}
