import Testing
@testable import PacketWire

@Suite struct IPv6HeaderTests {
    static let udp: [UInt8] = udpHeader(length: 12, source: 50000, destination: 443) + [0xc0, 0xff, 0xee, 0x00]

    static func hopByHop(next: UInt8) -> [UInt8] {
        [next, 0x00,             // next header, length 0 → 8 bytes
         0x01, 0x04, 0, 0, 0, 0] // PadN option, 4 bytes of padding
    }

    static func destinationOptions(next: UInt8) -> [UInt8] {
        [next, 0x00, 0x01, 0x04, 0, 0, 0, 0] // same layout as hop-by-hop (RFC 8200 §4.6)
    }

    static func segmentRouting(next: UInt8) -> [UInt8] {
        [next, 0x02,             // next header, length 2 → 24 bytes
         0x04,                   // routing type 4: segment routing (RFC 8754)
         0x00,                   // segments left 0
         0x00, 0x00, 0x00, 0x00, // last entry, flags, tag
         0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10] // segment list[0]
    }

    static func fragment(next: UInt8, offset: UInt16, more: Bool) -> [UInt8] {
        let field = offset << 3 | (more ? 1 : 0)
        return [next, 0x00,                            // next header, reserved
                UInt8(field >> 8), UInt8(field & 0xff), // fragment offset (13 bits), res, M
                0xde, 0xad, 0xbe, 0xef]                 // identification
    }

    static func authentication(next: UInt8) -> [UInt8] {
        [next, 0x04,                  // next header, payload length 4 → (4 + 2) × 4 = 24 bytes
         0x00, 0x00,                  // reserved
         0x00, 0x00, 0x10, 0x01,      // SPI
         0x00, 0x00, 0x00, 0x07,      // sequence number
         0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc] // ICV (96 bits)
    }

    static func packet(chain: [UInt8], firstNext: UInt8, tail: [UInt8] = udp) -> [UInt8] {
        ipv6Header(payloadLength: chain.count + tail.count, nextHeader: firstNext) + chain + tail
    }

    @Test func plainUDP() {
        let d = decode(Self.packet(chain: [], firstNext: 17), .ipv6)
        #expect(d.packet.status == .decoded && d.packet.network == .ipv6)
        #expect(d.packet.source == ip("2001:db8::2") && d.packet.destination == ip("2001:db8:1::10"))
        #expect(d.packet.ttl == 64 && d.packet.ipProtocol == 17)
        #expect(d.packet.transportOffset == 40 && d.packet.destinationPort == 443)
        #expect(d.payload == [0xc0, 0xff, 0xee, 0x00])
    }

    @Test(arguments: [UInt8(0), 43, 44, 51, 60])
    func eachExtensionHeaderAlone(type: UInt8) {
        let ext: [UInt8] = switch type {
        case 0: Self.hopByHop(next: 17)
        case 43: Self.segmentRouting(next: 17)
        case 44: Self.fragment(next: 17, offset: 0, more: false) // atomic fragment (RFC 6946)
        case 51: Self.authentication(next: 17)
        default: Self.destinationOptions(next: 17)
        }
        let d = decode(Self.packet(chain: ext, firstNext: type), .ipv6)
        #expect(d.packet.status == .decoded)
        #expect(d.packet.ipProtocol == 17 && d.packet.transport == .udp && d.packet.fragment == .none)
        #expect(d.packet.transportOffset == 40 + ext.count)
        #expect(d.packet.destinationPort == 443 && d.payload == [0xc0, 0xff, 0xee, 0x00])
    }

    @Test func fullChain() {
        // HBH → routing → fragment → AH → destination options → UDP.
        let chain = Self.hopByHop(next: 43) + Self.segmentRouting(next: 44) + Self.fragment(next: 51, offset: 0, more: false)
            + Self.authentication(next: 60) + Self.destinationOptions(next: 17)
        let p = decode(Self.packet(chain: chain, firstNext: 0), .ipv6).packet
        #expect(p.status == .decoded)
        #expect(p.transportOffset == 40 + 8 + 24 + 8 + 24 + 8)
        #expect(p.sourcePort == 50000)
    }

    @Test func firstFragment() {
        let p = decode(Self.packet(chain: Self.fragment(next: 17, offset: 0, more: true), firstNext: 44), .ipv6).packet
        #expect(p.status == .decoded && p.fragment == .first && p.destinationPort == 443)
    }

