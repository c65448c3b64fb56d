// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (the C names, on purpose: these shadow the C declarations)
internal import CLDAP
import CXCertCore

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

// libldap's functions as this module calls them: each goes through the table `cx_ldap()` fills with dlsym on first
// use (shim.h). They shadow the C declarations, so the call sites read as before and the binary does not link
// libldap. Callers check `SystemLibrary.ldapMissing` before their first call; a missing library is a thrown
// `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// libldap, loaded on first use.
    package static let ldap = SystemLibrary(name: "libldap", soname: CX_LDAP_SONAME, debianPackage: CX_LDAP_PACKAGE)

    /// Why libldap cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var ldapMissing: MissingLibrary? { cx_ldap_error().map { MissingLibrary(library: .ldap, reason: String(cString: $0)) } }
}

// Also reached by `LDAPError(code:operation:)` without a session: shim.h's fallback text when libldap is missing.
func ldap_err2string(_ a0: Int32) -> UnsafeMutablePointer<CChar>! { cx_ldap_err2string(a0) }
func ber_free(_ a0: OpaquePointer!, _ a1: Int32) { cx_ldap().pointee.ber_free!(a0, a1) }
func ber_memfree(_ a0: UnsafeMutableRawPointer!) { cx_ldap().pointee.ber_memfree!(a0) }
func ldap_add_ext_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>!,
    _ a3: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!, _ a4: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_add_ext_s!(a0, a1, a2, a3, a4) }
func ldap_control_find(
    _ a0: UnsafePointer<CChar>!, _ a1: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a2: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?>!
) -> UnsafeMutablePointer<LDAPControl>! { cx_ldap().pointee.ldap_control_find!(a0, a1, a2) }
func ldap_control_free(_ a0: UnsafeMutablePointer<LDAPControl>!) { cx_ldap().pointee.ldap_control_free!(a0) }
func ldap_controls_free(_ a0: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!) { cx_ldap().pointee.ldap_controls_free!(a0) }
func ldap_create_page_control(
    _ a0: OpaquePointer!, _ a1: ber_int_t, _ a2: UnsafeMutablePointer<berval>!, _ a3: Int32,
    _ a4: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_create_page_control!(a0, a1, a2, a3, a4) }
func ldap_delete_ext_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a3: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_delete_ext_s!(a0, a1, a2, a3) }
func ldap_first_attribute(_ a0: OpaquePointer!, _ a1: OpaquePointer!, _ a2: UnsafeMutablePointer<OpaquePointer?>!) -> UnsafeMutablePointer<
    CChar
>! { cx_ldap().pointee.ldap_first_attribute!(a0, a1, a2) }
func ldap_first_message(_ a0: OpaquePointer!, _ a1: OpaquePointer!) -> OpaquePointer! { cx_ldap().pointee.ldap_first_message!(a0, a1) }
func ldap_free_urldesc(_ a0: UnsafeMutablePointer<LDAPURLDesc>!) { cx_ldap().pointee.ldap_free_urldesc!(a0) }
func ldap_get_dn(_ a0: OpaquePointer!, _ a1: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { cx_ldap().pointee.ldap_get_dn!(a0, a1) }
func ldap_get_option(_ a0: OpaquePointer!, _ a1: Int32, _ a2: UnsafeMutableRawPointer!) -> Int32 {
    cx_ldap().pointee.ldap_get_option!(a0, a1, a2)
}
func ldap_get_values_len(_ a0: OpaquePointer!, _ a1: OpaquePointer!, _ a2: UnsafePointer<CChar>!) -> UnsafeMutablePointer<
    UnsafeMutablePointer<berval>?
>! { cx_ldap().pointee.ldap_get_values_len!(a0, a1, a2) }
func ldap_init_fd(_ a0: ber_socket_t, _ a1: Int32, _ a2: UnsafePointer<CChar>!, _ a3: UnsafeMutablePointer<OpaquePointer?>!) -> Int32 {
    cx_ldap().pointee.ldap_init_fd!(a0, a1, a2, a3)
}
func ldap_install_tls(_ a0: OpaquePointer!) -> Int32 { cx_ldap().pointee.ldap_install_tls!(a0) }
func ldap_is_ldap_url(_ a0: UnsafePointer<CChar>!) -> Int32 { cx_ldap().pointee.ldap_is_ldap_url!(a0) }
func ldap_memfree(_ a0: UnsafeMutableRawPointer!) { cx_ldap().pointee.ldap_memfree!(a0) }
func ldap_modify_ext_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>!,
    _ a3: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!, _ a4: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_modify_ext_s!(a0, a1, a2, a3, a4) }
