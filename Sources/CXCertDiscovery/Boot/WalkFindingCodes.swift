import CXCertCore

/// The codes of the phone's discovery walk (`cxcert boot`): DNS, time, roots, the servers it reaches.
extension FindingCode {
    // The phone's discovery walk (`cxcert boot`).
    /// No time source answered with a synchronised time; certificates are judged at this machine's clock instead.
    public static let timeSourceMissing = FindingCode("time-source-missing")
    /// A time server the phone asks is not synchronised (or sent a kiss-of-death), so the phone ignores its time.
    public static let timeSourceUnsynchronized = FindingCode("time-source-unsynchronized")
    /// The phone's clock is notably off this machine's, or off enough that a chain's verdict at the phone's clock
    /// differs from the verdict now.
    public static let clockSkew = FindingCode("clock-skew")
    /// No registrar lookup of the build's order led to a server that completes a connection.
    public static let registrarNotFound = FindingCode("registrar-not-found")
    /// A record points outside the SIP domain, and this build enforces strict DNS naming and ignores it.
    public static let strictDNSNaming = FindingCode("strict-dns-naming")
    /// The phone finds no domain controller, so it cannot download the roots published in Active Directory.
    public static let dcNotFound = FindingCode("dc-not-found")
    /// There is no root the phone can download: none in Active Directory, or none at sign-in for this build.
    public static let noRootDownload = FindingCode("no-root-download")
    /// A server the phone connects to does not answer, or answers without a certificate.
    public static let endpointUnreachable = FindingCode("endpoint-unreachable")
    /// The Certificate Provisioning service's plain-HTTP listener (port 80) does not answer: closed, filtered, or
    /// not forwarded by the load balancer, so a PIN sign-in downloads no root.
    public static let certprovUnreachable = FindingCode("certprov-unreachable")
    /// The root-chain download got an HTTP error, a SOAP fault, a timeout or an answer past the size limit.
    public static let certprovFailed = FindingCode("certprov-failed")
    /// The root-chain download answered 200 without any chain the phone can read.
    public static let certprovNoChains = FindingCode("certprov-no-chains")
    /// The downloaded chains lack the root the registrar's or the web services' chain needs.
    public static let certprovRootMissing = FindingCode("certprov-root-missing")
    /// The Device Update check (`ucdevice.upx`) got no answer, an HTTP error or an answer that does not read.
    public static let deviceUpdateCheckFailed = FindingCode("device-update-check-failed")
    /// A file the Device Update server offers does not answer a HEAD with 200 from the phone's network.
    public static let deviceUpdateFileUnreachable = FindingCode("device-update-file-unreachable")
    /// The Device Update server offers nothing to a build that needs an update for Lync Server 2013 (`Knowledge/updates.json`).
    public static let deviceUpdateNoneOffered = FindingCode("device-update-none-offered")
    /// The offered update is one the running build cannot take in one step: an intermediate build must come first.
    public static let deviceUpdateNeedsIntermediate = FindingCode("device-update-needs-intermediate")
    /// An offered internal file is not a plain-HTTP URL on port 80, where the phone fetches update files.
    public static let deviceUpdateFileNotPort80 = FindingCode("device-update-file-not-port-80")
    /// DNS questions the phone asks got no answer (NXDOMAIN, NODATA, SERVFAIL, REFUSED or a timeout).
    public static let dnsUnanswered = FindingCode("dns-unanswered")
    /// A DNS answer has 64 records or more; only the first ones are read.
    public static let dnsAnswerOversized = FindingCode("dns-answer-oversized")
    /// `ucupdates-r2.<DHCP domain>` does not resolve, so phones that never signed in find no update server.
    public static let deviceUpdateNotFound = FindingCode("device-update-not-found")
    /// A `<name>.<DHCP domain>` retry answered where the name asked did not: a wildcard record can misroute the phone.
    public static let concatenatedNameAnswered = FindingCode("concatenated-name-answered")
    /// An SRV record's target is an alias (a CNAME), which RFC 2782 forbids: resolvers may refuse it, and the phone
    /// checks the certificate for the target name.
    public static let srvTargetAlias = FindingCode("srv-target-cname")
    /// No autodiscover URL answered with a certificate the build trusts (or its redirects loop or go too far).
    public static let autodiscoverFailed = FindingCode("autodiscover-failed")
    /// The phone reaches a server before it can hold the root the server's chain needs (Device Update at boot, before
    /// the sign-in attempt that downloads the root).
    public static let rootNotHeldYet = FindingCode("root-not-held-yet")
    /// The phone holds roots from an earlier sign-in, the server's chain now needs one it does not hold, and the phone
    /// does not look again until it is reset.
    public static let heldRootStale = FindingCode("held-root-stale")
    /// A phone outside the network (through the Edge) reaches a server whose chain needs a root it could only download
    /// on the internal network and does not hold: outside it trusts its cache and what it learned while inside.
    public static let externalRootNotLearned = FindingCode("external-root-not-learned")
    /// The phone's first REGISTER got no whole answer: the registrar accepted the TLS session and then said nothing
    /// before the deadline, or closed the connection.
    public static let sipRegisterNoAnswer = FindingCode("sip-register-no-answer")
    /// The REGISTER's answer is not one the phone can go on from: malformed, past the size limit, or a final error
    /// status (403, 404, 480, 5xx...) instead of a challenge.
    public static let sipRegisterFailed = FindingCode("sip-register-failed")
    /// The registrar answered the REGISTER without a Lync authentication package (NTLM, Kerberos, TLS-DSK): not a Lync
    /// or OCS registrar, or a proxy in the way.
    public static let sipNoLyncPackage = FindingCode("sip-no-lync-package")
    /// A redirect (301/302) the phone cannot follow: no usable Contact, a target that does not resolve or connect, a
    /// loop, or too many hops.
    public static let sipRedirectFailed = FindingCode("sip-redirect-failed")
    /// The challenge's target name is not among the names of the certificate the registrar sent.
    public static let sipTargetNameMismatch = FindingCode("sip-target-name-mismatch")
    /// The TLS-DSK challenge's certificate provisioning URL is missing, not HTTPS, or names a host the phone cannot
    /// resolve.
    public static let sipProvisioningURL = FindingCode("sip-provisioning-url")

    /// The codes of the phone's discovery walk, in declaration order.
    public static let walkCodes: [FindingCode] = [
        .timeSourceMissing,
        .timeSourceUnsynchronized,
        .clockSkew,
        .registrarNotFound,
        .strictDNSNaming,
        .dcNotFound,
        .noRootDownload,
        .endpointUnreachable,
        .certprovUnreachable,
        .certprovFailed,
        .certprovNoChains,
        .certprovRootMissing,
        .deviceUpdateCheckFailed,
        .deviceUpdateFileUnreachable,
        .deviceUpdateNoneOffered,
        .deviceUpdateNeedsIntermediate,
        .deviceUpdateFileNotPort80,
        .dnsUnanswered,
        .dnsAnswerOversized,
        .deviceUpdateNotFound,
        .concatenatedNameAnswered,
        .srvTargetAlias,
        .autodiscoverFailed,
        .rootNotHeldYet,
        .heldRootStale,
        .externalRootNotLearned,
        .sipRegisterNoAnswer,
        .sipRegisterFailed,
        .sipNoLyncPackage,
        .sipRedirectFailed,
        .sipTargetNameMismatch,
        .sipProvisioningURL,
    ]
}
