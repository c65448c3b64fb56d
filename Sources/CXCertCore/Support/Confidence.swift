/// How sure a sourced fact is (see `Knowledge/README.md`).
public enum Confidence: String, Sendable, Codable, Comparable {
    /// Stated by Microsoft documentation, a vendor guide for that exact case, or a primary spec.
    case high
    /// Stated by an experienced third party, or directly derivable.
    case medium
    /// A single anecdote, or the default we follow where no source settles the fact.
    case low
    /// Set by the user (`--device-data` or `--capability`).
    case user

    private var rank: Int { [.low: 0, .medium: 1, .high: 2, .user: 3][self]! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
