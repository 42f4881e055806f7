import EgressAudit
import PacketCapture
import PacketWire

/// Live interfaces as a packet source: the group of libpcap handles, each with
/// the capture filter in force, read by one thread (`LiveCaptureGroup`).
public final class LiveInterfaceSource: PacketSource {
    public let group: LiveCaptureGroup
    public let options: LiveCapture.Options

    /// Opens every interface, compiles the operator's `--filter` on its own
    /// first (its error names it, not the default filter), then sets the filter
    /// in force (the default audit filter unless `capturingAll`, narrowed by `filter`).
    public init(interfaces: [String], options: LiveCapture.Options, filter: String?, capturingAll: Bool) throws(CaptureError) {
        var captures: [LiveCapture] = []
        for name in interfaces {
            let capture = try LiveCapture(interface: name, options: options)
            if filter != nil, capture.linkType == LinkType.nflog.rawValue {
                throw CaptureError(source: name, problem: .liveOpenFailed(
                    "--filter cannot apply to an NFLOG group: choose the packets in the nftables/iptables rule that logs to it"))
            }
            if let filter, let why = capture.compileError(filter) {
                throw CaptureError(source: name, problem: .liveOpenFailed("filter \"\(filter)\" does not compile: \(why)"))
            }
            if let effective = AuditCaptureFilter.effective(capturingAll: capturingAll, narrowing: filter, linkType: capture.linkType) {
                try capture.setFilter(effective)
            }
            captures.append(capture)
        }
        group = try LiveCaptureGroup(captures)
        self.options = options
    }

    public var inputs: [String] { group.captures.map(\.interface) }

    public func forEachPacket(shouldStop: () -> Bool, _ body: (Int, CapturedPacket) -> Void) throws(CaptureError) -> PacketSourceState {
        try group.forEachPacket(shouldStop: shouldStop, body)
        return .more
    }

    public func drain(_ body: (Int, CapturedPacket) -> Void) { group.drain(body) }
    public func interrupt() { group.interrupt() }

    public func summary(input index: Int, delivered c: InputCounts) -> FileSummary {
        let capture = group.captures[index]
        let stats = capture.statistics()
        return .liveInterface(
            capture.interface, linkType: capture.linkType, linkTypeName: LinkType(rawValue: capture.linkType).name,
            snapshotLength: Int(options.snapshotLength), packets: c.packets, bytes: c.bytes, first: c.first, last: c.last,
            kernelDrops: stats.map { Int($0.dropped) }, interfaceDrops: stats.map { Int($0.interfaceDropped) }, captureFilter: capture.filter)
    }

    public func drops(input index: Int) -> (kernel: Int, interface: Int)? {
        group.captures[index].statistics().map { (Int($0.dropped), Int($0.interfaceDropped)) }
    }

    /// Each interface with its link type, for the start-up line.
    public var described: String {
        group.captures.map { "\($0.interface) (\(LinkType(rawValue: $0.linkType).name))" }.joined(separator: ", ")
    }
}
