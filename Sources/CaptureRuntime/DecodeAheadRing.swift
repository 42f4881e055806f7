import CPrefetch
import FlowEngine
import PacketCapture
import PacketWire
import Synchronization

/// Reading and decoding on a thread of their own, one step ahead of flow
/// tracking: the file-reading half of the work (walking a mapped capture is
/// bound by memory latency, not instructions) overlaps the tracking half.
///
/// A single-producer, single-consumer ring of decoded packets. The producer
/// thread reads the capture and decodes each packet straight into a free slot
/// (unless the consumer is waiting on it: then the consumer decodes the packet
/// as it comes within look-ahead range, so a source whose reading alone keeps
/// the producer busy, a gzip file under a flood, shares its work out) and,
/// while the tracking thread is the slower one, counts it and previews
/// its payload (`PayloadPreviewer`: a whole TLS or QUIC
/// ClientHello, parsed and decrypted here so the tracker only interns its
/// name) and hashes its 5-tuple (so the tracker neither hashes it nor waits
/// for its flow-table slot, loaded a few packets early); the consumer (the
/// pipeline's thread) takes the slots in file order,
/// so every stateful step — counters, fragments, flows, names — runs exactly
/// as it would in one thread, in the same order, with the same results.
///
/// A slot's packet and payload are views into the file's mapping when the
/// source's bytes stay valid after the callback returns
/// (`PacketSource.lendsLastingBytes`: a mapped capture file); otherwise (a
/// gzip file, a pipe) the producer copies each packet into its slot's own
/// buffer first (`SlotBytes`). One ring reads one pass of the source (one file).
final class DecodeAheadRing: @unchecked Sendable {
    struct Slot {
        var input: Int
        var captured: CapturedPacket
        var packet: DecodedPacket
        /// The producer counted the packet (and previewed it): it had time to spare.
        var counted: Bool
        /// The producer decoded the packet; else the consumer does, as the packet comes
        /// within `prefetchDistance` of its turn (the producer was the slower side).
        var decoded: Bool
    }

    let capacity: Int
    private let mask: Int
    /// Positions are published every so many packets (a power of two, at most half the ring).
    private let batchMask: Int
    /// Half the ring, less one: a waiting producer is woken at half-ring boundaries.
    private let halfMask: Int
    private let slots: UnsafeMutablePointer<Slot>
    /// Each slot's payload preview (apart from `slots`, so the producer writes one while it reads the other), and their blocks.
    private let previews: UnsafeMutablePointer<PayloadPreview>
    private let previewStorage: PayloadPreview.Storage
    /// Slots the producer has filled, and the consumer has finished with.
    private let produced = Atomic<Int>(0)
    private let consumed = Atomic<Int>(0)
    private let done = Atomic<Bool>(false)
    /// Written by the producer before `done` is set; read by the consumer after.
    private var failure: CaptureError?
    /// What the decoder saw in this pass, counted on the producer thread (read after `run`).
    private(set) var counters = DecodeCounters()
    private var state = PacketSourceState.ended
    /// Where the consumer waits for packets, and the producer for free slots.
    private let packetsReady = WaitPoint()
    private let slotsFreed = WaitPoint()

    private let source: any PacketSource
    /// Where packets are copied when the source does not lend lasting bytes (nil: it does).
    private let copies: SlotBytes?
    /// The pass's bytes: kept alive until the last slot is taken (the producer may finish first).
    private let lasting: (any LastingBytes)?
    private let decoder = PacketDecoder()

    /// How many slots ahead of the packet handed over the next flow hash is read:
    /// its table slot is in cache by the time that packet's turn comes
    /// (4, 8 and 16 measured alike on the 10 M flood; none was slower).
    static let prefetchDistance = 8
    /// How many slots ahead of the one it writes the producer asks for a slot's lines.
    static let writeAhead = 8

    /// The tracker's flow table's, name table's and DNS answer cache's hashers, so previews carry
    /// each packet's flow hash, name hash and answers' hashes (nil: none).
    private let flowHasher: FlowKeyHasher?
    private let nameHasher: NameTable.NameHasher?
    private let answerHasher: DNSAnswerCache.AnswerHasher?

    /// The previews of two packets ahead of the one handed over (nil: not published yet).
    struct LookAhead {
        /// The far packet's preview (the tracker may add the flow hash the decode thread did not make) and its packet.
        var far: UnsafeMutablePointer<PayloadPreview>?
        var farPacket: UnsafePointer<DecodedPacket>?
        var near: UnsafePointer<PayloadPreview>?
        static var none: LookAhead { LookAhead(far: nil, farPacket: nil, near: nil) }
    }

