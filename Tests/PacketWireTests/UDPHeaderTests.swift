import Testing
@testable import PacketWire

@Suite struct UDPHeaderTests {
    @Test func datagram() {
        let frame: [UInt8] = ipv4Header(totalLength: 33, protocol: 17) + [
            0x9c, 0x40,       // source port 40000
            0x00, 0x35,       // destination port 53
            0x00, 0x0d,       // length 13
            0x00, 0x00,       // checksum
            0x12, 0x34, 0x01, 0x00, 0x00, // first bytes of a DNS query
        ]
        let d = decode(frame, .ipv4)
        #expect(d.packet.status == .decoded && d.packet.transport == .udp)
        #expect(d.packet.sourcePort == 40000 && d.packet.destinationPort == 53)
        #expect(d.packet.payloadOffset == 28 && d.payload == [0x12, 0x34, 0x01, 0x00, 0x00])
    }

    @Test func lengthBelowEight() {
        let frame = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 7)
        #expect(decode(frame, .ipv4).packet.status
            == .malformed(DecodeIssue(layer: .udp, offset: 20, needed: 8, had: 7, reason: .udpLengthTooSmall)))
    }

    @Test func lengthBeyondTheIPPayload() {
        let frame = ipv4Header(totalLength: 32, protocol: 17) + udpHeader(length: 200) + [1, 2, 3, 4]
        let d = decode(frame, .ipv4)
        #expect(d.packet.status
            == .malformed(DecodeIssue(layer: .udp, offset: 20, needed: 200, had: 12, reason: .lengthExceedsEnclosing)))
        // The lie is reported, and what the bytes do hold is still decoded.
        #expect(d.packet.hasPorts && d.packet.destinationPort == 53 && d.payload == [1, 2, 3, 4])
    }

    @Test func lengthShorterThanTheIPPayloadWins() {
        let frame = ipv4Header(totalLength: 34, protocol: 17) + udpHeader(length: 10) + [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        let d = decode(frame, .ipv4)
        #expect(d.packet.status == .decoded)
        #expect(d.payload == [0xaa, 0xbb])
    }

    @Test func headerCutAfterThePorts() {
        let full = ipv4Header(totalLength: 28, protocol: 17) + udpHeader(length: 8)
        let p = decode(Array(full.prefix(24)), .ipv4, originalLength: 28).packet
        #expect(p.status == .decoded && p.truncated && p.destinationPort == 53)
        #expect(p.stop == DecodeIssue(layer: .udp, offset: 20, needed: 8, had: 4, reason: .headerTruncated))
    }

    @Test func fewerThanFourBytesOfHeader() {
        let p = decode(ipv4Header(totalLength: 22, protocol: 17) + [0x9c, 0x40], .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .udp, offset: 20, needed: 4, had: 2, reason: .headerTruncated)))
        #expect(p.sourcePort == 0)
    }
}
