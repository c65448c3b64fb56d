import CXCertCapture
import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The network clients as async functions: each runs its blocking call (c-ares' waits, a UDP socket) on the shared
// `BlockingExecutor` (`BlockingExecutor.bounded`), so async callers never block Swift's cooperative pool. The
// synchronous forms block their calling thread; they stay for synchronous callers (tools, tests' readiness checks).

extension DNSClient {
    /// Asks `server` for `name`/`type` on the shared blocking executor; never takes longer than `timeout` seconds,
    /// its wait for a thread included.
    /// - Parameters:
    ///   - name: The name asked.
    ///   - type: The record type asked.
    ///   - server: The server asked, and its port.
    ///   - timeout: Seconds for the whole question.
    /// - Returns: The answer; `timeout` when the question could not be asked in time.
    public static func query(_ name: String, type: DNSRecordType, server: DNSServer, timeout: TimeInterval) async -> DNSAnswer {
        await lookup(name, type: type, server: server, timeout: timeout).answer
    }

    /// Asks `server` for `name`/`type` on the shared blocking executor and keeps the CNAME records the answer went
    /// through; never takes longer than `timeout` seconds, its wait for a thread included.
    /// - Parameters:
    ///   - name: The name asked.
    ///   - type: The record type asked.
    ///   - server: The server asked, and its port.
    ///   - timeout: Seconds for the whole question.
    /// - Returns: The answer and its CNAME records; `timeout` when the question could not be asked in time, `failed`
    ///   when it was not asked at all (too many blocking calls were waiting).
    public static func lookup(_ name: String, type: DNSRecordType, server: DNSServer, timeout: TimeInterval) async -> DNSResponse {
        do throws(BlockingExecutor.Failure) {
            return try await BlockingExecutor.shared.bounded(timeout: timeout) { lookup(name, type: type, server: server, timeout: $0) }
        } catch .queueFull(let capacity) {
            return DNSResponse(answer: .failed("not asked: \(BlockingExecutor.Failure.queueFull(capacity: capacity))"))
        } catch {
            return DNSResponse(answer: .timeout)
        }
    }
}

extension SNTPClient {
    /// Asks `address:port` for the time on the shared blocking executor; never waits longer than `timeout`, its wait
    /// for a thread included.
    /// - Parameters:
    ///   - address: The server's IP address.
    ///   - port: The server's UDP port.
    ///   - timeout: Seconds for the whole exchange.
    /// - Returns: The server's answer, or why there is none.
    public static func query(address: String, port: Int = 123, timeout: TimeInterval) async -> Result<SNTPResponse, SNTPError> {
        do throws(BlockingExecutor.Failure) {
            return try await BlockingExecutor.shared.bounded(timeout: timeout) { query(address: address, port: port, timeout: $0) }
        } catch .queueFull(let capacity) {
            return .failure(.network("not sent: \(BlockingExecutor.Failure.queueFull(capacity: capacity))"))
        } catch {
            return .failure(.timeout(seconds: timeout))
        }
    }
}

extension DHCPClient {
    /// Sends the phone's three DHCPINFORMs from `interface` on the shared blocking executor and collects every answer
    /// until `timeout` (counted from the call).
    /// - Parameters:
    ///   - interface: The network interface to send from; it needs an IPv4 address.
    ///   - server: The IPv4 address of one DHCP server, or `nil` to broadcast.
    ///   - timeout: Seconds to collect answers; every answer that arrives before then is kept.
    /// - Returns: The answers, in arrival order (none when nobody answered).
    /// - Throws: ``DHCPClientError`` when the interface or socket cannot be used, or when no thread took the
    ///   questions before `timeout`.
    public static func inform(interface: String, server: String? = nil, timeout: TimeInterval) async throws(DHCPClientError)
        -> DHCPExchange
    {
        let outcome: Result<DHCPExchange, DHCPClientError>
        do throws(BlockingExecutor.Failure) {
            outcome = try await BlockingExecutor.shared.bounded(timeout: timeout) { left in
                Result { () throws(DHCPClientError) in try inform(interface: interface, server: server, timeout: left) }
            }
        } catch .queueFull(let capacity) {
            throw .network("the DHCPINFORMs were not sent: \(BlockingExecutor.Failure.queueFull(capacity: capacity))")
        } catch {
            throw .network("the DHCPINFORMs were not sent within \(SNTPError.seconds(timeout))")
        }
        return try outcome.get()
    }
}

extension CaptureReader {
    /// Reads the capture files (libpcap) and rebuilds each phone's trace on the shared blocking executor, so the
    /// reading never blocks Swift's cooperative pool.
    /// - Parameter paths: The capture files, read in order as one capture.
    /// - Returns: What the synchronous ``read(paths:)`` returns.
    /// - Throws: What the synchronous ``read(paths:)`` throws; ``/CXCertCapture/CaptureError/unreadable(_:reason:)``
    ///   when the executor did not run the reading (the task was cancelled, or too many jobs were waiting).
    public func read(paths: [String]) async throws(CaptureError) -> CaptureReport {
        let outcome: Result<CaptureReport, CaptureError>
        do {
            outcome = try await BlockingExecutor.shared.run { [self] in
                Result { () throws(CaptureError) in try read(paths: paths) }
            }
        } catch {
            throw .unreadable(paths.joined(separator: ", "), reason: "not read: \(error)")
        }
        return try outcome.get()
    }
}
