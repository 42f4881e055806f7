import FastHashing
import PacketWire

/// Every id whose prefix contains an address, answered without allocating.
///
/// Built once from `(CIDR, id)` entries that may nest and overlap freely (an
/// Azure address is in `AzureCloud`, `AzureCloud.westus`, `Storage` and
/// `Storage.WestUS` at once). The build flattens each family's prefixes into
/// disjoint address intervals; each interval carries an interned *match set*
/// (the sorted, de-duplicated ids of all prefixes containing it, stored once in
/// a shared array). A lookup indexes a 2^16-entry table by the address's top
/// 16 bits, which narrows the search to the intervals starting in that block,
/// then binary-searches them: no allocation, no pointer chasing. The lookup
/// by set index is inlinable: a call passed the matcher, or the profile
/// holding it, by a copy made for every flow.
public struct PrefixMatcher: Sendable {
    // IPv4: interval starts and their match-set indices, plus the top-16-bit index.
    @usableFromInline let v4Starts: [UInt32]
    @usableFromInline let v4Sets: [UInt32]
    @usableFromInline let v4Index: [UInt32]
    // IPv6: the same over 128-bit keys split in two words; index on the top 16 bits.
    @usableFromInline let v6StartHigh: [UInt64]
    @usableFromInline let v6StartLow: [UInt64]
    @usableFromInline let v6Sets: [UInt32]
    @usableFromInline let v6Index: [UInt32]
    // Match set n is setIDs[setOffsets[n] ..< setOffsets[n + 1]]; set 0 is empty.
    private let setOffsets: [Int]
    private let setIDs: [Int32]

    /// Number of disjoint intervals (IPv4, IPv6) and interned match sets: the size of the built table.
    public var statistics: (ipv4Intervals: Int, ipv6Intervals: Int, matchSets: Int) {
        (v4Starts.count, v6StartHigh.count, setOffsets.count - 1)
    }

    public init<S: Sequence>(_ entries: S) where S.Element == (CIDR, Int32) {
        var v4: [(CIDR, Int32)] = []
        var v6: [(CIDR, Int32)] = []
        for e in entries {
            if e.0.isIPv4 { v4.append(e) } else { v6.append(e) }
        }
        var sets = MatchSetInterner()
        let i4 = PrefixMatcher.flatten(v4, familyLast: UInt128Key(high: 0, low: UInt64(UInt32.max)), sets: &sets)
        let i6 = PrefixMatcher.flatten(v6, familyLast: .max, sets: &sets)

        let starts4 = i4.map { UInt32(truncatingIfNeeded: $0.start.low) }
        let high6 = i6.map(\.start.high)
        v4Starts = starts4
        v4Sets = i4.map(\.set)
        // Interval k is the answer from the first block whose first address it starts at or before.
        v4Index = PrefixMatcher.blockIndex(count: starts4.count) { k in Int((UInt64(starts4[k]) + 0xFFFF) >> 16) }
        v6StartHigh = high6
        v6Sets = i6.map(\.set)
        let low6 = i6.map(\.start.low)
        v6StartLow = low6
        v6Index = PrefixMatcher.blockIndex(count: high6.count) { k in
            Int(high6[k] >> 48) + (high6[k] & 0xFFFF_FFFF_FFFF != 0 || low6[k] != 0 ? 1 : 0)
        }
        setOffsets = sets.offsets
        setIDs = sets.ids
    }

    /// Every id whose prefix contains `address` (IPv4 addresses search the
    /// IPv4 prefixes, IPv6 ones the IPv6 prefixes, including `::ffff:0:0/96`).
    public func lookup(_ address: IPAddress) -> PrefixMatchSet {
        matchSet(setIndex(of: address))
    }

    /// Only the index of the set containing `address` (`PrefixMatchSet.setIndex`):
    /// what per-flow callers key their memos by, without the id slice.
    @inlinable
    public func setIndex(of address: IPAddress) -> UInt32 {
        address.isIPv4 ? setIndex(ipv4: address.ipv4) : setIndex(ipv6High: address.high, low: address.low)
    }

