/// Scripted exchanges between a node and a server: TCP connections with sequence numbers kept
/// consistent, and UDP request/response pairs. Each method writes packets through the composer.
public struct TCPConversation {
    public let node: Node
    public let client: HostAddress
    public let server: HostAddress
    public let clientPort: UInt16
    public let serverPort: UInt16
    public var clientSequence: UInt32
    public var serverSequence: UInt32
    var timestamp: UInt32

    /// `clientPort` nil: a random ephemeral port (a caller that must not reuse a 5-tuple picks its own).
    public init(node: Node, server: HostAddress, serverPort: UInt16, clientPort: UInt16? = nil, rng: inout SeededGenerator) {
        self.node = node
        self.server = server
        self.client = node.address(ipv6: !server.isIPv4)
        self.serverPort = serverPort
        self.clientPort = clientPort ?? rng.ephemeralPort()
        self.clientSequence = rng.u32()
        self.serverSequence = rng.u32()
        self.timestamp = rng.u32()
    }

    func clientPacket(_ flags: TCPFlags, sequence: UInt32, payload: [UInt8] = [], options: [TCPOption] = []) -> [UInt8] {
        let f = TCPFields(sourcePort: clientPort, destinationPort: serverPort, sequence: sequence,
                          acknowledgment: flags.contains(.ack) ? serverSequence : 0, flags: flags,
                          window: flags.contains(.syn) ? 64_240 : 502, options: options)
        return IPPacket.build(source: client, destination: server, protocolNumber: IPProtocolNumber.tcp,
                              payload: TCPSegment.build(f, payload: payload, source: client, destination: server),
                              ipv6Extensions: node.ipv6Extensions)
    }

    func serverPacket(_ flags: TCPFlags, payload: [UInt8] = [], options: [TCPOption] = []) -> [UInt8] {
        let f = TCPFields(sourcePort: serverPort, destinationPort: clientPort, sequence: serverSequence,
                          acknowledgment: flags.contains(.ack) ? clientSequence : 0, flags: flags,
                          window: flags.contains(.syn) ? 65_160 : 128, options: options)
        return IPPacket.build(source: server, destination: client, protocolNumber: IPProtocolNumber.tcp,
                              payload: TCPSegment.build(f, payload: payload, source: server, destination: client), ttl: 52)
    }

    /// The initial SYN (Linux options). Returns whether it was written.
    public func syn(_ c: CaptureComposer) throws -> Bool {
        let ok = try c.emit(ip: clientPacket(.syn, sequence: clientSequence, options: TCPOption.linuxSYN(timestamp: timestamp)),
                            node: node, outbound: true)
        if ok { c.plants.synPorts.insert(serverPort); c.plants.destinations.insert(server) }
        return ok
    }

    /// SYN, SYN-ACK, ACK.
    public mutating func handshake(_ c: CaptureComposer, rttMicroseconds rtt: UInt64) throws {
        _ = try syn(c)
        clientSequence &+= 1
        c.advance(microseconds: rtt)
        try c.emit(ip: serverPacket([.syn, .ack], options: [.maximumSegmentSize(1440), .sackPermitted, .noOperation, .noOperation, .windowScale(10)]),
                   node: node, outbound: false)
        serverSequence &+= 1
        c.advance(microseconds: 50)
        try c.emit(ip: clientPacket(.ack, sequence: clientSequence), node: node, outbound: true)
    }

    /// How the client's bytes are cut into TCP segments.
    public enum Delivery: String, Sendable {
        case inOrder
        /// The second segment is sent before the first.
        case outOfOrder
        /// After all segments, a retransmission overlapping the previous segment's tail is sent.
        case retransmitOverlap
    }

    /// Sends `payload` from the client cut at `cuts` (offsets into payload), then the server's ACK.
    public mutating func clientSend(_ c: CaptureComposer, _ payload: [UInt8], cuts: [Int] = [], delivery: Delivery = .inOrder) throws -> Bool {
        var bounds = [0] + cuts.filter { $0 > 0 && $0 < payload.count }.sorted() + [payload.count]
        bounds = bounds.reduce(into: []) { if $0.last != $1 { $0.append($1) } }
        var segments: [(UInt32, [UInt8])] = []
        for i in 0..<(bounds.count - 1) {
            segments.append((clientSequence &+ UInt32(bounds[i]), Array(payload[bounds[i]..<bounds[i + 1]])))
        }
        var order = Array(segments.indices)
        if delivery == .outOfOrder && order.count >= 2 { order.swapAt(0, 1) }
        var allWritten = true
        for i in order {
            let ok = try c.emit(ip: clientPacket([.psh, .ack], sequence: segments[i].0, payload: segments[i].1), node: node, outbound: true)
            allWritten = allWritten && ok
            c.advance(microseconds: 30)
        }
        if delivery == .retransmitOverlap, let last = segments.last {
            let back = min(10, Int(last.0 &- clientSequence))
            let start = last.1.count + back
            let retransmitted = Array(payload[(payload.count - start)...])
            c.advance(microseconds: 200_000)
            try c.emit(ip: clientPacket([.psh, .ack], sequence: last.0 &- UInt32(back), payload: retransmitted), node: node, outbound: true)
        }
        clientSequence &+= UInt32(payload.count)
        return allWritten
    }

