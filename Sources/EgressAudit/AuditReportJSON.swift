/// The audit report as JSON (schema version 3), written by `JSONTextWriter`:
/// the same text `JSONEncoder` gives for `AuditReport`'s Codable form, keys
/// in sorted order, at a fraction of the cost. A member added to a report type
/// must be added here too: `ReportJSONTests` compares both on every demo report.
extension AuditReport {
    func writeJSON(to w: inout JSONTextWriter) throws {
        w.beginObject()
        w.key("allowed"); w.array(allowed) { w, d in d.writeJSON(to: &w) }
        w.key("capture"); try w.encoded(capture)
        w.key("dnsFailures"); w.array(dnsFailures) { w, f in f.writeJSON(to: &w) }
        w.key("findings"); w.array(findings) { w, f in f.writeJSON(to: &w) }
        w.key("flowTotals"); try w.encoded(flowTotals)
        w.key("initiators"); try w.encoded(initiators)
        w.key("limits"); try w.encoded(limits)
        w.key("nameMismatches"); try w.encoded(nameMismatches)
        w.key("nodes"); try w.encoded(nodes)
        w.key("optionalRules"); w.array(optionalRules) { w, r in r.writeJSON(to: &w) }
        w.key("overflow"); try w.encoded(overflow)
        w.key("profile"); try w.encoded(profile)
        w.key("profiles"); try w.encoded(profiles)
        w.key("requiredRules"); w.array(requiredRules) { w, r in r.writeJSON(to: &w) }
        w.key("resolvers"); w.array(resolvers) { w, d in d.writeJSON(to: &w) }
        w.key("schemaVersion"); w.int(schemaVersion)
        w.key("suggestions"); w.array(suggestions) { w, s in s.writeJSON(to: &w) }
        w.key("tool"); w.string(tool)
        if let toolVersion { w.key("toolVersion"); w.string(toolVersion) }
        w.key("undocumented"); w.array(undocumented) { w, d in d.writeJSON(to: &w) }
        w.key("verdict"); w.string(verdict)
        w.key("warnings"); w.stringArray(warnings)
        w.key("wrongPort"); w.array(wrongPort) { w, d in d.writeJSON(to: &w) }
        w.endObject()
    }
}

extension AuditReport.Destination {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        w.key("addressCount"); w.int(addressCount)
        w.key("addresses"); w.stringArray(addresses)
        w.key("bytesReceived"); w.int(bytesReceived)
        w.key("bytesSent"); w.int(bytesSent)
        w.key("destination"); w.string(destination)
        w.key("direction"); w.string(direction)
        if let estimated { w.key("estimated"); w.stringArray(estimated) }
        w.key("failedFlows"); w.int(failedFlows)
        w.key("failures")
        w.beginObject()
        if !failures.isEmpty {
            for outcome in failures.keys.sorted() { w.key(text: outcome); w.int(failures[outcome] ?? 0) }
        }
        w.endObject()
        if let firewallRules { w.key("firewallRules"); w.stringArray(firewallRules) }
        w.key("firstSeen"); w.string(firstSeen)
        w.key("flows"); w.int(flows)
        if let folded { w.key("folded"); w.string(folded) }
        w.key("lastSeen"); w.string(lastSeen)
        w.key("nameSource"); w.string(nameSource.rawValue)
        w.key("nodeCount"); w.int(nodeCount)
        w.key("nodes"); w.stringArray(nodes)
        w.key("portCount"); w.int(portCount)
        w.key("ports"); w.stringArray(ports)
        w.key("rules"); w.stringArray(rules)
        w.key("serviceTags"); w.stringArray(serviceTags)
        w.endObject()
    }
}

extension AuditReport.Finding {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        if let destination { w.key("destination"); w.string(destination) }
        w.key("kind"); w.string(kind.rawValue)
        if let known { w.key("known"); w.string(known) }
        if let port { w.key("port"); w.int(port) }
        if let profile { w.key("profile"); w.string(profile) }
        if let rule { w.key("rule"); w.string(rule) }
        w.key("summary"); w.string(summary)
        w.endObject()
    }
}

extension AuditReport.RuleStatus {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        w.key("destinations"); w.stringArray(destinations)
        w.key("failedFlows"); w.int(failedFlows)
        w.key("failures"); w.array(failures) { w, f in f.writeJSON(to: &w) }
        if let feature { w.key("feature"); w.string(feature) }
        w.key("flows"); w.int(flows)
        if let nodes {
            w.key("nodes")
            w.beginObject()
            for node in nodes.keys.sorted() {
                w.key(text: node); w.string(nodes[node] ?? "")
            }
            w.endObject()
        }
        w.key("profile"); w.string(profile)
        w.key("purpose"); w.string(purpose)
        w.key("rule"); w.string(rule)
        w.key("status"); w.string(status)
        w.endObject()
    }
}

extension AuditReport.DNSFailure {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        w.key("name"); w.string(name)
        w.key("rcode"); w.string(rcode)
        w.key("required"); w.bool(required)
        w.key("rules"); w.stringArray(rules)
        w.endObject()
    }
}

extension RuleSuggester.Item {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        w.key("kind"); w.string(kind)
        w.key("port"); w.int(port)
        w.key("transport"); w.string(transport)
        w.key("value"); w.string(value)
        w.endObject()
    }
}

extension AuditReport.RuleFailure {
    func writeJSON(to w: inout JSONTextWriter) {
        w.beginObject()
        w.key("destination"); w.string(destination)
        w.key("flows"); w.int(flows)
        w.key("outcome"); w.string(outcome)
        w.endObject()
    }
}
