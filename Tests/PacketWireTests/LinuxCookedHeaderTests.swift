import Testing
@testable import PacketWire

@Suite struct LinuxCookedHeaderTests {
    static let ipv4UDP: [UInt8] = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)

    @Test func sllVersion1() {
        let frame: [UInt8] = [
            0x00, 0x04,                                     // packet type 4: outgoing
            0x00, 0x01,                                     // ARPHRD_ETHER
            0x00, 0x06,                                     // link-layer address length 6
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, // address, padded to 8
            0x08, 0x00,                                     // protocol IPv4
        ] + Self.ipv4UDP
        let p = decode(frame, .linuxSLL).packet
        #expect(p.status == .decoded)
        #expect(p.linkDirection == .outgoing)
        #expect(p.networkOffset == 16 && p.source == ip("10.0.0.2") && p.destinationPort == 53)
    }

    @Test func sllVersion2() throws {
        let frame: [UInt8] = [
            0x86, 0xdd,                                     // protocol IPv6
            0x00, 0x00,                                     // reserved
            0x00, 0x00, 0x00, 0x03,                         // interface index 3
            0x00, 0x01,                                     // ARPHRD_ETHER
            0x00,                                           // packet type 0: to us
            0x06,                                           // address length 6
            0x02, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, // address
        ] + ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8, source: 53, destination: 40000)
        let p = decode(frame, .linuxSLL2).packet
        #expect(p.status == .decoded)
        #expect(p.linkDirection == .toHost)
        #expect(p.networkOffset == 20 && p.network == .ipv6)
        #expect(p.source == ip("2001:db8::2") && p.destination == ip("2001:db8:1::10"))
        #expect(p.sourcePort == 53 && p.destinationPort == 40000)
        try frame.withUnsafeBytes { raw in
            let h = try #require(LinuxCookedHeader(ByteView(raw), at: 0, version2: true))
            #expect(h.interfaceIndex == 3 && h.arphrdType == 1 && h.protocolType == 0x86dd)
        }
    }

    @Test func sllCarryingLLCIsNotDecoded() {
        let frame: [UInt8] = [
            0x00, 0x01, 0x00, 0x01, 0x00, 0x06,             // broadcast, ARPHRD_ETHER, address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, // address
            0x00, 0x04,                                     // protocol 4: 802.2 LLC frame follows
            0x42, 0x42, 0x03,
        ]
        let p = decode(frame, .linuxSLL).packet
        #expect(p.status == .notDecoded(.llcFrame))
        #expect(p.linkDirection == .broadcast)
    }

    @Test func netlinkMonitorFramesAreNotDecoded() {
        let frame: [UInt8] = [
            0x00, 0x04,                                     // outgoing
            0x03, 0x38,                                     // ARPHRD_NETLINK (824)
            0x00, 0x00,                                     // no address
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // address
            0x00, 0x00,                                     // netlink family 0 (NETLINK_ROUTE)
        ] + [UInt8](repeating: 0, count: 16)
        #expect(decode(frame, .linuxSLL).packet.status == .notDecoded(.unsupportedLinkType))
    }

    @Test func shortHeadersAreMalformed() {
        let p = decode([UInt8](repeating: 0, count: 19), .linuxSLL2).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .link, offset: 0, needed: 20, had: 19, reason: .headerTruncated)))
    }
}