    @Test func laterFragment() {
        let p = decode(Self.packet(chain: Self.fragment(next: 17, offset: 185, more: false), firstNext: 44,
                                   tail: [UInt8](repeating: 0, count: 16)), .ipv6).packet
        #expect(p.status == .notDecoded(.laterFragment))
        #expect(p.fragment == .later && p.ipProtocol == 17 && p.transport == .none)
    }

    @Test func noNextHeader() {
        let p = decode(Self.packet(chain: Self.destinationOptions(next: 59), firstNext: 60, tail: []), .ipv6).packet
        #expect(p.status == .notDecoded(.noNextHeader))
    }

    @Test func jumbogram() {
        // RFC 2675: payload length 0, hop-by-hop carries the jumbo payload option.
        let frame = ipv6Header(payloadLength: 0, nextHeader: 0)
            + [17, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x00, 0x10] + Self.udp // Jumbo Payload option, length 65552
        #expect(decode(frame, .ipv6).packet.status == .notDecoded(.jumbogram))
    }

    // MARK: Malformed

    @Test func chainThatNeverEnds() {
        // 17 destination-options headers, each naming another: past the 16-header cap.
        var chain: [UInt8] = []
        for _ in 0..<17 { chain += Self.destinationOptions(next: 60) }
        let p = decode(Self.packet(chain: chain, firstNext: 60), .ipv6).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .ipv6Extension, offset: 40 + 16 * 8, needed: 16, had: 17,
                                                   reason: .extensionChainTooLong)))
        #expect(p.status.issue?.detail == "extension chain too long (more than 16 headers)")
    }

    @Test func overlongExtensionHeader() {
        var ext = Self.destinationOptions(next: 17)
        ext[1] = 0xff // (255 + 1) × 8 = 2048 bytes, but only 20 follow
        let p = decode(Self.packet(chain: ext, firstNext: 60), .ipv6).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .ipv6Extension, offset: 40, needed: 2048, had: 20,
                                                   reason: .extensionHeaderPastEnd)))
    }

    @Test func extensionHeaderWithNoBytesLeft() {
        // Next header says hop-by-hop, payload length 0 would be a jumbogram, so use routing with nothing after.
        let frame = ipv6Header(payloadLength: 0, nextHeader: 43)
        #expect(decode(frame, .ipv6).packet.status
            == .malformed(DecodeIssue(layer: .ipv6Extension, offset: 40, needed: 2, had: 0, reason: .extensionHeaderPastEnd)))
    }

    @Test func authenticationHeaderTooShort() {
        var ah = Self.authentication(next: 17)
        ah[1] = 0x00 // (0 + 2) × 4 = 8 bytes < the 12 fixed bytes
        let p = decode(Self.packet(chain: ah, firstNext: 51), .ipv6).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .ipv6Extension, offset: 40, needed: 12, had: 8,
                                                   reason: .extensionLengthTooSmall)))
    }

    @Test func hopByHopAfterAnotherHeader() {
        let chain = Self.destinationOptions(next: 0) + Self.hopByHop(next: 17)
        let p = decode(Self.packet(chain: chain, firstNext: 60), .ipv6).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .ipv6Extension, offset: 48, needed: 1, had: 2,
                                                   reason: .hopByHopNotFirst)))
    }

    @Test func payloadLengthBeyondTheWire() {
        let frame = ipv6Header(payloadLength: 100, nextHeader: 17) + Self.udp
        #expect(decode(frame, .ipv6).packet.status
            == .malformed(DecodeIssue(layer: .ipv6, offset: 0, needed: 100, had: 12, reason: .lengthExceedsEnclosing)))
    }

    @Test func versionFourInsideAnIPv6Ethertype() {
        let frame = ethernetHeader(type: 0x86dd) + ipv4Header(totalLength: 40, protocol: 6) + tcpSYN()
        #expect(decode(frame, .ethernet).packet.status
            == .malformed(DecodeIssue(layer: .ipv6, offset: 14, needed: 6, had: 4, reason: .wrongVersion)))
    }

    @Test func truncatedInsideTheChain() {
        let full = Self.packet(chain: Self.segmentRouting(next: 17), firstNext: 43)
        let p = decode(Array(full.prefix(50)), .ipv6, originalLength: full.count).packet
        #expect(p.status == .decoded && p.truncated)
        #expect(p.stop == DecodeIssue(layer: .ipv6Extension, offset: 40, needed: 24, had: 10, reason: .headerTruncated))
    }
}
