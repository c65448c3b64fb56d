import ArgumentParser
import CXCert

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show every certificate in files of any format (DER, PEM, PKCS#7, certsrv, Lync SOAP).")

    @Argument(help: "Files to read; '-' reads standard input.")
    var files: [String]

    @Flag(help: "Print a JSON array (schema in the README).")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE (or '-' for standard input)") }
    }

    func run() throws {
        let (decoded, failed) = decodeAll(files)
        if json {
            let summaries = decoded.flatMap { entry in
                entry.result.certificates.map {
                    CertificateSummary($0, file: entry.path, format: entry.result.format, encoding: entry.result.encoding)
                }
            }
            print(CertificateSummary.json(summaries))
        } else {
            let style = terminalStyle()
            var first = true
            for (path, result) in decoded {
                for (index, certificate) in result.certificates.enumerated() {
                    if !first { print("") }
                    first = false
                    let position = result.certificates.count > 1 ? " [\(index + 1)/\(result.certificates.count)]" : ""
                    print(style.bold("── \(path)\(position) · \(result.format.rawValue) ──"))
                    print(CertificateText.render(certificate, style: style))
                }
                for skipped in result.skipped { print("(skipped \(skipped) in \(path))") }
            }
        }
        if failed { throw ExitCode(2) }
    }
}
