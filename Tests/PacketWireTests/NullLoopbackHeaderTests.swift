import Testing
@testable import PacketWire

@Suite struct NullLoopbackHeaderTests {
    static let ipv4TCP: [UInt8] = ipv4Header(totalLength: 40, protocol: 6, source: [127, 0, 0, 1],
                                             destination: [127, 0, 0, 1]) + tcpSYN(destination: 8080)
    static let ipv6UDP: [UInt8] = ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8)

    @Test func nullLittleEndianIPv4() {
        let p = decode([0x02, 0x00, 0x00, 0x00] + Self.ipv4TCP, .null).packet // AF_INET, x86 host order
        #expect(p.status == .decoded && p.network == .ipv4 && p.networkOffset == 4)
        #expect(p.destination == ip("127.0.0.1") && p.destinationPort == 8080)
    }

    @Test func nullBigEndianIPv4() {
        let p = decode([0x00, 0x00, 0x00, 0x02] + Self.ipv4TCP, .null).packet // AF_INET from a big-endian host
        #expect(p.status == .decoded && p.network == .ipv4)
    }

    @Test(arguments: [UInt8(10), 24, 28, 30]) // AF_INET6: Linux, Net/OpenBSD, FreeBSD, macOS
    func nullIPv6Families(family: UInt8) {
        let le = decode([family, 0, 0, 0] + Self.ipv6UDP, .null).packet
        let be = decode([0, 0, 0, family] + Self.ipv6UDP, .null).packet
        #expect(le.status == .decoded && le.network == .ipv6)
        #expect(be.status == .decoded && be.network == .ipv6)
    }

    @Test func loopNetworkOrder() {
        let v4 = decode([0x00, 0x00, 0x00, 0x02] + Self.ipv4TCP, .loop).packet
        let v6 = decode([0x00, 0x00, 0x00, 0x18] + Self.ipv6UDP, .loop).packet // AF_INET6 = 24 on OpenBSD
        #expect(v4.status == .decoded && v4.network == .ipv4)
        #expect(v6.status == .decoded && v6.network == .ipv6)
    }

    @Test func unknownFamilyIsNotDecoded() {
        let p = decode([0x07, 0x00, 0x00, 0x00] + Self.ipv4TCP, .null).packet // AF 7: not IP
        #expect(p.status == .notDecoded(.unknownAddressFamily))
    }

    @Test func shortHeaderIsMalformed() {
        #expect(decode([0x02, 0x00], .null).packet.status
            == .malformed(DecodeIssue(layer: .link, offset: 0, needed: 4, had: 2, reason: .headerTruncated)))
    }
}
