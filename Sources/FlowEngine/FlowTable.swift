import FastHashing
import PacketWire

/// The bounded table of live flows: open addressing with linear probing over
/// a power-of-two slot array, records in one contiguous array recycled
/// through a free list, deletion by backward shift (no tombstones).
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
    public let tcpIdleTimeout: Int64
    public let udpIdleTimeout: Int64
    public let closedTCPDelay: Int64
    public let dnsIdleTimeout: Int64
    private let shortestTimeout: Int64

    @usableFromInline var slots: [Int32]              // record index + 1; 0 = empty
    @usableFromInline var mask: Int
    @usableFromInline var records: [FlowRecord] = []
    @usableFromInline var live: [Bool] = []
    private var freeList: [Int32] = []
    private var clockHand = 0
    @usableFromInline let seed: UInt64
    public private(set) var count = 0

    public private(set) var evictedIdle = 0
    /// Closed or reset TCP connections that left after `closedTCPDelay` (not counted in `evictedIdle`).
    public private(set) var retiredClosed = 0
    public private(set) var evictedForCapacity = 0

    public init(capacity: Int = 1 << 20, tcpIdleTimeoutSeconds: Int64 = 300, udpIdleTimeoutSeconds: Int64 = 60,
                closedTCPDelaySeconds: Int64 = 5, dnsIdleTimeoutSeconds: Int64 = 10, seed: UInt64 = FastHash.randomSeed()) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.tcpIdleTimeout = tcpIdleTimeoutSeconds * 1_000_000_000
        self.udpIdleTimeout = udpIdleTimeoutSeconds * 1_000_000_000
        self.closedTCPDelay = Swift.min(closedTCPDelaySeconds, tcpIdleTimeoutSeconds) * 1_000_000_000
        self.dnsIdleTimeout = Swift.min(dnsIdleTimeoutSeconds, udpIdleTimeoutSeconds) * 1_000_000_000
        self.shortestTimeout = Swift.min(tcpIdleTimeout, udpIdleTimeout, closedTCPDelay, dnsIdleTimeout)
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        // Start small and double as flows arrive, up to the size the cap needs.
        slots = [Int32](repeating: 0, count: Swift.min(size, 1 << 12))
        mask = slots.count - 1
        self.seed = seed
    }

    /// Index of the record for `key`, if present.
    @inlinable
    public func find(_ key: FlowKey) -> Int? {
        var slot = slotIndex(key)
        while true {
            let r = slots[slot]
            if r == 0 { return nil }
            if records[Int(r - 1)].key == key { return Int(r - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// True when the next insert needs room made first (`evictOldest`).
    public var isFull: Bool { count >= capacity }

    /// Inserts a new record (the key must be absent; the table must not be
    /// full) and returns its index.
    public mutating func insert(_ record: FlowRecord) -> Int {
        precondition(count < capacity, "FlowTable.insert on a full table: call evictOldest() first")
        if (count + 1) * 2 > slots.count { grow() }
        let index: Int
        if let reused = freeList.popLast() {
            index = Int(reused)
            records[index] = record
            live[index] = true
        } else {
            index = records.count
            records.append(record)
            live.append(true)
        }
        var slot = slotIndex(record.key)
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index + 1)
        count += 1
        return index
    }

    /// Runs `body` with exclusive access to record `index`.
    @inlinable
    public mutating func modify<R>(_ index: Int, _ body: (inout FlowRecord) -> R) -> R {
        body(&records[index])
    }

    @inlinable
    public subscript(index: Int) -> FlowRecord {
        get { records[index] }
        _modify { yield &records[index] }
    }

    /// The connection of flow `index` was reset or closed (a SYN on its tuple starts another).
    @inlinable
    public func connectionEnded(_ index: Int) -> Bool {
        records[index].resetByResponder || records[index].resetByInitiator || records[index].finSeen
    }

    /// Removes and returns every flow (end of capture).
    public mutating func removeAll() -> [FlowRecord] {
        var out: [FlowRecord] = []
        out.reserveCapacity(count)
        for i in records.indices where live[i] { out.append(records[i]) }
        records.removeAll(keepingCapacity: true)
        live.removeAll(keepingCapacity: true)
        freeList.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
        count = 0
        clockHand = 0
        return out
    }

    /// Visits live flows without removing them (snapshots).
    public func forEach(_ body: (FlowRecord) -> Void) {
        for i in records.indices where live[i] { body(records[i]) }
    }

    // MARK: Eviction

    /// Advances the clock hand over at most `budget` records and removes the
    /// first one idle past its transport's timeout.
    public mutating func evictIdle(now: Int64, budget: Int) -> (index: Int, record: FlowRecord)? {
        guard !records.isEmpty else { return nil }
        for _ in 0..<budget {
            if clockHand >= records.count { clockHand = 0 }
            let i = clockHand
            clockHand += 1
            guard live[i] else { continue }
            let idle = now - records[i].lastSeen
            guard idle > shortestTimeout else { continue }  // most records, under a flood: one load
            // Read into locals first: an `&&` operand reading `records` would capture, and copy, the table.
            let key = records[i].key, isClosed = records[i].isClosed
            let closed = key.transport == .tcp && isClosed
            let timeout = closed ? closedTCPDelay : idleTimeout(key)
            if idle > timeout {
                let old = records[i]
                remove(at: i)
                if closed { retiredClosed += 1 } else { evictedIdle += 1 }
                return (i, old)
            }
        }
        return nil
    }

    /// How long a flow that is not a closed TCP connection may go without a packet.
    @inline(__always)
    private func idleTimeout(_ key: FlowKey) -> Int64 {
        if key.transport == .tcp { return tcpIdleTimeout }
        return key.lowPort == 53 || key.highPort == 53 ? dnsIdleTimeout : udpIdleTimeout
    }

    /// Removes record `index` (a connection that ended and is being reused) and returns it.
    public mutating func remove(_ index: Int) -> FlowRecord {
        let old = records[index]
        remove(at: index)
        return old
    }

    /// Removes the least recently seen flow among a sample of 32 from the clock hand.
    public mutating func evictOldest() -> (index: Int, record: FlowRecord)? {
        var victim = -1
        var oldest = Int64.max
        var i = clockHand
        var looked = 0
        while looked < 32 && looked < records.count {
            if i >= records.count { i = 0 }
            if live[i] && records[i].lastSeen < oldest { oldest = records[i].lastSeen; victim = i }
            i += 1
            looked += 1
        }
        clockHand = i
        guard victim >= 0 else { return nil }
        let old = records[victim]
        remove(at: victim)
        evictedForCapacity += 1
        return (victim, old)
    }

    /// Deletes record `index` and closes the probe gap by shifting later
    /// entries back (Knuth 6.4 Algorithm R), so lookups never need tombstones.
    private mutating func remove(at index: Int) {
        var slot = slotIndex(records[index].key)
        while Int(slots[slot]) != index + 1 { slot = (slot + 1) & mask }
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = slotIndex(records[Int(slots[next] - 1)].key)
            // Move the entry back if its home is not in (hole, next] cyclically.
            let inRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !inRange {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        live[index] = false
        freeList.append(Int32(index))
        count -= 1
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for i in records.indices where live[i] {
            var slot = slotIndex(records[i].key)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    /// `FastHash` over the key's words, seeded so crafted tuples cannot be
    /// aimed at one probe run.
    @inlinable
    func slotIndex(_ key: FlowKey) -> Int {
        var h = FastHash.Accumulator(seed: seed)
        h.mix(key.lowAddress.high)
        h.mix(key.lowAddress.low)
        h.mix(key.highAddress.high)
        h.mix(key.highAddress.low)
        h.mix(UInt64(key.lowPort) << 32 | UInt64(key.highPort) << 16 | UInt64(key.transport.rawValue))
        return Int(truncatingIfNeeded: h.value) & mask
    }
}
