import PacketWire
import Testing
@testable import PacketCapture

/// The default audit filter, compiled by this libpcap for each link type a
/// live capture can have, run on frames built byte by byte: what it must keep
/// and what it must drop, for IPv4 and IPv6.
@Suite struct AuditCaptureFilterTests {
    /// DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW (Linux value).
    static let linkTypes: [Int32] = [1, 113, 276, 12]

    enum Family: CaseIterable { case v4, v6 }

    // MARK: frame builders (checksums are zero: BPF never reads them)

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// RFC 791 §3.1 header, 20 bytes, no options.
    static func ipv4(protocol proto: UInt8, payload: [UInt8], flagsAndOffset: Int = 0) -> [UInt8] {
        [0x45, 0x00] + be16(20 + payload.count)   // version 4, IHL 5, TOS, total length
            + [0x12, 0x34] + be16(flagsAndOffset)   // identification, flags + fragment offset
            + [64, proto, 0x00, 0x00]               // TTL, protocol, header checksum
            + [10, 0, 0, 4]                         // source 10.0.0.4
            + [93, 184, 216, 34]                    // destination 93.184.216.34
            + payload
    }

    /// RFC 8200 §3 header, 40 bytes.
    static func ipv6(nextHeader: UInt8, payload: [UInt8]) -> [UInt8] {
        [0x60, 0x00, 0x00, 0x00]                    // version 6, traffic class, flow label
            + be16(payload.count) + [nextHeader, 64] // payload length, next header, hop limit
            + [0xfd, 0] + [UInt8](repeating: 0, count: 13) + [4]        // source fd00::4
            + [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0x34] // destination 2001:db8::34
            + payload
    }

    static func ip(_ family: Family, protocol proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        family == .v4 ? ipv4(protocol: proto, payload: payload) : ipv6(nextHeader: proto, payload: payload)
    }

    /// RFC 9293 §3.1 header, 20 bytes; flags: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10.
    static func tcp(_ source: Int, _ destination: Int, flags: UInt8, data: [UInt8] = []) -> [UInt8] {
        be16(source) + be16(destination)
            + [0, 0, 0, 1] + [0, 0, 0, 2]           // sequence, acknowledgment
            + [0x50, flags] + be16(65_535)          // data offset 5, flags, window
            + [0, 0, 0, 0]                          // checksum, urgent pointer
            + data
    }

    /// RFC 768 header, 8 bytes.
    static func udp(_ source: Int, _ destination: Int, _ data: [UInt8]) -> [UInt8] {
        be16(source) + be16(destination) + be16(8 + data.count) + [0, 0] + data
    }

    /// The IP packet behind each link type's header.
    static func frame(_ ip: [UInt8], linkType: Int32) -> [UInt8] {
        let v6 = ip.first.map { $0 >> 4 == 6 } ?? false
        let ethertype = v6 ? be16(0x86dd) : be16(0x0800)
        switch linkType {
        case 1:   // Ethernet II: destination MAC, source MAC, EtherType
            return [0x02, 0, 0, 0, 0, 1] + [0x02, 0, 0, 0, 0, 2] + ethertype + ip
        case 113: // Linux cooked v1: packet type (outgoing 4), ARPHRD_ETHER, address length 6, address (8), protocol
            return [0, 4] + [0, 1] + [0, 6] + [0x02, 0, 0, 0, 0, 2, 0, 0] + ethertype + ip
        case 276: // Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type 4, address length 6, address (8)
            return ethertype + [0, 0] + [0, 0, 0, 2] + [0, 1] + [4, 6] + [0x02, 0, 0, 0, 0, 2, 0, 0] + ip
        default:  // raw IP
            return ip
        }
    }

    static func kept(_ filter: CompiledFilter, _ ip: [UInt8]) -> Bool {
        let bytes = frame(ip, linkType: filter.linkType)
        return bytes.withUnsafeBytes {
            filter.matches(CapturedPacket(timestampNanoseconds: 0, bytes: ByteView($0), originalLength: bytes.count, linkType: filter.linkType))
        }
    }

