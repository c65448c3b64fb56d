import CXCert
import Foundation

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
    static func batchEntries(_ arguments: [String]) -> AnySequence<BatchRun.Entry> {
        AnySequence(
            arguments.lazy.flatMap { argument -> AnySequence<BatchRun.Entry> in
                guard argument == "-" else { return BatchRun.paths([argument]) }
                return AnySequence(
                    AnyIterator { readLine(strippingNewline: true) }.lazy.filter { !$0.isEmpty }.map { BatchRun.Entry(path: $0) })
            })
    }
}
