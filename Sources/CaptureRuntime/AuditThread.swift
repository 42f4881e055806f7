import EgressAudit
import FlowEngine
import PacketCapture
import Synchronization

/// The audit on a thread of its own during a decode-ahead pass: flows that
/// leave the tracker are handed over in order through a single-producer,
/// single-consumer ring, and this thread classifies and folds them
/// (`AuditAccumulator.add`), so the tracking thread spends on each ended flow
/// only the copy of its record. The decode thread leaves a core half idle on
/// per-flow-heavy traffic and floods; this is the work that fills it.
///
/// The audit reads names (a memo miss matches the name's bytes; a new
/// destination keeps its display string) while the tracker interns more. It
/// reads them through its own copy of the tracker's `NameTable`, whose names
/// sit in storage that never moves: with each batch of records the tracking
/// thread publishes the name count, and this thread's copy follows it
/// (`NameTable.follow`), so every id a record holds is readable here.
///
/// The accumulator is this thread's from `start` until `finish`, which hands
/// it back with every record folded, in the order the tracker ended them: the
/// results are those of folding on the tracking thread.
final class AuditThread: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let records: UnsafeMutablePointer<FlowRecord>
    /// Records the tracker has handed over, and this thread has folded.
    private let produced = Atomic<Int>(0)
    private let consumed = Atomic<Int>(0)
    /// The tracker's name count (`NameTable.storedCount`), stored before each release of `produced`.
    private let namesCount = Atomic<Int>(0)
    private let done = Atomic<Bool>(false)
    private let recordsReady = WaitPoint()
    private let slotsFreed = WaitPoint()
    /// This thread's while it runs (taken at its start, put back at its end).
    private var audit: AuditAccumulator?
    private var names: NameTable
    private var worker: WorkerThread?

    // The tracking thread's side, touched per record: unchecked, as only that thread uses them
    // (a dynamic exclusivity check costs tens of instructions an access).
    /// The tracker's table as it was at the start: its store's count is the tracker's.
    private let ownerNames: NameTable
    @exclusivity(unchecked) private var written = 0
    @exclusivity(unchecked) private var freed = 0
    @exclusivity(unchecked) private var wokenAt = 0

    /// How many records ahead of the one folded the next ones' first reads are started.
    static let prefetchDistance = 8
    /// Records are published in batches of this many (a power of two).
    static let batch = 32
    /// A sleeping audit thread is woken once this many records wait (it also wakes every `WaitPoint.maximumSleepNanoseconds`).
    static let wakeAfter = 512
    /// `wakeAfter`, or half the ring when that is smaller (a full ring always wakes it).
    private let wakeBatch: Int

    /// Starts folding on a new thread; nil when no thread could be had (the caller folds).
    static func start(audit: AuditAccumulator, names: NameTable, capacity: Int) -> AuditThread? {
        let thread = AuditThread(audit: audit, names: names, capacity: capacity)
        guard let worker = WorkerThread.start({ thread.run() }) else { return nil }
        thread.worker = worker
        return thread
    }

    private init(audit: AuditAccumulator, names: NameTable, capacity: Int) {
        var size = 2 * Self.batch
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        wakeBatch = min(Self.wakeAfter, size / 2)
        records = .allocate(capacity: size)
        self.audit = audit
        self.names = names
        ownerNames = names
        namesCount.store(names.count, ordering: .relaxed)
    }

    deinit {
        records.deallocate()
    }

    /// Hands one ended flow over (tracking thread).
    @inline(__always)
    func add(_ r: borrowing FlowRecord) {
        if written - freed >= capacity {
            publish()
            recordsReady.wake()
            slotsFreed.wait {
                freed = consumed.load(ordering: .acquiring)
                return written - freed <= capacity / 2
            }
        }
        (records + (written & mask)).initialize(to: copy r)
        written += 1
        if written & (Self.batch - 1) == 0 {
            publish()
            freed = consumed.load(ordering: .acquiring)
        }
    }

    /// Makes every record handed over visible to the audit's thread, with the names they hold.
    private func publish() {
        namesCount.store(ownerNames.storedCount, ordering: .relaxed)
        produced.store(written, ordering: .releasing)
        if written - wokenAt >= wakeBatch {
            wokenAt = written
            recordsReady.wake()
        }
    }

    /// Every record handed over is folded; returns the accumulator (tracking thread).
    func finish() -> AuditAccumulator {
        publish()
        done.store(true, ordering: .releasing)
        recordsReady.wake()
        worker?.join()
        worker = nil
        return audit!
    }

    // MARK: The audit's thread

    private func run() {
        // Locals, not properties, on the per-record path: a class's dynamic exclusivity checks cost per access.
        var audit = self.audit.take()!
        var names = self.names
        var taken = 0
        while true {
            let available = produced.load(ordering: .acquiring)
            if available == taken {
                if done.load(ordering: .acquiring) && produced.load(ordering: .acquiring) == taken { break }
                // Straight to sleep until a batch worth waking for is there: on a two-core machine
                // this thread shares a core with decoding, and a spin would take the core from it.
                recordsReady.wait(spins: 0) {
                    produced.load(ordering: .acquiring) - taken >= wakeBatch || done.load(ordering: .acquiring)
                }
                continue
            }
            names.follow(ownerCount: namesCount.load(ordering: .relaxed))
            while taken < available {
                let slot = records + (taken & mask)
                // The initiator's count is the first miss of every record: started some records ahead.
                if taken + Self.prefetchDistance < available {
                    audit.prefetch(initiator: (records + ((taken + Self.prefetchDistance) & mask)).pointee.initiator.address)
                }
                audit.add(slot.move(), names: names)
                taken += 1
                if taken & (Self.batch - 1) == 0 { consumed.store(taken, ordering: .releasing) }
            }
            consumed.store(taken, ordering: .releasing)
            slotsFreed.wake()
        }
        self.audit = audit
    }
}
