import Foundation
import Synchronization
import Testing

@testable import CXCertCore
@testable import CXCertDiscovery

/// A latch a blocking job waits on; the test opens it.
private final class Latch: @unchecked Sendable {
    private let condition = NSCondition()
    private var open = false

    func wait() {
        condition.lock()
        while !open { condition.wait() }
        condition.unlock()
    }

    func release() {
        condition.lock()
        open = true
        condition.broadcast()
        condition.unlock()
    }

    var isOpen: Bool { condition.withLock { open } }
}

/// Jobs running now, and the most that ever ran at once.
private final class Tally: Sendable {
    let running = Mutex(0)
    let peak = Mutex(0)
}

/// Starts a job that holds one of the executor's threads until `latch` opens, and returns once it runs.
private func occupy(_ executor: BlockingExecutor, until latch: Latch) async -> Task<Void, Never> {
    let running = Latch()
    let task = Task {
        _ = try? await executor.run {
            running.release()
            latch.wait()
        }
    }
    while !running.isOpen { try? await Task.sleep(nanoseconds: 1_000_000) }
    return task
}

@Suite("The blocking executor: every blocking C call on one bounded pool")
struct BlockingExecutorTests {
    @Test("N blocking jobs run at most K at once, and each caller gets its own value")
    func bounded() async throws {
        let executor = BlockingExecutor(threads: 3, queueCapacity: 64)
        let tally = Tally()
        let values = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let value = try await executor.run {
                        let now = tally.running.withLock { count in
                            count += 1
                            return count
                        }
                        tally.peak.withLock { $0 = max($0, now) }
                        usleep(3_000)  // hold the thread so that others pile up if the bound leaks
                        tally.running.withLock { $0 -= 1 }
                        return index * 10
                    }
                    return (index, value)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(values.count == 24)
        #expect(values.allSatisfy { $0.value == $0.key * 10 })
        #expect((1...3).contains(tally.peak.withLock { $0 }))
    }

