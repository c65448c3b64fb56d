import COpenSSL

/// The reason OpenSSL gave for a failure, drained from its thread-local error queue.
struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    let description: String

    /// Takes every queued error (so none leaks into a later call) and keeps the first reason.
    static func drain(or fallback: String) -> OpenSSLError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if let text = ERR_reason_error_string(code) {
                reasons.append(String(cString: text))
            } else {
                reasons.append("error 0x\(String(code, radix: 16))")
            }
        }
        return OpenSSLError(description: reasons.first ?? fallback)
    }
}

/// Runs `body` with a memory BIO and returns what was written to it.
func withMemoryBIO(_ body: (OpaquePointer) -> Void) -> String {
    guard let bio = BIO_new(BIO_s_mem()) else { return "" }
    defer { BIO_free(bio) }
    body(bio)
    var data: UnsafeMutablePointer<CChar>?
    let length = cx_BIO_get_mem_data(bio, &data)
    guard length > 0, let data else { return "" }
    return data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}

/// Copies an ASN1_STRING's raw bytes.
func bytes(of string: UnsafePointer<ASN1_STRING>?) -> [UInt8] {
    guard let string, let data = ASN1_STRING_get0_data(string) else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
}

/// An ASN1_STRING of any type as UTF-8 text (BMPString, T61String, ... converted by OpenSSL).
func utf8Text(of string: UnsafePointer<ASN1_STRING>?) -> String {
    guard let string else { return "" }
    var out: UnsafeMutablePointer<UInt8>?
    let length = ASN1_STRING_to_UTF8(&out, string)
    guard length >= 0, let out else { return String(decoding: bytes(of: string), as: UTF8.self) }
    defer { cx_OPENSSL_free(out) }
    return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
}

/// Short and long names and the dotted form of an ASN1_OBJECT.
func objectNames(_ object: OpaquePointer?) -> (short: String?, long: String?, dotted: String) {
    guard let object else { return (nil, nil, "") }
    var buffer = [CChar](repeating: 0, count: 128)
    let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
    let dotted = length > 0 ? String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    let nid = OBJ_obj2nid(object)
    guard nid != NID_undef else { return (nil, nil, dotted) }
    return (OBJ_nid2sn(nid).map { String(cString: $0) }, OBJ_nid2ln(nid).map { String(cString: $0) }, dotted)
}
