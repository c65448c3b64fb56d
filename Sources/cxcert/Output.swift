import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Writes to standard output and error that survive a reader that went away (`cxcert ... | head -1`).
/// The library ignores SIGPIPE process-wide (a server closing a socket must be an error, not death), so a
/// write to a closed pipe fails with EPIPE instead — and Foundation's FileHandle traps on that (SIGILL).
/// Here a closed stdout or stderr ends the process the way a shell expects: quietly, killed by SIGPIPE
/// (status 141).
enum Output {
    static func standardOutput(_ text: String) { write(text, to: STDOUT_FILENO) }

    static func standardError(_ text: String) { write(text, to: STDERR_FILENO) }

    static func write(_ text: String, to fd: Int32) {
        // The string's own UTF-8 bytes, not a copy of them (an 88 MB report would be held twice).
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var done = 0
            while done < bytes.count {
                let count = Glibc.write(fd, base + done, bytes.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { closedPipe() }
                    return  // another failure (a full disk) is not worth dying for on a diagnostic stream
                }
                done += count
            }
        }
    }

    static func closedPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        _exit(128 + SIGPIPE)
    }
}

/// A long stream on standard output written in pieces of about 64 KiB: no system call per line, and never the whole
/// text at once (`verify --batch`'s lines, `trace --json`'s phones).
struct ChunkedOutput {
    private var buffer = ""

    /// Adds `text`, writing what has gathered once it reaches 64 KiB.
    mutating func write(_ text: String) {
        buffer += text
        if buffer.utf8.count >= 1 << 16 { flush() }
    }

    /// Writes what has gathered.
    mutating func flush() {
        Output.standardOutput(buffer)
        buffer = ""
    }
}

/// Every `print` of the CLI goes through ``Output`` (written at once, no stdio buffer that would
/// swallow EPIPE).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    // The net under the renderers' own escaping: no control character but a line break, a tab and the
    // colours TextStyle writes reaches the terminal, whatever a certificate or a peer put in a field.
    // A printed report (`trace --json` of 5,000 phones is 88 MB) is written as it is, then the terminator: no copy
    // of it by interpolation, joining or appending.
    let texts = items.map { $0 as? String ?? "\($0)" }
    Output.standardOutput(Escaping.terminalOutput(texts.count == 1 ? texts[0] : texts.joined(separator: separator)))
    Output.standardOutput(terminator)
}
