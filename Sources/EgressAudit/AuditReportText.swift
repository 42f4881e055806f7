import Foundation

/// Terminal and Markdown renderings of an audit report.
public enum AuditReportText {
    /// ANSI colours, used only when `color` (a TTY without --no-color).
    struct Palette {
        let color: Bool
        func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
        func yellow(_ s: String) -> String { color ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
        func green(_ s: String) -> String { color ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    }

    /// `width`: the terminal's columns; tables and long lines are fitted to it (nil: no limit, as for a file).
    public static func render(_ r: AuditReport, color: Bool, width: Int? = nil) -> String {
        let p = Palette(color: color)
        var out: [String] = []
        /// `lead` then `body`, the body wrapped to `width` with `hang` before each continuation.
        func text(_ lead: String, _ body: String, hang: String) {
            guard let width, visibleWidth(lead + body) > width, !body.contains("\u{1B}") else { out.append(lead + body); return }
            let pieces = wrapped(body, width: max(width - max(hang.count, lead.count), 20))
            for (i, piece) in pieces.enumerated() { out.append((i == 0 ? lead : hang) + piece) }
        }
        let verdict = r.verdict.hasPrefix("PASS") ? p.green(r.verdict) : (r.verdict.hasPrefix("FAIL") ? p.red(r.verdict) : p.yellow(r.verdict))
        if let width, visibleWidth("egress-audit: \(r.profile.id)  \(r.verdict)") > width {
            // The verdict wrapped under its own start, each piece in the verdict's colour.
            let lead = "egress-audit: \(r.profile.id)"
            func paint(_ s: String) -> String { r.verdict.hasPrefix("PASS") ? p.green(s) : (r.verdict.hasPrefix("FAIL") ? p.red(s) : p.yellow(s)) }
            out.append(p.bold(lead))
            for piece in wrapped(r.verdict, width: max(width - 2, 20)) { out.append("  " + paint(piece)) }
        } else {
            out.append(p.bold("egress-audit: \(r.profile.id)") + "  " + verdict)
        }
        text("profile   ", r.profile.title, hang: "          ")
        let params = r.profile.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        text("          ", "parameters: \(params.isEmpty ? "(defaults)" : params)  features: \(r.profile.features.isEmpty ? "none" : r.profile.features.joined(separator: ","))", hang: "          ")
        text("nodes     ", "\(r.nodes.addresses.joined(separator: ", "))  (\(r.nodes.how))", hang: "          ")
        out.append("capture   \(grouped(r.capture.packets)) packets, \(grouped(r.capture.flows)) flows")
        if let records = r.capture.logRecords {
            let rejected = r.capture.logRecordsRejected ?? 0
            out.append("logs      \(grouped(records)) records, \(grouped(rejected)) not parsed")
            for line in r.capture.logRejections ?? [] { out.append("          \(line)") }
            if rejected > (r.capture.logRejections?.count ?? 0) { out.append("          … \(grouped(rejected - (r.capture.logRejections?.count ?? 0))) more") }
        }
        out.append("")

        out.append(p.bold("findings (\(r.findings.count))"))
        if r.findings.isEmpty { out.append("  none") }
        var t = TextTable([("KIND", .left), ("FINDING", .left)])
        t.wrap(column: 1)
        for f in r.findings {
            let kind: String
            switch f.kind {
            case .blockedRequired, .failingDNS: kind = p.red(f.kind.rawValue)
            case .undocumented, .wrongPort, .nameMismatch: kind = p.yellow(f.kind.rawValue)
            default: kind = f.kind.rawValue
            }
            t.add([kind, f.known.map { "\(f.summary) [known: \($0)]" } ?? f.summary])
        }
        if !r.findings.isEmpty { out.append(t.render(indent: "  ", width: width)) }

        func destinations(_ title: String, _ list: [AuditReport.Destination]) {
            guard !list.isEmpty else { return }
            out.append("")
            out.append(p.bold("\(title) (\(list.count))"))
            var t = TextTable([("DESTINATION", .left), ("FROM", .left), ("PORTS", .left), ("FLOWS", .right), ("FAILED", .right),
                               ("SENT", .right), ("RECEIVED", .right), ("ADDRESSES", .left), ("SERVICE TAGS / RULES", .left)])
            t.wrap(column: 7)
            t.wrap(column: 8)
            for d in list {
                let extra = (d.rules + d.serviceTags.map { "tag:\($0)" } + (d.firewallRules ?? []).map { "firewall:\($0)" }).joined(separator: " ")
                t.add([d.destination, d.nameSource.rawValue, d.ports.joined(separator: ","), grouped(d.flows), grouped(d.failedFlows),
                       grouped(Int(d.bytesSent)), grouped(Int(d.bytesReceived)), d.addresses.prefix(4).joined(separator: " ")
                           + (d.addresses.count > 4 ? " …" : ""), extra])
            }
            out.append(t.render(indent: "  ", width: width))
        }
        destinations("undocumented destinations", r.undocumented)
        destinations("wrong port or transport", r.wrongPort)
        destinations("allowed", r.allowed)
        destinations("resolvers asked (the profile documents no DNS rule)", r.resolvers)

        out.append("")
        out.append(p.bold("required rules (\(r.requiredRules.count))"))
        var req = TextTable([("RULE", .left), ("STATUS", .left), ("FLOWS", .right), ("FAILED", .right), ("EVIDENCE", .left)])
        req.wrap(column: 1)
        req.wrap(column: 4)
        for s in r.requiredRules {
            var status = s.status == "satisfied" ? p.green(s.status) : (s.status == "not-seen" ? p.yellow(s.status) : p.red(s.status))
            let failingNodes = (s.nodes ?? [:]).filter { $0.value != "satisfied" }.keys.sorted()
            if s.status == "satisfied" && !failingNodes.isEmpty { status += p.red(" (failing from \(failingNodes.joined(separator: ", ")))") }
            req.add([s.rule, status, grouped(s.flows), grouped(s.failedFlows), (s.failures.isEmpty ? s.destinations : s.failures.map(\.text)).prefix(3).joined(separator: ", ")])
        }
        out.append(req.render(indent: "  ", width: width))
        if !r.optionalRules.isEmpty {
            out.append("")
            out.append(p.bold("optional rules of enabled features (\(r.optionalRules.count))"))
            var opt = TextTable([("RULE", .left), ("FEATURE", .left), ("STATUS", .left), ("FLOWS", .right)])
            for s in r.optionalRules { opt.add([s.rule, s.feature ?? "", s.status, grouped(s.flows)]) }
            out.append(opt.render(indent: "  ", width: width))
        }
        if !r.dnsFailures.isEmpty {
            out.append("")
            out.append(p.bold("failing DNS (\(r.dnsFailures.count))"))
            for d in r.dnsFailures {
                text("  ", "\(d.name)  \(d.rcode)" + (d.rules.isEmpty ? "" : "  rules: \(d.rules.joined(separator: ", "))") + (d.required ? "  (required)" : ""), hang: "    ")
            }
        }
        if !r.warnings.isEmpty {
            out.append("")
            out.append(p.bold("warnings"))
            for w in r.warnings { text("  ", w, hang: "    ") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Markdown for tickets: the verdict, the findings, and the tables.
    public static func markdown(_ r: AuditReport) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out: [String] = ["# egress-audit: \(r.profile.id)", "", "**\(r.verdict)**", ""]
        out.append("- Profile: \(r.profile.title)")
        out.append("- Parameters: " + r.profile.parameters.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }.joined(separator: " "))
        out.append("- Nodes: \(r.nodes.addresses.joined(separator: ", ")) (\(r.nodes.how))")
        out.append("- Capture: \(r.capture.packets) packets, \(r.capture.flows) flows")
        out.append("")
        out.append("## Findings")
        out.append("")
        if r.findings.isEmpty { out.append("None.") }
        for f in r.findings { out.append("- **\(f.kind.rawValue)**: \(f.summary)" + (f.known.map { " _(known: \($0))_" } ?? "")) }
        func table(_ title: String, _ list: [AuditReport.Destination]) {
            guard !list.isEmpty else { return }
            out.append("")
            out.append("## \(title)")
            out.append("")
            out.append("| destination | from | ports | flows | failed | addresses | service tags | rules |")
            out.append("|---|---|---|---:|---:|---|---|---|")
            for d in list {
                out.append("| \(cell(d.destination)) | \(d.nameSource.rawValue) | \(d.ports.joined(separator: ", ")) | \(d.flows) | \(d.failedFlows) | \(d.addresses.joined(separator: ", ")) | \(d.serviceTags.joined(separator: ", ")) | \(cell((d.rules + (d.firewallRules ?? []).map { "firewall: \($0)" }).joined(separator: ", "))) |")
            }
        }
        table("Undocumented destinations", r.undocumented)
        table("Wrong port or transport", r.wrongPort)
        out.append("")
        out.append("## Required rules")
        out.append("")
        out.append("| rule | status | flows | failed | evidence |")
        out.append("|---|---|---:|---:|---|")
        for s in r.requiredRules {
            out.append("| \(s.rule) | \(s.status) | \(s.flows) | \(s.failedFlows) | \(cell((s.failures.isEmpty ? s.destinations : s.failures.map(\.text)).joined(separator: ", "))) |")
        }
        table("Allowed", r.allowed)
        return out.joined(separator: "\n") + "\n"
    }
}
