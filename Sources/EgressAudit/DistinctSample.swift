import FastHashing
import PacketWire

/// A value a `DistinctSample` can hold: it needs a well-mixed 64-bit hash that
/// is the same in every process (reports made on two nodes are merged on a third).
protocol SampleHashable: Hashable {
    var sampleHash: UInt64 { get }
}

extension IPAddress: SampleHashable {
    /// Unseeded, so the same in every process: reports made on two nodes are merged on a third.
    @inline(__always) var sampleHash: UInt64 { FastHash.hash(self.high, self.low ^ (isIPv4 ? 0x5151 : 0)) }
}

/// A bounded sample of distinct values and how many there were: the values
/// of the `capacity` smallest hashes ("k minimum values": Bar-Yossef et al.,
/// RANDOM 2002; Beyer et al., SIGMOD 2007).
///
/// Invariants: below `capacity` distinct values every one is kept and `count`
/// is exact; past it the kept values are a uniform sample and `count` is
/// estimated as (k − 1) / h, h the largest kept hash scaled to [0, 1), with a
/// relative standard error of about 1/√(k − 2) (18 % at k = 32). The union of
/// two samples cut back to `capacity` is the sample of the union of their
/// inputs, so merging is associative and commutative and equals one pass
/// over both inputs: what `egress-audit merge` relies on.
struct DistinctSample<Value: SampleHashable> {
    let capacity: Int
    /// The kept values, each with its hash (one array: one allocation per sample, not two), once
    /// there are three or more; one or two are kept in `first` and `second` (most destinations see
    /// one port, a node or two, an address or two: the sample then allocates nothing; allocating
    /// for a second value was ~550 instructions, for a third of a per-flow capture's destinations).
    private var items: [Item] = []
    private var first: Item?
    private var second: Item?

    private struct Item {
        let value: Value
        let hash: UInt64
    }

    /// The kept values, in the order they were kept (made on each call: for reports and merges).
    var values: [Value] {
        guard items.isEmpty else { return items.map(\.value) }
        guard let first else { return [] }
        return second.map { [first.value, $0.value] } ?? [first.value]
    }
    /// Where the largest kept hash is (meaningful when full).
    private var largest = 0
    /// A distinct value was turned away or evicted: `count` is an estimate.
    private(set) var isEstimated = false
    /// Bit `h >> 58` of every hash kept so far (never cleared): a value whose bit is
    /// clear is not in the sample, so the scan for it is skipped.
    private var seen: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(2, capacity)
    }

    /// Samples of up to this many values are searched by value first (a hash costs more than a few comparisons).
    static var scannedByValue: Int { 8 }

    var isEmpty: Bool { first == nil }

    /// The value, when exactly one was seen.
    var only: Value? { items.isEmpty && second == nil ? first?.value : nil }

    /// Distinct values seen: exact unless `isEstimated`.
    var count: Int {
        guard !items.isEmpty else { return first == nil ? 0 : second == nil ? 1 : 2 }
        guard isEstimated, items.count == capacity, items[largest].hash > 0 else { return items.count }
        let fraction = Double(items[largest].hash) / 18_446_744_073_709_551_616.0
        return max(items.count, Int(((Double(capacity) - 1) / fraction).rounded()))
    }

    mutating func insert(_ value: Value) {
        guard let kept = first else {
            let h = value.sampleHash
            first = Item(value: value, hash: h)
            seen = 1 << (h >> 58)
            return
        }
        // A value already kept among a few is found by comparing values, before any hash is made:
        // most inserts are of a value the sample holds (a destination's nodes take turns).
        if items.isEmpty {
            if kept.value == value { return }
            guard let other = second else {
                let h = value.sampleHash
                second = Item(value: value, hash: h)
                seen |= 1 << (h >> 58)
                return
            }
            if other.value == value { return }
            // The third distinct value: the two kept move into the array (room for four at once).
            items.reserveCapacity(Swift.min(capacity, 4))
            items.append(kept)
            items.append(other)
            second = nil
            if items.count == capacity { largest = Self.indexOfLargest(items) }
        } else if items.count <= Self.scannedByValue {
            for item in items where item.value == value { return }
        }
        let h = value.sampleHash
        if items.count == capacity, h > items[largest].hash {
            // Larger than every kept hash: a value not in the sample, turned away.
            isEstimated = true
            return
        }
        let bit: UInt64 = 1 << (h >> 58)
        if seen & bit != 0 {
            for i in items.indices where items[i].hash == h && items[i].value == value { return }
        }
        seen |= bit
        if items.count < capacity {
            items.append(Item(value: value, hash: h))
            if items.count == capacity { largest = Self.indexOfLargest(items) }
            return
        }
        items[largest] = Item(value: value, hash: h)
        largest = Self.indexOfLargest(items)
        isEstimated = true
    }

    /// One pass over both inputs, as if every value had been inserted here.
    mutating func formUnion(_ other: DistinctSample<Value>) {
        for v in other.values { insert(v) }
        if other.isEstimated { isEstimated = true }
    }

    /// Rebuilds a sample from a report's list and its "estimated" flag.
    init(capacity: Int, values: some Sequence<Value>, estimated: Bool) {
        self.init(capacity: capacity)
        for v in values { insert(v) }
        if estimated { isEstimated = true }
    }

    private static func indexOfLargest(_ items: [Item]) -> Int {
        var best = 0
        for i in items.indices where items[i].hash > items[best].hash { best = i }
        return best
    }
}

extension DistinctSample where Value: Comparable {
    /// The kept values, sorted, each as `text` writes it: for reports. One array is made (the
    /// values are sorted in scratch space), where `values.sorted().map(text)` made three.
    func sortedTexts(_ text: (Value) -> String) -> [String] {
        guard !items.isEmpty else {
            guard let first else { return [] }
            guard let second else { return [text(first.value)] }
            // As `sorted()` orders two: the second first only if it is less.
            return second.value < first.value ? [text(second.value), text(first.value)] : [text(first.value), text(second.value)]
        }
        return withUnsafeTemporaryAllocation(of: Value.self, capacity: items.count) { buffer in
            var scratch = buffer
            for (k, item) in items.enumerated() { (scratch.baseAddress! + k).initialize(to: item.value) }
            defer { scratch.deinitialize() }
            scratch.sort()
            return scratch.map(text)
        }
    }
}
