import FlowEngine
import PacketWire

/// What the flows showed about each rule, per node: how many flows it
/// allowed, which destinations, and which attempts failed and how. A
/// required rule met from one node and failing from another is still
/// blocked where it fails, so the evidence is kept per node.
struct RuleEvidenceLedger {
    struct Destination: Hashable {
        let name: String
        let port: UInt16
        var text: String { "\(name):\(port)" }
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

        mutating func add(_ destination: Destination, outcome: FlowOutcome) {
            flows += 1
            destinations.insert(destination)
            if outcome.isFailure {
                failed += 1
                failures[Failure(destination: destination, outcome: outcome), default: 0] += 1
            }
        }

        /// Every attempt failed (unanswered, refused, unreachable, prohibited).
        var allFailed: Bool { flows > 0 && failed == flows }
        var destinationTexts: [String] { destinations.map(\.text).sorted() }
        var failureTexts: [String] { failures.map { "\($0.key.destination.text) \($0.key.outcome.name) ×\($0.value)" }.sorted() }

        static func merged(_ parts: some Sequence<Evidence>) -> Evidence {
            parts.reduce(into: Evidence()) { total, e in
                total.flows += e.flows
                total.failed += e.failed
                total.destinations.formUnion(e.destinations)
                total.failures.merge(e.failures, uniquingKeysWith: +)
            }
        }
    }

    private var byRule: [Int: [IPAddress: Evidence]] = [:]

    mutating func add(rule: Int, node: IPAddress, destination name: String, port: UInt16, outcome: FlowOutcome) {
        // In place: a copy taken out and written back would copy its sets on every flow.
        byRule[rule, default: [:]][node, default: Evidence()].add(Destination(name: name, port: port), outcome: outcome)
    }

    func perNode(rule: Int) -> [IPAddress: Evidence] { byRule[rule] ?? [:] }
}
