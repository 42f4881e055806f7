/// Running counts of what the decoder saw, for `analyze`'s summary.
///
/// Fixed-size storage: every count is a field or an array slot indexed by
/// enums' raw values, allocated once in `init`; `record` only increments.
/// Counts add, so per-thread or per-node counters `merge` into one.
public struct DecodeCounters: Equatable, Sendable {
    public private(set) var packets = 0
    /// Sum of original (wire) lengths.
    public private(set) var bytes = 0

    /// Packets by shape (`Shape.index`): decoded or not, truncated or not, the
    /// network layer, the transport, the fragment kind, VLAN-tagged or not,
    /// tunneled or not; one slot each. A packet costs one increment here, where
    /// a counter per fact cost one each (callgrind: 80 instructions a packet,
    /// on whichever thread counts it); the per-fact counts are sums, read for
    /// reports only.
    private var shapes: [Int]
    private var notDecodedCounts: [Int]
    private var malformedCounts: [Int]
    /// Packets per link type (slot 0: types not in `LinkType.known`; slot i: its entry i - 1),
    /// but for the current run of `linkCache`'s type, which `linkRun` counts.
    private var linkTypeCounts: [Int]
    /// The (last) link type counted that `LinkType.known` does not list, to name it.
    public private(set) var otherLinkType: Int32?
    private var linkCache = LinkSlotCache()
    private var linkRun = 0

    private static let reasonCount = DecodeIssue.Reason.allCases.count
    private static let networks = NetworkLayer.allCases.count, transports = TransportKind.allCases.count,
                       fragments = FragmentKind.allCases.count
    private static let shapeCount = 2 * 2 * networks * transports * fragments * 2 * 2

    public init() {
        shapes = Array(repeating: 0, count: Self.shapeCount)
        notDecodedCounts = Array(repeating: 0, count: NotDecodedReason.allCases.count)
        malformedCounts = Array(repeating: 0, count: DecodeIssue.Layer.allCases.count * Self.reasonCount)
        linkTypeCounts = Array(repeating: 0, count: LinkType.known.count + 1)
        assert(NetworkLayer.allCases.map(\.rawValue) == (0..<UInt8(Self.networks)).map { $0 }
               && TransportKind.allCases.map(\.rawValue) == (0..<UInt8(Self.transports)).map { $0 }
               && FragmentKind.allCases.map(\.rawValue) == (0..<UInt8(Self.fragments)).map { $0 }, "a shape's raw values must run from 0")
    }

    /// What `shapes` counts packets by; `index` is its slot (the enums' raw values run from 0).
    private struct Shape {
        var decoded: Bool, truncated: Bool, network: NetworkLayer, transport: TransportKind, fragment: FragmentKind
        var vlan: Bool, tunnel: Bool

        init(decoded: Bool, truncated: Bool, network: NetworkLayer, transport: TransportKind, fragment: FragmentKind,
             vlan: Bool, tunnel: Bool) {
            self.decoded = decoded; self.truncated = truncated; self.network = network; self.transport = transport
            self.fragment = fragment; self.vlan = vlan; self.tunnel = tunnel
        }

        @inline(__always)
        var index: Int {
            var i = decoded ? 1 : 0
            i = i &* 2 &+ (truncated ? 1 : 0)
            i = i &* DecodeCounters.networks &+ Int(network.rawValue)
            i = i &* DecodeCounters.transports &+ Int(transport.rawValue)
            i = i &* DecodeCounters.fragments &+ Int(fragment.rawValue)
            i = i &* 2 &+ (vlan ? 1 : 0)
            return i &* 2 &+ (tunnel ? 1 : 0)
        }

        /// The shape of slot `index` (`index` undone).
        init(index: Int) {
            var rest = index
            tunnel = rest % 2 == 1; rest /= 2
            vlan = rest % 2 == 1; rest /= 2
            fragment = FragmentKind(rawValue: UInt8(rest % DecodeCounters.fragments))!; rest /= DecodeCounters.fragments
            transport = TransportKind(rawValue: UInt8(rest % DecodeCounters.transports))!; rest /= DecodeCounters.transports
            network = NetworkLayer(rawValue: UInt8(rest % DecodeCounters.networks))!; rest /= DecodeCounters.networks
            truncated = rest % 2 == 1; rest /= 2
            decoded = rest == 1
        }
    }

    /// Counts one decoded packet that was `wireLength` bytes on the wire.
    public mutating func record(_ packet: borrowing DecodedPacket, wireLength: Int) {
        withUnsafePointer(to: packet) { record($0, wireLength: wireLength) }
    }

    /// `record` of the packet at `packet`, read field by field (lent by address from a ring slot:
    /// as a value, its 368 bytes were copied first).
    public mutating func record(_ packet: UnsafePointer<DecodedPacket>, wireLength: Int) {
        packets &+= 1
        bytes &+= wireLength
        // A capture's packets share their link type: counted as a run, put in its slot when the type changes.
        if packet.pointee.linkType.rawValue != linkCache.linkType { startLinkRun(packet.pointee.linkType) }
        linkRun &+= 1
        let status = packet.pointee.status
        let decoded: Bool
        switch status {
        case .decoded:
            decoded = true
        case .notDecoded(let reason):
            decoded = false
            notDecodedCounts[Int(reason.rawValue)] += 1
        case .malformed(let issue):
            decoded = false
            malformedCounts[Int(issue.layer.rawValue) * Self.reasonCount + Int(issue.reason.rawValue)] += 1
        }
        let i = Shape(decoded: decoded, truncated: packet.pointee.truncated, network: packet.pointee.network,
                      transport: packet.pointee.transport, fragment: packet.pointee.fragment,
                      vlan: packet.pointee.vlanCount > 0, tunnel: packet.pointee.tunnelDepth > 0).index
        shapes.withUnsafeMutableBufferPointer { $0[i] &+= 1 }
    }

