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

/// Why an output file could not be written.
public struct FileWriteError: Error, Sendable, CustomStringConvertible {
    /// The destination as given.
    public let path: String
    /// What went wrong, in the system's words (`permission denied`), or why the destination is refused
    /// (`is a directory`, `is a block device`...).
    public let reason: String
    /// The system error number behind ``reason``, when a system call failed; `nil` for a refusal.
    public let code: Int32?

    /// An error for `path`.
    /// - Parameters:
    ///   - path: The destination as given.
    ///   - reason: What went wrong.
    ///   - code: The system error number, when a system call failed.
    public init(path: String, reason: String, code: Int32? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(path): \(reason)" }
}

/// The one writer of every output file (reports, snapshots), by what is at the destination:
///
/// - nothing, or a **regular file**: the bytes go into a new file in the same folder, synced and renamed over
///   the destination, so a reader sees the old file or the new one, never half. A replaced file keeps its
///   mode (a 0600 report stays 0600) and, when the process may, its owner; a new one gets 0666 less the umask.
/// - a **symbolic link** to a regular file, or to nothing: the link is replaced, never followed, so a report
///   cannot be aimed at someone else's file.
/// - a **character device** (`/dev/null`, a terminal) or a **pipe** (FIFO), directly or through a link: written
///   through, never replaced. A FIFO with no reader is refused at once instead of waiting for one.
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: the process's own descriptor, written
///   through whatever it is (a terminal, a pipe, a file the shell opened).
/// - anything else (a directory, a block device, a socket) is refused with its kind.
public enum AtomicFile {
    /// What is at a destination, as ``write(_:to:)`` treats it.
    public enum Destination: Sendable, Hashable {
        /// Nothing yet: a new regular file is made.
        case absent
        /// A regular file, replaced keeping this mode (permission bits).
        case regularFile(mode: UInt32)
        /// A symbolic link whose target is not a device or pipe: the link is replaced.
        case link
        /// A character device or a FIFO (directly or through a link): written through.
        case device
        /// One of the process's own descriptors (`/dev/stdout`, `/dev/fd/N`...).
        case descriptor(Int32)
        /// A kind that is refused, named (`a directory`, `a block device`, `a socket`).
        case refused(String)
    }

    /// How `path` would be written, without writing it.
    /// - Throws: ``FileWriteError`` when the destination cannot be examined (a missing folder, no permission).
    public static func destination(of path: String) throws(FileWriteError) -> Destination {
        if let descriptor = ownDescriptor(path) { return .descriptor(descriptor) }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return .absent }
            throw FileWriteError(path: path, reason: String(cString: strerror(code)).lowercased(), code: code)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile(mode: UInt32(info.st_mode & 0o7777))
        case S_IFCHR, S_IFIFO: return .device
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0 else { return .link }
            switch target.st_mode & S_IFMT {
            case S_IFCHR, S_IFIFO: return .device
            case S_IFDIR: return .refused("a link to a directory")
            default: return .link
            }
        default: return .refused(kindName(info.st_mode))
        }
    }

    /// Writes `bytes` to `path` as its ``Destination`` says: a regular file or link is replaced through a
    /// temporary file renamed into place; a device, pipe or the process's own descriptor is written through.
    /// - Throws: ``FileWriteError`` for a refused kind (with its name), a FIFO with no reader, or a failed
    ///   system call (the temporary file is removed then).
    public static func write(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
        let url = URL(fileURLWithPath: path)
        guard !url.lastPathComponent.isEmpty, !path.hasSuffix("/") else { throw FileWriteError(path: path, reason: "not a file name") }
        switch try destination(of: path) {
        case .refused(let kind): throw FileWriteError(path: path, reason: "is \(kind), not a file (give a file name)")
        case .descriptor(let descriptor): try writeAll(bytes, to: descriptor, path: path)
        case .device: try writeThrough(bytes, to: path)
        case .absent, .link: try replace(path, with: bytes, keeping: nil)
        case .regularFile(let mode): try replace(path, with: bytes, keeping: mode)
        }
    }

    /// The descriptor named by a `/dev/stdout`-style path, or `nil`.
    static func ownDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
                let number = path.dropFirst(prefix.count)
                guard number.count <= 9, number.allSatisfy(\.isASCII), let value = Int32(number), value >= 0 else { return nil }
                return value
            }
            return nil
        }
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    static func failure(_ path: String, _ what: String? = nil) -> FileWriteError {
        let code = errno
        let reason = String(cString: strerror(code)).lowercased()
        return FileWriteError(path: path, reason: what.map { "\($0): \(reason)" } ?? reason, code: code)
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(FileWriteError) {
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && (errno == EINTR || errno == EAGAIN) {
                    if errno == EAGAIN {
                        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&waiting, 1, 1000)
                    }
                    continue
                }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard ok else { throw failure(path) }
    }

    /// Opens a device or FIFO without creating, truncating or waiting, checks what was opened, writes.
    static func writeThrough(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
        let fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENXIO { throw FileWriteError(path: path, reason: "a pipe with no reader", code: ENXIO) }
            throw failure(path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path) }
        // Swapped for something else between the look and the open: refuse rather than write into it.
        guard [S_IFCHR, S_IFIFO].contains(info.st_mode & S_IFMT) else {
            throw FileWriteError(path: path, reason: "changed while it was being opened; not written")
        }
        try writeAll(bytes, to: fd, path: path)
    }

    /// A temporary file in the destination's folder, written, synced and renamed over it.
    static func replace(_ path: String, with bytes: [UInt8], keeping mode: UInt32?) throws(FileWriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/.\(url.lastPathComponent).cxcert-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw failure(path) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var finished = false
        defer {
            if !finished { unlink(temporary) }
        }
        do throws(FileWriteError) {
            try writeAll(bytes, to: fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        // mkstemp makes 0600: a replaced file keeps its mode (and owner, when we may), a new one gets 0666 less the umask.
        let newMode: mode_t
        if let mode {
            newMode = mode_t(mode)
            var old = stat()
            if lstat(path, &old) == 0, old.st_uid != geteuid() || old.st_gid != getegid() { _ = fchown(fd, old.st_uid, old.st_gid) }
        } else {
            let mask = umask(0o022)
            umask(mask)
            newMode = 0o666 & ~mask
        }
        guard fchmod(fd, newMode) == 0, fsync(fd) == 0 else {
            let error = failure(path)
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw failure(path) }
        guard rename(temporary, path) == 0 else { throw failure(path) }
        finished = true
    }
}
