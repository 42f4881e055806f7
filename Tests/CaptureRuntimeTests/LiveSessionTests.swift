import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire
import TestSupport
import Testing
@testable import CaptureRuntime

/// A live session driven without an interface: a scripted source hands over a
/// bundled capture's packets a batch per call while a scripted clock moves,
/// so stops, snapshots, metrics, reloads and failures happen at known points.
/// What the session gathers is held against the offline analysis of the same
/// file (the file path, not the session's).
@Suite struct LiveSessionTests {
    static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures/gateway-egress.pcap").path

    /// The clock the session reads: moved by the source.
    final class Clock: @unchecked Sendable {
        var nanoseconds: UInt64 = 1_000_000_000
    }

    final class ScriptedSource: PacketSource {
        let packets: [(bytes: [UInt8], timestamp: Int64, length: Int, linkType: Int32)]
        let batch: Int
        let secondsPerBatch: Double
        let clock: Clock
        var failAfter: Int?
        var position = 0
        var drained = 0
        var onBatch: ((Int) -> Void)?

        init(path: String, batch: Int, secondsPerBatch: Double, clock: Clock) throws {
            var packets: [(bytes: [UInt8], timestamp: Int64, length: Int, linkType: Int32)] = []
            try OfflineCapture(path: path).forEachPacket { p in
                packets.append((p.bytes.withUnsafeBytes { Array($0) }, p.timestampNanoseconds, p.originalLength, p.linkType))
            }
            self.packets = packets
            self.batch = batch
            self.secondsPerBatch = secondsPerBatch
            self.clock = clock
        }

        var inputs: [String] { ["scripted0"] }

        func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> PacketSourceState {
            while !shouldStop() {
                if position >= packets.count { return .ended }
                for _ in 0..<batch where position < packets.count {
                    if let failAfter, position >= failAfter {
                        throw CaptureError(source: "scripted0", problem: .readFailed("The interface disappeared"))
                    }
                    deliver(position, body)
                    position += 1
                }
                clock.nanoseconds += UInt64(secondsPerBatch * 1e9)
                onBatch?(position)
            }
            return .more
        }

        private func deliver(_ i: Int, _ body: (Int, CapturedPacket) -> Void) {
            let p = packets[i]
            p.bytes.withUnsafeBytes { raw in
                body(0, CapturedPacket(timestampNanoseconds: p.timestamp, bytes: ByteView(raw), originalLength: p.length, linkType: p.linkType))
            }
        }

        func drain(_ body: (Int, CapturedPacket) -> Void) {
            // The kernel's last block: two more packets, if there are any.
            for _ in 0..<2 where position < packets.count {
                deliver(position, body)
                position += 1
                drained += 1
            }
        }

        func interrupt() {}

        func summary(input index: Int, delivered c: InputCounts) -> FileSummary {
            FileSummary(path: inputs[index], format: "live", packets: c.packets, bytes: c.bytes)
        }

        func drops(input index: Int) -> (kernel: Int, interface: Int)? { (0, 0) }
    }

