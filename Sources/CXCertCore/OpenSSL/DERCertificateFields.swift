internal import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A certificate's fields read from its DER with OpenSSL's decoders for each part (names, the serial, the times, the
/// algorithm identifiers, each extension's value), never as one `X509`: OpenSSL 3.0's `d2i_X509` builds a key decoder
/// context for the public key of every certificate it decodes, which costs `inspect` of a 50-certificate bundle more
/// than the rest of its work (see Benchmarks/README.md). The values come from the same ``X509Handle`` code wherever a
/// part allows. Anything this reader does not hold for certainly equal to the whole-certificate reading makes it return
/// nil, and the caller decodes with OpenSSL instead: an explicit version other than v3, unique identifiers, an RSA-PSS
/// signature, a key other than RSA, an extension OpenSSL knows that is duplicated or does not decode, a
/// basicConstraints or keyUsage OpenSSL would mark invalid, an authorityKeyIdentifier naming an issuer.
/// `CertificateFieldsTests` hold it to ``X509Handle`` on every certificate in the repository.
struct DERCertificateFields {
    let version: Int
    let subject: DistinguishedName
    let issuer: DistinguishedName
    let serial: SerialNumber
    let notBefore: Date
    let notAfter: Date
    let signatureAlgorithm: SignatureAlgorithm
    let publicKey: PublicKeyInfo
    let basicConstraints: BasicConstraints?
    let keyUsage: KeyUsage?
    let extendedKeyUsage: [ExtendedKeyUsage]?
    let subjectAlternativeNames: [GeneralName]
    let authorityKeyIdentifier: [UInt8]?
    let subjectKeyIdentifier: [UInt8]?
    let crlDistributionPoints: [String]
    let authorityInformationAccess: [(method: String, location: String)]
    let extensions: [ExtensionInfo]

    private static let rsaEncryption = OID.der(OID.rsaEncryption)

    init?(_ der: [UInt8]) {
        let reader = DERReader(der, maxDepth: 8)
        guard let outer = try? reader.element(at: 0), outer.tag == DERTag.sequence, outer.end == der.count,
            let parts = try? reader.children(of: outer), parts.count == 3, parts[0].tag == DERTag.sequence,
            parts[1].tag == DERTag.sequence, parts[2].tag == 0x03,
            // OpenSSL's BIT STRING: an unused-bits octet of at most 7.
            parts[2].contentLength >= 1, der[parts[2].contentStart] <= 7,
            let fields = try? reader.children(of: parts[0]), fields.count >= 6
        else { return nil }
        var index = 0
        var version = 1
        if fields[0].tag == DERTag.contextConstructed0 {
            guard let inner = try? reader.children(of: fields[0]), inner.count == 1, inner[0].tag == DERTag.integer,
                inner[0].contentLength == 1, der[inner[0].contentStart] == 2
            else { return nil }
            version = 3
            index = 1
        }
        guard fields.count >= index + 6, fields[index].tag == DERTag.integer,
            (index + 1...index + 5).allSatisfy({ fields[$0].tag == DERTag.sequence })
        else { return nil }
        let rest = fields.dropFirst(index + 6)
        // A v1 certificate ends with its key; a v3 one may add extensions, and nothing else here.
        guard version == 1 ? rest.isEmpty : rest.count <= 1 && rest.allSatisfy({ $0.tag == 0xA3 }) else { return nil }

        guard Self.algorithmIsWellFormed(reader, fields[index + 1]), Self.algorithmIsWellFormed(reader, parts[1]),
            let signatureAlgorithm = Self.signatureAlgorithm(reader, parts[1]),
            let serial = Self.serial(reader.slice(fields[index])),
            let issuer = Self.name(reader.slice(fields[index + 2])),
            let subject = Self.name(reader.slice(fields[index + 4])),
            let validity = try? reader.children(of: fields[index + 3]), validity.count == 2,
            let notBefore = Self.date(reader.slice(validity[0])), let notAfter = Self.date(reader.slice(validity[1])),
            let publicKey = Self.publicKey(reader, fields[index + 5])
        else { return nil }
        self.version = version
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.signatureAlgorithm = signatureAlgorithm
        self.publicKey = publicKey

        guard let extensions = Extensions(reader, rest.first) else { return nil }
        defer { extensions.free() }
        self.extensions = extensions.infos
        guard extensions.allDecode() else { return nil }

        var basicConstraints: BasicConstraints?
        if let raw = extensions.value(NID_basic_constraints) {
            let constraints = raw.assumingMemoryBound(to: BASIC_CONSTRAINTS.self)
            defer { BASIC_CONSTRAINTS_free(constraints) }
            let isCA = constraints.pointee.ca != 0
            var pathLength: Int?
            if let length = constraints.pointee.pathlen {
                // OpenSSL marks a negative length, or one on a non-CA, invalid.
                let value = ASN1_INTEGER_get(length)
                guard isCA, length.pointee.type != V_ASN1_NEG_INTEGER, value >= 0 else { return nil }
                pathLength = Int(value)
            }
            let critical = extensions.infos.first { $0.oid == OID.basicConstraints }?.critical ?? false
            basicConstraints = BasicConstraints(isCA: isCA, pathLength: pathLength, critical: critical)
        }
        self.basicConstraints = basicConstraints

        var keyUsage: KeyUsage?
        if let raw = extensions.value(NID_key_usage) {
            let string = raw.assumingMemoryBound(to: ASN1_BIT_STRING.self)
            defer { ASN1_BIT_STRING_free(string) }
            // OpenSSL's reading: the first two octets, low then high; an empty keyUsage is invalid.
            let octets = bytes(of: UnsafePointer(string))
            let bits = UInt32(octets.first ?? 0) | UInt32(octets.dropFirst().first ?? 0) << 8
            guard bits != 0 else { return nil }
            keyUsage = X509Handle.keyUsage(bits: bits)
        }
        self.keyUsage = keyUsage

        var extendedKeyUsage: [ExtendedKeyUsage]?
        if let raw = extensions.value(NID_ext_key_usage) {
            let stack = OpaquePointer(raw)
            defer { EXTENDED_KEY_USAGE_free(stack) }
            extendedKeyUsage = X509Handle.extendedKeyUsage(stack)
        }
        self.extendedKeyUsage = extendedKeyUsage

        var names: [GeneralName] = []
        if let raw = extensions.value(NID_subject_alt_name) {
            let stack = OpaquePointer(raw)
            defer { GENERAL_NAMES_free(stack) }
            names = X509Handle.generalNames(stack)
        }
        subjectAlternativeNames = names

        var authorityKeyIdentifier: [UInt8]?
        if let raw = extensions.value(NID_authority_key_identifier) {
            let identifier = raw.assumingMemoryBound(to: AUTHORITY_KEYID.self)
            defer { AUTHORITY_KEYID_free(identifier) }
            guard identifier.pointee.issuer == nil, identifier.pointee.serial == nil else { return nil }
            authorityKeyIdentifier = identifier.pointee.keyid.map { bytes(of: UnsafePointer($0)) }
        }
        self.authorityKeyIdentifier = authorityKeyIdentifier

        var subjectKeyIdentifier: [UInt8]?
        if let raw = extensions.value(NID_subject_key_identifier) {
            let string = raw.assumingMemoryBound(to: ASN1_OCTET_STRING.self)
            defer { ASN1_OCTET_STRING_free(string) }
            subjectKeyIdentifier = bytes(of: UnsafePointer(string))
        }
        self.subjectKeyIdentifier = subjectKeyIdentifier

        var points: [String] = []
        if let raw = extensions.value(NID_crl_distribution_points) {
            let stack = OpaquePointer(raw)
            defer { CRL_DIST_POINTS_free(stack) }
            points = X509Handle.crlDistributionPoints(stack)
        }
        crlDistributionPoints = points

        var access: [(method: String, location: String)] = []
        if let raw = extensions.value(NID_info_access) {
            let stack = OpaquePointer(raw)
            defer { AUTHORITY_INFO_ACCESS_free(stack) }
            access = X509Handle.authorityInformationAccess(stack)
        }
        authorityInformationAccess = access
    }

    /// The certificate's extensions, each decoded by OpenSSL as `d2i_X509` decodes it.
    private struct Extensions {
        let handles: [OpaquePointer]
        let infos: [ExtensionInfo]
        let nids: [Int32]

        init?(_ reader: DERReader, _ wrapper: DERReader.Element?) {
            guard let wrapper else {
                (handles, infos, nids) = ([], [], [])
                return
            }
            guard let inner = try? reader.children(of: wrapper), inner.count == 1, inner[0].tag == DERTag.sequence,
                let items = try? reader.children(of: inner[0])
            else { return nil }
            var handles: [OpaquePointer] = []
            for item in items {
                guard let handle = DERCertificateFields.decode(reader.slice(item), { d2i_X509_EXTENSION(nil, $0, $1) }) else {
                    for handle in handles { X509_EXTENSION_free(handle) }
                    return nil
                }
                handles.append(handle)
            }
            self.handles = handles
            nids = handles.map { OBJ_obj2nid(X509_EXTENSION_get_object($0)) }
            infos = handles.map { handle in
                let names = objectNames(X509_EXTENSION_get_object(handle))
                return ExtensionInfo(
                    oid: names.dotted, name: names.short ?? names.dotted, critical: X509_EXTENSION_get_critical(handle) == 1)
            }
        }

        func free() {
            for handle in handles { X509_EXTENSION_free(handle) }
        }

        /// Every extension OpenSSL has a decoder for appears once and decodes: what its extension cache needs
        /// before it marks a certificate valid.
        func allDecode() -> Bool {
            for (handle, nid) in zip(handles, nids) {
                guard let method = X509V3_EXT_get(handle) else { continue }
                guard nids.filter({ $0 == nid }).count == 1, let item = method.pointee.it,
                    let value = X509V3_EXT_d2i(handle)
                else { return false }
                ASN1_item_free(OpaquePointer(value), item())
            }
            return true
        }

        /// The decoded value of the one extension with `nid` (the caller frees it), as `X509_get_ext_d2i` gives it.
        func value(_ nid: Int32) -> UnsafeMutableRawPointer? {
            guard let position = nids.firstIndex(of: nid) else { return nil }
            return X509V3_EXT_d2i(handles[position])
        }
    }

    /// Runs an OpenSSL `d2i_` function over exactly `slice`.
    fileprivate static func decode<T>(
        _ slice: ArraySlice<UInt8>, _ d2i: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> T?
    ) -> T? {
        slice.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i(&cursor, buffer.count)
        }
    }

    /// An AlgorithmIdentifier that OpenSSL's own `X509_ALGOR` decoder (the one `d2i_X509` uses for both of a
    /// certificate's) accepts: a well-formed OID and at most one parameter of any type that decodes as that type (a
    /// BOOLEAN of two octets or a NULL with content makes `d2i_X509` refuse the whole certificate).
    private static func algorithmIsWellFormed(_ reader: DERReader, _ element: DERReader.Element) -> Bool {
        guard let items = try? reader.children(of: element), (1...2).contains(items.count), items[0].tag == DERTag.objectIdentifier
        else { return false }
        // The usual forms, an OID that d2i_ASN1_OBJECT takes with no parameters or an empty NULL, are checked here; any
        // other parameters by OpenSSL's decoder (21k instructions each).
        if items.count == 1 || (items[1].tag == 0x05 && items[1].contentLength == 0), OIDString.isWellFormed(reader.content(items[0])) {
            return true
        }
        guard let algorithm = decode(reader.slice(element), { d2i_X509_ALGOR(nil, $0, $1) }) else { return false }
        X509_ALGOR_free(algorithm)
        return true
    }

    private static func signatureAlgorithm(_ reader: DERReader, _ element: DERReader.Element) -> SignatureAlgorithm? {
        guard let items = try? reader.children(of: element), let first = items.first,
            let object = decode(reader.slice(first), { d2i_ASN1_OBJECT(nil, $0, $1) })
        else { return nil }
        defer { ASN1_OBJECT_free(object) }
        let names = objectNames(object)
        let nid = OBJ_obj2nid(object)
        // RSA-PSS names its digest in the parameters, which OpenSSL reads with the whole certificate.
        guard nid != NID_rsassaPss else { return nil }
        var digestNID: Int32 = 0
        var keyNID: Int32 = 0
        if OBJ_find_sigid_algs(nid, &digestNID, &keyNID) != 1 {
            digestNID = NID_undef
            keyNID = NID_undef
        }
        return SignatureAlgorithm(
            oid: names.dotted, name: names.long ?? names.dotted,
            scheme: X509Handle.scheme(signatureNID: nid, keyNID: keyNID), hash: X509Handle.hash(nid: digestNID))
    }

    private static func serial(_ slice: ArraySlice<UInt8>) -> SerialNumber? {
        guard let integer = decode(slice, { d2i_ASN1_INTEGER(nil, $0, $1) }) else { return nil }
        defer { ASN1_INTEGER_free(integer) }
        return SerialNumber(magnitude: bytes(of: UnsafePointer(integer)), isNegative: integer.pointee.type == V_ASN1_NEG_INTEGER)
    }

    private static func name(_ slice: ArraySlice<UInt8>) -> DistinguishedName? {
        guard let name = decode(slice, { d2i_X509_NAME(nil, $0, $1) }) else { return nil }
        defer { X509_NAME_free(name) }
        return X509Handle.name(name)
    }

    private static func date(_ slice: ArraySlice<UInt8>) -> Date? {
        guard let time = decode(slice, { d2i_ASN1_TIME(nil, $0, $1) }) else { return nil }
        defer { ASN1_TIME_free(time) }
        return X509Handle.date(UnsafePointer(time))
    }

    /// An RSA key's size from its modulus, in the strict form OpenSSL's decoder accepts; nil for any other key.
    private static func publicKey(_ reader: DERReader, _ element: DERReader.Element) -> PublicKeyInfo? {
        guard let items = try? reader.children(of: element), items.count == 2, items[0].tag == DERTag.sequence, items[1].tag == 0x03,
            let algorithm = try? reader.children(of: items[0]), let oid = algorithm.first,
            oid.tag == DERTag.objectIdentifier, reader.content(oid).elementsEqual(rsaEncryption),
            algorithm.count == 1 || (algorithm.count == 2 && reader.slice(algorithm[1]).elementsEqual([0x05, 0x00])),
            items[1].contentLength > 1, reader.bytes[items[1].contentStart] == 0,
            let key = try? reader.element(at: items[1].contentStart + 1, limit: items[1].contentEnd),
            key.tag == DERTag.sequence, key.end == items[1].contentEnd,
            let numbers = try? reader.children(of: key), numbers.count == 2,
            numbers.allSatisfy({ $0.tag == DERTag.integer && isPositiveMinimal(reader.content($0)) })
        else { return nil }
        var modulus = reader.content(numbers[0]).drop { $0 == 0 }
        guard let first = modulus.first else { return nil }
        modulus = modulus.dropFirst()
        return PublicKeyInfo(algorithm: .rsa, bits: modulus.count * 8 + (8 - first.leadingZeroBitCount), curve: nil)
    }

    /// A DER INTEGER's content that is positive and minimally encoded.
    private static func isPositiveMinimal(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first, first < 0x80 else { return false }
        if first == 0 {
            guard let second = content.dropFirst().first else { return false }
            return second >= 0x80
        }
        return true
    }
}
