import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an output file could not be written.
public struct FileWriteError: Error, Sendable, CustomStringConvertible {
    /// The destination as given.
    public let path: String
    /// What went wrong, in the system's words (`permission denied`), or `not a file name`.
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes reports and snapshots the safe way: into a new file in the destination's folder, then renamed
/// over the destination. A symlink planted at the destination is replaced, never followed (so a report
/// cannot be aimed at someone else's file), and a reader sees the old file or the new one, never half.
public enum AtomicFile {
    /// Writes `bytes` to `path` through a temporary file in the same folder, synced and renamed over the destination,
    /// with mode 0666 less the umask.
    /// - Throws: ``FileWriteError`` when the temporary file cannot be made, written or renamed (it is removed then).
    public static func write(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard !url.lastPathComponent.isEmpty, !path.hasSuffix("/") else { throw FileWriteError(path: path, reason: "not a file name") }
        var template = Array("\(folder)/.\(url.lastPathComponent).cxcert-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var finished = false
        defer {
            if !finished { unlink(temporary) }
        }
        let written = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        // mkstemp makes 0600; a report or snapshot gets the usual 0666 less the umask.
        let mask = umask(0o022)
        umask(mask)
        let modeOK = fchmod(fd, 0o666 & ~mask) == 0
        let synced = fsync(fd) == 0
        let closed = close(fd) == 0
        guard written, modeOK, synced, closed else { throw FileWriteError(path: path, reason: String(cString: strerror(errno))) }
        guard rename(temporary, path) == 0 else { throw FileWriteError(path: path, reason: String(cString: strerror(errno))) }
        finished = true
    }
}
