import ArgumentParser
import EgressAudit
import Foundation

/// `egress-audit merge REPORT.json...`: one report from the JSON reports of
/// several nodes, files or days audited against the same profile.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine JSON audit reports of one profile or profile set (several nodes, files or days) into one.",
        discussion: """
        Each report must come from `analyze` or `live` with --profile and --json, of the same \
        profile, parameters and features. Counts add, address and node samples unite, a node's \
        rule status is satisfied if it was satisfied in any report, and the findings and the \
        verdict are judged again on the sum: the same as one audit over every input. \
        Exit status: 0 merged; 1 a report cannot be read or the reports do not match; 3 when \
        --fail-on found one of its kinds.
        """
    )

    @Argument(help: "JSON audit reports (from --json).")
    var reports: [String]

    @Flag(help: "Print one JSON document instead of the text report.")
    var json = false

    @Flag(help: "Render the merged report as Markdown (for tickets).")
    var markdown = false

    @Flag(help: "Render the merged report as one self-contained HTML page (offline, sortable tables).")
    var html = false

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when the merged audit finds any of these (comma-separated): fail (whatever makes the verdict FAIL), blocked, undocumented, missing, wrong-port, failing-dns, name-mismatch, or the report's finding kinds (blocked-required, required-not-seen, optional-unused, …).", valueName: "kinds"))
    var failOn: String?

    @OptionGroup var baseline: BaselineOptions

    @Flag(name: .customLong("no-color"), help: "No colour in the terminal report (colour is used only on a TTY).")
    var noColor = false

    func validate() throws {
        if reports.isEmpty { throw ValidationError("name at least one JSON audit report") }
        try TerminalOutput.refuseConflicts([("--json", json), ("--markdown", markdown), ("--html", html)])
        _ = try FailKinds.parse(failOn)
        try baseline.validate()
    }

    func run() throws {
        var loaded: [AuditReport] = []
        for path in reports {
            do {
                loaded.append(try AuditReportFile.read(path))
            } catch {
                Diagnostics.error("\(error)")
                throw ExitCode(1)
            }
        }
        var merged: AuditReport
        do {
            merged = try AuditMerge.merge(loaded)
        } catch {
            Diagnostics.error("cannot merge: \(error.description)")
            throw ExitCode(1)
        }
        try baseline.apply(to: &merged)
        let text: String
        if json {
            text = try ReportOutput.json(merged)
        } else if markdown {
            text = AuditReportText.markdown(merged)
        } else if html {
            text = AuditReportHTML.render(merged)
        } else {
            text = AuditReportText.render(merged, color: TerminalOutput.usesColor(noColor: noColor, output: output),
                                          width: TerminalOutput.width(output: output))
        }
        if let output {
            do { try ReportOutput.writeAtomically(text, to: output) } catch {
                Diagnostics.error(error.description)
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
        let failing = try FailKinds.parse(failOn)
        if merged.findings.contains(where: { failing.contains($0.kind) && $0.known == nil }) { throw ExitCode(3) }
    }
}
