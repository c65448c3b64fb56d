internal import COpenSSL

/// What OpenSSL said about a failure: every error it had queued on this thread, oldest first, so the
/// cause deep in the stack (an ASN.1 tag, a record layer refusal) is kept, not only the first reason.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One queued OpenSSL error.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        /// The packed error code (`ERR_get_error`), for callers that classify by library and reason.
        public let code: UInt
        /// The library that raised it, e.g. `SSL routines` or `asn1 encoding routines`.
        public let library: String?
        /// The reason, e.g. `wrong version number`; nil when OpenSSL has no string for the code.
        public let reason: String?
        /// The source file inside OpenSSL, when it was built to record it.
        public let file: String?
        /// The line in `file`, when recorded.
        public let line: Int?
        /// The OpenSSL function that raised it, when recorded.
        public let function: String?
        /// Extra text OpenSSL attached (`ERR_add_error_data`), e.g. the offending name.
        public let data: String?

        /// Builds an entry; `drain` is the usual source, tests build them directly.
        public init(
            code: UInt, library: String?, reason: String?, file: String? = nil, line: Int? = nil, function: String? = nil,
            data: String? = nil
        ) {
            self.code = code
            self.library = library
            self.reason = reason
            self.file = file
            self.line = line
            self.function = function
            self.data = data
        }

        /// The reason, or the code in hex when OpenSSL has no string for it.
        public var reasonText: String { reason ?? "error 0x\(String(code, radix: 16))" }

        /// `library: reason (data) [function file:line]`, as much as is known.
        public var description: String {
            var text = library.map { "\($0): \(reasonText)" } ?? reasonText
            if let data, !data.isEmpty { text += " (\(data))" }
            var place: [String] = []
            if let function, !function.isEmpty { place.append(function) }
            if let file, !file.isEmpty { place.append(line.map { "\(file):\($0)" } ?? file) }
            if !place.isEmpty { text += " [\(place.joined(separator: " "))]" }
            return text
        }
    }

    /// Every queued error, oldest (the first cause) first; empty when OpenSSL queued none.
    public let stack: [Entry]
    /// What cxcert was doing, used as the description when OpenSSL queued nothing.
    public let fallback: String

    /// An error with an explicit stack (usually from `drain`).
    public init(stack: [Entry], fallback: String) {
        self.stack = stack
        self.fallback = fallback
    }

    /// An error cxcert detected itself, with no OpenSSL stack.
    public init(description: String) {
        self.init(stack: [], fallback: description)
    }

    /// The first reason (the wording users and tests know), or the fallback.
    public var description: String { stack.first?.reasonText ?? fallback }

    /// Every queued error on one line, oldest first, for logs and bug reports.
    public var fullDescription: String {
        stack.isEmpty ? fallback : stack.map(\.description).joined(separator: "; ")
    }

    /// The first error's packed code, or 0 when the stack is empty.
    package var firstCode: UInt { stack.first?.code ?? 0 }

    /// Takes every queued error (so none leaks into a later call), keeping all of them in order.
    package static func drain(or fallback: String) -> OpenSSLError {
        var stack: [Entry] = []
        while true {
            var file: UnsafePointer<CChar>?
            var line: Int32 = 0
            var function: UnsafePointer<CChar>?
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(&file, &line, &function, &data, &flags)
            guard code != 0 else { break }
            let fileText = file.map { String(cString: $0) }
            stack.append(
                Entry(
                    code: code, library: ERR_lib_error_string(code).map { String(cString: $0) },
                    reason: ERR_reason_error_string(code).map { String(cString: $0) },
                    file: fileText.flatMap { $0.isEmpty ? nil : $0 }, line: fileText?.isEmpty == false && line > 0 ? Int(line) : nil,
                    function: function.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 },
                    data: flags & ERR_TXT_STRING != 0 ? data.map { String(cString: $0) } : nil))
        }
        return OpenSSLError(stack: stack, fallback: fallback)
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
    // The dotted form from the object's DER content, as `OBJ_obj2txt` writes it but without its BIGNUM arithmetic (a
    // third of what `inspect` spent naming OIDs); arcs of 2^56 and more are left to OpenSSL.
    let dotted: String
    if let content = OBJ_get0_data(object), case let length = Int(OBJ_length(object)), length > 0,
        let text = OIDString.dotted(UnsafeBufferPointer(start: content, count: length))
    {
        dotted = text
    } else {
        let length = OBJ_obj2txt(nil, 0, object, 1)
        var buffer = [CChar](repeating: 0, count: Int(max(length, 0)) + 1)
        let written = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        dotted = written > 0 ? String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
    let nid = OBJ_obj2nid(object)
    guard nid != NID_undef else { return (nil, nil, dotted) }
    return (OBJ_nid2sn(nid).map { String(cString: $0) }, OBJ_nid2ln(nid).map { String(cString: $0) }, dotted)
}
