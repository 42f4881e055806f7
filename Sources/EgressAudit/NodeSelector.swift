import EgressPolicy
import FlowEngine
import PacketWire

/// Which addresses are the audited node(s). Given ones win; otherwise the
/// addresses that initiate most flows, and the report says so.
enum NodeSelector {
    struct Selection {
        let nodes: [CIDR]
        let how: String
    }

    static func select(flows: [FlowRecord], given: [CIDR]) -> Selection {
        if !given.isEmpty { return Selection(nodes: given, how: "given with --node") }
        var counts: [IPAddress: Int] = [:]
        for f in flows where !Auditor.isLinkLocalMulticast(f.responder.address) {
            counts[f.initiator.address, default: 0] += 1
        }
        guard !counts.isEmpty else { return Selection(nodes: [], how: "no flows to choose nodes from") }
        // Per address family, every address initiating at least a quarter as many
        // flows as that family's busiest (a dual-stack node has one of each).
        let top4 = counts.filter { $0.key.isIPv4 }.values.max() ?? 0
        let top6 = counts.filter { !$0.key.isIPv4 }.values.max() ?? 0
        let chosen = counts.filter { $0.value * 4 >= ($0.key.isIPv4 ? top4 : top6) }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let total = counts.values.reduce(0, +)
        let detail = chosen.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        return Selection(nodes: chosen.compactMap { CIDR(address: $0.key, prefixLength: $0.key.isIPv4 ? 32 : 128) },
                         how: "the busiest initiators: \(detail) of \(total) flows initiated; use --node to choose")
    }
}
