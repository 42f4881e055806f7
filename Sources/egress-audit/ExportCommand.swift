import ArgumentParser
import EgressAudit
import EgressExport
import EgressPolicy
import Foundation

/// `egress-audit export --format F (--profile … | --from-report R.json)`: rules for an enforcement point.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a profile's rules, or a report's allowed egress, as rules of a firewall or network policy.",
        discussion: """
            Formats: \(ExportFormat.names). From --profile: the documented rules, expanded with \
            --param and --feature. From --from-report: only what the report saw and allowed (least \
            privilege), address-only destinations as the narrowest service tag covering them (give \
            --service-tags). Wildcards are written in the target's own dialect; a pattern the target \
            can only say wider is widened with a warning naming the rule, and what it cannot say at all \
            is listed (standard error, and comments where the format has them). \
            Exit status: 0 written; 1 bad input or an unwritable output.
            """
    )

    @Option(help: ArgumentHelp("The target: \(ExportFormat.names).", valueName: "format"))
    var format: String

    @OptionGroup var policy: PolicyOptions

    @Option(name: .customLong("from-report"), help: ArgumentHelp("A JSON audit report (from --json): export only its allowed egress.", valueName: "report.json"))
    var fromReport: String?

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else {
            throw ValidationError("--format \"\(format)\": expected one of \(ExportFormat.names)")
        }
        if policy.hasProfile == (fromReport != nil) {
            throw ValidationError("give either --profile (the documented rules) or --from-report REPORT.json (the egress seen)")
        }
        if fromReport != nil && (!policy.parameters.isEmpty || !policy.features.isEmpty) {
            throw ValidationError("--param and --feature tailor a --profile; a report already holds its parameters")
        }
    }

    func run() throws {
        let format = ExportFormat(rawValue: format)!
        let input: ExportInput
        if let fromReport {
            let report: AuditReport
            do { report = try AuditReportFile.read(fromReport) } catch {
                Diagnostics.error("\(error)")
                throw ExitCode(1)
            }
            let catalog: ServiceTagCatalog
            do { catalog = try ServiceTagSources.catalog(files: policy.serviceTagFiles) } catch {
                Diagnostics.error(error.description)
                throw ExitCode(1)
            }
            input = ExportInput(report: report, catalog: catalog)
        } else {
            input = ExportInput(profile: try policy.compile())
        }
        let result: ExportResult
        do { result = try RuleExporter.export(input, as: format) } catch {
            Diagnostics.error("cannot render the \(format.rawValue) export: \(error)")
            throw ExitCode(1)
        }
        for w in result.warnings { Diagnostics.warning(w.description) }
        for u in result.untranslated { Diagnostics.info("not exported: \(u.description)") }
        if let output {
            do { try ReportOutput.writeAtomically(result.text, to: output) } catch {
                Diagnostics.error("\(output): cannot write the export (\(error.localizedDescription))")
                throw ExitCode(1)
            }
        } else {
            print(result.text, terminator: "")
        }
    }
}
