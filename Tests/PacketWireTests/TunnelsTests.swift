import Testing
@testable import PacketWire

@Suite struct TunnelsTests {
    /// The inner packet every tunnel here carries: IPv4 172.16.0.5 → 203.0.113.7, TCP SYN 51000 → 443.
    static let innerIPv4SYN: [UInt8] = ipv4Header(totalLength: 40, protocol: 6, source: [172, 16, 0, 5],
                                                  destination: [203, 0, 113, 7]) + tcpSYN()
    static let innerIPv6UDP: [UInt8] = ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8)

    static func expectInnerSYN(_ p: DecodedPacket) {
        #expect(p.status == .decoded)
        #expect(p.source == ip("172.16.0.5") && p.destination == ip("203.0.113.7"))
        #expect(p.transport == .tcp && p.destinationPort == 443 && p.tcp.flags == [.syn])
    }

    // MARK: MPLS

    @Test func mplsSingleLabel() {
        let frame = ethernetHeader(type: 0x8847) + [
            0x00, 0x01, 0x41, 0x40, // label 20, TC 0, S = 1, TTL 64
        ] + Self.innerIPv4SYN
        let p = decode(frame, .ethernet).packet
        Self.expectInnerSYN(p)
        #expect(p.encapsulations == [.mpls] && p.networkOffset == 18 && p.tunnelDepth == 0)
    }

    @Test func mplsTwoLabelsThenIPv6() {
        let frame = ethernetHeader(type: 0x8848) + [
            0x00, 0x3e, 0x80, 0xff, // label 1000, S = 0, TTL 255
            0x00, 0x00, 0x21, 0xff, // label 2 (IPv6 explicit null), S = 1
        ] + Self.innerIPv6UDP
        let p = decode(frame, .ethernet).packet
        #expect(p.status == .decoded && p.network == .ipv6 && p.networkOffset == 22)
    }

    @Test func mplsLabelFields() throws {
        let bytes: [UInt8] = [0x00, 0x3e, 0x8b, 0x40] // label 1000, TC 5, S = 1, TTL 64
        try bytes.withUnsafeBytes { raw in
            let e = try #require(MPLSLabel(ByteView(raw), at: 0))
            #expect(e.label == 1000 && e.trafficClass == 5 && e.isBottomOfStack && e.ttl == 64)
        }
    }

    @Test func mplsStackWithoutBottomIsMalformed() {
        let frame = ethernetHeader(type: 0x8847) + [0x00, 0x01, 0x40, 0x40, 0x00, 0x02, 0x40, 0x40] // two labels, no S
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .mpls, offset: 22, needed: 4, had: 0, reason: .mplsBottomMissing)))
    }

    @Test func mplsStackCutBySnaplenIsTruncated() {
        let frame = ethernetHeader(type: 0x8847) + [0x00, 0x01, 0x40, 0x40]
        let p = decode(frame, .ethernet, originalLength: 100).packet
        #expect(p.status == .notDecoded(.truncatedBeforeNetwork) && p.truncated)
        #expect(p.stop?.layer == .mpls)
    }

    @Test func mplsStackTooDeep() {
        var frame = ethernetHeader(type: 0x8847)
        for _ in 0..<17 { frame += [0x00, 0x01, 0x40, 0x40] }
        frame += [0x00, 0x01, 0x41, 0x40] + Self.innerIPv4SYN
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .mpls, offset: 14 + 16 * 4, needed: 16, had: 17, reason: .mplsStackTooDeep)))
    }

    @Test func mplsPseudowireIsNotDecoded() {
        // RFC 4385 control word (first nibble 0) then an Ethernet frame.
        let frame = ethernetHeader(type: 0x8847) + [0x00, 0x01, 0x41, 0x40, 0x00, 0x00, 0x00, 0x00]
            + ethernetHeader(type: 0x0800) + Self.innerIPv4SYN
        #expect(decode(frame, .ethernet).packet.status == .notDecoded(.mplsPayloadUnknown))
    }

    // MARK: VXLAN

    static func vxlan(flags: UInt8 = 0x08, inner: [UInt8]) -> [UInt8] {
        let vxlanAndInner: [UInt8] = [
            flags, 0x00, 0x00, 0x00, // flags (I = 0x08), reserved
            0x00, 0x30, 0x39, 0x00,  // VNI 12345, reserved
        ] + inner
        return ethernetHeader(type: 0x0800)
            + ipv4Header(totalLength: 28 + vxlanAndInner.count, protocol: 17, source: [10, 1, 0, 4], destination: [10, 1, 0, 5])
            + udpHeader(length: 8 + vxlanAndInner.count, source: 49152, destination: 4789)
            + vxlanAndInner
    }

    @Test func vxlanToInnerEthernet() {
        let frame = Self.vxlan(inner: ethernetHeader(type: 0x0800) + Self.innerIPv4SYN)
        let p = decode(frame, .ethernet).packet
        Self.expectInnerSYN(p)
        #expect(p.tunnelDepth == 1 && p.encapsulations == [.vxlan])
        #expect(p.networkOffset == 14 + 20 + 8 + 8 + 14)
    }

    @Test func vxlanHeaderFields() throws {
        let bytes: [UInt8] = [0x08, 0, 0, 0, 0x00, 0x30, 0x39, 0x00]
        try bytes.withUnsafeBytes { raw in
            let h = try #require(VXLANHeader(ByteView(raw), at: 0))
            #expect(h.hasValidVNI && h.vni == 12345)
        }
    }

    @Test func port4789WithoutTheIFlagStaysUDP() {
        let p = decode(Self.vxlan(flags: 0x00, inner: ethernetHeader(type: 0x0800) + Self.innerIPv4SYN), .ethernet).packet
        #expect(p.status == .decoded && p.transport == .udp && p.destinationPort == 4789 && p.tunnelDepth == 0)
    }

    @Test func vxlanCarryingARP() {
        let p = decode(Self.vxlan(inner: ethernetHeader(type: 0x0806) + [UInt8](repeating: 0, count: 28)), .ethernet).packet
        #expect(p.status == .notDecoded(.arp) && p.tunnelDepth == 1 && p.network == .none)
    }

    // MARK: GRE

    static func gre(_ header: [UInt8], inner: [UInt8]) -> [UInt8] {
        ipv4Header(totalLength: 20 + header.count + inner.count, protocol: 47, source: [100, 64, 0, 1],
                   destination: [100, 64, 0, 2]) + header + inner
    }

    @Test func greVersion0Plain() {
        let p = decode(Self.gre([0x00, 0x00, 0x08, 0x00], inner: Self.innerIPv4SYN), .ipv4).packet // no flags, IPv4
        Self.expectInnerSYN(p)
        #expect(p.tunnelDepth == 1 && p.encapsulations == [.gre] && p.networkOffset == 24)
    }

    @Test func greWithChecksumKeyAndSequence() throws {
        let header: [UInt8] = [
            0xb0, 0x00,             // C, K, S set; version 0
            0x86, 0xdd,             // protocol IPv6
            0x12, 0x34, 0x00, 0x00, // checksum, reserved1
            0x00, 0x00, 0x00, 0x2a, // key 42
            0x00, 0x00, 0x00, 0x07, // sequence number 7
        ]
        let p = decode(Self.gre(header, inner: Self.innerIPv6UDP), .ipv4).packet
        #expect(p.status == .decoded && p.network == .ipv6 && p.networkOffset == 36)
        try header.withUnsafeBytes { raw in
            let g = try #require(GREHeader(ByteView(raw), at: 0))
            #expect(g.headerLength == 16 && g.key == 42 && g.hasChecksum && g.hasSequence)
        }
    }

    @Test func greTransparentEthernetBridging() {
        let p = decode(Self.gre([0x20, 0x00, 0x65, 0x58, 0, 0, 0, 1], // K set, TEB, key 1
                                inner: ethernetHeader(type: 0x0800) + Self.innerIPv4SYN), .ipv4).packet
        Self.expectInnerSYN(p)
    }

    @Test func greUnsupportedVariants() {
        // Version 1 (PPTP) and ERSPAN (0x88be) are recognised but not followed; the outer packet stays.
        let pptp = decode(Self.gre([0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0], inner: []), .ipv4).packet
        let erspan = decode(Self.gre([0x00, 0x00, 0x88, 0xbe], inner: [0, 0, 0, 0]), .ipv4).packet
        for p in [pptp, erspan] {
            #expect(p.status == .notDecoded(.unsupportedGRE))
            #expect(p.source == ip("100.64.0.1") && p.tunnelDepth == 0)
        }
    }

    @Test func greHeaderLongerThanThePacket() {
        let p = decode(Self.gre([0xb0, 0x00, 0x08, 0x00, 0, 0], inner: []), .ipv4).packet // flags promise 16 bytes
        #expect(p.status == .malformed(DecodeIssue(layer: .gre, offset: 20, needed: 16, had: 6, reason: .headerTruncated)))
    }

    // MARK: PPPoE

    static func pppoe(versionType: UInt8 = 0x11, length: Int? = nil, ppp: UInt16, inner: [UInt8]) -> [UInt8] {
        let l = length ?? inner.count + 2
        return ethernetHeader(type: 0x8864) + [
            versionType,                      // version 1, type 1
            0x00,                             // code: session data
            0x00, 0x2a,                       // session ID 42
            UInt8(l >> 8), UInt8(l & 0xff),   // length (PPP protocol + payload)
            UInt8(ppp >> 8), UInt8(ppp & 0xff), // PPP protocol
        ] + inner
    }

    @Test func pppoeIPv4AndIPv6() {
        let v4 = decode(Self.pppoe(ppp: 0x0021, inner: Self.innerIPv4SYN), .ethernet).packet
        Self.expectInnerSYN(v4)
        #expect(v4.encapsulations == [.pppoe] && v4.networkOffset == 22)
        let v6 = decode(Self.pppoe(ppp: 0x0057, inner: Self.innerIPv6UDP), .ethernet).packet
        #expect(v6.status == .decoded && v6.network == .ipv6)
    }

    @Test func pppoeControlProtocolIsNotDecoded() {
        let lcp = decode(Self.pppoe(ppp: 0xc021, inner: [0x01, 0x01, 0x00, 0x04]), .ethernet).packet
        #expect(lcp.status == .notDecoded(.unsupportedPPPProtocol))
    }

    @Test func pppoeWrongVersionOrLength() {
        #expect(decode(Self.pppoe(versionType: 0x21, ppp: 0x0021, inner: Self.innerIPv4SYN), .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .pppoe, offset: 14, needed: 0x11, had: 0x21, reason: .wrongVersion)))
        #expect(decode(Self.pppoe(length: 500, ppp: 0x0021, inner: Self.innerIPv4SYN), .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .pppoe, offset: 14, needed: 500, had: 42, reason: .lengthExceedsEnclosing)))
    }

    // MARK: IP in IP

    @Test func ipInIP() {
        let v4in4 = ipv4Header(totalLength: 20 + Self.innerIPv4SYN.count, protocol: 4) + Self.innerIPv4SYN
        Self.expectInnerSYN(decode(v4in4, .ipv4).packet)
        let v6in4 = ipv4Header(totalLength: 20 + Self.innerIPv6UDP.count, protocol: 41) + Self.innerIPv6UDP
        let p = decode(v6in4, .ipv4).packet
        #expect(p.status == .decoded && p.network == .ipv6 && p.tunnelDepth == 1 && p.encapsulations == [.ipInIP])
    }

    @Test func tunnelsNestedPastTheCap() {
        var packet = Self.innerIPv4SYN
        for _ in 0..<9 { packet = ipv4Header(totalLength: 20 + packet.count, protocol: 4) + packet }
        let p = decode(packet, .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .tunnel, offset: 8 * 20 + 20, needed: 8, had: 9,
                                                   reason: .tunnelTooDeep)))
        var lenient = PacketDecoder()
        lenient.maximumTunnelDepth = 9
        Self.expectInnerSYN(decode(packet, .ipv4, decoder: lenient).packet)
    }
}
