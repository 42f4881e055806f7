@testable import PacketWire

/// The outcome of decoding one test frame, with the payload copied out so it
/// can be checked after the frame's buffer is gone.
struct Decoded {
    var packet: DecodedPacket
    var payload: [UInt8]
}

/// Decodes `bytes` as one frame; `originalLength` defaults to the frame's own
/// length (a full capture), a larger one models a snaplen cut.
func decode(_ bytes: [UInt8], _ linkType: LinkType, originalLength: Int? = nil,
            decoder: PacketDecoder = PacketDecoder()) -> Decoded {
    var packet = DecodedPacket()
    let payload = bytes.withUnsafeBytes { raw -> [UInt8] in
        decoder.decode(ByteView(raw), linkType: linkType, originalLength: originalLength ?? bytes.count, into: &packet)
        return packet.payload.copyBytes()
    }
    packet.payload = .empty // the view pointed into `bytes`' temporary buffer
    return Decoded(packet: packet, payload: payload)
}

func ip(_ text: String) -> IPAddress {
    IPAddress(text) ?? IPAddress(ipv4: 0xDEAD_BEEF)
}

extension DecodeStatus {
    var issue: DecodeIssue? {
        if case .malformed(let issue) = self { return issue }
        return nil
    }
}

// MARK: Building blocks shared by several suites, each commented per field.

/// Ethernet II header, 02:00:00:00:00:02 → 02:00:00:00:00:01.
func ethernetHeader(type: UInt16) -> [UInt8] {
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // destination MAC
     0x02, 0x00, 0x00, 0x00, 0x00, 0x02,   // source MAC
     UInt8(type >> 8), UInt8(type & 0xff)] // ethertype
}

/// IPv4 header without options, 10.0.0.2 → 192.0.2.10, TTL 64, DF.
func ipv4Header(totalLength: Int, protocol proto: UInt8, source: [UInt8] = [10, 0, 0, 2],
                destination: [UInt8] = [192, 0, 2, 10], flagsFragment: UInt16 = 0x4000) -> [UInt8] {
    var h: [UInt8] = [
        0x45,                                              // version 4, IHL 5
        0x00,                                              // DSCP/ECN
        UInt8(totalLength >> 8), UInt8(totalLength & 0xff), // total length
        0x12, 0x34,                                        // identification
        UInt8(flagsFragment >> 8), UInt8(flagsFragment & 0xff), // flags + fragment offset
        0x40,                                              // TTL 64
        proto,                                             // protocol
        0x00, 0x00,                                        // checksum (filled below)
    ]
    h += source + destination
    let sum = internetChecksum(h)
    h[10] = UInt8(sum >> 8)
    h[11] = UInt8(sum & 0xff)
    return h
}

/// IPv6 header 2001:db8::2 → 2001:db8:1::10, hop limit 64.
func ipv6Header(payloadLength: Int, nextHeader: UInt8, hopLimit: UInt8 = 64) -> [UInt8] {
    [0x60, 0x00, 0x00, 0x00,                                  // version 6, traffic class, flow label
     UInt8(payloadLength >> 8), UInt8(payloadLength & 0xff), // payload length
     nextHeader,                                             // next header
     hopLimit,                                               // hop limit
     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,    // source 2001:db8::2
     0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]    // destination 2001:db8:1::10
}

/// UDP header 40000 → 53 with the given length; checksum left 0 (RFC 768: none).
func udpHeader(length: Int, source: UInt16 = 40000, destination: UInt16 = 53) -> [UInt8] {
    [UInt8(source >> 8), UInt8(source & 0xff),           // source port
     UInt8(destination >> 8), UInt8(destination & 0xff), // destination port
     UInt8(length >> 8), UInt8(length & 0xff),           // length
     0x00, 0x00]                                         // checksum
}

/// A 20-byte TCP SYN 51000 → 443, seq 0x01020304, window 64240.
func tcpSYN(source: UInt16 = 51000, destination: UInt16 = 443) -> [UInt8] {
    [UInt8(source >> 8), UInt8(source & 0xff),           // source port
     UInt8(destination >> 8), UInt8(destination & 0xff), // destination port
     0x01, 0x02, 0x03, 0x04,                             // sequence number
     0x00, 0x00, 0x00, 0x00,                             // acknowledgment number
     0x50,                                               // data offset 5, reserved
     0x02,                                               // flags: SYN
     0xfa, 0xf0,                                         // window 64240
     0x00, 0x00,                                         // checksum
     0x00, 0x00]                                         // urgent pointer
}

/// RFC 1071 ones'-complement sum, for realistic IPv4 header checksums.
func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    var i = 0
    while i + 1 < bytes.count {
        sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
        i += 2
    }
    if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
    while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
    return ~UInt16(sum)
}
