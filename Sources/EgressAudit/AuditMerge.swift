import PacketWire

/// Combines audit reports of the same profile and parameters (the nodes of a
/// DaemonSet, several files, several days) into the report one run over all
/// of their inputs would have given: counts add, samples unite and are cut
/// back to their caps (`DistinctSample`), per-node rule statuses join
/// (a node satisfied anywhere is satisfied), and findings and the verdict are
/// derived again from the sum. The operation is associative and commutative.
public enum AuditMerge {
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func merge(_ reports: [AuditReport], limits: AuditLimits = AuditLimits()) throws(Mismatch) -> AuditReport {
        guard var total = reports.first else { throw Mismatch(description: "no reports to merge") }
        for r in reports.dropFirst() { total = try merge(total, r, limits: limits) }
        // The merged report is this version's judgement of the sum.
        total.toolVersion = ToolVersion.current
        return total
    }

    static func merge(_ a: AuditReport, _ b: AuditReport, limits: AuditLimits) throws(Mismatch) -> AuditReport {
        guard a.schemaVersion == b.schemaVersion else {
            throw Mismatch(description: "schema versions differ (\(a.schemaVersion) and \(b.schemaVersion)): re-run the older audit")
        }
        guard a.profile.id == b.profile.id else {
            throw Mismatch(description: "the reports audit different profiles (\(a.profile.id) and \(b.profile.id)): merge reports of one profile")
        }
        guard a.profile.parameters == b.profile.parameters, a.profile.features == b.profile.features else {
            func describe(_ p: AuditReport.ProfileSummary) -> String {
                (p.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + p.features.map { "feature \($0)" }).joined(separator: " ")
            }
            throw Mismatch(description: "the reports audit \(a.profile.id) with different parameters or features ([\(describe(a.profile))] and [\(describe(b.profile))])")
        }
        var m = a
        m.profile.serviceTagFiles = Array(Set(a.profile.serviceTagFiles).union(b.profile.serviceTagFiles)).sorted()
        let addresses = Array(Set(a.nodes.addresses).union(b.nodes.addresses)).sorted()
        m.nodes = .init(addresses: addresses, how: a.nodes.how == b.nodes.how ? a.nodes.how : "merged: \(a.nodes.how); \(b.nodes.how)")
        m.undocumented = destinations(a.undocumented, b.undocumented, limits)
        m.wrongPort = destinations(a.wrongPort, b.wrongPort, limits)
        m.allowed = destinations(a.allowed, b.allowed, limits)
        m.resolvers = destinations(a.resolvers, b.resolvers, limits)
        m.requiredRules = rules(a.requiredRules, b.requiredRules, required: true, limits)
        m.optionalRules = rules(a.optionalRules, b.optionalRules, required: false, limits)
        m.dnsFailures = union(a.dnsFailures, b.dnsFailures) { "\($0.name) \($0.rcode)" }.sorted { ($0.name, $0.rcode) < ($1.name, $1.rcode) }
        m.warnings = union(a.warnings, b.warnings) { $0 }
        m.suggestions = union(a.suggestions, b.suggestions) { "\($0.kind) \($0.value) \($0.transport) \($0.port)" }
            .sorted { ($0.transport, $0.value, $0.port) < ($1.transport, $1.value, $1.port) }
        m.capture = a.capture.merged(with: b.capture)
        var mismatches: [String: AuditReport.NameMismatch] = [:]
        for x in a.nameMismatches + b.nameMismatches {
            let key = "\(x.address) \(x.port) \(x.sni) \(x.dns)"
            if var known = mismatches[key] { known.flows += x.flows; mismatches[key] = known } else { mismatches[key] = x }
        }
        m.nameMismatches = mismatches.values.sorted { ($0.sni, $0.address, $0.port, $0.dns) < ($1.sni, $1.address, $1.port, $1.dns) }
        m.flowTotals = .init(outbound: a.flowTotals.outbound + b.flowTotals.outbound, inbound: a.flowTotals.inbound + b.flowTotals.inbound,
                             notAudited: a.flowTotals.notAudited + b.flowTotals.notAudited)
        var initiators: [String: Int] = [:]
        for i in a.initiators + b.initiators { initiators[i.address, default: 0] += i.flows }
        m.initiators = initiators.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(16).map { .init(address: $0.key, flows: $0.value) }
        var overflow: [String: AuditReport.Overflow] = [:]
        for o in a.overflow + b.overflow {
            if var known = overflow[o.cap] { known.flows += o.flows; overflow[o.cap] = known } else { overflow[o.cap] = o }
        }
        m.overflow = overflow.values.sorted { $0.cap < $1.cap }
        AuditFindings.derive(&m)
        return m
    }

    /// Keeps the first of each key, in order.
    private static func union<T>(_ a: [T], _ b: [T], key: (T) -> String) -> [T] {
        var seen = Set<String>()
        return (a + b).filter { seen.insert(key($0)).inserted }
    }

