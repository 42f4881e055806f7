/// The project's one hash for its own tables (flows, names, DNS answers,
/// audit memos and aggregates, the FQDN matcher's edges): a multiply-xorshift
/// over 64-bit words, finished by SplitMix64's finaliser, so every input bit
/// reaches the low bits a power-of-two table indexes by.
///
/// Not `Hasher` (SipHash-1-3 with per-value state set-up: ~10 % of a per-flow
/// run went there) and not cryptographic: tables keyed by what the network
/// sends take a per-process random `seed`, so crafted keys cannot be aimed at
/// one probe run. The same inputs and seed give the same hash in every process
/// (`DistinctSample` relies on that with seed 0).
public enum FastHash {
    /// The 64-bit finaliser of SplitMix64 (Steele, Lea, Flood 2014).
    @inlinable @inline(__always)
    public static func mix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A hash being built word by word: `mix` each word, then read `value`.
    @frozen
    public struct Accumulator {
        @usableFromInline var state: UInt64

        @inlinable @inline(__always)
        public init(seed: UInt64 = 0) { state = seed ^ 0x243F_6A88_85A3_08D3 }

        @inlinable @inline(__always)
        public mutating func mix(_ word: UInt64) {
            state = (state ^ word) &* 0x9FB2_1C65_1E98_DF25
            state ^= state >> 28
        }

        /// The finished hash (the accumulator may go on mixing).
        @inlinable @inline(__always)
        public var value: UInt64 { FastHash.mix64(state) }
    }

    /// One word, seeded.
    @inlinable @inline(__always)
    public static func hash(_ word: UInt64, seed: UInt64 = 0) -> UInt64 {
        var a = Accumulator(seed: seed)
        a.mix(word)
        return a.value
    }

    /// Two words, seeded (addresses: high and low halves).
    @inlinable @inline(__always)
    public static func hash(_ a: UInt64, _ b: UInt64, seed: UInt64 = 0) -> UInt64 {
        var h = Accumulator(seed: seed)
        h.mix(a)
        h.mix(b)
        return h.value
    }

    /// `count` bytes at `base` with ASCII letters folded to lower case (host
    /// names compare case-insensitively), eight bytes per step. Reads nothing
    /// past `base + count`.
    @inlinable
    public static func caseFolded(_ base: UnsafeRawPointer?, count: Int, seed: UInt64 = 0) -> UInt64 {
        var h = Accumulator(seed: seed ^ UInt64(truncatingIfNeeded: count))
        guard let base, count > 0 else { return h.value }
        var i = 0
        while i + 8 <= count {
            h.mix(lowerASCII(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < count {
            h.mix(lowerASCII(tail(base, from: i, count: count)))
        }
        return h.value
    }

    /// The bytes from `i` to `count` (fewer than eight), the first in the lowest byte, as a word. With
    /// eight bytes or more in all, one load of the last eight shifted down (the byte loop was most of a
    /// name's hash and compare); shorter, byte by byte. Reads nothing outside `base..<base + count`.
    @inlinable @inline(__always)
    public static func tail(_ base: UnsafeRawPointer, from i: Int, count: Int) -> UInt64 {
        let rest = count - i
        if count >= 8 {
            return base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) >> UInt64(truncatingIfNeeded: (8 - rest) * 8)
        }
        var word: UInt64 = 0, shift: UInt64 = 0, j = i
        while j < count {
            word |= UInt64(base.load(fromByteOffset: j, as: UInt8.self)) << shift
            shift &+= 8
            j += 1
        }
        return word
    }

    /// Eight bytes at once: each of `A`…`Z` gets 0x20 added, every other byte
    /// (including bytes ≥ 0x80) is left as it is. Per byte b < 0x80:
    /// b + 0x3F sets the top bit iff b ≥ 0x41 ('A'), b + 0x25 iff b ≥ 0x5B
    /// (past 'Z'); neither sum carries into the next byte.
    @inlinable @inline(__always)
    public static func lowerASCII(_ word: UInt64) -> UInt64 {
        let heptets = word & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastA = heptets &+ 0x3F3F_3F3F_3F3F_3F3F
        let pastZ = heptets &+ 0x2525_2525_2525_2525
        let upper = atLeastA & ~pastZ & ~word & 0x8080_8080_8080_8080
        return word | (upper >> 2)
    }

    /// Eight bytes at once: 0x80 in exactly the bytes of `word` equal to
    /// `byte`, 0 elsewhere. Each byte of `word ^ byte…` is cleared of its top
    /// bit before adding 0x7F, so no carry crosses into the next byte.
    @inlinable @inline(__always)
    public static func bytes(equalTo byte: UInt8, in word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let x = word ^ (UInt64(byte) &* 0x0101_0101_0101_0101)
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// The slots of an open-addressing table kept at most half full with room for `entries`: a
    /// power of two, at least 16 (`FixedKeyMap`, `FingerprintSet`).
    @inlinable
    static func slotCount(forEntries entries: Int) -> Int {
        var size = 16
        while size < entries * 2 { size <<= 1 }
        return size
    }

    /// A seed for tables keyed by what the network sends: random per process.
    public static func randomSeed() -> UInt64 {
        var g = SystemRandomNumberGenerator()
        return g.next()
    }
}

/// A fixed-size value a `FixedKeyMap` can key by: equality and the one hash.
public protocol FastHashable: Equatable {
    /// Mixes the value's words into `hash` (see `FastHash.Accumulator`).
    func mix(into hash: inout FastHash.Accumulator)
}

extension UInt64: FastHashable {
    @inlinable @inline(__always)
    public func mix(into hash: inout FastHash.Accumulator) { hash.mix(self) }
}

extension Int32: FastHashable {
    @inlinable @inline(__always)
    public func mix(into hash: inout FastHash.Accumulator) { hash.mix(UInt64(UInt32(bitPattern: self))) }
}

extension UInt32: FastHashable {
    @inlinable @inline(__always)
    public func mix(into hash: inout FastHash.Accumulator) { hash.mix(UInt64(self)) }
}
