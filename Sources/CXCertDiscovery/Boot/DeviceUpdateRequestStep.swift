import CXCertCore
import CXCertDirectory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The `device-update-request` step: the phone's Device Update check, kept out of BootWalker.swift.
extension BuildWalk {
    /// Posts the phone's check to each Device Update server found at boot (plain HTTP on port 80, seed 000 l.492),
    /// reports what it offers, and asks each offered internal file for its headers only. Taken only when the walk is
    /// given an identity (``BootWalker/Configuration/deviceUpdateIdentity``): the request body's format is a guess.
    mutating func walkDeviceUpdateRequest() async {
        guard var identity = configuration.deviceUpdateIdentity, !updateServers.isEmpty else { return }
        if let firmware = profile.firmware { identity.firmware = firmware.description }
        notes.append("the request body's format is NOT FOUND in any source: its element names are guesses (see the README)")
        for server in updateServers {
            let request = DeviceUpdate.Request.check(host: server.name, identity: identity)
            let address = server.address
            let sent = await session.blocking {
                DeviceUpdate.check(request, address: address, limits: HTTPFetcher.Limits(maxBodyBytes: 256 << 10, timeout: $0))
            }
            guard case .success(let exchange) = sent else {
                if case .failure(let notMade) = sent { notes.append("\(request.url): not sent, \(notMade.why)") }
                continue
            }
            notes.append("request: POST \(request.url) to \(server.address) — body: \(request.body)")
            if let status = exchange.status { notes.append("answer: HTTP \(status), \(exchange.bodyBytes) bytes: \(exchange.excerpt)") }
            let judged = judge.deviceUpdateFindings(exchange.outcome, url: request.url, address: server.address, status: exchange.status)
            findings += judged.findings
            guard let offer = judged.offer else { continue }
            notes += judge.deviceUpdateOfferNotes(offer, server: server.name)
            for file in offer.files {
                for url in file.urls { await checkOfferedFile(url) }
            }
        }
        finish(.deviceUpdateRequest)
    }

    /// HEAD of one offered file, from the address the walk's DNS gives its host.
    mutating func checkOfferedFile(_ url: String) async {
        let host = (try? HTTPFetcher.target(of: url).host) ?? url
        guard let address = await addresses(host, purpose: "device-update-request: offered file").first else {
            findings.append(
                finding(
                    .deviceUpdateFileUnreachable, .error,
                    .walk(.deviceUpdate(url: url, address: nil, status: nil, failure: "\(host) does not resolve"))))
            return
        }
        guard
            case .success(let head) = await session.blocking({ budget in
                Result { () throws(HTTPError) in try HTTPFetcher.head(url, address: address, timeout: budget) }
            })
        else { return }
        do {
            let answer = try head.get()
            endpoints.append(
                BootEndpoint(
                    host: host, address: address, port: (try? HTTPFetcher.target(of: url).port) ?? 80, purpose: "offered update file",
                    chain: [], verdict: nil, outcome: "HEAD \(url): HTTP \(answer.status)"))
            if answer.status != 200 {
                findings.append(
                    finding(
                        .deviceUpdateFileUnreachable, .error,
                        .walk(.deviceUpdate(url: url, address: address, status: answer.status, failure: "HTTP \(answer.status)"))))
            }
        } catch {
            findings.append(
                finding(
                    .deviceUpdateFileUnreachable, .error,
                    .walk(.deviceUpdate(url: url, address: address, status: nil, failure: error.description))
                ))
        }
    }
}
