import FlowEngine
import PacketWire

/// What was read from one capture file.
public struct FileSummary: Codable, Sendable, Equatable {
    public var path: String
    public var format: String?
    public var byteOrder: String?
    public var timestampPrecision: String?
    public var gzip: Bool?
    public var linkType: Int?
    public var linkTypeName: String?
    public var snapshotLength: Int?
    public var packets: Int
    public var bytes: Int
    /// First and last packet (or log record) time, RFC 3339 UTC with nanoseconds.
    public var firstPacket: String?
    public var lastPacket: String?
    /// Set when the file could not be opened or read to its end.
    public var error: String?
    /// Live capture only: packets the kernel dropped (ring full) and the interface dropped.
    public var kernelDrops: Int?
    public var interfaceDrops: Int?
    /// Live capture only: the BPF filter in force (nil: every packet was captured).
    public var captureFilter: String?
    /// Logs only (format `azure-firewall` or `flow-log`): records read, records
    /// (or flow tuples) that did not parse, records of kinds the audit does not use,
    /// and the first unparsed ones as `FILE:LINE: expected …`.
    public var records: Int?
    public var rejectedRecords: Int?
    public var skippedRecords: Int?
    public var rejections: [String]?

    public init(path: String, format: String? = nil, byteOrder: String? = nil, timestampPrecision: String? = nil, gzip: Bool? = nil,
                linkType: Int? = nil, linkTypeName: String? = nil, snapshotLength: Int? = nil, packets: Int, bytes: Int,
                error: String? = nil) {
        self.path = path; self.format = format; self.byteOrder = byteOrder; self.timestampPrecision = timestampPrecision
        self.gzip = gzip; self.linkType = linkType; self.linkTypeName = linkTypeName; self.snapshotLength = snapshotLength
        self.packets = packets; self.bytes = bytes; self.error = error
    }

    /// A live interface as a source of the report.
    public static func liveInterface(_ name: String, linkType: Int32, linkTypeName: String, snapshotLength: Int, packets: Int, bytes: Int,
                                     first: Int64?, last: Int64?, kernelDrops: Int?, interfaceDrops: Int?,
                                     captureFilter: String? = nil) -> FileSummary {
        var s = FileSummary(path: name, format: "live", byteOrder: nil, timestampPrecision: "nanosecond", gzip: nil,
                            linkType: Int(linkType), linkTypeName: linkTypeName, snapshotLength: snapshotLength, packets: packets, bytes: bytes)
        s.firstPacket = first.map { RFC3339.format(nanoseconds: $0) }
        s.lastPacket = last.map { RFC3339.format(nanoseconds: $0) }
        s.kernelDrops = kernelDrops
        s.interfaceDrops = interfaceDrops
        s.captureFilter = captureFilter
        return s
    }
}

/// Totals over every file of a run: the decoder's view of the traffic.
public struct CaptureSummary: Codable, Sendable, Equatable {
    public var files: Int
    public var packets: Int
    public var bytes: Int
    public var linkTypes: [String: Int]
    public var decoded: Int
    public var notDecoded: Int
    /// Reason name → packets ("arp", "later-fragment", …).
    public var notDecodedReasons: [String: Int]
    public var malformed: Int
    /// "layer: reason" → packets ("ipv4: header-length-too-small", …).
    public var malformedReasons: [String: Int]
    /// Frames the capture cut short (snaplen: captured < original length).
    public var truncated: Int
    public var ipv4: Int
    public var ipv6: Int
    public var tcp: Int
    public var udp: Int
    public var icmp: Int
    public var icmpv6: Int
    public var otherTransport: Int
    public var firstFragments: Int
    public var laterFragments: Int
    /// IP reassembly: datagrams rebuilt from fragments, and the fragments in them.
    public var reassembledDatagrams: Int
    public var reassembledFragments: Int
    /// Fragments still waiting at the end of the run (their datagram never completed).
    public var fragmentsHeld: Int
    /// Datagrams dropped: larger than the reassembly cap, idle past the timeout,
    /// or evicted to make room; and the fragments discarded with them.
    public var fragmentDatagramsOversize: Int
    public var fragmentDatagramsTimedOut: Int
    public var fragmentDatagramsEvicted: Int
    public var fragmentsDropped: Int
    public var vlanTagged: Int
    public var tunneled: Int
    /// Bidirectional TCP/UDP 5-tuples (flows).
    public var flows: Int
    public var tcpFlows: Int
    public var udpFlows: Int
    /// Destination ports of TCP SYNs without ACK: the connections attempted.
    public var synDestinationPorts: [Int]
    /// What the flow engine's caps turned away (absent when nothing was): memory stays bounded
    /// under floods, and the report says what that cost.
    public var capsReached: EngineCapsReached?
    /// Set when logs were read: their records, those that did not parse, and a
    /// sample of the latter with file and line (the logs' "decode issues").
    public var logRecords: Int?
    public var logRecordsRejected: Int?
    public var logRejections: [String]?

