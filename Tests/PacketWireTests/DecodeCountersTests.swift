import Testing
@testable import PacketWire

@Suite struct DecodeCountersTests {
    @Test func countsByOutcome() {
        var c = DecodeCounters()
        let frames: [([UInt8], LinkType, Int?)] = [
            (EthernetFrameTests.synFrame, .ethernet, nil),                                              // decoded TCP v4
            (VLANTagTests.ipv4UDP, .raw, nil),                                                          // decoded UDP v4
            (IPv6HeaderTests.packet(chain: [], firstNext: 17), .ipv6, nil),                             // decoded UDP v6
            (ICMPMessageTests.icmpv4Error(type: 3, code: 3, quoting: ICMPMessageTests.quotedUDP), .ipv4, nil), // ICMP
            (ipv4Header(totalLength: 28, protocol: 17, flagsFragment: 0x00b9) + [UInt8](repeating: 0, count: 8), .ipv4, nil), // later fragment
            (ethernetHeader(type: 0x0806) + [UInt8](repeating: 0, count: 28), .ethernet, nil),          // ARP
            ([0x43] + Array(VLANTagTests.ipv4UDP.dropFirst()), .ipv4, nil),                             // IHL 3
            (Array(EthernetFrameTests.synFrame.prefix(40)), .ethernet, 58),                             // truncated
            ([1, 2, 3], LinkType(rawValue: 147), nil),                                                  // unsupported link
            (TunnelsTests.vxlan(inner: ethernetHeader(type: 0x0800) + TunnelsTests.innerIPv4SYN), .ethernet, nil),
        ]
        for (bytes, link, original) in frames {
            let p = decode(bytes, link, originalLength: original).packet
            c.record(p, wireLength: original ?? bytes.count)
        }
        #expect(c.packets == 10)
        #expect(c.bytes == frames.reduce(0) { $0 + ($1.2 ?? $1.0.count) })
        #expect(c.decoded == 6 && c.notDecoded == 3 && c.malformed == 1)
        #expect(c.count(notDecoded: .laterFragment) == 1 && c.count(notDecoded: .arp) == 1)
        #expect(c.count(notDecoded: .unsupportedLinkType) == 1)
        #expect(c.count(malformed: .ipv4, .headerLengthTooSmall) == 1)
        #expect(c.ipv4 == 6 && c.ipv6 == 1)
        #expect(c.tcp == 3 && c.udp == 2 && c.icmp == 1 && c.icmpv6 == 0)
        #expect(c.laterFragments == 1 && c.truncated == 1 && c.tunneled == 1)
        #expect(c.count(linkType: .ethernet) == 4 && c.count(linkType: .ipv4) == 3 && c.count(linkType: LinkType(rawValue: 147)) == 1)
        #expect(c.notDecodedBreakdown.map(\.reason) == [.unsupportedLinkType, .arp, .laterFragment])
        #expect(c.malformedBreakdown.count == 1 && c.malformedBreakdown.first?.layer == .ipv4)

        var twice = c
        twice.merge(c)
        #expect(twice.packets == 20 && twice.count(notDecoded: .arp) == 2 && twice.count(linkType: .ethernet) == 8)
        #expect(twice.count(malformed: .ipv4, .headerLengthTooSmall) == 2)
    }

    @Test func unknownLinkTypesShareTheOtherSlot() {
        var c = DecodeCounters()
        c.record(decode([0], LinkType(rawValue: 147)).packet, wireLength: 1)
        c.record(decode([0], LinkType(rawValue: 148)).packet, wireLength: 1)
        #expect(c.count(linkType: LinkType(rawValue: 147)) == 2)
        // Named by the last one seen: the report says "unsupported link type 148 (DLT_148)".
        #expect(c.linkTypeBreakdown.count == 1 && c.linkTypeBreakdown.first?.linkType == LinkType(rawValue: 148))
        // One in the list but not decoded has a slot of its own, with libpcap's name.
        c.record(decode([0], LinkType(rawValue: 105)).packet, wireLength: 1)
        #expect(c.linkTypeBreakdown.map { $0.linkType?.name } == ["DLT_148", "IEEE802_11"])
        #expect(c.count(notDecoded: .unsupportedLinkType) == 3)
    }
}
