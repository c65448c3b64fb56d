// swift-tools-version: 6.0
// An example of using the CXCert library from another package: verify every certificate in a folder for
// each build of a fleet and print a summary.
import PackageDescription

let package = Package(
    name: "FleetCheck",
    dependencies: [.package(name: "cxcert", path: "../..")],
    targets: [
        .executableTarget(name: "fleetcheck", dependencies: [.product(name: "CXCert", package: "cxcert")])
    ],
    swiftLanguageModes: [.v6]
)
