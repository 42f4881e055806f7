import CPrefetch
import FastHashing
import EgressPolicy
import FlowEngine
import PacketWire

/// Flows initiated per address, in bounded memory: the Misra–Gries summary
/// (Misra & Gries 1982). With at most `capacity` distinct initiators every
/// count is exact; past that each count is low by at most n / (capacity + 1),
/// n the flows counted, so the busiest initiators are always kept.
///
/// Counted for every flow, on the audit's thread, while the tracking thread
/// sweeps its own large table through the same caches: an IPv4 initiator's
/// address and count share one 16-byte slot (one cache line read a flow; a
/// map's slot and its entry were two). IPv6 initiators are kept in a map.
struct InitiatorCounter {
    let capacity: Int
    /// IPv4 initiators: open addressing, linear probing, at most half full; a zero count is an empty slot.
    private var v4: [Slot]
    private var v4Mask: Int
    private var v4Count = 0
    private let seed = FastHash.randomSeed()
    private var v6 = FixedKeyMap<IPAddress, Int>(minimumCapacity: 16, seed: FastHash.randomSeed())
    private(set) var total = 0
    /// Counts were decremented to make room: they are lower bounds.
    private(set) var isApproximate = false

    private struct Slot {
        var address: UInt32
        var flows: Int
    }

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        v4 = [Slot](repeating: Slot(address: 0, flows: 0), count: 64)
        v4Mask = 63
    }

    private var distinct: Int { v4Count + v6.count }

    /// Starts loading the slot where `address` is counted (IPv4): the audit's
    /// thread calls it for the record some places ahead of the one it folds.
    mutating func prefetch(_ address: IPAddress) {
        guard address.isIPv4 else { return }
        let i = Int(truncatingIfNeeded: FastHash.hash(UInt64(address.ipv4), seed: seed)) & v4Mask
        // The mutable view: the read-only one of a field retained and released the array around the call.
        v4.withUnsafeMutableBufferPointer { egress_prefetch_table($0.baseAddress! + i) }
    }

    mutating func add(_ address: IPAddress) {
        total += 1
        guard address.isIPv4 else { return addIPv6(address) }
        let a = address.ipv4
        var i = Int(truncatingIfNeeded: FastHash.hash(UInt64(a), seed: seed)) & v4Mask
        while v4[i].flows != 0 {
            if v4[i].address == a {
                v4[i].flows += 1
                return
            }
            i = (i + 1) & v4Mask
        }
        guard distinct < capacity else { return decrementAll() }
        v4[i] = Slot(address: a, flows: 1)
        v4Count += 1
        if v4Count * 2 > v4.count { rebuildIPv4(size: v4.count * 2) }
    }

    private mutating func addIPv6(_ address: IPAddress) {
        if let i = v6.index(forKey: address) {
            v6[valueAt: i] += 1
        } else if distinct < capacity {
            v6.set(address, 1)
        } else {
            decrementAll()
        }
    }

    /// A newcomer past the capacity: every kept count and the newcomer pay one;
    /// the cost is paid back by the increments that made those counts (amortised O(1)).
    private mutating func decrementAll() {
        isApproximate = true
        for i in v4.indices where v4[i].flows > 0 { v4[i].flows -= 1 }
        rebuildIPv4(size: v4.count)
        var kept = FixedKeyMap<IPAddress, Int>(minimumCapacity: v6.count, seed: FastHash.randomSeed())
        for i in 0..<v6.count where v6[valueAt: i] > 1 { kept.set(v6.key(at: i), v6[valueAt: i] - 1) }
        v6 = kept
    }

    /// Re-inserts the IPv4 slots with a count into a table of `size` slots.
    private mutating func rebuildIPv4(size: Int) {
        let old = v4
        v4 = [Slot](repeating: Slot(address: 0, flows: 0), count: size)
        v4Mask = size - 1
        v4Count = 0
        for s in old where s.flows > 0 {
            var i = Int(truncatingIfNeeded: FastHash.hash(UInt64(s.address), seed: seed)) & v4Mask
            while v4[i].flows != 0 { i = (i + 1) & v4Mask }
            v4[i] = s
            v4Count += 1
        }
    }

    /// Every kept initiator and its count, in no order (off the per-flow path).
    private var entries: [(address: IPAddress, flows: Int)] {
        v4.filter { $0.flows > 0 }.map { (IPAddress(ipv4: $0.address), $0.flows) } + (0..<v6.count).map { (v6.key(at: $0), v6[valueAt: $0]) }
    }

    /// Every kept initiator and its count (off the per-flow path).
    var all: [IPAddress: Int] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.address, $0.flows) })
    }

    /// The busiest initiators, most flows first (ties by address).
    func busiest(_ n: Int) -> [(address: IPAddress, flows: Int)] {
        Array(entries.sorted { ($1.flows, $0.address) < ($0.flows, $1.address) }.prefix(n))
    }
}

/// Which addresses are the audited node(s). Given ones win; otherwise the
/// addresses that initiate most flows, per address family, and the report says so.
enum NodeSelector {
    struct Selection {
        let nodes: [CIDR]
        let how: String
    }

    /// `early`: chosen before the input ended, from the flows held back (`AuditLimits.nodeChoiceFlows`).
    static func select(_ counter: InitiatorCounter, early: Bool) -> Selection {
        let counts = counter.all
        guard !counts.isEmpty else { return Selection(nodes: [], how: "no flows to choose nodes from") }
        // Per address family, every address initiating at least a quarter as many
        // flows as that family's busiest (a dual-stack node has one of each).
        let top4 = counts.filter { $0.key.isIPv4 }.values.max() ?? 0
        let top6 = counts.filter { !$0.key.isIPv4 }.values.max() ?? 0
        let chosen = counts.filter { $0.value * 4 >= ($0.key.isIPv4 ? top4 : top6) }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let detail = chosen.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        return Selection(nodes: chosen.compactMap { CIDR(address: $0.key, prefixLength: $0.key.isIPv4 ? 32 : 128) },
                         how: "the busiest initiators: \(detail) of \(early ? "the first " : "")\(counter.total) flows initiated; use --node to choose")
    }
}