    private static func destinations(_ a: [AuditReport.Destination], _ b: [AuditReport.Destination], _ limits: AuditLimits)
        -> [AuditReport.Destination]
    {
        var byKey: [String: AuditReport.Destination] = [:]
        var order: [String] = []
        for d in a + b {
            let key = "\(d.direction) \(d.folded ?? "") \(d.destination)"
            guard let known = byKey[key] else {
                byKey[key] = d
                order.append(key)
                continue
            }
            byKey[key] = merge(known, d, limits)
        }
        return order.compactMap { byKey[$0] }.sorted { ($0.direction, $0.destination) < ($1.direction, $1.destination) }
    }

    static func merge(_ a: AuditReport.Destination, _ b: AuditReport.Destination, _ limits: AuditLimits) -> AuditReport.Destination {
        func sample(_ x: [String], _ xEstimated: Bool, _ y: [String], _ yEstimated: Bool, capacity: Int)
            -> (values: [String], count: Int, estimated: Bool)
        {
            var s = DistinctSample<IPAddress>(capacity: capacity, values: x.compactMap(IPAddress.init), estimated: xEstimated)
            s.formUnion(DistinctSample(capacity: capacity, values: y.compactMap(IPAddress.init), estimated: yEstimated))
            return (s.values.sorted().map(\.description), s.count, s.isEstimated)
        }
        let aEstimated = Set(a.estimated ?? []), bEstimated = Set(b.estimated ?? [])
        var d = a
        let addresses = sample(a.addresses, aEstimated.contains("addresses"), b.addresses, bEstimated.contains("addresses"),
                               capacity: limits.addressesPerDestination)
        let nodes = sample(a.nodes, aEstimated.contains("nodes"), b.nodes, bEstimated.contains("nodes"),
                           capacity: limits.nodesPerDestination)
        var ports = DistinctSample<DestinationAggregates.TransportPort>(
            capacity: limits.portsPerDestination, values: a.ports.compactMap(DestinationAggregates.TransportPort.init), estimated: aEstimated.contains("ports"))
        ports.formUnion(DistinctSample(capacity: limits.portsPerDestination, values: b.ports.compactMap(DestinationAggregates.TransportPort.init),
                                       estimated: bEstimated.contains("ports")))
        d.addresses = addresses.values
        d.addressCount = addresses.count
        d.nodes = nodes.values
        d.nodeCount = nodes.count
        d.ports = ports.values.sorted().map(\.text)
        d.portCount = ports.count
        var estimated: [String] = []
        if addresses.estimated { estimated.append("addresses") }
        if nodes.estimated { estimated.append("nodes") }
        if ports.isEstimated { estimated.append("ports") }
        d.estimated = estimated.isEmpty ? nil : estimated
        if a.firewallRules != nil || b.firewallRules != nil {
            d.firewallRules = Array(Set((a.firewallRules ?? []) + (b.firewallRules ?? [])).sorted().prefix(DestinationAggregates.firewallRulesPerDestination))
        }
        d.flows += b.flows
        d.failedFlows += b.failedFlows
        d.failures.merge(b.failures, uniquingKeysWith: +)
        d.bytesSent += b.bytesSent
        d.bytesReceived += b.bytesReceived
        // RFC 3339 UTC texts of one width compare as the times they name.
        d.firstSeen = min(a.firstSeen, b.firstSeen)
        d.lastSeen = max(a.lastSeen, b.lastSeen)
        d.serviceTags = Array(Set(a.serviceTags).union(b.serviceTags)).sorted()
        d.rules = Array(Set(a.rules).union(b.rules)).sorted()
        return d
    }

    private static func rules(_ a: [AuditReport.RuleStatus], _ b: [AuditReport.RuleStatus], required: Bool, _ limits: AuditLimits)
        -> [AuditReport.RuleStatus]
    {
        var byRule: [String: AuditReport.RuleStatus] = [:]
        for s in a + b {
            guard var r = byRule[s.rule] else { byRule[s.rule] = s; continue }
            r.flows += s.flows
            r.failedFlows += s.failedFlows
            r.destinations = Array(Set(r.destinations).union(s.destinations).sorted().prefix(limits.destinationsPerRule))
            var failures: [String: Int] = [:]
            for f in r.failures + s.failures { failures["\(f.destination)\u{0}\(f.outcome)", default: 0] += f.flows }
            r.failures = failures.map { key, flows in
                let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                return AuditReport.RuleFailure(destination: parts[0], outcome: parts.count > 1 ? parts[1] : "", flows: flows)
            }.sorted { ($0.destination, $0.outcome) < ($1.destination, $1.outcome) }
            if r.nodes != nil || s.nodes != nil {
                var nodes = r.nodes ?? [:]
                for (node, status) in s.nodes ?? [:] where nodes[node] != "satisfied" { nodes[node] = status }
                r.nodes = nodes
            }
            if required {
                let nodes = r.nodes ?? [:]
                r.status = nodes.isEmpty ? "not-seen" : (nodes.values.contains("satisfied") ? "satisfied" : "attempted-but-failing")
            } else {
                r.status = r.flows == 0 ? "unused" : "used"
            }
            byRule[s.rule] = r
        }
        return byRule.values.sorted { $0.rule < $1.rule }
    }
}

extension DestinationAggregates.TransportPort {
    /// "tcp/443", as reports write ports.
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let port = UInt16(parts[1]), parts[0] == "tcp" || parts[0] == "udp" else { return nil }
        self.init(tcp: parts[0] == "tcp", port: port)
    }
}