    public func lookup(ipv4 address: UInt32) -> PrefixMatchSet {
        matchSet(setIndex(ipv4: address))
    }

    public func lookup(ipv6High high: UInt64, low: UInt64) -> PrefixMatchSet {
        matchSet(setIndex(ipv6High: high, low: low))
    }

    /// The ids of a set index from `setIndex(of:)`.
    public func matchSet(index: UInt32) -> PrefixMatchSet { matchSet(index) }

    @inlinable
    func setIndex(ipv4 address: UInt32) -> UInt32 {
        let block = Int(address >> 16)
        var lo = Int(v4Index[block])
        var hi = Int(v4Index[block + 1])
        // Invariant: v4Starts[lo] <= address; the answer is the last start <= address in lo...hi.
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if v4Starts[mid] <= address { lo = mid } else { hi = mid - 1 }
        }
        return v4Sets[lo]
    }

    @inlinable
    func setIndex(ipv6High high: UInt64, low: UInt64) -> UInt32 {
        let block = Int(high >> 48)
        var lo = Int(v6Index[block])
        var hi = Int(v6Index[block + 1])
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            let h = v6StartHigh[mid]
            if h < high || (h == high && v6StartLow[mid] <= low) { lo = mid } else { hi = mid - 1 }
        }
        return v6Sets[lo]
    }

    private func matchSet(_ n: UInt32) -> PrefixMatchSet {
        let i = Int(n)
        return PrefixMatchSet(setIndex: n, ids: setIDs[setOffsets[i] ..< setOffsets[i + 1]])
    }

    // MARK: Build

    struct Interval {
        var start: UInt128Key
        var set: UInt32
    }

    /// Sweeps prefixes in address order keeping the chain of prefixes that
    /// contain the current position (CIDR prefixes either nest or are
    /// disjoint, so that chain is a stack). Every change of the top of the
    /// stack starts an interval labelled with the top's match set, which is
    /// its parent's set plus its own ids, interned once at push time.
    static func flatten(_ entries: [(CIDR, Int32)], familyLast: UInt128Key, sets: inout MatchSetInterner) -> [Interval] {
        var prefixes = entries.map { (first: $0.0.firstKey, last: $0.0.lastKey, length: $0.0.prefixLength, id: $0.1) }
        prefixes.sort { a, b in a.first != b.first ? a.first < b.first : a.length < b.length }

        var out: [Interval] = []
        func emit(_ start: UInt128Key, _ set: UInt32) {
            if let last = out.last, last.set == set { return }
            out.append(Interval(start: start, set: set))
        }
        var stack: [(last: UInt128Key, set: UInt32)] = []
        var pos: UInt128Key? = .zero
        var i = 0
        while i < prefixes.count {
            // One group = one distinct prefix, with all the ids given for it.
            let first = prefixes[i].first, last = prefixes[i].last, length = prefixes[i].length
            var ids: [Int32] = []
            while i < prefixes.count, prefixes[i].first == first, prefixes[i].length == length {
                ids.append(prefixes[i].id)
                i += 1
            }
            while let top = stack.last, top.last < first {
                if let p = pos, !(top.last < p) { emit(p, top.set) }
                pos = top.last.successor
                stack.removeLast()
            }
            if let p = pos, p < first { emit(p, stack.last?.set ?? 0) }
            pos = first
            let set = sets.intern(parent: stack.last?.set ?? 0, adding: ids)
            stack.append((last, set))
        }
        while let top = stack.popLast() {
            if let p = pos, !(top.last < p) { emit(p, top.set) }
            pos = top.last.successor
        }
        if let p = pos, !(familyLast < p) { emit(p, 0) }
        if out.isEmpty { out.append(Interval(start: .zero, set: 0)) }
        return out
    }

    /// index[b] = the interval containing the first address of block b (of 65,536, by the address's
    /// top 16 bits); index[65536] = the last interval. `firstBlock(k)`: the first block whose first
    /// address interval k (sorted, k ≥ 1) starts at or before; interval 0 starts the family.
    /// Filled run by run, one call per interval: asking each block of each interval (a closure
    /// call per block) was 2.5 M instructions per matcher, every start-up.
    static func blockIndex(count: Int, firstBlock: (Int) -> Int) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: 65537) { index, initialized in
            var b = 0
            for k in 1 ..< Swift.max(count, 1) {
                let first = Swift.min(firstBlock(k), 65536)
                while b < first { index[b] = UInt32(k - 1); b += 1 }
            }
            while b < 65536 { index[b] = UInt32(count - 1); b += 1 }
            index[65536] = UInt32(count - 1)
            initialized = 65537
        }
    }
}

