// The umbrella module: `import CXCert` brings every layer, as it did when the library was one target.
// Users who want only decoding and verification import `CXCertCore` (product `CXCertCore`), which links
// OpenSSL's libcrypto alone: no libssl, libldap, libcurl, c-ares, libpcap or libyaml.
@_exported import CXCertAudit
@_exported import CXCertCapture
@_exported import CXCertCore
@_exported import CXCertDirectory
@_exported import CXCertDiscovery
@_exported import CXCertProbe
@_exported import CXCertReports

extension FindingCode {
    /// Every code cxcert's modules declare: the certificate codes, the walk's, DHCP's and capture's. The symptom table
    /// has a row for each, and the README names each.
    public static var allKnown: [FindingCode] { certificateCodes + walkCodes + dhcpCodes + captureCodes }
}
