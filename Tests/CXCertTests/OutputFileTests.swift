import Foundation
import Testing

@testable import CXCertCore
@testable import CXCertTestSupport

/// The one output writer replaces only regular files, writes through devices, pipes and
/// the process's own descriptors, and refuses other kinds by name.
@Suite("Output files: regular files replaced, devices and pipes written through")
struct OutputFileTests {
    static func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test("A regular file is replaced whole and keeps its mode; a new one gets 0666 less the umask")
    func regularFiles() throws {
        let folder = try makeTemporaryDirectory("output-regular")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.html").path
        try AtomicFile.write(Array("new".utf8), to: path)
        let mask = umask(0o022)
        umask(mask)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o666 & ~mask)
        #expect(chmod(path, 0o600) == 0)
        let before = info.st_ino
        try AtomicFile.write(Array("second".utf8), to: path)
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600, "a 0600 report became \(String(info.st_mode & 0o777, radix: 8))")
        #expect(info.st_ino != before, "replaced by rename, not rewritten in place")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.html"], "no temporary file left")
    }

    @Test("/dev/null stays the null device; a FIFO with a reader is written through; one without is refused at once")
    func devicesAndPipes() throws {
        try AtomicFile.write(Array("report".utf8), to: "/dev/null")
        #expect(Self.kind("/dev/null") == S_IFCHR)
        #expect(try AtomicFile.destination(of: "/dev/null") == .device)

        let folder = try makeTemporaryDirectory("output-fifo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        #expect(throws: FileWriteError.self) { try AtomicFile.write(Array("x".utf8), to: fifo) }
        #expect(Date().timeIntervalSince(started) < 2, "a FIFO with no reader must not wait for one")
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try AtomicFile.write(Array("through the pipe".utf8), to: fifo)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(reader, &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "through the pipe")
        #expect(Self.kind(fifo) == S_IFIFO, "the FIFO is still a FIFO")
        // Through a link to the FIFO, the same.
        let link = folder.appendingPathComponent("link").path
        #expect(symlink(fifo, link) == 0)
        #expect(try AtomicFile.destination(of: link) == .device)
    }

    @Test("/dev/stdout-style paths write to the process's own descriptor")
    func ownDescriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        for path in ["/dev/fd/\(ends[1])", "/proc/self/fd/\(ends[1])"] {
            #expect(try AtomicFile.destination(of: path) == .descriptor(ends[1]))
            try AtomicFile.write(Array("via \(path)\n".utf8), to: path)
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(ends[0], &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "via /dev/fd/\(ends[1])\nvia /proc/self/fd/\(ends[1])\n")
        #expect(try AtomicFile.destination(of: "/dev/stdout") == .descriptor(1))
        #expect(try AtomicFile.destination(of: "/dev/stderr") == .descriptor(2))
    }

    @Test("A link to a regular file is replaced, not followed; a directory and a socket are refused by kind")
    func linksAndRefusals() throws {
        let folder = try makeTemporaryDirectory("output-kinds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = folder.appendingPathComponent("victim").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        let link = folder.appendingPathComponent("out.html").path
        #expect(symlink(victim, link) == 0)
        try AtomicFile.write(Array("report".utf8), to: link)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(Self.kind(link) == S_IFREG)

        do {
            try AtomicFile.write(Array("x".utf8), to: folder.path)
            Issue.record("a directory was written")
        } catch {
            #expect(error.reason.contains("is a directory"), "\(error)")
        }
        let socketPath = folder.appendingPathComponent("sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(socketPath.utf8)
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        do {
            try AtomicFile.write(Array("x".utf8), to: socketPath)
            Issue.record("a socket was written")
        } catch {
            #expect(error.reason.contains("is a socket"), "\(error)")
        }
        #expect(Self.kind(socketPath) == S_IFSOCK)
    }
}
