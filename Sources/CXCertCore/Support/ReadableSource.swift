import Foundation

/// A data row's source as a reader of a report needs it: the document, without the project's own references to its seed
/// files and line numbers (`seeds/cx700-deployment-guide.txt l.162-173`, `seed 004 l.35`), which stay in the data files and
/// the `source` fields of the JSON.
package func readableSource(_ source: String) -> String {
    var text = source
    for pattern in [
        #"\s*\(seeds?/[^)]*\)"#, #"\s*\(seed \d+[^)]*\)"#, #",?\s*seeds?/\S+"#, #",?\s*seed \d+ l\.[\d,\-]+"#, #"\s+l\.\d+(-\d+)?"#,
    ] {
        text = text.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
    }
    return text.trimmingCharacters(in: CharacterSet(charactersIn: " ,;"))
}
