import Testing
@testable import FlowEngine
import PacketWire

/// IP fragments built byte by byte, fed through `PacketDecoder` (as the
/// analyzer does) and reassembled. The datagram every test splits is one UDP
/// datagram, 10.0.0.53:53 → 10.0.0.2:40000 (or 2001:db8::53 → 2001:db8::2),
/// 8 bytes of header + 40 bytes of payload 0x00…0x27 = 48 bytes of IP data.
@Suite struct IPFragmentReassemblerTests {
    static let udpData: [UInt8] = [
        0x00, 0x35,             // source port 53
        0x9c, 0x40,             // destination port 40000
        0x00, 0x30,             // length 48
        0x00, 0x00,             // checksum: none (RFC 768)
    ] + (0..<40).map { UInt8($0) } // payload

    /// The same datagram unfragmented, as RFC 791 §3.1 lays it out.
    static let wholeIPv4: [UInt8] = [
        0x45, 0x00, 0x00, 0x44, // version 4, IHL 5, TOS 0, total length 68
        0x42, 0x42, 0x00, 0x00, // identification 0x4242, no flags, offset 0
        0x40, 0x11, 0x24, 0x31, // TTL 64, protocol UDP, checksum (RFC 1071, by hand)
        10, 0, 0, 53,           // source 10.0.0.53
        10, 0, 0, 2,            // destination 10.0.0.2
    ] + udpData

    /// The same datagram over IPv6: RFC 8200 §3 header, next header UDP.
    static let wholeIPv6: [UInt8] = [
        0x60, 0x00, 0x00, 0x00, // version 6, traffic class 0, flow label 0
        0x00, 0x30, 0x11, 0x40, // payload length 48, next header UDP, hop limit 64
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, // source 2001:db8::53
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, // destination 2001:db8::2
    ] + udpData

    /// One IPv4 fragment carrying `data` at `offset` bytes (a multiple of 8).
    static func ipv4Fragment(_ data: [UInt8], offset: Int, more: Bool, id: UInt16 = 0x4242,
                             source: [UInt8] = [10, 0, 0, 53]) -> [UInt8] {
        let total = 20 + data.count
        let field = UInt16(offset / 8) | (more ? 0x2000 : 0)
        return [0x45, 0x00, UInt8(total >> 8), UInt8(total & 0xff), // version, IHL, TOS, total length
                UInt8(id >> 8), UInt8(id & 0xff),                    // identification
                UInt8(field >> 8), UInt8(field & 0xff),              // flags (MF) + offset in 8-byte units
                0x40, 0x11, 0x00, 0x00]                              // TTL 64, UDP, checksum (not checked)
            + source + [10, 0, 0, 2] + data                          // source, destination, data
    }

