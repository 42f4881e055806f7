import ArgumentParser
import EgressAudit
import Foundation

/// `egress-audit diff OLD.json NEW.json`: drift between two audit reports.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show the drift between two JSON audit reports: destinations, rule statuses, name mismatches, profile changes.",
        discussion: """
            Destinations (with their ports) that appeared or disappeared per table (allowed, \
            undocumented, wrong port, resolvers), required and optional rules whose status changed, \
            name mismatches that appeared or disappeared, and any difference of profile, parameters, \
            features or tag files. A report diffed with itself is empty. Exit status: 0; 1 when a \
            report cannot be read; 3 when --fail-on found one of its kinds.
            """
    )

    @Argument(help: "The earlier JSON audit report.")
    var old: String

    @Argument(help: "The later JSON audit report.")
    var new: String

    @Flag(help: "Print the diff as JSON.")
    var json = false

    @Flag(help: "Print the diff as Markdown (for tickets).")
    var markdown = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when the diff has any of these (comma-separated): \(AuditDiff.Kind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kinds"))
    var failOn: String?

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        if json && markdown { throw ValidationError("--json and --markdown: choose one") }
        _ = try kinds()
    }

    func kinds() throws -> Set<AuditDiff.Kind> {
        guard let failOn else { return [] }
        var out = Set<AuditDiff.Kind>()
        for word in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let k = AuditDiff.Kind(rawValue: word) else {
                throw ValidationError("--fail-on: unknown kind \"\(word)\"; expected \(AuditDiff.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out.insert(k)
        }
        return out
    }

    func run() throws {
        let a: AuditReport, b: AuditReport
        do {
            a = try AuditReportFile.read(old)
            b = try AuditReportFile.read(new)
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode(1)
        }
        let diff = AuditDiff(old: a, new: b)
        let text = json ? try ReportOutput.json(diff) : diff.render(markdown: markdown)
        if let output {
            do { try ReportOutput.writeAtomically(text, to: output) } catch {
                Diagnostics.error("\(output): cannot write the diff (\(error.localizedDescription))")
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
        if !diff.kinds.isDisjoint(with: try kinds()) { throw ExitCode(3) }
    }
}
