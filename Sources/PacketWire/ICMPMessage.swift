/// ICMP (RFC 792) and ICMPv6 (RFC 4443) messages share their first 8 bytes:
///
/// ```
/// |     Type      |     Code      |          Checksum             |
/// |         rest of header (identifier/sequence, MTU, pointer)    |
/// |  error messages: as much of the invoking packet as fits ...   |
/// ```
/// Error messages quote the packet that caused them: its IP header and at
/// least the first 8 bytes of its transport header (RFC 792; RFC 1812 §4.3.2.3
/// and RFC 4443 §2.4(c) allow more), enough for both ports.
public struct ICMPMessage {
    public static let headerLength = 8

    public let view: ByteView
    public let offset: Int
    public let isVersion6: Bool

    @inlinable
    public init?(_ view: ByteView, at offset: Int, version6: Bool) {
        guard view.contains(offset: offset, width: Self.headerLength) else { return nil }
        self.view = view
        self.offset = offset
        self.isVersion6 = version6
    }

    public var type: UInt8 { view.u8Unchecked(at: offset) }
    public var code: UInt8 { view.u8Unchecked(at: offset + 1) }
    /// Bytes 4–5: echo identifier (and MTU high half for ICMPv6 too big).
    public var identifier: UInt16 { view.u16Unchecked(at: offset + 4) }
    public var sequenceNumber: UInt16 { view.u16Unchecked(at: offset + 6) }
    /// Bytes 4–7 as one number: ICMPv6 packet-too-big MTU, or the next-hop
    /// MTU in the low 16 bits of an ICMPv4 fragmentation-needed.
    public var restOfHeader: UInt32 { view.u32Unchecked(at: offset + 4) }
    public var kind: ICMPKind { ICMPKind(type: type, code: code, version6: isVersion6) }
    public var bodyOffset: Int { offset + Self.headerLength }

    /// The invoking packet quoted in an error message, read from `view`
    /// (bounded by the captured bytes). Nil when not an error, or when the
    /// quoted IP header is not all there.
    public func quotedPacket() -> QuotedPacket? {
        guard kind.isError else { return nil }
        return isVersion6 ? QuotedPacket.ipv6(in: view, at: bodyOffset) : QuotedPacket.ipv4(in: view, at: bodyOffset)
    }
}

/// What an ICMP/ICMPv6 message means for a flow.
public enum ICMPKind: UInt8, CaseIterable, Sendable {
    case none
    case echoRequest, echoReply
    case unreachableNetwork, unreachableHost, unreachableProtocol, unreachablePort
    /// ICMPv4 3/4 (fragmentation needed, DF set) or ICMPv6 2 (packet too big).
    case packetTooBig
    /// ICMPv4 3/9, 3/10, 3/13 (RFC 1812 §5.2.7.1); ICMPv6 1/1, and 1/5, 1/6
    /// (source address failed policy, reject route: RFC 4443 §3.1) — all a
    /// filter's answer.
    case adminProhibited
    case unreachableOther
    case timeExceeded
    case parameterProblem
    case redirect
    case sourceQuench
    case routerSolicitation, routerAdvertisement, neighborSolicitation, neighborAdvertisement
    case other

    @inlinable
    public init(type: UInt8, code: UInt8, version6: Bool) {
        if version6 {
            switch type {
            case 1:
                switch code {
                case 0: self = .unreachableNetwork
                case 1, 5, 6: self = .adminProhibited
                case 3: self = .unreachableHost
                case 4: self = .unreachablePort
                default: self = .unreachableOther
                }
            case 2: self = .packetTooBig
            case 3: self = .timeExceeded
            case 4: self = .parameterProblem
            case 128: self = .echoRequest
            case 129: self = .echoReply
            case 133: self = .routerSolicitation
            case 134: self = .routerAdvertisement
            case 135: self = .neighborSolicitation
            case 136: self = .neighborAdvertisement
            case 137: self = .redirect
            default: self = .other
            }
        } else {
            switch type {
            case 0: self = .echoReply
            case 8: self = .echoRequest
            case 3:
                switch code {
                case 0: self = .unreachableNetwork
                case 1: self = .unreachableHost
                case 2: self = .unreachableProtocol
                case 3: self = .unreachablePort
                case 4: self = .packetTooBig
                case 9, 10, 13: self = .adminProhibited
                default: self = .unreachableOther
                }
            case 4: self = .sourceQuench
            case 5: self = .redirect
            case 11: self = .timeExceeded
            case 12: self = .parameterProblem
            case 10: self = .routerSolicitation
            case 9: self = .routerAdvertisement
            default: self = .other
            }
        }
    }

    /// True for messages that quote an invoking packet. An ICMPv6 redirect
    /// carries its quote inside an option, so it is not counted here.
    public var isError: Bool {
        switch self {
        case .unreachableNetwork, .unreachableHost, .unreachableProtocol, .unreachablePort, .packetTooBig,
             .adminProhibited, .unreachableOther, .timeExceeded, .parameterProblem, .sourceQuench:
            true
        case .redirect, .none, .echoRequest, .echoReply, .routerSolicitation, .routerAdvertisement,
             .neighborSolicitation, .neighborAdvertisement, .other:
            false
        }
    }

