import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The words of a capture's findings: the message and the remedy, from the facts.
extension CaptureFacts {
    /// One sentence saying what is wrong.
    public func message(for finding: Finding) -> String {
        switch (finding.code, self) {
        case (_, .captureDamage(let file, let frame, let reason)):
            return frame.map { "\(file): after frame \($0): \(reason)" } ?? "\(file): \(reason)"
        case (_, .captureGap(let gap, let connection, let count, let limit, let offset, let reason)):
            let name = connection ?? "a connection"
            let count = count ?? 0
            switch gap {
            case .snapLength:
                return "\(count) frame\(count == 1 ? " was" : "s were") cut by the snap length; what they held past the cut is missing."
            case .flowLimit: return "More than \(limit ?? 0) TCP flows; \(count) packets of later flows were not read."
            case .byteLimit:
                return "The capture holds more than \((limit ?? 0) >> 20) MiB of TCP payload; \(count) later bytes were not read."
            case .midConnection: return "\(name): the capture starts in the middle of this connection"
            case .missingBytes: return "\(name): \(count) bytes missing at stream offset \(offset ?? 0)"
            case .streamLimit: return "\(name): more than \(limit ?? 0) bytes in one direction; the rest was not kept"
            case .unparsed: return "\(name): \(reason ?? "unreadable")"
            case .eventLimit:
                return "More than \(limit ?? 0) \(reason ?? "UDP") packets; \(count) later ones were not read."
            case .otherClientLimit:
                return
                    "More than \(limit ?? 0) \(reason ?? "UDP") packets of clients not known as phones when read; \(count) later ones were not kept."
            case .otherConnections:
                let connections = limit ?? 0
                return
                    "\(count) gap\(count == 1 ? "" : "s") in \(connections) connection\(connections == 1 ? "" : "s") of clients that are not phones (not listed one by one)."
            }
        case (_, .dnsOrder(let seen, let expected, let device, let source)):
            return
                "The phone asked \(seen.joined(separator: ", ")) in that order; the device data for \(device) expects \(expected.joined(separator: ", ")) (\(source ?? "no source"))."
        case (_, .tlsAlert(let endpoint, _, _, let alertName, true, let device, let trusted, let findings, _)):
            return trusted == true
                ? "The phone refused \(endpoint)'s chain with \(alertName), but cxcert finds it trusted for \(device): the certificate does not explain the alert (the device data may be wrong for this build, or the cause lies elsewhere: a root downloaded before the capture, a reset store)."
                : "The phone refused \(endpoint)'s chain with \(alertName); cxcert's verdict for \(device) explains it: \(findings.joined(separator: ", "))."
        case (_, .tlsAlert(let host, let port, _, let alertName, false, _, _, _, _)):
            return "\(host):\(port) refused the phone's handshake (alert \(alertName))."
        default:
            return "\(finding.code.rawValue)."
        }
    }

    /// The fix, specific enough to act on.
    public func remedy(for finding: Finding) -> String {
        let words = finding.vocabulary
        switch (finding.code, self) {
        case (_, .captureDamage):
            return "Read what the file holds up to that point; take a new capture if more is needed."
        case (_, .captureGap(let gap, _, _, _, _, _)):
            switch gap {
            case .snapLength: return "Capture with a full snap length (tcpdump -s 0)."
            case .flowLimit, .eventLimit, .otherClientLimit: return "Filter the capture to the phones (tcpdump host PHONE)."
            case .byteLimit:
                return "Filter the capture to the phones and the ports that matter (tcpdump host PHONE and port 389 or 80 or 443 or 5061)."
            case .otherConnections:
                return "None needed for the phones; to leave these out, filter the capture to the phones (tcpdump host PHONE)."
            case .midConnection, .missingBytes, .streamLimit, .unparsed:
                return "Start the capture before the phone connects, and capture with tcpdump -s 0."
            }
        case (_, .dnsOrder):
            let data = if case .command = words { "(--device-data)" } else { "(in the device data)" }
            return "If the capture is right, correct the registrarLookup row for this build \(data) and tell the cxcert maintainers."
        case (_, .tlsAlert(_, _, _, _, true, _, let trusted, _, _)):
            return trusted == true
                ? "Check the phone's build and its downloaded roots (reset it to clear them)."
                : "See the chain's findings in this step for the fix."
        case (_, .tlsAlert(let host, let port, _, _, false, _, _, _, let suites)):
            return "Allow TLS 1.0 and one of the phone's suites (\(suites.joined(separator: ", "))) on \(host):\(port)."
        default:
            return "See the message."
        }
    }
}
