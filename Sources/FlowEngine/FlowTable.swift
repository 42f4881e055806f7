import CPrefetch
import FastHashing
import PacketWire

/// The bounded table of live flows: open addressing with linear probing over
/// a power-of-two slot block, records in one contiguous block recycled
/// through a free list, deletion by backward shift (no tombstones).
///
/// A slot holds its record's index and 32 bits of its key's hash, so probing
/// past other keys, deleting and growing read only the slots, never the
/// records (a record is 216 bytes: under a flood each one read is a cache miss).
/// For the same reason each record's clock (last seen, idle deadline) and key
/// hash are kept again in dense blocks: the eviction sweeps read only those,
/// and a victim's slot is found without reading its record.
///
/// At most `capacity` flows are held. Idle flows are evicted by a clock hand
/// that sweeps a few records per insertion; when the table is full the least
/// recently seen of a sample is evicted. A TCP connection that was reset or
/// closed by both sides, and a DNS exchange, are idle after a few seconds, so
/// the table holds the connections in progress, not every flow of the last
/// idle timeout. Every evicted flow is handed to the owner (nothing is lost:
/// the audit aggregates it), and counted.
public struct FlowTable {
    public let capacity: Int
    /// The idle timeouts, nanoseconds; a record's clock is made from them.
    @usableFromInline let timeouts: IdleTimeouts

    /// The table's memory: five blocks a `Buffers` owns (freed with it, copied
    /// when a copy of the table writes while another holds them). Pointers, not
    /// arrays: each array written per packet checked its own uniqueness and
    /// every index its bounds (a flood's new flow wrote four arrays: four calls
    /// into the runtime); a write path now checks the owner once (`unique()`).
    /// Indices are the table's own (a slot's, a record's), never the network's.
    @usableFromInline var buffers: Buffers
    /// `hash32 << 32 | (record index + 1)`; 0 = empty. `mask + 1` slots.
    @usableFromInline var slots: UnsafeMutablePointer<UInt64>
    @usableFromInline var mask: Int
    /// `capacity` records, of which the first `used` were ever placed (free ones are on `freeList`).
    @usableFromInline var records: UnsafeMutablePointer<FlowRecord>
    @usableFromInline var used = 0
    /// Each record's clock: its last-seen time (`Int64.min`: free) and when it
    /// goes idle (that plus its timeout: a closed TCP connection's close delay,
    /// DNS's, UDP's or TCP's), kept in step by every write path (`insert`,
    /// `modify`, the subscript). The eviction sweeps read this dense block
    /// alone: reading each swept record for its transport and state cost 8 % of
    /// a flood's tracking thread (`perf`), and the two times share a line.
    @usableFromInline var clocks: UnsafeMutablePointer<Clock>
    /// Each record's key hash (its slot's), kept beside `clocks`: deleting a
    /// record finds its slot without reading the record, and a victim's slot
    /// and record are fetched together, not one after the other.
    private var keyHashes: UnsafeMutablePointer<UInt32>
    /// Indices of records removed, reused first; `freeCount` of them.
    private var freeList: UnsafeMutablePointer<Int32>
    private var freeCount = 0
    /// How far records (and their clocks and key hashes) have their pages mapped in: `mapRecords()`
    /// asks for the next run's in one call before a new record lands past them.
    private var recordPages = PagesAhead()

    @usableFromInline
    struct Clock: Sendable {
        @usableFromInline var lastSeen: Int64
        @usableFromInline var idleAt: Int64

        @inlinable init(lastSeen: Int64, idleAt: Int64) {
            self.lastSeen = lastSeen
            self.idleAt = idleAt
        }

        @usableFromInline static let free = Clock(lastSeen: Int64.min, idleAt: Int64.max)
    }
    /// How long a flow may go without a packet, nanoseconds. A value of its own,
    /// so the write paths make a record's clock through it: a method on the
    /// table, called while writing to it, copied the whole table each time.
    @usableFromInline
    struct IdleTimeouts: Sendable {
        @usableFromInline let tcp: Int64, udp: Int64, closedTCP: Int64, dns: Int64

