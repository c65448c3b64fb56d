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

/// A mutual-exclusion lock (a pthread mutex): what `NSLock` was, without full Foundation.
package final class Lock: @unchecked Sendable {
    /// The mutex, for ``Condition``'s waits.
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// An unlocked lock.
    package init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Takes the lock, waiting while another thread holds it.
    package func lock() { pthread_mutex_lock(mutex) }

    /// Releases the lock taken by ``lock()``.
    package func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    package func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A lock and a condition variable on it (a pthread mutex and cond): what `NSCondition` was, without full
/// Foundation. ``wait()`` and ``wait(until:)`` must be called holding the lock; both may wake spuriously.
package final class Condition: @unchecked Sendable {
    private let mutex = Lock()
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    /// An unlocked lock with no waiter.
    package init() {
        cond = .allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    /// Takes the lock, waiting while another thread holds it.
    package func lock() { mutex.lock() }

    /// Releases the lock.
    package func unlock() { mutex.unlock() }

    /// Runs `body` holding the lock.
    package func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T { try mutex.withLock(body) }

    /// Releases the lock, waits for a signal and takes the lock again.
    package func wait() { pthread_cond_wait(cond, mutex.mutex) }

    /// ``wait()`` until `deadline` (wall-clock time, as `NSCondition.wait(until:)`) at most.
    /// - Returns: False when the deadline passed without a signal.
    package func wait(until deadline: Date) -> Bool {
        let seconds = max(0, deadline.timeIntervalSince1970)
        let whole = seconds.rounded(.down)
        var time = timespec()
        // Dates beyond what time_t holds wait as long as it can.
        if whole >= Double(Int.max) {
            time.tv_sec = .max
        } else {
            time.tv_sec = .init(whole)
            time.tv_nsec = .init(min(999_999_999, ((seconds - whole) * 1_000_000_000).rounded(.down)))
        }
        return pthread_cond_timedwait(cond, mutex.mutex, &time) == 0
    }

    /// Wakes one waiter.
    package func signal() { pthread_cond_signal(cond) }

    /// Wakes every waiter.
    package func broadcast() { pthread_cond_broadcast(cond) }
}

/// Starts a detached thread that runs `body` (what `Thread`'s `start()` did, without full Foundation). Unnamed: tools
/// show the process's name, as they did for `Thread`'s longer names (glibc refuses names over 15 bytes).
/// - Parameters:
///   - stackSize: Its stack in bytes.
///   - body: The thread's work; the thread ends when it returns.
/// - Returns: False when no thread could be started (the body never runs).
@discardableResult
package func startThread(stackSize: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let start = Unmanaged.passRetained(ThreadStart(body: body))
    #if canImport(Darwin)
        var thread: pthread_t?
    #else
        var thread = pthread_t()
    #endif
    let rc = pthread_create(
        &thread, &attributes,
        { context in
            Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, start.toOpaque())
    guard rc == 0 else {
        start.release()
        return false
    }
    return true
}

/// What a thread started by ``startThread(stackSize:_:)`` runs, passed through `pthread_create`'s context.
private final class ThreadStart: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(body: @escaping @Sendable () -> Void) {
        self.body = body
    }
}