func ldap_msgfree(_ a0: OpaquePointer!) -> Int32 { cx_ldap().pointee.ldap_msgfree!(a0) }
func ldap_msgtype(_ a0: OpaquePointer!) -> Int32 { cx_ldap().pointee.ldap_msgtype!(a0) }
func ldap_next_attribute(_ a0: OpaquePointer!, _ a1: OpaquePointer!, _ a2: OpaquePointer!) -> UnsafeMutablePointer<CChar>! {
    cx_ldap().pointee.ldap_next_attribute!(a0, a1, a2)
}
func ldap_next_message(_ a0: OpaquePointer!, _ a1: OpaquePointer!) -> OpaquePointer! { cx_ldap().pointee.ldap_next_message!(a0, a1) }
func ldap_parse_pageresponse_control(
    _ a0: OpaquePointer!, _ a1: UnsafeMutablePointer<LDAPControl>!, _ a2: UnsafeMutablePointer<ber_int_t>!,
    _ a3: UnsafeMutablePointer<berval>!
) -> Int32 { cx_ldap().pointee.ldap_parse_pageresponse_control!(a0, a1, a2, a3) }
func ldap_parse_result(
    _ a0: OpaquePointer!, _ a1: OpaquePointer!, _ a2: UnsafeMutablePointer<Int32>!,
    _ a3: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ a4: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!,
    _ a5: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>!,
    _ a6: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?>!, _ a7: Int32
) -> Int32 { cx_ldap().pointee.ldap_parse_result!(a0, a1, a2, a3, a4, a5, a6, a7) }
func ldap_rename_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: UnsafePointer<CChar>!, _ a3: UnsafePointer<CChar>!, _ a4: Int32,
    _ a5: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!, _ a6: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_rename_s!(a0, a1, a2, a3, a4, a5, a6) }
func ldap_sasl_bind_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: UnsafePointer<CChar>!, _ a3: UnsafeMutablePointer<berval>!,
    _ a4: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!, _ a5: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a6: UnsafeMutablePointer<UnsafeMutablePointer<berval>?>!
) -> Int32 { cx_ldap().pointee.ldap_sasl_bind_s!(a0, a1, a2, a3, a4, a5, a6) }
func ldap_search_ext_s(
    _ a0: OpaquePointer!, _ a1: UnsafePointer<CChar>!, _ a2: Int32, _ a3: UnsafePointer<CChar>!,
    _ a4: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ a5: Int32, _ a6: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a7: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!, _ a8: UnsafeMutablePointer<timeval>!, _ a9: Int32,
    _ a10: UnsafeMutablePointer<OpaquePointer?>!
) -> Int32 { cx_ldap().pointee.ldap_search_ext_s!(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) }
func ldap_set_option(_ a0: OpaquePointer!, _ a1: Int32, _ a2: UnsafeRawPointer!) -> Int32 { cx_ldap().pointee.ldap_set_option!(a0, a1, a2) }
func ldap_start_tls_s(
    _ a0: OpaquePointer!, _ a1: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a2: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_start_tls_s!(a0, a1, a2) }
func ldap_unbind_ext_s(
    _ a0: OpaquePointer!, _ a1: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!,
    _ a2: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>!
) -> Int32 { cx_ldap().pointee.ldap_unbind_ext_s!(a0, a1, a2) }
func ldap_url_parse(_ a0: UnsafePointer<CChar>!, _ a1: UnsafeMutablePointer<UnsafeMutablePointer<LDAPURLDesc>?>!) -> Int32 {
    cx_ldap().pointee.ldap_url_parse!(a0, a1)
}
func ldap_value_free_len(_ a0: UnsafeMutablePointer<UnsafeMutablePointer<berval>?>!) { cx_ldap().pointee.ldap_value_free_len!(a0) }
