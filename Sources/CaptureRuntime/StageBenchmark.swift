import EgressAudit
import EgressPolicy
import PacketCapture
import PacketWire

/// `egress-audit bench`'s measurement: the same capture file(s) read by five
/// stages, each a full pass on its own, each adding one layer of work to the
/// one before, in one process, so their ratios to the first compare like with like:
///
/// 1. `bareRead`: libpcap's `pcap_next_ex` loop (`BareReadLoop`), the baseline;
/// 2. `read`: the project's reader (`OfflineCapture`: mapped pcap/pcapng, libpcap for gzip);
/// 3. `decode`: read + `PacketDecoder` + `DecodeCounters`, one thread;
/// 4. `analyze`: `CapturePipeline` without a profile (+ fragments, flows, names),
///    reading and decoding on a second thread when there is a spare core;
/// 5. `audit`: `CapturePipeline` with an `AuditAccumulator` for the profile, and the
///    JSON report rendered to memory and discarded (as `analyze --profile … --json`).
///
/// Rounds alternate: round r runs the stages rotated by r, so no stage always
/// follows the same one (caches, page cache, a neighbour's burst); each stage's
/// figure is its median over the rounds. Per run it takes the wall time
/// (monotonic clock), the process's CPU time (`getrusage`, every thread, so
/// the decode-ahead thread counts), and the resident high-water mark during
/// the run (reset before it where the kernel allows: `ProcessUsage`).
public struct StageBenchmark {
    public enum Stage: Int, CaseIterable, Sendable, Comparable {
        case bareRead, read, decode, analyze, audit

        /// Stable name (JSON `id`).
        public var id: String {
            switch self {
            case .bareRead: "bare-read"
            case .read: "read"
            case .decode: "decode"
            case .analyze: "analyze"
            case .audit: "audit"
            }
        }

        /// What it does, for the operator.
        public var title: String {
            switch self {
            case .bareRead: "bare libpcap read loop (pcap_next_ex)"
            case .read: "read (egress-audit's reader)"
            case .decode: "read + decode + counters"
            case .analyze: "+ flows and names (analyze)"
            case .audit: "+ audit with the profile, JSON report"
            }
        }

        public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    /// One run of one stage.
    public struct Sample: Sendable, Equatable {
        public var wallSeconds: Double
        public var cpuSeconds: Double
        /// Resident memory when the run started, and its high-water mark during the run (bytes).
        public var residentBeforeBytes: Int?
        public var peakResidentBytes: Int?
    }

    public struct StageResult: Sendable {
        public var stage: Stage
        /// Packets the stage read (summed over the files); the same for every stage, or a reader disagrees.
        public var packets: Int
        /// Flows the stage tracked (`analyze`, `audit`); nil for stages without flows.
        public var flows: Int?
        /// Every run, in round order.
        public var samples: [Sample]
        /// Medians over the rounds.
        public var wallSeconds: Double
        public var cpuSeconds: Double
        /// The highest high-water mark of its runs, and the lowest starting point.
        public var peakResidentBytes: Int?
        public var residentBeforeBytes: Int?
        /// Median wall (CPU) time over the bare loop's: 1 for the bare loop itself;
        /// nil when the bare loop's time is zero (CPU time of a tiny file).
        public var wallRatio: Double?
        public var cpuRatio: Double?

        public var packetsPerSecond: Double? { wallSeconds > 0 ? Double(packets) / wallSeconds : nil }
        public var flowsPerSecond: Double? { flows.flatMap { wallSeconds > 0 ? Double($0) / wallSeconds : nil } }
    }

    public struct Results: Sendable {
        /// In stage order.
        public var stages: [StageResult]
        public var rounds: Int
        /// True when each run's peak is its own (the high-water mark was reset before it);
        /// false when the kernel refused the reset and the peaks are the process's since it started.
        public var peakIsPerRun: Bool

        public subscript(_ stage: Stage) -> StageResult? { stages.first { $0.stage == stage } }
        /// The bare loop's packets: the file's packets as libpcap counts them.
        public var packets: Int { stages.first?.packets ?? 0 }
        /// The flows `analyze` tracked (nil when it was not run).
        public var flows: Int? { self[.analyze]?.flows ?? self[.audit]?.flows }
        /// Whether every stage read the same number of packets.
        public var packetsAgree: Bool { stages.allSatisfy { $0.packets == packets } }
    }

    /// Why a run could not be measured: one line naming the file and the problem.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let files: [String]
    /// The audit stage's profile; nil leaves that stage out.
    public let profile: CompiledProfile?
    /// Named in the audit report, as `analyze` names them.
    public var serviceTagFiles: [String]
    public var rounds: Int
    /// The stages to run (all by default; the bare loop is always run, being the baseline).
    public var stages: [Stage]

    public init(files: [String], profile: CompiledProfile?, serviceTagFiles: [String] = [], rounds: Int = 5) {
        self.files = files
        self.profile = profile
        self.serviceTagFiles = serviceTagFiles
        self.rounds = max(1, rounds)
        stages = Stage.allCases.filter { $0 != .audit || profile != nil }
    }

