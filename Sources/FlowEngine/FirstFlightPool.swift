import PacketWire

/// Bounded reassembly of each client's first flight: the first bytes it sends
/// on a TCP connection (or in CRYPTO frames), enough to read a ClientHello
/// split over segments or an HTTP request head — never more than
/// `bufferSize` bytes per flow and `maxBuffers` flows at once.
///
/// Segments may arrive out of order, be retransmitted or overlap: bytes
/// already held are never overwritten (first copy wins, as most stacks
/// deliver), and `contiguousLength` is how far the stream is gap-free from its
/// start. Buffers are recycled through a free list, so a steady state of
/// connections allocates nothing.
///
/// Each buffer's bytes live at a fixed address for the pool's lifetime, so
/// `contiguousBytes(_:)` can lend a view without a closure; the view is valid
/// until the next `add` or `release` of that buffer. Copies of a pool share
/// that memory: a pool has one owner (its `FlowTracker`).
public struct FirstFlightPool {
    public typealias BufferID = Int32

    public let bufferSize: Int
    public let maxBuffers: Int
    /// Most disjoint byte ranges tracked per buffer before further holes are refused.
    public static let maxRanges = 16

    /// Buffer memory, one fixed slab per buffer id, freed with the pool.
    final class Slabs {
        var pointers: [UnsafeMutableRawPointer] = []
        deinit { for p in pointers { p.deallocate() } }
    }
    private let slabs = Slabs()
    private var baseSequence: [UInt32] = []
    private var rangeCount: [Int32] = []
    private var ranges: [Int32] = []      // per buffer: maxRanges × (start, end), sorted, disjoint
    private var freeList: [BufferID] = []
    public private(set) var inUse = 0

    // Counters for the report: what the caps cost.
    public private(set) var refusedPoolFull = 0
    public private(set) var bytesBeyondCap = 0
    public private(set) var segmentsRefusedTooFragmented = 0

    public init(bufferSize: Int = 16 * 1024, maxBuffers: Int = 4096) {
        self.bufferSize = bufferSize
        self.maxBuffers = maxBuffers
    }

    /// A buffer whose byte 0 is stream sequence number `baseSequence`; nil when
    /// all `maxBuffers` are in use (counted).
    public mutating func acquire(baseSequence base: UInt32) -> BufferID? {
        let id: BufferID
        if let reused = freeList.popLast() {
            id = reused
        } else {
            guard baseSequence.count < maxBuffers else { refusedPoolFull += 1; return nil }
            id = BufferID(baseSequence.count)
            slabs.pointers.append(.allocate(byteCount: bufferSize, alignment: 16))
            baseSequence.append(0)
            rangeCount.append(0)
            ranges.append(contentsOf: repeatElement(0, count: Self.maxRanges * 2))
        }
        baseSequence[Int(id)] = base
        rangeCount[Int(id)] = 0
        inUse += 1
        return id
    }

    public mutating func release(_ id: BufferID) {
        freeList.append(id)
        inUse -= 1
    }

    /// Every buffer back in the free list: the capture ended and no flow holds one.
    public mutating func releaseAll() {
        freeList.removeAll(keepingCapacity: true)
        freeList.append(contentsOf: (0..<BufferID(baseSequence.count)).reversed())
        inUse = 0
    }

    /// Bytes gap-free from the start of the stream.
    public func contiguousLength(_ id: BufferID) -> Int {
        let i = Int(id)
        guard rangeCount[i] > 0, ranges[i * Self.maxRanges * 2] == 0 else { return 0 }
        return Int(ranges[i * Self.maxRanges * 2 + 1])
    }

    /// True when the buffer holds `bufferSize` contiguous bytes: nothing more can be added.
    public func isFull(_ id: BufferID) -> Bool { contiguousLength(id) >= bufferSize }

