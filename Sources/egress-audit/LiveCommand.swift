import ArgumentParser
import Dispatch
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire
import Synchronization

/// `egress-audit live -i IFACE`: the audit on a running node, until a
/// duration ends or SIGINT/SIGTERM arrives; the report is written then.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture on an interface and report when stopped (SIGINT, SIGTERM) or after --duration.",
        discussion: """
        Needs CAP_NET_RAW (and CAP_NET_ADMIN with --promiscuous), not root: \
        `sudo setcap cap_net_raw,cap_net_admin+eip $(command -v egress-audit)`, or the container's \
        capabilities. Exit status: 0 done; 1 cannot capture (missing capabilities, no such \
        interface, bad filter) or bad profile; 3 when --fail-on found one of its kinds.
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The interface to capture on (`any` for all; `lo` for a quick try).", valueName: "iface"))
    var interface: String

    @Option(help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT or SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("A BPF filter (tcpdump syntax) narrowing what is captured.", valueName: "expression"))
    var filter: String?

    @Option(help: ArgumentHelp("Also write the report every this many seconds while capturing (needs --output; each write is atomic).", valueName: "seconds"))
    var snapshotEvery: Double?

    @Option(help: ArgumentHelp("When started as root: after opening the interface, run as this user (its group, no supplementary groups).", valueName: "name"))
    var user: String?

    @Flag(help: "Promiscuous mode (needs CAP_NET_ADMIN).")
    var promiscuous = false

    @Option(help: ArgumentHelp("Kernel capture buffer in MiB.", valueName: "MiB"))
    var bufferMib: Int32 = 32

    @OptionGroup(title: "Audit against a profile")
    var policy: PolicyOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    func validate() throws {
        try report.validate(hasProfile: policy.profile != nil)
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if bufferMib < 1 || bufferMib > 2048 { throw ValidationError("--buffer-mib must be 1…2048") }
        if let snapshotEvery {
            if snapshotEvery <= 0 { throw ValidationError("--snapshot-every must be positive") }
            if report.output == nil { throw ValidationError("--snapshot-every needs --output: snapshots replace that file") }
        }
    }

    /// Set by the signal handlers, read by the capture loop.
    final class StopRequest: Sendable {
        let requested = Atomic<Bool>(false)
        /// SIGHUP: reload the profile and tag files at the next wake-up.
        let reload = Atomic<Bool>(false)
    }

    func run() throws {
        let missing = Capabilities.missingForLiveCapture(promiscuous: promiscuous)
        if !missing.isEmpty {
            Diagnostics.error(Capabilities.explanation(missing: missing, executable: CommandLine.arguments[0]))
            throw ExitCode(1)
        }
        var compiled = try policy.profile.map { _ in try policy.compile() }
        var options = LiveCapture.Options()
        options.promiscuous = promiscuous
        options.filter = filter
        options.bufferBytes = bufferMib << 20
        let capture: LiveCapture
        do {
            capture = try LiveCapture(interface: interface, options: options)
        } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }

        // The handle is open: root is no longer needed for anything.
        if let user {
            do { try Privileges.drop(to: user) } catch {
                Diagnostics.error("--user \(user): \(error)")
                throw ExitCode(1)
            }
        }

        // SIGINT/SIGTERM end the capture; the report is still written.
        let stop = StopRequest()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                stop.requested.store(true, ordering: .relaxed)
                capture.breakLoop()
            }
            source.resume()
            sources.append(source)
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        signal(SIGHUP, SIG_IGN)
        hangup.setEventHandler {
            stop.reload.store(true, ordering: .relaxed)
            capture.breakLoop()
        }
        hangup.resume()
        sources.append(hangup)
        defer { sources.forEach { $0.cancel() } }

        Diagnostics.info("capturing on \(interface) (\(LinkTypeNames.name(capture.linkType)), buffer \(bufferMib) MiB\(filter.map { ", filter \"\($0)\"" } ?? ""))"
                         + (duration.map { " for \($0) s" } ?? "; SIGINT or SIGTERM ends it and writes the report"))
        let now = { DispatchTime.now().uptimeNanoseconds }
        let deadline = duration.map { now() + UInt64($0 * 1e9) }
        let period = snapshotEvery.map { UInt64($0 * 1e9) }
        var nextSnapshot = period.map { now() + $0 }
        var analyzer = CaptureAnalyzer(keepsFlows: report.flows || compiled != nil)
        var packet = DecodedPacket()
        var bytes = 0, first: Int64?, last: Int64?
        var count = 0
        func take(_ captured: CapturedPacket) {
            if first == nil { first = captured.timestampNanoseconds }
            last = captured.timestampNanoseconds
            bytes += captured.originalLength
            analyzer.add(captured, reusing: &packet)
        }
        func finished() -> Bool { stop.requested.load(ordering: .relaxed) || deadline.map { now() >= $0 } ?? false }
        while !finished() {
            do {
                count += try capture.forEachPacket(shouldStop: {
                    finished() || stop.reload.load(ordering: .relaxed) || nextSnapshot.map { now() >= $0 } ?? false
                }, take)
            } catch {
                Diagnostics.error(error.description)
                break
            }
            if stop.reload.exchange(false, ordering: .relaxed), policy.profile != nil {
                // The flows stay; only the rules they are judged by change.
                do {
                    compiled = try policy.compile()
                    Diagnostics.warning("SIGHUP: profile \(policy.profile ?? "") and service tag files reloaded")
                } catch {
                    Diagnostics.warning("SIGHUP: reload failed; the previous profile stays in use")
                }
            }
            if let due = nextSnapshot, now() >= due, let period, !finished() {
                // A snapshot: the report so far, the run goes on.
                var view = analyzer.snapshot()
                view.record(source: source(capture, options, count, bytes, first, last))
                _ = try report.emit(view, profile: compiled, serviceTagFiles: policy.serviceTagFiles, sources: "live capture on \(interface)")
                nextSnapshot = due + period
            }
        }
        // What the kernel already captured belongs in the report too.
        count += capture.drain(take)
        let stats = capture.statistics()
        analyzer.record(source: source(capture, options, count, bytes, first, last))
        if let stats, stats.dropped > 0 || stats.interfaceDropped > 0 {
            Diagnostics.warning("\(interface): \(stats.dropped) packets dropped by the kernel, \(stats.interfaceDropped) by the interface: the report misses them (try a larger --buffer-mib or a --filter)")
        }
        analyzer.finish()
        let findings = try report.emit(analyzer, profile: compiled, serviceTagFiles: policy.serviceTagFiles, sources: "live capture on \(interface)")
        if findings { throw ExitCode(3) }
    }

    /// The interface as a source of the report, with the kernel's drop counters.
    func source(_ capture: LiveCapture, _ options: LiveCapture.Options, _ packets: Int, _ bytes: Int, _ first: Int64?, _ last: Int64?) -> FileSummary {
        let stats = capture.statistics()
        return .liveInterface(
            interface, linkType: capture.linkType, linkTypeName: LinkTypeNames.name(capture.linkType),
            snapshotLength: Int(options.snapshotLength), packets: packets, bytes: bytes, first: first, last: last,
            kernelDrops: stats.map { Int($0.dropped) }, interfaceDrops: stats.map { Int($0.interfaceDropped) })
    }
}
