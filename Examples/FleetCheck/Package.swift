// swift-tools-version: 6.0
// An example of using the CXCert library from another package: verify every certificate in a folder for
// each build of a fleet and print a summary. It needs only the core product: OpenSSL, no LDAP, curl, c-ares,
// libpcap or YAML (Scripts/test checks the binary).
import PackageDescription

let package = Package(
    name: "FleetCheck",
    dependencies: [.package(name: "cxcert", path: "../..")],
    targets: [
        .executableTarget(name: "fleetcheck", dependencies: [.product(name: "CXCertCore", package: "cxcert")])
    ],
    swiftLanguageModes: [.v6]
)