    /// At most this many unparsed log records are quoted (`logRejections`).
    public static let logRejectionSample = 20

    /// The totals with the log files of `files` counted in.
    public func addingLogs(_ files: [FileSummary]) -> CaptureSummary {
        var s = self
        for f in files {
            guard let records = f.records else { continue }
            s.logRecords = (s.logRecords ?? 0) + records
            s.logRecordsRejected = (s.logRecordsRejected ?? 0) + (f.rejectedRecords ?? 0)
            let room = Self.logRejectionSample - (s.logRejections?.count ?? 0)
            if room > 0, let quoted = f.rejections, !quoted.isEmpty { s.logRejections = (s.logRejections ?? []) + quoted.prefix(room) }
        }
        return s
    }

    public init(counters: DecodeCounters, files: Int, truncatedFrames: Int, flows: (total: Int, tcp: Int, udp: Int), synPorts: [Int],
         fragments: IPFragmentCounters = IPFragmentCounters(), caps: EngineCapsReached? = nil) {
        capsReached = caps.flatMap { $0.isEmpty ? nil : $0 }
        self.files = files
        packets = counters.packets
        bytes = counters.bytes
        var links: [String: Int] = [:]
        for (type, n) in counters.linkTypeBreakdown { links[type?.name ?? "other", default: 0] += n }
        linkTypes = links
        decoded = counters.decoded
        notDecoded = counters.notDecoded
        var reasons = Dictionary(uniqueKeysWithValues: counters.notDecodedBreakdown.map { ($0.reason.name, $0.count) })
        // Packets of a link type the decoder does not read say which one (a file of one is still read).
        for (type, n) in counters.linkTypeBreakdown where !(type?.isSupported ?? false) {
            let key = NotDecodedReason.unsupportedLinkType.name
            reasons[key, default: 0] -= n
            if reasons[key]! <= 0 { reasons[key] = nil }
            reasons["\(key) \(type.map { "\($0.rawValue) (\($0.name))" } ?? "(other)")", default: 0] += n
        }
        notDecodedReasons = reasons
        malformed = counters.malformed
        malformedReasons = Dictionary(uniqueKeysWithValues: counters.malformedBreakdown.map { ("\($0.layer.name): \($0.reason.name)", $0.count) })
        truncated = truncatedFrames
        ipv4 = counters.ipv4
        ipv6 = counters.ipv6
        tcp = counters.tcp
        udp = counters.udp
        icmp = counters.icmp
        icmpv6 = counters.icmpv6
        otherTransport = counters.otherTransport
        firstFragments = counters.firstFragments
        laterFragments = counters.laterFragments
        reassembledDatagrams = fragments.datagramsReassembled
        reassembledFragments = fragments.fragmentsReassembled
        fragmentsHeld = fragments.fragmentsHeld
        fragmentDatagramsOversize = fragments.droppedOversize
        fragmentDatagramsTimedOut = fragments.droppedTimeout
        fragmentDatagramsEvicted = fragments.droppedCapacity
        fragmentsDropped = fragments.fragmentsDropped
        vlanTagged = counters.vlanTagged
        tunneled = counters.tunneled
        self.flows = flows.total
        tcpFlows = flows.tcp
        udpFlows = flows.udp
        synDestinationPorts = synPorts
    }
}

