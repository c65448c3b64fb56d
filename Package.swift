// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "cxcert",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "CXCert", targets: ["CXCert"]),
        .executable(name: "cxcert", targets: ["CXCertCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `swift package generate-documentation` for the DocC catalog (CI builds it with warnings as errors).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C libraries, reached only through the Swift wrappers in Sources/CXCert/OpenSSL and Directory.
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CLDAP", pkgConfig: "ldap",
            providers: [.apt(["libldap-dev"]), .brew(["openldap"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(
            name: "CAres", pkgConfig: "libcares",
            providers: [.apt(["libc-ares-dev"]), .brew(["c-ares"])]),
        .systemLibrary(
            name: "CPcap", pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"]), .brew(["libpcap"])]),
        .target(
            name: "CXCert", dependencies: ["COpenSSL", "CLDAP", "CCurl", "CAres", "CPcap", .product(name: "Yams", package: "Yams")],
            exclude: ["TrustStore/README.md", "Knowledge/README.md"],
            // Compiled in, not a resource bundle: a binary copied alone keeps its trust store and device data.
            resources: [.embedInCode("TrustStore"), .embedInCode("Knowledge")]),
        .executableTarget(
            name: "CXCertCLI",
            dependencies: [
                "CXCert",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/cxcert"),
        // Fuzz targets: libFuzzer drives them when built by Fuzz/run; otherwise the binary replays inputs.
        .executableTarget(name: "cxcert-fuzz", dependencies: ["CXCert"]),
        // Test helpers shared by the test targets: the test PKI, background servers, the Samba DC, the labs.
        .target(
            name: "CXCertTestSupport", dependencies: ["CXCert"], path: "Tests/CXCertTestSupport",
            exclude: ["certsrv_stub.py", "hostile_server.py", "recorder.py", "lab_stub.py"]),
        .testTarget(name: "CXCertTests", dependencies: ["CXCert", "CXCertTestSupport", "cxcert-fuzz"], exclude: ["Fixtures"]),
        // The public API as users see it: no @testable import.
        .testTarget(name: "CXCertAPITests", dependencies: ["CXCert"]),
    ],
    swiftLanguageModes: [.v6]
)
