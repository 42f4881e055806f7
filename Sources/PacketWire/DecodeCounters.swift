/// Running counts of what the decoder saw, for `analyze`'s summary.
///
/// Fixed-size storage: every counter is a field or an array slot indexed by
/// an enum's raw value, allocated once in `init`; `record` only increments.
/// Counts add, so per-thread or per-node counters `merge` into one.
public struct DecodeCounters: Equatable, Sendable {
    public private(set) var packets = 0
    /// Sum of original (wire) lengths.
    public private(set) var bytes = 0
    public private(set) var decoded = 0
    public private(set) var truncated = 0
    public private(set) var ipv4 = 0
    public private(set) var ipv6 = 0
    public private(set) var tcp = 0
    public private(set) var udp = 0
    public private(set) var icmp = 0
    public private(set) var icmpv6 = 0
    public private(set) var otherTransport = 0
    public private(set) var firstFragments = 0
    public private(set) var laterFragments = 0
    public private(set) var vlanTagged = 0
    public private(set) var tunneled = 0

    private var notDecodedCounts: [Int]
    private var malformedCounts: [Int]
    private var linkTypeCounts: [Int]
    /// The (last) link type counted that `LinkType.known` does not list, to name it.
    public private(set) var otherLinkType: Int32?
    private var linkCache = LinkSlotCache()

    private static let reasonCount = DecodeIssue.Reason.allCases.count

    public init() {
        notDecodedCounts = Array(repeating: 0, count: NotDecodedReason.allCases.count)
        malformedCounts = Array(repeating: 0, count: DecodeIssue.Layer.allCases.count * Self.reasonCount)
        // Slot 0: link types not in `LinkType.known`; slot i: its entry i - 1.
        linkTypeCounts = Array(repeating: 0, count: LinkType.known.count + 1)
    }

    /// Counts one decoded packet that was `wireLength` bytes on the wire.
    public mutating func record(_ packet: borrowing DecodedPacket, wireLength: Int) {
        withUnsafePointer(to: packet) { record($0, wireLength: wireLength) }
    }

    /// `record` of the packet at `packet`, read field by field (lent by address from a ring slot:
    /// as a value, its 368 bytes were copied first).
    public mutating func record(_ packet: UnsafePointer<DecodedPacket>, wireLength: Int) {
        packets += 1
        bytes += wireLength
        // A capture's packets share their link type: the slot is looked up when it changes.
        if packet.pointee.linkType.rawValue != linkCache.linkType {
            linkCache = LinkSlotCache(linkType: packet.pointee.linkType.rawValue, slot: packet.pointee.linkType.knownSlot)
            if linkCache.slot == 0 { otherLinkType = linkCache.linkType }
        }
        linkTypeCounts[linkCache.slot] += 1
        switch packet.pointee.status {
        case .decoded:
            decoded += 1
        case .notDecoded(let reason):
            notDecodedCounts[Int(reason.rawValue)] += 1
        case .malformed(let issue):
            malformedCounts[Int(issue.layer.rawValue) * Self.reasonCount + Int(issue.reason.rawValue)] += 1
        }
        if packet.pointee.truncated { truncated += 1 }
        switch packet.pointee.network {
        case .ipv4: ipv4 += 1
        case .ipv6: ipv6 += 1
        case .none: break
        }
        switch packet.pointee.transport {
        case .tcp: tcp += 1
        case .udp: udp += 1
        case .icmp: icmp += 1
        case .icmpv6: icmpv6 += 1
        case .other: otherTransport += 1
        case .none: break
        }
        switch packet.pointee.fragment {
        case .first: firstFragments += 1
        case .later: laterFragments += 1
        case .none: break
        }
        if packet.pointee.vlanCount > 0 { vlanTagged += 1 }
        if packet.pointee.tunnelDepth > 0 { tunneled += 1 }
    }

    /// Adds `other`'s counts to these.
    public mutating func merge(_ other: DecodeCounters) {
        packets += other.packets
        bytes += other.bytes
        decoded += other.decoded
        truncated += other.truncated
        ipv4 += other.ipv4
        ipv6 += other.ipv6
        tcp += other.tcp
        udp += other.udp
        icmp += other.icmp
        icmpv6 += other.icmpv6
        otherTransport += other.otherTransport
        firstFragments += other.firstFragments
        laterFragments += other.laterFragments
        vlanTagged += other.vlanTagged
        tunneled += other.tunneled
        for i in notDecodedCounts.indices { notDecodedCounts[i] += other.notDecodedCounts[i] }
        for i in malformedCounts.indices { malformedCounts[i] += other.malformedCounts[i] }
        for i in linkTypeCounts.indices { linkTypeCounts[i] += other.linkTypeCounts[i] }
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
        linkTypeCounts[linkType.knownSlot]
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
        for (i, n) in linkTypeCounts.enumerated() where n > 0 {
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
