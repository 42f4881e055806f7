import Testing
@testable import PacketWire

/// The fragment facts the decoder records for first and later IP fragments:
/// identification, byte offset, M flag, where the fragment's data is and how
/// long the length fields say it is, and the fragmentable part's protocol.
@Suite struct FragmentFactsTests {
    @Test func ipv4FirstFragment() {
        // UDP datagram split at 24 bytes: IPv4 header (id 0x1234, MF, offset 0) + 24 data bytes.
        let frame = ipv4Header(totalLength: 44, protocol: 17, flagsFragment: 0x2000) // MF, offset 0
            + udpHeader(length: 1480, destination: 4500)                        // 8 bytes of UDP header
            + [UInt8](repeating: 0xab, count: 16)                               // 16 bytes of UDP payload
        let p = decode(frame, .ipv4).packet
        #expect(p.fragment == .first)
        #expect(p.fragmentFacts == FragmentFacts(identification: 0x1234, offset: 0, moreFragments: true,
                                                 dataOffset: 20, dataLength: 24, protocolNumber: 17))
    }

    @Test func ipv4LaterFragmentBehindEthernetPadding() {
        // Ethernet (14) + IPv4 (20, total length 28, offset 185 × 8 = 1480, M = 0) + 8 data bytes,
        // padded to the 60-byte Ethernet minimum: the padding is not fragment data.
        var frame = ethernetHeader(type: 0x0800)
            + ipv4Header(totalLength: 28, protocol: 17, flagsFragment: 0x00b9) // offset 185, no MF
            + [1, 2, 3, 4, 5, 6, 7, 8]                                         // fragment data
        frame += [UInt8](repeating: 0, count: 60 - frame.count)               // Ethernet padding
        let p = decode(frame, .ethernet).packet
        #expect(p.status == .notDecoded(.laterFragment))
        #expect(p.fragmentFacts == FragmentFacts(identification: 0x1234, offset: 1480, moreFragments: false,
                                                 dataOffset: 34, dataLength: 8, protocolNumber: 17))
    }

    @Test func ipv4HeaderWithOptionsMovesTheData() {
        // IHL 6: one 4-byte option (NOP ×3, EOL) before the data; offset 0x0003 × 8 = 24, MF set.
        var header = ipv4Header(totalLength: 32, protocol: 6, flagsFragment: 0x2003)
        header[0] = 0x46                     // version 4, IHL 6
        header += [0x01, 0x01, 0x01, 0x00]   // options: NOP NOP NOP EOL
        let p = decode(header + [UInt8](repeating: 0xcd, count: 8), .ipv4).packet
        #expect(p.fragment == .later)
        #expect(p.fragmentFacts == FragmentFacts(identification: 0x1234, offset: 24, moreFragments: true,
                                                 dataOffset: 24, dataLength: 8, protocolNumber: 6))
    }

    @Test func ipv4SnaplenCutKeepsTheDeclaredLength() {
        // Total length 44 declares 24 data bytes; the capture kept only 10 of them.
        let full = ipv4Header(totalLength: 44, protocol: 17, flagsFragment: 0x2000)
            + udpHeader(length: 1480) + [UInt8](repeating: 0xab, count: 16)
        let p = decode(Array(full.prefix(30)), .ipv4, originalLength: 44).packet
        #expect(p.truncated && p.fragment == .first)
        #expect(p.fragmentFacts.dataOffset == 20 && p.fragmentFacts.dataLength == 24)
    }

    @Test func ipv6FirstFragmentAfterHopByHop() {
        // IPv6 → hop-by-hop (8) → Fragment (id 0xdeadbeef, offset 0, M) → UDP (12 bytes of data here).
        let chain = IPv6HeaderTests.hopByHop(next: 44) + IPv6HeaderTests.fragment(next: 17, offset: 0, more: true)
        let p = decode(IPv6HeaderTests.packet(chain: chain, firstNext: 0), .ipv6).packet
        #expect(p.status == .decoded && p.fragment == .first && p.destinationPort == 443)
        #expect(p.fragmentFacts == FragmentFacts(identification: 0xdead_beef, offset: 0, moreFragments: true,
                                                 dataOffset: 40 + 8 + 8, dataLength: 12, protocolNumber: 17))
    }

    @Test func ipv6LaterFragment() {
        // IPv6 → Fragment (offset 185 × 8 = 1480, M = 0, next header 60 as sent) → 16 data bytes.
        let p = decode(IPv6HeaderTests.packet(chain: IPv6HeaderTests.fragment(next: 60, offset: 185, more: false),
                                              firstNext: 44, tail: [UInt8](repeating: 7, count: 16)), .ipv6).packet
        #expect(p.status == .notDecoded(.laterFragment))
        #expect(p.fragmentFacts == FragmentFacts(identification: 0xdead_beef, offset: 1480, moreFragments: false,
                                                 dataOffset: 48, dataLength: 16, protocolNumber: 60))
    }

    @Test func atomicFragmentAndUnfragmentedPacketsHaveNoFacts() {
        // RFC 6946 atomic fragment: offset 0, M = 0 — a whole datagram.
        let atomic = decode(IPv6HeaderTests.packet(chain: IPv6HeaderTests.fragment(next: 17, offset: 0, more: false),
                                                   firstNext: 44), .ipv6).packet
        #expect(atomic.fragment == .none && atomic.fragmentFacts == FragmentFacts())
        let whole = decode(ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8), .ipv4).packet
        #expect(whole.fragment == .none && whole.fragmentFacts == FragmentFacts())
    }

    @Test func reusedPacketForgetsEarlierFacts() {
        var packet = DecodedPacket()
        let fragment = ipv4Header(totalLength: 28, protocol: 17, flagsFragment: 0x00b9) + [UInt8](repeating: 0, count: 8)
        let whole = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        fragment.withUnsafeBytes { PacketDecoder().decode(ByteView($0), linkType: .ipv4, originalLength: 28, into: &packet) }
        #expect(packet.fragmentFacts.offset == 1480)
        whole.withUnsafeBytes { PacketDecoder().decode(ByteView($0), linkType: .ipv4, originalLength: 28, into: &packet) }
        #expect(packet.fragmentFacts == FragmentFacts())
        packet.payload = .empty
    }
}
