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

    init?(_ bytes: [UInt8]) {
        let reader = DERReader(bytes, maxDepth: 8)
        guard let outer = try? reader.element(at: 0), outer.tag == DERTag.sequence, outer.end == bytes.count,
            let parts = try? reader.children(of: outer), parts.count == 3, parts[0].tag == DERTag.sequence,
            parts[1].tag == DERTag.sequence, parts[2].tag == 0x03,
            let outerAlgorithm = Self.algorithm(reader, parts[1]),
            parts[2].contentLength > 1, bytes[parts[2].contentStart] == 0,
            let fields = try? reader.children(of: parts[0]), fields.count >= 6
        else { return nil }
        var index = 0
        var version = 1
        if fields[0].tag == DERTag.contextConstructed0 {
            guard let inner = try? reader.children(of: fields[0]), inner.count == 1, inner[0].tag == DERTag.integer,
                inner[0].contentLength == 1
            else { return nil }
            version = Int(bytes[inner[0].contentStart]) + 1
            index = 1
        }
        guard fields.count >= index + 6, fields[index].tag == DERTag.integer, Self.isMinimalInteger(reader.content(fields[index])),
            fields[index + 1].tag == DERTag.sequence,
            fields[index + 2].tag == DERTag.sequence, fields[index + 3].tag == DERTag.sequence,
            fields[index + 4].tag == DERTag.sequence, fields[index + 5].tag == DERTag.sequence,
            // The TBS signature algorithm must equal the outer one, byte for byte (as OpenSSL requires).
            reader.slice(fields[index + 1]) == reader.slice(parts[1]),
            let validity = try? reader.children(of: fields[index + 3]), validity.count == 2,
            let notBefore = Self.time(reader, validity[0]), let notAfter = Self.time(reader, validity[1]),
            let spki = try? reader.children(of: fields[index + 5]), spki.count == 2, spki[1].tag == 0x03,
            let keyAlgorithm = Self.algorithm(reader, spki[0]),
            // The issuer's bytes are matched with a known issuer's subject, which OpenSSL read; the subject is not.
            Self.subjectDecodes(reader, fields[index + 4])
        else { return nil }
        tbs = parts[0].headerStart..<parts[0].end
        signatureAlgorithmOID = outerAlgorithm
        signature = (parts[2].contentStart + 1)..<parts[2].contentEnd
        self.version = version
        serial = fields[index].contentStart..<fields[index].contentEnd
        issuer = fields[index + 2].headerStart..<fields[index + 2].end
        subject = fields[index + 4].headerStart..<fields[index + 4].end
        self.notBefore = notBefore
        self.notAfter = notAfter
        keyAlgorithmOID = keyAlgorithm
        rsaBits = keyAlgorithm == OID.rsaEncryption ? (Self.rsaModulusBits(reader, spki[1]) ?? 0) : 0

        var aki: Range<Int>?
        var hasEKU = false
        var serverAuth = false
        var usage: UInt16?
        var san = false
        var otherCritical = false
        var plain = true
        var sanDNSNames: [ArraySlice<UInt8>] = []
        for field in fields.dropFirst(index + 6) {
            if field.tag == 0x81 || field.tag == 0x82 || field.tag == 0xA1 || field.tag == 0xA2 { continue }  // unique IDs
            guard field.tag == 0xA3, let wrapper = try? reader.children(of: field), wrapper.count == 1,
                let extensions = try? reader.children(of: wrapper[0])
            else { return nil }
            for ext in extensions {
                guard let items = try? reader.children(of: ext), (2...3).contains(items.count), items[0].tag == DERTag.objectIdentifier,
                    items.last!.tag == 0x04
                else { return nil }
                let oid = reader.content(items[0])
                var critical = false
                if items.count == 3 {
                    guard items[1].tag == 0x01, items[1].contentLength == 1 else { return nil }
                    critical = bytes[items[1].contentStart] != 0
                }
                let value = items.last!
                if oid.elementsEqual(Self.authorityKeyID) {
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let inner = try? reader.children(of: sequence)
                    else { return nil }
                    if let keyID = inner.first(where: { $0.tag == 0x80 }) { aki = keyID.contentStart..<keyID.contentEnd }
                } else if oid.elementsEqual(Self.extKeyUsage) {
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let purposes = try? reader.children(of: sequence)
                    else { return nil }
                    hasEKU = true
                    serverAuth = purposes.contains {
                        $0.tag == DERTag.objectIdentifier && reader.content($0).elementsEqual(Self.serverAuthBytes)
                    }
                    if critical
                        || !purposes.allSatisfy({
                            $0.tag == DERTag.objectIdentifier
                                && (reader.content($0).elementsEqual(Self.serverAuthBytes)
                                    || reader.content($0).elementsEqual(Self.clientAuthBytes))
                        })
                    {
                        plain = false
                    }
                } else if oid.elementsEqual(Self.keyUsageOID) {
                    guard let bits = try? reader.element(at: value.contentStart, limit: value.contentEnd), bits.tag == 0x03,
                        bits.contentLength >= 1, bits.contentLength <= 3
                    else { return nil }
                    var raw: UInt16 = 0
                    for (offset, byte) in reader.content(bits).dropFirst().enumerated() {
                        // Bit 0 is the most significant bit of the first octet.
                        for bit in 0..<8 where byte & (0x80 >> bit) != 0 { raw |= 1 << UInt16(offset * 8 + bit) }
                    }
                    usage = raw
                } else if oid.elementsEqual(Self.subjectAltName) {
                    san = true
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        sequence.tag == DERTag.sequence, let names = try? reader.children(of: sequence)
                    else { return nil }
                    for name in names where name.tag == 0x82 {
                        let text = reader.content(name)
                        if text.first == UInt8(ascii: "*") || !WebPKIRules.isPreferredDNSName(bytes: text) {
                            plain = false
                        }
                        sanDNSNames.append(text)
                    }
                    if names.contains(where: { $0.tag == 0x87 && $0.contentLength != 4 && $0.contentLength != 16 }) { plain = false }
                } else if oid.elementsEqual(Self.netscapeCertType) {
                    otherCritical = true
                } else if oid.elementsEqual(Self.basicConstraints) {
                    // CA:TRUE in leaf position has rules of its own.
                    guard let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd),
                        let items = try? reader.children(of: sequence)
                    else { return nil }
                    if let first = items.first, first.tag == 0x01, reader.content(first).contains(where: { $0 != 0 }) { plain = false }
                } else {
                    if critical { otherCritical = true }
                    if oid.elementsEqual(Self.nameConstraintsOID) || oid.elementsEqual(Self.policyConstraintsOID) { plain = false }
                    if oid.elementsEqual(Self.authorityInfoAccess) {
                        let sequence = try? reader.element(at: value.contentStart, limit: value.contentEnd)
                        let items = sequence.flatMap { $0.tag == DERTag.sequence ? try? reader.children(of: $0) : nil } ?? []
                        if items.isEmpty || sequence?.end != value.contentEnd || !items.allSatisfy({ $0.tag == DERTag.sequence }) {
                            plain = false
                        }
                    }
                }
            }
        }
        authorityKeyIdentifier = aki
        hasExtendedKeyUsage = hasEKU
        extendedKeyUsageHasServerAuth = serverAuth
        keyUsage = usage
        hasSubjectAltName = san
        otherCriticalExtensions = otherCritical
        // The subject CN, if any, must be one of the SAN DNS names byte for byte.
        if plain {
            if let commonNames = Self.commonNames(reader, fields[index + 4]) {
                plain = commonNames.allSatisfy { name in sanDNSNames.contains { $0.elementsEqual(name) } }
            } else {
                plain = false
            }
        }
        plainForWebPKI = plain
    }

    /// The values of the subject's CN attributes, or nil when the name cannot be read here.
    private static func commonNames(_ reader: DERReader, _ name: DERReader.Element) -> [ArraySlice<UInt8>]? {
        guard let sets = try? reader.children(of: name) else { return nil }
        var values: [ArraySlice<UInt8>] = []
        for set in sets {
            guard set.tag == 0x31, let attributes = try? reader.children(of: set) else { return nil }
            for attribute in attributes {
                guard let items = try? reader.children(of: attribute), items.count == 2, items[0].tag == DERTag.objectIdentifier else {
                    return nil
                }
                if reader.content(items[0]).elementsEqual(commonNameOID) {
                    // Only the plain string types compare byte for byte with an IA5String SAN entry.
                    guard [0x0C, 0x13, 0x16].contains(items[1].tag) else { return nil }
                    values.append(reader.content(items[1]))
                }
            }
        }
        return values
    }

    /// The OID of an AlgorithmIdentifier, from the known table first (no string building on the hot path). It must be
    /// one OpenSSL's decoder takes, with no parameters or parameters of a form it takes whatever the content: an empty
    /// NULL (RSA), a well-formed OID (an EC curve) or a SEQUENCE (RSA-PSS, DSA); anything else makes it nil, and the full
    /// path reports what OpenSSL says of it.
    private static func algorithm(_ reader: DERReader, _ element: DERReader.Element) -> String? {
        guard let items = try? reader.children(of: element), (1...2).contains(items.count), let first = items.first,
            first.tag == DERTag.objectIdentifier, OIDString.isWellFormed(reader.content(first))
        else {
            return nil
        }
        if items.count == 2 {
            let parameters = items[1]
            guard
                (parameters.tag == 0x05 && parameters.contentLength == 0) || parameters.tag == DERTag.sequence
                    || (parameters.tag == DERTag.objectIdentifier && OIDString.isWellFormed(reader.content(parameters)))
            else { return nil }
        }
        let content = reader.content(first)
        if let known = knownAlgorithms.first(where: { content.elementsEqual($0.0) }) { return known.1 }
        return OIDString.dotted(content)
    }

    /// A name whose every attribute OpenSSL's name decoder certainly takes: a well-formed OID and a value of a string
    /// type it reads whatever the bytes (PrintableString, T61String, IA5String, NumericString), valid UTF-8 in a
    /// UTF8String, or whole characters and no surrogate in a BMPString. It turns each value into UTF-8 for its canonical form and refuses
    /// the whole certificate when one does not convert; anything rarer is left to the full path.
    private static func subjectDecodes(_ reader: DERReader, _ name: DERReader.Element) -> Bool {
        guard let sets = try? reader.children(of: name) else { return false }
        for set in sets {
            guard set.tag == DERTag.set, let attributes = try? reader.children(of: set), !attributes.isEmpty else { return false }
            for attribute in attributes {
                guard attribute.tag == DERTag.sequence, let items = try? reader.children(of: attribute), items.count == 2,
                    items[0].tag == DERTag.objectIdentifier, OIDString.isWellFormed(reader.content(items[0]))
                else { return false }
                let value = reader.content(items[1])
                switch items[1].tag {
                case 0x12, 0x13, 0x14, 0x16: continue
                case 0x0C: guard String(validating: value, as: UTF8.self) != nil else { return false }
                case 0x1E:
                    // Whole UTF-16 units, none a surrogate (OpenSSL's UTF-8 writer refuses one).
                    guard value.count % 2 == 0,
                        stride(from: value.startIndex, to: value.endIndex, by: 2).allSatisfy({ value[$0] & 0xF8 != 0xD8 })
                    else { return false }
                default: return false
                }
            }
        }
        return true
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
        var values: [Int] = []
        var index = text.startIndex
        while index < text.endIndex - 1 {
            let high = Int(text[index]) - 48
            let low = Int(text[index + 1]) - 48
            guard (0...9).contains(high), (0...9).contains(low) else { return nil }
            values.append(high * 10 + low)
            index += 2
        }
        var year: Int
        if element.tag == 0x17 {
            year = values[0] + (values[0] >= 50 ? 1900 : 2000)
            values.removeFirst()
        } else {
            year = values[0] * 100 + values[1]
            values.removeFirst(2)
        }
        let (month, day, hour, minute, second) = (values[0], values[1], values[2], values[3], values[4])
        // As OpenSSL reads a time: the month's own days (29 in February of a leap year), no leap second.
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        // Days from the civil date (H. Hinnant's algorithm).
        year -= month <= 2 ? 1 : 0
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The bit length of an RSA modulus inside a subjectPublicKey BIT STRING.
    private static func rsaModulusBits(_ reader: DERReader, _ bitString: DERReader.Element) -> Int? {
        guard bitString.contentLength > 1, reader.bytes[bitString.contentStart] == 0,
            let key = try? reader.element(at: bitString.contentStart + 1, limit: bitString.contentEnd), key.tag == DERTag.sequence,
            let numbers = try? reader.children(of: key), numbers.count == 2, numbers[0].tag == DERTag.integer
        else { return nil }
        var modulus = reader.content(numbers[0]).drop { $0 == 0 }
        guard let first = modulus.first else { return nil }
        modulus = modulus.dropFirst()
        return modulus.count * 8 + (8 - first.leadingZeroBitCount)
    }
}
