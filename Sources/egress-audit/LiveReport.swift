import ArgumentParser
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire

/// What a live run adds to a report: the audited nodes default to the
/// captured interfaces' own addresses (offline, the busiest initiators are the
/// best guess; live, the node is the machine capturing), and which capture
/// filter was in force.
struct LiveReportContext {
    var interfaces: [String]
    /// The interfaces' own addresses (all local addresses for `any`).
    var localAddresses: [IPAddress]
    /// `--filter`, and whether `--capture-all` dropped the default audit filter.
    var narrowing: String?
    var capturingAll: Bool

    var sources: String { "live capture on \(interfaces.joined(separator: ", "))" }

    /// One line naming the filter in force, for the report's warnings and the summary.
    var filterNote: String {
        if capturingAll {
            return narrowing.map { "captured with --capture-all and --filter \"\($0)\"" } ?? "captured every packet (--capture-all)"
        }
        return "captured with the default audit filter\(narrowing.map { " and --filter \"\($0)\"" } ?? ""): server→client data "
            + "from well-known ports is not captured, so bytes received are partial (--capture-all for full byte counts)"
    }
}

extension ReportOptions {
    /// The audit of what `analyzer` holds, nodes chosen the live way.
    func liveAudit(_ analyzer: CaptureAnalyzer, profile compiled: CompiledProfile, serviceTagFiles: [String], context: LiveReportContext) -> AuditReport {
        let given = nodes.compactMap { CIDR($0) }
        let local = context.localAddresses.compactMap { CIDR(address: $0, prefixLength: $0.isIPv4 ? 32 : 128) }
        var report = Auditor(profile: compiled).audit(
            flows: analyzer.flows, names: analyzer.tracker.names, dns: Array(analyzer.tracker.dnsObservations),
            capture: analyzer.summary, nodes: given.isEmpty ? local : given, serviceTagFiles: serviceTagFiles,
            warnings: analyzer.errors.map(\.description) + [context.filterNote])
        if given.isEmpty && !local.isEmpty {
            report.nodes.how = "the addresses of the captured interfaces (\(context.interfaces.joined(separator: ", "))); use --node to choose"
        }
        return report
    }

    /// `emit` for a live run: the same renderers, with the live nodes and filter note.
    func emitLive(_ analyzer: CaptureAnalyzer, profile compiled: CompiledProfile?, serviceTagFiles: [String], context: LiveReportContext) throws -> Bool {
        guard let compiled else {
            let summary = analyzer.summary
            let text: String
            if json {
                text = try ReportOutput.json(AnalysisDocument(
                    summary: summary, files: analyzer.files, errors: analyzer.errors.map(\.description),
                    flows: flows ? analyzer.flowEntries : nil, dns: flows ? analyzer.dnsEntries : nil))
            } else {
                var body = CaptureSummaryText.render(summary: summary, files: analyzer.files)
                body += "filter: \(context.filterNote)\n"
                if flows { body += "\n" + FlowListingText.render(flows: analyzer.flowEntries, dns: analyzer.dnsEntries) }
                text = body
            }
            try write(text, to: output)
            return false
        }
        let report = liveAudit(analyzer, profile: compiled, serviceTagFiles: serviceTagFiles, context: context)
        let text: String
        if suggestRules {
            text = RuleSuggester.yaml(profileID: compiled.expanded.profileID, items: Set(report.suggestions),
                                      observed: "egress allowed by \(compiled.expanded.profileID) in \(context.sources)")
        } else if json {
            text = try ReportOutput.json(report)
        } else if markdown {
            text = AuditReportText.markdown(report)
        } else {
            text = AuditReportText.render(report, color: !noColor && output == nil && isatty(STDOUT_FILENO) == 1)
        }
        try write(text, to: output)
        let failing = try failKinds()
        return report.findings.contains { failing.contains($0.kind) }
    }
}
