import CLDAP
import Foundation

/// A change to one attribute, as LDAP modify applies it.
struct LDAPModification: Sendable, Hashable {
    enum Operation: Sendable { case add, delete, replace }
    let operation: Operation
    let attribute: String
    let values: [Data]
}

/// Owns one libldap connection. Referrals are off (AD answers subtree searches under the
/// Configuration NC with a reference to the Schema NC, which must be skipped, never chased),
/// results are paged, and every call has a timeout. Not shared between threads.
final class LDAPSession {
    struct Options: Sendable {
        var url: String
        /// CA certificates to verify the server with (default: the system's).
        var caFile: String?
        /// Upgrade ldap:// with StartTLS.
        var startTLS: Bool
        /// Allow ldap:// without TLS. Only when asked explicitly.
        var allowPlain: Bool
        var timeout: TimeInterval
        var maxEntries: Int = 100_000
    }

    private let handle: OpaquePointer
    private let options: Options

    init(_ options: Options) throws(DirectoryError) {
        let lower = options.url.lowercased()
        guard lower.hasPrefix("ldap://") || lower.hasPrefix("ldaps://") else { throw .invalidURL(options.url) }
        if lower.hasPrefix("ldap://") && !options.startTLS && !options.allowPlain {
            throw .encryptionRequired(
                "refusing plain LDAP to \(options.url): use ldaps://, StartTLS (the default for ldap://), or --plain to send the password unencrypted"
            )
        }
        var raw: OpaquePointer?
        guard ldap_initialize(&raw, options.url) == LDAP_SUCCESS, let raw else { throw .invalidURL(options.url) }
        handle = raw
        self.options = options
        var version = LDAP_VERSION3
        _ = ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version)
        _ = ldap_set_option(handle, LDAP_OPT_REFERRALS, cx_ldap_opt_off())
        var limit = timeval(tv_sec: Int(options.timeout.rounded(.up)), tv_usec: 0)
        _ = ldap_set_option(handle, LDAP_OPT_NETWORK_TIMEOUT, &limit)
        _ = ldap_set_option(handle, LDAP_OPT_TIMEOUT, &limit)
        var demand = LDAP_OPT_X_TLS_DEMAND
        _ = ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
        if let caFile = options.caFile { _ = ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile) }
        var isServer: Int32 = 0
        _ = ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &isServer)
        if lower.hasPrefix("ldap://") && options.startTLS {
            try check(ldap_start_tls_s(handle, nil, nil), "StartTLS with \(options.url)")
        }
    }

    deinit { ldap_unbind_ext_s(handle, nil, nil) }

    /// Simple bind; AD accepts a DN, a UPN (`user@contoso.com`) or `DOMAIN\user` as the name.
    func bind(name: String, password: String) throws(DirectoryError) {
        var bytes = Array(password.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let rc = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) { pointer in
                var credential = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.count > 0 ? pointer : nil)
                return ldap_sasl_bind_s(handle, name, nil, &credential, nil, nil, nil)
            }
        }
        try check(rc, "bind as \(name)")
    }

    enum Scope { case base, oneLevel, subtree }

    /// Searches with the paged-results control, skipping search references.
    func search(base: String, scope: Scope, filter: String, attributes: [String], pageSize: Int32 = 500) throws(DirectoryError)
        -> [DirectoryEntry]
    {
        var entries: [DirectoryEntry] = []
        // The server's paging cookie, owned here (libldap allocated it) until the next page.
        var cookie = berval(bv_len: 0, bv_val: nil)
        var hasCookie = false
        defer { if let value = cookie.bv_val { ber_memfree(value) } }
        let scopeValue: Int32 =
            switch scope {
            case .base: LDAP_SCOPE_BASE
            case .oneLevel: LDAP_SCOPE_ONELEVEL
            case .subtree: LDAP_SCOPE_SUBTREE
            }
        repeat {
            var control: UnsafeMutablePointer<LDAPControl>?
            var rc =
                hasCookie
                ? ldap_create_page_control(handle, ber_int_t(pageSize), &cookie, 0, &control)
                : ldap_create_page_control(handle, ber_int_t(pageSize), nil, 0, &control)
            try check(rc, "paged search under \(base)")
            defer { ldap_control_free(control) }
            var message: OpaquePointer?
            defer { if let message { ldap_msgfree(message) } }
            var limit = timeval(tv_sec: Int(options.timeout.rounded(.up)), tv_usec: 0)
            rc = withCStrings(attributes) { names in
                var controls: [UnsafeMutablePointer<LDAPControl>?] = [control, nil]
                return ldap_search_ext_s(handle, base, scopeValue, filter, names, 0, &controls, nil, &limit, 0, &message)
            }
            try check(rc, "search under \(base)")
            var next: berval? = nil
            var current = ldap_first_message(handle, message)
            while let item = current {
                let type = ldap_msgtype(item)
                if type == cx_ldap_res_search_entry() {
                    entries.append(entry(item))
                    guard entries.count <= options.maxEntries else { throw .sizeLimit(options.maxEntries) }
                } else if type == cx_ldap_res_search_result() {
                    next = try pageCookie(item)
                }
                // Search references (the Schema NC under CN=Configuration) are skipped on purpose.
                current = ldap_next_message(handle, item)
            }
            if let value = cookie.bv_val { ber_memfree(value) }
            cookie = next ?? berval(bv_len: 0, bv_val: nil)
            hasCookie = cookie.bv_len > 0
        } while hasCookie
        return entries
    }

    private func pageCookie(_ result: OpaquePointer) throws(DirectoryError) -> berval? {
        var code: Int32 = 0
        var diagnostic: UnsafeMutablePointer<CChar>?
        var controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        let rc = ldap_parse_result(handle, result, &code, nil, &diagnostic, nil, &controls, 0)
        defer {
            if let diagnostic { ldap_memfree(diagnostic) }
            if let controls { ldap_controls_free(controls) }
        }
        try check(rc, "reading a search result")
        if code != LDAP_SUCCESS {
            try check(code, "search", detail: diagnostic.map { String(cString: $0) })
        }
        guard let found = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, nil) else { return nil }
        var count: ber_int_t = 0
        var cookie = berval(bv_len: 0, bv_val: nil)
        guard ldap_parse_pageresponse_control(handle, found, &count, &cookie) == LDAP_SUCCESS else { return nil }
        return cookie
    }

    private func entry(_ message: OpaquePointer) -> DirectoryEntry {
        var dn = ""
        if let raw = ldap_get_dn(handle, message) {
            dn = String(cString: raw)
            ldap_memfree(raw)
        }
        var attributes: [String: [Data]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(handle, message, &ber)
        while let attribute = name {
            let key = String(cString: attribute)
            if let values = ldap_get_values_len(handle, message, attribute) {
                var list: [Data] = []
                var index = 0
                while let value = values[index] {
                    list.append(value.pointee.bv_val.map { Data(bytes: $0, count: Int(value.pointee.bv_len)) } ?? Data())
                    index += 1
                }
                ldap_value_free_len(values)
                attributes[key] = list
            }
            ldap_memfree(attribute)
            name = ldap_next_attribute(handle, message, ber)
        }
        if let ber { ber_free(ber, 0) }
        return DirectoryEntry(dn: dn, attributes: attributes)
    }

    func add(dn: String, attributes: [(String, [Data])]) throws(DirectoryError) {
        let rc = withModifications(attributes.map { LDAPModification(operation: .add, attribute: $0.0, values: $0.1) }) {
            ldap_add_ext_s(handle, dn, $0, nil, nil)
        }
        try check(rc, "add", dn: dn)
    }

    func modify(dn: String, _ modifications: [LDAPModification]) throws(DirectoryError) {
        let rc = withModifications(modifications) { ldap_modify_ext_s(handle, dn, $0, nil, nil) }
        try check(rc, "modify", dn: dn)
    }

    func delete(dn: String) throws(DirectoryError) {
        try check(ldap_delete_ext_s(handle, dn, nil, nil), "delete", dn: dn)
    }

    /// Builds a NULL-terminated LDAPMod* array of binary values, runs `body`, frees everything.
    private func withModifications(
        _ modifications: [LDAPModification], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>) -> Int32
    ) -> Int32 {
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { free($0) } }
        func copy(_ data: Data) -> UnsafeMutablePointer<CChar> {
            let memory = malloc(max(data.count, 1))!
            allocations.append(memory)
            data.copyBytes(to: memory.assumingMemoryBound(to: UInt8.self), count: data.count)
            return memory.assumingMemoryBound(to: CChar.self)
        }
        let mods = UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>.allocate(capacity: modifications.count + 1)
        defer { mods.deallocate() }
        var built: [UnsafeMutablePointer<LDAPMod>] = []
        var valueArrays: [UnsafeMutablePointer<UnsafeMutablePointer<berval>?>] = []
        var bervals: [UnsafeMutablePointer<berval>] = []
        defer {
            built.forEach { $0.deallocate() }
            valueArrays.forEach { $0.deallocate() }
            bervals.forEach { $0.deallocate() }
        }
        for (index, modification) in modifications.enumerated() {
            let values = UnsafeMutablePointer<UnsafeMutablePointer<berval>?>.allocate(capacity: modification.values.count + 1)
            valueArrays.append(values)
            for (position, value) in modification.values.enumerated() {
                let item = UnsafeMutablePointer<berval>.allocate(capacity: 1)
                item.initialize(to: berval(bv_len: ber_len_t(value.count), bv_val: copy(value)))
                bervals.append(item)
                values[position] = item
            }
            values[modification.values.count] = nil
            let op: Int32 =
                switch modification.operation {
                case .add: LDAP_MOD_ADD
                case .delete: LDAP_MOD_DELETE
                case .replace: LDAP_MOD_REPLACE
                }
            let mod = UnsafeMutablePointer<LDAPMod>.allocate(capacity: 1)
            mod.initialize(to: LDAPMod())
            mod.pointee.mod_op = op | LDAP_MOD_BVALUES
            mod.pointee.mod_type = copy(Data(modification.attribute.utf8) + [0])
            cx_ldapmod_set_bvalues(mod, values)
            built.append(mod)
            mods[index] = mod
        }
        mods[modifications.count] = nil
        return body(mods)
    }

    /// Turns an LDAP result code into a typed error naming the operation and object.
    private func check(_ rc: Int32, _ operation: String, dn: String = "", detail: String? = nil) throws(DirectoryError) {
        guard rc != LDAP_SUCCESS else { return }
        let reason = String(cString: ldap_err2string(rc))
        var diagnostic = detail ?? ""
        if detail == nil {
            var message: UnsafeMutablePointer<CChar>?
            if ldap_get_option(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) == LDAP_OPT_SUCCESS, let message {
                diagnostic = String(cString: message)
                ldap_memfree(message)
            }
        }
        let text = diagnostic.isEmpty ? reason : "\(reason) (\(diagnostic.trimmingCharacters(in: .whitespacesAndNewlines)))"
        switch rc {
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR: throw .cannotConnect("\(options.url): \(text)")
        case LDAP_INVALID_CREDENTIALS: throw .invalidCredentials(text)
        case LDAP_INSUFFICIENT_ACCESS: throw .insufficientRights(operation: operation, dn: dn)
        case LDAP_STRONG_AUTH_REQUIRED, LDAP_CONFIDENTIALITY_REQUIRED:
            throw .encryptionRequired("the directory requires an encrypted connection for \(operation): use ldaps:// or StartTLS")
        case LDAP_NO_SUCH_OBJECT: throw .noSuchObject(dn.isEmpty ? text : dn)
        case LDAP_TIMEOUT, LDAP_TIMELIMIT_EXCEEDED: throw .timeout(operation)
        default: throw .ldap(code: rc, operation: dn.isEmpty ? operation : "\(operation) \(dn)", message: text)
        }
    }

    /// A NULL-terminated char* array for attribute lists.
    private func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

extension LDAPSession {
    static let alreadyExists = LDAP_ALREADY_EXISTS
    static let valueExists = LDAP_TYPE_OR_VALUE_EXISTS
    static let objectClassViolation = LDAP_OBJECT_CLASS_VIOLATION
    static let noSuchAttribute = LDAP_NO_SUCH_ATTRIBUTE
}
