import Foundation
import Testing

@testable import CXCertTestSupport

/// The test suite's one process runner: deadlines that hold, streams that never block, every child reaped.
@Suite("ChildProcess: the runner every test starts programs with")
struct ChildProcessTests {
    /// True while `pid` exists, as a running process or as a zombie nobody reaped.
    static func exists(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// True while `pid` runs: a killed grandchild is init's to reap, so its zombie does not count.
    static func running(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let state = stat.split(separator: ")").last?.split(separator: " ").first
        else { return false }
        return state != "Z"
    }

    /// Waits up to five seconds for `pid` to stop running.
    static func ends(_ pid: pid_t) -> Bool {
        for _ in 0..<250 where running(pid) { usleep(20_000) }
        return !running(pid)
    }

    @Test("a child that never exits ends at its deadline, with its process group, and the failure says what and how long")
    func deadline() throws {
        let marker = try makeTemporaryDirectory("deadline").appendingPathComponent("grandchild.pid")
        let started = ContinuousClock.now
        let error = #expect(throws: ChildProcess.Failure.self) {
            // The grandchild writes its pid and sleeps too: the whole group must go, not only the shell.
            try ChildProcess.run(
                ["sh", "-c", "sleep 1000 & echo $! > \(marker.path); echo still working; wait"], deadline: .milliseconds(800))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(5), "the deadline held: \(elapsed)")
        let description = try #require(error).description
        #expect(description.contains("sh -c 'sleep 1000 &"), "the command line: \(description)")
        #expect(description.contains("deadline"), "\(description)")
        #expect(description.contains("seconds"), "the elapsed time: \(description)")
        #expect(description.contains("still working"), "the tail of its output: \(description)")
        let grandchild = try #require(Int32(String(contentsOf: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.ends(grandchild), "the grandchild \(grandchild) was killed with the group")
    }

    @Test("many short children at once are all reaped: no zombie is left behind")
    func manyChildren() async throws {
        let pids = try await withThrowingTaskGroup(of: [pid_t].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try (0..<12).map { index in
                        let outcome = try ChildProcess.run(["sh", "-c", "echo $$; exit \(index % 3)"], deadline: .seconds(60))
                        #expect(outcome.termination == .exited(Int32(index % 3)))
                        return try #require(
                            Int32(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(pids.count == 96)
        let left = pids.filter(Self.exists)
        #expect(left.isEmpty, "not reaped: \(left)")
    }

    @Test("a chatty child on both streams and a large standard input never block; the capture is whole")
    func chatty() throws {
        let both = try ChildProcess.run(["sh", "-c", "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2"], deadline: .seconds(60))
        #expect(both.stdout.count == 3_000_000)
        #expect(both.stderr.count == 2_000_000)
        let input = [UInt8]((0..<4_000_000).map { UInt8(truncatingIfNeeded: $0) })
        let echoed = try ChildProcess.run(["cat"], input: input, deadline: .seconds(60))
        #expect(echoed.stdout == input)
        // A child that never reads its input still ends; the writer gets EPIPE, not SIGPIPE.
        let ignoring = try ChildProcess.run(["true"], input: input, deadline: .seconds(60))
        #expect(ignoring.termination == .exited(0))
    }

    @Test("a child that leaves a grandchild holding its pipes is done when it exits, not when the grandchild is")
    func grandchildHoldsPipes() throws {
        let started = ContinuousClock.now
        let outcome = try ChildProcess.run(["sh", "-c", "sleep 30 & echo $!"], deadline: .seconds(20))
        #expect(ContinuousClock.now - started < .seconds(10))
        let grandchild = try #require(
            Int32(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(grandchild, SIGKILL)
    }

    @Test("a server is stopped with its process group by stop(), and by being released")
    func servers() throws {
        func start() throws -> (ChildProcess.Running, pid_t) {
            let child = try ChildProcess.start(["sh", "-c", "sleep 1000 & echo $!; wait"])
            let grandchild: pid_t = try child.awaitLine { Int32($0) }
            return (child, grandchild)
        }
        let (server, grandchild) = try start()
        server.stop()
        #expect(!Self.exists(server.pid), "the server was reaped")
        #expect(Self.ends(grandchild))

        var released: (pid: pid_t, grandchild: pid_t) = (0, 0)
        do {
            let (child, grandchild) = try start()
            released = (child.pid, grandchild)
        }
        #expect(!Self.exists(released.pid))
        #expect(Self.ends(released.grandchild))
    }

    @Test("a server that exits before it is ready fails with its output, at once")
    func notReady() throws {
        let server = try ChildProcess.start(["sh", "-c", "echo cannot bind; exit 3"])
        let error = #expect(throws: ChildProcess.Failure.self) { try server.awaitReady(within: .seconds(30)) { $0.contains("ready") } }
        #expect(try #require(error).description.contains("cannot bind"))
        #expect(server.exited == .exited(3))
    }

    @Test("Scripts/watchdog ends a run that stops making progress, names the tests still running, and fails")
    func watchdog() throws {
        let script = repositoryRoot.appendingPathComponent("Scripts/watchdog").path
        let lines = [
            "◇ Test \\\"finishes\\\" started.", "✔ Test \\\"finishes\\\" passed after 0.1 seconds.", "◇ Test hangs(arguments:) started.",
            "◇ Test \\\"also [hangs]\\\" started.",
        ]
        let started = ContinuousClock.now
        let hung = try ChildProcess.run(
            [script, "1", "sh", "-c", lines.map { "echo \"\($0)\"" }.joined(separator: "; ") + "; sleep 1000"], deadline: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(hung.termination == .exited(124))
        let report = String(decoding: hung.stderr, as: UTF8.self)
        #expect(report.contains("2 test(s) had started and not finished"), "\(report)")
        #expect(report.contains("hangs(arguments:)") && report.contains("\"also [hangs]\""), "\(report)")
        #expect(!report.contains("finishes"), "\(report)")
        let finished = try ChildProcess.run([script, "5", "sh", "-c", "echo done; exit 3"], deadline: .seconds(30))
        #expect(finished.termination == .exited(3))
        #expect(String(decoding: finished.stdout, as: UTF8.self) == "done\n")
    }
}
