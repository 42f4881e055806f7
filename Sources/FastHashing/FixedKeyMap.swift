/// A hash map for small fixed-size keys on per-flow paths (addresses, name
/// IDs, memo questions): open addressing with linear probing over a
/// power-of-two slot array, hashed by `FastHash` with the map's seed, keys and
/// values kept densely in insertion order (an entry's index is stable until it
/// is removed, and iteration touches no empty slots), deletion by backward
/// shift (no tombstones).
///
/// A slot is one word: the upper 32 bits of the key's hash and the entry's
/// index + 1 (0: empty), so a probe compares keys only when the hash bits
/// agree. The slot array is kept at most half full. Copies share storage
/// until written (the arrays' copy-on-write).
@frozen
public struct FixedKeyMap<Key: FastHashable, Value> {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var storedKeys: [Key] = []
    /// The values, index for index with `keys`.
    @usableFromInline var storedValues: [Value] = []

    /// `seed`: `FastHash.randomSeed()` for keys the network chooses; a fixed
    /// seed where the order of equal runs must repeat.
    @inlinable
    public init(minimumCapacity: Int = 16, seed: UInt64 = 0) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        self.seed = seed
    }

    @inlinable public var count: Int { storedKeys.count }
    @inlinable public var isEmpty: Bool { storedKeys.isEmpty }
    /// The keys, densely, in insertion order (removal moves the last one into the gap).
    @inlinable public var keys: [Key] { storedKeys }
    /// The values, index for index with `keys`.
    @inlinable public var values: [Value] { storedValues }

    @inlinable @inline(__always)
    func hash(_ key: Key) -> UInt64 {
        var h = FastHash.Accumulator(seed: seed)
        key.mix(into: &h)
        return h.value
    }

    /// The slot holding `key`, or the empty slot where it would go, and the entry's index (-1: absent).
    @inlinable @inline(__always)
    func probe(_ key: Key, _ h: UInt64) -> (slot: Int, index: Int) {
        let tag = h & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[slot]
            if s == 0 { return (slot, -1) }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int(s & 0xFFFF_FFFF) - 1
                if storedKeys[index] == key { return (slot, index) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The entry index of `key`, if present.
    @inlinable
    public func index(forKey key: Key) -> Int? {
        let found = probe(key, hash(key)).index
        return found < 0 ? nil : found
    }

    @inlinable
    public subscript(key: Key) -> Value? {
        let found = probe(key, hash(key)).index
        return found < 0 ? nil : storedValues[found]
    }

    /// The value at an entry index, in place.
    @inlinable
    public subscript(valueAt index: Int) -> Value {
        get { storedValues[index] }
        _modify { yield &storedValues[index] }
    }

    /// The entry index of `key`, inserting `make()` first when absent.
    @inlinable
    public mutating func index(forKey key: Key, insertingIfAbsent make: () -> Value) -> (index: Int, inserted: Bool) {
        let h = hash(key)
        let (slot, found) = probe(key, h)
        if found >= 0 { return (found, false) }
        let index = storedKeys.count
        storedKeys.append(key)
        storedValues.append(make())
        slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
        if storedKeys.count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// Sets `key`'s value (inserting it when absent); returns its entry index.
    @inlinable @discardableResult
    public mutating func set(_ key: Key, _ value: Value) -> Int {
        let (index, inserted) = self.index(forKey: key, insertingIfAbsent: { value })
        if !inserted { storedValues[index] = value }
        return index
    }

    /// Removes `key`; the last entry moves into its index. Returns the value removed.
    @inlinable @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        let (slot, index) = probe(key, hash(key))
        guard index >= 0 else { return nil }
        clear(slot: slot)
        let last = storedKeys.count - 1
        if index != last {
            // The last entry moves down to `index`: point its slot there.
            let moved = storedKeys[last]
            let (movedSlot, movedIndex) = probe(moved, hash(moved))
            assert(movedIndex == last)
            slots[movedSlot] = (slots[movedSlot] & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
            storedKeys.swapAt(index, last)
            storedValues.swapAt(index, last)
        }
        storedKeys.removeLast()
        return storedValues.removeLast()
    }

    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = true) {
        storedKeys.removeAll(keepingCapacity: keepingCapacity)
        storedValues.removeAll(keepingCapacity: keepingCapacity)
        if keepingCapacity {
            for i in slots.indices { slots[i] = 0 }
        } else {
            slots = [UInt64](repeating: 0, count: 16)
            mask = 15
        }
    }

    /// Backward-shift deletion: later entries of the probe run move up so no run has a hole.
    @inlinable
    mutating func clear(slot start: Int) {
        var hole = start
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: hash(storedKeys[Int(slots[next] & 0xFFFF_FFFF) - 1])) & mask
            // Move the entry at `next` into the hole unless its home lies cyclically in (hole, next].
            let distanceToHole = (next &- hole) & mask, distanceToHome = (next &- home) & mask
            if distanceToHome >= distanceToHole {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    @inlinable
    mutating func grow() {
        let size = slots.count * 2
        var fresh = [UInt64](repeating: 0, count: size)
        let m = size - 1
        for (index, key) in storedKeys.enumerated() {
            let h = hash(key)
            var slot = Int(truncatingIfNeeded: h) & m
            while fresh[slot] != 0 { slot = (slot + 1) & m }
            fresh[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
        }
        slots = fresh
        mask = m
    }
}

extension FixedKeyMap: Sendable where Key: Sendable, Value: Sendable {}
