#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few fields batch validation needs, read straight from DER without building an OpenSSL object
/// (decoding with OpenSSL costs more than the RSA verification itself). Anything this reader does not
/// understand makes it return nil, and the caller takes the full OpenSSL path instead; differential
/// tests hold it to OpenSSL's reading on every fixture and on fuzzed input.
struct LeanCertificate {
    /// The TBSCertificate bytes, header included: what the signature covers.
    let tbs: Range<Int>
    let signatureAlgorithmOID: String
    /// The signature value (the BIT STRING content after its unused-bits octet).
    let signature: Range<Int>
    let version: Int
    let serial: Range<Int>
    let issuer: Range<Int>
    let subject: Range<Int>
    let notBefore: Int64
    let notAfter: Int64
    let keyAlgorithmOID: String
    /// RSA modulus length in bits (0 for other key types).
    let rsaBits: Int
    let authorityKeyIdentifier: Range<Int>?
    /// Whether an extendedKeyUsage extension is present, and whether it lists serverAuth.
    let hasExtendedKeyUsage: Bool
    let extendedKeyUsageHasServerAuth: Bool
    /// keyUsage bits as RFC 5280 numbers them (bit 0 = digitalSignature), nil when absent.
    let keyUsage: UInt16?
    let hasSubjectAltName: Bool
    /// Critical extensions other than the four read here.
    let otherCriticalExtensions: Bool
    /// Nothing here that one of the `generic` profile's leaf rules (``WebPKIRules``) could object to:
    /// no nameConstraints or policyConstraints, a non-critical EKU of serverAuth/clientAuth only, not a CA,
    /// SAN DNS names in preferred syntax without wildcards, a readable AIA, and a subject CN (if any)
    /// that is byte for byte one of the SAN DNS names. When false, batch validation takes the full path.
    let plainForWebPKI: Bool

    // OIDs as their DER content bytes, compared without building strings.
    static let basicConstraints = OID.der(OID.basicConstraints), keyUsageOID = OID.der(OID.keyUsage)
    static let extKeyUsage = OID.der(OID.extendedKeyUsage), subjectAltName = OID.der(OID.subjectAltName)
    static let authorityKeyID = OID.der(OID.authorityKeyIdentifier)
    /// Netscape cert type: OpenSSL's TLS purpose check reads it, so its presence sends a leaf the full path.
    static let netscapeCertType = OID.der(OID.netscapeCertType)
    /// Algorithm OIDs the fast path knows, by content bytes.
    static let knownAlgorithms: [([UInt8], String)] =
        ([OID.rsaEncryption] + OID.rsaSignatures.map(\.oid)).map { (OID.der($0), $0) }
    static let serverAuthBytes = OID.der(OID.serverAuth)
    static let clientAuthBytes = OID.der(OID.clientAuth)
    static let nameConstraintsOID = OID.der(OID.nameConstraints), policyConstraintsOID = OID.der(OID.policyConstraints)
    static let authorityInfoAccess = OID.der(OID.authorityInfoAccess)
    static let commonNameOID = OID.der(OID.commonName)

}

extension LeanCertificate {
    /// The fields of `bytes`, or nil when this reader does not understand them (the full path then decides).
    init?(_ bytes: [UInt8]) {
        guard let lean = try? Self.read(bytes) else { return nil }
        self = lean
    }

    /// The certificate cannot be read here: the caller takes the full path.
    private struct Unreadable: Error {}

