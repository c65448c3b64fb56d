#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// getaddrinfo on the name-lookup executor: the caller waits only until its deadline (a resolver that hangs
/// keeps one of that executor's threads, never the command).
package enum AddressLookup {
    /// The addresses a name resolved to, or why it did not.
    package struct Answer: Sendable {
        /// Socket addresses (`sockaddr_in` or `sockaddr_in6` bytes), in the resolver's order.
        package var list: [Data] = []
        /// getaddrinfo's reason when the name did not resolve.
        package var failure: String?
    }

    /// Resolves `host` for a TCP connection to `port`, waiting until `deadline` at most.
    /// - Parameters:
    ///   - host: A name or a literal address.
    ///   - port: The TCP port.
    ///   - deadline: When to stop waiting.
    /// - Returns: The answer, or `nil` when none came before the deadline.
    package static func resolve(host: String, port: Int, until deadline: Date) -> Answer? {
        try? BlockingExecutor.nameLookups.waitAbandoning(until: deadline) { lookUp(host: host, port: port) }
    }

    private static func lookUp(host: String, port: Int) -> Answer {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        var result = Answer()
        guard rc == 0 else {
            result.failure = String(cString: gai_strerror(rc))
            return result
        }
        var current = list
        while let item = current {
            if let address = item.pointee.ai_addr {
                result.list.append(Data(bytes: address, count: Int(item.pointee.ai_addrlen)))
            }
            current = item.pointee.ai_next
        }
        freeaddrinfo(list)
        return result
    }
}
