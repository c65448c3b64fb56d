internal import CPcap
import CXCertCore

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

/// Why a capture could not be read.
public enum CaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file cannot be opened or libpcap cannot read it; the reason is libpcap's or the system's.
    case unreadable(String, reason: String)
    /// A Microsoft Network Monitor capture: libpcap cannot read it.
    case networkMonitor(String)
    /// The capture's link type is not one cxcert decodes (Ethernet, Linux cooked, raw IP, BSD loopback).
    case unsupportedLink(String, linkType: Int)
    /// The capture has more frames than the reader's limit; the text names the limit.
    case tooLarge(String, limit: String)
    /// The file cannot be read past a frame (`afterFrame` frames were read).
    case damaged(String, afterFrame: Int, reason: String)
    /// libpcap cannot be loaded (cxcert loads it when a capture is first opened): the library and the package.
    case missingLibrary(MissingLibrary)

    /// One line for the admin, naming the file.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .networkMonitor(let path):
            "\(path) is a Microsoft Network Monitor capture (.cap); convert it first: editcap -F pcapng \(path) out.pcapng (Wireshark), or save it as .pcapng from Network Monitor / Message Analyzer"
        case .unsupportedLink(let path, let type): "\(path): link type \(type) is not Ethernet, Linux cooked or raw IP"
        case .tooLarge(let path, let limit): "\(path): more than \(limit)"
        case .damaged(let path, let frame, let reason): "\(path): after frame \(frame): \(reason)"
        case .missingLibrary(let missing): missing.description
        }
    }
}

/// One captured frame.
public struct CapturedFrame: Sendable {
    /// When the frame was captured.
    public let time: Date
    /// The bytes captured (possibly fewer than were on the wire: `originalLength`).
    public let bytes: [UInt8]
    /// The frame's length on the wire.
    public let originalLength: Int
    /// Whether the snap length cut the frame.
    public var isCut: Bool { bytes.count < originalLength }
}

/// Reads pcap and pcapng through libpcap, one frame at a time (a capture of gigabytes streams). The only
/// code that touches libpcap.
public final class PcapFile {
    /// The link layers cxcert decodes.
    public enum LinkType: Sendable, Hashable {
        /// Ethernet, Linux cooked v1 (SLL) and v2 (SLL2), raw IPv4/IPv6, and BSD loopback (`DLT_NULL`).
        case ethernet, linuxCooked, linuxCooked2, rawIP, loopback
    }

    /// The file read (`capture` for a capture read from memory).
    public let path: String
    /// The capture's link layer.
    public let linkType: LinkType
    private let handle: OpaquePointer
    private var buffer: UnsafeMutableRawPointer?
    /// Frames read so far.
    public private(set) var count = 0
    /// The most frames read before ``CaptureError/tooLarge(_:limit:)``.
    public let maxFrames: Int

    /// Opens `path`; a Network Monitor file is recognised and refused with the conversion command.
    public init(path: String, maxFrames: Int = 10_000_000) throws(CaptureError) {
        self.path = path
        self.maxFrames = maxFrames
        do { try BoundedReader.checkOpenable(path: path) } catch { throw .unreadable(path, reason: error.reason) }
        // Peek only at a regular file: reading a pipe's first bytes (`<(cat x.pcap)`) would take them from libpcap.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, let head = try? BoundedReader.readPrefix(path: path, count: 4),
            head == Array("GMBU".utf8)
        {
            throw .networkMonitor(path)
        }
        if let missing = SystemLibrary.pcapMissing { throw .missingLibrary(missing) }
        var error = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline(path, &error) else {
            throw .unreadable(path, reason: String(cString: error))
        }
        self.handle = handle
        guard let link = Self.link(pcap_datalink(handle)) else {
            let type = Int(pcap_datalink(handle))
            pcap_close(handle)
            throw .unsupportedLink(path, linkType: type)
        }
        linkType = link
    }

    /// Reads a capture held in memory (the fuzz target).
    public init(bytes: [UInt8], maxFrames: Int = 100_000) throws(CaptureError) {
        path = "capture"
        self.maxFrames = maxFrames
        if let missing = SystemLibrary.pcapMissing { throw .missingLibrary(missing) }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(copy), byteCount: bytes.count) }
        buffer = copy
        var error = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let file = cx_fmemopen(copy, bytes.count), let handle = cx_pcap_fopen(file, &error) else {
            copy.deallocate()
            throw .unreadable("capture", reason: String(cString: error))
        }
        self.handle = handle
        guard let link = Self.link(pcap_datalink(handle)) else {
            let type = Int(pcap_datalink(handle))
            pcap_close(handle)
            copy.deallocate()
            throw .unsupportedLink("capture", linkType: type)
        }
        linkType = link
    }

    deinit {
        pcap_close(handle)
        buffer?.deallocate()
    }

    static func link(_ type: Int32) -> LinkType? {
        switch type {
        case DLT_EN10MB: .ethernet
        case 113: .linuxCooked  // DLT_LINUX_SLL
        case 276: .linuxCooked2  // DLT_LINUX_SLL2
        case DLT_RAW, 12, 14, 228, 229: .rawIP  // DLT_RAW is 12 or 14 by platform; LINKTYPE_IPV4/IPV6
        case DLT_NULL: .loopback
        default: nil
        }
    }

    /// The next frame, nil at the end; a damaged file ends with an error that says where.
    public func next() throws(CaptureError) -> CapturedFrame? {
        guard count < maxFrames else { throw .tooLarge(path, limit: "\(maxFrames) frames") }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let rc = pcap_next_ex(handle, &header, &data)
        switch rc {
        case 1:
            guard let header, let data else { return nil }
            count += 1
            let captured = Int(header.pointee.caplen)
            let time = Date(
                timeIntervalSince1970: Double(header.pointee.ts.tv_sec) + Double(header.pointee.ts.tv_usec) / 1_000_000)
            return CapturedFrame(
                time: time, bytes: Array(UnsafeBufferPointer(start: data, count: captured)), originalLength: Int(header.pointee.len))
        case -2: return nil  // PCAP_ERROR_BREAK: end of file
        default:
            let reason = String(cString: pcap_geterr(handle))
            throw .damaged(path, afterFrame: count, reason: reason)
        }
    }
}

extension BoundedReader {
    /// The first `count` bytes of a file (fewer if it is shorter).
    static func readPrefix(path: String, count: Int) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno)).lowercased()) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
        return read > 0 ? Array(bytes.prefix(read)) : []
    }
}
