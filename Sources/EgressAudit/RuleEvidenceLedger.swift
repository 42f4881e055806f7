import EgressPolicy
import FastHashing
import FlowEngine
import PacketWire

/// What the flows showed about each rule, per node: how many flows it
/// allowed, to which destinations, and which attempts failed and how. A
/// required rule met from one node and failing from another is still blocked
/// where it fails, so the evidence is kept per node. Destinations are the
/// aggregates' entries (by index), so no text is made per flow; each list is
/// capped (`AuditLimits.destinationsPerRule`, `nodesPerRule`), past which
/// flows still count but name no new destination or node.
///
/// Per allowed flow and rule, one lookup of (rule, node) and one of the
/// destination, both in `FixedKeyMap`s (Swift's `Dictionary` and `Set` here
/// hashed with SipHash five times a flow: ~2,400 instructions, callgrind).
struct RuleEvidenceLedger {
    struct Destination: FastHashable, Hashable {
        let entry: Int32
        let port: UInt16

        func mix(into hash: inout FastHash.Accumulator) {
            hash.mix(UInt64(UInt32(bitPattern: entry)) << 16 | UInt64(port))
        }
    }

    struct Failure: FastHashable, Hashable {
        let destination: Destination
        let outcome: FlowOutcome

        func mix(into hash: inout FastHash.Accumulator) {
            hash.mix(UInt64(UInt32(bitPattern: destination.entry)) << 24 | UInt64(destination.port) << 8 | UInt64(outcome.rawValue))
        }
    }

    struct Evidence {
        var flows = 0
        var failed = 0
        var destinations = FixedKeyMap<Destination, Void>(minimumCapacity: 4, seed: FastHash.randomSeed())
        /// (A fixed-key map like the rest: a `Dictionary` here hashed with SipHash for every failed flow.)
        var failures = FixedKeyMap<Failure, Int>(minimumCapacity: 4, seed: FastHash.randomSeed())

        /// Every attempt failed (unanswered, refused, unreachable, prohibited).
        var allFailed: Bool { flows > 0 && failed == flows }

        /// One flow to `destination`; false when the destination is new past the cap (the flow counts, the destination is not listed).
        mutating func record(_ destination: Destination, outcome: FlowOutcome, limits: AuditLimits) -> Bool {
            flows += 1
            var listed = true
            if destinations.index(forKey: destination) == nil {
                if destinations.count < limits.destinationsPerRule { destinations.set(destination, ()) } else { listed = false }
            }
            if outcome.isFailure {
                failed += 1
                let failure = Failure(destination: destination, outcome: outcome)
                if let known = failures.index(forKey: failure) {
                    failures[valueAt: known] += 1
                } else {
                    let counted = failures.count < limits.destinationsPerRule * 2
                        ? failure : Failure(destination: Destination(entry: -1, port: 0), outcome: outcome)
                    failures[valueAt: failures.index(forKey: counted, insertingIfAbsent: { 0 }).index] += 1
                }
            }
            return listed
        }
    }

    /// Every node past `nodesPerRule` is counted here.
    static let otherNodes = IPAddress(ipv6High: 0, low: 0)

    /// A rule and a node: what evidence is kept by.
    private struct RuleNode: FastHashable {
        let rule: Int32
        let node: IPAddress

        func mix(into hash: inout FastHash.Accumulator) {
            hash.mix(UInt64(UInt32(bitPattern: rule)))
            node.mix(into: &hash)
        }
    }

    let limits: AuditLimits
    private var evidence = FixedKeyMap<RuleNode, Evidence>(minimumCapacity: 64, seed: FastHash.randomSeed())
    /// Nodes with evidence of their own, per rule (consulted only for a node new to a rule).
    private var nodesOfRule: [Int32: Int] = [:]
    private(set) var overflowFlows = 0

    init(limits: AuditLimits) {
        self.limits = limits
    }

    mutating func add(rule: Int32, node: IPAddress, destination: Destination, outcome: FlowOutcome) {
        let limits = self.limits
        let key = RuleNode(rule: rule, node: node)
        let slot: Int
        if let known = evidence.index(forKey: key) {
            slot = known
        } else if nodesOfRule[rule, default: 0] < limits.nodesPerRule {
            nodesOfRule[rule, default: 0] += 1
            slot = evidence.index(forKey: key, insertingIfAbsent: { Evidence() }).index
        } else {
            slot = evidence.index(forKey: RuleNode(rule: rule, node: Self.otherNodes), insertingIfAbsent: { Evidence() }).index
        }
        // In place: a copy taken out and written back would copy its tables on every flow.
        if !evidence[valueAt: slot].record(destination, outcome: outcome, limits: limits) { overflowFlows += 1 }
    }