/// The ids of all prefixes containing one address: a view into the matcher's
/// shared id array (sorted ascending, no duplicates). `setIndex` names the
/// set itself, so callers can cache per-set decisions (two addresses with the
/// same `setIndex` are in exactly the same prefixes' ids).
public struct PrefixMatchSet: RandomAccessCollection, Sendable {
    public let setIndex: UInt32
    public let ids: ArraySlice<Int32>

    public var startIndex: Int { ids.startIndex }
    public var endIndex: Int { ids.endIndex }
    public subscript(position: Int) -> Int32 { ids[position] }
    public var isEmpty: Bool { ids.isEmpty }
    public var count: Int { ids.count }

    public func contains(id: Int32) -> Bool {
        var lo = ids.startIndex, hi = ids.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.endIndex && ids[lo] == id
    }
}

/// Stores each distinct sorted id list once.
struct MatchSetInterner {
    var offsets: [Int] = [0, 0]
    var ids: [Int32] = []
    /// Each set's hash (its ids through `FastHash`) to the last set made with it, and each set to the
    /// one made before it with the same hash (`noSet`: none): a set is found by comparing it with the
    /// few of its hash, in place. (A `[[Int32]: UInt32]` hashed every set with SipHash and kept a copy
    /// of each as its key: a tenth of building a Service Tags file's matcher.)
    private var lastWithHash = FixedKeyMap<UInt64, UInt32>(minimumCapacity: 1024)
    private var previousWithHash: [UInt32] = [noSet]
    private static let noSet = UInt32.max

    /// The set made of a prefix's ids and its parent's (sorted, each once), in one reused buffer: a
    /// Service Tags file pushes some 60,000 prefixes, and three arrays made and sorted per push were
    /// half of building its matcher.
    private var merged: [Int32] = []

    init() {
        lastWithHash.set(Self.hash(of: []), 0)
    }

    private static func hash(of set: [Int32]) -> UInt64 {
        var h = FastHash.Accumulator(seed: UInt64(set.count))
        for id in set { h.mix(UInt64(UInt32(bitPattern: id))) }
        return h.value
    }

    mutating func intern(parent: UInt32, adding extra: [Int32]) -> UInt32 {
        let p = Int(parent)
        let sortedExtra = extra.count < 2 ? extra : extra.sorted()
        merged.removeAll(keepingCapacity: true)
        // Merge the parent's ids (sorted, distinct) with the prefix's own, dropping repeats.
        var a = offsets[p], b = 0
        let aEnd = offsets[p + 1]
        while a < aEnd || b < sortedExtra.count {
            let next: Int32
            if b == sortedExtra.count || (a < aEnd && ids[a] <= sortedExtra[b]) {
                next = ids[a]; a += 1
            } else {
                next = sortedExtra[b]; b += 1
            }
            if merged.last != next { merged.append(next) }
        }
        let h = Self.hash(of: merged)
        var candidate = lastWithHash[h] ?? Self.noSet
        while candidate != Self.noSet {
            let c = Int(candidate)
            if ids[offsets[c]..<offsets[c + 1]].elementsEqual(merged) { return candidate }
            candidate = previousWithHash[c]
        }
        let n = UInt32(offsets.count - 1)
        ids.append(contentsOf: merged)
        offsets.append(ids.count)
        previousWithHash.append(lastWithHash[h] ?? Self.noSet)
        lastWithHash.set(h, n)
        return n
    }
}
