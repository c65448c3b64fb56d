/// The facts behind a finding that another module declares, typed there: DHCP answers and captures live beside the
/// code that reads them, not in the core. A conforming type encodes itself whole (`{"kind": ..., <its fields>}`, as
/// every ``FindingDetail`` does) and words the findings it carries, so ``Finding/message`` and ``Finding/remedy``
/// read the same whether the facts are the core's or not.
public protocol FindingFacts: Sendable, Hashable, Encodable {
    /// The `kind` key of the JSON.
    var kind: String { get }
    /// One sentence saying what is wrong, for a finding that carries these facts.
    func message(for finding: Finding) -> String
    /// The fix, specific enough to act on, for a finding that carries these facts.
    func remedy(for finding: Finding) -> String
}

/// Facts of any ``FindingFacts`` type, as ``FindingDetail/facts(_:)`` carries them: equal when their types and values
/// are.
public struct AnyFindingFacts: Sendable, Hashable {
    /// The facts themselves; `as?` their type to read them.
    public let base: any FindingFacts

    /// Wraps facts.
    public init(_ base: some FindingFacts) { self.base = base }

    public static func == (lhs: Self, rhs: Self) -> Bool { AnyHashable(lhs.base) == AnyHashable(rhs.base) }
    public func hash(into hasher: inout Hasher) { hasher.combine(AnyHashable(base)) }
}

/// The keys of a finding detail's JSON object: `kind` and the fields of its case.
package struct FindingDetailKey: CodingKey {
    package let stringValue: String
    package init(_ string: String) { stringValue = string }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package var intValue: Int? { nil }
    package init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where Key == FindingDetailKey {
    /// Encodes one field of a finding detail (a nil value as `null`, as the README documents).
    package mutating func put<Value: Encodable>(_ key: String, _ value: Value) throws { try encode(value, forKey: Key(key)) }
}