    /// Each rule's evidence by node (for the report).
    private func byRule() -> [Int32: [(node: IPAddress, evidence: Evidence)]] {
        var out: [Int32: [(node: IPAddress, evidence: Evidence)]] = [:]
        for i in 0..<evidence.count {
            let key = evidence.key(at: i)
            out[key.rule, default: []].append((key.node, evidence[valueAt: i]))
        }
        return out
    }

    /// After a profile reload: evidence under the new profile's rule indices (`map[old]`, -1: gone).
    mutating func remapRules(_ map: [Int]) {
        var moved = FixedKeyMap<RuleNode, Evidence>(minimumCapacity: max(64, evidence.count), seed: FastHash.randomSeed())
        var counts: [Int32: Int] = [:]
        for i in 0..<evidence.count {
            let key = evidence.key(at: i)
            guard Int(key.rule) < map.count, map[Int(key.rule)] >= 0 else { continue }
            let rule = Int32(map[Int(key.rule)])
            moved.set(RuleNode(rule: rule, node: key.node), evidence[valueAt: i])
            if key.node != Self.otherNodes { counts[rule, default: 0] += 1 }
        }
        evidence = moved
        nodesOfRule = counts
    }

    /// Each rule's status as the report gives it: required rules satisfied,
    /// attempted but failing, or not seen; optional rules of enabled features used or not.
    /// `display`: each destination's text, by entry (`DestinationAggregates.displayTexts`).
    func statuses(profile: CompiledProfile, display: [String]) -> (required: [AuditReport.RuleStatus], optional: [AuditReport.RuleStatus]) {
        func text(_ d: Destination) -> String {
            d.entry < 0 ? "(other destinations)" : "\(display[Int(d.entry)]):\(d.port)"
        }
        var required: [AuditReport.RuleStatus] = [], optional: [AuditReport.RuleStatus] = []
        let byRule = byRule()
        for (index, rule) in profile.rules.enumerated() {
            let perNode = byRule[Int32(index)] ?? []
            var flows = 0, failed = 0
            var seen = Set<String>()
            var failures: [String: [String: Int]] = [:]
            var nodes: [String: String] = [:]
            for (node, e) in perNode {
                flows += e.flows
                failed += e.failed
                for d in e.destinations.keys { seen.insert(text(d)) }
                for i in 0 ..< e.failures.count {
                    let f = e.failures.key(at: i)
                    failures[text(f.destination), default: [:]][f.outcome.name, default: 0] += e.failures[valueAt: i]
                }
                nodes[node == Self.otherNodes ? "(other nodes)" : node.description] = e.allFailed ? "attempted-but-failing" : "satisfied"
            }
            let failureList = failures.flatMap { d, byOutcome in
                byOutcome.map { AuditReport.RuleFailure(destination: d, outcome: $0.key, flows: $0.value) }
            }.sorted { ($0.destination, $0.outcome) < ($1.destination, $1.outcome) }
            let destinationList = Array(seen.sorted().prefix(limits.destinationsPerRule))
            switch rule.requirement {
            case .required:
                let status = nodes.isEmpty ? "not-seen" : (nodes.values.contains("satisfied") ? "satisfied" : "attempted-but-failing")
                required.append(.init(rule: rule.id, profile: rule.profile, status: status, feature: nil, purpose: rule.purpose, flows: flows, failedFlows: failed,
                                      destinations: destinationList, failures: failureList, nodes: nodes.isEmpty ? nil : nodes))
            case .optional(let feature, let enabled):
                guard enabled else { continue }
                optional.append(.init(rule: rule.id, profile: rule.profile, status: flows == 0 ? "unused" : "used", feature: feature, purpose: rule.purpose,
                                      flows: flows, failedFlows: failed, destinations: destinationList, failures: failureList, nodes: nil))
            }
        }
        return (required.sorted { $0.rule < $1.rule }, optional.sorted { $0.rule < $1.rule })
    }
}
