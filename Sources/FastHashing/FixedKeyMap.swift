import CPrefetch
/// A hash map for small fixed-size keys on per-flow paths (addresses, name
/// IDs, memo questions): open addressing with linear probing over a
/// power-of-two slot array, hashed by `FastHash` with the map's seed, entries
/// (each key beside its value, so a hit reads one line past its slot, not
/// two) kept densely in insertion order (an entry's index is stable until it
/// is removed, and iteration touches no empty slots), deletion by backward
/// shift (no tombstones).
///
/// A slot is one word: the lower 32 bits of the key's hash (above) and the
/// entry's index + 1 (0: empty), so a probe compares keys only when the hash
/// bits agree, and as those bits hold the key's home slot, deleting and
/// growing read only the slot array, never an entry (under churn, as in the
/// DNS answer cache, each entry read was a cache miss). The slot array is
/// kept at most half full, and at most 2^32 slots. Copies share storage
/// until written (the arrays' copy-on-write).
@frozen
public struct FixedKeyMap<Key: FastHashable, Value> {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var entries: [Entry] = []
    /// How far a reserved entry array's pages are mapped in (`reserveEntries`; nil: not reserved).
    @usableFromInline var entryPages: PagesAhead?

    /// A key beside its value (`FixedKeyMapEntry`: declared outside the map so that its metadata,
    /// made at run time for each array of entries, needs no look-up of `Key: FastHashable`).
    @usableFromInline typealias Entry = FixedKeyMapEntry<Key, Value>

    /// `seed`: `FastHash.randomSeed()` for keys the network chooses; a fixed
    /// seed where the order of equal runs must repeat. Room is made for
    /// `minimumCapacity` entries before the first grows the map.
    @inlinable
    public init(minimumCapacity: Int = 16, seed: UInt64 = 0) {
        let size = FastHash.slotCount(forEntries: minimumCapacity)
        slots = PagesAhead.zeroed(size, of: UInt64.self)
        mask = size - 1
        self.seed = seed
        // Room for the entries asked for as well: growing the entry array copied it each time.
        entries.reserveCapacity(minimumCapacity)
    }

    /// Reserves room for `count` entries (not slots: those grow as entries come, at most half
    /// full). A map whose entries are capped reserves the cap once, as address space: its pages
    /// are mapped as entries land on them, and the entry array is never copied to grow.
    @inlinable
    public mutating func reserveEntries(_ count: Int) {
        entries.reserveCapacity(count)
        entryPages = PagesAhead()
    }

    /// Maps in the next run of the reserved entries' pages (`PagesAhead`).
    @usableFromInline
    mutating func mapEntries() {
        guard var pages = entryPages else { return }
        pages.mapNextRun(of: entries, capacity: entries.capacity)
        entryPages = pages
    }

    @inlinable public var count: Int { entries.count }
    @inlinable public var isEmpty: Bool { entries.isEmpty }
    /// The keys, densely, in insertion order (removal moves the last one into the gap); made on each call, for reports.
    @inlinable public var keys: [Key] { entries.map(\.key) }
    /// The values, index for index with `keys`; made on each call, for reports.
    @inlinable public var values: [Value] { entries.map(\.value) }
    /// The key at an entry index.
    @inlinable public func key(at index: Int) -> Key { entries[index].key }

    @inlinable @inline(__always)
    func hash(_ key: Key) -> UInt64 { Self.hash(key, seed: seed) }

    /// The hash a map seeded with `seed` gives `key` (for a thread that looks ahead of the map's owner).
    @inlinable @inline(__always)
    public static func hash(_ key: Key, seed: UInt64) -> UInt64 {
        var h = FastHash.Accumulator(seed: seed)
        key.mix(into: &h)
        return h.value
    }

    /// The seed this map hashes with.
    @inlinable public var hashSeed: UInt64 { seed }

    /// Starts loading the home slot of a key whose hash is `h` (a lookup some way ahead).
    /// Mutating only so that a caller reaching it through a property reads the map in place, not a copy.
    @inlinable
    public mutating func prefetchSlot(hash h: UInt64) {
        // The mutable view: a read-only one of a field, in a mutating method, retained and released the array
        // around the call (~35 instructions); this one costs a uniqueness check (a map shared with a copy
        // has its slots copied first, as by any write).
        let m = mask
        slots.withUnsafeMutableBufferPointer { egress_prefetch_table($0.baseAddress! + (Int(truncatingIfNeeded: h) & m)) }
    }

