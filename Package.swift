// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "cxcert",
    platforms: [.macOS(.v13)],
    products: [
        // Everything, as one import.
        .library(name: "CXCert", targets: ["CXCert"]),
        // Decoding, trust stores, device knowledge and verification only: links OpenSSL's libcrypto and nothing else.
        .library(name: "CXCertCore", targets: ["CXCertCore"]),
        .executable(name: "cxcert", targets: ["CXCertCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` for the DocC catalog (CI builds it with warnings as errors).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C libraries, imported with `internal import` by the modules that wrap them; no C type is public.
        // OpenSSL's libcrypto is linked. libssl, libldap, libcurl, c-ares, libpcap and libyaml are not: their headers
        // only (Debian's libssl-dev, libldap-dev, libcurl4-openssl-dev, libc-ares-dev, libpcap-dev, libyaml-dev; no
        // pkg-config, whose flags would link them), and each shim.h loads its library on first use
        // (Sources/CLazyLoad/lazy.h, a shared header), so `verify` starts without them.
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(name: "CSSL"),
        .systemLibrary(name: "CLDAP"),
        .systemLibrary(name: "CCurl"),
        .systemLibrary(name: "CAres"),
        .systemLibrary(name: "CPcap"),
        .systemLibrary(name: "CYAML"),
        // The layers, each a module, so the compiler holds them (see "Architecture" in the README):
        // core (certificates, trust, devices, names, validation; OpenSSL only) ← probing (TLS client),
        // directory (LDAP, HTTP, LDIF) and capture (libpcap, packets, dissectors) ← discovery (DNS, NTP, DHCP,
        // the boot walk and the reading of a capture) ← audit (deployment files, libyaml) ← reports (text,
        // Markdown, HTML, JSON) ← the umbrella `CXCert`.
        .target(
            name: "CXCertCore", dependencies: ["COpenSSL"],
            exclude: ["TrustStore/README.md", "Knowledge/README.md"],
            // Compiled in, not a resource bundle: a binary copied alone keeps its trust store and device data.
            resources: [.embedInCode("TrustStore"), .embedInCode("Knowledge")]),
        .target(name: "CXCertProbe", dependencies: ["CXCertCore", "COpenSSL", "CSSL"]),
        .target(name: "CXCertDirectory", dependencies: ["CXCertCore", "CLDAP", "CCurl"]),
        // Capture files (libpcap) and the dissectors of what the phones send; nothing of the walk or its verdicts.
        .target(name: "CXCertCapture", dependencies: ["CXCertCore", "CPcap"]),
        .target(
            name: "CXCertDiscovery", dependencies: ["CXCertCore", "CXCertProbe", "CXCertDirectory", "CXCertCapture", "CAres"]),
        .target(
            name: "CXCertAudit",
            dependencies: ["CXCertCore", "CXCertProbe", "CXCertDirectory", "CXCertDiscovery", "CYAML"]),
        .target(
            name: "CXCertReports",
            dependencies: ["CXCertCore", "CXCertProbe", "CXCertDirectory", "CXCertDiscovery", "CXCertAudit"]),
        .target(
            name: "CXCert",
            dependencies: [
                "CXCertCore", "CXCertProbe", "CXCertDirectory", "CXCertCapture", "CXCertDiscovery", "CXCertAudit", "CXCertReports",
            ]),
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
            exclude: ["certsrv_stub.py", "hostile_server.py", "recorder.py", "lab_stub.py", "certprov_stub.py", "sip_stub.py"]),
        .testTarget(name: "CXCertTests", dependencies: ["CXCert", "CXCertTestSupport", "cxcert-fuzz"], exclude: ["Fixtures"]),
        // The public API as users see it: no @testable import.
        .testTarget(name: "CXCertAPITests", dependencies: ["CXCert"]),
        // The same example through the core product only: nothing above the core is needed for it.
        .testTarget(name: "CXCertCoreAPITests", dependencies: ["CXCertCore"]),
    ],
    swiftLanguageModes: [.v6]
)