    /// Reads the fields, or throws when anything is not understood. Every constructed element is walked with a
    /// ``DERReader/ChildCursor`` (no array per element: the reader runs once per leaf of a batch), and every child of
    /// every element walked is read, as ``DERReader/children(of:depth:)`` would read it.
    private static func read(_ bytes: [UInt8]) throws -> LeanCertificate {
        let reader = DERReader(bytes, maxDepth: 8)
        let outer = try reader.element(at: 0)
        guard outer.tag == DERTag.sequence, outer.end == bytes.count else { throw Unreadable() }
        let (tbsElement, outerAlgorithmElement, signatureElement) = try reader.three(outer)
        guard tbsElement.tag == DERTag.sequence, outerAlgorithmElement.tag == DERTag.sequence, signatureElement.tag == 0x03,
            signatureElement.contentLength > 1, bytes[signatureElement.contentStart] == 0
        else { throw Unreadable() }
        let outerAlgorithm = try algorithm(reader, outerAlgorithmElement)

        var fields = try reader.cursor(in: tbsElement)
        guard var field = try reader.next(&fields) else { throw Unreadable() }
        var version = 1
        if field.tag == DERTag.contextConstructed0 {
            let inner = try reader.one(field)
            guard inner.tag == DERTag.integer, inner.contentLength == 1 else { throw Unreadable() }
            version = Int(bytes[inner.contentStart]) + 1
            guard let serialField = try reader.next(&fields) else { throw Unreadable() }
            field = serialField
        }
        // Serial, signature algorithm, issuer, validity, subject, subject public key info.
        let serialElement = field
        guard let algorithmField = try reader.next(&fields), let issuerField = try reader.next(&fields),
            let validityField = try reader.next(&fields), let subjectField = try reader.next(&fields),
            let keyField = try reader.next(&fields),
            serialElement.tag == DERTag.integer, isMinimalInteger(reader.content(serialElement)),
            algorithmField.tag == DERTag.sequence, issuerField.tag == DERTag.sequence,
            validityField.tag == DERTag.sequence, subjectField.tag == DERTag.sequence, keyField.tag == DERTag.sequence,
            // The TBS signature algorithm must equal the outer one, byte for byte (as OpenSSL requires).
            reader.sameBytes(algorithmField, outerAlgorithmElement)
        else { throw Unreadable() }
        let (notBeforeElement, notAfterElement) = try reader.two(validityField)
        guard let notBefore = time(reader, notBeforeElement), let notAfter = time(reader, notAfterElement) else { throw Unreadable() }
        let (keyAlgorithmElement, keyBits) = try reader.two(keyField)
        guard keyBits.tag == 0x03 else { throw Unreadable() }
        let keyAlgorithm = try algorithm(reader, keyAlgorithmElement)
        // The issuer's bytes are matched with a known issuer's subject, which OpenSSL read; the subject is not.
        try subjectDecodes(reader, subjectField)

        var aki: Range<Int>?
        var hasEKU = false
        var serverAuth = false
        var usage: UInt16?
        var san = false
        var otherCritical = false
        var plain = true
        // The SAN extensions' GeneralNames sequences (almost always one: the rest stay in an array that stays empty).
        var firstSANNames: DERReader.Element?
        var moreSANNames: [DERReader.Element] = []
        while let field = try reader.next(&fields) {
            if field.tag == 0x81 || field.tag == 0x82 || field.tag == 0xA1 || field.tag == 0xA2 { continue }  // unique IDs
            guard field.tag == 0xA3 else { throw Unreadable() }
            var extensions = try reader.cursor(in: try reader.one(field))
            while let ext = try reader.next(&extensions) {
                var items = try reader.cursor(in: ext)
                guard let oidElement = try reader.next(&items), let second = try reader.next(&items) else { throw Unreadable() }
                let third = try reader.next(&items)
                guard try reader.next(&items) == nil, oidElement.tag == DERTag.objectIdentifier else { throw Unreadable() }
                let value = third ?? second
                guard value.tag == 0x04 else { throw Unreadable() }
                var critical = false
                if third != nil {
                    guard second.tag == 0x01, second.contentLength == 1 else { throw Unreadable() }
                    critical = bytes[second.contentStart] != 0
                }
                if reader.contentEquals(oidElement, Self.authorityKeyID) {
                    let sequence = try reader.element(at: value.contentStart, limit: value.contentEnd)
                    var inner = try reader.cursor(in: sequence)
                    var keyID: DERReader.Element?
                    while let item = try reader.next(&inner) {
                        if keyID == nil && item.tag == 0x80 { keyID = item }
                    }
                    if let keyID { aki = keyID.contentStart..<keyID.contentEnd }
                } else if reader.contentEquals(oidElement, Self.extKeyUsage) {
                    let sequence = try reader.element(at: value.contentStart, limit: value.contentEnd)
                    var purposes = try reader.cursor(in: sequence)
                    hasEKU = true
                    var listsServerAuth = false
                    var onlyTLS = true
                    while let purpose = try reader.next(&purposes) {
                        let isServerAuth = purpose.tag == DERTag.objectIdentifier && reader.contentEquals(purpose, Self.serverAuthBytes)
                        if isServerAuth { listsServerAuth = true }
                        if !isServerAuth
                            && !(purpose.tag == DERTag.objectIdentifier && reader.contentEquals(purpose, Self.clientAuthBytes))
                        {
                            onlyTLS = false
                        }
                    }
                    serverAuth = listsServerAuth
                    if critical || !onlyTLS { plain = false }
                } else if reader.contentEquals(oidElement, Self.keyUsageOID) {
                    let bits = try reader.element(at: value.contentStart, limit: value.contentEnd)
                    guard bits.tag == 0x03, bits.contentLength >= 1, bits.contentLength <= 3 else { throw Unreadable() }
                    var raw: UInt16 = 0
                    for (offset, byte) in bytes[(bits.contentStart + 1)..<bits.contentEnd].enumerated() {
                        // Bit 0 is the most significant bit of the first octet.
                        for bit in 0..<8 where byte & (0x80 >> bit) != 0 { raw |= 1 << UInt16(offset * 8 + bit) }
                    }
                    usage = raw
                } else if reader.contentEquals(oidElement, Self.subjectAltName) {
                    san = true
                    let sequence = try reader.element(at: value.contentStart, limit: value.contentEnd)
                    guard sequence.tag == DERTag.sequence else { throw Unreadable() }
                    var names = try reader.cursor(in: sequence)
                    while let name = try reader.next(&names) {
                        if name.tag == 0x82 {
                            if bytes[name.contentStart..<name.contentEnd].first == UInt8(ascii: "*")
                                || !WebPKIRules.isPreferredDNSName(bytes: bytes[name.contentStart..<name.contentEnd])
                            {
                                plain = false
                            }
                        } else if name.tag == 0x87 && name.contentLength != 4 && name.contentLength != 16 {
                            plain = false
                        }
                    }
                    if firstSANNames == nil { firstSANNames = sequence } else { moreSANNames.append(sequence) }
                } else if reader.contentEquals(oidElement, Self.netscapeCertType) {
                    otherCritical = true
                } else if reader.contentEquals(oidElement, Self.basicConstraints) {
                    // CA:TRUE in leaf position has rules of its own.
                    let sequence = try reader.element(at: value.contentStart, limit: value.contentEnd)
                    var items = try reader.cursor(in: sequence)
                    if let first = try reader.next(&items), first.tag == 0x01,
                        bytes[first.contentStart..<first.contentEnd].contains(where: { $0 != 0 })
                    {
                        plain = false
                    }
                    while try reader.next(&items) != nil {}
                } else {
                    if critical { otherCritical = true }
                    if reader.contentEquals(oidElement, Self.nameConstraintsOID)
                        || reader.contentEquals(oidElement, Self.policyConstraintsOID)
                    {
                        plain = false
                    }
                    if reader.contentEquals(oidElement, Self.authorityInfoAccess) && !Self.readableAccess(reader, value) { plain = false }
                }
            }
        }
        // The subject CN, if any, must be one of the SAN DNS names byte for byte.
        if plain {
            let sanNames = (firstSANNames.map { [$0] } ?? []) + moreSANNames
            plain = (try? Self.commonNamesAreSANNames(reader, subjectField, sanNames)) ?? false
        }
        return LeanCertificate(
            tbs: tbsElement.headerStart..<tbsElement.end, signatureAlgorithmOID: outerAlgorithm,
            signature: (signatureElement.contentStart + 1)..<signatureElement.contentEnd, version: version,
            serial: serialElement.contentStart..<serialElement.contentEnd, issuer: issuerField.headerStart..<issuerField.end,
            subject: subjectField.headerStart..<subjectField.end, notBefore: notBefore, notAfter: notAfter,
            keyAlgorithmOID: keyAlgorithm,
            rsaBits: keyAlgorithm == OID.rsaEncryption ? (Self.rsaModulusBits(reader, keyBits) ?? 0) : 0,
            authorityKeyIdentifier: aki, hasExtendedKeyUsage: hasEKU, extendedKeyUsageHasServerAuth: serverAuth, keyUsage: usage,
            hasSubjectAltName: san, otherCriticalExtensions: otherCritical, plainForWebPKI: plain)
    }

