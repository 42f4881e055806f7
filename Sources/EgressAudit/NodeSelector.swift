import FastHashing
import EgressPolicy
import FlowEngine
import PacketWire

/// Flows initiated per address, in bounded memory: the Misra–Gries summary
/// (Misra & Gries 1982). With at most `capacity` distinct initiators every
/// count is exact; past that each count is low by at most n / (capacity + 1),
/// n the flows counted, so the busiest initiators are always kept.
struct InitiatorCounter {
    let capacity: Int
    /// Open addressing with linear probing, each address and its count in the slot itself: on a
    /// flood from thousands of nodes a count is one cache line read, where a map with an index
    /// array (FixedKeyMap) read two and was a quarter of the audit thread's time.
    private var slots: [Slot]
    private var mask: Int
    /// Distinct initiators kept.
    private(set) var count = 0
    private(set) var total = 0
    /// Counts were decremented to make room: they are lower bounds.
    private(set) var isApproximate = false

    private struct Slot {
        var high: UInt64 = 0
        var low: UInt64 = 0
        /// The count, with bit 63 set for an IPv4 address; 0: the slot is empty.
        var word: UInt64 = 0
        static let ipv4: UInt64 = 1 << 63
        var flows: Int { Int(word & ~Slot.ipv4) }
        var address: IPAddress { word & Slot.ipv4 != 0 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: low)) : IPAddress(ipv6High: high, low: low) }
    }

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        var size = 64
        while size < 2 * min(self.capacity, 1024) { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    private func home(_ a: IPAddress) -> Int {
        Int(truncatingIfNeeded: FastHash.hash(a.high, a.low ^ (a.isIPv4 ? 0x5151 : 0))) & mask
    }

    mutating func add(_ address: IPAddress) {
        total += 1
        let flag: UInt64 = address.isIPv4 ? Slot.ipv4 : 0
        var i = home(address)
        while slots[i].word != 0 {
            if slots[i].low == address.low, slots[i].high == address.high, slots[i].word & Slot.ipv4 == flag {
                slots[i].word += 1
                return
            }
            i = (i + 1) & mask
        }
        if count < capacity {
            slots[i] = Slot(high: address.high, low: address.low, word: flag | 1)
            count += 1
            if count * 2 > slots.count { rebuild(size: slots.count * 2, decrement: false) }
        } else {
            // Every kept count and the newcomer pay one; the cost is paid back
            // by the increments that made those counts (amortised O(1)).
            isApproximate = true
            rebuild(size: slots.count, decrement: true)
        }
    }

    private mutating func rebuild(size: Int, decrement: Bool) {
        let old = slots
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        count = 0
        for var s in old where s.word != 0 {
            if decrement {
                guard s.flows > 1 else { continue }
                s.word -= 1
            }
            var i = home(s.address)
            while slots[i].word != 0 { i = (i + 1) & mask }
            slots[i] = s
            count += 1
        }
    }

    /// Every kept initiator and its count (off the per-flow path).
    var all: [IPAddress: Int] {
        var out: [IPAddress: Int] = [:]
        for s in slots where s.word != 0 { out[s.address] = s.flows }
        return out
    }

    /// The busiest initiators, most flows first (ties by address).
    func busiest(_ n: Int) -> [(address: IPAddress, flows: Int)] {
        slots.filter { $0.word != 0 }.map { ($0.address, $0.flows) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }.prefix(n).map { ($0.0, $0.1) }
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
