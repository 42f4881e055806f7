import TestSupport
import Testing
@testable import PacketWire

@Suite struct PacketDecoderTests {
    static let allLinkTypes: [LinkType] = [
        .null, .ethernet, .raw, .rawOpenBSD, .rawLinkType, .loop, .linuxSLL, .ipv4, .ipv6, .nflog, .linuxSLL2,
        .ppp, .pppSerial, .pppEther, .ciscoHDLC, .pflog, LinkType(rawValue: 147),
    ]

    /// Valid frames per link type, mutated by the fuzzer so it reaches deep layers.
    static func seeds(for link: LinkType) -> [[UInt8]] {
        let v4 = [
            ipv4Header(totalLength: 40, protocol: 6) + tcpSYN(),
            ICMPMessageTests.icmpv4Error(type: 3, code: 3, quoting: ICMPMessageTests.quotedUDP),
            TunnelsTests.gre([0xb0, 0x00, 0x65, 0x58, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2],
                             inner: ethernetHeader(type: 0x8100) + [0, 5, 0x08, 0x00] + TunnelsTests.innerIPv4SYN),
        ]
        let v6 = [
            IPv6HeaderTests.packet(chain: IPv6HeaderTests.hopByHop(next: 44) + IPv6HeaderTests.fragment(next: 51, offset: 0, more: true)
                + IPv6HeaderTests.authentication(next: 17), firstNext: 0),
            ipv6Header(payloadLength: 56, nextHeader: 58) + [1, 4, 0, 0, 0, 0, 0, 0]
                + ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8),
        ]
        switch link {
        case .ethernet:
            return [EthernetFrameTests.synFrame, TunnelsTests.vxlan(inner: ethernetHeader(type: 0x0800) + TunnelsTests.innerIPv4SYN),
                    TunnelsTests.pppoe(ppp: 0x0057, inner: TunnelsTests.innerIPv6UDP),
                    ethernetHeader(type: 0x8847) + [0, 1, 0x40, 0x40, 0, 1, 0x41, 0x40] + v6[0],
                    ethernetHeader(type: 0x88a8) + [0, 1, 0x81, 0x00, 0, 2, 0x86, 0xdd] + v6[1]]
        case .linuxSLL:
            return (v4 + v6).map { [0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, $0[0] >> 4 == 4 ? 0x08 : 0x86, $0[0] >> 4 == 4 ? 0x00 : 0xdd] + $0 }
        case .linuxSLL2:
            return (v4 + v6).map { [$0[0] >> 4 == 4 ? 0x08 : 0x86, $0[0] >> 4 == 4 ? 0x00 : 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6,
                                    2, 0, 0, 0, 0, 2, 0, 0] + $0 }
        case .null, .loop:
            return v4.map { [2, 0, 0, 0] + $0 } + v6.map { [0, 0, 0, 30] + $0 }
        case .ipv4: return v4
        case .ipv6: return v6
        case .ppp, .pppSerial: return v4.map { LinkLayerTests.ppp($0) } + v6.map { LinkLayerTests.ppp($0, compressed: true) }
        case .pppEther: return v4.map { [0x11, 0, 0, 1] + u16be($0.count + 2) + [0x00, 0x21] + $0 }
        case .ciscoHDLC: return v4.map { [0x0f, 0, 0x08, 0x00] + $0 } + v6.map { [0x8f, 0, 0x86, 0xdd] + $0 }
        case .pflog: return (v4 + v6).map { LinkLayerTests.pflog($0) }
        case .nflog: return v4.map { LinkLayerTests.nflog($0, family: 2, prefix: "drop") }
            + v6.map { LinkLayerTests.nflog($0, family: 10, bigEndian: true) }
        default: return v4 + v6
        }
    }

    @Test(arguments: allLinkTypes)
    func randomAndMutatedBytesNeverTrap(link: LinkType) {
        var rng = SplitMix64(seed: 0xe9e5_5a0d_17 &+ UInt64(link.rawValue))
        var packet = DecodedPacket()
        let decoder = PacketDecoder()
        let seeds = Self.seeds(for: link)
        var violations: [String] = []
        var statuses = Set<String>()
        for round in 0..<4000 {
            var frame: [UInt8]
            if round % 2 == 0 || seeds.isEmpty {
                frame = (0..<Int.random(in: 0...160, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                frame = seeds[round % seeds.count]
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    frame[Int.random(in: 0..<frame.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &rng))) }
            }
            // Wire lengths from a capture file are untrusted too: equal, larger, absurd, or smaller than the bytes.
            let original = switch round % 7 {
            case 0: Int.max
            case 1: frame.count - 1
            case 2, 3: frame.count + Int.random(in: 0...2000, using: &rng)
            default: frame.count
            }
            frame.withUnsafeBytes { raw in
                decoder.decode(ByteView(raw), linkType: link, originalLength: original, into: &packet)
                statuses.insert(packet.status.name)
                if packet.payloadOffset < 0 || packet.payloadOffset + packet.payload.count > raw.count {
                    violations.append("payload outside frame: round \(round)")
                }
                if packet.status.isDecoded && packet.network == .none {
                    violations.append("decoded without a network layer: round \(round)")
                }
                if let issue = packet.status.issue, issue.offset < 0 || issue.offset > max(raw.count, original) {
                    violations.append("issue offset \(issue.offset) outside frame: round \(round)")
                }
                if packet.tunnelDepth > decoder.maximumTunnelDepth || packet.vlanCount > decoder.maximumVLANTags + 1 {
                    violations.append("caps exceeded: round \(round)")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        if link.isSupported {
            #expect(statuses.contains("decoded") && statuses.contains("malformed"))
        }
    }

    @Test func decodeOverwritesEveryFieldOfAReusedPacket() {
        var packet = DecodedPacket()
        let decoder = PacketDecoder()
        let tunnelled = TunnelsTests.vxlan(inner: ethernetHeader(type: 0x8100) + [0, 9, 0x08, 0x00] + TunnelsTests.innerIPv4SYN)
        tunnelled.withUnsafeBytes { decoder.decode(ByteView($0), linkType: .ethernet, originalLength: 2000, into: &packet) }
        #expect(packet.tunnelDepth == 1 && packet.vlanCount == 1 && packet.transport == .tcp && packet.truncated)
        let arp = ethernetHeader(type: 0x0806) + [UInt8](repeating: 0, count: 28)
        arp.withUnsafeBytes { decoder.decode(ByteView($0), linkType: .ethernet, originalLength: $0.count, into: &packet) }
        var fresh = DecodedPacket()
        fresh.status = .notDecoded(.arp)
        fresh.etherType = 0x0806
        #expect(packet.status == fresh.status && packet.etherType == fresh.etherType)
        #expect(packet.tunnelDepth == 0 && packet.vlanCount == 0 && packet.vlanID == 0 && packet.encapsulations.isEmpty)
        #expect(packet.network == .none && packet.transport == .none && packet.sourcePort == 0 && !packet.truncated)
        #expect(packet.tcp == TCPFacts() && packet.icmp == ICMPFacts() && packet.payload.isEmpty && packet.stop == nil)
    }

    @Test func oneLineDescriptions() {
        #expect(decode(EthernetFrameTests.synFrame, .ethernet).packet.description == "tcp 10.1.2.3:51000 > 20.50.60.70:443 [S]")
        #expect(decode(ethernetHeader(type: 0x0806) + [UInt8](repeating: 0, count: 28), .ethernet).packet.description
            == "not-decoded arp")
        #expect(decode(IPv6HeaderTests.packet(chain: [], firstNext: 17), .ipv6).packet.description
            == "udp [2001:db8::2]:50000 > [2001:db8:1::10]:443")
        #expect(decode(TunnelsTests.vxlan(inner: ethernetHeader(type: 0x0800) + TunnelsTests.innerIPv4SYN), .ethernet)
            .packet.description == "tcp 172.16.0.5:51000 > 203.0.113.7:443 [S] tunnels=1")
        var ihl3 = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        ihl3[0] = 0x43
        #expect(decode(ihl3, .ipv4).packet.description == "malformed ipv4 at 0: header length 3 words < 5")
    }

    @Test func hundredThousandFramesThroughOneReusedPacket() {
        // The shape of the capture loop: one decoder, one packet, one counter set.
        let frames = [EthernetFrameTests.synFrame,
                      TunnelsTests.vxlan(inner: ethernetHeader(type: 0x0800) + TunnelsTests.innerIPv4SYN)]
        var packet = DecodedPacket()
        var counters = DecodeCounters()
        let decoder = PacketDecoder()
        var ports = 0
        for i in 0..<100_000 {
            frames[i & 1].withUnsafeBytes { raw in
                decoder.decode(ByteView(raw), linkType: .ethernet, originalLength: raw.count, into: &packet)
                counters.record(packet, wireLength: raw.count)
                ports &+= Int(packet.destinationPort)
            }
        }
        #expect(counters.packets == 100_000 && counters.decoded == 100_000 && counters.tcp == 100_000)
        #expect(counters.tunneled == 50_000)
        #expect(ports == 100_000 * 443)
    }
}
