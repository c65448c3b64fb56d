/// Left-aligned columns for terminal tables; widths ignore ANSI colour codes.
public struct TextTable: Sendable {
    /// The column titles; their count sets the number of columns.
    public var header: [String]
    /// The rows, in order.
    public var rows: [[String]] = []

    /// An empty table with these column titles.
    public init(header: [String]) { self.header = header }

    /// Adds a row; its cells line up with the header's columns.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as lines: the header in bold, every column but the last padded to its widest cell.
    public func render(style: TextStyle = .plain) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { visibleWidth($0[safe: column] ?? "") }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - visibleWidth(cell))
            }.joined(separator: "  ")
        }
        return ([style.bold(line(header))] + rows.map(line)).joined(separator: "\n")
    }

    private func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if scalar == "\u{1B}" {
                inEscape = true
                continue
            }
            if inEscape {
                if scalar == "m" { inEscape = false }
                continue
            }
            width += 1
        }
        return width
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
