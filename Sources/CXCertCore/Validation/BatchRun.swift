import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams many certificate files through a ``BatchVerifier``: chunks of paths are read and validated
/// on every core, and one JSON line per file is written in input order before the next chunk is read,
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
        /// An input to read, or one already known to be unreadable.
        public init(path: String, problem: String? = nil) {
            self.path = path
            self.problem = problem
        }
    }

    /// Every file named by `arguments`: files and directories (recursively), lazily.
    public static func paths(_ arguments: [String]) -> AnySequence<Entry> {
        AnySequence(
            arguments.lazy.flatMap { argument -> AnySequence<Entry> in
                var info = stat()
                guard stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return AnySequence([Entry(path: argument)]) }
                return AnySequence(DirectoryWalk(argument))
            })
    }

    private static let pemBegin = Array("-----BEGIN CERTIFICATE-----".utf8)
    private static let pemEnd = Array("-----END CERTIFICATE-----".utf8)

    /// The DER of a file's certificate without the full decoder when it is plain DER or one PEM block.
    static func quickDER(_ bytes: [UInt8]) -> [UInt8]? {
        if CertificateDecoder.looksLikeDER(bytes) { return bytes }
        guard let start = find(pemBegin, in: bytes, from: 0), let stop = find(pemEnd, in: bytes, from: start + pemBegin.count) else {
            return nil
        }
        return try? Base64.decode(bytes[(start + pemBegin.count)..<stop])
    }

    /// The offset of `needle` in `bytes` at or after `from` (memchr for the first byte, then memcmp).
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        bytes.withUnsafeBufferPointer { haystack -> Int? in
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
    }

    /// Validates every path, calling `emit` with one JSON line per file, in order.
    public static func run(_ paths: AnySequence<Entry>, verifier: BatchVerifier, chunkSize: Int = 1024, emit: (String) -> Void) -> Summary {
        var summary = Summary()
        let started = Date()
        let iterator = paths.makeIterator()
        let decoder = CertificateDecoder()
        /// Counts a validated chunk and writes its lines, in order.
        func write(_ chunk: [Entry], _ results: Slots) {
            for (index, entry) in chunk.enumerated() {
                guard let outcome = results[index] else { continue }
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
        }
        // Each chunk's lines are written on this thread while the next chunk is validated on every core, so no
        // core waits for the writing; two chunks at most are held.
        var validated: (chunk: [Entry], results: Slots)?
        while true {
            var paths: [Entry] = []
            while paths.count < chunkSize, let path = iterator.next() { paths.append(path) }
            let chunk = paths
            let results = Slots(count: chunk.count)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                DispatchQueue.concurrentPerform(iterations: chunk.count) { index in
                    let entry = chunk[index]
                    if let problem = entry.problem {
                        results[index] = .init(trusted: false, codes: [], fast: false, error: problem)
                        return
                    }
                    let path = entry.path
                    let bytes: [UInt8]
                    do throws(BoundedReader.Failure) {
                        bytes = try BoundedReader.read(path: path, limit: decoder.limits.maxInputBytes)
                    } catch {
                        results[index] = .init(trusted: false, codes: [], fast: false, error: error.reason)
                        return
                    }
                    if let der = quickDER(bytes) {
                        results[index] = verifier.verify(der: der)
                        return
                    }
                    do {
                        guard let first = try decoder.decode(bytes).certificates.first else {
                            throw CertificateDecodingError.noCertificate(path)
                        }
                        results[index] = verifier.verify(der: [UInt8](first.der))
                    } catch {
                        results[index] = .init(trusted: false, codes: [], fast: false, error: "\(error)")
                    }
                }
            }
            if let validated { write(validated.chunk, validated.results) }
            group.wait()
            if chunk.isEmpty { break }
            validated = (chunk, results)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
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
                if type == UInt8(DT_REG) { return Entry(path: full) }
                var info = stat()
                guard stat(full, &info) == 0 else {
                    let reason = BoundedReader.errorText(errno)
                    return Entry(path: full, problem: errno == ENOENT && type == UInt8(DT_LNK) ? "dangling symbolic link" : reason)
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: break
                case S_IFREG: return Entry(path: full)
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

    /// One result slot per index; each index is written by exactly one worker, then read after all finish.
    private final class Slots: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<BatchVerifier.Outcome?>
        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil)
        }
        deinit {
            storage.deinitialize()
            storage.deallocate()
        }
        subscript(index: Int) -> BatchVerifier.Outcome? {
            get { storage[index] }
            set { storage[index] = newValue }
        }
    }

    /// `{"file": ..., "trusted": ..., "findings": [...]}` (plus `"error"` for unreadable input), written by hand: it is the hot loop's output.
    static func line(_ path: String, _ outcome: BatchVerifier.Outcome) -> String {
        var out =
            "{\"file\":\(quote(path)),\"trusted\":\(outcome.trusted),\"findings\":[\(outcome.codes.map(quote).joined(separator: ","))]"
        if let error = outcome.error { out += ",\"error\":\(quote(error))" }
        return out + "}"
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