    /// One IPv6 fragment: fixed header → hop-by-hop (unfragmentable part) →
    /// Fragment header (next header UDP) → `data`.
    static func ipv6Fragment(_ data: [UInt8], offset: Int, more: Bool, id: UInt32 = 0x0001_0203) -> [UInt8] {
        let payload = 8 + 8 + data.count
        let field = UInt16(offset / 8) << 3 | (more ? 1 : 0)
        return [0x60, 0x00, 0x00, 0x00,                              // version 6, class, flow label
                UInt8(payload >> 8), UInt8(payload & 0xff), 0x00, 0x40, // payload length, next: hop-by-hop, hop limit 64
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, // source 2001:db8::53
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, // destination 2001:db8::2
                44, 0x00, 0x01, 0x04, 0, 0, 0, 0,                    // hop-by-hop: next Fragment, PadN ×4
                17, 0x00, UInt8(field >> 8), UInt8(field & 0xff),    // Fragment: next UDP, reserved, offset, M
                UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)] // identification
            + data
    }

    /// Result of feeding one frame: the reassembled bytes (copied) when it completed a datagram.
    struct Output {
        var bytes: [UInt8]
        var wireLength: Int
        var fragments: Int
    }

    static func feed(_ r: inout IPFragmentReassembler, _ frame: [UInt8], at seconds: Int64 = 0,
                     originalLength: Int? = nil) -> Output? {
        frame.withUnsafeBytes { raw -> Output? in
            let view = ByteView(raw)
            var packet = DecodedPacket()
            PacketDecoder().decode(view, linkType: .raw, originalLength: originalLength ?? frame.count, into: &packet)
            guard let d = r.add(packet, frame: view, timestamp: seconds * 1_000_000_000,
                                wireLength: originalLength ?? frame.count) else { return nil }
            return Output(bytes: d.bytes.copyBytes(), wireLength: d.wireLength, fragments: d.fragments)
        }
    }

    static let piece0 = Array(udpData[0..<16]), piece1 = Array(udpData[16..<32]), piece2 = Array(udpData[32..<48])

    // MARK: Order, duplicates, overlaps

    @Test func ipv4InOrder() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true)) == nil)
        #expect(r.counters.datagramsInProgress == 1 && r.counters.fragmentsHeld == 2)
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)))
        #expect(out.bytes == Self.wholeIPv4)
        #expect(out.wireLength == 3 * 36 && out.fragments == 3)
        #expect(r.counters.datagramsReassembled == 1 && r.counters.fragmentsReassembled == 3)
        #expect(r.counters.datagramsInProgress == 0 && r.counters.fragmentsHeld == 0)
    }

    @Test func reassembledDatagramDecodesAsOneUDPPacket() throws {
        var r = IPFragmentReassembler()
        _ = Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true))
        _ = Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true))
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)))
        var packet = DecodedPacket()
        let payload = out.bytes.withUnsafeBytes { raw -> [UInt8] in
            PacketDecoder().decode(ByteView(raw), linkType: .raw, originalLength: raw.count, into: &packet)
            return packet.payload.copyBytes()
        }
        #expect(packet.status == .decoded && packet.fragment == .none && packet.transport == .udp)
        #expect(packet.sourcePort == 53 && packet.destinationPort == 40000)
        #expect(payload == (0..<40).map { UInt8($0) })
    }

    @Test func ipv4Reversed() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true)) == nil)
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)))
        #expect(out.bytes == Self.wholeIPv4)
    }

    @Test func duplicateFragmentIsTolerated() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true)) == nil)
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)))
        #expect(out.bytes == Self.wholeIPv4)
        #expect(out.fragments == 4 && out.wireLength == 4 * 36)
    }

    @Test func overlappingFragmentsKeepTheFirstCopy() throws {
        var r = IPFragmentReassembler()
        // Bytes 0..<24 first; then 16..<48 whose first 8 bytes disagree (0xee): the held bytes stay.
        #expect(Self.feed(&r, Self.ipv4Fragment(Array(Self.udpData[0..<24]), offset: 0, more: true)) == nil)
        let late = [UInt8](repeating: 0xee, count: 8) + Array(Self.udpData[24..<48])
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(late, offset: 16, more: false)))
        #expect(out.bytes == Self.wholeIPv4)
    }

    @Test func differentSourcesWithTheSameIdentificationDoNotMix() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true, source: [10, 0, 0, 99])) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false, source: [10, 0, 0, 99])) == nil)
        #expect(r.counters.datagramsInProgress == 2)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true)) == nil)
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)))
        #expect(out.bytes == Self.wholeIPv4)
    }

    @Test func ipv6OutOfOrderDropsTheUnfragmentablePart() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv6Fragment(Self.piece1, offset: 16, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv6Fragment(Self.piece2, offset: 32, more: false)) == nil)
        let out = try #require(Self.feed(&r, Self.ipv6Fragment(Self.piece0, offset: 0, more: true)))
        #expect(out.bytes == Self.wholeIPv6)
        #expect(out.wireLength == 3 * (40 + 16 + 16))
    }

    @Test func ipv6InOrder() throws {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv6Fragment(Self.piece0, offset: 0, more: true)) == nil)
        #expect(Self.feed(&r, Self.ipv6Fragment(Self.piece1, offset: 16, more: true)) == nil)
        let out = try #require(Self.feed(&r, Self.ipv6Fragment(Self.piece2, offset: 32, more: false)))
        #expect(out.bytes == Self.wholeIPv6)
    }

    // MARK: Bounds

    @Test func missingPieceNeverCompletesAndIdlesOut() {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true), at: 100) == nil)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false), at: 101) == nil)
        // 30 s after the last fragment: still waiting (idle must exceed the timeout).
        r.evictIdle(now: 131 * 1_000_000_000)
        #expect(r.counters.datagramsInProgress == 1 && r.counters.droppedTimeout == 0)
        // A fragment of another datagram 31 s later sweeps it out.
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true, id: 7), at: 132) == nil)
        #expect(r.counters.droppedTimeout == 1 && r.counters.fragmentsDropped == 2)
        #expect(r.counters.datagramsInProgress == 1 && r.counters.fragmentsHeld == 1)
        // The missing piece arriving now starts over rather than completing the dropped datagram.
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true), at: 133) == nil)
        #expect(r.counters.datagramsReassembled == 0)
    }

    @Test func oversizeDatagramIsRefusedAndItsFragmentsAbsorbed() {
        var r = IPFragmentReassembler()
        #expect(r.limits.maxDatagramBytes == 16 * 1024)
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true)) == nil)
        // Last fragment at 16,384 bytes: the datagram would be 16,400 bytes > 16 KiB.
        #expect(Self.feed(&r, Self.ipv4Fragment([UInt8](repeating: 1, count: 16), offset: 16384, more: false)) == nil)
        #expect(r.counters.droppedOversize == 1 && r.counters.fragmentsDropped == 2 && r.counters.fragmentsHeld == 0)
        // Its other fragments are absorbed, never completing a datagram and not refused twice.
        #expect(Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true)) == nil)
        #expect(r.counters.droppedOversize == 1 && r.counters.datagramsReassembled == 0)
        // A datagram that ends exactly at the cap is fine.
        var small = IPFragmentLimits()
        small.maxDatagramBytes = 48
        var fits = IPFragmentReassembler(limits: small)
        _ = Self.feed(&fits, Self.ipv4Fragment(Self.piece0, offset: 0, more: true))
        _ = Self.feed(&fits, Self.ipv4Fragment(Self.piece1, offset: 16, more: true))
        #expect(Self.feed(&fits, Self.ipv4Fragment(Self.piece2, offset: 32, more: false))?.bytes == Self.wholeIPv4)
    }

    @Test func floodOfDistinctIdentificationsStaysWithinTheCap() throws {
        var r = IPFragmentReassembler()
        for id in 0..<10_000 {
            _ = Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true, id: UInt16(id & 0xffff),
                                                source: [10, 1, UInt8(id >> 8), UInt8(id & 0xff)]))
            #expect(r.counters.datagramsInProgress <= 256)
        }
        #expect(r.counters.datagramsInProgress == 256 && r.counters.fragmentsHeld == 256)
        #expect(r.counters.droppedCapacity == 10_000 - 256 && r.counters.fragmentsDropped == 10_000 - 256)
        // A real datagram still gets through during the flood.
        _ = Self.feed(&r, Self.ipv4Fragment(Self.piece0, offset: 0, more: true))
        _ = Self.feed(&r, Self.ipv4Fragment(Self.piece1, offset: 16, more: true))
        let out = try #require(Self.feed(&r, Self.ipv4Fragment(Self.piece2, offset: 32, more: false)))
        #expect(out.bytes == Self.wholeIPv4)
    }

    @Test func snaplenCutFragmentIsCountedNotHeld() {
        var r = IPFragmentReassembler()
        let frame = Self.ipv4Fragment(Self.piece0, offset: 0, more: true)
        #expect(Self.feed(&r, Array(frame.prefix(30)), originalLength: frame.count) == nil)
        #expect(r.counters.fragmentsTruncated == 1 && r.counters.datagramsInProgress == 0)
    }

    @Test func unfragmentedPacketIsIgnored() {
        var r = IPFragmentReassembler()
        #expect(Self.feed(&r, Array(Self.wholeIPv4)) == nil)
        #expect(r.counters.fragments == 0)
    }
}
