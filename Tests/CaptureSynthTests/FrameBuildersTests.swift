import Testing
@testable import CaptureSynth

@Suite struct FrameBuildersTests {
    let client = HostAddress("10.1.0.4")!
    let server = HostAddress("20.190.160.20")!

    @Test func tcpSYNWithLinuxOptions() {
        let fields = TCPFields(sourcePort: 0xc350, destinationPort: 443, sequence: 0x0102_0304, flags: .syn, window: 64_240,
                               options: TCPOption.linuxSYN(timestamp: 0x0a0b_0c0d))
        let s = TCPSegment.build(fields, payload: [], source: client, destination: server)
        #expect(s.count == 40)
        #expect(Array(s[0..<16]) == [
            0xc3, 0x50, 0x01, 0xbb,  // ports 50000 → 443
            0x01, 0x02, 0x03, 0x04,  // seq
            0x00, 0x00, 0x00, 0x00,  // ack
            0xa0, 0x02,              // data offset 10 words, SYN
            0xfa, 0xf0,              // window 64240
        ])
        #expect(Array(s[18..<40]) == [
            0x00, 0x00,                          // urgent pointer
            0x02, 0x04, 0x05, 0xb4,              // MSS 1460
            0x04, 0x02,                          // SACK permitted
            0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0x00, 0x00, 0x00,  // timestamps
            0x01,                                // NOP
            0x03, 0x03, 0x07,                    // window scale 7
        ])
        #expect(verifies(s, proto: IPProtocolNumber.tcp, from: client, to: server))
    }

    /// RFC 1071 §1: summing the data together with its checksum gives all ones.
    func verifies(_ segment: [UInt8], proto: UInt8, from a: HostAddress, to b: HostAddress) -> Bool {
        var c = InternetChecksum()
        c.add(a.bytes); c.add(b.bytes)
        if a.isIPv4 { c.add(u16: UInt16(proto)); c.add(u16: UInt16(segment.count)) } else { c.add(u32: UInt32(segment.count)); c.add(u32: UInt32(proto)) }
        c.add(segment)
        return c.value == 0
    }

    @Test func ipv4FragmentsCarryOffsetsInEightByteUnits() {
        let f = IPv4Fields(source: 0x0a01_0004, destination: 0x0a01_0005, protocolNumber: IPProtocolNumber.udp)
        let parts = IPv4Packet.fragments(f, payload: [UInt8](repeating: 7, count: 30), maxData: 20)
        #expect(parts.count == 2)
        #expect(Array(parts[0][6..<8]) == [0x20, 0x00])  // MF, offset 0
        #expect(parts[0].count == 20 + 16)               // 20 rounded down to 16
        #expect(Array(parts[1][6..<8]) == [0x00, 0x02])  // last fragment, offset 2 (16 bytes)
        #expect(parts[1].count == 20 + 14)
        for p in parts { #expect(InternetChecksum.of(p[0..<20]) == 0) }
    }

    @Test func ipv4OptionsArePaddedAndCounted() {
        var f = IPv4Fields(source: 1, destination: 2, protocolNumber: IPProtocolNumber.tcp)
        f.options = [0x94, 0x04, 0x00, 0x00, 0x01]  // router alert + NOP → padded to 8
        let p = IPv4Packet.build(f, payload: [])
        #expect(p[0] == 0x47)  // IHL 7 words
        #expect(Array(p[20..<28]) == [0x94, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
    }

    @Test func ipv6ExtensionHeaderChain() {
        var f = IPv6Fields(source: HostAddress("fd00:1::5")!.bytes, destination: HostAddress("2001:db8::1")!.bytes, nextHeader: IPProtocolNumber.udp)
        f.extensionHeaders = [.hopByHop(options: []), .destinationOptions(options: [0x1e, 0x01, 0xaa]),
                              .fragment(offset: 0, moreFragments: false, identification: 0xdead_beef)]
        let p = IPv6Packet.build(f, payload: [1, 2])
        #expect(p[6] == IPProtocolNumber.hopByHop)
        #expect(Array(p[4..<6]) == [0x00, 26])  // 8 + 8 + 8 + 2
        #expect(Array(p[40..<48]) == [60, 0, 0x01, 0x04, 0, 0, 0, 0])          // → dest opts, len 0, PadN(4)
        #expect(Array(p[48..<56]) == [44, 0, 0x1e, 0x01, 0xaa, 0x01, 0x01, 0x00]) // → fragment, option, PadN(1)
        #expect(Array(p[56..<64]) == [17, 0, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef]) // → UDP, offset 0, M=0
        #expect(Array(p[64...]) == [1, 2])
    }

    @Test func ethernetWithSingleTagAndQinQ() {
        let mac1 = MACAddress(1, 2, 3, 4, 5, 6), mac2 = MACAddress(7, 8, 9, 10, 11, 12)
        let single = LinkFrame.ethernet(destination: mac1, source: mac2, vlanTags: [VLANTag(identifier: 100, priority: 3)],
                                        etherType: EtherType.ipv4, payload: [0x45])
        #expect(single == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x60, 0x64, 0x08, 0x00, 0x45])
        let qinq = LinkFrame.ethernet(destination: mac1, source: mac2, vlanTags: [VLANTag(identifier: 200), VLANTag(identifier: 10)],
                                      etherType: EtherType.ipv6, payload: [])
        #expect(Array(qinq[12...]) == [0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd])
    }

    @Test func cookedHeaders() {
        let mac = MACAddress(0x00, 0x0d, 0x3a, 0x10, 0x00, 0x04)
        #expect(LinkFrame.linuxSLL(packetType: .outgoing, address: mac, protocolType: EtherType.ipv4, payload: [0x45]) == [
            0x00, 0x04,  // outgoing
            0x00, 0x01,  // ARPHRD_ETHER
            0x00, 0x06,  // address length
            0x00, 0x0d, 0x3a, 0x10, 0x00, 0x04, 0x00, 0x00,
            0x08, 0x00,
            0x45,
        ])
        #expect(LinkFrame.linuxSLL2(protocolType: EtherType.ipv6, interfaceIndex: 3, packetType: .host, address: mac, payload: []) == [
            0x86, 0xdd, 0x00, 0x00,  // protocol, reserved
            0x00, 0x00, 0x00, 0x03,  // ifindex
            0x00, 0x01,              // ARPHRD_ETHER
            0x00,                    // to us
            0x06,                    // address length
            0x00, 0x0d, 0x3a, 0x10, 0x00, 0x04, 0x00, 0x00,
        ])
        #expect(LinkFrame.bsdNull(isIPv6: false, byteOrder: .littleEndian, payload: []) == [2, 0, 0, 0])
        #expect(LinkFrame.bsdNull(isIPv6: true, byteOrder: .bigEndian, payload: []) == [0, 0, 0, 30])
    }

    @Test func icmpv4AdminProhibitedQuotesHeaderPlusEightBytes() {
        let syn = IPPacket.build(source: client, destination: server, protocolNumber: IPProtocolNumber.tcp,
                                 payload: TCPSegment.build(TCPFields(sourcePort: 1, destinationPort: 443, sequence: 9, flags: .syn),
                                                           payload: [], source: client, destination: server))
        let m = ICMPMessage.ipv4DestinationUnreachable(code: .administrativelyProhibited, original: syn)
        #expect(m.count == 8 + 20 + 8)
        #expect(Array(m[0..<2]) == [3, 13])
        #expect(Array(m[8...]) == Array(syn[0..<28]))
        #expect(InternetChecksum.of(m) == 0)
    }

    @Test func icmpv6UnreachableChecksumIncludesPseudoHeader() {
        let a = HostAddress("fd00:1::1")!, b = HostAddress("fd00:1::5")!
        let m = ICMPMessage.ipv6DestinationUnreachable(code: .port, original: [0x60, 0, 0, 0], source: a, destination: b)
        #expect(Array(m[0..<2]) == [1, 4])
        #expect(verifies(m, proto: IPProtocolNumber.icmpv6, from: a, to: b))
    }

    @Test func hostAddressText() {
        #expect(HostAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(HostAddress("10.1.0.4") == .v4(0x0a01_0004))
        #expect(HostAddress("not-an-address") == nil)
    }
}