        @inlinable init(tcp: Int64, udp: Int64, closedTCP: Int64, dns: Int64) {
            self.tcp = tcp
            self.udp = udp
            self.closedTCP = closedTCP
            self.dns = dns
        }

        /// `r`'s clock: its last packet, and that plus its transport's timeout, or
        /// the close delay once the connection was reset or closed by both sides.
        @inlinable @inline(__always)
        func clock(_ r: borrowing FlowRecord) -> Clock {
            let seen = r.lastSeen
            let timeout: Int64
            if r.key.transport == .tcp {
                timeout = r.isClosed ? closedTCP : tcp
            } else {
                let low = r.key.lowPort, high = r.key.highPort
                timeout = low == 53 || high == 53 ? dns : udp
            }
            return Clock(lastSeen: seen, idleAt: seen &+ timeout)
        }
    }

    /// Owns the table's blocks: they live as long as some copy of the table
    /// refers to them. Records, clocks, key hashes and the free list are
    /// allocated for `capacity` at once, as address space (pages are mapped as
    /// records first land on them, so memory still follows the flows; growing
    /// by doubling copied every record so far at each step); the slots double
    /// as flows arrive.
    @usableFromInline
    final class Buffers {
        var slots: UnsafeMutablePointer<UInt64>
        let records: UnsafeMutablePointer<FlowRecord>
        let clocks: UnsafeMutablePointer<Clock>
        let keyHashes: UnsafeMutablePointer<UInt32>
        let freeList: UnsafeMutablePointer<Int32>

        init(capacity: Int, slotCount: Int) {
            slots = Self.emptySlots(slotCount)
            records = .allocate(capacity: capacity)
            clocks = .allocate(capacity: capacity)
            keyHashes = .allocate(capacity: capacity)
            freeList = .allocate(capacity: capacity)
        }

        /// `count` empty slots (the table's, a grown table's, an emptied table's).
        static func emptySlots(_ count: Int) -> UnsafeMutablePointer<UInt64> {
            let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
            // Mapped in one call, then zeroed: zeroing faulted the pages in one by one.
            var pages = PagesAhead()
            pages.populate(slots, 0..<count)
            slots.initialize(repeating: 0, count: count)
            return slots
        }

        /// The blocks, as the table keeps them at hand.
        var blocks: (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<FlowRecord>, UnsafeMutablePointer<Clock>,
                     UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Int32>) {
            (slots, records, clocks, keyHashes, freeList)
        }

        deinit {
            // Records and clocks are plain values: nothing to deinitialize.
            slots.deallocate()
            records.deallocate()
            clocks.deallocate()
            keyHashes.deallocate()
            freeList.deallocate()
        }
    }

    private var clockHand = 0
    /// The next capacity victim, chosen by the last `oldestVictim()` (-1: none), and its last-seen
    /// time then: a packet to it since (a newer time) or its removal cancels the choice.
    private var pendingVictim = -1
    private var pendingVictimSeen = Int64.min
    /// How many slots a new table starts with (it doubles them as flows arrive).
    private let initialSlotCount: Int
    public let hasher: FlowKeyHasher
    public private(set) var count = 0

    public private(set) var evictedIdle = 0
    /// Closed or reset TCP connections that left after the close delay (not counted in `evictedIdle`).
    public private(set) var retiredClosed = 0
    public private(set) var evictedForCapacity = 0

