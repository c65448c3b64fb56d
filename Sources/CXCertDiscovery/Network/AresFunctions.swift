// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (the C names, on purpose: these shadow the C declarations)
internal import CAres
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

// c-ares's functions as this module calls them: each goes through the table `cx_ares()` fills with dlsym on first
// use (shim.h). They shadow the C declarations, so the call sites read as before and the binary does not link
// c-ares. Callers check `SystemLibrary.aresMissing` before their first call; a missing library is a thrown
// `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// c-ares, loaded on first use.
    package static let ares = SystemLibrary(name: "c-ares", soname: CX_ARES_SONAME, debianPackage: CX_ARES_PACKAGE)

    /// Why c-ares cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var aresMissing: MissingLibrary? { cx_ares_error().map { MissingLibrary(library: .ares, reason: String(cString: $0)) } }
}

func ares_library_init(_ a0: Int32) -> Int32 { cx_ares().pointee.ares_library_init!(a0) }
func ares_cancel(_ a0: ares_channel!) { cx_ares().pointee.ares_cancel!(a0) }
func ares_destroy(_ a0: ares_channel!) { cx_ares().pointee.ares_destroy!(a0) }
func ares_expand_name(
    _ a0: UnsafePointer<UInt8>!, _ a1: UnsafePointer<UInt8>!, _ a2: Int32, _ a3: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!,
    _ a4: UnsafeMutablePointer<Int>!
) -> Int32 { cx_ares().pointee.ares_expand_name!(a0, a1, a2, a3, a4) }
func ares_free_data(_ a0: UnsafeMutableRawPointer!) { cx_ares().pointee.ares_free_data!(a0) }
func ares_free_hostent(_ a0: UnsafeMutablePointer<hostent>!) { cx_ares().pointee.ares_free_hostent!(a0) }
func ares_free_string(_ a0: UnsafeMutableRawPointer!) { cx_ares().pointee.ares_free_string!(a0) }
func ares_getsock(_ a0: ares_channel!, _ a1: UnsafeMutablePointer<ares_socket_t>!, _ a2: Int32) -> Int32 {
    cx_ares().pointee.ares_getsock!(a0, a1, a2)
}
func ares_init_options(_ a0: UnsafeMutablePointer<ares_channel?>!, _ a1: UnsafeMutablePointer<ares_options>!, _ a2: Int32) -> Int32 {
    cx_ares().pointee.ares_init_options!(a0, a1, a2)
}
func ares_parse_a_reply(
    _ a0: UnsafePointer<UInt8>!, _ a1: Int32, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<hostent>?>!,
    _ a3: UnsafeMutablePointer<ares_addrttl>!,
    _ a4: UnsafeMutablePointer<Int32>!
) -> Int32 { cx_ares().pointee.ares_parse_a_reply!(a0, a1, a2, a3, a4) }
func ares_parse_srv_reply(_ a0: UnsafePointer<UInt8>!, _ a1: Int32, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<ares_srv_reply>?>!)
    -> Int32
{ cx_ares().pointee.ares_parse_srv_reply!(a0, a1, a2) }
func ares_process_fd(_ a0: ares_channel!, _ a1: ares_socket_t, _ a2: ares_socket_t) { cx_ares().pointee.ares_process_fd!(a0, a1, a2) }
func ares_query(
    _ a0: ares_channel!, _ a1: UnsafePointer<CChar>!, _ a2: Int32, _ a3: Int32, _ a4: ares_callback!, _ a5: UnsafeMutableRawPointer!
) { cx_ares().pointee.ares_query!(a0, a1, a2, a3, a4, a5) }
func ares_set_servers_ports_csv(_ a0: ares_channel!, _ a1: UnsafePointer<CChar>!) -> Int32 {
    cx_ares().pointee.ares_set_servers_ports_csv!(a0, a1)
}
func ares_strerror(_ a0: Int32) -> UnsafePointer<CChar>! { cx_ares().pointee.ares_strerror!(a0) }
func ares_timeout(_ a0: ares_channel!, _ a1: UnsafeMutablePointer<timeval>!, _ a2: UnsafeMutablePointer<timeval>!) -> UnsafeMutablePointer<
    timeval
>! { cx_ares().pointee.ares_timeout!(a0, a1, a2) }
