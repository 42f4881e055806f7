import PacketWire

/// Bounded reassembly of a QUIC crypto stream (RFC 9000 §19.6): CRYPTO data
/// arrives at arbitrary offsets, out of order, repeated or overlapping, and
/// across several Initial packets. Only the first `capacity` bytes are kept
/// (enough for a ClientHello); `contiguousCount` says how many bytes from
/// offset 0 have no hole, so the ClientHello parser can run on them.
///
/// Storage is allocated once per flow; inserts do not allocate.
public struct CryptoStreamAssembler: Sendable {
    public static let defaultCapacity = 16_384

    public let capacity: Int
    var storage: [UInt8]
    /// One bit per stored byte: set once the byte has arrived.
    var present: [UInt64]
    public private(set) var contiguousCount = 0
    /// Bytes that arrived but lay beyond `capacity`.
    public private(set) var droppedBytes = 0
    /// Bytes that had already arrived (retransmissions, overlaps); the first copy is kept.
    public private(set) var duplicateBytes = 0
    /// Highest stream offset seen so far (exclusive end), even beyond capacity.
    public private(set) var highestOffset: UInt64 = 0

    public init(capacity: Int = defaultCapacity) {
        self.capacity = Swift.max(0, capacity)
        // Not cleared: a byte is read only after it arrived (its `present` bit is set).
        let size = self.capacity
        storage = [UInt8](unsafeUninitializedCapacity: size) { _, initialized in initialized = size }
        present = [UInt64](repeating: 0, count: (self.capacity + 63) / 64)
    }

    /// Stores `bytes` at stream `offset`; returns how many new bytes were kept.
    @discardableResult
    public mutating func insert(offset: UInt64, bytes: ByteView) -> Int {
        let end = offset.addingReportingOverflow(UInt64(bytes.count))
        highestOffset = Swift.max(highestOffset, end.overflow ? .max : end.partialValue)
        guard offset < UInt64(capacity) else {
            droppedBytes += bytes.count
            return 0
        }
        let start = Int(offset)
        let keep = Swift.min(bytes.count, capacity - start)
        droppedBytes += bytes.count - keep
        if keep > 0, noneArrived(start, keep) {
            // The common case, a fresh range: one copy and whole words of bits.
            storage.withUnsafeMutableBytes { raw in
                bytes.withUnsafeBytes { source in
                    raw.baseAddress!.advanced(by: start).copyMemory(from: source.baseAddress!, byteCount: keep)
                }
            }
            markArrived(start, keep)
            if start <= contiguousCount { advance() }
            return keep
        }
        var added = 0
        for i in 0..<keep {
            let position = start + i
            let word = position >> 6
            let bit = UInt64(1) << UInt64(position & 63)
            if present[word] & bit != 0 {
                duplicateBytes += 1
            } else {
                present[word] |= bit
                storage[position] = bytes.u8Unchecked(at: i)
                added += 1
            }
        }
        if start <= contiguousCount { advance() }
        return added
    }

    /// True when no byte of `start ..< start + count` has arrived yet.
    private func noneArrived(_ start: Int, _ count: Int) -> Bool {
        var position = start
        let end = start + count
        while position < end {
            let word = position >> 6, low = position & 63
            let span = Swift.min(64 - low, end - position)
            let mask = (span == 64 ? ~UInt64(0) : (UInt64(1) << UInt64(span)) - 1) << UInt64(low)
            if present[word] & mask != 0 { return false }
            position += span
        }
        return true
    }

    private mutating func markArrived(_ start: Int, _ count: Int) {
        var position = start
        let end = start + count
        while position < end {
            let word = position >> 6, low = position & 63
            let span = Swift.min(64 - low, end - position)
            present[word] |= (span == 64 ? ~UInt64(0) : (UInt64(1) << UInt64(span)) - 1) << UInt64(low)
            position += span
        }
    }

    private mutating func advance() {
        var n = contiguousCount
        while n < capacity {
            let word = present[n >> 6]
            if n & 63 == 0, word == .max {
                n += 64
                continue
            }
            guard word & (UInt64(1) << UInt64(n & 63)) != 0 else { break }
            n += 1
        }
        contiguousCount = Swift.min(n, capacity)
    }

    /// Reads the frames of an opened (decrypted) Initial payload and stores
    /// its CRYPTO data. Returns the number of CRYPTO frames.
    @discardableResult
    public mutating func absorb(payload: ByteView) throws(QUICFrameIssue) -> Int {
        var frames = QUICFrameReader(payload)
        var count = 0
        while let frame = try frames.next() {
            if case .crypto(let offset, let data) = frame {
                insert(offset: offset, bytes: data)
                count += 1
            }
        }
        return count
    }

    /// Runs `body` over bytes 0..<contiguousCount; the view must not escape.
    public func withContiguousBytes<R>(_ body: (ByteView) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { raw in
            try body(ByteView(UnsafeRawBufferPointer(rebasing: raw.prefix(contiguousCount))))
        }
    }

    /// Forgets everything, keeping the storage.
    public mutating func reset() {
        for i in present.indices { present[i] = 0 }
        contiguousCount = 0
        droppedBytes = 0
        duplicateBytes = 0
        highestOffset = 0
    }
}
