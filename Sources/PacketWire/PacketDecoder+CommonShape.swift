/// The shape nearly every egress packet has, decoded in one straight line.
///
/// An untagged Ethernet frame, captured whole, carrying an unfragmented IPv4
/// datagram with a 20-byte header and a whole TCP or UDP header inside its
/// total length. The general decoder reads such a frame in five steps of its
/// state machine, each re-checking bounds against a cursor and clearing
/// fields it then sets: about 400 instructions. Here the frame's few fields
/// are checked once, up front, and written once.
///
/// Anything else — another link type, a VLAN tag, IPv6, options, a
/// fragment, a length that disagrees with the frame, a snaplen cut, TCP data
/// offset below 5, the VXLAN port — returns false before `packet` is
/// touched, and the general decoder reads the frame. What this path writes
/// is what the general one would: `PacketDecoderCommonShapeTests` decodes
/// every packet of the real captures, the synthetic scenarios and mutations
/// of them both ways and compares every field.
extension PacketDecoder {
    /// Ethernet (14) + IPv4 without options (20) + the smaller of the transport headers (UDP, 8).
    static let commonShapeMinimum = EthernetFrame.headerLength + IPv4Header.minimumLength + UDPHeader.length

    /// Decodes `frame` into `packet` when it has the common shape; false,
    /// with `packet` untouched, when it does not.
    @inline(__always)
    func decodeCommonShape(_ frame: ByteView, originalLength: Int, into packet: inout DecodedPacket) -> Bool {
        let captured = frame.count
        // Whole (no snaplen cut: `truncated` false) and long enough for every read below.
        guard captured >= Self.commonShapeMinimum, originalLength <= captured else { return false }
        let ip = EthernetFrame.headerLength
        // In bounds: captured ≥ 42 covers the ethertype, the IPv4 header and 8 transport bytes.
        guard frame.u16Unchecked(at: 12) == EtherType.ipv4,
              frame.u8Unchecked(at: ip) == 0x45 else { return false }  // version 4, IHL 5
        let totalLength = Int(frame.u16Unchecked(at: ip + 2))
        let end = ip + totalLength
        // Flags and offset: neither more-fragments nor an offset (DF alone is fine).
        guard end <= captured, frame.u16Unchecked(at: ip + 6) & 0x3FFF == 0 else { return false }
        let proto = frame.u8Unchecked(at: ip + 9)
        let transportOffset = ip + IPv4Header.minimumLength
        let bytes = frame.prefix(end)
        let sourcePort = frame.u16Unchecked(at: transportOffset)
        let destinationPort = frame.u16Unchecked(at: transportOffset + 2)
        var tcp = TCPFacts()
        let transport: TransportKind
        let payloadOffset: Int
        let payload: ByteView
        switch proto {
        case IPProtocolNumber.tcp:
            guard totalLength >= IPv4Header.minimumLength + TCPHeader.minimumLength else { return false }
            let dataOffset = frame.u8Unchecked(at: transportOffset + 12) >> 4
            let headerLength = Int(dataOffset) * 4
            guard dataOffset >= 5, transportOffset + headerLength <= end else { return false }
            tcp.flags = TCPFlags(rawValue: frame.u8Unchecked(at: transportOffset + 13))
            tcp.sequenceNumber = frame.u32Unchecked(at: transportOffset + 4)
            tcp.acknowledgmentNumber = frame.u32Unchecked(at: transportOffset + 8)
            tcp.window = frame.u16Unchecked(at: transportOffset + 14)
            tcp.headerLength = headerLength
            tcp.hasHeader = true
            transport = .tcp
            payloadOffset = transportOffset + headerLength
            payload = bytes.suffix(from: payloadOffset) ?? .empty
        case IPProtocolNumber.udp:
            guard totalLength >= IPv4Header.minimumLength + UDPHeader.length,
                  destinationPort != VXLANHeader.udpPort else { return false }
            // A UDP length within the datagram ends the payload (RFC 768); a shorter one than the header, or
            // a longer one than the datagram, is the general decoder's to report.
            let udpLength = Int(frame.u16Unchecked(at: transportOffset + 4))
            guard udpLength >= UDPHeader.length, transportOffset + udpLength <= end else { return false }
            transport = .udp
            payloadOffset = transportOffset + UDPHeader.length
            payload = bytes.prefix(transportOffset + udpLength).suffix(from: payloadOffset) ?? .empty
        default:
            return false
        }
        packet = DecodedPacket()
        packet.status = .decoded
        packet.linkType = .ethernet
        packet.etherType = EtherType.ipv4
        packet.network = .ipv4
        packet.networkOffset = ip
        packet.source = IPAddress(ipv4: frame.u32Unchecked(at: ip + 12))
        packet.destination = IPAddress(ipv4: frame.u32Unchecked(at: ip + 16))
        packet.ipProtocol = proto
        packet.ttl = frame.u8Unchecked(at: ip + 8)
        packet.transport = transport
        packet.transportOffset = transportOffset
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        packet.hasPorts = true
        packet.tcp = tcp
        packet.payload = payload
        packet.payloadOffset = payloadOffset
        return true
    }
}
