/// The numbers a live audit exports to Prometheus at one moment: per
/// interface capture counters, decoder and flow-table counters, and — when a
/// profile is audited — flows by verdict, findings by kind, required rules
/// by status and each required rule's status. A plain value: the capture thread builds it, the metrics server
/// renders it (`MetricsExposition`).
public struct MetricsSnapshot: Sendable, Equatable {
    public struct Interface: Sendable, Equatable {
        public var name: String
        public var packets: Int
        public var bytes: Int
        /// From pcap_stats; nil when libpcap could not say.
        public var kernelDrops: Int?
        public var interfaceDrops: Int?

        public init(name: String, packets: Int, bytes: Int, kernelDrops: Int?, interfaceDrops: Int?) {
            self.name = name
            self.packets = packets
            self.bytes = bytes
            self.kernelDrops = kernelDrops
            self.interfaceDrops = interfaceDrops
        }
    }

    /// One labelled value of a gauge family, in the order it is rendered.
    public struct Labelled: Sendable, Equatable {
        public var label: String
        public var value: Int
        public init(_ label: String, _ value: Int) {
            self.label = label
            self.value = value
        }
    }

    public var interfaces: [Interface]
    public var malformedPackets: Int
    public var flowEvictions: Int
    /// Flows seen so far (every flow, audited or not).
    public var flows: Int
    /// Empty without a profile.
    public var flowsByVerdict: [Labelled] = []
    public var findingsByKind: [Labelled] = []
    public var requiredRulesByStatus: [Labelled] = []
    /// Flows to destinations whose TLS name and DNS name disagree (also counted under their verdict in `flowsByVerdict`).
    public var nameMismatchFlows: Int?
    /// Each required rule's status (at most `ruleStatusLimit` rules, the rest counted in `requiredRulesUnlisted`).
    public var requiredRuleStatuses: [RuleState] = []
    public var requiredRulesUnlisted = 0
    /// `egress_audit_build_info{version}`.
    public var version = ToolVersion.current

    /// Bounds the per-rule series: a profile has dozens of required rules; a hand-written one with more is cut here.
    public static let ruleStatusLimit = 200
    /// Every status a required rule can have: each rule exports one series per status (1 for its status, else 0).
    public static let requiredStatuses = ["satisfied", "attempted-but-failing", "not-seen"]

    public struct RuleState: Sendable, Equatable {
        public var rule: String
        public var status: String
        public init(rule: String, status: String) {
            self.rule = rule
            self.status = status
        }
    }
    /// Unix time (seconds) this snapshot was taken.
    public var timestampSeconds: Double

    public init(interfaces: [Interface], malformedPackets: Int, flowEvictions: Int, flows: Int, timestampSeconds: Double) {
        self.interfaces = interfaces
        self.malformedPackets = malformedPackets
        self.flowEvictions = flowEvictions
        self.flows = flows
        self.timestampSeconds = timestampSeconds
    }

    /// The audit's verdicts, findings and rule statuses. Every finding kind and
    /// required-rule status is present, zero included, so a series never vanishes.
    public mutating func record(audit report: AuditReport) {
        var inbound = 0
        func outbound(_ list: [AuditReport.Destination]) -> Int {
            var sum = 0
            for d in list {
                if d.direction == "inbound" { inbound += d.flows } else { sum += d.flows }
            }
            return sum
        }
        let allowed = outbound(report.allowed), undocumented = outbound(report.undocumented), wrongPort = outbound(report.wrongPort)
        let resolver = outbound(report.resolvers)
        // Each audited flow under exactly one label: the labels sum to the flows egress from and toward the nodes.
        flowsByVerdict = [
            Labelled("allowed", allowed), Labelled("undocumented", undocumented), Labelled("wrong-port", wrongPort),
            Labelled("resolver", resolver), Labelled("inbound", inbound),
        ]
        nameMismatchFlows = report.nameMismatches.reduce(0) { $0 + $1.flows }
        requiredRuleStatuses = report.requiredRules.prefix(Self.ruleStatusLimit).map { RuleState(rule: $0.rule, status: $0.status) }
        requiredRulesUnlisted = max(0, report.requiredRules.count - Self.ruleStatusLimit)
        findingsByKind = AuditReport.Severity.allCases.map { kind in
            Labelled(kind.rawValue, report.findings.filter { $0.kind == kind }.count)
        }
        var statuses = Self.requiredStatuses
        for r in report.requiredRules where !statuses.contains(r.status) { statuses.append(r.status) }
        requiredRulesByStatus = statuses.map { status in Labelled(status, report.requiredRules.filter { $0.status == status }.count) }
    }
}
