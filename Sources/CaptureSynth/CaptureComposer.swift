/// How a node's packets are framed on its capture interface.
public enum LinkEncapsulation: Sendable, Hashable {
    case ethernet(vlanTags: [VLANTag])
    case linuxSLL
    case linuxSLL2(interfaceIndex: UInt32)
    case raw
    case null

    public var linkType: LinkType {
        switch self {
        case .ethernet: .ethernet
        case .linuxSLL: .linuxSLL
        case .linuxSLL2: .linuxSLL2
        case .raw: .raw
        case .null: .null
        }
    }
}

/// A gateway node whose egress is captured.
public struct Node: Sendable {
    public var name: String
    public var ipv4: HostAddress
    public var ipv6: HostAddress
    public var mac: MACAddress
    public var gatewayMAC: MACAddress
    public var link: LinkEncapsulation
    /// Index of this node's interface in the capture (pcapng may have several).
    public var interface: Int
    /// Extension headers put on this node's outbound IPv6 packets.
    public var ipv6Extensions: [IPv6ExtensionHeader] = []

    public init(name: String, ipv4: HostAddress, ipv6: HostAddress, mac: MACAddress, gatewayMAC: MACAddress,
                link: LinkEncapsulation, interface: Int = 0) {
        self.name = name; self.ipv4 = ipv4; self.ipv6 = ipv6; self.mac = mac; self.gatewayMAC = gatewayMAC
        self.link = link; self.interface = interface
    }

    public func address(ipv6 useV6: Bool) -> HostAddress { useV6 ? ipv6 : ipv4 }
}

/// Frames IP packets for a node's link, timestamps them and hands them to the writer, counting
/// packets and stopping at an optional limit (the bulk scenario's exact packet count).
public final class CaptureComposer {
    public let writer: any CaptureWriter
    public let fileByteOrder: ByteOrder
    public var clock: Timestamp
    public var rng: SeededGenerator
    public var plants: PlantRecorder
    public private(set) var packetCount = 0
    public let packetLimit: Int?

    public init(writer: any CaptureWriter, fileByteOrder: ByteOrder, start: Timestamp, seed: UInt64,
                recordFlows: Bool, packetLimit: Int? = nil) {
        self.writer = writer
        self.fileByteOrder = fileByteOrder
        self.clock = start
        self.rng = SeededGenerator(seed: seed)
        self.plants = PlantRecorder(recordFlows: recordFlows)
        self.packetLimit = packetLimit
    }

    public var isFull: Bool { packetLimit.map { packetCount >= $0 } ?? false }

    /// Advances the clock by `base` ± up to 25 % jitter (microseconds).
    public func advance(microseconds base: UInt64) {
        let jitter = base / 4
        let delta = jitter == 0 ? base : base - jitter + UInt64(rng.below(Int(2 * jitter + 1)))
        clock = clock.adding(microseconds: delta)
    }

    /// Writes an IP packet on `node`'s link. `outbound`: sent by the node (else received by it).
    /// Returns false (and writes nothing) once the packet limit is reached.
    @discardableResult
    public func emit(ip packet: [UInt8], node: Node, outbound: Bool) throws -> Bool {
        guard !isFull else { return false }
        let isIPv6 = (packet.first ?? 0) >> 4 == 6
        let etherType = isIPv6 ? EtherType.ipv6 : EtherType.ipv4
        let frame: [UInt8]
        switch node.link {
        case .ethernet(let tags):
            frame = LinkFrame.ethernet(destination: outbound ? node.gatewayMAC : node.mac, source: outbound ? node.mac : node.gatewayMAC,
                                       vlanTags: tags, etherType: etherType, payload: packet)
        case .linuxSLL:
            frame = LinkFrame.linuxSLL(packetType: outbound ? .outgoing : .host, address: outbound ? node.mac : node.gatewayMAC,
                                       protocolType: etherType, payload: packet)
        case .linuxSLL2(let index):
            frame = LinkFrame.linuxSLL2(protocolType: etherType, interfaceIndex: index, packetType: outbound ? .outgoing : .host,
                                        address: outbound ? node.mac : node.gatewayMAC, payload: packet)
        case .raw:
            frame = packet
        case .null:
            frame = LinkFrame.bsdNull(isIPv6: isIPv6, byteOrder: fileByteOrder, payload: packet)
        }
        return try emit(frame: frame, interface: node.interface)
    }

    /// Writes an already framed packet (ARP and other non-IP noise).
    @discardableResult
    public func emit(frame: [UInt8], interface: Int) throws -> Bool {
        guard !isFull else { return false }
        try writer.write(frame: frame, timestamp: clock, interface: interface)
        packetCount += 1
        return true
    }
}
