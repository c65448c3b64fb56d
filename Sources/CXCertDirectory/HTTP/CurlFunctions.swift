// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (the C names, on purpose: these shadow the C declarations)
internal import CCurl
import CXCertCore

// libcurl's functions as this module calls them: each goes through the table `cx_curl()` fills with dlsym on first
// use (shim.h). They shadow the C declarations, so the call sites read as before and the binary does not link
// libcurl. Callers check `SystemLibrary.curlMissing` before their first call; a missing library is a thrown
// `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// libcurl, loaded on first use.
    package static let curl = SystemLibrary(name: "libcurl", soname: CX_CURL_SONAME, debianPackage: CX_CURL_PACKAGE)

    /// Why libcurl cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var curlMissing: MissingLibrary? { cx_curl_error().map { MissingLibrary(library: .curl, reason: String(cString: $0)) } }
}

func curl_global_init(_ a0: Int) -> CURLcode { cx_curl().pointee.curl_global_init!(a0) }
func curl_easy_init() -> UnsafeMutableRawPointer! { cx_curl().pointee.curl_easy_init!() }
func curl_easy_cleanup(_ a0: UnsafeMutableRawPointer!) { cx_curl().pointee.curl_easy_cleanup!(a0) }
func curl_easy_perform(_ a0: UnsafeMutableRawPointer!) -> CURLcode { cx_curl().pointee.curl_easy_perform!(a0) }
func curl_easy_strerror(_ a0: CURLcode) -> UnsafePointer<CChar>! { cx_curl().pointee.curl_easy_strerror!(a0) }
func curl_free(_ a0: UnsafeMutableRawPointer!) { cx_curl().pointee.curl_free!(a0) }
func curl_slist_append(_ a0: UnsafeMutablePointer<curl_slist>!, _ a1: UnsafePointer<CChar>!) -> UnsafeMutablePointer<curl_slist>! {
    cx_curl().pointee.curl_slist_append!(a0, a1)
}
func curl_slist_free_all(_ a0: UnsafeMutablePointer<curl_slist>!) { cx_curl().pointee.curl_slist_free_all!(a0) }
func curl_url() -> OpaquePointer! { cx_curl().pointee.curl_url!() }
func curl_url_cleanup(_ a0: OpaquePointer!) { cx_curl().pointee.curl_url_cleanup!(a0) }
func curl_url_get(_ a0: OpaquePointer!, _ a1: CURLUPart, _ a2: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ a3: UInt32)
    -> CURLUcode
{ cx_curl().pointee.curl_url_get!(a0, a1, a2, a3) }
func curl_url_set(_ a0: OpaquePointer!, _ a1: CURLUPart, _ a2: UnsafePointer<CChar>!, _ a3: UInt32) -> CURLUcode {
    cx_curl().pointee.curl_url_set!(a0, a1, a2, a3)
}
