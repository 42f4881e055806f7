import ArgumentParser
import CaptureRuntime
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire

/// `egress-audit live -i IFACE [-i IFACE…]`: the audit on a running node,
/// until a duration ends or SIGINT/SIGTERM arrives; the report is written then.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture on interfaces and report when stopped (SIGINT, SIGTERM) or after --duration.",
        discussion: """
        Needs CAP_NET_RAW alone (also with --promiscuous), not root: \
        `sudo setcap cap_net_raw+ep $(command -v egress-audit)`, or the container's \
        capabilities. Unless --capture-all, the kernel keeps only what the audit reads (handshakes, \
        DNS, first flights, UDP but QUIC short headers, ICMP, fragments): downloads are not captured, \
        so bytes received are partial. With a profile and no --node, the audited nodes are the \
        captured interfaces' own addresses. Exit status: 0 done (signal or --duration); 1 cannot \
        capture (missing capability, no such interface, bad filter, metrics port taken), bad profile, \
        or the capture failed mid-run (interface gone, read error: its report is still written); 3 \
        when --fail-on found one of its kinds.
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

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://[HOST:]PORT/metrics, and /healthz and /readyz for probes (a bare port is 127.0.0.1; a non-loopback address must be written out).", valueName: "[host:]port"))
    var metrics: String?

    @Option(help: ArgumentHelp("With --metrics: /healthz fails when the capture loop has not come round for this many seconds (it does every 0.2 s when idle).", valueName: "seconds"))
    var stallAfter: Double = 60

    @Option(help: ArgumentHelp("When started as root: after opening the interfaces, run as this user (its group, no supplementary groups).", valueName: "name"))
    var user: String?

    @Flag(help: "Promiscuous mode (a packet-socket membership: CAP_NET_RAW is enough).")
    var promiscuous = false

    @Option(help: ArgumentHelp("Kernel capture buffer in MiB, per interface.", valueName: "MiB"))
    var bufferMib: Int32 = 32

    @Option(help: ArgumentHelp("Read options from this YAML file (keys: the long option names; param as a mapping, repeatable options as lists, flags true/false); options on the command line win.", valueName: "file"))
    var config: String?

    @OptionGroup(title: "Audit against a profile")
    var policy: PolicyOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    /// How often the metrics endpoint's numbers are refreshed (also at each report snapshot).
    static let metricsPeriodSeconds = 2.0

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
        if !(stallAfter >= 1) { throw ValidationError("--stall-after must be at least 1 second") }
    }

    func run() throws {
        let missing = Capabilities.missingForLiveCapture(interfaces: interface)
        if !missing.isEmpty {
            Diagnostics.error(Capabilities.explanation(missing: missing, executable: CommandLine.arguments[0]))
            throw ExitCode(1)
        }
        let compiled = try policy.profile.map { _ in try policy.compile() }
        var options = LiveCapture.Options()
        options.promiscuous = promiscuous
        options.bufferBytes = bufferMib << 20
        let source: LiveInterfaceSource
        do {
            source = try LiveInterfaceSource(interfaces: interface, options: options, filter: filter, capturingAll: captureAll)
        } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        let health = LiveHealth(stallAfterSeconds: stallAfter, startedAt: DispatchTime.now().uptimeNanoseconds)
        var server: MetricsServer?
        if let metrics {
            do {
                let endpoint = try MetricsEndpoint(parsing: metrics)
                server = try MetricsServer(endpoint: endpoint, health: health)
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

        var pipeline = CapturePipeline(keepsFlows: report.flows, audit: compiled.map { report.accumulator(profile: $0, live: context) })
        let flowLog = try report.attachFlowLog(to: &pipeline)
        let session = LiveSession(source: source, pipeline: pipeline, schedule: .init(
            duration: duration, snapshotEvery: snapshotEvery, metricsEvery: server.map { _ in Self.metricsPeriodSeconds }), health: health)
        session.serviceTagFiles = policy.serviceTagFiles
        session.reportWarnings = [context.filterNote]
        session.notify = { Diagnostics.warning($0) }
        if let name = policy.profile {
            session.profileName = name
            session.reloadProfile = { try policy.compile() }
        }
        session.onSnapshot = { view in
            _ = try report.emit(view, serviceTagFiles: policy.serviceTagFiles, sources: context.sources, live: context)
            try? flowLog?.flush()
        }
        session.onMetrics = { server?.publish($0) }
        session.onReport = { server?.publish(report: $0) }
        let signals = session.handleSignals()
        defer { signals.forEach { $0.cancel() } }

        let filterText = captureAll ? filter.map { ", filter \"\($0)\"" } ?? ", every packet"
                                    : ", default audit filter" + (filter.map { " and \"\($0)\"" } ?? "")
        Diagnostics.info("capturing on \(source.described), buffer \(bufferMib) MiB\(filterText)"
                         + (server.map { ", metrics at http://\($0.endpoint)/metrics (probes: /healthz, /readyz\(policy.profile == nil ? "" : "; the audit so far: /report, /report.json"))" } ?? "")
                         + (duration.map { " for \($0) s" } ?? "; SIGINT or SIGTERM ends it and writes the report"))
        server?.start()
        defer { server?.stop() }
        let outcome = try session.run()
        if let failure = outcome.failure { Diagnostics.error("\(failure.description): the capture stopped; the report covers what was read") }
        for d in outcome.drops {
            Diagnostics.warning("\(d.input): \(d.kernel) packets dropped by the kernel, \(d.interface) by the interface: the report misses them (try a larger --buffer-mib or a --filter)")
        }
        try report.closeFlowLog(flowLog)
        let findings = try report.emit(outcome.pipeline, serviceTagFiles: policy.serviceTagFiles, sources: context.sources, live: context)
        // A capture that failed mid-run is a failure (a service manager restarts it), after its report is written.
        if outcome.failure != nil { throw ExitCode(1) }
        if findings { throw ExitCode(3) }
    }
}
