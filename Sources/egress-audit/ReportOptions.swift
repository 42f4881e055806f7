import ArgumentParser
import CaptureRuntime
import EgressAudit
import EgressPolicy
import Foundation

/// How `analyze` and `live` report: the same options and renderers for both.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Print one JSON document instead of the text report.")
    var json = false

    @Flag(help: "List every flow with its outcome, traffic and names (SNI, QUIC SNI, HTTP Host, CONNECT, DNS).")
    var flows = false

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .customLong("flow-log"), help: ArgumentHelp("Write one JSON line per flow as it ends (5-tuple, Community ID, times, outcome, bytes and packets each way, names; with --profile its verdict and rules) to this file (- for standard output).", valueName: "file"))
    var flowLog: String?

    @Option(name: .customLong("node"), help: ArgumentHelp("An audited node's address or CIDR (repeatable). Default: offline, the addresses that initiate most flows; live, the captured interfaces' own addresses.", valueName: "ip|cidr"))
    var nodes: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when the audit finds any of these (comma-separated): fail (whatever makes the verdict FAIL), blocked, undocumented, missing, wrong-port, failing-dns, name-mismatch, or the report's finding kinds (blocked-required, required-not-seen, optional-unused, …).", valueName: "kinds"))
    var failOn: String?

    @OptionGroup var baseline: BaselineOptions

    @Flag(help: "Print the least-privilege rule set for the allowed egress seen, as a profile (YAML), instead of the report.")
    var suggestRules = false

    @Flag(help: "Render the audit report as Markdown (for tickets).")
    var markdown = false

    @Flag(help: "Render the audit report as one self-contained HTML page (offline, sortable tables; for reviewers and tickets).")
    var html = false

    @Flag(name: .customLong("no-color"), help: "No colour in the terminal report (colour is used only on a TTY).")
    var noColor = false

    /// The report goes to the terminal in a form that lists its warnings (text, HTML):
    /// then they are not printed on standard error as well.
    var showsWarnings: Bool { output == nil && !json && !markdown && !suggestRules }

    func validate(hasProfile: Bool) throws {
        if flows && hasProfile {
            throw ValidationError("--flows lists every flow and is for small captures without --profile; with --profile, --flow-log FILE writes one JSON line per flow")
        }
        try TerminalOutput.refuseConflicts([("--json", json), ("--markdown", markdown), ("--html", html), ("--suggest-rules", suggestRules)])
        let auditOnly = !nodes.isEmpty || failOn != nil || suggestRules || markdown || html
        if auditOnly && !hasProfile {
            throw ValidationError("--node, --fail-on, --suggest-rules, --markdown and --html need --profile")
        }
        if baseline.baseline != nil && !hasProfile { throw ValidationError("--baseline needs --profile") }
        try baseline.validate()
        for node in nodes where CIDR(node) == nil {
            throw ValidationError("--node \"\(node)\" is not an IP address or CIDR")
        }
        _ = try FailKinds.parse(failOn)
    }

    /// Renders what `pipeline` gathered — the audit when there is a profile,
    /// else the capture summary (and flows) — and writes it. Returns whether
    /// a `--fail-on` finding was present. A live run passes its context: its
    /// nodes and the capture filter in force.
    /// `warnings`: notes for the report (an interrupted read).
    /// `atProcessEnd`: the command returns to `main` next, so the report is left for the process's end (`ProcessEnd`).
    func emit(_ pipeline: CapturePipeline, serviceTagFiles: [String], sources: String, live: LiveReportContext? = nil,
              warnings: [String] = [], atProcessEnd: Bool = false) throws -> Bool {
        guard var report = pipeline.auditReport(serviceTagFiles: serviceTagFiles, warnings: (live.map { [$0.filterNote] } ?? []) + warnings) else {
            let summary = pipeline.summary
            let text: String
            if json {
                text = try ReportOutput.json(AnalysisDocument(
                    summary: summary, files: pipeline.files, errors: pipeline.errors.map(\.description) + warnings,
                    flows: flows ? pipeline.flowEntries : nil, dns: flows ? pipeline.dnsEntries : nil))
            } else {
                var body = CaptureSummaryText.render(summary: summary, files: pipeline.files)
                if let live { body += "filter: \(live.filterNote)\n" }
                for note in warnings { body += "note: \(note)\n" }
                if flows { body += "\n" + FlowListingText.render(flows: pipeline.flowEntries, dns: pipeline.dnsEntries) }
                text = body
            }
            try write(text, to: output)
            return false
        }
        if live == nil, !nodes.isEmpty, report.flowTotals.outbound == 0 {
            // Offline, a `--node` that initiated no flow is a typo or the wrong capture, not a pass.
            let busiest = report.initiators.prefix(5).map { "\($0.address) (\($0.flows) flows)" }.joined(separator: ", ")
            Diagnostics.error("--node \(nodes.joined(separator: ", ")): no flow in the input was initiated by "
                              + (nodes.count == 1 ? "it" : "them") + (busiest.isEmpty ? "; the input has no flows" : "; the busiest initiators: \(busiest)"))
            throw ExitCode(1)
        }
        try baseline.apply(to: &report)
        // Freeing the thousands of destinations' strings one by one was ~2 % of a per-flow audit's instructions.
        defer { if atProcessEnd { ProcessEnd.keep(report) } }
        let text: String
        if json {
            // Bytes straight to the file: a report of thousands of destinations makes no String.
            try write(bytes: try ReportOutput.jsonBytes(report), to: output)
            let failing = try FailKinds.parse(failOn)
            return report.findings.contains { failing.contains($0.kind) && $0.known == nil }
        }
        if suggestRules {
            text = RuleSuggester.yaml(profileID: report.profile.id, items: Set(report.suggestions),
                                      observed: "egress allowed by \(report.profile.id) in \(sources)")
        } else if markdown {
            text = AuditReportText.markdown(report)
        } else if html {
            text = AuditReportHTML.render(report)
        } else {
            text = AuditReportText.render(report, color: TerminalOutput.usesColor(noColor: noColor, output: output),
                                          width: TerminalOutput.width(output: output))
        }
        try write(text, to: output)
        let failing = try FailKinds.parse(failOn)
        return report.findings.contains { failing.contains($0.kind) && $0.known == nil }
    }

    /// Opens `--flow-log` and has `pipeline` write each flow to it as the flow ends.
    func attachFlowLog(to pipeline: inout CapturePipeline) throws -> FlowLogWriter? {
        guard let flowLog else { return nil }
        let writer: FlowLogWriter
        do { writer = try FlowLogWriter(path: flowLog) } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        pipeline.flowObserver = { record, names, verdict in writer.write(record, names: names, audit: verdict) }
        return writer
    }

    /// Flushes and closes the flow log; a failure is one line and exit status 1.
    func closeFlowLog(_ writer: FlowLogWriter?) throws {
        do { try writer?.close() } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
    }

    /// The audit a run feeds its flows to. Nodes: `--node`; else, live, the
    /// captured interfaces' own addresses (the node is the machine capturing);
    /// else (offline) the busiest initiators, the best guess.
    func accumulator(profile compiled: CompiledProfile, live: LiveReportContext?) -> AuditAccumulator {
        let given = nodes.compactMap { CIDR($0) }
        if !given.isEmpty { return AuditAccumulator(profile: compiled, nodes: given) }
        let local = (live?.localAddresses ?? []).compactMap { CIDR(address: $0, prefixLength: $0.isIPv4 ? 32 : 128) }
        if let live, !local.isEmpty {
            return AuditAccumulator(profile: compiled, nodes: local,
                                    how: "the addresses of the captured interfaces (\(live.interfaces.joined(separator: ", "))); use --node to choose")
        }
        return AuditAccumulator(profile: compiled, nodes: [])
    }

    /// Writes a report to a file atomically, or to standard output.
    func write(bytes: [UInt8], to output: String?) throws {
        if let output {
            do {
                try ReportOutput.writeAtomically(bytes: bytes, to: output)
            } catch {
                Diagnostics.error(error.description)
                throw ExitCode(1)
            }
        } else {
            // Whatever `print` buffered goes first; then the bytes, however many writes they take.
            fflush(nil)
            bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(STDOUT_FILENO, raw.baseAddress! + done, raw.count - done)
                    if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
            }
        }
    }

    func write(_ text: String, to output: String?) throws {
        if let output {
            do {
                try ReportOutput.writeAtomically(text, to: output)
            } catch {
                Diagnostics.error(error.description)
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
    }
}

/// `--fail-on`'s words, for `analyze`, `live` and `merge`.
enum FailKinds {
    static func parse(_ failOn: String?) throws -> Set<AuditReport.Severity> {
        guard let failOn else { return [] }
        var kinds: Set<AuditReport.Severity> = []
        for word in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch word {
            case "blocked": kinds.insert(.blockedRequired)
            case "undocumented": kinds.insert(.undocumented)
            case "missing": kinds.insert(.requiredNotSeen)
            case "wrong-port": kinds.insert(.wrongPort)
            case "failing-dns": kinds.insert(.failingDNS)
            case "name-mismatch": kinds.insert(.nameMismatch)
            case "fail": kinds.formUnion(AuditReport.Severity.allCases.filter(\.failsVerdict))
            default:
                // The report's own finding kinds (`findings[].kind`) too: what the JSON says is what --fail-on takes.
                guard let kind = AuditReport.Severity(rawValue: word) else {
                    throw ValidationError("--fail-on: unknown kind \"\(word)\"; expected fail, blocked, undocumented, missing, wrong-port, failing-dns, "
                                          + "name-mismatch, or a finding kind of the report (\(AuditReport.Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                kinds.insert(kind)
            }
        }
        return kinds
    }
}