    public init(capacity: Int = 1 << 20, tcpIdleTimeoutSeconds: Int64 = 300, udpIdleTimeoutSeconds: Int64 = 60,
                closedTCPDelaySeconds: Int64 = 5, dnsIdleTimeoutSeconds: Int64 = 10, seed: UInt64 = FastHash.randomSeed()) {
        precondition(capacity > 0 && capacity <= 1 << 30, "FlowTable capacity must be 1…2^30 (a slot keeps 32 bits of hash)")
        precondition(_isPOD(FlowRecord.self), "FlowTable copies and frees records as plain memory")
        self.capacity = capacity
        timeouts = IdleTimeouts(tcp: tcpIdleTimeoutSeconds * 1_000_000_000, udp: udpIdleTimeoutSeconds * 1_000_000_000,
                                closedTCP: Swift.min(closedTCPDelaySeconds, tcpIdleTimeoutSeconds) * 1_000_000_000,
                                dns: Swift.min(dnsIdleTimeoutSeconds, udpIdleTimeoutSeconds) * 1_000_000_000)
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        // Start small and double as flows arrive, up to the size the cap needs.
        let slotCount = Swift.min(size, 1 << 12)
        initialSlotCount = slotCount
        buffers = Buffers(capacity: capacity, slotCount: slotCount)
        (slots, records, clocks, keyHashes, freeList) = buffers.blocks
        mask = slotCount - 1
        hasher = FlowKeyHasher(seed: seed)
    }

    /// Makes the blocks this copy's own before a write: a copy of the table
    /// made since (a snapshot's) keeps the ones it shares.
    @inlinable @inline(__always)
    mutating func unique() {
        if !isKnownUniquelyReferenced(&buffers) { copyBuffers() }
    }

    @usableFromInline
    mutating func copyBuffers() {
        let copy = Buffers(capacity: capacity, slotCount: mask + 1)
        copy.slots.update(from: slots, count: mask + 1)
        copy.records.initialize(from: records, count: used)
        copy.clocks.initialize(from: clocks, count: used)
        copy.keyHashes.initialize(from: keyHashes, count: used)
        copy.freeList.initialize(from: freeList, count: freeCount)
        buffers = copy
        (slots, records, clocks, keyHashes, freeList) = copy.blocks
    }

    /// Index of the record for `key`, if present.
    @inlinable
    public func find(_ key: FlowKey) -> Int? { find(key, hash: hash32(key)) }

