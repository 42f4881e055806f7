/// Overlapping flows from builders that write one conversation at a time.
///
/// A scenario writes each flow whole, from the flow's own start time, into a `FrameBuffer`; the
/// interleaver keeps the buffered frames in a min-heap by (timestamp, arrival) and releases only those
/// earlier than the next flow's start, so the capture comes out in time order while many flows are open
/// at once, as on a real node. Memory is bounded by the frames still ahead of the next start (the flows
/// in flight), not by the capture. Each frame carries a caller-defined `Tag` saying what writing it
/// proves, so a scenario records its plants when a frame is written, not when it is built.
struct FrameInterleaver<Tag> {
    struct Frame {
        var bytes: [UInt8]
        var timestamp: Timestamp
        var interface: Int
        var tag: Tag?
    }

    /// Binary min-heap; `order` breaks timestamp ties by arrival, so equal times keep the flow's own order.
    private var heap: [(frame: Frame, order: UInt64)] = []
    private var arrivals: UInt64 = 0

    var pendingCount: Int { heap.count }

    mutating func add(_ frames: [Frame]) {
        for frame in frames {
            heap.append((frame, arrivals))
            arrivals &+= 1
            siftUp(heap.count - 1)
        }
    }

    /// Removes and returns the earliest frame if it is earlier than `limit` (nil: any frame).
    mutating func popEarliest(before limit: Timestamp?) -> Frame? {
        guard let first = heap.first else { return nil }
        if let limit, first.frame.timestamp >= limit { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first.frame
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let x = heap[a], y = heap[b]
        return x.frame.timestamp != y.frame.timestamp ? x.frame.timestamp < y.frame.timestamp : x.order < y.order
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard precedes(i, parent) else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < heap.count && precedes(left, smallest) { smallest = left }
            if right < heap.count && precedes(right, smallest) { smallest = right }
            guard smallest != i else { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}

/// A writer that keeps what the builders write, for a `FrameInterleaver` to order.
final class FrameBuffer<Tag>: CaptureWriter {
    var frames: [FrameInterleaver<Tag>.Frame] = []

    func write(frame: [UInt8], timestamp: Timestamp, interface: Int) throws {
        frames.append(.init(bytes: frame, timestamp: timestamp, interface: interface, tag: nil))
    }

    func close() throws {}

    /// Tags the frame at `index` (a count taken before a step: the step's first frame), if the step wrote one.
    func tag(_ tag: Tag, at index: Int) {
        if index < frames.count { frames[index].tag = tag }
    }

    /// Tags the last frame written (a step's last frame).
    func tagLast(_ tag: Tag) {
        if !frames.isEmpty { frames[frames.count - 1].tag = tag }
    }
}