    private mutating func startLinkRun(_ linkType: LinkType) {
        if linkCache.linkType != -1 { linkTypeCounts[linkCache.slot] += linkRun }
        linkRun = 0
        linkCache = LinkSlotCache(linkType: linkType.rawValue, slot: linkType.knownSlot)
        if linkCache.slot == 0 { otherLinkType = linkCache.linkType }
    }

    /// Packets of link-type slot `slot`, the current run included.
    private func linkCount(slot: Int) -> Int {
        linkTypeCounts[slot] + (linkCache.linkType != -1 && linkCache.slot == slot ? linkRun : 0)
    }

    /// Packets whose shape has `fact`.
    private func count(where fact: (Shape) -> Bool) -> Int {
        var n = 0
        for (i, c) in shapes.enumerated() where c > 0 && fact(Shape(index: i)) { n += c }
        return n
    }

    public var decoded: Int { count { $0.decoded } }
    public var truncated: Int { count { $0.truncated } }
    public var ipv4: Int { count { $0.network == .ipv4 } }
    public var ipv6: Int { count { $0.network == .ipv6 } }
    public var tcp: Int { count { $0.transport == .tcp } }
    public var udp: Int { count { $0.transport == .udp } }
    public var icmp: Int { count { $0.transport == .icmp } }
    public var icmpv6: Int { count { $0.transport == .icmpv6 } }
    public var otherTransport: Int { count { $0.transport == .other } }
    public var firstFragments: Int { count { $0.fragment == .first } }
    public var laterFragments: Int { count { $0.fragment == .later } }
    public var vlanTagged: Int { count { $0.vlan } }
    public var tunneled: Int { count { $0.tunnel } }

    /// Equal counts, however the current link-type run is held.
    public static func == (a: DecodeCounters, b: DecodeCounters) -> Bool {
        a.packets == b.packets && a.bytes == b.bytes && a.shapes == b.shapes && a.notDecodedCounts == b.notDecodedCounts
            && a.malformedCounts == b.malformedCounts && a.otherLinkType == b.otherLinkType
            && a.linkTypeCounts.indices.allSatisfy { a.linkCount(slot: $0) == b.linkCount(slot: $0) }
    }

    /// Adds `other`'s counts to these.
    public mutating func merge(_ other: DecodeCounters) {
        packets += other.packets
        bytes += other.bytes
        for i in shapes.indices { shapes[i] += other.shapes[i] }
        for i in notDecodedCounts.indices { notDecodedCounts[i] += other.notDecodedCounts[i] }
        for i in malformedCounts.indices { malformedCounts[i] += other.malformedCounts[i] }
        for i in linkTypeCounts.indices { linkTypeCounts[i] += other.linkCount(slot: i) }
        otherLinkType = otherLinkType ?? other.otherLinkType
    }

    // MARK: Reading (off the per-packet path)

    public var notDecoded: Int { notDecodedCounts.reduce(0, +) }
    public var malformed: Int { malformedCounts.reduce(0, +) }

    public func count(notDecoded reason: NotDecodedReason) -> Int {
        notDecodedCounts[Int(reason.rawValue)]
    }

    public func count(malformed layer: DecodeIssue.Layer, _ reason: DecodeIssue.Reason) -> Int {
        malformedCounts[Int(layer.rawValue) * Self.reasonCount + Int(reason.rawValue)]
    }

    /// Packets of `linkType`; for a type not in `LinkType.known`, all such "other" packets.
    public func count(linkType: LinkType) -> Int {
        linkCount(slot: linkType.knownSlot)
    }

    /// Non-zero not-decoded counts, in reason order.
    public var notDecodedBreakdown: [(reason: NotDecodedReason, count: Int)] {
        NotDecodedReason.allCases.compactMap { r in
            let n = count(notDecoded: r)
            return n > 0 ? (r, n) : nil
        }
    }

    /// Non-zero malformed counts, in layer then reason order.
    public var malformedBreakdown: [(layer: DecodeIssue.Layer, reason: DecodeIssue.Reason, count: Int)] {
        var out: [(layer: DecodeIssue.Layer, reason: DecodeIssue.Reason, count: Int)] = []
        for layer in DecodeIssue.Layer.allCases {
            for reason in DecodeIssue.Reason.allCases {
                let n = count(malformed: layer, reason)
                if n > 0 { out.append((layer, reason, n)) }
            }
        }
        return out
    }

    /// Non-zero link-type counts; `nil` stands for every type not in `LinkType.known`
    /// (named by `otherLinkType` when there is one).
    public var linkTypeBreakdown: [(linkType: LinkType?, count: Int)] {
        var out: [(linkType: LinkType?, count: Int)] = []
        for i in linkTypeCounts.indices {
            let n = linkCount(slot: i)
            guard n > 0 else { continue }
            out.append((i == 0 ? otherLinkType.map(LinkType.init(rawValue:)) : LinkType(rawValue: LinkType.known[i - 1].rawValue), n))
        }
        return out
    }
}

/// The last link type counted and its slot: a lookup saved per packet. Not part of what the
/// counters count, so it never makes two equal counts unequal.
private struct LinkSlotCache: Equatable, Sendable {
    var linkType: Int32 = -1
    var slot = 0

    static func == (_: LinkSlotCache, _: LinkSlotCache) -> Bool { true }
}
