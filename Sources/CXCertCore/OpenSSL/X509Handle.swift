internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns one OpenSSL `X509` and reads its fields into Swift values. Immutable after parsing;
/// OpenSSL guards its lazily computed extension cache with a lock, so concurrent reads are safe.
final class X509Handle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Parses exactly `der`; trailing bytes are an error.
    init(der: [UInt8]) throws(OpenSSLError) {
        ERR_clear_error()
        var parsed: OpaquePointer?
        var consumed = 0
        der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            parsed = d2i_X509(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
        }
        guard let parsed else { throw OpenSSLError.drain(or: "not an X.509 certificate") }
        guard consumed == der.count else {
            X509_free(parsed)
            throw OpenSSLError(description: "\(der.count - consumed) bytes follow the certificate")
        }
        pointer = parsed
    }

    deinit { X509_free(pointer) }

    var version: Int { Int(X509_get_version(pointer)) + 1 }

    var subject: DistinguishedName { Self.name(X509_get_subject_name(pointer)) }
    var issuer: DistinguishedName { Self.name(X509_get_issuer_name(pointer)) }

    static func name(_ name: OpaquePointer?) -> DistinguishedName {
        guard let name else { return DistinguishedName(attributes: [], rfc4514: "", der: []) }
        var attributes: [DistinguishedName.Attribute] = []
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index) else { continue }
            let object = objectNames(X509_NAME_ENTRY_get_object(entry))
            attributes.append(
                .init(
                    type: object.short ?? object.dotted, oid: object.dotted,
                    value: utf8Text(of: X509_NAME_ENTRY_get_data(entry))))
        }
        // RFC 2253/4514 order and escaping, but UTF-8 kept as text rather than \XX escapes.
        let flags = cx_XN_FLAG_RFC2253() & ~UInt(ASN1_STRFLGS_ESC_MSB)
        let text = withMemoryBIO { bio in _ = X509_NAME_print_ex(bio, name, 0, flags) }
        var der: UnsafePointer<UInt8>?
        var length = 0
        _ = X509_NAME_get0_der(name, &der, &length)
        let bytes = der.map { Array(UnsafeBufferPointer(start: $0, count: Int(length))) } ?? []
        return DistinguishedName(attributes: attributes, rfc4514: text, der: bytes)
    }

    /// The serial number: magnitude and sign, as OpenSSL decoded it.
    var serial: SerialNumber {
        guard let serial = X509_get0_serialNumber(pointer) else { return SerialNumber(magnitude: [], isNegative: false) }
        return SerialNumber(magnitude: bytes(of: serial), isNegative: serial.pointee.type == V_ASN1_NEG_INTEGER)
    }

    var notBefore: Date? { Self.date(X509_get0_notBefore(pointer)) }
    var notAfter: Date? { Self.date(X509_get0_notAfter(pointer)) }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    var signatureAlgorithm: SignatureAlgorithm {
        var signature: UnsafePointer<ASN1_BIT_STRING>?
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_get0_signature(&signature, &algorithm, pointer)
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        let names = objectNames(object)
        var digestNID: Int32 = 0
        var keyNID: Int32 = 0
        _ = X509_get_signature_info(pointer, &digestNID, &keyNID, nil, nil)
        let signatureNID = OBJ_obj2nid(object)
        // X509_get_signature_info cannot name digests this OpenSSL lacks (MD2); the OID table can.
        if digestNID == NID_undef {
            var tableDigest: Int32 = 0
            var tableKey: Int32 = 0
            if OBJ_find_sigid_algs(signatureNID, &tableDigest, &tableKey) == 1 {
                digestNID = tableDigest
                keyNID = tableKey
            }
        }
        return SignatureAlgorithm(
            oid: names.dotted, name: names.long ?? names.dotted,
            scheme: Self.scheme(signatureNID: signatureNID, keyNID: keyNID),
            hash: Self.hash(nid: digestNID))
    }

    static func scheme(signatureNID: Int32, keyNID: Int32) -> SignatureAlgorithm.Scheme {
        if signatureNID == NID_rsassaPss { return .rsaPSS }
        switch keyNID {
        case NID_rsaEncryption: return .rsaPKCS1
        case NID_rsassaPss: return .rsaPSS
        case NID_X9_62_id_ecPublicKey: return .ecdsa
        case NID_dsa: return .dsa
        case NID_ED25519: return .ed25519
        case NID_ED448: return .ed448
        default: return .unknown
        }
    }

    static func hash(nid: Int32) -> HashAlgorithm {
        switch nid {
        case NID_md2: .md2
        case NID_md4: .md4
        case NID_md5: .md5
        case NID_sha1: .sha1
        case NID_sha224: .sha224
        case NID_sha256: .sha256
        case NID_sha384: .sha384
        case NID_sha512: .sha512
        case NID_sha3_256: .sha3_256
        case NID_sha3_384: .sha3_384
        case NID_sha3_512: .sha3_512
        case NID_undef: .none
        default: .unknown
        }
    }

    var publicKey: PublicKeyInfo {
        guard let key = X509_get0_pubkey(pointer) else { return PublicKeyInfo(algorithm: .unknown, bits: 0, curve: nil) }
        let algorithm: PublicKeyInfo.Algorithm =
            switch EVP_PKEY_get_base_id(key) {
            case EVP_PKEY_RSA: .rsa
            case EVP_PKEY_RSA_PSS: .rsaPSS
            case EVP_PKEY_EC: .ec
            case EVP_PKEY_DSA: .dsa
            case EVP_PKEY_ED25519: .ed25519
            case EVP_PKEY_ED448: .ed448
            default: .unknown
            }
        var curve: String?
        if algorithm == .ec {
            var buffer = [CChar](repeating: 0, count: 64)
            var length = 0
            if EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1 {
                curve = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return PublicKeyInfo(algorithm: algorithm, bits: Int(EVP_PKEY_get_bits(key)), curve: curve)
    }

    var extensions: [ExtensionInfo] {
        (0..<X509_get_ext_count(pointer)).compactMap { index in
            guard let ext = X509_get_ext(pointer, index) else { return nil }
            let names = objectNames(X509_EXTENSION_get_object(ext))
            return ExtensionInfo(
                oid: names.dotted, name: names.short ?? names.dotted, critical: X509_EXTENSION_get_critical(ext) == 1)
        }
    }

    /// basicConstraints when the extension is present.
    func basicConstraints(critical: Bool) -> BasicConstraints? {
        var crit: Int32 = 0
        guard let ext = X509_get_ext_d2i(pointer, NID_basic_constraints, &crit, nil) else { return nil }
        BASIC_CONSTRAINTS_free(ext.assumingMemoryBound(to: BASIC_CONSTRAINTS.self))
        let flags = X509_get_extension_flags(pointer)
        let pathLength = X509_get_pathlen(pointer)
        return BasicConstraints(
            isCA: flags & UInt32(EXFLAG_CA) != 0, pathLength: pathLength >= 0 ? Int(pathLength) : nil,
            critical: critical)
    }

    var keyUsage: KeyUsage? {
        guard X509_get_extension_flags(pointer) & UInt32(EXFLAG_KUSAGE) != 0 else { return nil }
        return Self.keyUsage(bits: X509_get_key_usage(pointer))
    }

    /// The ``KeyUsage`` of OpenSSL's `KU_*` bits.
    static func keyUsage(bits: UInt32) -> KeyUsage {
        let map: [(Int32, KeyUsage)] = [
            (KU_DIGITAL_SIGNATURE, .digitalSignature), (KU_NON_REPUDIATION, .nonRepudiation),
            (KU_KEY_ENCIPHERMENT, .keyEncipherment), (KU_DATA_ENCIPHERMENT, .dataEncipherment),
            (KU_KEY_AGREEMENT, .keyAgreement), (KU_KEY_CERT_SIGN, .keyCertSign), (KU_CRL_SIGN, .cRLSign),
            (KU_ENCIPHER_ONLY, .encipherOnly), (KU_DECIPHER_ONLY, .decipherOnly),
        ]
        return map.reduce(into: KeyUsage()) { result, pair in
            if bits & UInt32(pair.0) != 0 { result.insert(pair.1) }
        }
    }

    var extendedKeyUsage: [ExtendedKeyUsage]? {
        guard let raw = X509_get_ext_d2i(pointer, NID_ext_key_usage, nil, nil) else { return nil }
        let stack = OpaquePointer(raw)
        defer { EXTENDED_KEY_USAGE_free(stack) }
        return Self.extendedKeyUsage(stack)
    }

    /// The purposes of a decoded `EXTENDED_KEY_USAGE`.
    static func extendedKeyUsage(_ stack: OpaquePointer) -> [ExtendedKeyUsage] {
        (0..<cx_sk_ASN1_OBJECT_num(stack)).map { index in
            let names = objectNames(cx_sk_ASN1_OBJECT_value(stack, index))
            return ExtendedKeyUsage(oid: names.dotted, name: names.short ?? names.dotted)
        }
    }

    var subjectAlternativeNames: [GeneralName] {
        guard let raw = X509_get_ext_d2i(pointer, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        return Self.generalNames(names)
    }

    static func generalNames(_ names: OpaquePointer?) -> [GeneralName] {
        guard let names else { return [] }
        return (0..<cx_sk_GENERAL_NAME_num(names)).compactMap { index in
            guard let name = cx_sk_GENERAL_NAME_value(names, index) else { return nil }
            return generalName(name)
        }
    }

    static func generalName(_ name: UnsafePointer<GENERAL_NAME>) -> GeneralName {
        let text = cx_GENERAL_NAME_string(name)
        switch cx_GENERAL_NAME_type(name) {
        case GEN_DNS: return .dns(String(decoding: bytes(of: text), as: UTF8.self))
        case GEN_EMAIL: return .email(String(decoding: bytes(of: text), as: UTF8.self))
        case GEN_URI: return .uri(String(decoding: bytes(of: text), as: UTF8.self))
        case GEN_IPADD: return .ip(ipAddressText(bytes(of: text)))
        case GEN_DIRNAME: return .directory(Self.name(cx_GENERAL_NAME_dirname(name)).rfc4514)
        case GEN_OTHERNAME:
            // The value is kept (a UPN is the point of the entry); a non-string value is named, not dropped.
            let type = objectNames(cx_GENERAL_NAME_other_type(name))
            let label = type.dotted == OID.userPrincipalName ? "UPN" : "otherName \(type.dotted)"
            let value = cx_GENERAL_NAME_other_string(name).map { String(decoding: bytes(of: $0), as: UTF8.self) }
            return .other("\(label): \(value ?? "(a non-string value)")")
        case GEN_RID: return .other("registeredID \(objectNames(cx_GENERAL_NAME_rid(name)).dotted)")
        case GEN_X400: return .other("x400Address")
        case GEN_EDIPARTY: return .other("ediPartyName")
        default: return .other("unknown")
        }
    }

    var authorityKeyIdentifier: [UInt8]? { X509_get0_authority_key_id(pointer).map { bytes(of: $0) } }
    var subjectKeyIdentifier: [UInt8]? { X509_get0_subject_key_id(pointer).map { bytes(of: $0) } }

    var crlDistributionPoints: [String] {
        guard let raw = X509_get_ext_d2i(pointer, NID_crl_distribution_points, nil, nil) else { return [] }
        let points = OpaquePointer(raw)
        defer { CRL_DIST_POINTS_free(points) }
        return Self.crlDistributionPoints(points)
    }

    /// The full-name URLs of a decoded `CRL_DIST_POINTS`.
    static func crlDistributionPoints(_ points: OpaquePointer) -> [String] {
        (0..<cx_sk_DIST_POINT_num(points)).flatMap { index -> [String] in
            guard let point = cx_sk_DIST_POINT_value(points, index) else { return [] }
            return Self.generalNames(cx_DIST_POINT_fullname(point)).map(\.value)
        }
    }

    /// Authority Information Access URLs by method (`OCSP`, `caIssuers`).
    var authorityInformationAccess: [(method: String, location: String)] {
        guard let raw = X509_get_ext_d2i(pointer, NID_info_access, nil, nil) else { return [] }
        let access = OpaquePointer(raw)
        defer { AUTHORITY_INFO_ACCESS_free(access) }
        return Self.authorityInformationAccess(access)
    }

    /// The entries of a decoded `AUTHORITY_INFO_ACCESS` by method.
    static func authorityInformationAccess(_ access: OpaquePointer) -> [(method: String, location: String)] {
        (0..<cx_sk_ACCESS_DESCRIPTION_num(access)).compactMap { index in
            guard let description = cx_sk_ACCESS_DESCRIPTION_value(access, index),
                let location = cx_ACCESS_DESCRIPTION_location(description)
            else { return nil }
            let method = objectNames(cx_ACCESS_DESCRIPTION_method(description))
            return (method.short ?? method.dotted, Self.generalName(location).value)
        }
    }
}

/// Uppercase hex without separators (the Windows thumbprint style).
package func hexString<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Dotted IPv4 or RFC 5952 IPv6 text for an iPAddress general name.
func ipAddressText(_ bytes: [UInt8]) -> String {
    switch bytes.count {
    case 4:
        return bytes.map(String.init).joined(separator: ".")
    case 16:
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard ok != nil else { return hexString(bytes) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    default:
        // Name-constraint style address/mask pairs or junk: show the bytes.
        return hexString(bytes)
    }
}
