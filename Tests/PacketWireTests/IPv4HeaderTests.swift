import Testing
@testable import PacketWire

@Suite struct IPv4HeaderTests {
    @Test func optionsAreSkipped() {
        let packet: [UInt8] = [
            0x46,                   // version 4, IHL 6 (24 bytes)
            0x00,
            0x00, 0x24,             // total length 36 = 24 + 8 UDP + 4 data
            0x00, 0x01,             // identification
            0x00, 0x00,             // no flags
            0x01,                   // TTL 1
            0x11,                   // protocol UDP
            0x00, 0x00,             // checksum
            0xc0, 0xa8, 0x01, 0x64, // source 192.168.1.100
            0xe0, 0x00, 0x00, 0xfb, // destination 224.0.0.251
            0x94, 0x04, 0x00, 0x00, // option: router alert (RFC 2113)
            0x14, 0xe9, 0x14, 0xe9, // UDP 5353 → 5353
            0x00, 0x0c, 0x00, 0x00, // UDP length 12, checksum
            0x01, 0x02, 0x03, 0x04, // data
        ]
        let d = decode(packet, .raw)
        #expect(d.packet.status == .decoded)
        #expect(d.packet.source == ip("192.168.1.100") && d.packet.destination == ip("224.0.0.251"))
        #expect(d.packet.ttl == 1 && d.packet.transportOffset == 24)
        #expect(d.packet.sourcePort == 5353 && d.packet.destinationPort == 5353)
        #expect(d.payload == [1, 2, 3, 4] && d.packet.payloadOffset == 32)
    }

    @Test func firstFragmentDecodesItsTransportHeader() {
        // UDP datagram of 1480 bytes split in two; this first fragment holds 24 of them.
        let frame = ipv4Header(totalLength: 44, protocol: 17, flagsFragment: 0x2000) // MF, offset 0
            + udpHeader(length: 1480, destination: 4500) + [UInt8](repeating: 0xab, count: 16)
        let d = decode(frame, .ipv4)
        #expect(d.packet.status == .decoded)
        #expect(d.packet.fragment == .first)
        #expect(d.packet.destinationPort == 4500)
        #expect(d.payload.count == 16)
        #expect(!d.packet.truncated)
    }

    @Test func tinyFirstFragmentStopsInsideTCPWithoutBeingMalformed() {
        // RFC 1858's tiny fragment: only 8 bytes of the TCP header in the first fragment.
        let frame = ipv4Header(totalLength: 28, protocol: 6, flagsFragment: 0x2000) + Array(tcpSYN().prefix(8))
        let p = decode(frame, .ipv4).packet
        #expect(p.status == .decoded && p.fragment == .first && !p.truncated)
        #expect(p.hasPorts && p.destinationPort == 443 && !p.tcp.hasHeader)
        #expect(p.stop == DecodeIssue(layer: .tcp, offset: 20, needed: 20, had: 8, reason: .headerTruncated))
    }

    @Test func laterFragmentIsNotDecoded() {
        let frame = ipv4Header(totalLength: 28, protocol: 17, flagsFragment: 0x00b9) // offset 185 × 8 = 1480
            + [UInt8](repeating: 0xab, count: 8)
        let p = decode(frame, .ipv4).packet
        #expect(p.status == .notDecoded(.laterFragment))
        #expect(p.fragment == .later && p.network == .ipv4 && p.transport == .none)
        #expect(p.source == ip("10.0.0.2"))
    }

    @Test func lastFragmentWithoutMoreFragmentsIsStillLater() {
        let frame = ipv4Header(totalLength: 28, protocol: 6, flagsFragment: 0x0001) + [UInt8](repeating: 0, count: 8)
        #expect(decode(frame, .ipv4).packet.fragment == .later)
    }