    /// A ClientHello record's first bytes, as a client's first flight starts.
    static let clientHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03, 0x03]
    /// Bytes of a download.
    static let download = [UInt8](repeating: 0xab, count: 200)

    // MARK: the cases

    @Test(arguments: linkTypes)
    func keepsWhatTheAuditReadsAndDropsTheBulk(linkType: Int32) throws {
        let filter = try CompiledFilter(AuditCaptureFilter.expression(linkType: linkType), linkType: linkType)
        for family in Family.allCases {
            let icmp: UInt8 = family == .v4 ? 1 : 58
            let cases: [(String, [UInt8], Bool)] = [
                ("SYN 50000→443", Self.ip(family, protocol: 6, Self.tcp(50000, 443, flags: 0x02)), true),
                ("SYN-ACK 443→50000", Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x12)), true),
                ("FIN-ACK 443→50000", Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x11)), true),
                ("RST 8443→50000", Self.ip(family, protocol: 6, Self.tcp(8443, 50000, flags: 0x04)), true),
                ("RST 443→50000", Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x14)), true),
                ("pure ACK 443→50000", Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x10)), false),
                ("download 443→50000", Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x18, data: Self.download)), false),
                ("client data 50000→443", Self.ip(family, protocol: 6, Self.tcp(50000, 443, flags: 0x18, data: Self.clientHello)), true),
                ("client ACK 50000→443", Self.ip(family, protocol: 6, Self.tcp(50000, 443, flags: 0x10)), true),
                ("server data 8443→50000 (not a well-known port)", Self.ip(family, protocol: 6, Self.tcp(8443, 50000, flags: 0x18, data: Self.download)), true),
                ("DNS over TCP answer 53→50000", Self.ip(family, protocol: 6, Self.tcp(53, 50000, flags: 0x18, data: Self.download)), true),
                ("DNS query 50001→53", Self.ip(family, protocol: 17, Self.udp(50001, 53, [0x12, 0x34, 0x01, 0x00])), true),
                ("DNS answer 53→50001", Self.ip(family, protocol: 17, Self.udp(53, 50001, [0x12, 0x34, 0x81, 0x80])), true),
                ("mDNS 5353→5353", Self.ip(family, protocol: 17, Self.udp(5353, 5353, [0, 0, 0x84, 0])), true),
                ("LLMNR 50003→5355", Self.ip(family, protocol: 17, Self.udp(50003, 5355, [0, 1, 0, 0])), true),
                // RFC 9000 §17.2: long header, form bit 1 (Initial 0xc3); §17.3: short header, form bit 0.
                ("QUIC Initial 50002→443", Self.ip(family, protocol: 17, Self.udp(50002, 443, [0xc3, 0, 0, 0, 1])), true),
                ("QUIC Initial 443→50002", Self.ip(family, protocol: 17, Self.udp(443, 50002, [0xc0, 0, 0, 0, 1])), true),
                ("QUIC short 443→50002", Self.ip(family, protocol: 17, Self.udp(443, 50002, [0x40, 0xaa, 0xbb])), false),
                ("QUIC short 50002→443", Self.ip(family, protocol: 17, Self.udp(50002, 443, [0x41, 0xaa, 0xbb])), false),
                ("NTP 50004→123", Self.ip(family, protocol: 17, Self.udp(50004, 123, [0x23, 0, 0])), true),
                ("UDP 0x40 to another port 50005→8443", Self.ip(family, protocol: 17, Self.udp(50005, 8443, [0x40, 0])), true),
                // ICMP type 3 code 13 (RFC 792/1812); ICMPv6 type 1 code 1 (RFC 4443 §3.1).
                ("ICMP unreachable", Self.ip(family, protocol: icmp, family == .v4 ? [3, 13, 0, 0, 0, 0, 0, 0] : [1, 1, 0, 0, 0, 0, 0, 0]), true),
            ]
            for (name, packet, expected) in cases {
                #expect(Self.kept(filter, packet) == expected, "\(family) \(name) on DLT \(linkType)")
            }
        }
        // IPv4 fragments: a first fragment (MF set) of a UDP datagram to 443 whose payload
        // starts like a short header, and a later fragment (offset 185 × 8) that has no UDP header.
        #expect(Self.kept(filter, Self.ipv4(protocol: 17, payload: Self.udp(50002, 443, [0x40, 1, 2, 3, 4, 5, 6, 7]), flagsAndOffset: 0x2000)))
        #expect(Self.kept(filter, Self.ipv4(protocol: 17, payload: [0x40, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00], flagsAndOffset: 185)))
        // IPv6 fragment header (next header 44, RFC 8200 §4.5) before a TCP download segment: ports hidden, kept.
        let fragmentHeader: [UInt8] = [6, 0, 0x05, 0xc9, 0, 0, 0, 7]  // next header TCP, reserved, offset 185 + M 1, identification
        #expect(Self.kept(filter, Self.ipv6(nextHeader: 44, payload: fragmentHeader + Self.tcp(443, 50000, flags: 0x18, data: Self.download))))
        // ARP (Ethernet only): no IP, nothing the audit reads.
        if linkType == 1 {
            let arp = Self.frame([], linkType: 1).prefix(12) + Self.be16(0x0806) + [0, 1, 8, 0, 6, 4, 0, 1]
            let bytes = Array(arp)
            #expect(!bytes.withUnsafeBytes { filter.matches(CapturedPacket(timestampNanoseconds: 0, bytes: ByteView($0), originalLength: bytes.count, linkType: 1)) })
        }
    }

    /// 802.1Q (IEEE 802.1Q §9): TPID 0x8100, then PCP/DEI/VID, then the EtherType.
    static func tagged(_ ip: [UInt8], vlan: Int = 42) -> [UInt8] {
        let v6 = ip.first.map { $0 >> 4 == 6 } ?? false
        return [0x02, 0, 0, 0, 0, 1] + [0x02, 0, 0, 0, 0, 2] + be16(0x8100) + be16(vlan) + (v6 ? be16(0x86dd) : be16(0x0800)) + ip
    }

    static func keptRaw(_ filter: CompiledFilter, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes {
            filter.matches(CapturedPacket(timestampNanoseconds: 0, bytes: ByteView($0), originalLength: bytes.count, linkType: filter.linkType))
        }
    }

    @Test func onEthernetTheClausesAlsoReadPastAVLANTag() throws {
        let filter = try CompiledFilter(AuditCaptureFilter.expression(linkType: 1), linkType: 1)
        for family in Family.allCases {
            #expect(Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x11)))), "\(family) tagged FIN")
            #expect(Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 17, Self.udp(50002, 443, [0xc3, 0, 0, 0, 1])))), "\(family) tagged QUIC Initial")
            #expect(!Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 6, Self.tcp(443, 50000, flags: 0x18, data: Self.download)))), "\(family) tagged download")
            #expect(!Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 17, Self.udp(443, 50002, [0x40, 1])))), "\(family) tagged QUIC short")
        }
    }

    @Test func aNarrowingFilterIsAndedWithTheDefaultAndCaptureAllTakesItAlone() throws {
        #expect(AuditCaptureFilter.effective(capturingAll: false, narrowing: nil, linkType: 113) == AuditCaptureFilter.expression)
        #expect(AuditCaptureFilter.effective(capturingAll: true, narrowing: nil, linkType: 1) == nil)
        #expect(AuditCaptureFilter.effective(capturingAll: true, narrowing: "tcp port 9", linkType: 1) == "tcp port 9")
        #expect(AuditCaptureFilter.effective(capturingAll: false, narrowing: "tcp port 9", linkType: 12)
                == "((tcp port 9) and (\(AuditCaptureFilter.expression)))")
        for linkType in Self.linkTypes {
            let narrowed = try #require(AuditCaptureFilter.effective(capturingAll: false, narrowing: "tcp port 9", linkType: linkType))
            let filter = try CompiledFilter(narrowed, linkType: linkType)
            for family in Family.allCases {
                #expect(Self.kept(filter, Self.ip(family, protocol: 6, Self.tcp(50000, 9, flags: 0x02))))
                #expect(!Self.kept(filter, Self.ip(family, protocol: 6, Self.tcp(50000, 443, flags: 0x02))))
                // Port 9 as a well-known server port: its data to the client is still dropped.
                #expect(!Self.kept(filter, Self.ip(family, protocol: 6, Self.tcp(9, 50000, flags: 0x18, data: Self.download))))
                if linkType == 1 {
                    // The narrowing holds before and after a tag: `vlan` must not shift it for untagged frames.
                    #expect(Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 6, Self.tcp(50000, 9, flags: 0x02)))))
                    #expect(!Self.keptRaw(filter, Self.tagged(Self.ip(family, protocol: 6, Self.tcp(50000, 443, flags: 0x02)))))
                }
            }
        }
    }

    @Test func everyClauseCompilesOnItsOwnAndNoneRejectsEverything() throws {
        // libpcap refuses an expression that can never match ("rejects all packets"),
        // which is what `tcp[13]` over IPv6 does in 1.10: each clause must compile on its own.
        for clause in AuditCaptureFilter.clauses {
            for linkType in Self.linkTypes {
                _ = try CompiledFilter(clause.expression, linkType: linkType)
            }
        }
        #expect(throws: CaptureError.self) { try CompiledFilter("ip6 and tcp[13] & 7 != 0", linkType: 1) }
    }
}
