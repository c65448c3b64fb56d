#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A fixed, small pool of threads for blocking C calls (libldap, c-ares' waits, libpcap, blocking sockets and
/// OpenSSL handshakes), so that they never block Swift's cooperative pool and never start threads without bound.
///
/// Callers `await` ``run(deadline:atDeadline:_:)``: the job waits in a bounded queue for one of the threads, the
/// caller suspends until it ends. Deadlines need no timer thread: the waiting task sleeps until the deadline
/// and then expires the job. A job still queued at its deadline (or when its task is cancelled) never runs; a
/// running one is either abandoned (its caller resumes at once and the thread finishes the job alone: for calls
/// that cannot be interrupted, such as `getaddrinfo`) or interrupted (a handler, such as `shutdown(2)` of the
/// socket it blocks on, makes the call return, and the caller gets what it returned: the interrupted call's error).
package final class BlockingExecutor: @unchecked Sendable {
    /// Why a job gave no value.
    package enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The deadline passed before the job ended.
        case deadlinePassed
        /// The caller's task was cancelled before the job ended.
        case cancelled
        /// The queue already held `capacity` jobs waiting for a thread.
        case queueFull(capacity: Int)

        package var description: String {
            switch self {
            case .deadlinePassed: "the deadline passed"
            case .cancelled: "cancelled"
            case .queueFull(let capacity): "more than \(capacity) blocking jobs were waiting"
            }
        }
    }

    /// What happens to a job that is running when its deadline passes or its task is cancelled.
    package enum AtDeadline: Sendable {
        /// The caller resumes at once; the job runs to its end on its thread and its value is dropped. The body must
        /// own everything it touches.
        case abandon
        /// The handler runs (while the job is still running, never after) to make the blocked call return; the
        /// caller resumes when the body has returned, with what it returned (the body may use the caller's
        /// resources, and the handler's side effect tells the caller that the deadline passed).
        case interrupt(@Sendable () -> Void)
    }

    /// The executor every command shares for its blocking calls. The calls wait on the network, not the CPU, and a
    /// walk's abandoned call keeps its thread until its own timeout: with the walk's DNS, time, TLS and HTTP calls here
    /// beside LDAP's, 8 threads let a few silent servers queue a directory handshake past its deadline (seen in the
    /// integration tier). The bound caps how many threads can ever start, not how many run: they start as work arrives.
    package static let shared = BlockingExecutor(threads: 32, queueCapacity: 4_096)

    /// Name lookups only: `getaddrinfo` cannot be interrupted, so a resolver that never answers keeps a thread; it
    /// keeps one of these, never one of ``shared``'s.
    package static let nameLookups = BlockingExecutor(threads: 2, queueCapacity: 1_024)

    /// Threads at most.
    package let threadCount: Int
    /// Jobs that may wait for a thread at once.
    package let queueCapacity: Int

    private let condition = Condition()
    private var queue: [Job] = []
    private var started = 0
    private var idle = 0

    /// An executor that starts its threads as work arrives, up to `threads`, and keeps them.
    /// - Parameters:
    ///   - threads: Threads at most (at least one).
    ///   - queueCapacity: Jobs that may wait for a thread at once (at least one).
    package init(threads: Int, queueCapacity: Int) {
        threadCount = max(1, threads)
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Runs `body` on one of the threads and suspends the caller until it ends.
    /// - Parameters:
    ///   - deadline: When the caller stops waiting; `nil` for no deadline.
    ///   - atDeadline: What happens to the job if it is running at the deadline or when the task is cancelled.
    ///   - body: The blocking work.
    /// - Returns: What `body` returned.
    /// - Throws: ``Failure/deadlinePassed`` or ``Failure/cancelled`` when the job was still waiting (it never runs)
    ///   or, unless it is interrupted, still running; ``Failure/queueFull(capacity:)`` when too many jobs wait already.
    package func run<T: Sendable>(
        deadline: Date? = nil, atDeadline: AtDeadline = .abandon, _ body: @escaping @Sendable () -> T
    ) async throws(Failure) -> T {
        if Task.isCancelled { throw .cancelled }
        if let deadline, deadline.timeIntervalSinceNow <= 0 { throw .deadlinePassed }
        let outcome = Outcome<T>()
        let job = Job(policy: atDeadline, work: { outcome.deliver(.success(body())) }, fail: outcome.fail)
        let sleeper = deadline.map { deadline in
            Task { [self] in
                do {
                    try await Task.sleep(nanoseconds: UInt64(max(deadline.timeIntervalSinceNow, 0) * 1e9))
                } catch {
                    return
                }
                expire(job, .deadlinePassed)
            }
        }
        defer { sleeper?.cancel() }
        let result = await withTaskCancellationHandler {
            submit(job)
            return await outcome.value()
        } onCancel: {
            expire(job, .cancelled)
        }
        return try result.get()
    }

    /// Runs a blocking client call that bounds itself by the seconds it is given (a DNS question, an SNTP exchange, a
    /// handshake, an HTTP request): the one place where the network clients become async functions.
    ///
    /// When a thread takes the job, `body` gets the time left, at most `timeout` and never past `deadline`; the whole
    /// call, its wait for a thread included, ends by `deadline` (by default `timeout` from now), with `grace` more for
    /// the call to return before it is abandoned.
    /// - Parameters:
    ///   - timeout: Seconds the call may take once it runs.
    ///   - deadline: When the caller stops waiting; `nil` for `timeout` from now.
    ///   - grace: Seconds past `deadline` before a running call is abandoned (it owns what it touches).
    ///   - body: The blocking call, given the seconds it may take.
    /// - Returns: What `body` returned.
    /// - Throws: Why it gave nothing: ``Failure/deadlinePassed`` when it did not run in time or was abandoned,
    ///   ``Failure/cancelled``, or ``Failure/queueFull(capacity:)`` when it was refused (callers word these differently:
    ///   a refused question was never asked).
    package func bounded<T: Sendable>(
        timeout: TimeInterval, until deadline: Date? = nil, grace: TimeInterval = 1,
        _ body: @escaping @Sendable (TimeInterval) -> T
    ) async throws(Failure) -> T {
        let end = deadline ?? Date().addingTimeInterval(timeout)
        // A far deadline (a walk without one) needs no sleeper.
        let cutoff = end.timeIntervalSinceNow > 86_400 ? nil : end.addingTimeInterval(grace)
        let value = try await run(deadline: cutoff) { () -> T? in
            let left = min(timeout, end.timeIntervalSinceNow)
            return left > 0.01 ? body(left) : nil
        }
        guard let value else { throw .deadlinePassed }
        return value
    }

    /// Runs `body` on one of the threads and blocks the calling thread until it ends or `deadline` passes, when the
    /// job is abandoned. For synchronous callers that cannot await yet; never call it from one of this executor's
    /// own threads.
    /// - Parameters:
    ///   - deadline: When the caller stops waiting.
    ///   - body: The blocking work; it must own everything it touches.
    /// - Returns: What `body` returned.
    /// - Throws: ``Failure/deadlinePassed`` or ``Failure/queueFull(capacity:)``.
    package func waitAbandoning<T: Sendable>(until deadline: Date, _ body: @escaping @Sendable () -> T) throws(Failure) -> T {
        guard deadline.timeIntervalSinceNow > 0 else { throw .deadlinePassed }
        let outcome = Outcome<T>()
        let job = Job(policy: .abandon, work: { outcome.deliver(.success(body())) }, fail: outcome.fail)
        submit(job)
        if let result = outcome.wait(until: deadline) { return try result.get() }
        expire(job, .deadlinePassed)
        return try (outcome.wait(until: .distantFuture) ?? .failure(.deadlinePassed)).get()
    }

    /// Runs `body` on one of the threads without waiting for it: for long-running work that reports its own progress
    /// and end to its caller (the batch's validation workers), never for work a caller must be able to abandon.
    /// - Parameter body: The work; it must own everything it touches.
    /// - Throws: ``Failure/queueFull(capacity:)`` when too many jobs wait already (the body never runs).
    package func start(_ body: @escaping @Sendable () -> Void) throws(Failure) {
        let job = Job(policy: .abandon, work: body, fail: { _ in })
        guard submit(job) else { throw .queueFull(capacity: queueCapacity) }
    }

    /// Queues a job (false when the queue is full: the job has failed).
    @discardableResult
    private func submit(_ job: Job) -> Bool {
        condition.lock()
        guard job.state == .new else {
            condition.unlock()
            return true
        }
        guard queue.count < queueCapacity else {
            job.state = .ended
            condition.unlock()
            job.fail(.queueFull(capacity: queueCapacity))
            return false
        }
        job.state = .queued
        queue.append(job)
        if queue.count > idle && started < threadCount {
            started += 1
            // The walk's recursive readers and OpenSSL want more than a secondary thread's default 512 KiB.
            if !startThread(stackSize: 8 << 20, { [self] in work() }) { started -= 1 }
        }
        condition.signal()
        condition.unlock()
        return true
    }

    /// Ends a job that has not ended: a queued one is dropped, a running one abandoned or interrupted.
    private func expire(_ job: Job, _ failure: Failure) {
        condition.lock()
        switch job.state {
        case .new:
            // Cancelled before it was submitted: submit will see it ended.
            job.state = .ended
            condition.unlock()
            job.fail(failure)
        case .queued:
            queue.removeAll { $0 === job }
            job.state = .ended
            condition.unlock()
            job.fail(failure)
        case .running:
            switch job.policy {
            case .abandon:
                condition.unlock()
                job.fail(failure)
            case .interrupt(let handler):
                // Under the lock: the job cannot end meanwhile, so the handler never acts on resources it released.
                handler()
                condition.unlock()
            }
        case .ended:
            condition.unlock()
        }
    }

    private func work() {
        condition.lock()
        while true {
            while queue.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = queue.removeFirst()
            job.state = .running
            condition.unlock()
            job.work()
            condition.lock()
            job.state = .ended
        }
    }
}

