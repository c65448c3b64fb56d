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
    public struct Summary: Sendable, Encodable {
        public var total = 0
        public var trusted = 0
        public var untrusted = 0
        public var errors = 0
        /// Decided by the fast path (the rest took the full OpenSSL path).
        public var fastPath = 0
        public var seconds = 0.0
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

    /// Every file named by `arguments`: files, directories (recursively) and `-` (paths on standard input).
    public static func paths(_ arguments: [String]) -> AnySequence<String> {
        AnySequence(
            arguments.lazy.flatMap { argument -> AnySequence<String> in
                if argument == "-" {
                    return AnySequence(AnyIterator { readLine(strippingNewline: true) }.lazy.filter { !$0.isEmpty })
                }
                var info = stat()
                guard stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return AnySequence([argument]) }
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

    /// Reads a whole file with POSIX calls (Foundation's Data adds a copy and overhead per file).
    static func readFile(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= limit else { return nil }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }

    /// Validates every path, calling `emit` with one JSON line per file, in order.
    public static func run(_ paths: AnySequence<String>, verifier: BatchVerifier, chunkSize: Int = 1024, emit: (String) -> Void) -> Summary
    {
        var summary = Summary()
        let started = Date()
        let iterator = paths.makeIterator()
        let decoder = CertificateDecoder()
        while true {
            var paths: [String] = []
            while paths.count < chunkSize, let path = iterator.next() { paths.append(path) }
            if paths.isEmpty { break }
            let chunk = paths
            let results = Slots(count: chunk.count)
            DispatchQueue.concurrentPerform(iterations: chunk.count) { index in
                let path = chunk[index]
                guard let bytes = readFile(path) else {
                    results[index] = .init(
                        trusted: false, codes: [], fast: false, error: "cannot read the file (missing, not a regular file, or over 16 MiB)")
                    return
                }
                if let der = quickDER(bytes) {
                    results[index] = verifier.verify(der: der)
                    return
                }
                do {
                    guard let first = try decoder.decode(bytes: bytes).certificates.first else {
                        throw CertificateDecodingError.noCertificate(path)
                    }
                    results[index] = verifier.verify(der: [UInt8](first.der))
                } catch {
                    results[index] = .init(trusted: false, codes: [], fast: false, error: "\(error)")
                }
            }
            for (index, path) in chunk.enumerated() {
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
                emit(line(path, outcome))
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Files below a directory, depth first, read with readdir (d_type spares a stat per entry).
    struct DirectoryWalk: Sequence, IteratorProtocol {
        private var stack: [(path: String, handle: OpaquePointer)] = []

        init(_ root: String) {
            if let handle = opendir(root) { stack.append((root, handle)) }
        }

        mutating func next() -> String? {
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
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                    var info = stat()
                    guard stat(full, &info) == 0 else { continue }
                    type = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
                if type == UInt8(DT_DIR) {
                    if let child = opendir(full) { stack.append((full, child)) }
                    continue
                }
                return full
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
