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

/// Streams many certificate files through a ``BatchVerifier``: every core validates files from a window of the
/// input, and one JSON line per file is written in input order as soon as it and every file before it are judged,
/// so memory stays flat however many files there are.
public enum BatchRun {
    /// The counts of a batch: its `{"summary": ...}` line.
    public struct Summary: Sendable, Encodable {
        /// Files judged.
        public var total = 0
        /// Certificates trusted (no error finding).
        public var trusted = 0
        /// Certificates not trusted.
        public var untrusted = 0
        /// Files that could not be read as a certificate.
        public var errors = 0
        /// Decided by the fast path (the rest took the full OpenSSL path).
        public var fastPath = 0
        /// Wall-clock time of the run.
        public var seconds = 0.0
        /// Files judged per second of wall-clock time.
        public var chainsPerSecond: Double { seconds > 0 ? Double(total) / seconds : 0 }

        private enum Key: String, CodingKey { case total, trusted, untrusted, errors, fastPath, seconds, chainsPerSecond }
        public func encode(to encoder: any Encoder) throws {
            var out = encoder.container(keyedBy: Key.self)
            try out.encode(total, forKey: .total)
            try out.encode(trusted, forKey: .trusted)
            try out.encode(untrusted, forKey: .untrusted)
            try out.encode(errors, forKey: .errors)
            try out.encode(fastPath, forKey: .fastPath)
            try out.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
            try out.encode(chainsPerSecond.rounded(), forKey: .chainsPerSecond)
        }
    }

    /// One input of a batch: a path to read, or one the walk already knows it will not read, and why.
    public struct Entry: Sendable, Hashable {
        /// The path as named or found by the walk.
        public var path: String
        /// Why the walk will not read it (a dangling link, a FIFO, a device), or nil to read it.
        public var problem: String?
        /// The walk saw a regular file here, so a short read is its end (no `fstat`, no second `read`).
        var isRegular = false
        /// An input to read, or one already known to be unreadable.
        public init(path: String, problem: String? = nil) {
            self.path = path
            self.problem = problem
        }

        /// A regular file found by the walk.
        init(regularFile path: String) {
            self.path = path
            isRegular = true
        }
    }

    /// Every file named by `arguments`: files and directories (recursively), lazily.
    public static func paths(_ arguments: [String]) -> AnySequence<Entry> { AnySequence(Paths(arguments)) }

