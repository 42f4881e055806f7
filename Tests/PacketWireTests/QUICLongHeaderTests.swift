import Testing
@testable import PacketWire

@Suite struct QUICLongHeaderTests {
    typealias F = AppWireFixtures

    /// Three packets in one datagram (RFC 9000 §12.2): v1 Initial, v1 Handshake, then padding.
    static let coalesced = F.bytes("""
        c3                      // @0 long, fixed, Initial (00), pn length 4
        00000001                // @1 version 1
        04 a1a2a3a4             // @5 DCID
        02 b1b2                 // @10 SCID
        05 746f6b656e           // @13 token "token"
        40 18                   // @19 Length = 24 (2-byte varint)
        00000000 0000000000000000000000000000000000000000  // @21 pn (4) + 20 bytes
        e1                      // @45 long, fixed, Handshake (10), pn length 2
        00000001 04 a1a2a3a4 02 b1b2
        14                      // @58 Length = 20
        0000000000000000000000000000000000000000  // @59 pn + payload
        000000                  // @79 zero padding after the last packet
        """)

    @Test func coalescedPacketsAreWalkedByLength() throws {
        #expect(Self.coalesced.count == 82)
        try F.withView(Self.coalesced) { view in
            var packets = QUICPacketIterator(view)
            let first = packets.next()
            let initial = try #require(first)
            #expect(initial.type == .initial && initial.version == 1)
            #expect(initial.destinationConnectionID.copyBytes() == [0xA1, 0xA2, 0xA3, 0xA4])
            #expect(initial.sourceConnectionID.copyBytes() == [0xB1, 0xB2])
            #expect(F.string(initial.token) == "token")
            #expect(initial.length == 24 && initial.packetNumberOffset == 21 && initial.end == 45)
            let second = packets.next()
            let handshake = try #require(second)
            #expect(handshake.type == .handshake && handshake.offset == 45)
            #expect(handshake.token.count == 0 && handshake.length == 20)
            #expect(handshake.packetNumberOffset == 59 && handshake.end == 79)
            #expect(packets.next() == nil)
            #expect(packets.issue == nil)
        }
    }

    @Test func v2TypeBitsDifferFromV1() throws {
        // 0xd3: long, fixed, type bits 01 → v2 Initial (RFC 9369 §3.2) but v1 0-RTT.
        let body = F.bytes("04 a1a2a3a4 00 00 14") + [UInt8](repeating: 0, count: 20)
        try F.withView(F.bytes("d3 6b3343cf") + body) { view in
            let h = try QUICLongHeader.parse(view)
            #expect(h.type == .initial && h.version == QUICVersion.v2)
        }
        try F.withView(F.bytes("d3 00000001 04 a1a2a3a4 00 14") + [UInt8](repeating: 0, count: 20)) { view in
            let h = try QUICLongHeader.parse(view)
            #expect(h.type == .zeroRTT)
        }
        #expect(QUICPacketType(typeBits: 0b00, version: QUICVersion.v2) == .retry)
        #expect(QUICPacketType(typeBits: 0b10, version: QUICVersion.v2) == .zeroRTT)
        #expect(QUICPacketType(typeBits: 0b11, version: QUICVersion.v2) == .handshake)
        #expect(QUICPacketType(typeBits: 0b11, version: QUICVersion.v1) == .retry)
        #expect(QUICPacketType(typeBits: 0b00, version: QUICVersion.draft29) == .initial)
    }

    @Test func versionNegotiationIsRecognised() throws {
        // Version 0; the server lists v2 and v1 (RFC 9000 §17.2.1). Fixed bit may be anything.
        try F.withView(F.bytes("80 00000000 04 b1b2b3b4 04 a1a2a3a4 6b3343cf 00000001")) { view in
            let h = try QUICLongHeader.parse(view)
            #expect(h.type == .versionNegotiation)
            #expect(h.destinationConnectionID.copyBytes() == [0xB1, 0xB2, 0xB3, 0xB4])
            #expect(h.end == view.count)
        }
    }

    @Test func retryCarriesTokenAndTag() throws {
        // RFC 9001 A.4 Retry packet.
        try F.withView(F.bytes("ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba")) { view in
            let h = try QUICLongHeader.parse(view)
            #expect(h.type == .retry && h.destinationConnectionID.count == 0)
            #expect(h.sourceConnectionID.copyBytes() == F.bytes("f067a5502a4262b5"))
            #expect(F.string(h.token) == "token")
        }
    }

    @Test func unknownVersionKeepsConnectionIDs() throws {
        try F.withView(F.bytes("c0 1a2a3a4a 01 aa 01 bb 00 01 02")) { view in
            let h = try QUICLongHeader.parse(view)
            #expect(h.type == .unknown && h.destinationConnectionID.copyBytes() == [0xAA])
        }
    }

    @Test(arguments: [
        ("40 00000001", QUICIssue.What.shortHeader),
        ("83 00000001 00 00 00 14", .fixedBitClear),
        ("c3 00000001 15 000102030405060708090a0b0c0d0e0f1011121314 00 00 14", .connectionIDTooLong),
        ("c3 00000001 00 00 00 40 64 00000000", .lengthPastEnd),
        ("c3 00000001 00 00 00 05 0000000000", .lengthTooShort),
        ("c3 00000001 00 00 05 6162", .truncated),
        ("c3 000000", .truncated),
    ])
    func malformedHeaders(hex: String, what: QUICIssue.What) {
        F.withView(F.bytes(hex)) { view in
            let issue = #expect(throws: QUICIssue.self) { _ = try QUICLongHeader.parse(view) }
            #expect(issue?.what == what, "\(hex)")
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = AppWireRNG(seed: 0x0_9001)
        var headers = 0
        for round in 0..<5000 {
            var bytes = rng.bytes(maxCount: 200)
            if round % 2 == 0 {
                bytes = Self.coalesced
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            }
            F.withView(bytes) { view in
                var packets = QUICPacketIterator(view)
                while packets.next() != nil { headers += 1 }
            }
        }
        #expect(headers > 100)
    }
}