    /// `capacity` is rounded up to a power of two; small ones exist for tests.
    init(source: any PacketSource, capacity: Int = 1024, flowHasher: FlowKeyHasher? = nil, nameHasher: NameTable.NameHasher? = nil,
         answerHasher: DNSAnswerCache.AnswerHasher? = nil) {
        self.flowHasher = flowHasher
        self.nameHasher = nameHasher
        self.answerHasher = answerHasher
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        batchMask = min(32, size / 2) - 1
        halfMask = size / 2 - 1
        slots = .allocate(capacity: size)
        let empty = CapturedPacket(timestampNanoseconds: 0, bytes: .empty, originalLength: 0, linkType: 0)
        slots.initialize(repeating: Slot(input: 0, captured: empty, packet: DecodedPacket(), counted: false, decoded: false), count: size)
        previewStorage = PayloadPreview.Storage(count: size)
        previews = .allocate(capacity: size)
        for i in 0..<size { (previews + i).initialize(to: previewStorage.preview(i)) }
        self.source = source
        // Asked first: a file source opens its file to answer, and only an open file can be held.
        copies = source.lendsLastingBytes ? nil : SlotBytes(slots: size)
        // The tracking thread maps pages in while it waits for packets, instead of a third thread.
        lasting = source.prepareForDecodingAhead()
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        previews.deinitialize(count: capacity)
        previews.deallocate()
    }

    /// Runs the producer on a new thread and hands every packet of one pass,
    /// decoded, to `body` on this one (input index, packet, captured, its
    /// payload's preview), in order. Returns what the source said after the
    /// pass, or throws its error after the packets before it were handed over.
    /// The packet is lent by address: passed as a value from the slot, its 368 bytes were copied for every packet.
    /// The fifth argument says whether the packet was counted (`counters`) and previewed here; the
    /// last, the previews of the packets `prefetchDistance` and half that slots on, for the consumer
    /// to start loading what those packets will touch (`FlowTracker.prefetch(far:farPacket:near:)`).
    func run(_ body: (Int, UnsafePointer<DecodedPacket>, CapturedPacket, PayloadPreview, Bool, LookAhead) -> Void) throws(CaptureError) -> PacketSourceState {
        guard let producer = WorkerThread.start({ self.produce() }) else {
            // No thread to be had: decode here instead.
            return try decodeInline(body)
        }
        consume(body)
        producer.join()
        if let failure { throw failure }
        return state
    }

    // MARK: Producer

    private func produce() {
        // A local, not a property: the class's dynamic exclusivity checks cost ~80 instructions a packet (callgrind).
        var previewer = PayloadPreviewer(flowHasher: flowHasher, nameHasher: nameHasher, answerHasher: answerHasher)
        var counted = DecodeCounters()
        var written = 0
        var freed = 0
        do {
            state = try source.forEachPacket(shouldStop: { false }) { input, captured in
                // Wait for a free slot: the consumer is a full ring behind
                // (and must see every slot written so far to catch up).
                if written - freed >= capacity {
                    produced.store(written, ordering: .releasing)
                    packetsReady.wake()
                    // Back to work once half the ring is free, not one slot: the consumer then
                    // wakes a sleeping producer once per half ring, not once per batch.
                    slotsFreed.wait {
                        freed = consumed.load(ordering: .acquiring)
                        return written - freed <= capacity / 2
                    }
                }
                let slot = slots + (written & mask)
                // The slot a few on was last read by the consumer, on the other core: its lines are
                // asked for, for writing, now, so that decoding into it does not wait on them one by one.
                let coming = UnsafeRawPointer(slots + ((written + Self.writeAhead) & mask))
                for line in stride(from: 0, to: MemoryLayout<Slot>.stride, by: 64) { egress_prefetch_table(coming + line) }
                slot.pointee.input = input
                slot.pointee.captured = copies?.keep(captured, in: written & mask) ?? captured
                // Decoding too is left to the tracking thread while it waits on this one (at most an
                // eighth of the ring is ahead of it): under a flood read from a gzip file, reading
                // and inflating alone keep this thread the busier one, and the other had time to spare.
                let decodes = written - freed > capacity / 8
                if decodes { decode(slot) } else { slot.pointee.decoded = false }
                // Counting and previewing are work the tracking thread would do otherwise: taken on
                // only while the tracking thread is the slower one (a quarter of the ring waits for
                // it), so a capture that keeps this thread the busier one is not slowed by them.
                if decodes && written - freed >= capacity / 4 {
                    let packet = UnsafePointer(slot.pointer(to: \.packet)!)
                    counted.record(packet, wireLength: captured.originalLength)
                    previewer.preview(packet, into: &previews[written & mask])
                    slot.pointee.counted = true
                } else {
                    previews[written & mask].clear()
                    slot.pointee.counted = false
                }
                written += 1
                // Mapping pages in a stride at a time costs less than faulting them in
                // one by one: when the tracking thread has had no time to, do it here.
                if written & 4095 == 0 { _ = lasting?.populateAhead() }
                // Published in batches: one shared-line write per `batch` packets (and the
                // consumer's position read, to know how far behind it is).
                if written & batchMask == 0 {
                    produced.store(written, ordering: .releasing)
                    packetsReady.wake()
                    freed = consumed.load(ordering: .acquiring)
                }
            }
        } catch {
            failure = error
        }
        counters = counted
        produced.store(written, ordering: .releasing)
        done.store(true, ordering: .releasing)
        packetsReady.wake()
    }

