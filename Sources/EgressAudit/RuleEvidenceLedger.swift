import EgressPolicy
import FlowEngine
import PacketWire

/// What the flows showed about each rule, per node: how many flows it
/// allowed, to which destinations, and which attempts failed and how. A
/// required rule met from one node and failing from another is still blocked
/// where it fails, so the evidence is kept per node. Destinations are the
/// aggregates' entries (by index), so no text is made per flow; each list is
/// capped (`AuditLimits.destinationsPerRule`, `nodesPerRule`), past which
/// flows still count but name no new destination or node.
struct RuleEvidenceLedger {
    struct Destination: Hashable {
        let entry: Int32
        let port: UInt16
    }

    struct Failure: Hashable {
        let destination: Destination
        let outcome: FlowOutcome
    }

    struct Evidence {
        var flows = 0
        var failed = 0
        var destinations: Set<Destination> = []
        var failures: [Failure: Int] = [:]

        /// Every attempt failed (unanswered, refused, unreachable, prohibited).
        var allFailed: Bool { flows > 0 && failed == flows }
    }

    /// Every node past `nodesPerRule` is counted here.
    static let otherNodes = IPAddress(ipv6High: 0, low: 0)

    let limits: AuditLimits
    private var byRule: [Int32: [IPAddress: Evidence]] = [:]
    private(set) var overflowFlows = 0

    init(limits: AuditLimits) {
        self.limits = limits
    }

    mutating func add(rule: Int32, node: IPAddress, destination: Destination, outcome: FlowOutcome) {
        let limits = self.limits
        // In place: a copy taken out and written back would copy its sets on every flow.
        var overflow = false
        Self.modify(&byRule[rule, default: [:]], node: node, limit: limits.nodesPerRule) { e in
            e.flows += 1
            if e.destinations.count < limits.destinationsPerRule || e.destinations.contains(destination) {
                e.destinations.insert(destination)
            } else {
                overflow = true
            }
            if outcome.isFailure {
                e.failed += 1
                let key = Failure(destination: destination, outcome: outcome)
                if e.failures[key] != nil || e.failures.count < limits.destinationsPerRule * 2 {
                    e.failures[key, default: 0] += 1
                } else {
                    e.failures[Failure(destination: Destination(entry: -1, port: 0), outcome: outcome), default: 0] += 1
                }
            }
        }
        if overflow { overflowFlows += 1 }
    }

    private static func modify(_ nodes: inout [IPAddress: Evidence], node: IPAddress, limit: Int, _ body: (inout Evidence) -> Void) {
        if nodes[node] != nil || nodes.count < limit {
            body(&nodes[node, default: Evidence()])
        } else {
            body(&nodes[Self.otherNodes, default: Evidence()])
        }
    }

    func perNode(rule: Int) -> [IPAddress: Evidence] { byRule[Int32(rule)] ?? [:] }

    /// After a profile reload: evidence under the new profile's rule indices (`map[old]`, -1: gone).
    mutating func remapRules(_ map: [Int]) {
        var moved: [Int32: [IPAddress: Evidence]] = [:]
        for (rule, nodes) in byRule where Int(rule) < map.count && map[Int(rule)] >= 0 { moved[Int32(map[Int(rule)])] = nodes }
        byRule = moved
    }

    /// Each rule's status as the report gives it: required rules satisfied,
    /// attempted but failing, or not seen; optional rules of enabled features used or not.
    func statuses(profile: CompiledProfile, destinations: DestinationAggregates) -> (required: [AuditReport.RuleStatus], optional: [AuditReport.RuleStatus]) {
        func text(_ d: Destination) -> String {
            d.entry < 0 ? "(other destinations)" : "\(destinations.display(d.entry)):\(d.port)"
        }
        var required: [AuditReport.RuleStatus] = [], optional: [AuditReport.RuleStatus] = []
        for (index, rule) in profile.rules.enumerated() {
            let perNode = perNode(rule: index)
            var flows = 0, failed = 0
            var seen = Set<String>()
            var failures: [String: [String: Int]] = [:]
            var nodes: [String: String] = [:]
            for (node, e) in perNode {
                flows += e.flows
                failed += e.failed
                for d in e.destinations { seen.insert(text(d)) }
                for (f, n) in e.failures { failures[text(f.destination), default: [:]][f.outcome.name, default: 0] += n }
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
