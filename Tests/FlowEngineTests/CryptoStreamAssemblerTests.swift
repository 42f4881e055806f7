import Testing
import PacketWire
@testable import FlowEngine

@Suite struct CryptoStreamAssemblerTests {
    typealias V = QUICTestVectors

    /// The RFC 9001 A.2 ClientHello (the CRYPTO frame's data: skip type, offset, 2-byte length).
    static let clientHello = Array(V.clientCryptoFrame.dropFirst(4))

    private func insert(_ a: inout CryptoStreamAssembler, _ offset: Int, _ range: Range<Int>) -> Int {
        Array(Self.clientHello[range]).withUnsafeBytes { a.insert(offset: UInt64(offset), bytes: ByteView($0)) }
    }

    @Test func outOfOrderAcrossPacketsBecomesContiguous() {
        #expect(Self.clientHello.count == 241)
        var a = CryptoStreamAssembler()
        // Second half first, as when the second Initial arrives first.
        #expect(insert(&a, 120, 120..<241) == 121)
        #expect(a.contiguousCount == 0)
        a.withContiguousBytes { #expect(TLSClientHello.parse(handshake: $0).isNeedMore) }
        #expect(insert(&a, 0, 0..<120) == 120)
        #expect(a.contiguousCount == 241)
        a.withContiguousBytes { stream in
            guard case .complete(let hello) = TLSClientHello.parse(handshake: stream) else {
                Issue.record("ClientHello should parse once contiguous")
                return
            }
            #expect(hello.serverNameString == "example.com")
        }
    }

    @Test func partialPrefixAsksForTheDeclaredTotal() {
        var a = CryptoStreamAssembler()
        _ = insert(&a, 0, 0..<100)
        a.withContiguousBytes { stream in
            guard case .needMoreBytes(let total) = TLSClientHello.parse(handshake: stream) else {
                Issue.record("expected needMoreBytes")
                return
            }
            #expect(total == 241)  // 4-byte header + 0x0000ed
        }
    }

    @Test func duplicatesAndOverlapsKeepTheFirstCopy() {
        var a = CryptoStreamAssembler()
        #expect(insert(&a, 0, 0..<50) == 50)
        #expect(insert(&a, 0, 0..<50) == 0)          // exact retransmission
        #expect(insert(&a, 40, 40..<80) == 30)       // overlaps 10 bytes
        #expect(a.duplicateBytes == 60)
        #expect(a.contiguousCount == 80)
        // A hole at 80..<90, then data after it.
        #expect(insert(&a, 90, 90..<100) == 10)
        #expect(a.contiguousCount == 80)
        #expect(insert(&a, 80, 80..<90) == 10)
        #expect(a.contiguousCount == 100)
        a.withContiguousBytes { #expect($0.copyBytes() == Array(Self.clientHello[0..<100])) }
    }

    @Test func boundedByCapacity() {
        var a = CryptoStreamAssembler(capacity: 64)
        #expect(insert(&a, 0, 0..<100) == 64)
        #expect(a.droppedBytes == 36)
        #expect(a.contiguousCount == 64)
        #expect(insert(&a, 1_000_000, 0..<10) == 0)
        #expect(a.droppedBytes == 46)
        // An offset near 2^64 does not trap.
        _ = Array(repeating: UInt8(1), count: 8).withUnsafeBytes { a.insert(offset: .max - 2, bytes: ByteView($0)) }
        #expect(a.highestOffset == .max)
        a.reset()
        #expect(a.contiguousCount == 0 && a.droppedBytes == 0)
    }

    @Test func wordAlignedFastPathCountsExactly() {
        // 200 bytes arriving in 8 pieces out of order: every 64-bit word boundary crossed.
        var a = CryptoStreamAssembler(capacity: 256)
        for start in stride(from: 175, through: 0, by: -25) {
            _ = insert(&a, start, start..<(start + 25))
        }
        #expect(a.contiguousCount == 200)
    }
}

extension TLSClientHelloParse {
    var isNeedMore: Bool {
        if case .needMoreBytes = self { return true }
        return false
    }
}