    // MARK: Consumer

    @discardableResult
    private func consume(_ body: (Int, UnsafePointer<DecodedPacket>, CapturedPacket, PayloadPreview, Bool, LookAhead) -> Void) -> Int {
        var taken = 0
        while true {
            let available = produced.load(ordering: .acquiring)
            if available == taken {
                // Nothing new: finished (checked again after `done`, which is set last), or map in
                // the pages the reader will reach next, or sleep until the producer publishes.
                if done.load(ordering: .acquiring) && produced.load(ordering: .acquiring) == taken { return taken }
                if lasting?.populateAhead() ?? false { continue }
                packetsReady.wait { produced.load(ordering: .acquiring) != taken || done.load(ordering: .acquiring) }
                continue
            }
            while taken < available {
                let slot = slots + (taken & mask)
                let ahead = taken + Self.prefetchDistance
                let near = taken + Self.prefetchDistance / 2
                // A packet the producer left undecoded is decoded as it comes into look-ahead range
                // (its flow hash is made from it there), or at its turn when the ring held no more.
                if ahead < available, !slots[ahead & mask].decoded { decode(slots + (ahead & mask)) }
                if !slot.pointee.decoded { decode(slot) }
                let lookAhead = ahead < available
                    ? LookAhead(far: previews + (ahead & mask), farPacket: UnsafePointer((slots + (ahead & mask)).pointer(to: \.packet)!),
                                near: UnsafePointer(previews + (near & mask)))
                    : LookAhead(far: nil, farPacket: nil, near: near < available ? UnsafePointer(previews + (near & mask)) : nil)
                body(slot.pointee.input, UnsafePointer(slot.pointer(to: \.packet)!), slot.pointee.captured, previews[taken & mask],
                     slot.pointee.counted, lookAhead)
                taken += 1
                if taken & batchMask == 0 {
                    consumed.store(taken, ordering: .releasing)
                    if taken & halfMask == 0 { slotsFreed.wake() }
                }
            }
            consumed.store(taken, ordering: .releasing)
            slotsFreed.wake()
        }
    }

    /// Decodes a slot's packet into it (on the producer as it fills the slot, or on the consumer for
    /// a packet the producer left undecoded).
    @inline(__always)
    private func decode(_ slot: UnsafeMutablePointer<Slot>) {
        decoder.decode(slot.pointee.captured.bytes, linkType: LinkType(rawValue: slot.pointee.captured.linkType),
                       originalLength: slot.pointee.captured.originalLength, into: &slot.pointee.packet)
        slot.pointee.decoded = true
    }

    /// The single-thread fallback: the same order, the same results.
    private func decodeInline(_ body: (Int, UnsafePointer<DecodedPacket>, CapturedPacket, PayloadPreview, Bool, LookAhead) -> Void)
        throws(CaptureError) -> PacketSourceState {
        try source.forEachPacket(shouldStop: { false }) { input, captured in
            var packet = DecodedPacket()
            decoder.decode(captured.bytes, linkType: LinkType(rawValue: captured.linkType),
                           originalLength: captured.originalLength, into: &packet)
            withUnsafePointer(to: &packet) { body(input, $0, captured, PayloadPreview.none, false, .none) }
        }
    }

    /// Whether this machine can run the two halves at once.
    static var worthwhile: Bool { SpareCore.available }
}

/// Each slot's own copy of its packet, for sources whose bytes do not
/// outlive the callback: 2 KiB inline per slot, and a buffer of its own for a
/// slot that once held a bigger packet (kept and reused, so the steady state
/// allocates nothing).
final class SlotBytes: @unchecked Sendable {
    static let inlineSize = 2048
    private let inline: UnsafeMutableRawPointer
    private var large: [(buffer: UnsafeMutableRawPointer, size: Int)?]

    init(slots: Int) {
        inline = .allocate(byteCount: slots * Self.inlineSize, alignment: 16)
        large = Array(repeating: nil, count: slots)
    }

    deinit {
        inline.deallocate()
        for case let (buffer, _)? in large { buffer.deallocate() }
    }

    /// `packet` with its bytes copied into slot `index` (valid until the slot is written again).
    func keep(_ packet: CapturedPacket, in index: Int) -> CapturedPacket {
        let count = packet.bytes.count
        let target: UnsafeMutableRawPointer
        if count <= Self.inlineSize {
            target = inline + index * Self.inlineSize
        } else if let held = large[index], held.size >= count {
            target = held.buffer
        } else {
            large[index]?.buffer.deallocate()
            target = .allocate(byteCount: count, alignment: 16)
            large[index] = (target, count)
        }
        packet.bytes.withUnsafeBytes { if count > 0 { target.copyMemory(from: $0.baseAddress!, byteCount: count) } }
        return CapturedPacket(timestampNanoseconds: packet.timestampNanoseconds, bytes: ByteView(UnsafeRawBufferPointer(start: target, count: count)),
                              originalLength: packet.originalLength, linkType: packet.linkType)
    }
}
