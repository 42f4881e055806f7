import TestSupport
import Testing
@testable import FlowEngine
import PacketWire

private func view<R>(_ bytes: [UInt8], _ body: (ByteView) -> R) -> R {
    bytes.withUnsafeBytes { body(ByteView($0)) }
}

@Suite struct FirstFlightPoolTests {
    @Test func inOrderSegmentsGrowTheContiguousPrefix() throws {
        var pool = FirstFlightPool(bufferSize: 64, maxBuffers: 2)
        guard let id = pool.acquire(baseSequence: 1000) else { Issue.record("pool refused"); return }
        #expect(view([1, 2, 3]) { pool.add(id, sequence: 1000, bytes: $0) } == 3)
        #expect(view([4, 5]) { pool.add(id, sequence: 1003, bytes: $0) } == 5)
        #expect(pool.withContiguousBytes(id) { $0.copyBytes() } == [1, 2, 3, 4, 5])
    }

    @Test func outOfOrderSegmentsJoinWhenTheGapFills() throws {
        var pool = FirstFlightPool(bufferSize: 64, maxBuffers: 1)
        guard let id = pool.acquire(baseSequence: 0) else { Issue.record("pool refused"); return }
        #expect(view([7, 8]) { pool.add(id, sequence: 6, bytes: $0) } == 0)
        #expect(view([4, 5]) { pool.add(id, sequence: 3, bytes: $0) } == 0)
        #expect(view([1, 2, 3]) { pool.add(id, sequence: 0, bytes: $0) } == 5)
        #expect(view([6]) { pool.add(id, sequence: 5, bytes: $0) } == 8)
        #expect(pool.withContiguousBytes(id) { $0.copyBytes() } == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func retransmitsAndOverlapsKeepTheFirstCopy() throws {
        var pool = FirstFlightPool(bufferSize: 64, maxBuffers: 1)
        guard let id = pool.acquire(baseSequence: 10) else { Issue.record("pool refused"); return }
        _ = view([1, 2, 3, 4]) { pool.add(id, sequence: 10, bytes: $0) }
        // Overlapping retransmission with different bytes: the held ones stay.
        _ = view([9, 9, 5, 6]) { pool.add(id, sequence: 12, bytes: $0) }
        // A segment starting before the stream (e.g. the SYN's sequence number).
        _ = view([0, 1, 2]) { pool.add(id, sequence: 8, bytes: $0) }
        #expect(pool.withContiguousBytes(id) { $0.copyBytes() } == [1, 2, 3, 4, 5, 6])
    }

    @Test func sequenceNumbersWrapAround() throws {
        var pool = FirstFlightPool(bufferSize: 16, maxBuffers: 1)
        guard let id = pool.acquire(baseSequence: 0xffff_fffe) else { Issue.record("pool refused"); return }
        _ = view([3, 4]) { pool.add(id, sequence: 0, bytes: $0) }
        _ = view([1, 2]) { pool.add(id, sequence: 0xffff_fffe, bytes: $0) }
        #expect(pool.withContiguousBytes(id) { $0.copyBytes() } == [1, 2, 3, 4])
    }

    @Test func theCapHoldsAndIsCounted() throws {
        var pool = FirstFlightPool(bufferSize: 8, maxBuffers: 1)
        guard let id = pool.acquire(baseSequence: 0) else { Issue.record("pool refused"); return }
        #expect(view([UInt8](repeating: 1, count: 20)) { pool.add(id, sequence: 0, bytes: $0) } == 8)
        #expect(pool.bytesBeyondCap == 12)
        #expect(pool.isFull(id))
        _ = view([1]) { pool.add(id, sequence: 1_000_000, bytes: $0) }
        #expect(pool.bytesBeyondCap == 13)
        // The pool itself is capped too, and buffers are recycled.
        #expect(pool.acquire(baseSequence: 0) == nil)
        #expect(pool.refusedPoolFull == 1)
        pool.release(id)
        guard let again = pool.acquire(baseSequence: 5) else { Issue.record("pool refused"); return }
        #expect(pool.contiguousLength(again) == 0)
    }

    @Test func tooManyHolesAreRefusedNotCrashed() throws {
        var pool = FirstFlightPool(bufferSize: 1024, maxBuffers: 1)
        guard let id = pool.acquire(baseSequence: 0) else { Issue.record("pool refused"); return }
        for k in 0..<40 { _ = view([1]) { pool.add(id, sequence: UInt32(2 + k * 2), bytes: $0) } }
        #expect(pool.segmentsRefusedTooFragmented == 40 - FirstFlightPool.maxRanges)
        #expect(pool.contiguousLength(id) == 0)
    }

    /// Random segments (seeded) against a plain byte-array model of "first copy wins".
    @Test func matchesAReferenceModelOnRandomSegments() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let size = 64
            let stream = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var pool = FirstFlightPool(bufferSize: size, maxBuffers: 1)
            let base = UInt32.random(in: 0...UInt32.max, using: &rng)
            guard let id = pool.acquire(baseSequence: base) else { Issue.record("pool refused"); return }
            var model = [UInt8?](repeating: nil, count: size)
            var held = 0
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let start = Int.random(in: -8..<size, using: &rng)
                let length = Int.random(in: 0...24, using: &rng)
                // Segment bytes: the real stream, but a retransmission may carry junk in held places.
                var seg: [UInt8] = []
                for i in start..<(start + length) { seg.append(i >= 0 && i < size ? stream[i] : 0xee) }
                let before = pool.segmentsRefusedTooFragmented
                _ = view(seg) { pool.add(id, sequence: base &+ UInt32(bitPattern: Int32(start)), bytes: $0) }
                if pool.segmentsRefusedTooFragmented == before {
                    let lo = max(0, start), hi = min(size, start + length)
                    if lo < hi { for i in lo..<hi where model[i] == nil { model[i] = stream[i] } }
                }
                held = 0
                while held < size, model[held] != nil { held += 1 }
                #expect(pool.contiguousLength(id) == held)
            }
            #expect(pool.withContiguousBytes(id) { $0.copyBytes() } == Array(stream.prefix(held)))
        }
    }
}