    /// Opens every file as `analyze` would, before anything is timed: a bad
    /// file fails here, one `CaptureError` per file.
    public func check() -> [CaptureError] {
        var problems: [CaptureError] = []
        for path in files {
            do { _ = try OfflineCapture(path: path) } catch { problems.append(error) }
        }
        return problems
    }

    /// Runs every stage `rounds` times; `starting` is called before each run (round, stage).
    /// A file that does not read to its end in some stage fails the whole benchmark:
    /// stages that stopped at different places would not compare.
    public func run(starting: ((Int, Stage) -> Void)? = nil) throws(Failure) -> Results {
        let order = [Stage.bareRead] + stages.filter { $0 != .bareRead }.sorted()
        var samples = [[Sample]](repeating: [], count: order.count)
        var counts = [(packets: Int, flows: Int?)](repeating: (0, nil), count: order.count)
        var peakIsPerRun = true
        for round in 0..<rounds {
            for k in order.indices {
                let index = (k + round) % order.count
                let stage = order[index]
                starting?(round, stage)
                let reset = ProcessUsage.resetPeakResident()
                peakIsPerRun = peakIsPerRun && reset
                let residentBefore = ProcessUsage.residentBytes()
                let cpuStart = ProcessUsage.cpuSeconds()
                let start = ProcessUsage.monotonicNanoseconds()
                let counted = try pass(stage)
                let wall = Double(ProcessUsage.monotonicNanoseconds() - start) / 1e9
                // getrusage counts microseconds: no more digits than that.
                let cpu = ((ProcessUsage.cpuSeconds() - cpuStart) * 1e6).rounded() / 1e6
                samples[index].append(Sample(wallSeconds: wall, cpuSeconds: max(0, cpu), residentBeforeBytes: residentBefore,
                                             peakResidentBytes: ProcessUsage.peakResidentBytes()))
                counts[index] = counted
            }
        }
        let bareWall = Self.median(samples[0].map(\.wallSeconds))
        let bareCPU = Self.median(samples[0].map(\.cpuSeconds))
        let results = order.indices.map { i in
            let wall = Self.median(samples[i].map(\.wallSeconds)), cpu = Self.median(samples[i].map(\.cpuSeconds))
            return StageResult(
                stage: order[i], packets: counts[i].packets, flows: counts[i].flows, samples: samples[i],
                wallSeconds: wall, cpuSeconds: cpu,
                peakResidentBytes: samples[i].compactMap(\.peakResidentBytes).max(),
                residentBeforeBytes: samples[i].compactMap(\.residentBeforeBytes).min(),
                wallRatio: bareWall > 0 ? wall / bareWall : nil, cpuRatio: bareCPU > 0 ? cpu / bareCPU : nil)
        }
        return Results(stages: results, rounds: rounds, peakIsPerRun: peakIsPerRun)
    }

    /// One full pass of `stage` over every file: (packets, flows).
    private func pass(_ stage: Stage) throws(Failure) -> (packets: Int, flows: Int?) {
        func fail(_ error: CaptureError) -> Failure {
            Failure(description: "\(error.description) (in the \(stage.id) stage; bench needs files that read to their end)")
        }
        switch stage {
        case .bareRead:
            var packets = 0
            for path in files {
                do { packets += try BareReadLoop.run(path: path).packets } catch { throw fail(error) }
            }
            return (packets, nil)
        case .read:
            var packets = 0, bytes = 0
            for path in files {
                do {
                    packets += try OfflineCapture(path: path).forEachPacket { bytes &+= $0.bytes.count }
                } catch { throw fail(error) }
            }
            return (packets, nil)
        case .decode:
            let decoder = PacketDecoder()
            var packet = DecodedPacket()
            var counters = DecodeCounters()
            for path in files {
                do {
                    try OfflineCapture(path: path).forEachPacket { p in
                        decoder.decode(p.bytes, linkType: LinkType(rawValue: p.linkType), originalLength: p.originalLength, into: &packet)
                        counters.record(packet, wireLength: p.originalLength)
                    }
                } catch { throw fail(error) }
            }
            return (counters.packets, nil)
        case .analyze:
            var pipeline = CapturePipeline()
            pipeline.readToEnd(CaptureFileSource(paths: files))
            pipeline.finish()
            if let error = pipeline.errors.first { throw fail(error) }
            return (pipeline.summary.packets, pipeline.summary.flows)
        case .audit:
            guard let profile else { return (0, nil) }
            var pipeline = CapturePipeline(audit: AuditAccumulator(profile: profile, nodes: []))
            pipeline.readToEnd(CaptureFileSource(paths: files))
            pipeline.finish()
            if let error = pipeline.errors.first { throw fail(error) }
            if let report = pipeline.auditReport(serviceTagFiles: serviceTagFiles) {
                do { _ = try ReportOutput.json(report).utf8.count } catch {
                    throw Failure(description: "the audit report could not be rendered as JSON: \(error)")
                }
            }
            return (pipeline.summary.packets, pipeline.summary.flows)
        }
    }

    /// The middle value; for an even count, the mean of the two middle ones.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
