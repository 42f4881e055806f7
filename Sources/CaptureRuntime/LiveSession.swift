import Dispatch
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import Synchronization

/// A live run: packets from a source through the pipeline until a duration
/// ends, a stop is requested (SIGINT, SIGTERM) or the source fails; on the
/// way, periodic report snapshots, metrics refreshes and profile reloads
/// (SIGHUP) without losing a flow, and a heartbeat each time the loop comes
/// round (`health`: what /healthz and /readyz answer). The CLI only builds one from its options
/// and renders what it hands back; tests drive one with a scripted source and
/// clock.
public final class LiveSession {
    public struct Schedule: Sendable {
        /// Stop after this long (nil: until stopped).
        public var duration: Double?
        /// Write a report snapshot this often (nil: never).
        public var snapshotEvery: Double?
        /// Refresh the metrics this often (nil: no metrics).
        public var metricsEvery: Double?

        public init(duration: Double? = nil, snapshotEvery: Double? = nil, metricsEvery: Double? = nil) {
            self.duration = duration
            self.snapshotEvery = snapshotEvery
            self.metricsEvery = metricsEvery
        }
    }

    /// How the run ended.
    public struct Outcome {
        /// Everything read, every flow folded: render its report.
        public let pipeline: CapturePipeline
        /// Set when the source failed mid-run (the report still covers what was read).
        public let failure: CaptureError?
        /// Inputs whose kernel or interface dropped packets (the report misses them).
        public let drops: [(input: String, kernel: Int, interface: Int)]
    }

    /// Set from signal handlers or other threads, read by the capture loop.
    private final class Requests: Sendable {
        let stop = Atomic<Bool>(false)
        let reload = Atomic<Bool>(false)
    }

    public let source: any PacketSource
    public let schedule: Schedule
    public private(set) var pipeline: CapturePipeline
    private let requests = Requests()
    /// Monotonic nanoseconds (tests pass their own clock).
    private let now: () -> UInt64
    /// Liveness and readiness for the probes, read from the metrics thread.
    public let health: LiveHealth

    /// A snapshot is due: the pipeline as `finish()` would leave it, with its sources recorded.
    public var onSnapshot: ((CapturePipeline) throws -> Void)?
    /// The metrics are due (also after each snapshot and at the end).
    public var onMetrics: ((MetricsSnapshot) -> Void)?
    /// With a profile, the audit so far, each time the metrics are refreshed (the metrics server's `/report`).
    public var onReport: ((AuditReport) -> Void)?
    /// A reload was asked for: the new profile, or an error (the old one stays).
    public var reloadProfile: (() throws -> CompiledProfile)?
    /// How reload notes name the profile (its file or built-in id).
    public var profileName = ""
    /// One line for the operator (reloads, their failures).
    public var notify: (String) -> Void = { _ in }
    /// Passed to every report: the capture filter in force.
    public var reportWarnings: [String] = []
    public var serviceTagFiles: [String] = []

    /// `health`: what the probes read (by default a stall is a minute without the loop coming round).
    public init(source: any PacketSource, pipeline: CapturePipeline, schedule: Schedule, health: LiveHealth? = nil,
                now: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.source = source
        self.pipeline = pipeline
        self.schedule = schedule
        self.now = now
        self.health = health ?? LiveHealth(stallAfterSeconds: 60, startedAt: now())
    }

    /// Ends the run soon; safe from any thread (signal handlers).
    public func requestStop() {
        requests.stop.store(true, ordering: .relaxed)
        source.interrupt()
    }

    /// Reloads the profile at the next wake-up; safe from any thread.
    public func requestReload() {
        requests.reload.store(true, ordering: .relaxed)
        source.interrupt()
    }

    /// SIGINT and SIGTERM stop, SIGHUP reloads, while the returned handlers live.
    public func handleSignals() -> [any DispatchSourceSignal] {
        var handlers: [any DispatchSourceSignal] = []
        for (sig, stop) in [(SIGINT, true), (SIGTERM, true), (SIGHUP, false)] {
            signal(sig, SIG_IGN)
            let handler = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            handler.setEventHandler { [weak self] in
                if stop { self?.requestStop() } else { self?.requestReload() }
            }
            handler.resume()
            handlers.append(handler)
        }
        return handlers
    }