    /// `find` with the key's hash already made (`hasher.hash32(key)`: by the decode thread).
    /// Always inlined: called through the tracker's property, the table was copied first.
    @inlinable @inline(__always)
    public func find(_ key: FlowKey, hash h: UInt32) -> Int? {
        var slot = Int(h) & mask
        while true {
            let e = slots[slot]
            if e == 0 { return nil }
            if UInt32(truncatingIfNeeded: e >> 32) == h {
                let r = Int(truncatingIfNeeded: e & 0xffff_ffff) - 1
                if records[r].key == key { return r }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Starts loading the home slot of the key whose hash is `h` (a packet some way behind in the decode-ahead ring).
    @inlinable
    public func prefetch(hash h: UInt32) {
        egress_prefetch_table(slots + (Int(h) & mask))
    }

    /// True once the slots are more than the caches keep (2^19 slots, 4 MiB, and more): a look-up
    /// ahead of time then pays for itself (`FlowTracker.prefetch`).
    @inlinable
    public var outgrowsCache: Bool { mask >= 1 << 18 }

    /// True when the next insert needs room made first (`oldestVictim`, `remove(at:)`).
    public var isFull: Bool { count >= capacity }

    /// Inserts a new record (the key must be absent; the table must not be
    /// full) and returns its index.
    public mutating func insert(_ record: FlowRecord) -> Int { insert(record, hash: hash32(record.key)) }

    /// `insert` with the key's hash already made. Always inlined: called, the tracker built the
    /// record (216 bytes) on its stack and this copied it into place; inlined, it is written there.
    @inline(__always)
    public mutating func insert(_ record: FlowRecord, hash h: UInt32) -> Int {
        precondition(count < capacity, "FlowTable.insert on a full table: remove the oldestVictim() first")
        unique()
        if (count + 1) * 2 > mask + 1 { grow() }
        let index: Int
        if freeCount > 0 {
            freeCount -= 1
            index = Int(freeList[freeCount])
        } else {
            index = used
            used += 1
            if used > recordPages.mapped { mapRecords() }
        }
        (records + index).initialize(to: record)
        clocks[index] = timeouts.clock(record)
        keyHashes[index] = h
        assert(h == hash32(record.key), "FlowTable.insert: a hash not of this key")
        var slot = Int(h) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt64(h) << 32 | UInt64(index + 1)
        count += 1
        return index
    }

    /// Runs `body` with exclusive access to record `index`.
    @inlinable
    public mutating func modify<R>(_ index: Int, _ body: (inout FlowRecord) -> R) -> R {
        precondition(index >= 0 && index < used, "FlowTable: no record \(index)")
        unique()
        let result = body(&records[index])
        clocks[index] = timeouts.clock(records[index])
        return result
    }

    @inlinable
    public subscript(index: Int) -> FlowRecord {
        get {
            precondition(index >= 0 && index < used, "FlowTable: no record \(index)")
            return records[index]
        }
        _modify {
            precondition(index >= 0 && index < used, "FlowTable: no record \(index)")
            unique()
            yield &records[index]
            clocks[index] = timeouts.clock(records[index])
        }
    }

    /// Maps in the pages of the next run of records, their clocks' and key hashes' (`PagesAhead`):
    /// a record landing on a page never touched faulted it in, a fault per 19 records.
    @inline(never)
    private mutating func mapRecords() {
        let run = recordPages.nextRun(capacity: capacity)
        recordPages.populate(records, run)
        recordPages.populate(clocks, run)
        recordPages.populate(keyHashes, run)
    }

    /// Removes every flow (end of capture: `forEach` has read them where they lie). The slots start
    /// over as few as a new table's: clearing the grown ones wrote megabytes no one reads again.
    public mutating func removeAll() {
        unique()
        used = 0
        freeCount = 0
        replaceSlots(with: Buffers.emptySlots(initialSlotCount), count: initialSlotCount)
        count = 0
        clockHand = 0
        pendingVictim = -1
    }

    /// Runs `body` on every live flow in place (end of capture: the buffers each holds are given back).
    public mutating func modifyEach(_ body: (inout FlowRecord) -> Void) {
        unique()
        for i in 0..<used where clocks[i].lastSeen != Int64.min { body(&records[i]) }
    }

    /// Visits live flows without removing them (snapshots).
    public func forEach(_ body: (borrowing FlowRecord) -> Void) {
        for i in 0..<used where clocks[i].lastSeen != Int64.min { body(records[i]) }
    }

    // MARK: Eviction

    /// Advances the clock hand over at most `budget` records and returns the
    /// first one idle past its transport's timeout, counted as evicted (or
    /// retired, when closed). It stays in place: the caller reads it, then
    /// calls `remove(at:)` (records are handed out where they lie, not copied
    /// out and back: a record is 216 bytes and a flood evicts one per packet).
    public mutating func idleVictim(now: Int64, budget: Int) -> Int? {
        guard used > 0 else { return nil }
        for _ in 0..<budget {
            if clockHand >= used { clockHand = 0 }
            let i = clockHand
            clockHand += 1
            guard now > clocks[i].idleAt else { continue }  // free records too (`Int64.max`)
            if records[i].key.transport == .tcp && records[i].isClosed { retiredClosed += 1 } else { evictedIdle += 1 }
            prefetchVictim(i)
            return i
        }
        return nil
    }

    /// The least recently seen flow among a sample of 32 from the clock hand,
    /// counted as evicted for capacity; like `idleVictim`, left in place for
    /// the caller to read and `remove(at:)`.
    ///
    /// The sample is taken one eviction ahead: each call returns the victim the
    /// previous one chose (unless a packet reached it since, or it left) and
    /// chooses the next, starting the loads of its slot and record. Under a
    /// flood every new flow evicts one, and a victim's slot and record are
    /// cache misses: fetched as it is chosen, they were still on their way
    /// when `remove(at:)` and the caller reached them (a fifth of the tracking
    /// thread's time); fetched a packet ahead, they are there.
    public mutating func oldestVictim() -> Int? {
        let victim: Int
        if pendingVictim >= 0 && clocks[pendingVictim].lastSeen == pendingVictimSeen {
            victim = pendingVictim
        } else {
            guard let sampled = sampleOldest() else {
                pendingVictim = -1
                return nil
            }
            victim = sampled
            prefetchVictim(victim)
        }
        pendingVictim = -1
        if let next = sampleOldest(), next != victim {
            pendingVictim = next
            pendingVictimSeen = clocks[next].lastSeen
            prefetchVictim(next)
        }
        prefetchKeyHashesPastHand()
        evictedForCapacity += 1
        return victim
    }

    /// The least recently seen of the `sampleSize` records from the clock hand, which moves past them.
    /// (In at most two straight runs, the second from the start: checking for the wrap at every
    /// record, with the loop's other checks, made this ~640 instructions; under a flood it runs for
    /// every packet.)
    private mutating func sampleOldest() -> Int? {
        let n = Swift.min(Self.sampleSize, used)
        guard n > 0 else { return nil }
        let start = clockHand >= used ? 0 : clockHand
        let first = Swift.min(n, used - start)
        var oldest = UInt64.max, victim = -1
        Self.scanOldest(clocks, from: start, count: first, oldest: &oldest, victim: &victim)
        Self.scanOldest(clocks, from: 0, count: n - first, oldest: &oldest, victim: &victim)
        clockHand = n > first ? n - first : start + first
        return oldest == UInt64.max ? nil : victim
    }

    /// Starts loading the key hashes of the records a sample or two past the hand (16 a line): the
    /// next victims are among them, a victim's is read to find its slot, and waiting for it from
    /// memory was most of `oldestVictim`'s time under a flood. A small table stays in cache.
    private func prefetchKeyHashesPastHand() {
        guard used >= Self.sampleSize * 8 else { return }
        var ahead = clockHand + Self.sampleSize * 2
        for _ in 0..<3 {
            if ahead >= used { ahead -= used }
            egress_prefetch_table(keyHashes + ahead)
            ahead += 64 / MemoryLayout<UInt32>.stride
        }
    }

    /// Records sampled for the oldest.
    private static let sampleSize = 32

    /// The first least recently seen record of `count` from `start`, if older than `oldest` (an
    /// order-preserving key: the last-seen time with its sign bit flipped, less one, which makes a
    /// free record's `Int64.min` the greatest key: never chosen).
    @inline(__always)
    private static func scanOldest(_ clocks: UnsafeMutablePointer<Clock>, from start: Int, count: Int, oldest: inout UInt64,
                                   victim: inout Int) {
        var i = start
        let end = start + count
        while i < end {
            let key = (UInt64(bitPattern: clocks[i].lastSeen) ^ (1 << 63)) &- 1
            if key < oldest {
                oldest = key
                victim = i
            }
            i &+= 1
        }
    }

    /// Starts loading a victim's record (the caller reads it next) and its slot
    /// (`remove(at:)` then probes from there), both at once: under a flood each
    /// is a cache miss, and the slot's address no longer waits on the record.
    @inline(__always)
    private func prefetchVictim(_ i: Int) {
        egress_prefetch_table(slots + (Int(keyHashes[i]) & mask))
        let start = UnsafeRawPointer(records + i)
        var offset = 0
        while offset < MemoryLayout<FlowRecord>.size {
            egress_prefetch_table(start + offset)
            offset += 64
        }
        egress_prefetch_table(start + (MemoryLayout<FlowRecord>.size - 1))
    }

    /// Lends record `index` to `body` where it lies (no copy).
    @inlinable
    public func withRecord<R>(_ index: Int, _ body: (borrowing FlowRecord) -> R) -> R {
        precondition(index >= 0 && index < used, "FlowTable: no record \(index)")
        return body(records[index])
    }

    /// Deletes record `index` and closes the probe gap by shifting later
    /// entries back (Knuth 6.4 Algorithm R), so lookups never need tombstones.
    public mutating func remove(at index: Int) {
        precondition(index >= 0 && index < used && clocks[index].lastSeen != Int64.min, "FlowTable.remove: no record \(index)")
        unique()
        let h = keyHashes[index]
        assert(h == hash32(records[index].key), "FlowTable: a record's key changed after it was inserted")
        var slot = Int(h) & mask
        while Int(truncatingIfNeeded: slots[slot] & 0xffff_ffff) != index + 1 { slot = (slot + 1) & mask }
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: slots[next] >> 32) & mask
            // Move the entry back if its home is not in (hole, next] cyclically.
            let inRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !inRange {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        clocks[index] = .free
        if index == pendingVictim { pendingVictim = -1 }
        freeList[freeCount] = Int32(index)
        freeCount += 1
        count -= 1
    }

    /// Doubles the slot array; entries move by the hash their slots keep (no record is read).
    private mutating func grow() {
        let old = slots, oldCount = mask + 1, size = oldCount * 2, m = size - 1
        let grown = Buffers.emptySlots(size)
        for i in 0..<oldCount where old[i] != 0 {
            let e = old[i]
            var slot = Int(truncatingIfNeeded: e >> 32) & m
            while grown[slot] != 0 { slot = (slot + 1) & m }
            grown[slot] = e
        }
        replaceSlots(with: grown, count: size)
    }

    /// Makes `fresh` (`count` slots) the table's slots and frees the ones it had (its own: after `unique()`).
    private mutating func replaceSlots(with fresh: UnsafeMutablePointer<UInt64>, count: Int) {
        slots.deallocate()
        slots = fresh
        buffers.slots = fresh
        mask = count - 1
    }

    /// The key's hash (`FlowKeyHasher`).
    @inlinable
    func hash32(_ key: FlowKey) -> UInt32 { hasher.hash32(key) }
}

/// The flow table's hash of a 5-tuple: `FastHash` over the key's words,
/// seeded so crafted tuples cannot be aimed at one probe run; 32 bits: the
/// home slot's and the slot's tag. A value of its own so the decode thread
/// can hash a packet's key ahead of tracking (`PayloadPreview.flowHash`).
public struct FlowKeyHasher: Sendable {
    public let seed: UInt64

    @inlinable
    public init(seed: UInt64) { self.seed = seed }

    /// Always inlined: called, it read the key back from memory just written field by field, and
    /// its load of both ports at once could not be forwarded from those stores (a store-forwarding
    /// stall: 5.8 % of the per-flow capture's CPU samples, on the decode thread).
    @inlinable @inline(__always)
    public func hash32(_ key: FlowKey) -> UInt32 {
        var h = FastHash.Accumulator(seed: seed)
        h.mix(key.lowAddress.high)
        h.mix(key.lowAddress.low)
        h.mix(key.highAddress.high)
        h.mix(key.highAddress.low)
        h.mix(UInt64(key.lowPort) << 32 | UInt64(key.highPort) << 16 | UInt64(key.transport.rawValue))
        return UInt32(truncatingIfNeeded: h.value)
    }

    /// The hash of a decoded TCP or UDP packet's key (`FlowKey(packet)`); nil for any other packet.
    @inlinable @inline(__always)
    public func hash32(of packet: UnsafePointer<DecodedPacket>) -> UInt32? {
        FlowKey(packet).map { hash32($0) }
    }
}