    /// True for every destination-unreachable code (including admin prohibited).
    public var isUnreachable: Bool {
        switch self {
        case .unreachableNetwork, .unreachableHost, .unreachableProtocol, .unreachablePort, .adminProhibited,
             .unreachableOther:
            true
        default:
            false
        }
    }

    public var name: String {
        switch self {
        case .none: "none"
        case .echoRequest: "echo-request"
        case .echoReply: "echo-reply"
        case .unreachableNetwork: "unreachable-network"
        case .unreachableHost: "unreachable-host"
        case .unreachableProtocol: "unreachable-protocol"
        case .unreachablePort: "unreachable-port"
        case .packetTooBig: "packet-too-big"
        case .adminProhibited: "admin-prohibited"
        case .unreachableOther: "unreachable-other"
        case .timeExceeded: "time-exceeded"
        case .parameterProblem: "parameter-problem"
        case .redirect: "redirect"
        case .sourceQuench: "source-quench"
        case .routerSolicitation: "router-solicitation"
        case .routerAdvertisement: "router-advertisement"
        case .neighborSolicitation: "neighbor-solicitation"
        case .neighborAdvertisement: "neighbor-advertisement"
        case .other: "other"
        }
    }
}

/// The ICMP fields flows use; zero/nil unless `transport` is `.icmp`/`.icmpv6`.
public struct ICMPFacts: Equatable, Sendable {
    public var type: UInt8 = 0
    public var code: UInt8 = 0
    public var kind: ICMPKind = .none
    /// Echo identifier (bytes 4–5), 0 when the 8-byte header was not captured.
    public var identifier: UInt16 = 0
    /// The invoking packet of an error message, when its IP header was captured.
    public var quoted: QuotedPacket?

    @inlinable public init() {}
}

/// The packet an ICMP error refers to, as the sender of the error saw it:
/// source is our host, destination the peer it tried to reach.
public struct QuotedPacket: Equatable, Sendable {
    public var network: NetworkLayer
    public var source: IPAddress
    public var destination: IPAddress
    public var ipProtocol: UInt8
    /// Nil when the quote stops before the transport header's first 4 bytes,
    /// the protocol has no ports, or the quote is a non-first fragment.
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    public init(network: NetworkLayer, source: IPAddress, destination: IPAddress, ipProtocol: UInt8,
                sourcePort: UInt16? = nil, destinationPort: UInt16? = nil) {
        self.network = network
        self.source = source
        self.destination = destination
        self.ipProtocol = ipProtocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// Protocols whose first 4 bytes are source and destination port.
    @inlinable
    static func hasPorts(_ proto: UInt8) -> Bool {
        proto == IPProtocolNumber.tcp || proto == IPProtocolNumber.udp || proto == IPProtocolNumber.sctp
            || proto == 136 // UDP-Lite
    }

    /// A quoted IPv4 header at `offset`; nil when its fixed part is not all in `view`.
    static func ipv4(in view: ByteView, at offset: Int) -> QuotedPacket? {
        guard let ip = IPv4Header(view, at: offset), ip.version == 4, ip.ihl >= 5 else { return nil }
        var q = QuotedPacket(network: .ipv4, source: ip.source, destination: ip.destination, ipProtocol: ip.protocolNumber)
        if ip.fragmentOffset == 0, hasPorts(ip.protocolNumber) {
            q.readPorts(in: view, at: offset + ip.headerLength)
        }
        return q
    }

    /// A quoted IPv6 header at `offset`, walking its extension headers as far
    /// as the quote goes (at most 16 of them).
    static func ipv6(in view: ByteView, at offset: Int) -> QuotedPacket? {
        guard let ip = IPv6Header(view, at: offset), ip.version == 6 else { return nil }
        var q = QuotedPacket(network: .ipv6, source: ip.source, destination: ip.destination, ipProtocol: ip.nextHeader)
        var next = ip.nextHeader
        var cursor = ip.payloadOffset
        var walked = 0
        while IPv6ExtensionHeader.isExtension(next) {
            walked += 1
            guard walked <= 16, let ext = IPv6ExtensionHeader(view, at: cursor, type: next) else { return q }
            if ext.fragmentOffset != 0 { q.ipProtocol = ext.nextHeader; return q }
            next = ext.nextHeader
            cursor += ext.length
        }
        q.ipProtocol = next
        if hasPorts(next) { q.readPorts(in: view, at: cursor) }
        return q
    }

    mutating func readPorts(in view: ByteView, at offset: Int) {
        guard let s = view.u16(at: offset), let d = view.u16(at: offset + 2) else { return }
        sourcePort = s
        destinationPort = d
    }
}
