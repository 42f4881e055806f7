import CaptureRuntime
import Testing
@testable import EgressAudit

/// The Prometheus text format, written out by hand from the exposition format
/// specification (version 0.0.4) and compared byte for byte.
@Suite struct MetricsExpositionTests {
    @Test func aSnapshotRendersAsTheExpositionFormat() {
        var s = MetricsSnapshot(
            interfaces: [
                .init(name: "eth0", packets: 1200, bytes: 345_678, kernelDrops: 3, interfaceDrops: 0),
                .init(name: "lo", packets: 7, bytes: 420, kernelDrops: nil, interfaceDrops: nil),
            ],
            malformedPackets: 2, flowEvictions: 5, flows: 40, timestampSeconds: 1_764_000_000.5)
        s.flowsByVerdict = [.init("allowed", 30), .init("undocumented", 4)]
        s.findingsByKind = [.init("undocumented", 2)]
        s.requiredRulesByStatus = [.init("satisfied", 6), .init("not-seen", 1)]
        s.version = "9.8.7"
        let expected = """
        # HELP egress_audit_build_info The egress-audit version serving these metrics (always 1).
        # TYPE egress_audit_build_info gauge
        egress_audit_build_info{version="9.8.7"} 1
        # HELP egress_audit_packets_total Packets captured on the interface.
        # TYPE egress_audit_packets_total counter
        egress_audit_packets_total{interface="eth0"} 1200
        egress_audit_packets_total{interface="lo"} 7
        # HELP egress_audit_bytes_total Bytes on the wire of the packets captured on the interface.
        # TYPE egress_audit_bytes_total counter
        egress_audit_bytes_total{interface="eth0"} 345678
        egress_audit_bytes_total{interface="lo"} 420
        # HELP egress_audit_kernel_drops_total Packets the kernel dropped because the capture ring was full (pcap_stats ps_drop).
        # TYPE egress_audit_kernel_drops_total counter
        egress_audit_kernel_drops_total{interface="eth0"} 3
        # HELP egress_audit_interface_drops_total Packets the interface or driver dropped (pcap_stats ps_ifdrop).
        # TYPE egress_audit_interface_drops_total counter
        egress_audit_interface_drops_total{interface="eth0"} 0
        # HELP egress_audit_malformed_packets_total Packets the decoder found malformed.
        # TYPE egress_audit_malformed_packets_total counter
        egress_audit_malformed_packets_total 2
        # HELP egress_audit_flow_evictions_total Flows evicted from the flow table (idle or for room) before the end of the run.
        # TYPE egress_audit_flow_evictions_total counter
        egress_audit_flow_evictions_total 5
        # HELP egress_audit_flows_seen_total TCP and UDP flows seen since the capture began.
        # TYPE egress_audit_flows_seen_total counter
        egress_audit_flows_seen_total 40
        # HELP egress_audit_flows Audited flows by verdict, each flow once: egress allowed, undocumented, on a wrong port, to a resolver the profile does not document; inbound toward a node.
        # TYPE egress_audit_flows gauge
        egress_audit_flows{verdict="allowed"} 30
        egress_audit_flows{verdict="undocumented"} 4
        # HELP egress_audit_findings Findings of the audit by kind.
        # TYPE egress_audit_findings gauge
        egress_audit_findings{kind="undocumented"} 2
        # HELP egress_audit_required_rules The profile's required rules by status.
        # TYPE egress_audit_required_rules gauge
        egress_audit_required_rules{status="satisfied"} 6
        egress_audit_required_rules{status="not-seen"} 1
        # HELP egress_audit_last_snapshot_timestamp_seconds Unix time these metrics were taken.
        # TYPE egress_audit_last_snapshot_timestamp_seconds gauge
        egress_audit_last_snapshot_timestamp_seconds 1764000000.5

        """
        #expect(MetricsExposition.render(s) == expected)
    }

    @Test func withoutAProfileTheAuditFamiliesAreAbsent() {
        let s = MetricsSnapshot(interfaces: [], malformedPackets: 0, flowEvictions: 0, flows: 0, timestampSeconds: 0)
        let text = MetricsExposition.render(s)
        #expect(!text.contains("egress_audit_findings"))
        #expect(!text.contains("egress_audit_flows{"))
        #expect(text.hasSuffix("egress_audit_last_snapshot_timestamp_seconds 0.0\n"))
    }

    @Test func labelValuesAndHelpAreEscapedPerTheFormat() {
        // Label value: \ → \\, " → \", line feed → \n; other characters as they are.
        #expect(MetricsExposition.escapeLabelValue(#"a\b"c"#) == #"a\\b\"c"#)
        #expect(MetricsExposition.escapeLabelValue("x\ny") == #"x\ny"#)
        #expect(MetricsExposition.escapeLabelValue("ens3:1 ü") == "ens3:1 ü")
        // HELP: only \ and line feed; a double quote stays.
        #expect(MetricsExposition.escapeHelp("say \"hi\"\\\n") == #"say "hi"\\\n"#)
        let s = MetricsSnapshot(interfaces: [.init(name: "we\"ird\\if\n", packets: 1, bytes: 2, kernelDrops: nil, interfaceDrops: nil)],
                                malformedPackets: 0, flowEvictions: 0, flows: 0, timestampSeconds: 0)
        #expect(MetricsExposition.render(s).contains(#"egress_audit_packets_total{interface="we\"ird\\if\n"} 1"# + "\n"))
    }

