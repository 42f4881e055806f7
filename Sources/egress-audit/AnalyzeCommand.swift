import ArgumentParser
import EgressAudit
import Foundation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze saved captures (pcap, pcapng, .gz).",
        discussion: """
        Exit status: 0 when every file was read to its end; 1 when a file could not be \
        opened or read completely (the report still covers every packet that was read).
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

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one capture file") }
    }

    func run() throws {
        var analyzer = OfflineAnalyzer(keepsFlows: flows)
        for path in files { analyzer.read(path: path) }
        analyzer.finish()
        for error in analyzer.errors { Diagnostics.error(error.description) }

        let summary = analyzer.summary
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
