import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Why the phone's DHCP questions could not be asked.
public enum DHCPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No interface has this name.
    case noInterface(String)
    /// The interface has no IPv4 address to send an INFORM from.
    case noAddress(String)
    /// The socket needs a privilege cxcert lacks (root, `CAP_NET_RAW` or `CAP_NET_BIND_SERVICE`); the text says which.
    case permission(String)
    /// A socket call failed, or the server is not an IPv4 address; the text says how.
    case network(String)

    /// One line for the admin.
    public var description: String {
        switch self {
        case .noInterface(let name): "no network interface '\(name)'"
        case .noAddress(let name): "\(name) has no IPv4 address: a DHCPINFORM is sent from the address the phone already has"
        case .permission(let what): what
        case .network(let what): what
        }
    }
}

/// Asks as the phone asks: DHCPINFORMs from the interface's own address (option 60 `MS-UC-Client`, then
/// `CPE-OCPHONE`, then one without option 60 to see whether option 43 reaches every client), to the
/// broadcast address or one server, and collects every answer until the deadline.
public enum DHCPClient {
    /// Sends the phone's three DHCPINFORMs from `interface` and collects every answer until `timeout`.
    /// - Parameters:
    ///   - interface: The network interface to send from; it needs an IPv4 address.
    ///   - server: The IPv4 address of one DHCP server, or `nil` to broadcast.
    ///   - timeout: Seconds to collect answers; every answer that arrives before then is kept.
    /// - Returns: The answers, in arrival order (none when nobody answered).
    /// - Throws: ``DHCPClientError`` when the interface or socket cannot be used (binding port 68 needs privileges).
    public static func inform(interface: String, server: String? = nil, timeout: TimeInterval) throws(DHCPClientError) -> DHCPExchange {
        let (address, mac) = try identity(of: interface)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw .network("cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = interface.withCString { name in setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, socklen_t(strlen(name) + 1)) }
        guard bound == 0 else {
            throw errno == EPERM
                ? .permission("binding the socket to \(interface) needs root or CAP_NET_RAW")
                : .network("cannot bind to \(interface): \(String(cString: strerror(errno)))")
        }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = in_port_t(UInt16(68).bigEndian)
        local.sin_addr.s_addr = INADDR_ANY
        let rc = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            switch errno {
            case EACCES: throw .permission("binding UDP port 68 (the DHCP client port) needs root or CAP_NET_BIND_SERVICE")
            case EADDRINUSE:
                throw .network("UDP port 68 on \(interface) is taken (a DHCP client is running); stop it or use another interface")
            default: throw .network("cannot bind UDP port 68: \(String(cString: strerror(errno)))")
            }
        }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(67).bigEndian)
        guard inet_pton(AF_INET, server ?? "255.255.255.255", &target.sin_addr) == 1 else {
            throw .network("'\(server ?? "")' is not an IPv4 address")
        }
        if let server, let failure = routeFailure(to: target) {
            throw .network("cannot send the DHCPINFORM to \(server): \(String(cString: strerror(failure)))")
        }
        var pending: [UInt32: String?] = [:]
        let started = Date()
        for vendorClass in [DHCPExchange.ucVendorClass, DHCPExchange.vlanVendorClass, nil] {
            let xid = UInt32.random(in: 1...UInt32.max)
            pending[xid] = vendorClass
            let packet = DHCPMessage.inform(
                transactionID: xid, hardwareAddress: mac, clientAddress: address, vendorClass: vendorClass,
                requested: DHCPExchange.requestedOptions
            ).encoded()
            let sent = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard sent == packet.count else { throw .network("cannot send the DHCPINFORM: \(String(cString: strerror(errno)))") }
        }
        // Anyone on the segment can flood matching answers: the first ones of each server are kept, the rest counted.
        var answers = DHCPAnswerCollector()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = started.addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, remaining * 1000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var source = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0 else { continue }
            // A stranger's packet, or one that is not a reply to our questions, is skipped.
            guard let message = try? DHCPMessage(parsing: Array(buffer[0..<count])), message.op == 2,
                let vendorClass = pending[message.transactionID]
            else { continue }
            let from = DHCPOptionsReport.addresses(withUnsafeBytes(of: source.sin_addr.s_addr) { Array($0) }).first ?? "?"
            let identifier = DHCPOptionsReport.addresses(message.options[54]).first
            answers.add(
                DHCPAnswer(
                    server: identifier ?? from, vendorClass: vendorClass, message: message, elapsed: Date().timeIntervalSince(started)))
        }
        return DHCPExchange(interface: interface, clientAddress: address.map(String.init).joined(separator: "."), collector: answers)
    }

    /// Why the kernel has no route to `target`, or `nil` when it has one. The socket bound to the interface
    /// cannot tell: with `SO_BINDTODEVICE` the kernel takes any address as on the link, `sendto` succeeds, the
    /// ARP query goes unanswered and the ICMP error that follows arrives on loopback, which that socket never
    /// sees. So a second socket, bound to no device and sending nothing, asks the routing table by connecting;
    /// the socket that asks stays unconnected, so an answer relayed from another address is still read.
    static func routeFailure(to target: sockaddr_in) -> Int32? {
        let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard probe >= 0 else { return nil }
        defer { close(probe) }
        var target = target
        let rc = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc != 0 else { return nil }
        let failure = errno
        return [ENETUNREACH, EHOSTUNREACH].contains(failure) ? failure : nil
    }

    /// The interface's first IPv4 address and its hardware address (from getifaddrs, which sees the caller's
    /// network namespace; /sys may show another one).
    static func identity(of interface: String) throws(DHCPClientError) -> ([UInt8], [UInt8]) {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let list else { throw .network("cannot list the interfaces: \(String(cString: strerror(errno)))") }
        defer { freeifaddrs(list) }
        var address: [UInt8]?
        var hardware: [UInt8]?
        var seen = false
        var current: UnsafeMutablePointer<ifaddrs>? = list
        while let entry = current {
            current = entry.pointee.ifa_next
            guard String(cString: entry.pointee.ifa_name) == interface, let raw = entry.pointee.ifa_addr else { continue }
            seen = true
            switch Int32(raw.pointee.sa_family) {
            case AF_INET where address == nil:
                address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr.s_addr) { Array($0) }
                }
            case AF_PACKET:
                // struct sockaddr_ll: family(2) protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr[8].
                let bytes = UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self)
                let length = Int(bytes[11])
                if length == 6 { hardware = (0..<6).map { bytes[12 + $0] } }
            default: continue
            }
        }
        guard seen else { throw .noInterface(interface) }
        guard let address else { throw .noAddress(interface) }
        return (address, hardware ?? [UInt8](repeating: 0, count: 6))
    }
}
