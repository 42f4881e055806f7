import Testing
@testable import PacketWire

func u16be(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

/// The link layers a gateway may hand over besides Ethernet and the cooked
/// headers: PPP (RFC 1661/1662), Cisco HDLC, PPPoE without Ethernet, pf's log
/// device and netfilter's NFLOG. Frames are built by hand from each format's
/// definition (the linktypes pages at tcpdump.org, tcpdump's printers).
@Suite struct LinkLayerTests {
    static let syn = ipv4Header(totalLength: 40, protocol: 6) + tcpSYN()
    static let udp6 = ipv6Header(payloadLength: 8, nextHeader: 17) + udpHeader(length: 8)

    /// PPP: address ff, control 03 (RFC 1662), protocol 0x0021 / 0x0057; `compressed` drops the
    /// address and control bytes and sends IPv4's protocol as the single byte 0x21 (RFC 1661 §6.5-6.6).
    static func ppp(_ ip: [UInt8], compressed: Bool = false) -> [UInt8] {
        let v6 = ip[0] >> 4 == 6
        if compressed { return (v6 ? [0x57] : [0x21]) + ip }
        return [0xff, 0x03] + (v6 ? [0x00, 0x57] : [0x00, 0x21]) + ip
    }

    /// A pfloghdr of `length` bytes (61 on OpenBSD: PFLOG_HDRLEN), padded to 4, then the packet.
    static func pflog(_ ip: [UInt8], length: Int = 61) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: (length + 3) & ~3)
        header[0] = UInt8(length)
        header[1] = ip[0] >> 4 == 6 ? 24 : 2  // af: AF_INET6 is 24 on OpenBSD
        header[2] = 1  // action: PF_DROP
        return header + ip
    }

    /// An NFLOG message: family, version 0, group (big-endian), then TLVs in the writer's byte order:
    /// NFULA_PACKET_HDR (type 1, 8 bytes), an optional NFULA_PREFIX (type 10, NUL-terminated),
    /// NFULA_PAYLOAD (type 9), each padded to 4 bytes.
    static func nflog(_ ip: [UInt8]?, family: UInt8, group: UInt16 = 5, prefix: String? = nil, bigEndian: Bool = false) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? u16be(v) : [UInt8(v & 0xff), UInt8(v >> 8)] }
        func tlv(_ type: Int, _ value: [UInt8]) -> [UInt8] {
            let length = 4 + value.count
            return u16(length) + u16(type) + value + [UInt8](repeating: 0, count: (4 - length % 4) % 4)
        }
        var frame: [UInt8] = [family, 0] + u16be(Int(group))
        frame += tlv(1, [0x08, 0x00, 1, 0])  // hw protocol 0x0800, hook 1
        if let prefix { frame += tlv(10, Array(prefix.utf8) + [0]) }
        if let ip { frame += tlv(9, ip) }
        return frame
    }

    func expectSYN(_ d: Decoded, _ comment: Comment? = nil) {
        #expect(d.packet.status == .decoded, comment)
        #expect(d.packet.transport == .tcp && d.packet.destinationPort == 443 && d.packet.sourcePort == 51000, comment)
        #expect(d.packet.source.description == "10.0.0.2" && d.packet.destination.description == "192.0.2.10", comment)
    }

    @Test func pppWithAndWithoutAddressControlAndProtocolCompression() {
        expectSYN(decode(Self.ppp(Self.syn), .ppp), "ff 03 00 21")
        expectSYN(decode(Self.ppp(Self.syn, compressed: true), .ppp), "21")
        expectSYN(decode([0x00, 0x21] + Self.syn, .ppp), "00 21 without ff 03")
        expectSYN(decode(Self.ppp(Self.syn), .pppSerial), "PPP_SERIAL")
        let v6 = decode(Self.ppp(Self.udp6), .ppp).packet
        #expect(v6.status == .decoded && v6.network == .ipv6 && v6.transport == .udp && v6.destinationPort == 53)
        // LCP (0xc021) is PPP's own control traffic, not IP.
        #expect(decode([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4], .ppp).packet.status == .notDecoded(.unsupportedPPPProtocol))
        // Cut inside the protocol field: truncated at the link layer, not a crash.
        #expect(decode([0xff, 0x03, 0x00], .ppp, originalLength: 60).packet.truncated)
    }

    @Test func ciscoHDLCAloneAndOnASerialLine() {
        expectSYN(decode([0x0f, 0x00, 0x08, 0x00] + Self.syn, .ciscoHDLC))
        expectSYN(decode([0x8f, 0x00, 0x08, 0x00] + Self.syn, .pppSerial), "Cisco HDLC on DLT_PPP_SERIAL")
        #expect(decode([0x0f, 0x00, 0x86, 0xdd] + Self.udp6, .ciscoHDLC).packet.network == .ipv6)
    }

    @Test func pppoeSessionWithoutEthernet() {
        let frame: [UInt8] = [0x11, 0x00, 0x00, 0x01] + u16be(Self.syn.count + 2) + [0x00, 0x21] + Self.syn
        expectSYN(decode(frame, .pppEther))
        #expect(decode(frame, .pppEther).packet.encapsulations.contains(.pppoe))
    }

    @Test func pflogHeaderThenThePacket() {
        expectSYN(decode(Self.pflog(Self.syn), .pflog), "OpenBSD's 61-byte header, padded to 64")
        expectSYN(decode(Self.pflog(Self.syn, length: 72), .pflog), "a longer (FreeBSD) header")
        #expect(decode(Self.pflog(Self.udp6), .pflog).packet.network == .ipv6)
        // A header length below the smallest pfloghdr is a lie, and says so.
        let short = decode([40] + [UInt8](repeating: 0, count: 43) + Self.syn, .pflog).packet
        guard case .malformed(let issue) = short.status else { Issue.record("\(short.status)"); return }
        #expect(issue.layer == .link && issue.had == 40)
    }

    @Test func nflogInEitherByteOrderWithGroupAndPrefix() {
        for bigEndian in [false, true] {
            let frame = Self.nflog(Self.syn, family: 2, group: 513, prefix: "egress-drop: ", bigEndian: bigEndian)
            var packet = DecodedPacket()
            frame.withUnsafeBytes { raw in
                PacketDecoder().decode(ByteView(raw), linkType: .nflog, originalLength: frame.count, into: &packet)
                #expect(String(decoding: packet.logPrefix.copyBytes(), as: UTF8.self) == "egress-drop: ", "big-endian \(bigEndian)")
                packet.payload = .empty
                packet.logPrefix = .empty
            }
            #expect(packet.status == .decoded && packet.transport == .tcp && packet.destinationPort == 443, "big-endian \(bigEndian)")
            #expect(packet.logGroup == 513)
        }
        let v6 = decode(Self.nflog(Self.udp6, family: 10), .nflog).packet
        #expect(v6.network == .ipv6 && v6.transport == .udp && v6.destinationPort == 53)
        #expect(v6.logPrefix.count == 0)
    }

    @Test func nflogWithoutAPacketOrWithABadTLV() {
        // A rule logging no bytes: nothing to decode, nothing wrong.
        #expect(decode(Self.nflog(nil, family: 2), .nflog).packet.status == .notDecoded(.truncatedBeforeNetwork))
        // A TLV shorter than its own header.
        let bad: [UInt8] = [2, 0, 0, 5, 2, 0, 9, 0] + Self.syn
        guard case .malformed(let issue) = decode(bad, .nflog).packet.status else { Issue.record("not malformed"); return }
        #expect(issue.layer == .link && issue.offset == 4 && issue.had == 2)
        // Cut inside the header.
        #expect(decode([2, 0, 0], .nflog, originalLength: 80).packet.truncated)
    }
}
