import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way tests start a program: `posix_spawn` + `waitpid` on the child's own pid, every child in a
/// process group of its own under a deadline.
///
/// Why not Foundation's `Process`: on Linux it learns of exits from a SIGCHLD dispatch source, and on this
/// two-core machine, with many children at once, it missed exits and `waitUntilExit()` waited for ever on a
/// zombie. swift-subprocess reaps reliably, but it is async-only, and its teardown at a deadline signals the
/// child rather than its process group, so a shell's grandchildren outlive it. Here the thread that waits
/// asks the kernel about this one pid (`waitpid(pid, WNOHANG)` between `poll`s of the child's pipes), so an
/// exit cannot be missed, whoever else reaps; and every descriptor is opened close-on-exec, so a sibling
/// started at the same moment cannot inherit (and hold open) another child's pipe.
enum ChildProcess {
    /// How a child ended.
    enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        init(waitStatus status: Int32) {
            let signal = status & 0x7F
            self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        }

        var description: String {
            switch self {
            case .exited(let code): "exited \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Where a child's standard output or error goes.
    enum Sink: Sendable {
        /// Kept in memory, at most `ChildProcess.captureLimit` bytes (the rest is read and dropped).
        case capture
        /// Appended to a file.
        case file(URL)
        /// An open descriptor of the caller's, duplicated into the child.
        case descriptor(Int32)
        /// /dev/null.
        case discard
    }

    /// What a finished child left.
    struct Outcome: Sendable {
        let command: [String]
        let termination: Termination
        let stdout: [UInt8]
        let stderr: [UInt8]
        let elapsed: Duration

        /// The exit status, or 128 + the signal, as a shell reports it.
        var status: Int32 {
            switch termination {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
    }

    /// A child that could not start, outlived its deadline, or never became ready: the command line, the
    /// elapsed time and the tail of what it printed.
    struct Failure: Error, CustomStringConvertible {
        enum Reason: Sendable {
            case couldNotStart(errno: Int32)
            case deadline(Duration)
            case notReady(Termination?)
        }

        let command: [String]
        let reason: Reason
        let elapsed: Duration
        let outputTail: String

        var description: String {
            let line = command.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
            let what: String
            switch reason {
            case .couldNotStart(let code): what = "could not start: \(String(cString: strerror(code)))"
            case .deadline(let limit): what = "still running at its \(limit) deadline; its process group was killed"
            case .notReady(let ended?): what = "never became ready (\(ended))"
            case .notReady(nil): what = "never became ready; its process group was killed"
            }
            return "\(line): \(what) after \(elapsed); last output:\n\(outputTail)"
        }
    }

    /// The most a capture keeps per stream; a chatty child is still read to its end, so it never blocks.
    static let captureLimit = 64 << 20
    /// How much of the output a failure quotes.
    static let tailLength = 2_000
    /// How long a finished child's pipes may stay open (held by a grandchild it left behind) before we stop reading.
    static let drainGrace: Duration = .seconds(2)

    /// Runs `arguments` (the program is looked up on PATH) to its end or to `deadline`, whichever is first.
    ///
    /// - Parameters:
    ///   - arguments: the program and its arguments.
    ///   - directory: the working directory, or the caller's.
    ///   - environment: the child's whole environment, or the caller's.
    ///   - input: written to standard input, which is then closed; /dev/null when nil.
    ///   - stdout: where standard output goes.
    ///   - stderr: where standard error goes.
    ///   - deadline: how long the child may run before its process group is killed and this throws.
    /// - Returns: how it ended and what it printed.
    /// - Throws: ``Failure`` when it cannot start or outlives `deadline`.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil, input: [UInt8]? = nil,
        stdout: Sink = .capture, stderr: Sink = .capture, deadline: Duration = .seconds(180)
    ) throws(Failure) -> Outcome {
        let started = ContinuousClock.now
        let child = try spawn(arguments, in: directory, environment: environment, input: input != nil, stdout: stdout, stderr: stderr)
        var streams = [Stream(fd: child.stdout), Stream(fd: child.stderr)]
        var pending = input.map { ArraySlice($0) } ?? []
        var stdin = child.stdin
        var status: Int32 = 0
        var exited: ContinuousClock.Instant?
        defer {
            for stream in streams where stream.fd >= 0 { close(stream.fd) }
            if stdin >= 0 { close(stdin) }
        }
        while true {
            let now = ContinuousClock.now
            if exited == nil, waitpid(child.pid, &status, WNOHANG) == child.pid { exited = now }
            let open = streams.contains { $0.fd >= 0 }
            if let exited, !open || now - exited > drainGrace { break }
            if exited == nil, now - started > deadline {
                killGroup(child.pid)
                reap(child.pid)
                throw Failure(command: arguments, reason: .deadline(deadline), elapsed: now - started, outputTail: tail(streams))
            }
            // Short polls: an exit is noticed within 20 ms even while the pipes stay quiet.
            var fds = streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 20)
            for index in streams.indices where streams[index].fd >= 0 && fds[index].revents != 0 {
                streams[index].drain()
            }
            if stdin >= 0, let last = fds.last, last.revents != 0 {
                if !pending.isEmpty {
                    let written = pending.withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
                    if written > 0 { pending = pending.dropFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR { pending = [] }
                }
                if pending.isEmpty || last.revents & Int16(POLLERR | POLLHUP) != 0 {
                    close(stdin)
                    stdin = -1
                }
            }
        }
        Registry.shared.remove(child.pid)
        Registry.shared.log(arguments, ContinuousClock.now - started)
        return Outcome(
            command: arguments, termination: Termination(waitStatus: status), stdout: streams[0].bytes, stderr: streams[1].bytes,
            elapsed: ContinuousClock.now - started)
    }

    /// Starts a long-lived child (a server) whose standard output and error go to `log` and to a watcher that
    /// keeps the most recent output; it is killed, with its process group, by ``Running/stop()``, when the
    /// ``Running`` value is released, when `lifetime` passes, or when the test process exits.
    ///
    /// - Parameters:
    ///   - arguments: the program and its arguments.
    ///   - directory: the working directory, or the caller's.
    ///   - environment: the child's whole environment, or the caller's.
    ///   - log: a file that receives everything it prints.
    ///   - lifetime: the longest it may run.
    /// - Returns: the running child.
    /// - Throws: ``Failure`` when it cannot start.
    static func start(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil, log: URL? = nil,
        lifetime: Duration = .seconds(900)
    ) throws(Failure) -> Running {
        var ends: [Int32] = [-1, -1]
        guard glibc.pipe2(&ends, O_CLOEXEC) == 0 else {
            throw Failure(command: arguments, reason: .couldNotStart(errno: errno), elapsed: .zero, outputTail: "")
        }
        let child: Spawned
        do {
            child = try spawn(
                arguments, in: directory, environment: environment, input: false, stdout: .descriptor(ends[1]),
                stderr: .descriptor(ends[1]))
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        return Running(command: arguments, pid: child.pid, output: ends[0], log: log, lifetime: lifetime)
    }

    /// A child started by ``start(_:in:environment:log:lifetime:)``; one watcher thread reads its output,
    /// reaps it and enforces its lifetime. Releasing it stops the child.
    final class Running: Sendable {
        let command: [String]
        let pid: pid_t
        private let watcher: Watcher

        fileprivate init(command: [String], pid: pid_t, output fd: Int32, log: URL?, lifetime: Duration) {
            self.command = command
            self.pid = pid
            let logHandle = log.flatMap { url -> FileHandle? in
                if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
                let handle = try? FileHandle(forWritingTo: url)
                _ = try? handle?.seekToEnd()
                return handle
            }
            // The thread holds the watcher, not this value, so releasing this value still stops the child.
            let watcher = Watcher(pid: pid)
            self.watcher = watcher
            Thread { watcher.watch(fd, log: logHandle, lifetime: lifetime) }.start()
        }

        deinit { stop() }

        /// Everything it printed so far (the last MiB).
        var printed: String { watcher.printed }

        /// How it ended, or nil while it runs.
        var exited: Termination? { watcher.exited }

        /// Waits until `ready` holds for what it printed, checking every 20 ms; kills it and throws when it
        /// exits first or `within` passes.
        ///
        /// - Parameters:
        ///   - within: how long it may take.
        ///   - ready: true once the child is ready, given its output so far.
        /// - Throws: ``Failure`` when it exits or times out first.
        func awaitReady(within: Duration = .seconds(10), _ ready: (String) -> Bool) throws(Failure) {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < within {
                if ready(printed) { return }
                if let ended = exited { throw failure(.notReady(ended), since: started) }
                usleep(20_000)
            }
            if ready(printed) { return }
            stop()
            throw failure(.notReady(nil), since: started)
        }

        /// The first line of its output that `parse` accepts, waiting as ``awaitReady(within:_:)`` does.
        ///
        /// - Parameters:
        ///   - within: how long it may take.
        ///   - parse: a value from one complete line, or nil.
        /// - Returns: the value.
        /// - Throws: ``Failure`` when it exits or times out first.
        func awaitLine<Value>(within: Duration = .seconds(10), _ parse: (String) -> Value?) throws(Failure) -> Value {
            var found: Value?
            try awaitReady(within: within) { text in
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    if let value = parse(String(line)) {
                        found = value
                        return true
                    }
                }
                return false
            }
            return found!
        }

        /// Sends `signal` to the child alone (not its group) and waits up to `seconds` for it to end.
        ///
        /// - Parameters:
        ///   - signal: the signal.
        ///   - seconds: how long to wait.
        /// - Returns: how it ended, or nil when it is still running.
        @discardableResult
        func signal(_ signal: Int32, waitingUpTo seconds: Double = 5) -> Termination? {
            if exited == nil { kill(pid, signal) }
            return watcher.wait(seconds: seconds)
        }

        /// Kills its process group and waits (at most ten seconds) until it is reaped; safe to call more than once.
        func stop() {
            if exited == nil { ChildProcess.killGroup(pid) }
            // The watcher reaps within 50 ms of the kill; wait for it so no zombie outlives the test.
            _ = watcher.wait(seconds: 10)
        }

        private func failure(_ reason: Failure.Reason, since: ContinuousClock.Instant) -> Failure {
            Failure(
                command: command, reason: reason, elapsed: ContinuousClock.now - since,
                outputTail: String(printed.suffix(ChildProcess.tailLength)))
        }
    }

    /// The state a running child's watcher thread keeps.
    fileprivate final class Watcher: @unchecked Sendable {
        let pid: pid_t
        private let started = ContinuousClock.now
        private let lock = NSLock()
        private let ended = DispatchSemaphore(value: 0)
        private var output = Stream(fd: -1)
        private var termination: Termination?

        init(pid: pid_t) { self.pid = pid }

        var printed: String { lock.withLock { String(decoding: output.bytes, as: UTF8.self) } }
        var exited: Termination? { lock.withLock { termination } }

        func wait(seconds: Double) -> Termination? {
            // Signalled again at once, so every waiter (and every later one) sees the end.
            if ended.wait(timeout: .now() + seconds) == .success { ended.signal() }
            return exited
        }

        func watch(_ fd: Int32, log: FileHandle?, lifetime: Duration) {
            var stream = Stream(fd: fd, keep: 1 << 20)
            var status: Int32 = 0
            var exit: Termination?
            while exit == nil {
                if waitpid(pid, &status, WNOHANG) == pid {
                    exit = Termination(waitStatus: status)
                    // What it left in the pipe is read; a grandchild that still holds the pipe is not waited for.
                    var fds = [pollfd(fd: stream.fd, events: Int16(POLLIN), revents: 0)]
                    while stream.fd >= 0, poll(&fds, 1, 0) > 0 { stream.drain(copyTo: log) }
                    break
                }
                if ContinuousClock.now - started > lifetime { ChildProcess.killGroup(pid) }
                var fds = [pollfd(fd: stream.fd, events: Int16(POLLIN), revents: 0)]
                if stream.fd >= 0 {
                    if poll(&fds, 1, 50) > 0 {
                        stream.drain(copyTo: log)
                        lock.withLock { output = stream.snapshot }
                    }
                } else {
                    usleep(50_000)
                }
            }
            if stream.fd >= 0 { close(stream.fd) }
            try? log?.close()
            Registry.shared.remove(pid)
            lock.withLock {
                output = stream.snapshot
                termination = exit
            }
            ended.signal()
        }
    }

    // MARK: - spawning

    private struct Spawned {
        let pid: pid_t
        let stdin: Int32
        let stdout: Int32
        let stderr: Int32
    }

    private static func spawn(
        _ arguments: [String], in directory: URL?, environment: [String: String]?, input: Bool, stdout: Sink, stderr: Sink
    ) throws(Failure) -> Spawned {
        _ = setUp
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        func fail(_ code: Int32) -> Failure {
            for fd in parentEnds + childEnds { close(fd) }
            return Failure(command: arguments, reason: .couldNotStart(errno: code), elapsed: .zero, outputTail: "")
        }
        // Every pipe is close-on-exec: only the dup2'd copies reach this child, and no sibling inherits them.
        func pipeEnds() -> (read: Int32, write: Int32)? {
            var ends: [Int32] = [-1, -1]
            guard glibc.pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
            return (ends[0], ends[1])
        }
        var stdinEnd: Int32 = -1
        if input {
            guard let ends = pipeEnds() else { throw fail(errno) }
            parentEnds.append(ends.write)
            childEnds.append(ends.read)
            stdinEnd = ends.write
            _ = fcntl(ends.write, F_SETFL, fcntl(ends.write, F_GETFL) | O_NONBLOCK)
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        var outputEnds: [Int32] = [-1, -1]
        for (index, sink) in [stdout, stderr].enumerated() {
            let target = Int32(index + 1)
            switch sink {
            case .capture:
                guard let ends = pipeEnds() else { throw fail(errno) }
                parentEnds.append(ends.read)
                childEnds.append(ends.write)
                outputEnds[index] = ends.read
                _ = fcntl(ends.read, F_SETFL, fcntl(ends.read, F_GETFL) | O_NONBLOCK)
                posix_spawn_file_actions_adddup2(&actions, ends.write, target)
            case .file(let url):
                posix_spawn_file_actions_addopen(&actions, target, url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        if let directory { _ = glibc.addchdir(&actions, directory.path) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (so a deadline kills its children too), no blocked signals, and every signal at its
        // default: the test process ignores SIGPIPE, and an ignored signal would be inherited across exec.
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        // posix_spawnp looks the program up on the caller's PATH, whatever environment the child gets.
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        for fd in childEnds { close(fd) }
        childEnds = []
        guard spawned == 0 else { throw fail(spawned) }
        Registry.shared.add(pid)
        return Spawned(pid: pid, stdin: stdinEnd, stdout: outputEnds[0], stderr: outputEnds[1])
    }

    /// Two GNU functions the Glibc module does not export (they need _GNU_SOURCE), looked up once: `pipe2`
    /// makes both ends close-on-exec atomically (a `pipe` then `fcntl` leaves a window in which a sibling
    /// spawned by another thread inherits the pipe and holds it open), and `addchdir_np` sets the child's
    /// working directory without changing ours.
    private static let glibc = (
        pipe2: unsafeBitCast(
            dlsym(nil, "pipe2")!,  // RTLD_DEFAULT
            to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self),
        addchdir: unsafeBitCast(
            dlsym(nil, "posix_spawn_file_actions_addchdir_np")!,
            to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    )

    /// SIGKILL to the child's process group (the child leads it) and to the child itself.
    static func killGroup(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }

    private static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        Registry.shared.remove(pid)
    }

    private static let setUp: Void = {
        // A child that closes its standard input early must be an EPIPE for the writer here, not our death.
        signal(SIGPIPE, SIG_IGN)
        // A test process that ends (or is ended by the watchdog's SIGTERM) takes its children with it.
        atexit { Registry.shared.killAll() }
        signal(SIGTERM) { _ in
            Registry.shared.killAll()
            _exit(143)
        }
    }()

    /// Every child not yet reaped, so none outlives the test process.
    final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var live: Set<pid_t> = []

        /// `CXCERT_TEST_SPAWN_LOG`, when set: a file that gets a line for every child ``ChildProcess/run`` ran to
        /// its end, its program name, milliseconds and first argument (how the fixtures' and CLI runs' cost is measured).
        private let spawnLog: Int32 =
            ProcessInfo.processInfo.environment["CXCERT_TEST_SPAWN_LOG"].map {
                open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            } ?? -1

        fileprivate func add(_ pid: pid_t) { lock.withLock { _ = live.insert(pid) } }

        fileprivate func log(_ arguments: [String], _ elapsed: Duration) {
            guard spawnLog >= 0 else { return }
            let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            let program = URL(fileURLWithPath: arguments[0]).lastPathComponent
            let line = Array("\(program) \(milliseconds) \(arguments.dropFirst().prefix(1).joined())\n".utf8)
            _ = line.withUnsafeBytes { write(spawnLog, $0.baseAddress, $0.count) }
        }
        fileprivate func remove(_ pid: pid_t) { lock.withLock { _ = live.remove(pid) } }

        /// The children not reaped yet.
        var running: Set<pid_t> { lock.withLock { live } }

        fileprivate func killAll() {
            // No lock: this may run in a signal handler while another thread holds it.
            for pid in live { ChildProcess.killGroup(pid) }
        }
    }

    // MARK: - reading

    /// One output pipe, read without blocking into a bounded buffer.
    fileprivate struct Stream {
        var fd: Int32
        var keep: Int = ChildProcess.captureLimit
        var bytes: [UInt8] = []
        var dropped = 0

        var snapshot: Stream { Stream(fd: -1, keep: keep, bytes: bytes, dropped: dropped) }

        /// Reads what is there; closes the descriptor at its end.
        mutating func drain(copyTo log: FileHandle? = nil) {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while fd >= 0 {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let data = chunk[0..<count]
                    log?.write(Data(data))
                    bytes += data
                    if bytes.count > keep {
                        // Keep the most recent bytes for a server's log tail, the first ones for a capture.
                        if keep < ChildProcess.captureLimit {
                            bytes.removeFirst(bytes.count - keep)
                        } else {
                            dropped += bytes.count - keep
                            bytes.removeLast(bytes.count - keep)
                        }
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(fd)
                    fd = -1
                } else {
                    return
                }
            }
        }
    }

    private static func tail(_ streams: [Stream]) -> String {
        String(decoding: streams.flatMap(\.bytes).suffix(tailLength), as: UTF8.self)
    }
}
