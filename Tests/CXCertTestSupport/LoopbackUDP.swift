import Foundation

/// A UDP socket bound on a local IPv4 address (127.0.0.1 and an ephemeral port unless told): a silent peer, a catcher
/// that counts what reaches it, or one a test answers from by hand.
struct LoopbackUDP {
    let fd: Int32
    let port: Int

    /// Binds a new socket; throws when the address is not there to bind to.
    init(address host: String = "127.0.0.1", port wanted: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(wanted).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else {
            if fd >= 0 { _ = Glibc.close(fd) }
            throw Shell.Failure(description: "cannot bind a UDP socket on \(host):\(wanted): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// How many datagrams are waiting, read without blocking (and so taken).
    func received() -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 2048)
        while recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 0 { count += 1 }
        return count
    }

    func close() { _ = Glibc.close(fd) }
}
