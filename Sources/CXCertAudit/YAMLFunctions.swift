// swift-format-ignore-file: AlwaysUseLowerCamelCase

import CXCertCore
// (the C names, on purpose: these shadow the C declarations)
internal import CYAML

// libyaml's functions as this module calls them: each goes through the table `cx_yaml()` fills with dlsym on first
// use (shim.h). They shadow the C declarations, so the call sites read as before and the binary does not link
// libyaml. `YAMLLoader` checks `SystemLibrary.yamlMissing` before its first call; a missing library is a thrown
// `MissingLibrary`, never a call through a null pointer.

extension SystemLibrary {
    /// libyaml, loaded on first use (deployment files).
    package static let yaml = SystemLibrary(name: "libyaml", soname: CX_YAML_SONAME, debianPackage: CX_YAML_PACKAGE)

    /// Why libyaml cannot be used (loaded on the first call); nil when it is loaded with every function cxcert calls.
    package static var yamlMissing: MissingLibrary? { cx_yaml_error().map { MissingLibrary(library: .yaml, reason: String(cString: $0)) } }
}

func yaml_parser_initialize(_ a0: UnsafeMutablePointer<yaml_parser_t>!) -> Int32 { cx_yaml().pointee.yaml_parser_initialize!(a0) }
func yaml_parser_delete(_ a0: UnsafeMutablePointer<yaml_parser_t>!) { cx_yaml().pointee.yaml_parser_delete!(a0) }
func yaml_parser_set_input_string(_ a0: UnsafeMutablePointer<yaml_parser_t>!, _ a1: UnsafePointer<UInt8>!, _ a2: Int) {
    cx_yaml().pointee.yaml_parser_set_input_string!(a0, a1, a2)
}
func yaml_parser_parse(_ a0: UnsafeMutablePointer<yaml_parser_t>!, _ a1: UnsafeMutablePointer<yaml_event_t>!) -> Int32 {
    cx_yaml().pointee.yaml_parser_parse!(a0, a1)
}
func yaml_event_delete(_ a0: UnsafeMutablePointer<yaml_event_t>!) { cx_yaml().pointee.yaml_event_delete!(a0) }