    /// Runs until the end; returns the finished pipeline and how it ended.
    public func run() throws -> Outcome {
        let start = now()
        let deadline = schedule.duration.map { start + UInt64($0 * 1e9) }
        let snapshotPeriod = schedule.snapshotEvery.map { UInt64($0 * 1e9) }
        let metricsPeriod = schedule.metricsEvery.map { UInt64($0 * 1e9) }
        var nextSnapshot = snapshotPeriod.map { start + $0 }
        var nextMetrics = metricsPeriod.map { _ in start }
        var failure: CaptureError?
        let requests = self.requests, now = self.now, health = self.health
        func finished() -> Bool { requests.stop.load(ordering: .relaxed) || deadline.map { now() >= $0 } ?? false }
        func due(_ time: UInt64?) -> Bool { time.map { now() >= $0 } ?? false }

        health.beat(at: start)
        health.enter(.capturing)
        defer { health.enter(.stopping) }
        while !finished() {
            health.beat(at: now())
            do {
                // The source asks after every pass and every read timeout, busy or idle: the heartbeat.
                let state = try pipeline.read(from: source, shouldStop: {
                    let t = now()
                    health.beat(at: t)
                    return requests.stop.load(ordering: .relaxed) || deadline.map { t >= $0 } ?? false
                        || requests.reload.load(ordering: .relaxed) || nextSnapshot.map { t >= $0 } ?? false
                        || nextMetrics.map { t >= $0 } ?? false
                })
                if state == .ended { break }
            } catch {
                failure = error
                break
            }
            if requests.reload.exchange(false, ordering: .relaxed) { reload() }
            if finished() { break }
            if due(nextSnapshot), let at = nextSnapshot, let period = snapshotPeriod {
                // A snapshot: the report so far; the run goes on.
                let view = sourced(pipeline.snapshot())
                try onSnapshot?(view)
                nextSnapshot = at + period
                publishMetrics(view)
                nextMetrics = metricsPeriod.map { now() + $0 }
            } else if due(nextMetrics), let period = metricsPeriod {
                // Counters need no copy; the audit's gauges need the flows as a snapshot would end them.
                publishMetrics(pipeline.audit == nil ? pipeline : pipeline.snapshot())
                nextMetrics = now() + period
            }
        }
        health.enter(.stopping)
        // What the kernel already captured belongs in the report too.
        source.drain { input, captured in pipeline.add(captured, input: input) }
        var drops: [(String, Int, Int)] = []
        for (i, input) in source.inputs.enumerated() {
            if let d = source.drops(input: i), d.kernel > 0 || d.interface > 0 { drops.append((input, d.kernel, d.interface)) }
        }
        var final = sourced(pipeline)
        final.finish()
        pipeline = final
        publishMetrics(final)
        return Outcome(pipeline: final, failure: failure, drops: drops)
    }

    private func reload() {
        guard let reloadProfile, pipeline.audit != nil else { return }
        do {
            let profile = try reloadProfile()
            pipeline.audit?.reload(profile: profile, at: RFC3339.format(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)))
            notify("SIGHUP: profile \(profileName) and service tag files reloaded; flows ending from now on are judged by them")
        } catch {
            notify("SIGHUP: reload failed (\(error)); the previous profile stays in use")
        }
    }

    /// The pipeline with each input recorded as a source of the report.
    private func sourced(_ view: CapturePipeline) -> CapturePipeline {
        var view = view
        for i in source.inputs.indices { view.record(source: source.summary(input: i, delivered: view.delivered(input: i))) }
        return view
    }

    private func publishMetrics(_ view: CapturePipeline) {
        guard let onMetrics else { return }
        var snapshot = MetricsSnapshot(
            interfaces: source.inputs.enumerated().map { i, name in
                let drops = source.drops(input: i)
                let counts = view.delivered(input: i)
                return .init(name: name, packets: counts.packets, bytes: counts.bytes, kernelDrops: drops?.kernel,
                             interfaceDrops: drops?.interface)
            },
            malformedPackets: view.summary.malformed,
            flowEvictions: view.tracker.table.evictedIdle + view.tracker.table.evictedForCapacity,
            flows: view.summary.flows,
            timestampSeconds: Date().timeIntervalSince1970)
        if let audit = view.auditReport(serviceTagFiles: serviceTagFiles, warnings: reportWarnings) {
            snapshot.record(audit: audit)
            onReport?(audit)
        }
        onMetrics(snapshot)
    }
}
