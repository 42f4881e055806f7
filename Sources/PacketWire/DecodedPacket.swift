/// What one frame decoded to, down to its innermost IP and transport header.
///
/// The caller owns one `DecodedPacket` and passes it to every
/// `PacketDecoder.decode` call (gopacket's preallocated-layer idea): decoding
/// overwrites every field, so nothing is allocated per packet. `payload` is a
/// view into the captured frame and is valid only while that frame is.
public struct DecodedPacket {
    public var status: DecodeStatus
    /// The capture ended (snaplen) before the packet did; `stop` says where.
    public var truncated: Bool
    /// Where decoding stopped early without the packet being malformed: the
    /// snaplen cut (`truncated`), or the end of a first IP fragment.
    public var stop: DecodeIssue?

    public var linkType: LinkType
    /// Direction from a Linux cooked header (SLL/SLL2); `.unknown` elsewhere.
    public var linkDirection: LinkDirection
    /// The last ethertype (or PPP/GRE protocol mapped to one) dispatched on.
    public var etherType: UInt16
    /// 802.1Q/802.1ad tags seen, across all layers.
    public var vlanCount: Int
    /// VLAN ID of the outermost tag (0 when untagged).
    public var vlanID: UInt16
    /// NFLOG: the log group (`log group N`) the message came from (0 elsewhere).
    public var logGroup: UInt16
    /// NFLOG: the logging rule's prefix (a view into the frame; empty when none).
    public var logPrefix: ByteView
    /// IP-level encapsulations peeled (VXLAN, GRE, IP-in-IP) to reach `network`.
    public var tunnelDepth: Int
    /// Which encapsulations were seen on the way in.
    public var encapsulations: Encapsulations

    public var network: NetworkLayer
    /// Frame offset of the innermost IP header (valid when `network != .none`).
    public var networkOffset: Int
    public var source: IPAddress
    public var destination: IPAddress
    /// Upper-layer protocol: IPv4 protocol, or IPv6's last next-header value.
    public var ipProtocol: UInt8
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8
    public var fragment: FragmentKind
    /// Identification, offset, M flag and data range of a fragment (valid
    /// when `fragment != .none`).
    public var fragmentFacts: FragmentFacts

    public var transport: TransportKind
    /// Frame offset of the transport header (valid when `transport != .none`).
    public var transportOffset: Int
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// True when the ports were read (TCP/UDP with at least 4 header bytes captured).
    public var hasPorts: Bool
    public var tcp: TCPFacts
    public var icmp: ICMPFacts

    /// Transport payload, clamped to the captured bytes.
    public var payload: ByteView
    /// Offset of `payload` in the frame.
    public var payloadOffset: Int

    public init() {
        status = .notDecoded(.unsupportedLinkType)
        truncated = false
        stop = nil
        linkType = .ethernet
        linkDirection = .unknown
        etherType = 0
        vlanCount = 0
        vlanID = 0
        logGroup = 0
        logPrefix = .empty
        tunnelDepth = 0
        encapsulations = []
        network = .none
        networkOffset = 0
        source = IPAddress(ipv4: 0)
        destination = IPAddress(ipv4: 0)
        ipProtocol = 0
        ttl = 0
        fragment = .none
        fragmentFacts = FragmentFacts()
        transport = .none
        transportOffset = 0
        sourcePort = 0
        destinationPort = 0
        hasPorts = false
        tcp = TCPFacts()
        icmp = ICMPFacts()
        payload = .empty
        payloadOffset = 0
    }

    /// Forgets a decoded outer IP/transport layer before an inner one is read.
    mutating func clearNetwork() {
        network = .none
        networkOffset = 0
        source = IPAddress(ipv4: 0)
        destination = IPAddress(ipv4: 0)
        ipProtocol = 0
        ttl = 0
        fragment = .none
        fragmentFacts = FragmentFacts()
        clearTransport()
    }

    mutating func clearTransport() {
        transport = .none
        transportOffset = 0
        sourcePort = 0
        destinationPort = 0
        hasPorts = false
        tcp = TCPFacts()
        icmp = ICMPFacts()
        payload = .empty
        payloadOffset = 0
    }
}

/// The verdict on one frame.
public enum DecodeStatus: Equatable, Sendable {
    /// The innermost IP header was read (transport too when there is one;
    /// `truncated`/`stop` say if the capture cut it short).
    case decoded
    /// Valid but not something flows are built from (ARP, later fragment, …).
    case notDecoded(NotDecodedReason)
    /// The bytes contradict themselves; the issue says where and how.
    case malformed(DecodeIssue)

    public var name: String {
        switch self {
        case .decoded: "decoded"
        case .notDecoded: "not-decoded"
        case .malformed: "malformed"
        }
    }

    @inlinable public var isDecoded: Bool {
        if case .decoded = self { return true }
        return false
    }
}

