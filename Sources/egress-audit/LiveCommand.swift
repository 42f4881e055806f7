import ArgumentParser
import CaptureRuntime
import Dispatch
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire
import Synchronization

/// `egress-audit live -i IFACE [-i IFACE…]`: the audit on a running node,
/// until a duration ends or SIGINT/SIGTERM arrives; the report is written then.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture on interfaces and report when stopped (SIGINT, SIGTERM) or after --duration.",
        discussion: """
        Needs CAP_NET_RAW (and CAP_NET_ADMIN with --promiscuous), not root: \
        `sudo setcap cap_net_raw,cap_net_admin+eip $(command -v egress-audit)`, or the container's \
        capabilities. Unless --capture-all, the kernel keeps only what the audit reads (handshakes, \
        DNS, first flights, UDP but QUIC short headers, ICMP, fragments): downloads are not captured, \
        so bytes received are partial. With a profile and no --node, the audited nodes are the \
        captured interfaces' own addresses. Exit status: 0 done; 1 cannot capture (missing \
        capabilities, no such interface, bad filter, metrics port taken) or bad profile; 3 when \
        --fail-on found one of its kinds.
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("An interface to capture on (repeatable: -i eth0 -i eth1; `any` for all; `lo` for a quick try).", valueName: "iface"))
    var interface: [String]

    @Option(help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT or SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("A BPF filter (tcpdump syntax) narrowing what is captured: (default audit filter) and (expression).", valueName: "expression"))
    var filter: String?

    @Flag(help: "Capture every packet instead of the default audit filter (full byte counts, more load); --filter alone still applies.")
    var captureAll = false

    @Option(help: ArgumentHelp("Also write the report every this many seconds while capturing (needs --output; each write is atomic).", valueName: "seconds"))
    var snapshotEvery: Double?

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://[HOST:]PORT/metrics (a bare port is 127.0.0.1; a non-loopback address must be written out).", valueName: "[host:]port"))
    var metrics: String?

    @Option(help: ArgumentHelp("When started as root: after opening the interfaces, run as this user (its group, no supplementary groups).", valueName: "name"))
    var user: String?

    @Flag(help: "Promiscuous mode (needs CAP_NET_ADMIN).")
    var promiscuous = false

    @Option(help: ArgumentHelp("Kernel capture buffer in MiB, per interface.", valueName: "MiB"))
    var bufferMib: Int32 = 32

    @OptionGroup(title: "Audit against a profile")
    var policy: PolicyOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    /// How often the metrics endpoint's numbers are refreshed (also at each report snapshot).
    static let metricsPeriodNanoseconds: UInt64 = 2_000_000_000

    func validate() throws {
        try report.validate(hasProfile: policy.profile != nil)
        if interface.isEmpty { throw ValidationError("-i: name at least one interface") }
        var seen = Set<String>()
        for name in interface where !seen.insert(name).inserted {
            throw ValidationError("-i \(name) is given twice")
        }
        if interface.count > 1 && interface.contains("any") {
            throw ValidationError("-i any already captures every interface; give it alone")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if bufferMib < 1 || bufferMib > 2048 { throw ValidationError("--buffer-mib must be 1…2048") }
        if let snapshotEvery {
            if snapshotEvery <= 0 { throw ValidationError("--snapshot-every must be positive") }
            if report.output == nil { throw ValidationError("--snapshot-every needs --output: snapshots replace that file") }
        }
        if let metrics {
            do { _ = try MetricsEndpoint(parsing: metrics) } catch { throw ValidationError(error.description) }
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
        let compiled = try policy.profile.map { _ in try policy.compile() }
        var options = LiveCapture.Options()
        options.promiscuous = promiscuous
        options.bufferBytes = bufferMib << 20
        var captures: [LiveCapture] = []
        do {
            for name in interface {
                let capture = try LiveCapture(interface: name, options: options)
                // The operator's expression is judged on its own first: its error names it, not the default filter.
                if let filter, let why = capture.compileError(filter) {
                    Diagnostics.error("\(name): filter \"\(filter)\" does not compile: \(why)")
                    throw ExitCode(1)
                }
                if let effective = AuditCaptureFilter.effective(capturingAll: captureAll, narrowing: filter, linkType: capture.linkType) {
                    try capture.setFilter(effective)
                }
                captures.append(capture)
            }
        } catch let error as CaptureError {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        let group: LiveCaptureGroup
        do { group = try LiveCaptureGroup(captures) } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        var server: MetricsServer?
        if let metrics {
            do {
                let endpoint = try MetricsEndpoint(parsing: metrics)
                server = try MetricsServer(endpoint: endpoint)
                if !endpoint.isLoopback {
                    Diagnostics.warning("--metrics \(endpoint): serving the node's egress picture beyond loopback; restrict who can reach it")
                }
            } catch {
                Diagnostics.error("\(error)")
                throw ExitCode(1)
            }
        }
        let context = LiveReportContext(interfaces: interface, localAddresses: InterfaceAddresses.addresses(of: interface),
                                        narrowing: filter, capturingAll: captureAll)

        // The handles and the metrics socket are open: root is no longer needed for anything.
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
                group.interrupt()
            }
            source.resume()
            sources.append(source)
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        signal(SIGHUP, SIG_IGN)
        hangup.setEventHandler {
            stop.reload.store(true, ordering: .relaxed)
            group.interrupt()
        }
        hangup.resume()
        sources.append(hangup)
        defer { sources.forEach { $0.cancel() } }

        let described = captures.map { "\($0.interface) (\(LinkTypeNames.name($0.linkType)))" }.joined(separator: ", ")
        let filterText = captureAll ? filter.map { ", filter \"\($0)\"" } ?? ", every packet"
                                    : ", default audit filter" + (filter.map { " and \"\($0)\"" } ?? "")
        Diagnostics.info("capturing on \(described), buffer \(bufferMib) MiB\(filterText)"
                         + (server.map { ", metrics at http://\($0.endpoint)/metrics" } ?? "")
                         + (duration.map { " for \($0) s" } ?? "; SIGINT or SIGTERM ends it and writes the report"))
        let now = { DispatchTime.now().uptimeNanoseconds }
        let deadline = duration.map { now() + UInt64($0 * 1e9) }
        let period = snapshotEvery.map { UInt64($0 * 1e9) }
        var nextSnapshot = period.map { now() + $0 }
        var nextMetrics = server.map { _ in now() }
        var analyzer = CapturePipeline(keepsFlows: report.flows, audit: compiled.map { report.accumulator(profile: $0, live: context) })
        let flowLog = try report.attachFlowLog(to: &analyzer)
        var counts = [Counts](repeating: Counts(), count: captures.count)
        func take(_ index: Int, _ captured: CapturedPacket) {
            counts[index].add(captured)
            analyzer.add(captured)
        }
        func finished() -> Bool { stop.requested.load(ordering: .relaxed) || deadline.map { now() >= $0 } ?? false }
        func due(_ time: UInt64?) -> Bool { time.map { now() >= $0 } ?? false }
        func sourced(_ view: inout CapturePipeline) {
            for (i, capture) in captures.enumerated() { view.record(source: source(capture, options, counts[i])) }
        }
        func publishMetrics(_ view: CapturePipeline) {
            guard let server else { return }
            var snapshot = MetricsSnapshot(
                interfaces: captures.enumerated().map { i, capture in
                    let stats = capture.statistics()
                    return .init(name: capture.interface, packets: counts[i].packets, bytes: counts[i].bytes,
                                 kernelDrops: stats.map { Int($0.dropped) }, interfaceDrops: stats.map { Int($0.interfaceDropped) })
                },
                malformedPackets: view.summary.malformed,
                flowEvictions: view.tracker.table.evictedIdle + view.tracker.table.evictedForCapacity,
                flows: view.summary.flows,
                timestampSeconds: Date().timeIntervalSince1970)
            if let audit = view.auditReport(serviceTagFiles: policy.serviceTagFiles, warnings: [context.filterNote]) {
                snapshot.record(audit: audit)
            }
            server.publish(snapshot)
        }
        server?.start()
        defer { server?.stop() }
        while !finished() {
            do {
                try group.forEachPacket(shouldStop: {
                    finished() || stop.reload.load(ordering: .relaxed) || due(nextSnapshot) || due(nextMetrics)
                }, take)
            } catch {
                Diagnostics.error(error.description)
                break
            }
            if stop.reload.exchange(false, ordering: .relaxed), policy.profile != nil {
                // The flows stay; only the rules they are judged by change.
                do {
                    let reloaded = try policy.compile()
                    analyzer.audit?.reload(profile: reloaded, at: RFC3339.format(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)))
                    Diagnostics.warning("SIGHUP: profile \(policy.profile ?? "") and service tag files reloaded")
                } catch {
                    Diagnostics.warning("SIGHUP: reload failed; the previous profile stays in use")
                }
            }
            if finished() { break }
            if due(nextSnapshot), let at = nextSnapshot, let period {
                // A snapshot: the report so far, the run goes on.
                var view = analyzer.snapshot()
                sourced(&view)
                _ = try report.emit(view, serviceTagFiles: policy.serviceTagFiles, sources: context.sources, live: context)
                nextSnapshot = at + period
                publishMetrics(view)
                nextMetrics = nextMetrics.map { _ in now() + Self.metricsPeriodNanoseconds }
            } else if due(nextMetrics) {
                // Counters need no copy; the audit's gauges need the flows as a snapshot would end them.
                publishMetrics(analyzer.audit == nil ? analyzer : analyzer.snapshot())
                nextMetrics = now() + Self.metricsPeriodNanoseconds
            }
        }
        // What the kernel already captured belongs in the report too.
        group.drain(take)
        sourced(&analyzer)
        for capture in captures {
            if let stats = capture.statistics(), stats.dropped > 0 || stats.interfaceDropped > 0 {
                Diagnostics.warning("\(capture.interface): \(stats.dropped) packets dropped by the kernel, \(stats.interfaceDropped) by the interface: the report misses them (try a larger --buffer-mib or a --filter)")
            }
        }
        analyzer.finish()
        try report.closeFlowLog(flowLog)
        publishMetrics(analyzer)
        let findings = try report.emit(analyzer, serviceTagFiles: policy.serviceTagFiles, sources: context.sources, live: context)
        if findings { throw ExitCode(3) }
    }

    /// What one interface delivered.
    struct Counts {
        var packets = 0, bytes = 0
        var first: Int64?, last: Int64?
        mutating func add(_ captured: CapturedPacket) {
            packets += 1
            bytes += captured.originalLength
            if first == nil { first = captured.timestampNanoseconds }
            last = captured.timestampNanoseconds
        }
    }

    /// One interface as a source of the report, with the kernel's drop counters.
    func source(_ capture: LiveCapture, _ options: LiveCapture.Options, _ counts: Counts) -> FileSummary {
        let stats = capture.statistics()
        return .liveInterface(
            capture.interface, linkType: capture.linkType, linkTypeName: LinkTypeNames.name(capture.linkType),
            snapshotLength: Int(options.snapshotLength), packets: counts.packets, bytes: counts.bytes, first: counts.first, last: counts.last,
            kernelDrops: stats.map { Int($0.dropped) }, interfaceDrops: stats.map { Int($0.interfaceDropped) },
            captureFilter: capture.filter)
    }
}
