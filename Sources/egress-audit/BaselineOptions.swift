import ArgumentParser
import EgressAudit
import Foundation

/// `--baseline FILE` (and `--as-of DATE`) for `analyze`, `live` and `merge`: findings a previous
/// report or a waivers file covers are marked known and do not trip `--fail-on` (`AuditBaseline`).
struct BaselineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A previous JSON report, or a waivers YAML file (kind, destination or rule, reason, expires): the findings it covers are listed as known and do not trip --fail-on.", valueName: "file"))
    var baseline: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Judge waiver expiry as of this day (default: today, UTC).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    func validate() throws {
        if let asOf, asOf.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) == nil {
            throw ValidationError("--as-of \"\(asOf)\": expected a date YYYY-MM-DD")
        }
        if asOf != nil && baseline == nil { throw ValidationError("--as-of dates the waivers of --baseline; give --baseline too") }
    }

    /// Marks what the baseline covers; a bad baseline file is one line and status 1.
    func apply(to report: inout AuditReport) throws {
        guard let baseline else { return }
        let loaded: AuditBaseline
        do { loaded = try AuditBaseline.load(path: baseline) } catch {
            for e in error.errors { Diagnostics.error(e.description) }
            throw ExitCode(1)
        }
        let outcome = loaded.apply(to: &report, today: asOf ?? AuditBaseline.today())
        for line in outcome.expired { Diagnostics.warning(line) }
        Diagnostics.info("baseline \((baseline as NSString).lastPathComponent): \(outcome.known) finding(s) known, \(outcome.new) new")
    }
}