    /// Adds a segment that starts at stream sequence number `sequence` and
    /// returns the new contiguous length.
    @discardableResult
    public mutating func add(_ id: BufferID, sequence: UInt32, bytes: ByteView) -> Int {
        let i = Int(id)
        // Serial-number distance (RFC 1982): segments before the base are retransmits.
        var rel = Int(Int32(bitPattern: sequence &- baseSequence[i]))
        var src = 0
        var length = bytes.count
        if rel < 0 {
            let skip = -rel
            guard skip < length else { return contiguousLength(id) }
            src = skip; length -= skip; rel = 0
        }
        guard rel < bufferSize, length > 0 else {
            if length > 0 { bytesBeyondCap += length }
            return contiguousLength(id)
        }
        if rel + length > bufferSize {
            bytesBeyondCap += rel + length - bufferSize
            length = bufferSize - rel
        }
        let start = Int32(rel), end = Int32(rel + length)
        guard insertRange(i, start, end, bytes: bytes, sourceOffset: src) else {
            segmentsRefusedTooFragmented += 1
            return contiguousLength(id)
        }
        return contiguousLength(id)
    }

    /// The contiguous prefix, lent until the next `add` or `release` of `id`.
    public func contiguousBytes(_ id: BufferID) -> ByteView {
        ByteView(UnsafeRawBufferPointer(start: slabs.pointers[Int(id)], count: contiguousLength(id)))
    }

    /// Runs `body` over the contiguous prefix.
    public func withContiguousBytes<R>(_ id: BufferID, _ body: (ByteView) -> R) -> R {
        body(contiguousBytes(id))
    }

    /// Copies the parts of [start, end) not yet held and merges the range.
    private mutating func insertRange(_ i: Int, _ start: Int32, _ end: Int32, bytes: ByteView, sourceOffset: Int) -> Bool {
        let r0 = i * Self.maxRanges * 2
        let n = Int(rangeCount[i])
        // Copy uncovered gaps: walk existing ranges in order.
        var cursor = start
        var k = 0
        while cursor < end {
            while k < n && ranges[r0 + 2 * k + 1] <= cursor { k += 1 }
            let gapEnd = k < n ? Swift.min(end, ranges[r0 + 2 * k]) : end
            if gapEnd > cursor {
                copy(i, from: bytes, sourceOffset: sourceOffset + Int(cursor - start), to: Int(cursor), count: Int(gapEnd - cursor))
                cursor = gapEnd
            }
            if k < n && cursor >= ranges[r0 + 2 * k] { cursor = Swift.max(cursor, ranges[r0 + 2 * k + 1]) }
            if k >= n { break }
        }
        // Merge [start, end) into the sorted list.
        var lo = 0
        while lo < n && ranges[r0 + 2 * lo + 1] < start { lo += 1 }
        var hi = lo
        var mergedStart = start, mergedEnd = end
        while hi < n && ranges[r0 + 2 * hi] <= end {
            mergedStart = Swift.min(mergedStart, ranges[r0 + 2 * hi])
            mergedEnd = Swift.max(mergedEnd, ranges[r0 + 2 * hi + 1])
            hi += 1
        }
        let newCount = n - (hi - lo) + 1
        guard newCount <= Self.maxRanges else { return false }
        if hi - lo != 1 {
            // Shift the tail to make room for exactly one merged range at `lo`.
            let tail = n - hi
            let shift = 1 - (hi - lo)
            if shift > 0 {
                var t = tail - 1
                while t >= 0 { ranges[r0 + 2 * (hi + t + shift)] = ranges[r0 + 2 * (hi + t)]; ranges[r0 + 2 * (hi + t + shift) + 1] = ranges[r0 + 2 * (hi + t) + 1]; t -= 1 }
            } else if shift < 0 {
                for t in 0..<tail { ranges[r0 + 2 * (hi + t + shift)] = ranges[r0 + 2 * (hi + t)]; ranges[r0 + 2 * (hi + t + shift) + 1] = ranges[r0 + 2 * (hi + t) + 1] }
            }
        }
        ranges[r0 + 2 * lo] = mergedStart
        ranges[r0 + 2 * lo + 1] = mergedEnd
        rangeCount[i] = Int32(newCount)
        return true
    }

    private func copy(_ i: Int, from bytes: ByteView, sourceOffset: Int, to offset: Int, count: Int) {
        // SAFETY: insertRange clamps offset + count to bufferSize, and the
        // caller's view holds sourceOffset + count bytes.
        let dst = slabs.pointers[i] + offset
        bytes.withUnsafeBytes { src in
            dst.copyMemory(from: src.baseAddress.unsafelyUnwrapped + sourceOffset, byteCount: count)
        }
    }
}