/// The flow engine's caps that turned something away in a run, each with how much (FlowEngineLimits).
public struct EngineCapsReached: Codable, Sendable, Equatable {
    /// Flows evicted while still active because the flow table was full (`maxFlows`).
    public var flowsEvictedForRoom = 0
    /// Names not interned: the name table was full (`maxNames`).
    public var namesRefused = 0
    /// DNS answers evicted from the answer cache to make room (`maxDNSAnswers`).
    public var dnsAnswersEvicted = 0
    /// DNS observations not kept for the report (`maxDNSObservations`).
    public var dnsObservationsRefused = 0
    /// QUIC connections whose Initials were not decrypted: too many at once (`maxQUICFlows`).
    public var quicFlowsRefused = 0
    /// Flows whose first flight could not be buffered: every buffer in use (`maxFirstFlights`).
    public var firstFlightsRefused = 0
    /// First-flight bytes past the per-flow cap (`firstFlightBytes`), and segments refused as too fragmented.
    public var firstFlightBytesBeyondCap = 0
    public var firstFlightSegmentsRefused = 0

    public init() {}

    public var isEmpty: Bool { self == EngineCapsReached() }

    public func adding(_ o: EngineCapsReached) -> EngineCapsReached {
        var m = self
        m.flowsEvictedForRoom += o.flowsEvictedForRoom; m.namesRefused += o.namesRefused
        m.dnsAnswersEvicted += o.dnsAnswersEvicted; m.dnsObservationsRefused += o.dnsObservationsRefused
        m.quicFlowsRefused += o.quicFlowsRefused; m.firstFlightsRefused += o.firstFlightsRefused
        m.firstFlightBytesBeyondCap += o.firstFlightBytesBeyondCap; m.firstFlightSegmentsRefused += o.firstFlightSegmentsRefused
        return m
    }
}

extension CaptureSummary {
    /// The totals of two runs as one: counts add, port lists unite (`egress-audit merge`).
    public func merged(with o: CaptureSummary) -> CaptureSummary {
        var m = self
        switch (capsReached, o.capsReached) {
        case (let a?, let b?): m.capsReached = a.adding(b)
        case (nil, let b?): m.capsReached = b
        default: break
        }
        m.files += o.files; m.packets += o.packets; m.bytes += o.bytes
        m.linkTypes.merge(o.linkTypes, uniquingKeysWith: +)
        m.decoded += o.decoded; m.notDecoded += o.notDecoded
        m.notDecodedReasons.merge(o.notDecodedReasons, uniquingKeysWith: +)
        m.malformed += o.malformed
        m.malformedReasons.merge(o.malformedReasons, uniquingKeysWith: +)
        m.truncated += o.truncated
        m.ipv4 += o.ipv4; m.ipv6 += o.ipv6; m.tcp += o.tcp; m.udp += o.udp; m.icmp += o.icmp; m.icmpv6 += o.icmpv6
        m.otherTransport += o.otherTransport
        m.firstFragments += o.firstFragments; m.laterFragments += o.laterFragments
        m.reassembledDatagrams += o.reassembledDatagrams; m.reassembledFragments += o.reassembledFragments
        m.fragmentsHeld += o.fragmentsHeld
        m.fragmentDatagramsOversize += o.fragmentDatagramsOversize; m.fragmentDatagramsTimedOut += o.fragmentDatagramsTimedOut
        m.fragmentDatagramsEvicted += o.fragmentDatagramsEvicted; m.fragmentsDropped += o.fragmentsDropped
        m.vlanTagged += o.vlanTagged; m.tunneled += o.tunneled
        m.flows += o.flows; m.tcpFlows += o.tcpFlows; m.udpFlows += o.udpFlows
        m.synDestinationPorts = Array(Set(synDestinationPorts).union(o.synDestinationPorts)).sorted()
        if logRecords != nil || o.logRecords != nil {
            m.logRecords = (logRecords ?? 0) + (o.logRecords ?? 0)
            m.logRecordsRejected = (logRecordsRejected ?? 0) + (o.logRecordsRejected ?? 0)
            let quoted = (logRejections ?? []) + (o.logRejections ?? [])
            m.logRejections = quoted.isEmpty ? nil : Array(quoted.prefix(Self.logRejectionSample))
        }
        return m
    }
}
