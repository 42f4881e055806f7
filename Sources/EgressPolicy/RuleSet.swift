/// A set of rule indices (into `CompiledProfile.rules`) as bits: what a
/// query answers and what an audit destination accumulates, without a `Set`
/// per answer. Up to 256 rules live in four words; a profile with more keeps
/// the bits of the rest in an array, which stays nil (no reference to count
/// as the set is copied, for every flow the audit folds) until such a rule is in it.
public struct RuleSet: Equatable, Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Bits of rules 256 and up (word i: rules 256 + 64 i ..< 256 + 64 (i + 1)); nil while there are none.
    @usableFromInline var beyond: [UInt64]?

    @inlinable public init() {}

    public init(_ rules: some Sequence<Int>) {
        for r in rules { insert(r) }
    }

    @inlinable public var isEmpty: Bool {
        words.0 | words.1 | words.2 | words.3 == 0 && beyond == nil
    }

    @inlinable public mutating func insert(_ rule: Int) {
        precondition(rule >= 0, "rule index \(rule)")
        switch rule >> 6 {
        case 0: words.0 |= 1 << UInt64(rule & 63)
        case 1: words.1 |= 1 << UInt64(rule & 63)
        case 2: words.2 |= 1 << UInt64(rule & 63)
        case 3: words.3 |= 1 << UInt64(rule & 63)
        default:
            let word = (rule >> 6) - 4
            insert(beyond: word, bit: 1 << UInt64(rule & 63))
        }
    }

    @inlinable public func contains(_ rule: Int) -> Bool {
        guard rule >= 0 else { return false }
        switch rule >> 6 {
        case 0: return words.0 & (1 << UInt64(rule & 63)) != 0
        case 1: return words.1 & (1 << UInt64(rule & 63)) != 0
        case 2: return words.2 & (1 << UInt64(rule & 63)) != 0
        case 3: return words.3 & (1 << UInt64(rule & 63)) != 0
        default:
            let word = (rule >> 6) - 4
            guard let beyond, word < beyond.count else { return false }
            return beyond[word] & (1 << UInt64(rule & 63)) != 0
        }
    }

    @inlinable public mutating func formUnion(_ other: RuleSet) {
        words.0 |= other.words.0; words.1 |= other.words.1; words.2 |= other.words.2; words.3 |= other.words.3
        if let more = other.beyond { formUnion(beyond: more) }
    }

    @usableFromInline
    mutating func insert(beyond word: Int, bit: UInt64) {
        var bits = beyond ?? []
        if bits.count <= word { bits += [UInt64](repeating: 0, count: word + 1 - bits.count) }
        bits[word] |= bit
        beyond = bits
    }

    @usableFromInline
    mutating func formUnion(beyond more: [UInt64]) {
        var bits = beyond ?? []
        if bits.count < more.count { bits += [UInt64](repeating: 0, count: more.count - bits.count) }
        for (i, word) in more.enumerated() { bits[i] |= word }
        beyond = bits
    }

    /// Calls `body` with each rule, in increasing order.
    @inlinable public func forEach(_ body: (Int) -> Void) {
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
        if let beyond { for (i, word) in beyond.enumerated() { each(word, 256 + 64 * i) } }
    }

    /// The rules, in increasing order (allocates).
    public var indices: [Int] {
        var out: [Int] = []
        forEach { out.append($0) }
        return out
    }

    public var count: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount + (beyond?.reduce(0) { $0 + $1.nonzeroBitCount } ?? 0)
    }

    /// The same rules under new indices (`map[old]`, -1: gone), after a profile reload.
    public func remapped(_ map: [Int]) -> RuleSet {
        var out = RuleSet()
        forEach { i in if i < map.count && map[i] >= 0 { out.insert(map[i]) } }
        return out
    }

    public static func == (a: RuleSet, b: RuleSet) -> Bool {
        guard a.words == b.words else { return false }
        if a.beyond == nil && b.beyond == nil { return true }
        // Words past the last set bit are zero either way (no array is kept with them, but compare as sets).
        let x = a.beyond ?? [], y = b.beyond ?? []
        for i in 0 ..< Swift.max(x.count, y.count) where (i < x.count ? x[i] : 0) != (i < y.count ? y[i] : 0) { return false }
        return true
    }
}
