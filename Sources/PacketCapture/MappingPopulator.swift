#if canImport(Glibc)
import Glibc
#endif
import CPrefetch
import Synchronization

/// Maps a capture's pages in ahead of its reader.
///
/// Reading a mapped file faults its pages in one by one as the reader first
/// touches them: on the 481 MB benchmark capture that page-table work was
/// about a third of the reader's time. `madvise(MADV_POPULATE_READ)` (Linux
/// 5.14) does the same work in 2 MiB strides elsewhere: on a thread of its
/// own (`start()`), or from a thread that has time to spare
/// (`populateNextStride()`, called by the pipeline's tracking thread while it
/// waits for packets). Never more than 8 MiB ahead of the reader: it may stop
/// at a bad record, and the pages should still be warm when it gets there.
/// Where the kernel lacks the call, or the machine has one core, or the file
/// is small, none of this happens and the reader faults pages in itself.
final class MappingPopulator: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let size: Int
    /// How far the reader has got; where the next stride starts.
    private let reached = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let unsupported = Atomic<Bool>(false)
    private var worker: WorkerThread?

    static let stride = 2 << 20
    static let lead = 8 << 20
    /// Smaller files are read before the work pays for itself.
    static let minimumSize = 32 << 20

    init?(_ file: MappedCaptureFile) {
        guard file.bytes.count >= Self.minimumSize, SpareCore.available,
              let address = file.bytes.baseAddress else { return nil }
        base = UnsafeMutableRawPointer(mutating: address)
        size = file.bytes.count
    }

    /// The reader is at `offset` (called every few hundred records).
    @inline(__always)
    func reader(at offset: Int) {
        reached.store(offset, ordering: .relaxed)
    }

    /// Maps in the next stride if it is within reach of the reader. False
    /// when there was nothing to do. Callers on several threads each claim a
    /// different stride.
    func populateNextStride() -> Bool {
        let start = next.load(ordering: .relaxed)
        guard start < size, start <= reached.load(ordering: .relaxed) + Self.lead,
              !unsupported.load(ordering: .relaxed) else { return false }
        guard next.compareExchange(expected: start, desired: start + Self.stride, ordering: .relaxed).exchanged else {
            return true // another thread took this stride
        }
        // The mapping starts page-aligned and strides are whole pages.
        if egress_populate(base + start, Swift.min(Self.stride, size - start), 0) != 0 {
            unsupported.store(true, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Populates on a thread of its own until `finish()`.
    func start() {
        worker = WorkerThread.start { self.run() }
    }

    /// Stops the thread (the reader is done, or failed) and waits for it.
    func finish() {
        stopped.store(true, ordering: .relaxed)
        worker?.join()
        worker = nil
        stopped.store(false, ordering: .relaxed)
    }

    private func run() {
        while !stopped.load(ordering: .relaxed) {
            if populateNextStride() { continue }
            if next.load(ordering: .relaxed) >= size || unsupported.load(ordering: .relaxed) { return }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000)
            nanosleep(&pause, nil)
        }
    }
}
