import Testing
import PacketWire
@testable import FlowEngine

@Suite struct QUICFramesTests {
    typealias V = QUICTestVectors

    @Test func readsEveryInitialFrameKind() throws {
        let payload = V.bytes("""
            01                      // PING
            02 41f4 00 01 05 02 03  // ACK largest=500 delay=0 ranges=1 first=5, gap=2 len=3
            03 0a 00 00 00 01 02 03 // ACK_ECN largest=10 delay=0 ranges=0 first=0, ECT0=1 ECT1=2 CE=3
            06 4064 03 616263       // CRYPTO offset=100 (2-byte varint) len=3 "abc"
            1c 0a 06 02 6f6b        // CONNECTION_CLOSE code=10 frame type=CRYPTO reason "ok"
            00 00 00                // PADDING x3
            """)
        try V.withView(payload) { view in
            var reader = QUICFrameReader(view)
            guard case .ping = try reader.next() else { Issue.record("PING"); return }
            guard case .ack(let largest, let ranges) = try reader.next() else { Issue.record("ACK"); return }
            #expect(largest == 500 && ranges == 1)
            guard case .ack(let largestECN, _) = try reader.next() else { Issue.record("ACK_ECN"); return }
            #expect(largestECN == 10)
            guard case .crypto(let offset, let data) = try reader.next() else { Issue.record("CRYPTO"); return }
            #expect(offset == 100 && data.copyBytes() == Array("abc".utf8))
            guard case .connectionClose(let code, let frameType, let reason) = try reader.next() else { Issue.record("CLOSE"); return }
            #expect(code == 10 && frameType == 6 && reason.copyBytes() == Array("ok".utf8))
            guard case .padding(let count) = try reader.next() else { Issue.record("PADDING"); return }
            #expect(count == 3)
            #expect(try reader.next() == nil)
        }
    }

    @Test func stopsAtAFrameNotAllowedInInitial() throws {
        // PING, then STREAM (0x08), which an Initial packet may not carry (RFC 9000 §12.4).
        try V.withView(V.bytes("01 08 00 01 61")) { view in
            var reader = QUICFrameReader(view)
            guard case .ping = try reader.next() else { Issue.record("PING"); return }
            #expect(try reader.next() == nil)
            #expect(reader.unexpectedFrameType == 0x08)
        }
    }

    @Test func truncatedCryptoFrameThrows() {
        // CRYPTO offset=0 length=10 but only 2 bytes follow.
        V.withView(V.bytes("06 00 0a 6162")) { view in
            var reader = QUICFrameReader(view)
            #expect(throws: QUICFrameIssue(what: .truncated, offset: 0)) { _ = try reader.next() }
        }
    }

    @Test func randomPayloadsNeverTrap() {
        var rng = AppWireQUICRNG(seed: 0xF4A3_0001)
        var assembler = CryptoStreamAssembler(capacity: 2048)
        var frames = 0
        for round in 0..<5000 {
            var payload = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Every other payload starts with a CRYPTO frame type so offsets and lengths get exercised.
            if round % 2 == 0, !payload.isEmpty { payload[0] = 0x06 }
            payload.withUnsafeBytes { raw in
                var reader = QUICFrameReader(ByteView(raw))
                while let frame = try? reader.next() {
                    frames += 1
                    if case .crypto(let offset, let data) = frame { assembler.insert(offset: offset, bytes: data) }
                }
                _ = try? assembler.absorb(payload: ByteView(raw))
            }
        }
        #expect(frames > 100, "the fuzz reached frame parsing")
        #expect(assembler.contiguousCount <= 2048)
    }

    /// RFC 9000 Appendix A.3, worked by hand at the edges, with the all-ones
    /// truncated value of each length: nothing received yet (expected 0) or
    /// only packet 0 (expected 1) leaves the candidate as it is; at the
    /// greatest packet number, 2^62 - 1 (§12.3), the candidate 2^62 + 2^bits - 1
    /// is more than half a window ahead and steps back one window to 2^62 - 1.
    /// A largest past the limit is clamped to it, so it decodes the same.
    @Test func packetNumberRecoveryAtTheEdges() {
        let greatest: UInt64 = (1 << 62) - 1
        for length in 1...4 {
            let allOnes: UInt64 = (1 << UInt64(8 * length)) - 1
            #expect(QUICInitialDecryptor.decodePacketNumber(truncated: allOnes, length: length, largest: nil) == allOnes, "length \(length)")
            #expect(QUICInitialDecryptor.decodePacketNumber(truncated: allOnes, length: length, largest: 0) == allOnes, "length \(length)")
            #expect(QUICInitialDecryptor.decodePacketNumber(truncated: allOnes, length: length, largest: greatest) == greatest, "length \(length)")
            #expect(QUICInitialDecryptor.decodePacketNumber(truncated: allOnes, length: length, largest: .max) == greatest, "length \(length)")
        }
        // The RFC's own example (Appendix A.3): largest 0xa82f30ea, 16-bit 0x9b32 → 0xa82f9b32.
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 0x9b32, length: 2, largest: 0xa82f_30ea) == 0xa82f_9b32)
        // Wrapping forward across a window: largest 0x1fe (expected 0x1ff), 8-bit 0x01 → 0x201, not 0x101.
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 0x01, length: 1, largest: 0x1fe) == 0x201)
        // And back: largest 0x200 (expected 0x201), 8-bit 0xff → 0x1ff, not 0x2ff.
        #expect(QUICInitialDecryptor.decodePacketNumber(truncated: 0xff, length: 1, largest: 0x200) == 0x1ff)
    }
}
