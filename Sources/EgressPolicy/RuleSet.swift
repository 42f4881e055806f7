/// A set of rule indices (into `CompiledProfile.rules`) as bits: what a
/// query answers and what an audit destination accumulates, without a `Set`
/// per answer. Up to 256 rules live in four words; a hand-written profile
/// with more keeps the rest in a `Set` (allocating only then).
public struct RuleSet: Equatable, Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    @usableFromInline var beyond: Set<Int> = []

    @inlinable public init() {}

    public init(_ rules: some Sequence<Int>) {
        for r in rules { insert(r) }
    }

    @inlinable public var isEmpty: Bool {
        words.0 | words.1 | words.2 | words.3 == 0 && beyond.isEmpty
    }

    public mutating func insert(_ rule: Int) {
        precondition(rule >= 0, "rule index \(rule)")
        switch rule >> 6 {
        case 0: words.0 |= 1 << UInt64(rule & 63)
        case 1: words.1 |= 1 << UInt64(rule & 63)
        case 2: words.2 |= 1 << UInt64(rule & 63)
        case 3: words.3 |= 1 << UInt64(rule & 63)
        default: beyond.insert(rule)
        }
    }

    @inlinable public func contains(_ rule: Int) -> Bool {
        guard rule >= 0 else { return false }
        switch rule >> 6 {
        case 0: return words.0 & (1 << UInt64(rule & 63)) != 0
        case 1: return words.1 & (1 << UInt64(rule & 63)) != 0
        case 2: return words.2 & (1 << UInt64(rule & 63)) != 0
        case 3: return words.3 & (1 << UInt64(rule & 63)) != 0
        default: return beyond.contains(rule)
        }
    }

    @inlinable public mutating func formUnion(_ other: RuleSet) {
        words.0 |= other.words.0; words.1 |= other.words.1; words.2 |= other.words.2; words.3 |= other.words.3
        if !other.beyond.isEmpty { beyond.formUnion(other.beyond) }
    }

    /// Calls `body` with each rule, in increasing order.
    public func forEach(_ body: (Int) -> Void) {
        // Word by word (an array of the four, and sorting an empty `beyond`, allocated per call).
        func each(_ word: UInt64, _ base: Int) {
            var bits = word
            while bits != 0 {
                body(base + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        each(words.0, 0)
        each(words.1, 64)
        each(words.2, 128)
        each(words.3, 192)
        if !beyond.isEmpty { for r in beyond.sorted() { body(r) } }
    }

    /// The rules, in increasing order (allocates).
    public var indices: [Int] {
        var out: [Int] = []
        forEach { out.append($0) }
        return out
    }

    public var count: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount + beyond.count
    }

    /// The same rules under new indices (`map[old]`, -1: gone), after a profile reload.
    public func remapped(_ map: [Int]) -> RuleSet {
        var out = RuleSet()
        forEach { i in if i < map.count && map[i] >= 0 { out.insert(map[i]) } }
        return out
    }

    public static func == (a: RuleSet, b: RuleSet) -> Bool {
        a.words == b.words && a.beyond == b.beyond
    }
}