/// Why a well-formed frame was not decoded to a transport layer.
public enum NotDecodedReason: UInt8, CaseIterable, Sendable {
    /// The capture ended before any IP header could be read.
    case truncatedBeforeNetwork
    /// A link type the decoder does not read (NFLOG, unknown DLTs).
    case unsupportedLinkType
    /// NULL/LOOP header with an address family other than IPv4/IPv6.
    case unknownAddressFamily
    /// 802.3 length field instead of an ethertype (LLC/SNAP, STP, …).
    case llcFrame
    case arp
    case lldp
    case pppoeDiscovery
    case unknownEtherType
    /// PPP protocol other than IPv4 (0x0021) / IPv6 (0x0057).
    case unsupportedPPPProtocol
    /// What follows the bottom MPLS label is neither IPv4 nor IPv6.
    case mplsPayloadUnknown
    /// GRE version ≠ 0, routing present, or an inner protocol not followed.
    case unsupportedGRE
    /// Non-first IP fragment: no transport header in it.
    case laterFragment
    /// IPv6 jumbogram (RFC 2675).
    case jumbogram
    /// IPv6 next header 59.
    case noNextHeader
    /// IP protocol other than TCP, UDP, ICMP, ICMPv6 and the tunnels.
    case otherIPProtocol

    public var name: String {
        switch self {
        case .truncatedBeforeNetwork: "truncated-before-network"
        case .unsupportedLinkType: "unsupported-link-type"
        case .unknownAddressFamily: "unknown-address-family"
        case .llcFrame: "llc-frame"
        case .arp: "arp"
        case .lldp: "lldp"
        case .pppoeDiscovery: "pppoe-discovery"
        case .unknownEtherType: "unknown-ethertype"
        case .unsupportedPPPProtocol: "unsupported-ppp-protocol"
        case .mplsPayloadUnknown: "mpls-payload-unknown"
        case .unsupportedGRE: "unsupported-gre"
        case .laterFragment: "later-fragment"
        case .jumbogram: "jumbogram"
        case .noNextHeader: "no-next-header"
        case .otherIPProtocol: "other-ip-protocol"
        }
    }
}

public enum NetworkLayer: UInt8, CaseIterable, Sendable {
    case none, ipv4, ipv6

    public var name: String {
        switch self {
        case .none: "none"
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        }
    }
}

public enum FragmentKind: UInt8, CaseIterable, Sendable {
    /// Not fragmented (includes IPv6 atomic fragments, offset 0 and M = 0).
    case none
    /// Offset 0 with more-fragments set: holds the transport header.
    case first
    /// Offset ≠ 0.
    case later

    public var name: String {
        switch self {
        case .none: "none"
        case .first: "first"
        case .later: "later"
        }
    }
}

public enum TransportKind: UInt8, CaseIterable, Sendable {
    case none, tcp, udp, icmp, icmpv6, other

    public var name: String {
        switch self {
        case .none: "none"
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp: "icmp"
        case .icmpv6: "icmpv6"
        case .other: "other"
        }
    }
}

/// Packet direction recorded by Linux cooked captures (`PACKET_*` in
/// <linux/if_packet.h>).
public enum LinkDirection: UInt8, CaseIterable, Sendable {
    case unknown, toHost, broadcast, multicast, otherHost, outgoing

    /// From the SLL/SLL2 packet-type field.
    @inlinable
    public init(sllPacketType: UInt16) {
        switch sllPacketType {
        case 0: self = .toHost
        case 1: self = .broadcast
        case 2: self = .multicast
        case 3: self = .otherHost
        case 4: self = .outgoing
        default: self = .unknown
        }
    }

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .toHost: "to-host"
        case .broadcast: "broadcast"
        case .multicast: "multicast"
        case .otherHost: "other-host"
        case .outgoing: "outgoing"
        }
    }
}

/// Encapsulations met between the link layer and the innermost IP header.
public struct Encapsulations: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let vlan = Encapsulations(rawValue: 1 << 0)
    public static let mpls = Encapsulations(rawValue: 1 << 1)
    public static let pppoe = Encapsulations(rawValue: 1 << 2)
    public static let gre = Encapsulations(rawValue: 1 << 3)
    public static let vxlan = Encapsulations(rawValue: 1 << 4)
    /// IPv4/IPv6 directly inside IPv4/IPv6 (protocols 4 and 41).
    public static let ipInIP = Encapsulations(rawValue: 1 << 5)
}

extension DecodedPacket: CustomStringConvertible {
    /// One line for logs and `explain` (allocates: off the per-packet path),
    /// e.g. `tcp 10.0.0.2:51000 > 192.0.2.10:443 [S]` or `not-decoded arp`.
    public var description: String {
        var s: String
        switch status {
        case .decoded: s = ""
        case .notDecoded(let reason): s = "not-decoded \(reason.name)"
        case .malformed(let issue): s = "malformed \(issue)"
        }
        if network != .none {
            let v6 = network == .ipv6
            func endpoint(_ a: IPAddress, _ port: UInt16) -> String {
                guard hasPorts else { return a.description }
                return v6 ? "[\(a)]:\(port)" : "\(a):\(port)"
            }
            let name = transport == .none || transport == .other ? "ip-proto-\(ipProtocol)" : transport.name
            let flow = "\(name) \(endpoint(source, sourcePort)) > \(endpoint(destination, destinationPort))"
            s = s.isEmpty ? flow : s + ": " + flow
            if transport == .tcp && tcp.hasHeader { s += " [\(tcp.flags.letters)]" }
            if transport == .icmp || transport == .icmpv6 { s += " \(icmp.kind.name)" }
            if fragment != .none { s += " fragment=\(fragment.name)" }
        }
        if tunnelDepth > 0 { s += " tunnels=\(tunnelDepth)" }
        if truncated { s += " truncated" }
        return s
    }
}
