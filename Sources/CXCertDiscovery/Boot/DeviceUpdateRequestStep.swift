import CXCertCore
import CXCertDirectory
import Foundation

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
            guard
                let exchange = await session.blocking({
                    DeviceUpdate.check(request, address: address, limits: HTTPFetcher.Limits(maxBodyBytes: 256 << 10, timeout: $0))
                })
            else {
                notes.append("\(request.url): not sent, \(BootSession.notMade)")
                continue
            }
            notes.append("request: POST \(request.url) to \(server.address) — body: \(request.body)")
            if let status = exchange.status { notes.append("answer: HTTP \(status), \(exchange.bodyBytes) bytes: \(exchange.excerpt)") }
            let offer: DeviceUpdate.Offer
            switch exchange.outcome {
            case .failure(let failure):
                findings.append(
                    finding(
                        .deviceUpdateCheckFailed, .error,
                        .walk(
                            .deviceUpdate(url: request.url, address: server.address, status: exchange.status, failure: failure.description))
                    ))
                continue
            case .success(let value): offer = value
            }
            if offer.files.isEmpty {
                notes.append(
                    "\(server.name) offers no update to \(profile.name) (NumOfFiles \(offer.numberOfFiles.map(String.init) ?? "absent"), server \(offer.serverVersion ?? "?"))"
                )
                judgeNoOffer(url: request.url)
            }
            var judged: Set<String> = []
            for file in offer.files {
                notes.append(
                    "\(server.name) offers \(file.fileName) version \(file.version ?? "unknown") at \(file.baseURL ?? "no internal URL")")
                if let version = file.version, judged.insert(version).inserted { judgeOffered(version, url: request.url) }
                for url in file.urls { await checkOfferedFile(url) }
            }
        }
        finish(.deviceUpdateRequest)
    }

    /// Nothing offered: a warning when `Knowledge/updates.json` says this build needs an update for Lync Server 2013 (the
    /// walk does not know the pool's version, so never an error).
    mutating func judgeNoOffer(url: String) {
        guard let build = profile.firmware,
            let row = UpdateKnowledge.builtIn.lync2013(build, family: profile.familyID), row.needsUpdate
        else { return }
        findings.append(
            finding(
                .deviceUpdateNoneOffered, .warning,
                .walk(
                    .deviceUpdateOffer(
                        url: url, build: build.description, offered: nil, lync2013: row.support, via: [], source: row.source,
                        confidence: row.confidence))))
    }

    /// An offered version the running build cannot take in one step (`Knowledge/updates.json` `upgradePaths`).
    mutating func judgeOffered(_ version: String, url: String) {
        guard let build = profile.firmware, let offered = FirmwareVersion(version), offered > build,
            let path = UpdateKnowledge.builtIn.upgradePath(from: build, to: offered, family: profile.familyID)
        else { return }
        findings.append(
            finding(
                .deviceUpdateNeedsIntermediate, path.confidence == .low ? .warning : .error,
                .walk(
                    .deviceUpdateOffer(
                        url: url, build: build.description, offered: version, lync2013: nil, via: path.via, source: path.source,
                        confidence: path.confidence))))
    }

    /// HEAD of one offered file, from the address the walk's DNS gives its host.
    mutating func checkOfferedFile(_ url: String) async {
        // The phone fetches internal update files over plain HTTP on port 80 (seed 002 comment 14; DeviceUpdateStoreInternalUri).
        if let target = try? HTTPFetcher.target(of: url), !(url.lowercased().hasPrefix("http://") && target.port == 80) {
            findings.append(
                finding(
                    .deviceUpdateFileNotPort80, .warning,
                    .walk(
                        .deviceUpdate(
                            url: url, address: nil, status: nil,
                            failure: "\(url.lowercased().hasPrefix("https://") ? "HTTPS" : "another scheme") on port \(target.port)"))))
        }
        let host = (try? HTTPFetcher.target(of: url).host) ?? url
        guard let address = await addresses(host, purpose: "device-update-request: offered file").first else {
            findings.append(
                finding(
                    .deviceUpdateFileUnreachable, .error,
                    .walk(.deviceUpdate(url: url, address: nil, status: nil, failure: "\(host) does not resolve"))))
            return
        }
        guard
            let head = await session.blocking({ budget in
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
