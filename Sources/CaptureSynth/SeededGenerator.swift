/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified, so the same seed gives
/// the same capture on every platform and Swift version. All draws go through the helpers below
/// rather than the standard library's `random(in:using:)`, whose algorithm is not a stable contract.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (multiply-high; the bias is < 2^-32 for the bounds used here).
    public mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in the closed range.
    public mutating func inRange(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    public mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }

    public mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: next() >> 48) }

    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            var word = next()
            for _ in 0..<min(8, count - out.count) { out.append(UInt8(truncatingIfNeeded: word)); word >>= 8 }
        }
        return out
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// An ephemeral port in Linux's default range 32768–60999.
    public mutating func ephemeralPort() -> UInt16 { UInt16(inRange(32768...60999)) }
}
