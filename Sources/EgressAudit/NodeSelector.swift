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
    /// Kept initiators and their counts (per flow: the fixed-key map, not `Dictionary`).
    private var counts = FixedKeyMap<IPAddress, Int>(minimumCapacity: 64, seed: FastHash.randomSeed())
    private(set) var total = 0
    /// Counts were decremented to make room: they are lower bounds.
    private(set) var isApproximate = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func add(_ address: IPAddress) {
        total += 1
        if let i = counts.index(forKey: address) {
            counts[valueAt: i] += 1
        } else if counts.count < capacity {
            counts.set(address, 1)
        } else {
            // Every kept count and the newcomer pay one; the cost is paid back
            // by the increments that made those counts (amortised O(1)).
            isApproximate = true
            var kept = FixedKeyMap<IPAddress, Int>(minimumCapacity: capacity, seed: FastHash.randomSeed())
            for i in 0..<counts.count where counts[valueAt: i] > 1 { kept.set(counts.key(at: i), counts[valueAt: i] - 1) }
            counts = kept
        }
    }

    /// Every kept initiator and its count, in no order (off the per-flow path).
    private var entries: [(address: IPAddress, flows: Int)] {
        (0..<counts.count).map { (counts.key(at: $0), counts[valueAt: $0]) }
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
