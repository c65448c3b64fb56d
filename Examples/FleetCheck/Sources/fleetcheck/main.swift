import CXCertCore
import Foundation

// fleetcheck FOLDER ROOT DEVICE:BUILD...
// Verifies every certificate file in FOLDER (any format; the first certificate is the server's) against the
// phones' built-in cache plus ROOT, for each build, and prints one line per file and a summary.
let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 3, let folder = arguments.first else {
    FileHandle.standardError.write(Data("usage: fleetcheck FOLDER ROOT DEVICE:BUILD...\n".utf8))
    exit(2)
}
let rootPath = arguments[arguments.startIndex + 1]
let fleet = arguments.dropFirst(2)

do {
    let decoder = CertificateDecoder()
    let roots = try decoder.decode(path: rootPath).certificates.map { TrustAnchor(certificate: $0, source: .user(file: rootPath)) }
    let profiles = try fleet.map { entry -> DeviceProfile in
        let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
        return try DeviceProfile.resolve(device: parts[0], firmware: parts.count > 1 ? parts[1] : nil)
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    var trusted = 0
    var judged = 0
    for file in files {
        let path = (folder as NSString).appendingPathComponent(file)
        guard let decoded = try? decoder.decode(path: path),
            let split = VerificationRequest.split(bundle: decoded.certificates), !split.leaf.isCA
        else { continue }
        let request = VerificationRequest(
            leaf: split.leaf, intermediates: split.others, anchors: TrustAnchor.builtInCache + roots, hosts: [])
        let verdicts = profiles.map { Verifier.verify(request, profile: $0) }
        let line = zip(profiles, verdicts).map { profile, verdict in
            "\(profile.name): "
                + (verdict.isTrusted
                    ? "trusted" : verdict.findings.filter { $0.severity == .error }.map(\.code.rawValue).joined(separator: ","))
        }
        print("\(file)  \(line.joined(separator: "  "))")
        judged += verdicts.count
        trusted += verdicts.filter(\.isTrusted).count
    }
    print("\(trusted) of \(judged) file × build verdicts trusted")
    exit(trusted == judged ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("fleetcheck: \(error)\n".utf8))
    exit(2)
}