    @Test func rawLinkPicksTheFamilyFromTheVersionNibble() {
        let v4 = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        let v6 = ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8)
        for link in [LinkType.raw, .rawOpenBSD, .rawLinkType] {
            #expect(decode(v4, link).packet.network == .ipv4)
            #expect(decode(v6, link).packet.network == .ipv6)
        }
        #expect(decode([0x50] + v4.dropFirst(), .raw).packet.status
            == .malformed(DecodeIssue(layer: .link, offset: 0, needed: 4, had: 5, reason: .unknownIPVersion)))
    }

    @Test func otherProtocolIsNotDecodedButAddressed() {
        let frame = ipv4Header(totalLength: 28, protocol: 89) + [UInt8](repeating: 0, count: 8) // OSPF
        let p = decode(frame, .ipv4).packet
        #expect(p.status == .notDecoded(.otherIPProtocol))
        #expect(p.transport == .other && p.ipProtocol == 89 && p.destination == ip("192.0.2.10"))
    }

    // MARK: Malformed

    @Test func headerLengthBelowFiveWords() {
        var frame = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        frame[0] = 0x43 // IHL 3
        #expect(decode(frame, .ipv4).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 0, needed: 5, had: 3, reason: .headerLengthTooSmall)))
        #expect(DecodeIssue(layer: .ipv4, offset: 0, needed: 5, had: 3, reason: .headerLengthTooSmall).detail
            == "header length 3 words < 5")
    }

    @Test func headerLengthPastTheEnd() {
        var frame = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        frame[0] = 0x4f // IHL 15 = 60 bytes, but total length is 28
        #expect(decode(frame, .ipv4).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 0, needed: 60, had: 28, reason: .totalLengthTooSmall)))
        // With a total length that covers it, the frame itself runs out: still malformed, now as a length lie.
        var lying = frame
        lying[2] = 0x00
        lying[3] = 0x40 // total length 64 > the 28 bytes on the wire
        #expect(decode(lying, .ipv4).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 0, needed: 64, had: 28, reason: .lengthExceedsEnclosing)))
    }

    @Test func totalLengthBeyondTheWireIsMalformed() {
        let frame = ethernetHeader(type: 0x0800) + ipv4Header(totalLength: 1500, protocol: 17) + udpHeader(length: 8)
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 14, needed: 1500, had: 28, reason: .lengthExceedsEnclosing)))
    }

    @Test func totalLengthBeyondTheWireStillYieldsAddressesAndPorts() {
        let frame = ipv4Header(totalLength: 122, protocol: 6) + tcpSYN(destination: 58999)
        let p = decode(frame, .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .ipv4, offset: 0, needed: 122, had: 40, reason: .lengthExceedsEnclosing)))
        #expect(p.source == ip("10.0.0.2") && p.hasPorts && p.destinationPort == 58999 && p.tcp.flags == [.syn])
    }

    @Test func totalLengthZeroIsTakenFromTheFrame() {
        // Captured on the sender with TCP segmentation offload: the NIC writes the length later.
        let frame = ipv4Header(totalLength: 0, protocol: 6) + tcpSYN() + Array("GET".utf8)
        let d = decode(frame, .ipv4)
        #expect(d.packet.status == .decoded && d.packet.destinationPort == 443)
        #expect(d.payload == Array("GET".utf8))
    }

    @Test func totalLengthBeyondTheCaptureIsTruncated() {
        // 1500-byte datagram captured with a 96-byte snaplen.
        let full = ethernetHeader(type: 0x0800) + ipv4Header(totalLength: 1500, protocol: 17)
            + udpHeader(length: 1480) + [UInt8](repeating: 0x55, count: 1472)
        let d = decode(Array(full.prefix(96)), .ethernet, originalLength: full.count)
        #expect(d.packet.status == .decoded && d.packet.truncated)
        #expect(d.packet.stop == nil) // headers complete; only the payload was cut
        #expect(d.packet.destinationPort == 53 && d.payload.count == 96 - 42)
    }

    @Test func totalLengthBelowHeaderLength() {
        let frame = ipv4Header(totalLength: 12, protocol: 17) + udpHeader(length: 8)
        #expect(decode(frame, .ipv4).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 0, needed: 20, had: 12, reason: .totalLengthTooSmall)))
    }

    @Test func versionSixInsideAnIPv4Ethertype() {
        let frame = ethernetHeader(type: 0x0800) + ipv6Header(payloadLength: 0, nextHeader: 59)
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .ipv4, offset: 14, needed: 4, had: 6, reason: .wrongVersion)))
    }

    @Test func optionsCutBySnaplenKeepAddresses() {
        var header = ipv4Header(totalLength: 60, protocol: 6)
        header[0] = 0x4a // IHL 10: 20 bytes of options follow
        let p = decode(header + [0x01, 0x01], .ipv4, originalLength: 60).packet
        #expect(p.status == .decoded && p.truncated)
        #expect(p.source == ip("10.0.0.2"))
        #expect(p.stop == DecodeIssue(layer: .ipv4, offset: 0, needed: 40, had: 22, reason: .headerTruncated))
        #expect(p.transport == .none)
    }

    @Test func fieldAccessors() throws {
        let header = ipv4Header(totalLength: 1500, protocol: 6, flagsFragment: 0x2001)
        try header.withUnsafeBytes { raw in
            let h = try #require(IPv4Header(ByteView(raw), at: 0))
            #expect(h.version == 4 && h.ihl == 5 && h.totalLength == 1500 && h.identification == 0x1234)
            #expect(h.moreFragments && !h.dontFragment && h.fragmentOffset == 1 && h.fragmentKind == .later)
        }
        #expect(internetChecksum(header) == 0) // a header with its checksum sums to zero (RFC 1071)
    }
}
