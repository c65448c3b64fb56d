// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (the C names, on purpose: these shadow the C declarations)
internal import CSSL
import CXCertCore

// libssl's functions as this module calls them: each goes through the table `cx_ssl()` fills with dlsym on first use
// (shim.h). They shadow the C declarations, so the call sites read as before and the binary links only libcrypto: a
// command that makes no handshake never loads libssl. `TLSHandshake` checks `SystemLibrary.sslMissing` before its
// first call; a missing library is a thrown `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// OpenSSL's libssl, loaded on first use (the probes' TLS handshakes).
    package static let ssl = SystemLibrary(name: "libssl", soname: CX_SSL_SONAME, debianPackage: CX_SSL_PACKAGE)

    /// Why libssl cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var sslMissing: MissingLibrary? { cx_ssl_error().map { MissingLibrary(library: .ssl, reason: String(cString: $0)) } }
}

func TLS_client_method() -> OpaquePointer? { cx_ssl().pointee.TLS_client_method!() }
func SSL_CTX_new(_ a0: OpaquePointer?) -> OpaquePointer? { cx_ssl().pointee.SSL_CTX_new!(a0) }
func SSL_CTX_free(_ a0: OpaquePointer?) { cx_ssl().pointee.SSL_CTX_free!(a0) }
func SSL_CTX_set_cipher_list(_ a0: OpaquePointer?, _ a1: UnsafePointer<CChar>?) -> Int32 {
    cx_ssl().pointee.SSL_CTX_set_cipher_list!(a0, a1)
}
func SSL_CTX_set_ciphersuites(_ a0: OpaquePointer?, _ a1: UnsafePointer<CChar>?) -> Int32 {
    cx_ssl().pointee.SSL_CTX_set_ciphersuites!(a0, a1)
}
func SSL_CTX_set_verify(_ a0: OpaquePointer?, _ a1: Int32, _ a2: (@convention(c) (Int32, OpaquePointer?) -> Int32)?) {
    cx_ssl().pointee.SSL_CTX_set_verify!(a0, a1, a2)
}
func SSL_new(_ a0: OpaquePointer?) -> OpaquePointer? { cx_ssl().pointee.SSL_new!(a0) }
func SSL_free(_ a0: OpaquePointer?) { cx_ssl().pointee.SSL_free!(a0) }
func SSL_set_fd(_ a0: OpaquePointer?, _ a1: Int32) -> Int32 { cx_ssl().pointee.SSL_set_fd!(a0, a1) }
func SSL_connect(_ a0: OpaquePointer?) -> Int32 { cx_ssl().pointee.SSL_connect!(a0) }
func SSL_read(_ a0: OpaquePointer?, _ a1: UnsafeMutableRawPointer?, _ a2: Int32) -> Int32 { cx_ssl().pointee.SSL_read!(a0, a1, a2) }
func SSL_write(_ a0: OpaquePointer?, _ a1: UnsafeRawPointer?, _ a2: Int32) -> Int32 { cx_ssl().pointee.SSL_write!(a0, a1, a2) }
func SSL_shutdown(_ a0: OpaquePointer?) -> Int32 { cx_ssl().pointee.SSL_shutdown!(a0) }
func SSL_get_error(_ a0: OpaquePointer?, _ a1: Int32) -> Int32 { cx_ssl().pointee.SSL_get_error!(a0, a1) }
func SSL_get_peer_cert_chain(_ a0: OpaquePointer?) -> OpaquePointer? { cx_ssl().pointee.SSL_get_peer_cert_chain!(a0) }
func SSL_get_current_cipher(_ a0: OpaquePointer?) -> OpaquePointer? { cx_ssl().pointee.SSL_get_current_cipher!(a0) }
func SSL_CIPHER_get_name(_ a0: OpaquePointer?) -> UnsafePointer<CChar>? { cx_ssl().pointee.SSL_CIPHER_get_name!(a0) }
func SSL_version(_ a0: OpaquePointer?) -> Int32 { cx_ssl().pointee.SSL_version!(a0) }
