import CSHA256

/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) over fixed-size values,
/// for the one place the engine needs them: deriving QUIC Initial keys once
/// per connection (RFC 9001 §5.2). swift-crypto's HKDF took ~94,000
/// instructions per connection through its generic, allocating API; this
/// takes a few SHA-256 blocks on the stack, and an HMAC key's inner and outer
/// states are computed once and copied (the Initial salt's for every
/// connection, a secret's for its three labels).
///
/// On CPUs with the SHA extensions a block is compressed by them (CSHA256,
/// about a tenth of the instructions); elsewhere by the portable rounds here.
///
/// Not for secrets: an observer's keys are public by design (anyone can
/// derive them from the packet), so constant time is not a goal.
struct SHA256State {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// The partial block, and how many bytes of it are filled.
    private var block = Block()
    private var filled = 0
    private var length: UInt64 = 0
    /// Compress with the SHA extensions (the default where the CPU has them); false: the portable rounds.
    private let hardware: Bool

    /// Whether this CPU has the SHA extensions CSHA256 uses.
    static let hardwareAvailable = egress_sha256_has_hardware() != 0

    /// 64 bytes inline: no heap for a block.
    struct Block {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    init(hardware: Bool = SHA256State.hardwareAvailable) {
        self.hardware = hardware && Self.hardwareAvailable
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        while i < bytes.count {
            let take = Swift.min(64 - filled, bytes.count - i)
            withUnsafeMutableBytes(of: &block) { raw in
                raw.baseAddress!.advanced(by: filled).copyMemory(from: bytes.baseAddress!.advanced(by: i), byteCount: take)
            }
            filled += take
            i += take
            if filled == 64 {
                compress()
                filled = 0
            }
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest; the state is spent.
    mutating func finalize() -> Digest {
        let bits = length &* 8
        var pad: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0x80, 0, 0, 0, 0, 0, 0, 0, 0)
        // 0x80, zeros to 56 mod 64, then the bit length big-endian.
        let padLength = filled < 56 ? 56 - filled : 120 - filled
        withUnsafeBytes(of: &pad) { update(UnsafeRawBufferPointer(rebasing: $0[0..<padLength])) }
        var tail = bits.bigEndian
        withUnsafeBytes(of: &tail) { update($0) }
        var d = Digest()
        withUnsafeMutableBytes(of: &d.words) { raw in
            for (k, word) in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7].enumerated() {
                raw.storeBytes(of: word.bigEndian, toByteOffset: 4 * k, as: UInt32.self)
            }
        }
        return d
    }

    /// 32 bytes inline.
    struct Digest: Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            withUnsafeBytes(of: words) { body($0) }
        }

        var bytes: [UInt8] { withBytes { Array($0) } }

        static func == (a: Digest, b: Digest) -> Bool { a.words == b.words }
    }

    /// One 64-byte block into the state (FIPS 180-4 §6.2.2), the message
    /// schedule's 64 words in a stack allocation.
    private mutating func compress() {
        if hardware {
            withUnsafeMutableBytes(of: &h) { state in
                withUnsafeBytes(of: self.block) { egress_sha256_compress_hw(state.baseAddress!.assumingMemoryBound(to: UInt32.self), $0.baseAddress!) }
            }
            return
        }
        var (a, b, c, d, e, f, g, hh) = h
        let block = self.block
        // The round constants, one table for these rounds and CSHA256's.
        do {
            let k = UnsafeBufferPointer(start: egress_sha256_round_constants(), count: 64)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                withUnsafeBytes(of: block) { bytes in
                    for t in 0..<16 { w[t] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self)) }
                }
                for t in 16..<64 {
                    let w15 = w[t &- 15], w2 = w[t &- 2]
                    let s0 = w15.rotateRight(7) ^ w15.rotateRight(18) ^ (w15 >> 3)
                    let s1 = w2.rotateRight(17) ^ w2.rotateRight(19) ^ (w2 >> 10)
                    w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                }
                for t in 0..<64 {
                    let s1 = e.rotateRight(6) ^ e.rotateRight(11) ^ e.rotateRight(25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = a.rotateRight(2) ^ a.rotateRight(13) ^ a.rotateRight(22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    hh = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                }
            }
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }
}

extension UInt32 {
    @inline(__always)
    fileprivate func rotateRight(_ n: UInt32) -> UInt32 { (self &>> n) | (self &<< (32 &- n)) }
}

/// An HMAC-SHA256 key, prepared: the states after the padded key's inner and
/// outer blocks. Copy it to authenticate several messages under one key.
struct HMACSHA256 {
    private var inner: SHA256State
    private var outer: SHA256State

    init(key: UnsafeRawBufferPointer, hardware: Bool = SHA256State.hardwareAvailable) {
        inner = SHA256State(hardware: hardware)
        outer = SHA256State(hardware: hardware)
        var padded = SHA256State.Block()
        withUnsafeMutableBytes(of: &padded) { raw in
            if key.count > 64 {
                var long = SHA256State(hardware: hardware)
                long.update(key)
                long.finalize().withBytes { raw.copyMemory(from: $0) }
            } else if key.count > 0 {
                raw.copyMemory(from: key)
            }
        }
        var ipad = padded, opad = padded
        withUnsafeMutableBytes(of: &ipad) { raw in for i in 0..<64 { raw[i] ^= 0x36 } }
        withUnsafeMutableBytes(of: &opad) { raw in for i in 0..<64 { raw[i] ^= 0x5c } }
        withUnsafeBytes(of: ipad) { inner.update($0) }
        withUnsafeBytes(of: opad) { outer.update($0) }
    }

    init(key: [UInt8], hardware: Bool = SHA256State.hardwareAvailable) {
        self = key.withUnsafeBytes { HMACSHA256(key: $0, hardware: hardware) }
    }

    /// HMAC(key, message) for a message given in up to two parts.
    func authenticate(_ message: UnsafeRawBufferPointer, _ more: UnsafeRawBufferPointer? = nil) -> SHA256State.Digest {
        var i = inner
        i.update(message)
        if let more { i.update(more) }
        var o = outer
        i.finalize().withBytes { o.update($0) }
        return o.finalize()
    }
}
