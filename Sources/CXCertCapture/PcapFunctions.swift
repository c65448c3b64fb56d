// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (the C names, on purpose: these shadow the C declarations)
internal import CPcap
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// libpcap's functions as this module calls them: each goes through the table `cx_pcap()` fills with dlsym on first
// use (shim.h). They shadow the C declarations, so the call sites read as before and the binary does not link
// libpcap. Callers check `SystemLibrary.pcapMissing` before their first call; a missing library is a thrown
// `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// libpcap, loaded on first use.
    package static let pcap = SystemLibrary(name: "libpcap", soname: CX_PCAP_SONAME, debianPackage: CX_PCAP_PACKAGE)

    /// Why libpcap cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var pcapMissing: MissingLibrary? { cx_pcap_error().map { MissingLibrary(library: .pcap, reason: String(cString: $0)) } }
}

func pcap_close(_ a0: OpaquePointer!) { cx_pcap().pointee.pcap_close!(a0) }
func pcap_datalink(_ a0: OpaquePointer!) -> Int32 { cx_pcap().pointee.pcap_datalink!(a0) }
func pcap_geterr(_ a0: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { cx_pcap().pointee.pcap_geterr!(a0) }
func pcap_next_ex(
    _ a0: OpaquePointer!, _ a1: UnsafeMutablePointer<UnsafeMutablePointer<pcap_pkthdr>?>!,
    _ a2: UnsafeMutablePointer<UnsafePointer<u_char>?>!
) -> Int32 { cx_pcap().pointee.pcap_next_ex!(a0, a1, a2) }
func pcap_open_offline(_ a0: UnsafePointer<CChar>!, _ a1: UnsafeMutablePointer<CChar>!) -> OpaquePointer! {
    cx_pcap().pointee.pcap_open_offline!(a0, a1)
}
