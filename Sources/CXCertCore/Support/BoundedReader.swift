#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// THE reader for every path a user names (certificates, chains, roots, deployment files, device data,
/// snapshots, answers): it reads at most `limit + 1` bytes whatever the path is, so `/dev/zero` or a
/// huge file ends with an error instead of filling memory. Regular files, FIFOs, pipes, `/dev/stdin`,
/// process substitution (`<(cat x.pem)`) and terminals are read; directories and other devices are
/// refused by name; every failure says why in plain words (never a Foundation error number).
public enum BoundedReader {
    /// The input cap most readers use (16 MiB).
    public static let defaultLimit = 16 << 20

    /// Why a path could not be read, in plain words.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// `open` or `read` failed; `reason` is the system's text in lower case (`no such file or directory`).
        case cannotOpen(path: String, reason: String)
        /// The path is a directory.
        case isDirectory(path: String)
        /// A character or block device other than a terminal (`/dev/zero`, `/dev/sda`).
        case isDevice(path: String)
        /// The input is larger than `limit` bytes.
        case tooLarge(path: String, limit: Int)
        /// The bytes are not valid UTF-8 (from ``readText(path:limit:)``).
        case notText(path: String)

        /// The path the failure is about.
        public var path: String {
            switch self {
            case .cannotOpen(let path, _), .isDirectory(let path), .isDevice(let path), .tooLarge(let path, _), .notText(let path): path
            }
        }

        /// What is wrong, without the path (callers that already print the path use this).
        public var reason: String {
            switch self {
            case .cannotOpen(_, let reason): reason
            case .isDirectory: "is a directory"
            case .isDevice: "is a device, not a file"
            case .tooLarge(_, let limit): "more than \(BoundedReader.size(limit))"
            case .notText: "not UTF-8 text"
            }
        }

        public var description: String { "\(path): \(reason)" }
    }

    /// "16 MiB", "1 MiB", "64 KiB" or a byte count.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// Reads the file at `path` (standard input is the caller's business: pass its descriptor to
    /// ``read(descriptor:path:limit:)``).
    public static func read(path: String, limit: Int = defaultLimit) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        return try read(descriptor: fd, path: path, limit: limit)
    }

    /// Reads an open descriptor to its end, refusing directories and non-terminal devices; `path` names it in errors.
    public static func read(descriptor fd: Int32, path: String, limit: Int = defaultLimit) throws(Failure) -> [UInt8] {
        var status = stat()
        // A regular file's size bounds the reads (one more byte finds the end): zeroing a 64 KiB chunk for a
        // 2 KiB certificate cost a batch more than reading it. A file that grows is still read to its end.
        var chunkSize = 64 << 10
        if fstat(fd, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFDIR: throw .isDirectory(path: path)
            case S_IFCHR where isatty(fd) == 0, S_IFBLK: throw .isDevice(path: path)
            case S_IFREG where Int(status.st_size) > limit: throw .tooLarge(path: path, limit: limit)
            case S_IFREG where status.st_size > 0: chunkSize = min(chunkSize, Int(status.st_size) + 1)
            default: break
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            // Never ask for more than one byte past the cap.
            let want = min(chunk.count, limit + 1 - bytes.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: path, reason: errorText(errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .tooLarge(path: path, limit: limit) }
        }
        return bytes
    }

    /// Reads a file a directory walk found to be a regular file into `scratch`, which the caller reuses for every file
    /// and never zeroes: `open`, one `read` and `close`, where ``read(path:limit:)`` adds an `fstat` and a second `read`
    /// to find the end (a batch pays the system calls once per leaf). A regular file's short read is its end.
    /// - Returns: How many bytes of `scratch` the file filled, or nil when it filled all of them (the file may be
    ///   larger: read it with ``read(path:limit:)``, which applies every bound and refusal).
    /// - Throws: ``Failure/cannotOpen(path:reason:)`` when `open` or `read` fails (a directory put in the file's place
    ///   fails its `read`; `O_NONBLOCK` keeps a FIFO put there from blocking the `open`).
    static func readRegularFile(path: String, into scratch: UnsafeMutableRawBufferPointer) throws(Failure) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        while true {
            let count = Glibc.read(fd, scratch.baseAddress, scratch.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: path, reason: errorText(errno))
            }
            return count < scratch.count ? count : nil
        }
    }

    /// The same refusals as ``read(path:limit:)`` without reading, for paths another library opens
    /// (libpcap): a directory, a device, a missing file or a symlink loop, each in plain words.
    public static func checkOpenable(path: String) throws(Failure) {
        guard path != "-" else { return }
        // O_NONBLOCK: opening a FIFO must not wait here for a writer (the real open will).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: throw .isDirectory(path: path)
        case S_IFCHR where isatty(fd) == 0, S_IFBLK: throw .isDevice(path: path)
        default: return
        }
    }

    /// Reads the file at `path` as UTF-8 text, with the same bounds and refusals as ``read(path:limit:)``.
    /// - Throws: ``Failure/notText(path:)`` when the bytes are not valid UTF-8, or any failure of ``read(path:limit:)``.
    public static func readText(path: String, limit: Int = defaultLimit) throws(Failure) -> String {
        let bytes = try read(path: path, limit: limit)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText(path: path) }
        return text
    }

    /// strerror in lower case: "no such file or directory", "too many levels of symbolic links".
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