    /// Starts loading the entry the home slot of a key whose hash is `h` points at, when its hash
    /// bits agree (a lookup nearer ahead: the slot itself should be loaded by now, by `prefetchSlot`).
    @inlinable
    public mutating func prefetchEntry(hash h: UInt64) {
        let s = slots[Int(truncatingIfNeeded: h) & mask]
        guard s != 0, s & 0xFFFF_FFFF_0000_0000 == h << 32 else { return }
        let index = Int(s & 0xFFFF_FFFF) - 1
        entries.withUnsafeBufferPointer { egress_prefetch_table($0.baseAddress! + index) }
    }

    /// The slot holding `key`, or the empty slot where it would go, and the entry's index (-1: absent).
    @inlinable @inline(__always)
    func probe(_ key: Key, _ h: UInt64) -> (slot: Int, index: Int) {
        let tag = h << 32
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[slot]
            if s == 0 { return (slot, -1) }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int(s & 0xFFFF_FFFF) - 1
                if entries[index].key == key { return (slot, index) }
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
        return found < 0 ? nil : entries[found].value
    }

    /// The value at an entry index, in place.
    @inlinable
    public subscript(valueAt index: Int) -> Value {
        get { entries[index].value }
        _modify { yield &entries[index].value }
    }

    /// The entry index of `key`, inserting `make()` first when absent.
    @inlinable
    public mutating func index(forKey key: Key, insertingIfAbsent make: () -> Value) -> (index: Int, inserted: Bool) {
        let h = hash(key)
        let (slot, found) = probe(key, h)
        if found >= 0 { return (found, false) }
        let index = entries.count
        if let pages = entryPages, index >= pages.mapped { mapEntries() }
        entries.append(Entry(key: key, value: make()))
        slots[slot] = h << 32 | UInt64(index + 1)
        if entries.count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// Sets `key`'s value (inserting it when absent); returns its entry index.
    @inlinable @discardableResult
    public mutating func set(_ key: Key, _ value: Value) -> Int {
        let (index, inserted) = self.index(forKey: key, insertingIfAbsent: { value })
        if !inserted { entries[index].value = value }
        return index
    }

    /// Removes `key`; the last entry moves into its index. Returns the value removed.
    @inlinable @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        let (slot, index) = probe(key, hash(key))
        guard index >= 0 else { return nil }
        clear(slot: slot)
        let last = entries.count - 1
        if index != last {
            // The last entry moves down to `index`: point its slot there.
            let moved = entries[last].key
            let (movedSlot, movedIndex) = probe(moved, hash(moved))
            assert(movedIndex == last)
            slots[movedSlot] = (slots[movedSlot] & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
            entries.swapAt(index, last)
        }
        return entries.removeLast().value
    }

    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = true) {
        entries.removeAll(keepingCapacity: keepingCapacity)
        if keepingCapacity {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
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
            let home = Int(truncatingIfNeeded: slots[next] >> 32) & mask
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
        precondition(size <= 1 << 32, "FixedKeyMap: more than 2^31 entries")
        var fresh = PagesAhead.zeroed(size, of: UInt64.self)
        let m = size - 1
        // Each slot moves by the hash bits it keeps: no entry is read.
        for e in slots where e != 0 {
            var slot = Int(truncatingIfNeeded: e >> 32) & m
            while fresh[slot] != 0 { slot = (slot + 1) & m }
            fresh[slot] = e
        }
        slots = fresh
        mask = m
    }
}

extension FixedKeyMap: Sendable where Key: Sendable, Value: Sendable {}
extension FixedKeyMapEntry: Sendable where Key: Sendable, Value: Sendable {}

/// A `FixedKeyMap`'s entry. Nested in the map, it carried the map's requirement: the first array
/// of each kind of entry made the Swift runtime check `Key: FastHashable`, a scan of every
/// protocol conformance in the binary (7,422 of them: some 300,000 instructions, for each of the
/// ten or so maps of a run, before its first flow).
@usableFromInline
struct FixedKeyMapEntry<Key, Value> {
    @usableFromInline let key: Key
    @usableFromInline var value: Value
    @inlinable init(key: Key, value: Value) {
        self.key = key
        self.value = value
    }
}