    /// An authorityInfoAccess value the web-PKI rules read without objection: one non-empty SEQUENCE of SEQUENCEs
    /// filling the OCTET STRING.
    private static func readableAccess(_ reader: DERReader, _ value: DERReader.Element) -> Bool {
        guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd), sequence.end == value.contentEnd,
            sequence.tag == DERTag.sequence, var items = try? reader.cursor(in: sequence)
        else { return false }
        var count = 0
        var allSequences = true
        do {
            while let item = try reader.next(&items) {
                count += 1
                if item.tag != DERTag.sequence { allSequences = false }
            }
        } catch {
            return false
        }
        return count > 0 && allSequences
    }

    /// Whether every CN attribute of the subject is one of the DNS names of `sanNames` (GeneralNames sequences already
    /// read), byte for byte; throws when the name cannot be read here.
    private static func commonNamesAreSANNames(
        _ reader: DERReader, _ name: DERReader.Element, _ sanNames: [DERReader.Element]
    ) throws -> Bool {
        var sets = try reader.cursor(in: name)
        var allFound = true
        while let set = try reader.next(&sets) {
            guard set.tag == 0x31 else { throw Unreadable() }
            var attributes = try reader.cursor(in: set)
            while let attribute = try reader.next(&attributes) {
                let (type, value) = try reader.two(attribute)
                guard type.tag == DERTag.objectIdentifier else { throw Unreadable() }
                guard reader.contentEquals(type, commonNameOID) else { continue }
                // Only the plain string types compare byte for byte with an IA5String SAN entry.
                guard value.tag == 0x0C || value.tag == 0x13 || value.tag == 0x16 else { throw Unreadable() }
                if allFound, try !isDNSName(reader, value, in: sanNames) { allFound = false }
            }
        }
        return allFound
    }

    /// Whether the content of `value` equals that of a dNSName in one of `sanNames`.
    private static func isDNSName(_ reader: DERReader, _ value: DERReader.Element, in sanNames: [DERReader.Element]) throws -> Bool {
        for names in sanNames {
            var cursor = try reader.cursor(in: names)
            while let name = try reader.next(&cursor) {
                if name.tag == 0x82 && reader.sameContent(name, value) { return true }
            }
        }
        return false
    }

    /// The OID of an AlgorithmIdentifier, from the known table first (no string building on the hot path). It must be
    /// one OpenSSL's decoder takes, with no parameters or parameters of a form it takes whatever the content: an empty
    /// NULL (RSA), a well-formed OID (an EC curve) or a SEQUENCE (RSA-PSS, DSA); anything else throws, and the full
    /// path reports what OpenSSL says of it.
    private static func algorithm(_ reader: DERReader, _ element: DERReader.Element) throws -> String {
        var items = try reader.cursor(in: element)
        guard let first = try reader.next(&items), first.tag == DERTag.objectIdentifier else { throw Unreadable() }
        if let parameters = try reader.next(&items) {
            guard try reader.next(&items) == nil,
                (parameters.tag == 0x05 && parameters.contentLength == 0) || parameters.tag == DERTag.sequence
                    || (parameters.tag == DERTag.objectIdentifier && OIDString.isWellFormed(reader.content(parameters)))
            else { throw Unreadable() }
        }
        if let known = knownAlgorithms.first(where: { reader.contentEquals(first, $0.0) }) { return known.1 }
        guard OIDString.isWellFormed(reader.content(first)), let dotted = OIDString.dotted(reader.content(first)) else {
            throw Unreadable()
        }
        return dotted
    }

    /// Throws unless OpenSSL's name decoder certainly takes every attribute of the name: a well-formed OID and a value of
    /// a string type it reads whatever the bytes (PrintableString, T61String, IA5String, NumericString), valid UTF-8 in
    /// a UTF8String, or whole characters and no surrogate in a BMPString. It turns each value into UTF-8 for its
    /// canonical form and refuses the whole certificate when one does not convert; anything rarer is left to the full
    /// path.
    private static func subjectDecodes(_ reader: DERReader, _ name: DERReader.Element) throws {
        var sets = try reader.cursor(in: name)
        while let set = try reader.next(&sets) {
            guard set.tag == DERTag.set else { throw Unreadable() }
            var attributes = try reader.cursor(in: set)
            var count = 0
            while let attribute = try reader.next(&attributes) {
                count += 1
                guard attribute.tag == DERTag.sequence else { throw Unreadable() }
                let (type, element) = try reader.two(attribute)
                guard type.tag == DERTag.objectIdentifier, OIDString.isWellFormed(reader.content(type)) else { throw Unreadable() }
                let value = reader.content(element)
                switch element.tag {
                case 0x12, 0x13, 0x14, 0x16: continue
                case 0x0C: guard String(validating: value, as: UTF8.self) != nil else { throw Unreadable() }
                case 0x1E:
                    // Whole UTF-16 units, none a surrogate (OpenSSL's UTF-8 writer refuses one).
                    guard value.count % 2 == 0,
                        stride(from: value.startIndex, to: value.endIndex, by: 2).allSatisfy({ value[$0] & 0xF8 != 0xD8 })
                    else { throw Unreadable() }
                default: throw Unreadable()
                }
            }
            guard count > 0 else { throw Unreadable() }
        }
    }

    /// A non-empty INTEGER without a redundant leading octet: the only kind OpenSSL's decoder takes.
    static func isMinimalInteger(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first else { return false }
        guard let second = content.dropFirst().first else { return true }
        return !(first == 0 && second < 0x80) && !(first == 0xFF && second >= 0x80)
    }

    /// UTCTime or GeneralizedTime in the `...Z` form RFC 5280 requires, as seconds since 1970.
    static func time(_ reader: DERReader, _ element: DERReader.Element) -> Int64? {
        let text = reader.content(element)
        let digits: Int
        switch element.tag {
        case 0x17: digits = 12
        case 0x18: digits = 14
        default: return nil
        }
        guard text.count == digits + 1, text.last == UInt8(ascii: "Z") else { return nil }
        // Two digits at a time, no array: this runs twice per leaf of a batch.
        var index = text.startIndex
        func pair() -> Int? {
            let high = Int(text[index]) - 48
            let low = Int(text[index + 1]) - 48
            index += 2
            guard (0...9).contains(high), (0...9).contains(low) else { return nil }
            return high * 10 + low
        }
        guard let first = pair() else { return nil }
        let year: Int
        if element.tag == 0x17 {
            year = first + (first >= 50 ? 1900 : 2000)
        } else {
            guard let second = pair() else { return nil }
            year = first * 100 + second
        }
        guard let month = pair(), let day = pair(), let hour = pair(), let minute = pair(), let second = pair() else { return nil }
        // As OpenSSL reads a time: the month's own days (29 in February of a leap year), no leap second.
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The bit length of an RSA modulus inside a subjectPublicKey BIT STRING.
    private static func rsaModulusBits(_ reader: DERReader, _ bitString: DERReader.Element) -> Int? {
        guard bitString.contentLength > 1, reader.bytes[bitString.contentStart] == 0,
            let key = try? reader.element(at: bitString.contentStart + 1, limit: bitString.contentEnd), key.tag == DERTag.sequence,
            let (number, _) = try? reader.two(key), number.tag == DERTag.integer
        else { return nil }
        var modulus = reader.content(number).drop { $0 == 0 }
        guard let first = modulus.first else { return nil }
        modulus = modulus.dropFirst()
        return modulus.count * 8 + (8 - first.leadingZeroBitCount)
    }
}

