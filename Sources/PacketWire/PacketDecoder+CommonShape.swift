/// The shape nearly every egress packet has, decoded in one straight line.
///
/// An untagged Ethernet frame, captured whole, carrying an unfragmented IPv4
/// datagram with a 20-byte header and a whole TCP or UDP header inside its
/// total length. The general decoder reads such a frame in five steps of its
/// state machine, each re-checking bounds against a cursor and clearing
/// fields it then sets (442 instructions a packet on the per-flow capture,
/// callgrind); here the headers' fields are checked once, up front, and
/// written once (136).
///
/// Anything else — another link type, a VLAN tag, IPv6, options, a
/// fragment, a length that disagrees with the frame, a snaplen cut, TCP data
/// offset below 5, the VXLAN port — returns false before `packet` is
/// touched, and the general decoder reads the frame. What this path writes
/// is what the general one would: `PacketDecoderCommonShapeTests` decodes
/// frames of the shape, every single-byte change and cut of them, and every
/// packet of the real captures both ways and compares every field; so does
/// the `PacketDecoder` fuzz target for every Ethernet input.
extension PacketDecoder {
    /// Decodes `frame` into `packet` when it has the common shape; false,
    /// with `packet` untouched, when it does not.
    @inline(__always)
    func decodeCommonShape(_ frame: ByteView, originalLength: Int, into packet: inout DecodedPacket) -> Bool {
        // Captured whole (no snaplen cut: `truncated` false); each header view checks its own bytes.
        guard originalLength <= frame.count,
              let eth = EthernetFrame(frame, at: 0), eth.etherType == EtherType.ipv4,
              let ip = IPv4Header(frame, at: eth.payloadOffset), ip.version == 4, ip.ihl == 5 else { return false }
        let end = ip.offset + ip.totalLength
        // Not a fragment (DF alone is fine), and the datagram within the captured frame.
        guard ip.fragmentKind == .none, end <= frame.count else { return false }
        let transportOffset = ip.offset + ip.headerLength
        let datagram = frame.prefix(end)
        var tcpFacts = TCPFacts()
        let transport: TransportKind
        let sourcePort: UInt16, destinationPort: UInt16
        let payloadOffset: Int
        let payload: ByteView
        switch ip.protocolNumber {
        case IPProtocolNumber.tcp:
            guard let tcp = TCPHeader(datagram, at: transportOffset), tcp.dataOffset >= 5,
                  transportOffset + tcp.headerLength <= end else { return false }
            tcpFacts = TCPFacts(tcp)
            transport = .tcp
            (sourcePort, destinationPort) = (tcp.sourcePort, tcp.destinationPort)
            payloadOffset = transportOffset + tcp.headerLength
            payload = datagram.suffix(from: payloadOffset) ?? .empty
        case IPProtocolNumber.udp:
            // A UDP length within the datagram ends the payload (RFC 768); one shorter than the header or
            // longer than the datagram, and the VXLAN port, are the general decoder's.
            guard let udp = UDPHeader(datagram, at: transportOffset), udp.destinationPort != VXLANHeader.udpPort,
                  udp.length >= UDPHeader.length, transportOffset + udp.length <= end else { return false }
            transport = .udp
            (sourcePort, destinationPort) = (udp.sourcePort, udp.destinationPort)
            payloadOffset = udp.payloadOffset
            payload = datagram.prefix(transportOffset + udp.length).suffix(from: payloadOffset) ?? .empty
        default:
            return false
        }
        packet = DecodedPacket()
        packet.status = .decoded
        packet.linkType = .ethernet
        packet.etherType = EtherType.ipv4
        packet.network = .ipv4
        packet.networkOffset = ip.offset
        packet.source = ip.source
        packet.destination = ip.destination
        packet.ipProtocol = ip.protocolNumber
        packet.ttl = ip.ttl
        packet.transport = transport
        packet.transportOffset = transportOffset
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        packet.hasPorts = true
        packet.tcp = tcpFacts
        packet.payload = payload
        packet.payloadOffset = payloadOffset
        return true
    }
}
