import ArgumentParser
import CaptureRuntime
import EgressAudit
import EgressPolicy
import Foundation

/// `egress-audit bench [FILE...]`: how fast this machine reads, decodes,
/// tracks and audits a capture, each stage against a bare libpcap loop over
/// the same file in the same process. The measuring is `StageBenchmark`'s;
/// this parses, renders, and makes the capture when none is named.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine: read, decode, flows and the audit of a capture, beside a bare libpcap read loop.",
        discussion: """
        Runs five stages over the same file(s) in one process, each a full pass: (1) a bare libpcap \
        pcap_next_ex loop, (2) egress-audit's reader, (3) + decoding and counters, (4) + flows and \
        names (analyze), (5) + the audit with the profile and its JSON report (rendered in memory, \
        discarded). Rounds alternate the stage order; each figure is the median over the rounds. \
        A ratio is a stage's time over the bare loop's: how many times the cost of only reading the file.

        Without FILE it generates a per-flow-heavy capture (CaptureSynth's per-flow scenario, \
        --packets, default 200000) in a temporary folder removed at exit. Without --profile the \
        audit stage uses apim-self-hosted-gateway --param apim-name=contoso.

        Exit status: 0 measured; 1 a file or the profile cannot be read, or the capture cannot be \
        generated; 64 a malformed command line.
        """
    )

    @Argument(help: "Capture files to measure (pcap, pcapng, .gz). Default: a generated per-flow-heavy capture.")
    var files: [String] = []

    @Option(help: ArgumentHelp("Packets in the generated capture (only without FILE; default 200000).", valueName: "n"))
    var packets: Int?

    @Option(help: ArgumentHelp("Rounds; the stage order rotates each round, each figure is the median.", valueName: "n"))
    var rounds = 5

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    @OptionGroup(title: "Profile of the audit stage")
    var policy: PolicyOptions

    static let defaultProfile = "apim-self-hosted-gateway"
    static let defaultParameters = ["apim-name=contoso"]

    func validate() throws {
        if rounds < 1 || rounds > 1_000 { throw ValidationError("--rounds must be 1…1000") }
        if let packets {
            if !files.isEmpty { throw ValidationError("--packets sizes the generated capture; with FILE there is none to size") }
            if packets < 1 || packets > 100_000_000 { throw ValidationError("--packets must be 1…100000000") }
        }
        if !policy.hasProfile, !policy.parameters.isEmpty || !policy.features.isEmpty || !policy.serviceTagFiles.isEmpty {
            throw ValidationError("--param, --feature and --service-tags need --profile (without it, bench audits with \(Self.defaultProfile) --param \(Self.defaultParameters.joined(separator: " --param ")))")
        }
    }

    func run() throws {
        // First: the load average then says how busy the machine was before bench added to it.
        let machine = ProcessUsage.machine()
        // The profile first, then the files: bad input fails before anything long runs.
        var chosen = policy
        let isDefaultProfile = !chosen.hasProfile
        if isDefaultProfile {
            chosen.profiles = [Self.defaultProfile]
            chosen.parameters = Self.defaultParameters
        }
        let compiled = try chosen.compile(printWarnings: !isDefaultProfile)

        var generated: BenchCapture?
        defer { generated?.remove() }
        let paths: [String]
        if files.isEmpty {
            let count = packets ?? BenchCapture.defaultPackets
            Diagnostics.info("generating a per-flow-heavy capture of \(count) packets (removed at exit)")
            do { generated = try BenchCapture(packets: count) } catch {
                Diagnostics.error("\(error)")
                throw ExitCode(1)
            }
            paths = [generated!.path]
        } else {
            paths = files
        }

        let bench = StageBenchmark(files: paths, profile: compiled, serviceTagFiles: chosen.serviceTagFiles, rounds: rounds)
        let problems = bench.check()
        if !problems.isEmpty {
            for problem in problems { Diagnostics.error(problem.description) }
            throw ExitCode(1)
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        let stageCount = bench.stages.count
        let results: StageBenchmark.Results
        do {
            results = try bench.run { round, stage in
                guard showProgress else { return }
                FileHandle.standardError.write(Data("\r\u{1B}[Kround \(round + 1)/\(rounds) of \(stageCount) stages: \(stage.id)".utf8))
            }
        } catch {
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if !results.packetsAgree {
            Diagnostics.warning("the stages read different packet counts ("
                + results.stages.map { "\($0.stage.id) \($0.packets)" }.joined(separator: ", ") + "): a reader disagrees on these files")
        }

        let context = BenchContext(
            date: RFC3339.format(nanoseconds: ProcessUsage.realtimeNanoseconds()),
            machine: machine,
            files: paths.map { path in
                BenchDocument.File(path: path, bytes: (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil)
            },
            generated: generated.map { BenchDocument.Generated(scenario: BenchCapture.scenario, packets: $0.packets, removedAtExit: true) },
            profile: BenchDocument.Profile(
                id: compiled.expanded.profileID, parameters: compiled.expanded.parameters,
                features: compiled.expanded.enabledFeatures.sorted(), serviceTagFiles: chosen.serviceTagFiles, isDefault: isDefaultProfile,
                command: (chosen.profiles.enumerated().map { $0.offset == 0 ? $0.element : "--profile \($0.element)" } + chosen.parameters.map { "--param \($0)" } + chosen.features.map { "--feature \($0)" }
                          + chosen.serviceTagFiles.map { "--service-tags \($0)" }).joined(separator: " ")))
        if json {
            print(try ReportOutput.json(BenchDocument(context, results)), terminator: "")
        } else {
            print(BenchText.render(context, results), terminator: "")
        }
    }
}

/// What the run was, besides the figures.
struct BenchContext {
    var date: String
    var machine: ProcessUsage.Machine
    var files: [BenchDocument.File]
    var generated: BenchDocument.Generated?
    var profile: BenchDocument.Profile
}

/// `bench --json`: one object. Times in seconds, memory in bytes, rates per second;
/// every stage figure is the median over `rounds` (peak memory: the highest).
struct BenchDocument: Encodable {
    var schemaVersion = 1
    var tool = "egress-audit"
    var command = "bench"
    /// When the run ended (RFC 3339, UTC).
    var date: String
    var machine: Machine
    var files: [File]
    /// The capture bench generated when no FILE was named (nil when files were named).
    var generated: Generated?
    /// Packets libpcap read (the bare stage's count); flows `analyze` tracked.
    var packets: Int
    var flows: Int?
    var profile: Profile
    var rounds: Int
    /// How the rounds were run and what each figure is.
    var method = "each stage is a full pass over the files in this process; the stage order rotates each round; "
        + "wallSeconds and cpuSeconds are medians over the rounds; ratios are a stage's median over the bare stage's"
    /// What `peakResidentBytes` means in this run.
    var memory: String
    var stages: [Stage]

    struct Machine: Encodable {
        var cpuModel: String?
        var cores: Int
        var architecture: String
        var kernel: String
        /// The 1-minute load average when the run started; above `cores`, other work shared the cores.
        var loadAverage: Double?
    }

    struct File: Encodable {
        var path: String
        var bytes: Int?
    }

    struct Generated: Encodable {
        var scenario: String
        var packets: Int
        var removedAtExit: Bool
    }

    struct Profile: Encodable {
        var id: String
        var parameters: [String: String]
        var features: [String]
        var serviceTagFiles: [String]
        /// True when no --profile was given and bench chose it.
        var isDefault: Bool
        /// The profile options that reproduce it.
        var command: String
    }

    struct Stage: Encodable {
        /// bare-read, read, decode, analyze, audit.
        var id: String
        var number: Int
        var title: String
        var packets: Int
        var flows: Int?
        var packetsPerSecond: Double?
        var flowsPerSecond: Double?
        var wallSeconds: Double
        /// User + system CPU of the whole process during the stage, every thread.
        var cpuSeconds: Double
        /// wallSeconds (cpuSeconds) over the bare stage's: exactly 1 for bare-read; absent when the bare stage's is 0.
        var wallRatio: Double?
        var cpuRatio: Double?
        /// The process's resident high-water mark during the stage's runs (the highest), and its resident size
        /// when a run started (the lowest): see `memory`.
        var peakResidentBytes: Int?
        var residentBeforeBytes: Int?
        /// Every round's figures, in round order.
        var wallSecondsPerRound: [Double]
        var cpuSecondsPerRound: [Double]
    }

    init(_ c: BenchContext, _ r: StageBenchmark.Results) {
        date = c.date
        machine = Machine(cpuModel: c.machine.cpuModel, cores: c.machine.cores, architecture: c.machine.architecture, kernel: c.machine.kernel,
                          loadAverage: c.machine.loadAverage)
        files = c.files
        generated = c.generated
        packets = r.packets
        flows = r.flows
        profile = c.profile
        rounds = r.rounds
        memory = BenchText.memoryNote(r)
        stages = r.stages.map { s in
            Stage(id: s.stage.id, number: s.stage.rawValue + 1, title: s.stage.title, packets: s.packets, flows: s.flows,
                  packetsPerSecond: s.packetsPerSecond, flowsPerSecond: s.flowsPerSecond, wallSeconds: s.wallSeconds,
                  cpuSeconds: s.cpuSeconds, wallRatio: s.wallRatio, cpuRatio: s.cpuRatio, peakResidentBytes: s.peakResidentBytes,
                  residentBeforeBytes: s.residentBeforeBytes, wallSecondsPerRound: s.samples.map(\.wallSeconds),
                  cpuSecondsPerRound: s.samples.map(\.cpuSeconds))
        }
    }
}

/// The table `bench` prints.
enum BenchText {
    static func render(_ c: BenchContext, _ r: StageBenchmark.Results) -> String {
        var lines: [String] = []
        lines.append("egress-audit bench, \(c.date)")
        let m = c.machine
        lines.append("machine:  \(m.cpuModel ?? "unknown CPU"), \(m.cores) core\(m.cores == 1 ? "" : "s") online (\(m.architecture), Linux \(m.kernel))"
            + (m.loadAverage.map { String(format: ", load average %.2f at the start", $0) } ?? ""))
        if let load = m.loadAverage, load > Double(m.cores) {
            lines.append("          (busier than its cores: other work shared them, so wall times stretch and vary more than CPU times)")
        }
        for (i, file) in c.files.enumerated() {
            var line = (i == 0 ? "capture:  " : "          ") + file.path
            var notes: [String] = []
            if let bytes = file.bytes { notes.append(String(format: "%.1f MB", Double(bytes) / 1e6)) }
            if let g = c.generated { notes.append("generated: CaptureSynth \(g.scenario), removed at exit") }
            if !notes.isEmpty { line += " (" + notes.joined(separator: "; ") + ")" }
            lines.append(line)
        }
        lines.append("packets:  \(grouped(r.packets))" + (r.flows.map { "   flows: \(grouped($0))" } ?? ""))
        lines.append("profile:  \(c.profile.command)" + (c.profile.isDefault ? " (the default: no --profile given)" : ""))
        lines.append("rounds:   \(r.rounds), stage order rotated each round; figures are medians")
        lines.append("")
        let header = ["stage", "packets/s", "flows/s", "wall s", "CPU s", "peak RSS", "wall ×bare", "CPU ×bare"]
        var rows: [[String]] = [header]
        for s in r.stages {
            rows.append([
                "\(s.stage.rawValue + 1) \(s.stage.title)",
                s.packetsPerSecond.map(rate) ?? "—",
                s.flowsPerSecond.map(rate) ?? "—",
                String(format: "%.3f", s.wallSeconds),
                String(format: "%.3f", s.cpuSeconds),
                s.peakResidentBytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "—",
                s.wallRatio.map { String(format: "%.2f", $0) } ?? "—",
                s.cpuRatio.map { String(format: "%.2f", $0) } ?? "—",
            ])
        }
        let widths = header.indices.map { col in rows.map { $0[col].count }.max() ?? 0 }
        for row in rows {
            var line = row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
            for col in 1..<row.count { line += "  " + String(repeating: " ", count: widths[col] - row[col].count) + row[col] }
            lines.append(line)
        }
        lines.append("")
        lines.append("×bare: the stage's median time (wall, CPU) over the bare libpcap loop's, the same file in the same process:")
        lines.append("  how many times the cost of only reading the file; 1.00 is the bare loop itself.")
        lines.append("CPU s: user+sys of the whole process during the stage, every thread: with 2 cores or more, stages 4 and 5")
        lines.append("  read and decode on a second thread, so their CPU can exceed their wall time.")
        lines.append(contentsOf: wrapped("peak RSS: " + memoryNote(r), width: 110, indent: "  "))
        return lines.joined(separator: "\n") + "\n"
    }

    static func memoryNote(_ r: StageBenchmark.Results) -> String {
        r.peakIsPerRun
            ? "the process's resident high-water mark during the stage (reset before each run through /proc/self/clear_refs; "
                + "the highest of the rounds); it includes the capture's mapped pages and what the process held before the stage "
                + "(\(r.stages.compactMap(\.residentBeforeBytes).min().map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "?") at the lowest)."
            : "the process's resident high-water mark since it started (the kernel refused to reset it per stage), so it is "
                + "cumulative: a stage's figure includes every stage run before it."
    }

    /// `text` in lines of at most `width` characters, broken at spaces; lines after the first indented.
    static func wrapped(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            let prefix = lines.isEmpty ? "" : indent
            if !line.isEmpty, prefix.count + line.count + 1 + word.count > width {
                lines.append(prefix + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append((lines.isEmpty ? "" : indent) + line) }
        return lines
    }

    /// 8.12 M, 812 k, 812.
    static func rate(_ perSecond: Double) -> String {
        if perSecond >= 1e6 { return String(format: "%.2f M", perSecond / 1e6) }
        if perSecond >= 1e3 { return String(format: "%.0f k", perSecond / 1e3) }
        return String(format: "%.0f", perSecond)
    }

    /// 200,000.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
