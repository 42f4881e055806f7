import Testing
import PacketWire
@testable import FlowEngine

@Suite struct QUICInitialDecryptorTests {
    typealias V = QUICTestVectors

    static let cases: [(name: String, version: UInt32, packet: [UInt8], header: String)] = [
        ("RFC 9001 A.2", QUICVersion.v1, V.v1ClientInitial, "c300000001088394c8f03e5157080000449e00000002"),
        ("RFC 9369 A.2", QUICVersion.v2, V.v2ClientInitial, "d36b3343cf088394c8f03e5157080000449e00000002"),
    ]

    @Test(arguments: 0..<2)
    func clientInitialDecryptsToTheRFCPayload(index: Int) throws {
        let c = Self.cases[index]
        #expect(c.packet.count == 1200, "\(c.name): the RFC packet is 1200 bytes")
        try V.withView(c.packet) { datagram in
            let header = try QUICLongHeader.parse(datagram)
            #expect(header.type == .initial)
            #expect(header.version == c.version)
            #expect(header.destinationConnectionID.copyBytes() == V.dcid)
            #expect(header.sourceConnectionID.count == 0)
            #expect(header.token.count == 0)
            #expect(header.length == 1182)  // 0x449e & 0x3fff
            #expect(header.packetNumberOffset == 18)
            #expect(header.end == 1200)
            let keys = try #require(QUICInitialKeys(version: c.version, destinationConnectionID: header.destinationConnectionID))
            var decryptor = QUICInitialDecryptor()
            let result = decryptor.open(header, in: datagram, keys: keys)
            let opened = try #require(result)
            #expect(opened.packetNumber == 2)
            #expect(opened.packetNumberLength == 4)
            #expect(opened.header == V.bytes(c.header))
            #expect(opened.payload == V.clientPayload, "\(c.name): byte-for-byte unprotected payload")
            #expect(decryptor.counters.opened == 1 && decryptor.counters.failures == 0)

            // The CRYPTO frame carries the RFC's ClientHello for example.com.
            var assembler = CryptoStreamAssembler()
            let frames = try opened.payload.withUnsafeBytes { try assembler.absorb(payload: ByteView($0)) }
            #expect(frames == 1)
            #expect(assembler.contiguousCount == 0xF1)
            assembler.withContiguousBytes { stream in
                guard case .complete(let hello) = TLSClientHello.parse(handshake: stream) else {
                    Issue.record("\(c.name): ClientHello did not parse")
                    return
                }
                #expect(hello.serverNameString == "example.com")
                #expect(hello.alpnProtocols.strings == ["alpn"])
                #expect(Array(hello.versions) == [0x0304])
                #expect(hello.hasECH == false)
            }
        }
    }

    @Test func wrongConnectionIDIsCountedNotFatal() throws {
        try V.withView(V.v1ClientInitial) { datagram in
            let header = try QUICLongHeader.parse(datagram)
            let keys = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: [1, 2, 3, 4, 5, 6, 7, 8]))
            var decryptor = QUICInitialDecryptor()
            #expect(decryptor.open(header, in: datagram, keys: keys) == nil)
            #expect(decryptor.counters.authenticationFailed == 1)
            let v2keys = try #require(QUICInitialKeys(version: QUICVersion.v2, destinationConnectionID: V.dcid))
            #expect(decryptor.open(header, in: datagram, keys: v2keys) == nil)
            #expect(decryptor.counters.unsupportedVersion == 1)
            #expect(decryptor.counters.opened == 0)
        }
    }

    @Test func flippedCiphertextByteFailsAuthentication() throws {
        var packet = V.v1ClientInitial
        packet[600] ^= 0x01
        try V.withView(packet) { datagram in
            let header = try QUICLongHeader.parse(datagram)
            let keys = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: V.dcid))
            #expect(throws: QUICDecryptFailure.authenticationFailed) {
                try QUICInitialDecryptor.openPacket(header, in: datagram, keys: keys)
            }
        }
    }

    @Test func truncatedDatagramIsRejectedByTheHeader() {
        let cut = Array(V.v1ClientInitial.prefix(600))
        V.withView(cut) { datagram in
            #expect(throws: QUICIssue.self) { try QUICLongHeader.parse(datagram) }
        }
    }

    // RFC 9000 A.3: largest 0xa82f30ea, 2-byte truncated 0x9b32 → 0xa82f9b32.
    @Test func packetNumberRecovery() {
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 0x9B32, length: 2, largest: 0xA82F_30EA) == 0xA82F_9B32)
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 2, length: 4, largest: nil) == 2)
        // Wrap forward: expected 0x100, truncated 1-byte 0x01 → 0x101.
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 0x01, length: 1, largest: 0xFF) == 0x101)
    }

    @Test func randomBytesNeverTrap() throws {
        var rng = SplitMix64(seed: 0x5EED_0001)
        let keys = try #require(QUICInitialKeys(version: QUICVersion.v1, destinationConnectionID: V.dcid))
        var decryptor = QUICInitialDecryptor()
        var headers = 0
        for round in 0..<3000 {
            var bytes = (0..<Int(rng.next() % 1300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Half the inputs start like a v1 Initial so deeper code runs.
            if round % 2 == 0, bytes.count > 8 { bytes.replaceSubrange(0..<5, with: [0xC3, 0, 0, 0, 1]) }
            bytes.withUnsafeBytes { raw in
                let view = ByteView(raw)
                var packets = QUICPacketIterator(view)
                while let header = packets.next() {
                    headers += 1
                    _ = decryptor.open(header, in: view, keys: keys)
                }
            }
        }
        #expect(decryptor.counters.opened == 0)
        #expect(headers > 0, "the fuzz reached header parsing")
    }
}

/// A small deterministic generator for seeded fuzz loops.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
