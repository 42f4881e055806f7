/// Renders a `MetricsSnapshot` in the Prometheus text exposition format,
/// version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): a
/// `# HELP` and `# TYPE` line per family, then one sample per line; label
/// values escape `\`, `"` and newline, HELP text escapes `\` and newline.
public enum MetricsExposition {
    /// The Content-Type a scrape answer carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ s: MetricsSnapshot) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ label: (String, String)?, _ value: String) {
            samples(name, label.map { [$0] } ?? [], value)
        }
        func samples(_ name: String, _ labels: [(String, String)], _ value: String) {
            if labels.isEmpty {
                out += "\(name) \(value)\n"
            } else {
                out += "\(name){" + labels.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "} \(value)\n"
            }
        }
        family("egress_audit_build_info", "gauge", "The egress-audit version serving these metrics (always 1).")
        sample("egress_audit_build_info", ("version", s.version), "1")
        let perInterface: [(String, String, (MetricsSnapshot.Interface) -> Int?)] = [
            ("egress_audit_packets_total", "Packets captured on the interface.", { $0.packets }),
            ("egress_audit_bytes_total", "Bytes on the wire of the packets captured on the interface.", { $0.bytes }),
            ("egress_audit_kernel_drops_total", "Packets the kernel dropped because the capture ring was full (pcap_stats ps_drop).", { $0.kernelDrops }),
            ("egress_audit_interface_drops_total", "Packets the interface or driver dropped (pcap_stats ps_ifdrop).", { $0.interfaceDrops }),
        ]
        for (name, help, value) in perInterface {
            family(name, "counter", help)
            for i in s.interfaces {
                if let v = value(i) { sample(name, ("interface", i.name), String(v)) }
            }
        }
        family("egress_audit_malformed_packets_total", "counter", "Packets the decoder found malformed.")
        sample("egress_audit_malformed_packets_total", nil, String(s.malformedPackets))
        family("egress_audit_flow_evictions_total", "counter", "Flows evicted from the flow table (idle or for room) before the end of the run.")
        sample("egress_audit_flow_evictions_total", nil, String(s.flowEvictions))
        family("egress_audit_flows_seen_total", "counter", "TCP and UDP flows seen since the capture began.")
        sample("egress_audit_flows_seen_total", nil, String(s.flows))
        let audited: [(String, String, String, [MetricsSnapshot.Labelled])] = [
            ("egress_audit_flows", "verdict", "Audited flows by verdict, each flow once: egress allowed, undocumented, on a wrong port, to a resolver the profile does not document; inbound toward a node.", s.flowsByVerdict),
            ("egress_audit_findings", "kind", "Findings of the audit by kind.", s.findingsByKind),
            ("egress_audit_required_rules", "status", "The profile's required rules by status.", s.requiredRulesByStatus),
        ]
        for (name, key, help, values) in audited where !values.isEmpty {
            family(name, "gauge", help)
            for v in values { sample(name, (key, v.label), String(v.value)) }
        }
        if let mismatched = s.nameMismatchFlows {
            family("egress_audit_name_mismatch_flows", "gauge", "Flows whose TLS or QUIC server name disagrees with the DNS answer for the address (also counted in egress_audit_flows).")
            sample("egress_audit_name_mismatch_flows", nil, String(mismatched))
        }
        if !s.requiredRuleStatuses.isEmpty {
            family("egress_audit_required_rule_status", "gauge",
                   "Each required rule of the profile: 1 for its status, 0 for the others (alert on status=\"attempted-but-failing\" == 1).")
            for r in s.requiredRuleStatuses {
                var statuses = MetricsSnapshot.requiredStatuses
                if !statuses.contains(r.status) { statuses.append(r.status) }
                for status in statuses { samples("egress_audit_required_rule_status", [("rule", r.rule), ("status", status)], r.status == status ? "1" : "0") }
            }
            family("egress_audit_required_rules_unlisted", "gauge", "Required rules past the per-rule series limit (\(MetricsSnapshot.ruleStatusLimit)), left out of egress_audit_required_rule_status.")
            sample("egress_audit_required_rules_unlisted", nil, String(s.requiredRulesUnlisted))
        }
        family("egress_audit_last_snapshot_timestamp_seconds", "gauge", "Unix time these metrics were taken.")
        sample("egress_audit_last_snapshot_timestamp_seconds", nil, String(s.timestampSeconds))
        return out
    }

    /// A label value: backslash, double quote and line feed escaped.
    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// HELP text: backslash and line feed escaped (a double quote stays).
    public static func escapeHelp(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
