import ArgumentParser
import CaptureRuntime
import EgressAudit
import EgressLogs
import EgressPolicy
import Foundation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze saved captures (pcap, pcapng) and logs (Azure Firewall, VNet/NSG flow logs), gzip or not.",
        discussion: """
        Without --profile: what was read (packets, layers, flows; --flows lists them). With \
        --profile: the audit — every egress flow of the node(s) classified against the \
        profile's rules, undocumented destinations, required rules satisfied, attempted but \
        failing, or never seen.

        Exit status: 0 when every file was read to its end (and, with --fail-on, no such \
        finding); 1 when a file or the profile could not be read (the report still covers \
        every packet that was read); 3 when --fail-on found one of its kinds (--fail-on fail: \
        whenever the verdict is FAIL); 64 for a malformed command line. SIGINT or SIGTERM \
        (Ctrl-C on `tcpdump -w - | egress-audit analyze -`) stops reading and reports what was read, \
        with a note; a second one ends the process at once.
        """
    )

    @Argument(help: "Evidence files, each recognised by its content: captures (pcap or pcapng; regular files, named pipes, /dev/stdin, or - for standard input: tcpdump -w - | egress-audit analyze -), Azure Firewall logs (JSON or Log Analytics CSV), VNet or NSG flow logs (regular files); any of them gzip-compressed.")
    var files: [String]

    @Option(help: ArgumentHelp("Read options from this YAML file (keys: the long option names; param as a mapping, repeatable options as lists, flags true/false); options on the command line win.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("source-format"),
            help: "Read every file as this kind instead of telling by its content: \(SourceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var sourceFormat: SourceFormat?

    @OptionGroup(title: "Audit against a profile")
    var policy: PolicyOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one capture or log file") }
        try report.validate(hasProfile: policy.hasProfile)
    }

    func run() throws {
        // The profile first: a bad profile fails before a long capture is read.
        // A report on the terminal lists the warnings itself: printed once, there.
        let compiled = policy.hasProfile ? try policy.compile(printWarnings: !report.showsWarnings) : nil
        var pipeline = CapturePipeline(keepsFlows: report.flows, audit: compiled.map { report.accumulator(profile: $0, live: nil) })
        let flowLog = try report.attachFlowLog(to: &pipeline)
        let showProgress = isatty(STDERR_FILENO) == 1
        if showProgress {
            pipeline.progress = { file, packets in
                FileHandle.standardError.write(Data("\r\u{1B}[Kreading \(file): \(packets / 1_000_000).\(packets % 1_000_000 / 100_000) M packets".utf8))
            }
        }
        // Captures and logs feed the same pipeline; which reader, each file's first bytes say (or --source-format).
        let evidence = SourceSniffer.partition(files, format: sourceFormat)
        let source = CaptureFileSource(paths: evidence.captures)
        // SIGINT or SIGTERM (Ctrl-C on `tcpdump -w - | egress-audit analyze -`): stop reading and
        // report what was read; a second one ends the process at once.
        let signals = Self.stopOnSignals(source)
        pipeline.readToEnd(source)
        signals.forEach { $0.cancel() }
        for log in evidence.logs { pipeline.read(log: log.path, as: log.format) }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        pipeline.finish()
        ProcessEnd.keep(pipeline)
        try report.closeFlowLog(flowLog)
        for error in pipeline.errors { Diagnostics.error(error.description) }
        // Nothing could be read at all: the error lines say it all, an empty report would not.
        if pipeline.files.allSatisfy({ $0.error != nil && $0.packets == 0 }) { throw ExitCode(1) }
        var warnings: [String] = []
        if let input = source.interruptedInput, let signal = source.stopRequest.signal {
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            let note = "\(name): stopped reading \(evidence.captures[input]) after \(pipeline.delivered(input: input).packets) packets; the report covers what was read"
            Diagnostics.info(note)
            warnings.append(note)
        }
        let findings = try report.emit(pipeline, serviceTagFiles: policy.serviceTagFiles, sources: files.joined(separator: ", "),
                                       warnings: warnings + policy.staleTagWarnings, atProcessEnd: true)
        if !pipeline.errors.isEmpty { throw ExitCode(1) }
        if findings { throw ExitCode(3) }
    }
}

extension AnalyzeCommand {
    /// The first SIGINT or SIGTERM stops `source`; the default action is then restored, so a second ends the process.
    static func stopOnSignals(_ source: CaptureFileSource) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let handler = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            handler.setEventHandler {
                source.interrupt(signal: sig)
                signal(sig, SIG_DFL)
            }
            handler.resume()
            return handler
        }
    }
}

/// One-line messages for the operator on standard error.
enum Diagnostics {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("egress-audit: \(message)\n".utf8))
    }

    static func info(_ message: String) {
        FileHandle.standardError.write(Data("egress-audit: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("egress-audit: warning: \(message)\n".utf8))
    }
}

extension SourceFormat: ExpressibleByArgument {}
