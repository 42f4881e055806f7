import PacketWire

/// A direction-insensitive 5-tuple: the two endpoints in a canonical order
/// (lower address/port first), so both directions of a conversation map to
/// one key. Which endpoint initiated is a property of the flow, not the key.
public struct FlowKey: Hashable, Sendable {
    public let transport: TransportKind
    public let lowAddress: IPAddress
    public let highAddress: IPAddress
    public let lowPort: UInt16
    public let highPort: UInt16

    /// Orders the endpoints; `isForward` says whether (a, aPort) became the low one.
    @inlinable
    public init(transport: TransportKind, _ a: IPAddress, _ aPort: UInt16, _ b: IPAddress, _ bPort: UInt16) {
        self.transport = transport
        if (a.high, a.low, a.isIPv4 ? 0 : 1, aPort) <= (b.high, b.low, b.isIPv4 ? 0 : 1, bPort) {
            lowAddress = a; lowPort = aPort; highAddress = b; highPort = bPort
        } else {
            lowAddress = b; lowPort = bPort; highAddress = a; highPort = aPort
        }
    }

    /// Ports and transport first: they differ most often between flows of one host.
    @inlinable
    public static func == (a: FlowKey, b: FlowKey) -> Bool {
        a.lowPort == b.lowPort && a.highPort == b.highPort && a.transport == b.transport
            && a.lowAddress == b.lowAddress && a.highAddress == b.highAddress
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(transport)
        hasher.combine(lowAddress)
        hasher.combine(highAddress)
        hasher.combine(lowPort)
        hasher.combine(highPort)
    }

    /// The key of a decoded TCP or UDP packet; nil for anything else.
    @inlinable
    public init?(_ packet: DecodedPacket) {
        guard let key = withUnsafePointer(to: packet, { FlowKey($0) }) else { return nil }
        self = key
    }

    /// The key of the decoded TCP or UDP packet at `packet`, read field by field where it lies
    /// (a ring slot's: as a value, its 368 bytes were copied first); nil for anything else.
    @inlinable @inline(__always)
    public init?(_ packet: UnsafePointer<DecodedPacket>) {
        let transport = packet.pointee.transport
        guard packet.pointee.status.isDecoded, transport == .tcp || transport == .udp else { return nil }
        self.init(transport: transport, packet.pointee.source, packet.pointee.sourcePort, packet.pointee.destination,
                  packet.pointee.destinationPort)
    }
}
