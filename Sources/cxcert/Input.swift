import CXCert

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

/// The command line's `-` convention: a path argument of `-` is standard input. The library only reads the
/// files and descriptors it is given.
enum Input {
    static let standardInput = "standard input"

    /// The bytes of `path`, or of standard input for `-`, at most `limit`.
    static func bytes(_ path: String, limit: Int) throws(BoundedReader.Failure) -> [UInt8] {
        path == "-"
            ? try BoundedReader.read(descriptor: STDIN_FILENO, path: standardInput, limit: limit)
            : try BoundedReader.read(path: path, limit: limit)
    }

    /// The certificates of `path`, or of standard input for `-`.
    static func certificates(_ path: String, decoder: CertificateDecoder = CertificateDecoder()) throws(CertificateDecodingError)
        -> DecodedCertificates
    {
        path == "-" ? try decoder.decode(descriptor: STDIN_FILENO, name: standardInput) : try decoder.decode(path: path)
    }

    /// How a path is named in messages.
    static func name(_ path: String) -> String { path == "-" ? standardInput : path }

    /// `verify --batch` inputs: files and directories, and for `-` the paths listed on standard input, one per line.
    static func batchEntries(_ arguments: [String]) -> AnySequence<BatchRun.Entry> { AnySequence(BatchEntries(arguments)) }

    /// ``batchEntries(_:)``'s iterator, concrete (one entry per file of a batch: no nested type-erased iterators).
    private struct BatchEntries: Sequence, IteratorProtocol {
        var arguments: IndexingIterator<[String]>
        /// The walk of the current file or directory argument.
        var paths: BatchRun.Paths?
        /// The current argument is `-`: paths are read from standard input, one a line, empty lines skipped.
        var readingStandardInput = false

        init(_ arguments: [String]) { self.arguments = arguments.makeIterator() }

        mutating func next() -> BatchRun.Entry? {
            while true {
                if paths != nil {
                    if let entry = paths?.next() { return entry }
                    paths = nil
                }
                if readingStandardInput {
                    while let line = readLine(strippingNewline: true) {
                        if !line.isEmpty { return BatchRun.Entry(path: line) }
                    }
                    readingStandardInput = false
                }
                guard let argument = arguments.next() else { return nil }
                if argument == "-" { readingStandardInput = true } else { paths = BatchRun.Paths([argument]) }
            }
        }
    }
}
