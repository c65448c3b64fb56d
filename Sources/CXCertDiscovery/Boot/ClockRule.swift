import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one rule `boot` and `trace` use to say what the phone's clock does to its verdicts (`clock-skew`).
///
/// The phone judges every certificate at its own clock, which its time source set; the true time is this machine's
/// clock (or `--at`) for `boot` and the capture's clock for `trace`. A chain whose verdict differs between the two
/// is reported, in the direction that matters:
/// - trusted at the phone's clock, not at the true time: the certificate is wrong and the phone's clock hides it. The
///   finding is an error (a CI gate must not pass) and its fix renews the certificate first, then the time source:
///   correcting the clock first makes every phone refuse the server.
/// - not trusted at the phone's clock, trusted at the true time: the clock is wrong; fix the time source.
public enum ClockRule {
    /// A clock offset larger than this is reported even when it changes no verdict (seconds).
    public static let notableSkew: TimeInterval = 300

    /// The phone's clock against the true time, when the offset is notable: a warning with no host.
    /// - Parameters:
    ///   - offset: The phone's clock minus the true time, in seconds.
    ///   - source: Where the phone's clock came from (the time server, or the capture's answer).
    ///   - phoneClock: The phone's clock.
    /// - Returns: The severity and detail of a `clock-skew` finding, or nil when the offset is not notable.
    public static func skew(offset: TimeInterval, source: ClockSource, phoneClock: Date) -> (severity: Severity, detail: FindingDetail)? {
        guard abs(offset) > notableSkew else { return nil }
        return (
            .warning,
            .walk(
                .clock(
                    offset: offset, source: source, phoneClock: phoneClock, host: nil, trustedAtPhoneClock: nil, trustedAtLocalClock: nil,
                    differing: []))
        )
    }

    /// One chain judged at the phone's clock and at the true time.
    /// - Parameters:
    ///   - host: The server the chain came from.
    ///   - offset: The phone's clock minus the true time, in seconds.
    ///   - source: Where the phone's clock came from.
    ///   - phoneClock: The phone's clock.
    ///   - atPhoneClock: The verdict at the phone's clock (what the phone does now).
    ///   - atTrueTime: The verdict at the true time (what the phone does once its clock is right); nil when unknown.
    /// - Returns: The severity and detail of a `clock-skew` finding when the two verdicts differ, else nil. Either
    ///   direction is an error: a chain the wrong clock hides fails once the clock is fixed, and a chain the wrong
    ///   clock breaks fails now.
    public static func chain(
        host: String, offset: TimeInterval, source: ClockSource, phoneClock: Date, atPhoneClock: Verdict, atTrueTime: Verdict?
    ) -> (severity: Severity, detail: FindingDetail)? {
        guard abs(offset) > 1, let atTrueTime, atTrueTime.isTrusted != atPhoneClock.isTrusted else { return nil }
        let differing = Set(atPhoneClock.findings.map(\.code.rawValue)).symmetricDifference(atTrueTime.findings.map(\.code.rawValue))
            .sorted()
        return (
            .error,
            .walk(
                .clock(
                    offset: offset, source: source, phoneClock: phoneClock, host: host, trustedAtPhoneClock: atPhoneClock.isTrusted,
                    trustedAtLocalClock: atTrueTime.isTrusted, differing: differing))
        )
    }
}