extension DERReader {
    /// The only child of a constructed element; throws when it has another number of children.
    fileprivate func one(_ parent: Element) throws -> Element {
        var cursor = try cursor(in: parent)
        guard let first = try next(&cursor), try next(&cursor) == nil else {
            throw Failure(offset: parent.headerStart, kind: .malformed("not one child"))
        }
        return first
    }

    /// The two children of a constructed element; throws when it has another number of children.
    fileprivate func two(_ parent: Element) throws -> (Element, Element) {
        var cursor = try cursor(in: parent)
        guard let first = try next(&cursor), let second = try next(&cursor), try next(&cursor) == nil else {
            throw Failure(offset: parent.headerStart, kind: .malformed("not two children"))
        }
        return (first, second)
    }

    /// The three children of a constructed element; throws when it has another number of children.
    fileprivate func three(_ parent: Element) throws -> (Element, Element, Element) {
        var cursor = try cursor(in: parent)
        guard let first = try next(&cursor), let second = try next(&cursor), let third = try next(&cursor), try next(&cursor) == nil
        else { throw Failure(offset: parent.headerStart, kind: .malformed("not three children")) }
        return (first, second, third)
    }

    /// Whether an element's content bytes are `other` (an OID's content, say), without building a slice.
    fileprivate func contentEquals(_ element: Element, _ other: [UInt8]) -> Bool {
        guard element.contentLength == other.count else { return false }
        guard !other.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { mine in
            other.withUnsafeBufferPointer { memcmp(mine.baseAddress! + element.contentStart, $0.baseAddress!, other.count) == 0 }
        }
    }

    /// Whether two elements' content bytes are equal.
    fileprivate func sameContent(_ a: Element, _ b: Element) -> Bool {
        guard a.contentLength == b.contentLength else { return false }
        guard a.contentLength > 0 else { return true }
        return bytes.withUnsafeBufferPointer {
            memcmp($0.baseAddress! + a.contentStart, $0.baseAddress! + b.contentStart, a.contentLength) == 0
        }
    }

    /// Whether two whole elements (header and content) are the same bytes.
    fileprivate func sameBytes(_ a: Element, _ b: Element) -> Bool {
        let length = a.end - a.headerStart
        guard length == b.end - b.headerStart else { return false }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + a.headerStart, $0.baseAddress! + b.headerStart, length) == 0 }
    }
}