    static func profile(_ yaml: String = AuditTestProfile.yaml) throws -> CompiledProfile {
        CompiledProfile(try ProfileLoader.load(text: yaml, file: "session.yaml").expand(),
                        catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
    }

    static let nodes = [CIDR("10.1.0.0/24")!, CIDR("fd00:1::/64")!]

    static func session(batch: Int = 10, secondsPerBatch: Double = 0.25, schedule: LiveSession.Schedule) throws
        -> (LiveSession, ScriptedSource, Clock)
    {
        let clock = Clock()
        let source = try ScriptedSource(path: capture, batch: batch, secondsPerBatch: secondsPerBatch, clock: clock)
        let pipeline = CapturePipeline(audit: AuditAccumulator(profile: try profile(), nodes: nodes))
        return (LiveSession(source: source, pipeline: pipeline, schedule: schedule, now: { clock.nanoseconds }), source, clock)
    }

    /// The offline audit of the same file, through `read(path:)`.
    static func offlineReport() throws -> AuditReport {
        var offline = CapturePipeline(audit: AuditAccumulator(profile: try profile(), nodes: nodes))
        offline.read(path: capture)
        offline.finish()
        return try #require(offline.auditReport(serviceTagFiles: []))
    }

    @Test func aRunToTheSourcesEndGathersWhatTheOfflineAnalysisDoes() throws {
        let (session, source, _) = try Self.session(schedule: .init())
        let outcome = try session.run()
        #expect(outcome.failure == nil)
        let live = try #require(outcome.pipeline.auditReport(serviceTagFiles: []))
        let offline = try Self.offlineReport()
        #expect(live.capture.packets == source.packets.count)
        #expect(live.capture.packets == offline.capture.packets)
        #expect(live.findings == offline.findings)
        #expect(live.requiredRules == offline.requiredRules)
        #expect(live.undocumented == offline.undocumented)
        #expect(outcome.pipeline.files.map(\.path) == ["scripted0"])
        #expect(outcome.pipeline.files.first?.packets == source.packets.count)
    }

    @Test func snapshotsComeOnScheduleWhileTheRunGoesOn() throws {
        // 10 packets per 0.25 s: a snapshot each second is one every 40 packets.
        let (session, source, _) = try Self.session(schedule: .init(snapshotEvery: 1))
        var seen: [Int] = []
        session.onSnapshot = { view in
            seen.append(view.summary.packets)
            // A snapshot is the report so far: its flows are folded, the session's are not ended.
            #expect(view.auditReport(serviceTagFiles: []) != nil)
        }
        let outcome = try session.run()
        let expected = (source.packets.count - 1) / 40
        #expect(seen.count == expected, "\(seen)")
        #expect(seen == seen.sorted() && Set(seen).count == seen.count)
        #expect(seen.allSatisfy { $0 % 40 == 0 && $0 < source.packets.count })
        #expect(outcome.pipeline.summary.packets == source.packets.count)
    }

    @Test func aDurationOrAStopEndsTheRunAndTheKernelsLastPacketsAreKept() throws {
        let (timed, timedSource, _) = try Self.session(schedule: .init(duration: 1))
        let t = try timed.run()
        // 1 s is four batches of 10, then the drain hands over 2 more.
        #expect(timedSource.drained == 2)
        #expect(t.pipeline.summary.packets == 42)

        let (stopped, stoppedSource, _) = try Self.session(schedule: .init())
        stoppedSource.onBatch = { [weak stopped] position in if position == 60 { stopped?.requestStop() } }
        let s = try stopped.run()
        #expect(s.pipeline.summary.packets == 62)
        #expect(s.failure == nil)
    }

    @Test func aSourceThatFailsEndsTheRunWithItsErrorAndKeepsWhatWasRead() throws {
        let (session, source, _) = try Self.session(schedule: .init())
        source.failAfter = 35
        let outcome = try session.run()
        #expect(outcome.failure?.description.contains("The interface disappeared") == true)
        #expect(outcome.pipeline.summary.packets == 35 + source.drained)
    }

    @Test func metricsAreRefreshedOnScheduleAndAtTheEnd() throws {
        let (session, source, _) = try Self.session(schedule: .init(metricsEvery: 2))
        var snapshots: [MetricsSnapshot] = []
        session.onMetrics = { snapshots.append($0) }
        _ = try session.run()
        // At the start, every 2 s (80 packets), and at the end.
        let batches = (source.packets.count + 9) / 10
        #expect(snapshots.count == 1 + (batches - 1) / 8 + 1, "\(snapshots.count) for \(batches) batches")
        #expect(snapshots.last?.interfaces.first?.packets == source.packets.count)
        #expect(snapshots.last?.requiredRulesByStatus.isEmpty == false, "the audit's gauges are there")
        #expect(snapshots.map { $0.interfaces.first?.packets ?? -1 } == snapshots.map { $0.interfaces.first?.packets ?? -1 }.sorted())
    }

    @Test func aReloadJudgesLaterFlowsByTheNewProfileAndLosesNone() throws {
        let (session, source, _) = try Self.session(schedule: .init())
        // The new profile also documents GitHub's API: flows ending after the reload are allowed by it.
        let extended = AuditTestProfile.yaml + """

              - {id: github, direction: outbound, destinations: [{fqdn: api.github.com}], ports: 443, transport: tcp, required: true, purpose: added on reload, source: {document: test}}
            """
        let reloaded = try Self.profile(extended)
        session.reloadProfile = { reloaded }
        var notes: [String] = []
        session.notify = { notes.append($0) }
        source.onBatch = { [weak session] position in if position == 10 { session?.requestReload() } }
        let outcome = try session.run()
        let r = try #require(outcome.pipeline.auditReport(serviceTagFiles: []))
        #expect(notes.count == 1 && notes[0].hasPrefix("SIGHUP: profile  and service tag files reloaded"), "\(notes)")
        #expect(r.warnings.contains { $0.hasPrefix("profile reloaded at") })
        #expect(r.allowed.contains { $0.destination == "api.github.com" && $0.rules == ["github"] })
        #expect(!r.undocumented.contains { $0.destination == "api.github.com" })
        // No flow lost: every flow the capture holds is in the totals.
        #expect(r.flowTotals.outbound + r.flowTotals.inbound + r.flowTotals.notAudited == r.capture.flows)
        // The rules of the first profile keep their evidence under their new numbers.
        #expect(r.requiredRules.first { $0.rule == "entra" }?.status == "satisfied")
    }

    /// Liveness is the loop coming round: while the source keeps asking
    /// `shouldStop` (every pass, every idle read timeout) the heartbeat stays
    /// fresh; a loop held up inside one pass (here: 90 scripted seconds inside a
    /// batch) fails liveness, and the next pass mends it. Readiness holds only
    /// while capturing.
    @Test func aStalledLoopFailsLivenessAndTheNextPassMendsIt() throws {
        let clock = Clock()
        let source = try ScriptedSource(path: Self.capture, batch: 10, secondsPerBatch: 0.25, clock: clock)
        let health = LiveHealth(stallAfterSeconds: 30, startedAt: clock.nanoseconds)
        let session = LiveSession(source: source, pipeline: CapturePipeline(), schedule: .init(), health: health,
                                  now: { clock.nanoseconds })
        #expect(health.readiness() == .init(ok: false, text: "not ready: starting"))
        var seen: [Int: (live: LiveHealth.Answer, ready: LiveHealth.Answer)] = [:]
        source.onBatch = { position in
            // Inside a pass, before the loop asks again: the clock is what the probe reads.
            if position == 50 { clock.nanoseconds += 90_000_000_000 }
            if [40, 50, 60].contains(position) { seen[position] = (health.liveness(at: clock.nanoseconds), health.readiness()) }
        }
        _ = try session.run()
        #expect(seen[40]?.live.ok == true && seen[40]?.ready.ok == true, "\(String(describing: seen[40]))")
        #expect(seen[50]?.live == .init(ok: false, text: "stalled: the capture loop made no progress for 90.3 s (limit 30.0 s)"))
        #expect(seen[60]?.live.ok == true, "the pass after the stall beat again: \(String(describing: seen[60]))")
        #expect(health.readiness() == .init(ok: false, text: "not ready: the capture ended; writing the final report"))
    }
}
