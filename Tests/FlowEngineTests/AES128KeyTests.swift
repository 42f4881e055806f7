import CAES128
import CaptureSynth
import Crypto
import Testing
@testable import FlowEngine

/// CAES128 against published vectors and against swift-crypto (BoringSSL's
/// AES-GCM, an implementation of its own), on both of its paths: AES-NI and
/// PCLMULQDQ, and the portable C other CPUs run.
@Suite struct AES128KeyTests {
    typealias V = QUICTestVectors

    /// The paths this machine can run: the portable one always, the hardware one where the CPU has it.
    static let paths: [Bool] = AES128Key.hardwareAvailable ? [false, true] : [false]

    static func key(_ bytes: [UInt8], hardware: Bool) -> AES128Key {
        bytes.withUnsafeBytes { AES128Key($0, hardware: hardware) }
    }

    static func block(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var block: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &block) { $0.copyBytes(from: bytes) }
        return block
    }

    static func bytes(_ block: (UInt64, UInt64)) -> [UInt8] { withUnsafeBytes(of: block) { Array($0) } }

    /// AES-GCM opened through the key: the plaintext, or nil when the tag does not authenticate.
    static func open(_ key: AES128Key, nonce: [UInt8], aad: [UInt8], ciphertext: [UInt8], tag: [UInt8]) -> [UInt8]? {
        var plaintext = [UInt8](repeating: 0, count: Swift.max(ciphertext.count, 1))
        let authentic = nonce.withUnsafeBytes { n in
            aad.withUnsafeBytes { a in
                ciphertext.withUnsafeBytes { c in
                    tag.withUnsafeBytes { t in plaintext.withUnsafeMutableBytes { p in key.open(nonce: n, aad: a, ciphertext: c, tag: t, into: p.baseAddress!) } }
                }
            }
        }
        return authentic ? Array(plaintext.prefix(ciphertext.count)) : nil
    }

    @Test(arguments: paths)
    func fips197AppendixC1(hardware: Bool) {
        let key = Self.key(V.bytes("000102030405060708090a0b0c0d0e0f"), hardware: hardware)
        #expect(key.hardware == hardware)
        var block = Self.block(V.bytes("00112233445566778899aabbccddeeff"))
        key.encrypt(&block)
        #expect(Self.bytes(block) == V.bytes("69c4e0d86a7b0430d8cdb78070b4c55a"))
    }

    /// RFC 9001 A.2: the client Initial's header-protection mask from its sample.
    @Test(arguments: paths)
    func rfc9001HeaderProtectionMask(hardware: Bool) {
        let key = Self.key(V.bytes("9f50449e04a0e810283a1e9933adedd2"), hardware: hardware)
        var block = Self.block(V.bytes("d1b1c98dd7689fb8ec11d242b123dc9b"))
        key.encrypt(&block)
        #expect(Array(Self.bytes(block).prefix(5)) == V.bytes("437b9aec36"))
    }

    /// The GCM specification's test cases 2 and 4 (McGrew and Viega, "The Galois/Counter Mode of Operation").
    @Test(arguments: paths)
    func gcmSpecificationTestCases(hardware: Bool) {
        let zero = Self.key([UInt8](repeating: 0, count: 16), hardware: hardware)
        #expect(Self.open(zero, nonce: [UInt8](repeating: 0, count: 12), aad: [], ciphertext: V.bytes("0388dace60b6a392f328c2b971b2fe78"),
                          tag: V.bytes("ab6e47d42cec13bdf53a67b21257bddf")) == [UInt8](repeating: 0, count: 16))
        let key = Self.key(V.bytes("feffe9928665731c6d6a8f9467308308"), hardware: hardware)
        let plaintext = V.bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let ciphertext = V.bytes("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091")
        let aad = V.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let nonce = V.bytes("cafebabefacedbaddecaf888")
        let tag = V.bytes("5bc94fbc3221a5db94fae95ae7121a47")
        #expect(Self.open(key, nonce: nonce, aad: aad, ciphertext: ciphertext, tag: tag) == plaintext)
        var forged = tag
        forged[15] ^= 0x80
        #expect(Self.open(key, nonce: nonce, aad: aad, ciphertext: ciphertext, tag: forged) == nil)
    }

    /// Random keys, nonces, associated data and lengths (0 to 1,500 bytes: every
    /// tail length, several four-block runs) sealed by swift-crypto and opened
    /// here on each path; one flipped bit anywhere (ciphertext, data, tag) refused.
    @Test(arguments: paths)
    func agreesWithSwiftCrypto(hardware: Bool) throws {
        var random = SeededGenerator(seed: hardware ? 0xAE5 : 0xAE6)
        func randomBytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &random) } }
        for round in 0..<400 {
            let keyBytes = randomBytes(16), nonce = randomBytes(12)
            let aad = randomBytes(Int.random(in: 0...70, using: &random))
            let plaintext = randomBytes(round < 100 ? round : Int.random(in: 0...1_500, using: &random))
            let sealed = try AES.GCM.seal(plaintext, using: SymmetricKey(data: keyBytes), nonce: AES.GCM.Nonce(data: nonce), authenticating: aad)
            let ciphertext = Array(sealed.ciphertext), tag = Array(sealed.tag)
            let key = Self.key(keyBytes, hardware: hardware)
            #expect(Self.open(key, nonce: nonce, aad: aad, ciphertext: ciphertext, tag: tag) == plaintext, "round \(round)")

            var (c, a, t) = (ciphertext, aad, tag)
            let bit = UInt8(1) << UInt8.random(in: 0...7, using: &random)
            switch Int.random(in: 0...2, using: &random) {
            case 0 where !c.isEmpty: c[Int.random(in: 0..<c.count, using: &random)] ^= bit
            case 1 where !a.isEmpty: a[Int.random(in: 0..<a.count, using: &random)] ^= bit
            default: t[Int.random(in: 0..<16, using: &random)] ^= bit
            }
            #expect(Self.open(key, nonce: nonce, aad: a, ciphertext: c, tag: t) == nil, "round \(round): a flipped bit was accepted")
        }
    }

    /// GHASH's multiplication on AES-NI's path equals the portable one (SP 800-38D algorithm 1) on random blocks.
    @Test(.enabled(if: AES128Key.hardwareAvailable, "needs AES-NI and PCLMULQDQ"))
    func hardwareMultiplicationMatchesPortable() {
        var random = SeededGenerator(seed: 0x6A5)
        for _ in 0..<20_000 {
            let x = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            let h = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            var portable = x, hardware = x
            egress_ghash_multiply(&portable, h, 0)
            egress_ghash_multiply(&hardware, h, 1)
            #expect(portable == hardware)
        }
    }
}