    @Test("a job still queued at its deadline is reported and never runs")
    func queuedPastDeadline() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        let latch = Latch()
        let blocker = await occupy(executor, until: latch)
        let ran = Latch()
        await #expect(throws: BlockingExecutor.Failure.deadlinePassed) {
            try await executor.run(deadline: Date().addingTimeInterval(0.05)) { ran.release() }
        }
        latch.release()
        await blocker.value
        // The thread is free again: a later job runs, and the expired one still has not.
        #expect(try await executor.run { 7 } == 7)
        #expect(!ran.isOpen)
    }

    @Test("a running job that cannot be interrupted is abandoned at its deadline; its caller does not wait for it")
    func abandoned() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        let latch = Latch()
        await #expect(throws: BlockingExecutor.Failure.deadlinePassed) {
            try await executor.run(deadline: Date().addingTimeInterval(0.05)) { latch.wait() }
        }
        // The caller resumed while the job still blocked.
        #expect(!latch.isOpen)
        latch.release()
        #expect(try await executor.run { "free" } == "free")
    }

    @Test("a running job is interrupted at its deadline, and its caller resumes only after the body returned, with its value")
    func interrupted() async throws {
        let executor = BlockingExecutor(threads: 2, queueCapacity: 8)
        let latch = Latch()
        let returned = Latch()
        let value = try await executor.run(deadline: Date().addingTimeInterval(0.05), atDeadline: .interrupt { latch.release() }) {
            latch.wait()
            returned.release()
            return "interrupted"
        }
        #expect(value == "interrupted")
        #expect(returned.isOpen)
    }

    @Test("a job that ends before its deadline gives its value, and its interrupt handler never runs")
    func inTime() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        let interrupted = Latch()
        let value = try await executor.run(deadline: Date().addingTimeInterval(30), atDeadline: .interrupt { interrupted.release() }) {
            "done"
        }
        #expect(value == "done")
        #expect(!interrupted.isOpen)
    }

    @Test("cancelling the caller's task drops a queued job, and a cancelled task submits nothing")
    func cancelled() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        let latch = Latch()
        let blocker = await occupy(executor, until: latch)
        let ran = Latch()
        let waiting = Task { try await executor.run { ran.release() } }
        try? await Task.sleep(nanoseconds: 20_000_000)
        waiting.cancel()
        await #expect(throws: BlockingExecutor.Failure.cancelled) { try await waiting.value }
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await executor.run { ran.release() }
        }
        await #expect(throws: BlockingExecutor.Failure.cancelled) { try await early.value }
        latch.release()
        await blocker.value
        #expect(try await executor.run { 1 } == 1)
        #expect(!ran.isOpen)
    }

    @Test("a full queue refuses the next job at once")
    func queueFull() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 1)
        let latch = Latch()
        let blocker = await occupy(executor, until: latch)
        let queued = Task { try await executor.run { 2 } }
        try? await Task.sleep(nanoseconds: 20_000_000)
        await #expect(throws: BlockingExecutor.Failure.queueFull(capacity: 1)) { try await executor.run { 3 } }
        latch.release()
        await blocker.value
        #expect(try await queued.value == 2)
    }

    @Test("a synchronous caller stops waiting at its deadline; a name lookup of a literal address answers")
    func synchronous() throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        let latch = Latch()
        #expect(throws: BlockingExecutor.Failure.deadlinePassed) {
            try executor.waitAbandoning(until: Date().addingTimeInterval(0.05)) { latch.wait() }
        }
        latch.release()
        #expect(try executor.waitAbandoning(until: Date().addingTimeInterval(30)) { 5 } == 5)
        let answer = try #require(AddressLookup.resolve(host: "127.0.0.1", port: 389, until: Date().addingTimeInterval(30)))
        #expect(answer.failure == nil)
        #expect(!answer.list.isEmpty)
    }

    // Timeouts are long and bounds loose: the machine is shared, and the test process's cooperative pool is often busy.
    @Test("a bounded call gets the time left when a thread takes it, never runs past its deadline, and is abandoned")
    func boundedCallShareOfTheDeadline() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 8)
        // Alone: the call gets its whole timeout (less what passed since).
        let alone = try await executor.bounded(timeout: 60) { $0 }
        #expect(alone > 30 && alone <= 60)
        // Queued behind a job that holds the only thread for 0.5 s: it gets what is left of its 60 s, not 60 s.
        let latch = Latch()
        let holder = await occupy(executor, until: latch)
        let release = Task {
            try? await Task.sleep(nanoseconds: 500_000_000)
            latch.release()
        }
        let queued = try await executor.bounded(timeout: 60) { $0 }
        #expect(queued < 59.6, "given \(queued) s after waiting at least 0.5 s of its 60 s")
        _ = await (holder.value, release.value)
        // Past an explicit deadline it never runs.
        let ran = Latch()
        await #expect(throws: BlockingExecutor.Failure.deadlinePassed) {
            try await executor.bounded(timeout: 5, until: Date().addingTimeInterval(-1)) { _ in ran.release() }
        }
        #expect(!ran.isOpen)
        // A call that overruns its deadline is abandoned: its caller hears the deadline passed while the body still
        // blocks (released after 60 s at the latest, when the caller would get its value if it had waited for it).
        let blocked = Latch()
        let unblock = Task {
            try? await Task.sleep(nanoseconds: 60_000_000_000)
            blocked.release()
        }
        await #expect(throws: BlockingExecutor.Failure.deadlinePassed) {
            try await executor.bounded(timeout: 0.2, grace: 0.3) { _ in
                blocked.wait()
                return true
            }
        }
        #expect(!blocked.isOpen)
        blocked.release()
        unblock.cancel()
    }

    @Test("a call the executor refuses (its queue is full) says so: the walk's notes do not blame the deadline")
    func refusedIsNotLate() async throws {
        let executor = BlockingExecutor(threads: 1, queueCapacity: 1)
        let latch = Latch()
        let holder = await occupy(executor, until: latch)
        try executor.start {}  // waits in the queue's one place
        await #expect(throws: BlockingExecutor.Failure.queueFull(capacity: 1)) { try await executor.bounded(timeout: 30) { $0 } }
        let session = BootSession(servers: [DNSServer(address: "127.0.0.1", port: 9)], timeout: 30, executor: executor)
        let time = await session.time(address: "127.0.0.1", port: 9)
        let asked = await session.ask("pool.example.com", .a)
        let reached = await session.reach(address: "127.0.0.1", port: 9)
        latch.release()
        await holder.value
        let refused = "not made: more than 1 blocking jobs were waiting"
        guard case .failure(let failure) = time else {
            Issue.record("time: \(time)")
            return
        }
        #expect(failure.description.contains(refused), "\(failure)")
        #expect(asked.count == 1 && asked.first?.1.answer == .skipped(refused), "\(asked)")
        #expect(reached?.description.contains(refused) == true, "\(String(describing: reached))")
        for note in [failure.description, reached?.description ?? ""] { #expect(!note.contains("deadline"), "\(note)") }
    }
}
