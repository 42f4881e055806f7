import EgressAudit
import FlowEngine

extension CapturePipeline {
    /// Flows in the order they began (ties by endpoints), as report entries.
    public var flowEntries: [FlowEntry] {
        flows.sorted { a, b in
            if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
            return (a.key.lowAddress, a.key.lowPort, a.key.highAddress, a.key.highPort) < (b.key.lowAddress, b.key.lowPort, b.key.highAddress, b.key.highPort)
        }.map { FlowEntry($0, names: tracker.names) }
    }

    public var dnsEntries: [DNSEntry] {
        tracker.dnsObservations.map { DNSEntry($0, names: tracker.names) }.sorted()
    }
}
