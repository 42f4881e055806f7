/// Findings and the verdict line, derived from a report's aggregates alone:
/// the same for a report made in one run and for one merged from several.
///
/// Findings are ordered blocked required > failing DNS > undocumented > wrong
/// port > name mismatch > required never seen > unused optional.
enum AuditFindings {
    static func derive(_ r: inout AuditReport) {
        var findings: [AuditReport.Finding] = []
        let requiredRules = Set(r.requiredRules.map(\.rule))
        for s in r.requiredRules {
            let failing = (s.nodes ?? [:]).filter { $0.value == "attempted-but-failing" }.keys.sorted()
            if !failing.isEmpty {
                let from = (s.nodes ?? [:]).count > 1 ? " from \(failing.joined(separator: ", "))" : ""
                findings.append(.init(kind: .blockedRequired,
                                      summary: "required rule \(s.rule) (\(s.purpose)): every attempt\(from) failed: \(s.failures.map(\.text).joined(separator: ", "))",
                                      rule: s.rule, destination: s.failures.first?.destination ?? s.destinations.first, port: nil))
            }
            if s.status == "not-seen" {
                findings.append(.init(kind: .requiredNotSeen, summary: "required rule \(s.rule) (\(s.purpose)): no traffic seen",
                                      rule: s.rule, destination: nil, port: nil))
            }
        }
        for s in r.optionalRules where s.status == "unused" {
            findings.append(.init(kind: .optionalUnused, summary: "optional rule \(s.rule) (feature \(s.feature ?? "?")) carried no traffic",
                                  rule: s.rule, destination: nil, port: nil))
        }
        for d in r.dnsFailures where d.required {
            findings.append(.init(kind: .failingDNS, summary: "DNS answered \(d.rcode) for \(d.name), which required rules need",
                                  rule: d.rules.first { requiredRules.contains($0) }, destination: d.name, port: nil))
        }
        for d in r.undocumented {
            let tags = d.serviceTags.isEmpty ? "" : " (in \(d.serviceTags.joined(separator: ", ")))"
            let why = d.rules.isEmpty ? "no rule allows it" : "only rules of disabled features allow it: \(d.rules.joined(separator: ", "))"
            findings.append(.init(kind: .undocumented, summary: "\(d.destination) on \(d.ports.joined(separator: ", ")): \(why)\(tags)\(folded(d))",
                                  rule: nil, destination: d.destination, port: nil))
        }
        for d in r.wrongPort {
            findings.append(.init(kind: .wrongPort,
                                  summary: "\(d.destination) on \(d.ports.joined(separator: ", ")): allowed only as \(d.rules.joined(separator: ", "))\(folded(d))",
                                  rule: d.rules.first, destination: d.destination, port: nil))
        }
        for m in r.nameMismatches {
            findings.append(.init(kind: .nameMismatch,
                                  summary: "\(m.address):\(m.port): TLS says \(m.sni) but DNS gave \(m.dns) for this address"
                                      + (m.flows > 1 ? " (\(m.flows) flows)" : ""),
                                  rule: nil, destination: m.sni, port: m.port))
        }
        findings.sort { ($0.kind, $0.destination ?? "", $0.rule ?? "", $0.summary) < ($1.kind, $1.destination ?? "", $1.rule ?? "", $1.summary) }
        r.findings = findings
        r.verdict = verdictLine(Dictionary(grouping: findings, by: \.kind).mapValues(\.count))
    }

    /// For a group: how many flows and addresses folded into it.
    private static func folded(_ d: AuditReport.Destination) -> String {
        guard let fold = d.folded else { return "" }
        let about = d.estimated?.contains("addresses") == true ? "about " : ""
        return "; \(d.flows) flows to \(about)\(d.addressCount) addresses folded here (\(fold)) past the destination caps"
    }

    static func verdictLine(_ counts: [AuditReport.Severity: Int]) -> String {
        func n(_ k: AuditReport.Severity) -> Int { counts[k] ?? 0 }
        var parts: [String] = []
        if n(.blockedRequired) > 0 { parts.append("\(n(.blockedRequired)) required rule\(n(.blockedRequired) == 1 ? "" : "s") blocked") }
        if n(.failingDNS) > 0 { parts.append("\(n(.failingDNS)) required name\(n(.failingDNS) == 1 ? "" : "s") failing in DNS") }
        if n(.undocumented) > 0 { parts.append("\(n(.undocumented)) undocumented destination\(n(.undocumented) == 1 ? "" : "s")") }
        if n(.wrongPort) > 0 { parts.append("\(n(.wrongPort)) on a wrong port") }
        if n(.nameMismatch) > 0 { parts.append("\(n(.nameMismatch)) name mismatch\(n(.nameMismatch) == 1 ? "" : "es")") }
        if n(.requiredNotSeen) > 0 { parts.append("\(n(.requiredNotSeen)) required rule\(n(.requiredNotSeen) == 1 ? "" : "s") never seen") }
        if parts.isEmpty { return "PASS: every egress flow is documented and every required rule was satisfied" }
        let fail = AuditReport.Severity.allCases.contains { $0.failsVerdict && n($0) > 0 }
        return (fail ? "FAIL: " : "INCOMPLETE: ") + parts.joined(separator: ", ")
    }
}
