import CXCertCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// LDIF (RFC 2849): the `--dry-run` output of directory writes, and the offline snapshot format.
public enum LDIF {
    /// `name: value`, or `name:: base64` when the value is not a safe string.
    static func line(_ name: String, _ value: [UInt8]) -> String {
        let safe =
            !value.isEmpty && value.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            && ![UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "<")].contains(value.first!)
            && value.last != UInt8(ascii: " ")
        return safe ? "\(name): \(String(decoding: value, as: UTF8.self))" : "\(name):: \(Data(value).base64EncodedString())"
    }

    static func line(_ name: String, _ value: String) -> String { line(name, Array(value.utf8)) }

    /// One entry or change record.
    struct Record: Sendable, Equatable {
        var dn: String
        var attributes: [(String, [UInt8])]
        var line: Int

        static func == (lhs: Record, rhs: Record) -> Bool {
            lhs.dn == rhs.dn && lhs.attributes.map(\.0) == rhs.attributes.map(\.0) && lhs.attributes.map(\.1) == rhs.attributes.map(\.1)
        }
    }

    /// Reads content records (as `cxcert ds list --save` and `ldapsearch -LLL` write them).
    /// Change records, URL values (`:<`) and version lines other than 1 are refused.
    static func parse(_ text: String, maxRecords: Int = 100_000) throws(DirectoryError) -> [Record] {
        var records: [Record] = []
        var current: Record?
        // Unfold continuation lines (a leading space continues the previous line) first.
        var logical: [(Int, String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasPrefix(" "), let last = logical.last, !last.1.isEmpty {
                logical[logical.count - 1].1 += line.dropFirst()
            } else {
                logical.append((index + 1, line))
            }
        }
        func finish() throws(DirectoryError) {
            if let record = current {
                records.append(record)
                guard records.count <= maxRecords else {
                    throw .invalidSnapshot(line: record.line, reason: "more than \(maxRecords) entries")
                }
            }
            current = nil
        }
        for (number, line) in logical {
            if line.isEmpty {
                try finish()
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else { throw .invalidSnapshot(line: number, reason: "expected 'name: value'") }
            let name = String(line[..<colon])
            var rest = line[line.index(after: colon)...]
            let value: [UInt8]
            if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                guard let decoded = Data(base64Encoded: rest.trimmingSpaces()) else {
                    throw .invalidSnapshot(line: number, reason: "the base64 value of \(name) does not decode")
                }
                value = Array(decoded)
            } else if rest.hasPrefix("<") {
                throw .invalidSnapshot(line: number, reason: "URL values (\(name):<) are not read; inline the data")
            } else {
                value = Array(rest.drop { $0 == " " }.utf8)
            }
            if current == nil {
                if name.lowercased() == "version" {
                    guard String(decoding: value, as: UTF8.self) == "1" else {
                        throw .invalidSnapshot(line: number, reason: "unsupported LDIF version")
                    }
                    continue
                }
                guard name.lowercased() == "dn" else { throw .invalidSnapshot(line: number, reason: "a record must start with dn:") }
                current = Record(dn: String(decoding: value, as: UTF8.self), attributes: [], line: number)
                continue
            }
            if name.lowercased() == "changetype" { throw .invalidSnapshot(line: number, reason: "change records are not a snapshot") }
            current?.attributes.append((name, value))
        }
        try finish()
        return records
    }

    static func render(_ records: [Record]) -> String {
        records.map { record in
            ([line("dn", record.dn)] + record.attributes.map { line($0.0, $0.1) }).joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }
}
