/// One bit per value, at its hash's top bits, never cleared: a clear bit says
/// the value was never inserted, so a lookup elsewhere can be skipped; a set
/// bit only says "look". Spares per-flow lookups of keys most of which were
/// never seen (a flood's addresses: the DNS answer cache's, the audit's
/// address destinations past their cap).
public struct HashBitFilter: Sendable {
    @usableFromInline var words: [UInt64]
    /// 64 − log2(bit count): a hash's top bits pick its bit.
    @usableFromInline let shift: UInt64

    /// `bitCount` bits, a power of two of at least 64.
    public init(bitCount: Int) {
        precondition(bitCount >= 64 && bitCount & (bitCount - 1) == 0, "HashBitFilter: a power of two of at least 64 bits")
        words = [UInt64](repeating: 0, count: bitCount / 64)
        shift = UInt64(64 - bitCount.trailingZeroBitCount)
    }

    @inlinable @inline(__always)
    public mutating func insert(hash: UInt64) {
        let bit = Int(truncatingIfNeeded: hash >> shift)
        words[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    /// False when no value of this hash's bit was inserted.
    @inlinable @inline(__always)
    public func mayContain(hash: UInt64) -> Bool {
        let bit = Int(truncatingIfNeeded: hash >> shift)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }
}
