import CXCertCore

/// The codes of packet captures (`cxcert trace`).
extension FindingCode {
    // Packet captures (`cxcert trace`).
    /// The capture file is damaged or cut short; frames after the damage were not read.
    public static let captureDamaged = FindingCode("capture-damaged")
    /// Part of the capture could not be followed (snap length, limits, a connection caught mid-way, missing bytes).
    public static let captureGap = FindingCode("capture-gap")
    /// The phone asked DNS in another order than the device data says for its build.
    public static let dnsOrderDiffers = FindingCode("dns-order-differs")
    /// The phone sent a TLS alert; the finding says whether cxcert's verdict on the chain explains it.
    public static let phoneAlert = FindingCode("phone-alert")

    /// The codes of packet captures, in declaration order.
    public static let captureCodes: [FindingCode] = [
        .captureDamaged,
        .captureGap,
        .dnsOrderDiffers,
        .phoneAlert,
    ]
}
