import Foundation

@testable import CXCertCore
@testable import CXCertDiscovery

/// A DHCP server in a network namespace of its own, joined to the test's namespace by a veth pair:
/// `cxsN` (10.77.N.1, the server side) and `cxcN` (10.77.N.2, where cxcert asks as the phone). Nothing
/// else is connected, so no packet leaves the machine.
final class DHCPLab: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var next = 0

    let index: Int
    let namespace: String
    let lab: BootLab
    var clientInterface: String { "cxc\(index)" }
    var serverInterface: String { "cxs\(index)" }
    var serverAddress: String { "10.77.\(index).1" }
    var clientAddress: String { "10.77.\(index).2" }

    init() throws {
        index = Self.lock.withLock {
            Self.next += 1
            return Int(getpid()) % 150 + Self.next
        }
        namespace = "cxdhcp-\(getpid())-\(index)"
        lab = try BootLab()
        try? Shell.run(["ip", "netns", "del", namespace])
        try? Shell.run(["ip", "link", "del", clientInterface])
        try Shell.run(["ip", "netns", "add", namespace])
        try Shell.run(["ip", "link", "add", clientInterface, "type", "veth", "peer", "name", serverInterface])
        try Shell.run(["ip", "link", "set", serverInterface, "netns", namespace])
        try Shell.run(["ip", "addr", "add", "\(clientAddress)/24", "dev", clientInterface])
        try Shell.run(["ip", "link", "set", clientInterface, "up"])
        try inside(["ip", "addr", "add", "\(serverAddress)/24", "dev", serverInterface])
        try inside(["ip", "link", "set", serverInterface, "up"])
        try inside(["ip", "link", "set", "lo", "up"])
    }

    deinit { stop() }

    func stop() {
        lab.stop()
        try? Shell.run(["ip", "netns", "del", namespace])
        try? Shell.run(["ip", "link", "del", clientInterface])
    }

    func inside(_ arguments: [String]) throws { try Shell.run(["ip", "netns", "exec", namespace] + arguments) }

    /// dnsmasq in the server namespace: DHCP on the veth (and DNS on 10.77.N.1:53 when `dns` is true).
    func dnsmasq(_ lines: [String], dns: Bool = false) throws {
        let config =
            [
                "interface=\(serverInterface)", "bind-interfaces", "no-resolv", "no-hosts", dns ? "port=53" : "port=0",
                "dhcp-range=10.77.\(index).100,10.77.\(index).200,255.255.255.0,1h",
                "dhcp-leasefile=\(lab.directory.appendingPathComponent("leases").path)", "local=/contoso.com/", "local=/fabrikam.com/",
            ] + lines
        try lab.directory.write("dnsmasq-dhcp.conf", config.joined(separator: "\n") + "\n")
        try lab.launch([
            "ip", "netns", "exec", namespace, "dnsmasq", "--keep-in-foreground",
            "--conf-file=\(lab.directory.appendingPathComponent("dnsmasq-dhcp.conf").path)", "--user=root", "--log-facility=-",
            "--pid-file=\(lab.directory.appendingPathComponent("dnsmasq-dhcp.pid").path)",
        ]) { log in log.contains("DHCP, IP range") }
        Thread.sleep(forTimeInterval: 0.2)
    }

    /// ISC Kea in the server namespace, with `config` as its Dhcp4 object (interfaces and the subnet are added).
    func kea(_ config: [String: Any]) throws {
        var dhcp4 = config
        dhcp4["interfaces-config"] = ["interfaces": [serverInterface]]
        dhcp4["lease-database"] = ["type": "memfile", "persist": false]
        dhcp4["loggers"] = [["name": "kea-dhcp4", "output_options": [["output": "stdout"]], "severity": "INFO"]]
        var subnet = (dhcp4["subnet4"] as? [[String: Any]])?.first ?? [:]
        subnet["subnet"] = "10.77.\(index).0/24"
        subnet["pools"] = [["pool": "10.77.\(index).100 - 10.77.\(index).200"]]
        dhcp4["subnet4"] = [subnet]
        let data = try JSONSerialization.data(withJSONObject: ["Dhcp4": dhcp4], options: [.prettyPrinted])
        try lab.directory.write("kea.conf", data)
        try lab.launch(
            ["ip", "netns", "exec", namespace, "kea-dhcp4", "-c", lab.directory.appendingPathComponent("kea.conf").path],
            environment: [
                "KEA_PIDFILE_DIR": lab.directory.path, "KEA_LOCKFILE_DIR": lab.directory.path, "KEA_LOGGER_DESTINATION": "stdout",
            ]
        ) { log in log.contains("DHCP4_STARTED") }
        Thread.sleep(forTimeInterval: 0.2)
    }

    /// `lab_stub.py dhcp-raw` in the server namespace: an answer with exactly these option bytes.
    func rawServer(_ options: [String]) throws {
        let script = repositoryRoot.appendingPathComponent("Tests/CXCertTestSupport/lab_stub.py").path
        try lab.launch(["ip", "netns", "exec", namespace, "python3", script, "dhcp-raw", serverAddress, "67"] + options) { log in
            log.contains("67")
        }
    }

    func inform(timeout: TimeInterval = 1.5) throws -> DHCPExchange {
        try DHCPClient.inform(interface: clientInterface, timeout: timeout)
    }
}
