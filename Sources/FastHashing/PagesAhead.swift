import CPrefetch

/// Maps a reserved block's pages in ahead of the writes that fill it, a run
/// of elements at a time, instead of a page fault per 4 KiB page as each
/// element first lands (`egress_populate`, `MADV_POPULATE_WRITE`).
///
/// The per-flow tables reserve their caps as address space (flow records,
/// the DNS answer cache, the maps' entries) so that memory follows the
/// flows; the price was a fault for every page the flows reached. On this
/// project's VM each fault is a trap and a return into the kernel: on a
/// flood of new flows a fifth of the tracking thread's time. One call per
/// run does the same mapping without them. Runs double from 64 elements to
/// 8,192, so a small capture maps hardly more than it uses.
///
/// Where the kernel lacks the call (before Linux 5.14) it is refused once and
/// never asked again: pages are then faulted in as they are touched.
public struct PagesAhead: Sendable {
    /// Elements below this index have been mapped (or were asked for).
    public private(set) var mapped = 0
    private var refused = false

    public init() {}

    /// The next run to map, `mapped` advanced past it (empty at `capacity`).
    @inlinable
    public mutating func nextRun(capacity: Int) -> Range<Int> {
        let start = mapped
        let run = Swift.min(Swift.max(start, 64), 8192, Swift.max(capacity - start, 0))
        advance(to: start + run)
        return start..<(start + run)
    }

    @usableFromInline
    mutating func advance(to end: Int) { mapped = end }

    /// Maps in elements `range` of the block at `base` (nothing once the kernel has refused).
    public mutating func populate<T>(_ base: UnsafeMutablePointer<T>, _ range: Range<Int>) {
        guard !refused, !range.isEmpty else { return }
        if egress_populate(base + range.lowerBound, range.count * MemoryLayout<T>.stride, 1) != 0 { refused = true }
    }

    /// Maps in the next run of `array`'s reserved room (`capacity` elements at most). The array is
    /// read, not written: a mutable view would copy an array shared with a copy of its owner.
    public mutating func mapNextRun<T>(of array: [T], capacity: Int) {
        let run = nextRun(capacity: capacity)
        array.withUnsafeBufferPointer { if let base = $0.baseAddress { populate(UnsafeMutablePointer(mutating: base), run) } }
    }

    /// `count` zeroed values in a new array; one of 64 KiB or more has its pages mapped in one call
    /// before they are written (a smaller one is mostly on pages the heap has mapped already, and
    /// the call would cost more than its faults: a map starts with 16 slots).
    public static func zeroed<T: FixedWidthInteger>(_ count: Int, of type: T.Type = T.self) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count * MemoryLayout<T>.stride >= 1 << 16 { _ = egress_populate(buffer.baseAddress!, count * MemoryLayout<T>.stride, 1) }
            buffer.initialize(repeating: 0)
            initialized = count
        }
    }
}
