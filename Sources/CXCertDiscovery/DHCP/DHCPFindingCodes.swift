import CXCertCore

/// The codes of DHCP answers (`cxcert dhcp`, and the walk's DHCP step).
extension FindingCode {
    // DHCP answers (`cxcert dhcp`).
    /// No DHCP server answered the phone's DHCPINFORM with vendor class MS-UC-Client.
    public static let dhcpNoAnswer = FindingCode("dhcp-no-answer")
    /// No option 43 for vendor class MS-UC-Client: PIN sign-in cannot find the Certificate Provisioning service.
    public static let dhcpOption43Missing = FindingCode("dhcp-option-43-missing")
    /// Option 43 lacks sub-options (or holds a bad host name or port), so the provisioning URL cannot be built.
    public static let dhcpOption43Incomplete = FindingCode("dhcp-option-43-incomplete")
    /// Option 43 is cut inside a sub-option (such as by Cisco IOS's 180-hex-digit limit).
    public static let dhcpOption43Truncated = FindingCode("dhcp-option-43-truncated")
    /// Option 43 sub-option 1 is not `MS-UC-Client` (case-sensitive).
    public static let dhcpOption43Identifier = FindingCode("dhcp-option-43-identifier")
    /// Option 43 sub-option 4 is a 2-byte integer instead of the text `443`.
    public static let dhcpOption43BinaryPort = FindingCode("dhcp-option-43-binary-port")
    /// Option 43 is also sent to clients without the vendor class: it is set for the whole scope.
    public static let dhcpOption43ScopeLevel = FindingCode("dhcp-option-43-scope-level")
    /// No option 120: the phone finds its registrar only through DNS.
    public static let dhcpOption120Missing = FindingCode("dhcp-option-120-missing")
    /// Option 120 gives the registrar as an address; the phone needs a name to check the certificate.
    public static let dhcpOption120Address = FindingCode("dhcp-option-120-address")
    /// Option 120 lists more than the two registrars the phones try.
    public static let dhcpOption120TooMany = FindingCode("dhcp-option-120-too-many")
    /// Option 120 names other registrars than the `_sipinternaltls._tcp` SRV record.
    public static let dhcpOption120Mismatch = FindingCode("dhcp-option-120-mismatch")
    /// Option 119 is the Windows Server 2003 string, not RFC 3397 labels.
    public static let dhcpOption119WindowsString = FindingCode("dhcp-option-119-windows-string")
    /// No option 15: the phone has no DHCP domain for `ucupdates-r2` and the DC locator.
    public static let dhcpOption15Missing = FindingCode("dhcp-option-15-missing")
    /// An option the phone reads is malformed.
    public static let dhcpMalformedOption = FindingCode("dhcp-malformed-option")
    /// Several DHCP servers answered; the phone uses one answer and ignores the others.
    public static let dhcpSeveralServers = FindingCode("dhcp-several-servers")
    /// Option 43 names other web services than the deployment's; the phone fetches its root chain from them.
    public static let dhcpOption43WebFQDN = FindingCode("dhcp-option-43-web-fqdn")

    /// The codes of DHCP answers, in declaration order.
    public static let dhcpCodes: [FindingCode] = [
        .dhcpNoAnswer,
        .dhcpOption43Missing,
        .dhcpOption43Incomplete,
        .dhcpOption43Truncated,
        .dhcpOption43Identifier,
        .dhcpOption43BinaryPort,
        .dhcpOption43ScopeLevel,
        .dhcpOption120Missing,
        .dhcpOption120Address,
        .dhcpOption120TooMany,
        .dhcpOption120Mismatch,
        .dhcpOption119WindowsString,
        .dhcpOption15Missing,
        .dhcpMalformedOption,
        .dhcpSeveralServers,
        .dhcpOption43WebFQDN,
    ]
}