    @Test func theAuditGivesEveryFindingKindAndRuleStatusAValue() {
        var s = MetricsSnapshot(interfaces: [], malformedPackets: 0, flowEvictions: 0, flows: 0, timestampSeconds: 0)
        let report = AuditReport(
            verdict: "findings",
            profile: .init(id: "p", title: "t", parameters: [:], features: [], serviceTagFiles: []),
            nodes: .init(addresses: [], how: "test"),
            findings: [.init(kind: .undocumented, summary: "u", rule: nil, destination: "x.example", port: 443)],
            undocumented: [Self.destination("x.example", flows: 3, direction: "outbound")],
            wrongPort: [],
            allowed: [Self.destination("a.example", flows: 5, direction: "outbound"), Self.destination("10.0.0.9", flows: 2, direction: "inbound")],
            resolvers: [], requiredRules: [Self.rule("r1", "satisfied"), Self.rule("r2", "satisfied"), Self.rule("r3", "attempted-but-failing")],
            optionalRules: [], dnsFailures: [], warnings: [], suggestions: [], capture: CapturePipeline().summary,
            nameMismatches: [], flowTotals: .init(outbound: 8, inbound: 2, notAudited: 0), initiators: [], limits: [:], overflow: [])
        s.record(audit: report)
        #expect(s.flowsByVerdict == [.init("allowed", 5), .init("undocumented", 3), .init("wrong-port", 0), .init("resolver", 0), .init("inbound", 2)])
        #expect(s.flowsByVerdict.map(\.value).reduce(0, +) == report.flowTotals.outbound + report.flowTotals.inbound)
        #expect(s.findingsByKind.map(\.label) == AuditReport.Severity.allCases.map(\.rawValue))
        #expect(s.findingsByKind.first { $0.label == "undocumented" }?.value == 1)
        #expect(s.findingsByKind.map(\.value).reduce(0, +) == 1)
        #expect(s.requiredRulesByStatus == [.init("satisfied", 2), .init("attempted-but-failing", 1), .init("not-seen", 0)])
    }

    /// Each required rule gets one series per status, 1 for the one it has: written out by hand.
    @Test func eachRequiredRuleHasItsStatusAsASeries() {
        var s = MetricsSnapshot(interfaces: [], malformedPackets: 0, flowEvictions: 0, flows: 0, timestampSeconds: 0)
        s.requiredRuleStatuses = [.init(rule: "config-endpoint", status: "attempted-but-failing"), .init(rule: "we\"ird", status: "satisfied")]
        s.nameMismatchFlows = 2
        let text = MetricsExposition.render(s)
        #expect(text.contains("""
            # TYPE egress_audit_name_mismatch_flows gauge
            egress_audit_name_mismatch_flows 2
            """))
        #expect(text.contains("""
            # TYPE egress_audit_required_rule_status gauge
            egress_audit_required_rule_status{rule="config-endpoint",status="satisfied"} 0
            egress_audit_required_rule_status{rule="config-endpoint",status="attempted-but-failing"} 1
            egress_audit_required_rule_status{rule="config-endpoint",status="not-seen"} 0
            egress_audit_required_rule_status{rule="we\\"ird",status="satisfied"} 1
            egress_audit_required_rule_status{rule="we\\"ird",status="attempted-but-failing"} 0
            egress_audit_required_rule_status{rule="we\\"ird",status="not-seen"} 0
            # HELP egress_audit_required_rules_unlisted
            """))
        #expect(text.contains("egress_audit_required_rules_unlisted 0\n"))
    }

    /// The series per rule are bounded: a profile of more rules than the limit lists the first ones and counts the rest.
    @Test func theRuleSeriesAreBounded() {
        var s = MetricsSnapshot(interfaces: [], malformedPackets: 0, flowEvictions: 0, flows: 0, timestampSeconds: 0)
        var report = Self.report(flowTotals: .init(outbound: 0, inbound: 0, notAudited: 0))
        report.requiredRules = (0..<(MetricsSnapshot.ruleStatusLimit + 5)).map { Self.rule("r\($0)", "not-seen") }
        s.record(audit: report)
        #expect(s.requiredRuleStatuses.count == MetricsSnapshot.ruleStatusLimit)
        #expect(s.requiredRulesUnlisted == 5)
        let series = MetricsExposition.render(s).split(separator: "\n").filter { $0.hasPrefix("egress_audit_required_rule_status{") }
        #expect(series.count == 3 * MetricsSnapshot.ruleStatusLimit)
    }

    static func report(flowTotals: AuditReport.FlowTotals) -> AuditReport {
        AuditReport(
            verdict: "", profile: .init(id: "p", title: "t", parameters: [:], features: [], serviceTagFiles: []),
            nodes: .init(addresses: [], how: "test"), findings: [], undocumented: [], wrongPort: [], allowed: [], resolvers: [],
            requiredRules: [], optionalRules: [], dnsFailures: [], warnings: [], suggestions: [], capture: CapturePipeline().summary,
            nameMismatches: [], flowTotals: flowTotals, initiators: [], limits: [:], overflow: [])
    }

    static func destination(_ name: String, flows: Int, direction: String) -> AuditReport.Destination {
        .init(destination: name, nameSource: .sni, addresses: [], ports: ["tcp/443"], flows: flows, failedFlows: 0, bytesSent: 0,
              bytesReceived: 0, firstSeen: "", lastSeen: "", serviceTags: [], rules: [], direction: direction, addressCount: 0, nodes: [],
              nodeCount: 0, portCount: 1, estimated: nil, failures: [:], folded: nil)
    }

    static func rule(_ id: String, _ status: String) -> AuditReport.RuleStatus {
        .init(rule: id, status: status, feature: nil, purpose: "", flows: 0, failedFlows: 0, destinations: [], failures: [], nodes: nil)
    }
}
