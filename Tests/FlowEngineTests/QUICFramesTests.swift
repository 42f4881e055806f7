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
}
