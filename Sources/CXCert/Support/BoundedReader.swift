import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a user-named path with a byte cap, whatever it is (regular file, FIFO, process substitution,
/// character device): it reads at most `limit + 1` bytes, so `/dev/zero` ends with an error instead of
/// filling memory.
public enum BoundedReader {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case isDirectory(path: String)
        case tooLarge(path: String, limit: Int)
        case notText(path: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): "\(path): \(reason)"
            case .isDirectory(let path): "\(path): is a directory"
            case .tooLarge(let path, let limit): "\(path): more than \(limit) bytes"
            case .notText(let path): "\(path): not UTF-8 text"
            }
        }
    }

    public static func read(path: String, limit: Int = 16 << 20) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno)).lowercased()) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { throw .isDirectory(path: path) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)).lowercased())
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .tooLarge(path: path, limit: limit) }
        }
        return bytes
    }

    public static func readText(path: String, limit: Int = 16 << 20) throws(Failure) -> String {
        let bytes = try read(path: path, limit: limit)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText(path: path) }
        return text
    }
}
