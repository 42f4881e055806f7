import Testing
@testable import PacketWire

@Suite struct EthernetFrameTests {
    /// Ethernet II → IPv4 → TCP SYN with an MSS option, the shape of every
    /// outbound connection attempt.
    static let synFrame: [UInt8] = [
        // Ethernet II
        0x00, 0x15, 0x5d, 0x01, 0x02, 0x03, // destination MAC
        0x00, 0x0d, 0x3a, 0x04, 0x05, 0x06, // source MAC
        0x08, 0x00,                         // ethertype IPv4
        // IPv4 (offset 14)
        0x45,                               // version 4, IHL 5
        0x00,                               // DSCP/ECN
        0x00, 0x2c,                         // total length 44 = 20 IP + 24 TCP
        0xab, 0xcd,                         // identification
        0x40, 0x00,                         // DF, fragment offset 0
        0x40,                               // TTL 64
        0x06,                               // protocol TCP
        0x00, 0x00,                         // header checksum (not checked)
        0x0a, 0x01, 0x02, 0x03,             // source 10.1.2.3
        0x14, 0x32, 0x3c, 0x46,             // destination 20.50.60.70
        // TCP (offset 34)
        0xc7, 0x38,                         // source port 51000
        0x01, 0xbb,                         // destination port 443
        0x11, 0x22, 0x33, 0x44,             // sequence number
        0x00, 0x00, 0x00, 0x00,             // acknowledgment number
        0x60,                               // data offset 6 words (24 bytes)
        0x02,                               // flags SYN
        0xfa, 0xf0,                         // window 64240
        0x00, 0x00,                         // checksum
        0x00, 0x00,                         // urgent pointer
        0x02, 0x04, 0x05, 0xb4,             // option MSS 1460
    ]

    @Test func ipv4TCPSyn() {
        let d = decode(Self.synFrame, .ethernet)
        let p = d.packet
        #expect(p.status == .decoded)
        #expect(!p.truncated && p.stop == nil)
        #expect(p.etherType == 0x0800)
        #expect(p.network == .ipv4 && p.networkOffset == 14)
        #expect(p.source == ip("10.1.2.3"))
        #expect(p.destination == ip("20.50.60.70"))
        #expect(p.ipProtocol == 6 && p.ttl == 64 && p.fragment == .none)
        #expect(p.transport == .tcp && p.transportOffset == 34)
        #expect(p.sourcePort == 51000 && p.destinationPort == 443)
        #expect(p.tcp.flags == [.syn])
        #expect(p.tcp.sequenceNumber == 0x1122_3344)
        #expect(p.tcp.window == 64240 && p.tcp.headerLength == 24)
        #expect(p.payloadOffset == 58 && d.payload.isEmpty)
        #expect(p.vlanCount == 0 && p.tunnelDepth == 0 && p.encapsulations.isEmpty)
    }

    @Test func paddingAfterTheIPDatagramIsIgnored() {
        // Ethernet pads to 60 bytes (plus FCS here): 6 bytes past the IP total length.
        let padded = Self.synFrame + [0x00, 0x00, 0xde, 0xad, 0xbe, 0xef]
        let d = decode(padded, .ethernet)
        #expect(d.packet.status == .decoded)
        #expect(d.payload.isEmpty)
    }

    @Test func headerFields() throws {
        try Self.synFrame.withUnsafeBytes { raw in
            let eth = try #require(EthernetFrame(ByteView(raw), at: 0))
            #expect(eth.etherType == 0x0800)
            #expect(eth.sourceMAC.copyBytes() == [0x00, 0x0d, 0x3a, 0x04, 0x05, 0x06])
            #expect(eth.destinationMAC.copyBytes() == [0x00, 0x15, 0x5d, 0x01, 0x02, 0x03])
            #expect(eth.payloadOffset == 14)
        }
    }

    @Test func arpIsNotDecoded() {
        let arp: [UInt8] = ethernetHeader(type: 0x0806) + [
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // htype 1, ptype IPv4, hlen 6, plen 4, request
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 10, 0, 0, 2, // sender MAC, sender IP
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 1, // target MAC, target IP
        ]
        let p = decode(arp, .ethernet).packet
        #expect(p.status == .notDecoded(.arp))
        #expect(p.network == .none)
    }

    @Test(arguments: [
        (UInt16(0x88cc), NotDecodedReason.lldp),
        (0x8863, .pppoeDiscovery),
        (0x88b5, .unknownEtherType), // local experimental ethertype
        (0x0026, .llcFrame),         // 802.3 length 38 (STP BPDU)
    ])
    func otherEtherTypesAreNotDecoded(type: UInt16, reason: NotDecodedReason) {
        let frame = ethernetHeader(type: type) + [UInt8](repeating: 0x42, count: 46)
        #expect(decode(frame, .ethernet).packet.status == .notDecoded(reason))
    }

    @Test func emptyFrameIsMalformed() {
        let p = decode([], .ethernet).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .link, offset: 0, needed: 1, had: 0, reason: .emptyFrame)))
    }

    @Test func oneByteFrameIsMalformedAtTheLinkLayer() {
        let p = decode([0x00], .ethernet).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .link, offset: 0, needed: 14, had: 1, reason: .headerTruncated)))
        #expect(!p.truncated)
    }

    @Test func oneCapturedByteOfALongerFrameIsTruncated() {
        let p = decode([0x00], .ethernet, originalLength: 60).packet
        #expect(p.status == .notDecoded(.truncatedBeforeNetwork))
        #expect(p.truncated)
        #expect(p.stop == DecodeIssue(layer: .link, offset: 0, needed: 14, had: 1, reason: .headerTruncated))
    }

    @Test func everyPrefixOfAFullFrameIsTruncatedNotMalformed() {
        // A snaplen cut at every possible byte: the decoder must call it truncated, stop in the
        // layer the cut falls in, and never call it malformed.
        let frame = Self.synFrame
        for cut in 1..<frame.count {
            let p = decode(Array(frame.prefix(cut)), .ethernet, originalLength: frame.count).packet
            #expect(p.truncated, "cut \(cut)")
            #expect(p.status.issue == nil, "cut \(cut)")
            let expectedLayer: DecodeIssue.Layer = cut < 14 ? .link : cut < 34 ? .ipv4 : .tcp
            #expect(p.stop?.layer == expectedLayer, "cut \(cut)")
            #expect(p.status == (cut < 34 ? .notDecoded(.truncatedBeforeNetwork) : .decoded), "cut \(cut)")
            // Ports survive once the first 4 TCP bytes are in (offset 34 + 4).
            #expect((p.sourcePort == 51000) == (cut >= 38), "cut \(cut)")
            #expect(p.tcp.hasHeader == (cut >= 54), "cut \(cut)")
        }
    }
}
