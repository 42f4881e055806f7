import ArgumentParser
import EgressAudit
import EgressPolicy
import Foundation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze saved captures (pcap, pcapng, .gz).",
        discussion: """
        Without --profile: what was read (packets, layers, flows; --flows lists them). With \
        --profile: the audit — every egress flow of the node(s) classified against the \
        profile's rules, undocumented destinations, required rules satisfied, attempted but \
        failing, or never seen.

        Exit status: 0 when every file was read to its end (and, with --fail-on, no such \
        finding); 1 when a file or the profile could not be read (the report still covers \
        every packet that was read); 3 when --fail-on found one of its kinds.
        """
    )

    @Argument(help: "Capture files: pcap or pcapng, optionally gzip-compressed.")
    var files: [String]

    @Flag(help: "Print one JSON document instead of the text report.")
    var json = false

    @Flag(help: "List every flow with its outcome, traffic and names (SNI, QUIC SNI, HTTP Host, CONNECT, DNS).")
    var flows = false

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @OptionGroup(title: "Audit against a profile")
    var policy: PolicyOptions

    @Option(name: .customLong("node"), help: ArgumentHelp("An audited node's address or CIDR (repeatable). Default: the addresses that initiate most flows.", valueName: "ip|cidr"))
    var nodes: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when the audit finds any of these (comma-separated): blocked, undocumented, missing, wrong-port, failing-dns, name-mismatch.", valueName: "kinds"))
    var failOn: String?

    @Flag(help: "Print the least-privilege rule set for the allowed egress seen, as a profile (YAML), instead of the report.")
    var suggestRules = false

    @Flag(help: "Render the audit report as Markdown (for tickets).")
    var markdown = false

    @Flag(name: .customLong("no-color"), help: "No colour in the terminal report (colour is used only on a TTY).")
    var noColor = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one capture file") }
        let auditOnly = !nodes.isEmpty || failOn != nil || suggestRules || markdown
        if auditOnly && policy.profile == nil {
            throw ValidationError("--node, --fail-on, --suggest-rules and --markdown need --profile")
        }
        for node in nodes where CIDR(node) == nil {
            throw ValidationError("--node \"\(node)\" is not an IP address or CIDR")
        }
        _ = try failKinds()
    }

    /// The finding kinds `--fail-on` names.
    func failKinds() throws -> Set<AuditReport.Severity> {
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
            default:
                throw ValidationError("--fail-on: unknown kind \"\(word)\"; expected blocked, undocumented, missing, wrong-port, failing-dns, name-mismatch")
            }
        }
        return kinds
    }

    func run() throws {
        // The profile first: a bad profile fails before a long capture is read.
        let compiled = try policy.profile.map { _ in try policy.compile() }
        var analyzer = OfflineAnalyzer(keepsFlows: flows || compiled != nil)
        for path in files { analyzer.read(path: path) }
        analyzer.finish()
        for error in analyzer.errors { Diagnostics.error(error.description) }

        let summary = analyzer.summary
        if let compiled {
            let report = Auditor(profile: compiled).audit(
                flows: analyzer.flows, names: analyzer.tracker.names, dns: Array(analyzer.tracker.dnsObservations),
                capture: summary, nodes: nodes.compactMap { CIDR($0) }, serviceTagFiles: policy.serviceTagFiles,
                warnings: analyzer.errors.map(\.description))
            let text: String
            if suggestRules {
                text = RuleSuggester.yaml(profileID: compiled.expanded.profileID, items: Set(report.suggestions),
                                          observed: "egress allowed by \(compiled.expanded.profileID) in " + files.joined(separator: ", "))
            } else if json {
                text = try ReportOutput.json(report)
            } else if markdown {
                text = AuditReportText.markdown(report)
            } else {
                text = AuditReportText.render(report, color: !noColor && output == nil && isatty(STDOUT_FILENO) == 1)
            }
            try emit(text, to: output)
            if !analyzer.errors.isEmpty { throw ExitCode(1) }
            let failing = try failKinds()
            if report.findings.contains(where: { failing.contains($0.kind) }) { throw ExitCode(3) }
            return
        }
        let text: String
        if json {
            text = try ReportOutput.json(AnalysisDocument(
                summary: summary, files: analyzer.files, errors: analyzer.errors.map(\.description),
                flows: flows ? analyzer.flowEntries : nil, dns: flows ? analyzer.dnsEntries : nil))
        } else {
            var body = CaptureSummaryText.render(summary: summary, files: analyzer.files)
            if flows { body += "\n" + FlowListingText.render(flows: analyzer.flowEntries, dns: analyzer.dnsEntries) }
            text = body
        }
        try emit(text, to: output)
        if !analyzer.errors.isEmpty { throw ExitCode(1) }
    }
}

/// Writes a report to a file atomically, or to standard output.
func emit(_ text: String, to output: String?) throws {
    if let output {
        do {
            try ReportOutput.writeAtomically(text, to: output)
        } catch {
            Diagnostics.error("\(output): cannot write the report (\(error.localizedDescription))")
            throw ExitCode(1)
        }
    } else {
        print(text, terminator: "")
    }
}

/// One-line messages for the operator on standard error.
enum Diagnostics {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("egress-audit: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("egress-audit: warning: \(message)\n".utf8))
    }
}
