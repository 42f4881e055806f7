import Testing
@testable import PacketWire

@Suite struct TCPHeaderTests {
    /// A SYN-ACK with MSS, SACK-permitted, timestamps, NOP and window scale (40-byte header).
    static let synAck: [UInt8] = [
        0x01, 0xbb,                         // source port 443
        0xc7, 0x38,                         // destination port 51000
        0xa0, 0xb0, 0xc0, 0xd0,             // sequence number
        0x11, 0x22, 0x33, 0x45,             // acknowledgment number
        0xa0,                               // data offset 10 words (40 bytes)
        0x12,                               // flags SYN + ACK
        0xff, 0xff,                         // window 65535
        0x00, 0x00,                         // checksum
        0x00, 0x00,                         // urgent pointer
        0x02, 0x04, 0x05, 0xb4,             // MSS 1460
        0x04, 0x02,                         // SACK permitted
        0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, // timestamps
        0x01,                               // NOP
        0x03, 0x03, 0x07,                   // window scale 7
    ]

    @Test func optionsAndFlags() {
        let frame = ipv4Header(totalLength: 20 + 40 + 5, protocol: 6) + Self.synAck + Array("hello".utf8)
        let d = decode(frame, .ipv4)
        #expect(d.packet.status == .decoded)
        #expect(d.packet.sourcePort == 443 && d.packet.destinationPort == 51000)
        #expect(d.packet.tcp.flags == [.syn, .ack])
        #expect(d.packet.tcp.sequenceNumber == 0xa0b0_c0d0 && d.packet.tcp.acknowledgmentNumber == 0x1122_3345)
        #expect(d.packet.tcp.window == 0xffff && d.packet.tcp.headerLength == 40)
        #expect(d.packet.payloadOffset == 60 && d.payload == Array("hello".utf8))
    }

    static let flagCases: [(UInt8, TCPFlags, String)] = [
        (0x01, .fin, "F"), (0x04, .rst, "R"), (0x08, .psh, "P"), (0x10, .ack, "A"), (0x20, .urg, "U"),
        (0x40, .ece, "E"), (0x80, .cwr, "C"), (0xff, [.fin, .syn, .rst, .psh, .ack, .urg, .ece, .cwr], "FSRPAUEC"),
        (0x14, [.rst, .ack], "RA"),
    ]

    @Test(arguments: flagCases)
    func eachFlagBit(byte: UInt8, flags: TCPFlags, letters: String) {
        var segment = tcpSYN()
        segment[13] = byte
        let p = decode(ipv4Header(totalLength: 40, protocol: 6) + segment, .ipv4).packet
        #expect(p.tcp.flags == flags)
        #expect(p.tcp.flags.letters == letters)
    }

    @Test func dataOffsetBelowFive() {
        var segment = tcpSYN()
        segment[12] = 0x40 // 4 words
        let p = decode(ipv4Header(totalLength: 40, protocol: 6) + segment, .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .tcp, offset: 20, needed: 5, had: 4, reason: .dataOffsetTooSmall)))
        #expect(p.sourcePort == 51000) // the ports were read before the lie was found
    }

    @Test func dataOffsetPastTheSegment() {
        var segment = tcpSYN()
        segment[12] = 0xf0 // 15 words = 60 bytes, segment is 20
        let p = decode(ipv4Header(totalLength: 40, protocol: 6) + segment, .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .tcp, offset: 20, needed: 60, had: 20, reason: .dataOffsetPastEnd)))
    }

    @Test func segmentShorterThanAHeader() {
        let p = decode(ipv4Header(totalLength: 30, protocol: 6) + Array(tcpSYN().prefix(10)), .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .tcp, offset: 20, needed: 20, had: 10, reason: .headerTruncated)))
        #expect(p.destinationPort == 443)
    }

    @Test func snaplenAfterThePortsStillYieldsThem() {
        let full = ipv4Header(totalLength: 60, protocol: 6) + Self.synAck
        let p = decode(Array(full.prefix(26)), .ipv4, originalLength: full.count).packet
        #expect(p.status == .decoded && p.truncated)
        #expect(p.transport == .tcp && p.sourcePort == 443 && p.destinationPort == 51000)
        #expect(!p.tcp.hasHeader)
        #expect(p.stop == DecodeIssue(layer: .tcp, offset: 20, needed: 20, had: 6, reason: .headerTruncated))
    }
}