    /// Sends `payload` from the server as one segment (or MSS-sized pieces), then the client's ACK.
    public mutating func serverSend(_ c: CaptureComposer, _ payload: [UInt8], rttMicroseconds rtt: UInt64) throws {
        c.advance(microseconds: rtt)
        var offset = 0
        while offset < payload.count {
            let end = min(payload.count, offset + 1400)
            try c.emit(ip: serverPacket([.psh, .ack], payload: Array(payload[offset..<end])), node: node, outbound: false)
            serverSequence &+= UInt32(end - offset)
            offset = end
        }
        c.advance(microseconds: 40)
        try c.emit(ip: clientPacket(.ack, sequence: clientSequence), node: node, outbound: true)
    }

    /// Client FIN, server FIN-ACK, client ACK.
    public mutating func close(_ c: CaptureComposer, rttMicroseconds rtt: UInt64) throws {
        c.advance(microseconds: 1000)
        try c.emit(ip: clientPacket([.fin, .ack], sequence: clientSequence), node: node, outbound: true)
        clientSequence &+= 1
        c.advance(microseconds: rtt)
        try c.emit(ip: serverPacket([.fin, .ack]), node: node, outbound: false)
        serverSequence &+= 1
        c.advance(microseconds: 40)
        try c.emit(ip: clientPacket(.ack, sequence: clientSequence), node: node, outbound: true)
    }

    /// SYN at t, t+1 s, t+3 s with no answer (Linux's initial RTO of 1 s, doubling).
    public func unansweredSYN(_ c: CaptureComposer) throws {
        _ = try syn(c)
        c.clock = c.clock.adding(milliseconds: 1000)
        try c.emit(ip: clientPacket(.syn, sequence: clientSequence, options: TCPOption.linuxSYN(timestamp: timestamp &+ 1000)), node: node, outbound: true)
        c.clock = c.clock.adding(milliseconds: 2000)
        try c.emit(ip: clientPacket(.syn, sequence: clientSequence, options: TCPOption.linuxSYN(timestamp: timestamp &+ 3000)), node: node, outbound: true)
    }

    /// SYN answered by RST+ACK (port closed or a firewall rejecting with reset).
    public mutating func refused(_ c: CaptureComposer, rttMicroseconds rtt: UInt64) throws {
        _ = try syn(c)
        clientSequence &+= 1
        c.advance(microseconds: rtt)
        let f = TCPFields(sourcePort: serverPort, destinationPort: clientPort, sequence: 0, acknowledgment: clientSequence,
                          flags: [.rst, .ack], window: 0)
        try c.emit(ip: IPPacket.build(source: server, destination: client, protocolNumber: IPProtocolNumber.tcp,
                                      payload: TCPSegment.build(f, payload: [], source: server, destination: client), ttl: 52),
                   node: node, outbound: false)
    }

    /// SYN answered by a router's ICMP (type 3 code 13) or ICMPv6 (type 1 code 1) "administratively prohibited".
    public func prohibited(_ c: CaptureComposer, router: HostAddress, rttMicroseconds rtt: UInt64) throws {
        let synPacket = clientPacket(.syn, sequence: clientSequence, options: TCPOption.linuxSYN(timestamp: timestamp))
        guard try c.emit(ip: synPacket, node: node, outbound: true) else { return }
        c.plants.synPorts.insert(serverPort)
        c.plants.destinations.insert(server)
        c.advance(microseconds: rtt / 4)
        let icmp: [UInt8]
        if client.isIPv4 {
            icmp = IPPacket.build(source: router, destination: client, protocolNumber: IPProtocolNumber.icmp,
                                  payload: ICMPMessage.ipv4DestinationUnreachable(code: .administrativelyProhibited, original: synPacket))
        } else {
            icmp = IPPacket.build(source: router, destination: client, protocolNumber: IPProtocolNumber.icmpv6,
                                  payload: ICMPMessage.ipv6DestinationUnreachable(code: .administrativelyProhibited, original: synPacket,
                                                                                 source: router, destination: client))
        }
        try c.emit(ip: icmp, node: node, outbound: false)
    }

    public func plant(_ outcome: PlantFlow.Outcome, delivery: String? = nil) -> PlantFlow {
        PlantFlow(transport: "tcp", client: client.description, clientPort: clientPort, server: server.description, serverPort: serverPort,
                  outcome: outcome, node: node.name, delivery: delivery)
    }
}

/// A UDP datagram between a node and a server.
public enum UDPExchange {
    public static func packet(from source: HostAddress, _ sourcePort: UInt16, to destination: HostAddress, _ destinationPort: UInt16,
                              payload: [UInt8], ttl: UInt8 = 64) -> [UInt8] {
        IPPacket.build(source: source, destination: destination, protocolNumber: IPProtocolNumber.udp,
                       payload: UDPDatagram.build(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload,
                                                  source: source, destination: destination), ttl: ttl)
    }
}