    /// ``paths(_:)`` as one concrete iterator: a batch takes one entry per file, and nested type-erased, flattened
    /// iterators cost a generic metadata look-up or two per entry.
    package struct Paths: Sequence, IteratorProtocol {
        private var arguments: IndexingIterator<[String]>
        private var walk: DirectoryWalk?

        /// The entries of `arguments`, each looked at when the iteration reaches it.
        package init(_ arguments: [String]) { self.arguments = arguments.makeIterator() }

        /// The next entry: a named file, or the next file of a named directory's walk.
        package mutating func next() -> Entry? {
            while true {
                if walk != nil {
                    if let entry = walk?.next() { return entry }
                    walk = nil
                }
                guard let argument = arguments.next() else { return nil }
                var info = stat()
                guard stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return Entry(path: argument) }
                walk = DirectoryWalk(argument)
            }
        }
    }

    private static let pemBegin = Array("-----BEGIN CERTIFICATE-----".utf8)
    private static let pemEnd = Array("-----END CERTIFICATE-----".utf8)

    /// The DER of a file's certificate without the full decoder when it is plain DER or one PEM block.
    static func quickDER(_ bytes: [UInt8]) -> [UInt8]? {
        if CertificateDecoder.looksLikeDER(bytes) { return bytes }
        return bytes.withUnsafeBufferPointer { pemBlock($0) }
    }

    /// ``quickDER(_:)`` of bytes in a worker's read buffer.
    static func quickDER(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if CertificateDecoder.looksLikeDER(bytes) { return Array(bytes) }
        return pemBlock(bytes)
    }

    /// The first PEM certificate block's DER, when there is one and its base64 is clean.
    private static func pemBlock(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = find(pemBegin, in: bytes, from: 0), let stop = find(pemEnd, in: bytes, from: start + pemBegin.count) else {
            return nil
        }
        return try? Base64.decode(UnsafeBufferPointer(rebasing: bytes[(start + pemBegin.count)..<stop]))
    }

    /// The offset of `needle` in `bytes` at or after `from` (memchr for the first byte, then memcmp).
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        bytes.withUnsafeBufferPointer { find(needle, in: $0, from: from) }
    }

    /// ``find(_:in:from:)`` in a buffer.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        needle.withUnsafeBufferPointer { pattern -> Int? in
            guard let base = haystack.baseAddress, let first = pattern.first else { return nil }
            var offset = from
            while offset + pattern.count <= haystack.count {
                guard let hit = memchr(base + offset, Int32(first), haystack.count - offset - pattern.count + 1) else { return nil }
                let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + position, pattern.baseAddress!, pattern.count) == 0 { return position }
                offset = position + 1
            }
            return nil
        }
    }

    /// A worker's read buffer: larger than any certificate file, reused for every file and never zeroed.
    static let scratchSize = 64 << 10

    /// Reads one input and judges its certificate. `scratch` is the calling worker's own read buffer.
    static func judge(
        _ entry: Entry, verifier: BatchVerifier, decoder: CertificateDecoder, scratch: UnsafeMutableBufferPointer<UInt8>
    ) -> BatchVerifier.Outcome {
        if let problem = entry.problem { return .init(trusted: false, codes: [], fast: false, error: problem) }
        let limit = decoder.limits.maxInputBytes
        let bytes: [UInt8]
        do throws(BoundedReader.Failure) {
            if entry.isRegular,
                let count = try BoundedReader.readRegularFile(path: entry.path, into: UnsafeMutableRawBufferPointer(scratch)),
                count <= limit
            {
                let read = UnsafeBufferPointer(rebasing: scratch[0..<count])
                if let der = quickDER(read) { return verifier.verify(der: der) }
                bytes = Array(read)
            } else {
                bytes = try BoundedReader.read(path: entry.path, limit: limit)
                if let der = quickDER(bytes) { return verifier.verify(der: der) }
            }
        } catch {
            return .init(trusted: false, codes: [], fast: false, error: error.reason)
        }
        do {
            guard let first = try decoder.decode(bytes).certificates.first else {
                throw CertificateDecodingError.noCertificate(entry.path)
            }
            return verifier.verify(der: [UInt8](first.der))
        } catch {
            return .init(trusted: false, codes: [], fast: false, error: "\(error)")
        }
    }

    /// Validates every path, calling `emit` with one JSON line per file, in input order, on the calling thread.
    ///
    /// The calling thread walks the input, writes the lines and validates files itself between the two; the other cores'
    /// workers run on the shared blocking executor (long jobs that claim a few files at a time from a window of
    /// `window` files, so no worker waits for another at a chunk boundary and a slow file holds up nobody but the
    /// writer). The window bounds memory: files more than `window` ahead of the last line written are not read.
    /// - Parameters:
    ///   - paths: The inputs, in the order their lines are written.
    ///   - verifier: Judges each certificate.
    ///   - window: Inputs held at most between the walk and the written lines.
    ///   - workers: Threads that validate, the calling one included (at least one; by default every core).
    ///   - emit: Called with each line, in input order, on the calling thread.
    /// - Returns: The counts of the batch and its wall-clock time.
    public static func run(
        _ paths: AnySequence<Entry>, verifier: BatchVerifier, window: Int = 4096,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, emit: (String) -> Void
    ) -> Summary {
        var summary = Summary()
        let started = Date()
        let decoder = CertificateDecoder()
        let pipeline = Pipeline(capacity: max(window, 16))
        let helpers = min(max(workers, 1) - 1, BlockingExecutor.shared.threadCount)
        for _ in 0..<helpers {
            do throws(BlockingExecutor.Failure) {
                try BlockingExecutor.shared.start { [pipeline] in
                    guard pipeline.enter() else { return }
                    defer { pipeline.leave() }
                    let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: scratchSize)
                    defer { scratch.deallocate() }
                    while let claim = pipeline.claim(wait: true) {
                        pipeline.complete(
                            claim.first, claim.entries.map { judge($0, verifier: verifier, decoder: decoder, scratch: scratch) })
                    }
                }
            } catch {
                // The executor's queue is full (other work is waiting): this thread validates what that worker would have.
                break
            }
        }
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        let iterator = paths.makeIterator()
        var inputEnded = false
        var pending: [Entry] = []
        while true {
            // Refill the window a quarter at a time, so the walk runs in stretches rather than once per file.
            let room = pipeline.room
            if !inputEnded, room >= pipeline.capacity / 4 {
                pending.removeAll(keepingCapacity: true)
                while pending.count < room, let entry = iterator.next() { pending.append(entry) }
                inputEnded = pending.count < room
                pipeline.publish(pending, ended: inputEnded)
            }
            for (entry, outcome) in pipeline.takeWritable() {
                summary.total += 1
                if outcome.error != nil {
                    summary.errors += 1
                } else if outcome.trusted {
                    summary.trusted += 1
                } else {
                    summary.untrusted += 1
                }
                if outcome.fast { summary.fastPath += 1 }
                emit(line(entry.path, outcome))
            }
            if pipeline.allWritten { break }
            if let claim = pipeline.claim(wait: false) {
                pipeline.complete(claim.first, claim.entries.map { judge($0, verifier: verifier, decoder: decoder, scratch: scratch) })
            } else if inputEnded || pipeline.room < pipeline.capacity / 4 {
                // Every published file is claimed by a worker: wait for the next line to write.
                pipeline.waitForWritable()
            }
        }
        pipeline.finish()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The window a batch's threads share, in input order: entries published by the calling thread, claimed a few at a
    /// time by whichever thread is free, their outcomes written by the calling thread in order. Every field is
    /// guarded by `condition`'s lock; each slot is owned by one thread at a time (publisher, claimer, writer).
    private final class Pipeline: @unchecked Sendable {
        let capacity: Int
        /// Files claimed at once: few enough that the writer never waits long for one, enough to amortise the lock.
        private let claimSize = 8
        private let condition = Condition()
        private var entries: [Entry?]
        private var outcomes: [BatchVerifier.Outcome?]
        /// Counts since the start of the batch: published ≥ claimed ≥ written, published - written ≤ capacity.
        private var published = 0
        private var claimed = 0
        private var written = 0
        private var ended = false
        private var writerWaiting = false
        /// Workers inside their loop; after `finish`, none may enter.
        private var active = 0
        private var closed = false

        init(capacity: Int) {
            self.capacity = capacity
            entries = Array(repeating: nil, count: capacity)
            outcomes = Array(repeating: nil, count: capacity)
        }

        /// Slots free for new entries.
        var room: Int { condition.withLock { capacity - (published - written) } }

        /// Every published entry is written and no more will come.
        var allWritten: Bool { condition.withLock { ended && written == published } }

        /// Adds entries after the last ones (at most `room` of them); `ended` says there will be no more.
        func publish(_ new: [Entry], ended: Bool) {
            condition.withLock {
                for entry in new {
                    entries[published % capacity] = entry
                    published += 1
                }
                if ended { self.ended = true }
                condition.broadcast()
            }
        }

        /// The next few unclaimed entries and the index of the first; nil when none is left (after waiting for more
        /// when `wait` is true, until the input ends).
        func claim(wait: Bool) -> (first: Int, entries: [Entry])? {
            condition.withLock {
                while wait, claimed == published, !ended { condition.wait() }
                guard claimed < published else { return nil }
                let first = claimed
                let count = min(claimSize, published - claimed)
                claimed += count
                return (first, (first..<(first + count)).map { entries[$0 % capacity]! })
            }
        }

        /// Stores the outcomes of a claim; wakes the writer when the next line to write is among them.
        func complete(_ first: Int, _ results: [BatchVerifier.Outcome]) {
            condition.withLock {
                for (offset, outcome) in results.enumerated() { outcomes[(first + offset) % capacity] = outcome }
                if writerWaiting, (first..<(first + results.count)).contains(written) { condition.broadcast() }
            }
        }

        /// The judged entries next in input order, freeing their slots.
        func takeWritable() -> [(Entry, BatchVerifier.Outcome)] {
            condition.withLock {
                var ready: [(Entry, BatchVerifier.Outcome)] = []
                while written < claimed, let outcome = outcomes[written % capacity] {
                    ready.append((entries[written % capacity]!, outcome))
                    entries[written % capacity] = nil
                    outcomes[written % capacity] = nil
                    written += 1
                }
                return ready
            }
        }

        /// Blocks until the next entry to write is judged.
        func waitForWritable() {
            condition.withLock {
                writerWaiting = true
                while written < claimed, outcomes[written % capacity] == nil { condition.wait() }
                writerWaiting = false
            }
        }

        /// A worker starts; false once the batch is over (a job the executor started late does nothing).
        func enter() -> Bool {
            condition.withLock {
                guard !closed else { return false }
                active += 1
                return true
            }
        }

        /// A worker's loop ended.
        func leave() {
            condition.withLock {
                active -= 1
                condition.broadcast()
            }
        }

        /// Closes the batch to workers and waits for those inside to leave (they hold the verifier).
        func finish() {
            condition.withLock {
                closed = true
                while active > 0 { condition.wait() }
            }
        }
    }

    /// Every entry below a directory, depth first, read with readdir (d_type spares a stat per entry).
    /// Each real directory is walked once (by device and inode), so links such as `ln -s . a` end; a link
    /// to a directory outside the root is not followed. Neither is silent: each is an entry with its reason,
    /// as is a dangling link or a directory that cannot be opened.
    struct DirectoryWalk: Sequence, IteratorProtocol {
        private struct Identity: Hashable {
            let device: UInt64
            let inode: UInt64
        }
        private var stack: [(path: String, handle: OpaquePointer)] = []
        private var seen: Set<Identity> = []
        private var pending: [Entry] = []
        private let rootReal: String

        init(_ root: String) {
            rootReal = Self.realPath(root) ?? root
            var info = stat()
            if stat(root, &info) == 0 { seen.insert(Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))) }
            if let handle = opendir(root) {
                stack.append((root, handle))
            } else {
                pending.append(Entry(path: root, problem: "cannot open the directory: \(BoundedReader.errorText(errno))"))
            }
        }

        static func realPath(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        mutating func next() -> Entry? {
            if !pending.isEmpty { return pending.removeFirst() }
            while let (path, handle) = stack.last {
                guard let entry = readdir(handle) else {
                    closedir(handle)
                    stack.removeLast()
                    continue
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let full = path.hasSuffix("/") ? path + name : path + "/" + name
                let type = entry.pointee.d_type
                if type == UInt8(DT_REG) { return Entry(regularFile: full) }
                var info = stat()
                guard stat(full, &info) == 0 else {
                    let reason = BoundedReader.errorText(errno)
                    return Entry(path: full, problem: errno == ENOENT && type == UInt8(DT_LNK) ? "dangling symbolic link" : reason)
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: break
                case S_IFREG: return Entry(regularFile: full)
                // Opening a FIFO found in a tree would wait for a writer for ever; a device may never end.
                case S_IFIFO: return Entry(path: full, problem: "a FIFO, not a regular file: not read")
                case S_IFSOCK: return Entry(path: full, problem: "a socket, not a regular file: not read")
                default: return Entry(path: full, problem: "a device, not a regular file: not read")
                }
                let identity = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                if type == UInt8(DT_LNK) {
                    let target = Self.realPath(full) ?? full
                    guard target == rootReal || target.hasPrefix(rootReal.hasSuffix("/") ? rootReal : rootReal + "/") else {
                        return Entry(path: full, problem: "symbolic link to a directory outside \(rootReal), not followed")
                    }
                }
                guard seen.insert(identity).inserted else {
                    if type == UInt8(DT_LNK) {
                        return Entry(path: full, problem: "symbolic link to a directory already walked, not followed")
                    }
                    continue
                }
                guard let child = opendir(full) else {
                    return Entry(path: full, problem: "cannot open the directory: \(BoundedReader.errorText(errno))")
                }
                stack.append((full, child))
            }
            return nil
        }
    }

    /// `{"file": ..., "trusted": ..., "findings": [...]}` (plus `"error"` for unreadable input), written by hand: it is the hot loop's output.
    ///
    /// Built as UTF-8 bytes in one buffer (no interpolation and appends per piece); a text that needs escaping goes
    /// through ``quote(_:)``.
    static func line(_ path: String, _ outcome: BatchVerifier.Outcome) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count + 48 + outcome.codes.count * 24)
        func appendQuoted(_ text: String) {
            if text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                out.append(contentsOf: quote(text).utf8)
            } else {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: text.utf8)
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(contentsOf: lineFile)
        appendQuoted(path)
        out.append(contentsOf: outcome.trusted ? lineTrusted : lineUntrusted)
        for (index, code) in outcome.codes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(code)
        }
        out.append(UInt8(ascii: "]"))
        if let error = outcome.error {
            out.append(contentsOf: lineError)
            appendQuoted(error)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static let lineFile = Array("{\"file\":".utf8)
    private static let lineTrusted = Array(",\"trusted\":true,\"findings\":[".utf8)
    private static let lineUntrusted = Array(",\"trusted\":false,\"findings\":[".utf8)
    private static let lineError = Array(",\"error\":".utf8)

    static func quote(_ text: String) -> String {
        // The usual path or code needs no escape: copied whole, not appended scalar by scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex(scalar.value, width: 4, uppercase: false)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
