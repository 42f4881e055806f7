import Testing
@testable import PacketWire

@Suite struct ICMPMessageTests {
    /// A router at 198.51.100.1 answers 10.0.0.2 about a datagram it could not deliver.
    static func icmpv4Error(type: UInt8, code: UInt8, quoting quote: [UInt8]) -> [UInt8] {
        ipv4Header(totalLength: 20 + 8 + quote.count, protocol: 1, source: [198, 51, 100, 1], destination: [10, 0, 0, 2])
            + [type,                   // type
               code,                   // code
               0x00, 0x00,             // checksum
               0x00, 0x00, 0x00, 0x00] // unused (or next-hop MTU)
            + quote
    }

    /// The quoted datagram: IPv4 header + the first 8 bytes of UDP 40000 → 53.
    static let quotedUDP: [UInt8] = ipv4Header(totalLength: 60, protocol: 17) + udpHeader(length: 40)
    /// The quoted SYN: IPv4 header + the first 8 bytes of TCP 51000 → 443 (ports and sequence number).
    static let quotedSYN: [UInt8] = ipv4Header(totalLength: 60, protocol: 6) + Array(tcpSYN().prefix(8))

    @Test func portUnreachableQuotingUDP() throws {
        let d = decode(Self.icmpv4Error(type: 3, code: 3, quoting: Self.quotedUDP), .ipv4)
        let p = d.packet
        #expect(p.status == .decoded && p.transport == .icmp)
        #expect(p.source == ip("198.51.100.1") && p.destination == ip("10.0.0.2"))
        #expect(p.icmp.type == 3 && p.icmp.code == 3 && p.icmp.kind == .unreachablePort)
        let q = try #require(p.icmp.quoted)
        #expect(q == QuotedPacket(network: .ipv4, source: ip("10.0.0.2"), destination: ip("192.0.2.10"), ipProtocol: 17,
                                  sourcePort: 40000, destinationPort: 53))
        #expect(p.payloadOffset == 28 && d.payload == Self.quotedUDP)
    }

    @Test(arguments: [UInt8(9), 10, 13])
    func adminProhibitedQuotingATCPSyn(code: UInt8) throws {
        let p = decode(Self.icmpv4Error(type: 3, code: code, quoting: Self.quotedSYN), .ipv4).packet
        #expect(p.icmp.kind == .adminProhibited)
        #expect(p.icmp.kind.isError && p.icmp.kind.isUnreachable)
        let q = try #require(p.icmp.quoted)
        #expect(q.ipProtocol == 6 && q.source == ip("10.0.0.2") && q.destination == ip("192.0.2.10"))
        #expect(q.sourcePort == 51000 && q.destinationPort == 443)
    }

    @Test func quoteTooShortForPortsKeepsAddresses() throws {
        let p = decode(Self.icmpv4Error(type: 11, code: 0, quoting: Array(Self.quotedUDP.prefix(22))), .ipv4).packet
        #expect(p.icmp.kind == .timeExceeded)
        let q = try #require(p.icmp.quoted)
        #expect(q.destination == ip("192.0.2.10") && q.sourcePort == nil && q.destinationPort == nil)
    }

    @Test func quoteTooShortForAnIPHeaderIsAbsent() {
        let p = decode(Self.icmpv4Error(type: 3, code: 1, quoting: Array(Self.quotedUDP.prefix(12))), .ipv4).packet
        #expect(p.status == .decoded && p.icmp.kind == .unreachableHost)
        #expect(p.icmp.quoted == nil)
    }

    @Test func echoRequest() {
        let frame = ipv4Header(totalLength: 32, protocol: 1) + [
            0x08, 0x00,             // echo request, code 0
            0x00, 0x00,             // checksum
            0x1f, 0x90,             // identifier 8080
            0x00, 0x01,             // sequence 1
            0x61, 0x62, 0x63, 0x64, // data "abcd"
        ]
        let d = decode(frame, .ipv4)
        #expect(d.packet.icmp.kind == .echoRequest && d.packet.icmp.identifier == 8080)
        #expect(d.packet.icmp.quoted == nil && d.payload == Array("abcd".utf8))
    }

    @Test func icmpv6UnreachableQuotingIPv6UDP() throws {
        let quote = ipv6Header(payloadLength: 20, nextHeader: 17) + udpHeader(length: 20, destination: 443)
        for (code, kind) in [(UInt8(1), ICMPKind.adminProhibited), (4, .unreachablePort), (3, .unreachableHost)] {
            let frame = ipv6Header(payloadLength: 8 + quote.count, nextHeader: 58) + [
                0x01,                   // destination unreachable
                code,                   // code
                0x00, 0x00,             // checksum
                0x00, 0x00, 0x00, 0x00, // unused
            ] + quote
            let p = decode(frame, .ipv6).packet
            #expect(p.status == .decoded && p.transport == .icmpv6)
            #expect(p.icmp.kind == kind)
            let q = try #require(p.icmp.quoted)
            #expect(q == QuotedPacket(network: .ipv6, source: ip("2001:db8::2"), destination: ip("2001:db8:1::10"),
                                      ipProtocol: 17, sourcePort: 40000, destinationPort: 443))
        }
    }

    @Test func icmpv6QuoteWalksExtensionHeaders() throws {
        let quote = ipv6Header(payloadLength: 16, nextHeader: 60) + [17, 0, 1, 4, 0, 0, 0, 0] // dest opts → UDP
            + udpHeader(length: 8, destination: 853)
        let frame = ipv6Header(payloadLength: 8 + quote.count, nextHeader: 58) + [0x02, 0, 0, 0, 0, 0, 0x05, 0x00] + quote
        let p = decode(frame, .ipv6).packet
        #expect(p.icmp.kind == .packetTooBig)
        let q = try #require(p.icmp.quoted)
        #expect(q.ipProtocol == 17 && q.destinationPort == 853)
    }

    @Test func truncatedICMPHeaderIsMalformed() {
        let p = decode(ipv4Header(totalLength: 24, protocol: 1) + [0x03, 0x03, 0x00, 0x00], .ipv4).packet
        #expect(p.status == .malformed(DecodeIssue(layer: .icmp, offset: 20, needed: 8, had: 4, reason: .headerTruncated)))
        #expect(p.icmp.kind == .unreachablePort) // type and code were there
    }

    // RFC 792 / RFC 1812 §5.2.7.1 and RFC 4443 / RFC 4861 type-code meanings.
    @Test(arguments: [
        (UInt8(0), UInt8(0), false, ICMPKind.echoReply), (3, 0, false, .unreachableNetwork), (3, 2, false, .unreachableProtocol),
        (3, 4, false, .packetTooBig), (3, 6, false, .unreachableOther), (4, 0, false, .sourceQuench), (5, 1, false, .redirect),
        (12, 0, false, .parameterProblem), (13, 0, false, .other),
        (1, 0, true, .unreachableNetwork), (1, 5, true, .adminProhibited), (1, 6, true, .adminProhibited),
        (1, 2, true, .unreachableOther), (3, 1, true, .timeExceeded), (4, 0, true, .parameterProblem),
        (128, 0, true, .echoRequest), (129, 0, true, .echoReply), (133, 0, true, .routerSolicitation),
        (134, 0, true, .routerAdvertisement), (135, 0, true, .neighborSolicitation), (136, 0, true, .neighborAdvertisement),
        (137, 0, true, .redirect), (143, 0, true, .other),
    ])
    func kinds(type: UInt8, code: UInt8, v6: Bool, kind: ICMPKind) {
        #expect(ICMPKind(type: type, code: code, version6: v6) == kind)
    }
}
