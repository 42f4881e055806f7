/// Findings and the verdict line, derived from a report's aggregates alone:
/// the same for a report made in one run and for one merged from several.
///
/// Findings are ordered blocked required > failing DNS > undocumented > wrong
/// port > name mismatch > required never seen > unused optional.
enum AuditFindings {
    static func derive(_ r: inout AuditReport) {
        var findings: [AuditReport.Finding] = []
        findings.reserveCapacity(r.undocumented.count + r.wrongPort.count + r.nameMismatches.count + r.requiredRules.count + r.optionalRules.count)
        let requiredRules = Set(r.requiredRules.map(\.rule))
        // Whose rule: its status says; a rule without one (of a disabled feature) is named `profile/rule`
        // when several profiles are audited, else it is the one profile's.
        var owners: [String: String] = [:]
        for s in r.requiredRules + r.optionalRules { owners[s.rule] = s.profile }
        func profile(of rule: String?) -> String {
            guard let rule else { return r.profile.id }
            if let owner = owners[rule] { return owner }
            if r.profiles.count > 1, let slash = rule.firstIndex(of: "/") { return String(rule[..<slash]) }
            return r.profile.id
        }
        for s in r.requiredRules {
            let failing = (s.nodes ?? [:]).filter { $0.value == "attempted-but-failing" }.keys.sorted()
            if !failing.isEmpty {
                let from = (s.nodes ?? [:]).count > 1 ? " from \(failing.joined(separator: ", "))" : ""
                findings.append(.init(kind: .blockedRequired,
                                      summary: "required rule \(s.rule) (\(s.purpose)): every attempt\(from) failed: \(s.failures.map(\.text).joined(separator: ", "))",
                                      rule: s.rule, destination: s.failures.first?.destination ?? s.destinations.first, port: nil, profile: s.profile))
            }
            if s.status == "not-seen" {
                findings.append(.init(kind: .requiredNotSeen, summary: "required rule \(s.rule) (\(s.purpose)): no traffic seen",
                                      rule: s.rule, destination: nil, port: nil, profile: s.profile))
            }
        }
        for s in r.optionalRules where s.status == "unused" {
            findings.append(.init(kind: .optionalUnused, summary: "optional rule \(s.rule) (feature \(s.feature ?? "?")) carried no traffic",
                                  rule: s.rule, destination: nil, port: nil, profile: s.profile))
        }
        for d in r.dnsFailures where d.required {
            let rule = d.rules.first { requiredRules.contains($0) }
            findings.append(.init(kind: .failingDNS, summary: "DNS answered \(d.rcode) for \(d.name), which required rules need",
                                  rule: rule, destination: d.name, port: nil, profile: profile(of: rule)))
        }
        // A finding per destination, thousands of them: their summaries are `SummaryText`s.
        for d in r.undocumented { findings.append(d.undocumentedFinding(profile: r.profile.id)) }
        for d in r.wrongPort { findings.append(d.wrongPortFinding(profile: profile(of: d.rules.first))) }
        for m in r.nameMismatches {
            findings.append(.init(kind: .nameMismatch,
                                  summary: "\(m.address):\(m.port): TLS says \(m.sni) but DNS gave \(m.dns) for this address"
                                      + (m.flows > 1 ? " (\(m.flows) flows)" : ""),
                                  rule: nil, destination: m.sni, port: m.port, profile: r.profile.id))
        }
        // Counted by kind through a span: `for f in findings` copied every finding.
        var counts = [Int](repeating: 0, count: AuditReport.Severity.allCases.count)
        let all = findings.span
        for i in all.indices { counts[all[i].kind.rank] += 1 }
        r.findings = sorted(findings)
        r.verdict = verdictLine { counts[$0.rank] }
    }

    /// Findings by kind, then destination, rule and summary (a missing destination or rule
    /// sorts as ""). Indices are sorted, the findings borrowed through a span (sorting findings
    /// copied two for every comparison), and the findings, nearly always in order already, are
    /// moved only if not.
    private static func sorted(_ findings: [AuditReport.Finding]) -> [AuditReport.Finding] {
        let f = findings.span
        let order = findings.indices.sorted { i, j in
            if f[i].kind != f[j].kind { return f[i].kind < f[j].kind }
            let da = f[i].destination ?? "", db = f[j].destination ?? ""
            if da != db { return da < db }
            let ra = f[i].rule ?? "", rb = f[j].rule ?? ""
            if ra != rb { return ra < rb }
            return f[i].summary < f[j].summary
        }
        return order.elementsEqual(findings.indices) ? findings : order.map { findings[$0] }
    }

    /// `n`: how many findings there are of a kind.
    static func verdictLine(_ n: (AuditReport.Severity) -> Int) -> String {
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

extension AuditReport.Destination {
    fileprivate func undocumentedFinding(profile: String) -> AuditReport.Finding {
        let tags: SummaryText = serviceTags.isEmpty ? "" : " (in \(serviceTags, separator: ", "))"
        let summary: SummaryText = rules.isEmpty
            ? "\(destination) on \(ports, separator: ", "): no rule allows it\(tags.string)\(foldedNote)"
            : "\(destination) on \(ports, separator: ", "): only rules of disabled features allow it: \(rules, separator: ", ")\(tags.string)\(foldedNote)"
        return .init(kind: .undocumented, summary: summary.string, rule: nil, destination: destination, port: nil, profile: profile)
    }

    fileprivate func wrongPortFinding(profile: String) -> AuditReport.Finding {
        let summary: SummaryText = "\(destination) on \(ports, separator: ", "): allowed only as \(rules, separator: ", ")\(foldedNote)"
        return .init(kind: .wrongPort, summary: summary.string, rule: rules.first, destination: destination, port: nil, profile: profile)
    }

    /// For a group: how many flows and addresses folded into it.
    fileprivate var foldedNote: String {
        guard let folded else { return "" }
        let about = estimated?.contains("addresses") == true ? "about " : ""
        return "; \(flows) flows to \(about)\(addressCount) addresses folded here (\(folded)) past the destination caps"
    }
}
