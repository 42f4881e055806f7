/// A set of 64-bit fingerprints (hashes that stand for a larger value, such as a DNS answer's):
/// open addressing with linear probing over a power-of-two array, each fingerprint kept in its
/// slot itself, so a look-up reads one cache line where `FixedKeyMap<UInt64, Void>` read two (the
/// slot, then the entry it points at: on per-flow traffic the DNS answers' fingerprint look-ups were
/// 4.6 % of the tracking thread's time, nearly all of it in those two misses). The home slot is the
/// fingerprint hashed again with the set's seed: fingerprints made from what the network sends
/// could be chosen to share low bits. At most half full; grows by doubling.
/// Copies share the slots until one of them inserts (the array's copy-on-write).
///
/// Fingerprints 0 and 1 are one member: 0 marks an empty slot, so 0 is stored as 1 (a pair as
/// likely to be the same value's as any other two fingerprints).
@frozen
public struct FingerprintSet: Sendable {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var members = 0

    /// Room for `minimumCapacity` fingerprints before the first growth; `seed`:
    /// `FastHash.randomSeed()` for fingerprints of what the network sends.
    public init(minimumCapacity: Int = 16, seed: UInt64 = 0) {
        let size = FastHash.slotCount(forEntries: minimumCapacity)
        slots = PagesAhead.zeroed(size, of: UInt64.self)
        mask = size - 1
        self.seed = seed
    }

    @inlinable @inline(__always)
    func home(_ value: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: FastHash.hash(value, seed: seed)) & mask }

    @inlinable @inline(__always)
    static func stored(_ fingerprint: UInt64) -> UInt64 { fingerprint == 0 ? 1 : fingerprint }

    /// The slot holding `value` (stored form), or the empty slot where it would go.
    @inlinable @inline(__always)
    func probe(_ value: UInt64) -> (slot: Int, found: Bool) {
        var slot = home(value, mask)
        while true {
            let s = slots[slot]
            if s == value { return (slot, true) }
            if s == 0 { return (slot, false) }
            slot = (slot + 1) & mask
        }
    }

    /// How many fingerprints the set holds.
    @inlinable public var count: Int { members }

    @inlinable
    public func contains(_ fingerprint: UInt64) -> Bool { probe(Self.stored(fingerprint)).found }

    /// Inserts `fingerprint`; false when it was a member already.
    @inlinable @discardableResult
    public mutating func insert(_ fingerprint: UInt64) -> Bool {
        let value = Self.stored(fingerprint)
        let (slot, found) = probe(value)
        if found { return false }
        slots[slot] = value
        members += 1
        if members * 2 > mask + 1 { grow() }
        return true
    }

    /// Twice the slots; each fingerprint moves to its home in the new array.
    @usableFromInline
    mutating func grow() {
        let size = (mask + 1) * 2, m = size - 1
        var fresh = PagesAhead.zeroed(size, of: UInt64.self)
        for value in slots where value != 0 {
            var slot = home(value, m)
            while fresh[slot] != 0 { slot = (slot + 1) & m }
            fresh[slot] = value
        }
        slots = fresh
        mask = m
    }
}
