import Testing
@testable import FlowEngine
import PacketWire

@Suite struct FlowTableTests {
    private func key(_ i: Int, transport: TransportKind = .tcp) -> FlowKey {
        FlowKey(transport: transport, IPAddress(ipv4: 0x0a00_0001), UInt16(1024 + i % 60000), IPAddress(ipv4: 0x1400_0000 | UInt32(i)), 443)
    }

    private func record(_ i: Int, at t: Int64, transport: TransportKind = .tcp) -> FlowRecord {
        FlowRecord(key: key(i, transport: transport), initiatorIsLow: true, evidence: .handshake, timestamp: t)
    }

    @Test func keysAreDirectionInsensitive() {
        let a = IPAddress(ipv4: 1), b = IPAddress(ipv4: 2)
        #expect(FlowKey(transport: .udp, a, 5000, b, 53) == FlowKey(transport: .udp, b, 53, a, 5000))
        #expect(FlowKey(transport: .udp, a, 5000, b, 53) != FlowKey(transport: .tcp, a, 5000, b, 53))
    }

    @Test func insertFindAndRemoveKeepProbeChainsIntact() {
        var table = FlowTable(capacity: 5000)
        for i in 0..<5000 { _ = table.insert(record(i, at: Int64(i))) }
        #expect(table.count == 5000)
        for i in 0..<5000 { #expect(table.find(key(i)) != nil) }
        // Evict half by age; the rest must still be found (backward-shift deletion).
        var evicted = Set<FlowKey>()
        for _ in 0..<2500 {
            if let victim = table.oldestVictim() {
                evicted.insert(table[victim].key)
                table.remove(at: victim)
            }
        }
        #expect(evicted.count == 2500)
        for i in 0..<5000 { #expect((table.find(key(i)) != nil) == !evicted.contains(key(i))) }
        // Emptied (a capture's end), the table takes flows again from its first slots, and grows again.
        table.removeAll()
        #expect(table.count == 0 && table.find(key(1)) == nil)
        for i in 0..<3000 { _ = table.insert(record(i, at: Int64(i))) }
        for i in 0..<5000 { #expect((table.find(key(i)) != nil) == (i < 3000)) }
    }

    /// `oldestVictim` chooses each victim one eviction ahead (its slot and record loaded meanwhile):
    /// a choice a packet reached since, or that left the table, is not evicted, even when a new
    /// flow took its record at the same time.
    @Test func aVictimChosenAheadIsDroppedWhenReachedOrRemoved() throws {
        var table = FlowTable(capacity: 64)
        for i in 0..<64 { _ = table.insert(record(i, at: Int64(i))) }  // record i at index i, last seen at i
        let first = try #require(table.oldestVictim() as Int?)
        #expect(table[first].key == key(0))  // the oldest of records 0-31
        table.remove(at: first)
        // Chosen next: 32, the oldest of records 32-63. A packet reaches it: it is not the victim.
        let reached = try #require(table.find(key(32)))
        table.modify(reached) { $0.lastSeen = 1_000 }
        let second = try #require(table.oldestVictim() as Int?)
        #expect(table[second].key == key(1))  // sampled again: 0-31, where 0 is gone
        table.remove(at: second)
        // Chosen next: 33. It leaves (as an idle flow would), and a new flow seen at the same time takes its record.
        let leaving = try #require(table.find(key(33)))
        table.remove(at: leaving)
        let newcomer = table.insert(record(100, at: 33))
        #expect(newcomer == leaving)
        let third = try #require(table.oldestVictim() as Int?)
        #expect(table[third].key == key(2))
    }

    /// A copy of the table is a value: writes to it (inserts that grow the slots, removals, a
    /// record changed in place) leave the original as it was, and the other way round.
    @Test func aCopyIsAValue() throws {
        var original = FlowTable(capacity: 10_000)
        for i in 0..<100 { _ = original.insert(record(i, at: Int64(i))) }
        var copy = original
        for i in 100..<5000 { _ = copy.insert(record(i, at: Int64(i))) }  // grows the copy's slots
        let gone = try #require(copy.find(key(7)))
        copy.remove(at: gone)
        let changed = try #require(copy.find(key(8)))
        copy.modify(changed) { $0.dnsMessages = 99 }
        #expect(copy.count == 4999 && copy.find(key(7)) == nil && copy[changed].dnsMessages == 99)
        #expect(original.count == 100)
        for i in 0..<100 { #expect(original.find(key(i)) != nil) }
        for i in 100..<5000 { #expect(original.find(key(i)) == nil) }
        let kept = try #require(original.find(key(8)))
        #expect(original[kept].dnsMessages == 0)
        // And the original written after the copy: the copy keeps what it had.
        original.remove(at: kept)
        #expect(original.find(key(8)) == nil && copy.find(key(8)) == changed)
        var visited = 0
        copy.forEach { _ in visited += 1 }
        #expect(visited == 4999)
    }

    @Test func capacityIsNeverExceededUnderAFlood() throws {
        var tracker = FlowTracker(limits: { var l = FlowEngineLimits(); l.maxFlows = 1000; return l }())
        var ended = 0
        var packet = DecodedPacket()
        packet.status = .decoded
        packet.network = .ipv4
        packet.transport = .udp
        packet.source = IPAddress(ipv4: 0x0a00_0001)
        for i in 0..<20_000 {
            packet.destination = IPAddress(ipv4: 0xc000_0000 | UInt32(i))
            packet.sourcePort = UInt16(truncatingIfNeeded: 30000 + i)
            packet.destinationPort = 53
            tracker.process(packet, timestamp: Int64(i), wireLength: 80) { _ in ended += 1 }
            #expect(tracker.table.count <= 1000)
        }
        #expect(tracker.table.evictedForCapacity == 19_000)
        #expect(ended == 19_000)
        tracker.finish { _, _ in ended += 1 }
        #expect(ended == 20_000)
    }

    @Test func idleFlowsAreEvictedByTheClock() throws {
        var table = FlowTable(capacity: 100, tcpIdleTimeoutSeconds: 10, udpIdleTimeoutSeconds: 1)
        _ = table.insert(record(1, at: 0, transport: .udp))
        _ = table.insert(record(2, at: 0, transport: .tcp))
        let early = table.idleVictim(now: 500_000_000, budget: 4)
        #expect(early == nil)
        let victim = table.idleVictim(now: 2_000_000_000, budget: 4)
        let gone = try #require(victim)
        #expect(table[gone].key.transport == .udp)
        // Left in place until removed: the caller reads it there.
        #expect(table.count == 2 && table.find(key(1, transport: .udp)) == gone)
        table.remove(at: gone)
        #expect(table.evictedIdle == 1)
        #expect(table.count == 1)
    }
}
