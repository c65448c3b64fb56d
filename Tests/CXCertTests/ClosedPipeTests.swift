import Foundation
import Testing

@testable import CXCertTestSupport

/// A reader that went away (`cxcert ... | head -1`) ends the process the way a shell expects.
@Suite("A closed stdout or stderr")
struct ClosedPipeTests {

    /// Runs cxcert with stdout and stderr on a pipe whose reader is already closed.
    static func closedPipe(_ arguments: [String]) throws -> (exited: Int32?, signal: Int32?) {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        return try InputPathTests.spawn([CLI.binary.path] + arguments, environment: ["NO_COLOR": "1"], output: ends[1])
    }

    @Test(
        "a closed stdout or stderr ends the process by SIGPIPE, never SIGILL",
        arguments: [
            ["probe", "127.0.0.1:1", "127.0.0.1:47999", "--timeout", "2"], ["inspect", "/nonexistent"], ["truststore"],
            ["verify", "/dev/zero"], ["names", "--pool", "pool01.contoso.com", "--sip-domain", "contoso.com"],
        ])
    func closedPipes(arguments: [String]) throws {
        let ended = try Self.closedPipe(arguments)
        #expect(
            ended.signal == SIGPIPE, "\(arguments): exit \(String(describing: ended.exited)), signal \(String(describing: ended.signal))")
    }
}
