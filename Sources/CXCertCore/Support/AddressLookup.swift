import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// getaddrinfo on a helper thread: the caller waits only until its deadline (a resolver that hangs
/// keeps its thread, never the command).
package final class AddressLookup: @unchecked Sendable {
    package struct Answer {
        package var list: [Data] = []
        package var failure: String?
    }
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var answer: Answer?

    package init(host: String, port: Int) {
        DispatchQueue.global().async { [self] in
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_family = AF_UNSPEC
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, String(port), &hints, &list)
            var result = Answer()
            if rc != 0 {
                result.failure = String(cString: gai_strerror(rc))
            } else {
                var current = list
                while let item = current {
                    if let address = item.pointee.ai_addr {
                        result.list.append(Data(bytes: address, count: Int(item.pointee.ai_addrlen)))
                    }
                    current = item.pointee.ai_next
                }
                freeaddrinfo(list)
            }
            lock.withLock { answer = result }
            done.signal()
        }
    }

    package func wait(until deadline: Date) -> Answer? {
        let remaining = max(deadline.timeIntervalSinceNow, 0)
        guard done.wait(timeout: .now() + remaining) == .success else { return nil }
        return lock.withLock { answer }
    }
}