/// One job, its state guarded by the executor's lock.
private final class Job: @unchecked Sendable {
    enum State { case new, queued, running, ended }
    var state = State.new
    let policy: BlockingExecutor.AtDeadline
    let work: @Sendable () -> Void
    let fail: @Sendable (BlockingExecutor.Failure) -> Void

    init(
        policy: BlockingExecutor.AtDeadline, work: @escaping @Sendable () -> Void,
        fail: @escaping @Sendable (BlockingExecutor.Failure) -> Void
    ) {
        self.policy = policy
        self.work = work
        self.fail = fail
    }
}

/// A job's result: the first one delivered wins, whether the caller is already waiting or not.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let condition = Condition()
    private var result: Result<T, BlockingExecutor.Failure>?
    private var continuation: CheckedContinuation<Result<T, BlockingExecutor.Failure>, Never>?

    func fail(_ failure: BlockingExecutor.Failure) { deliver(.failure(failure)) }

    func deliver(_ outcome: Result<T, BlockingExecutor.Failure>) {
        condition.lock()
        guard result == nil else {
            condition.unlock()
            return
        }
        result = outcome
        let waiting = continuation
        continuation = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume(returning: outcome)
    }

    func value() async -> Result<T, BlockingExecutor.Failure> {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let result {
                condition.unlock()
                continuation.resume(returning: result)
            } else {
                self.continuation = continuation
                condition.unlock()
            }
        }
    }

    /// Blocks until a result is delivered or `deadline` passes (then `nil`).
    func wait(until deadline: Date) -> Result<T, BlockingExecutor.Failure>? {
        condition.lock()
        defer { condition.unlock() }
        while result == nil {
            if !condition.wait(until: deadline) { break }
        }
        return result
    }
}
