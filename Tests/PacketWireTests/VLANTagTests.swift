import Testing
@testable import PacketWire

@Suite struct VLANTagTests {
    /// IPv4/UDP 10.0.0.2:40000 → 192.0.2.10:53 with a 4-byte payload, after the tags.
    static let ipv4UDP: [UInt8] = ipv4Header(totalLength: 32, protocol: 17) + udpHeader(length: 12) + [0xca, 0xfe, 0xba, 0xbe]

    @Test func singleTag() {
        let frame: [UInt8] = [
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // destination MAC
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // source MAC
            0x81, 0x00,                         // TPID 802.1Q
            0xa0, 0x64,                         // PCP 5, DEI 0, VID 100
            0x08, 0x00,                         // inner ethertype IPv4
        ] + Self.ipv4UDP
        let d = decode(frame, .ethernet)
        #expect(d.packet.status == .decoded)
        #expect(d.packet.vlanCount == 1 && d.packet.vlanID == 100)
        #expect(d.packet.encapsulations == [.vlan])
        #expect(d.packet.networkOffset == 18)
        #expect(d.packet.sourcePort == 40000 && d.packet.destinationPort == 53)
        #expect(d.payload == [0xca, 0xfe, 0xba, 0xbe])
    }

    @Test func twoTagsOf8021Q() {
        let frame: [UInt8] = ethernetHeader(type: 0x8100) + [
            0x00, 0x0a, // VID 10
            0x81, 0x00, // next TPID 802.1Q
            0x00, 0x14, // VID 20
            0x08, 0x00, // IPv4
        ] + Self.ipv4UDP
        let p = decode(frame, .ethernet).packet
        #expect(p.status == .decoded)
        #expect(p.vlanCount == 2 && p.vlanID == 10 && p.networkOffset == 22)
    }

    @Test(arguments: [UInt16(0x88a8), 0x9100])
    func qinqOuterTag(outer: UInt16) {
        let frame: [UInt8] = ethernetHeader(type: outer) + [
            0x0f, 0xff, // S-tag VID 4095
            0x81, 0x00, // C-tag TPID
            0x00, 0x07, // C-tag VID 7
            0x86, 0xdd, // IPv6
        ] + ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8)
        let p = decode(frame, .ethernet).packet
        #expect(p.status == .decoded)
        #expect(p.vlanCount == 2 && p.vlanID == 4095)
        #expect(p.network == .ipv6 && p.transport == .udp)
    }

    @Test func tagFields() throws {
        let bytes: [UInt8] = [0xa0, 0x64, 0x86, 0xdd] // PCP 5, VID 100, inner IPv6
        try bytes.withUnsafeBytes { raw in
            let tag = try #require(VLANTag(ByteView(raw), at: 0))
            #expect(tag.priority == 5 && tag.vlanID == 100 && tag.innerEtherType == 0x86dd)
        }
        #expect(VLANTag.isTagType(0x8100) && VLANTag.isTagType(0x88a8) && VLANTag.isTagType(0x9100))
        #expect(!VLANTag.isTagType(0x0800))
    }

    @Test func stackDeeperThanTheCapIsMalformed() {
        // Nine 802.1Q tags, each pointing at another.
        var frame = ethernetHeader(type: 0x8100)
        for vid in 1...9 { frame += [0x00, UInt8(vid), 0x81, 0x00] }
        frame += Self.ipv4UDP
        let p = decode(frame, .ethernet).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .vlan, offset: 14 + 8 * 4, needed: 8, had: 9,
                                                   reason: .vlanStackTooDeep)))
    }

    @Test func tagStackRunningOffTheWireIsMalformed() {
        let frame: [UInt8] = ethernetHeader(type: 0x8100) + [0x00, 0x0a] // half a tag
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .vlan, offset: 14, needed: 4, had: 2, reason: .headerTruncated)))
    }
}
