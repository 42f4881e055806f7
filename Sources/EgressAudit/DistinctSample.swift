import FastHashing
import PacketWire

/// A value a `DistinctSample` can hold: it needs a well-mixed 64-bit hash that
/// is the same in every process (reports made on two nodes are merged on a third).
protocol SampleHashable: Hashable {
    var sampleHash: UInt64 { get }
}

extension IPAddress: SampleHashable {
    /// Unseeded, so the same in every process: reports made on two nodes are merged on a third.
    var sampleHash: UInt64 { FastHash.hash(self.high, self.low ^ (isIPv4 ? 0x5151 : 0)) }
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
    private(set) var values: [Value] = []
    private var hashes: [UInt64] = []
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

    var isEmpty: Bool { values.isEmpty }

    /// Distinct values seen: exact unless `isEstimated`.
    var count: Int {
        guard isEstimated, values.count == capacity, hashes[largest] > 0 else { return values.count }
        let fraction = Double(hashes[largest]) / 18_446_744_073_709_551_616.0
        return max(values.count, Int(((Double(capacity) - 1) / fraction).rounded()))
    }

    mutating func insert(_ value: Value) {
        let h = value.sampleHash
        if values.count == capacity, h > hashes[largest] {
            // Larger than every kept hash: a value not in the sample, turned away.
            isEstimated = true
            return
        }
        let bit: UInt64 = 1 << (h >> 58)
        if seen & bit != 0 {
            for i in hashes.indices where hashes[i] == h && values[i] == value { return }
        }
        seen |= bit
        if values.isEmpty {
            // Most destinations see a few values: room for four at once, not growth from one.
            values.reserveCapacity(Swift.min(capacity, 4))
            hashes.reserveCapacity(Swift.min(capacity, 4))
        }
        if values.count < capacity {
            values.append(value)
            hashes.append(h)
            if values.count == capacity { largest = Self.indexOfLargest(hashes) }
            return
        }
        values[largest] = value
        hashes[largest] = h
        largest = Self.indexOfLargest(hashes)
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

    private static func indexOfLargest(_ hashes: [UInt64]) -> Int {
        var best = 0
        for i in hashes.indices where hashes[i] > hashes[best] { best = i }
        return best
    }
}
