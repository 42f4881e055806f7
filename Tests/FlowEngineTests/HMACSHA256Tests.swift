import Crypto
@testable import FlowEngine
import Testing

/// The engine's own SHA-256 and HMAC against swift-crypto's (BoringSSL), an
/// independent implementation, on every length around the block boundaries,
/// and against FIPS 180-4's and RFC 4231's published values: both the
/// compression on the CPU's SHA extensions (where it has them) and the
/// portable rounds.
@Suite struct HMACSHA256Tests {
    /// The paths this machine can take: the portable rounds, and the SHA extensions when present.
    static let paths: [Bool] = SHA256State.hardwareAvailable ? [false, true] : [false]

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    @Test(arguments: paths) func sha256MatchesPublishedValues(hardware: Bool) {
        var abc = SHA256State(hardware: hardware)
        abc.update(Array("abc".utf8))
        #expect(abc.finalize().bytes == Self.hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        var two = SHA256State(hardware: hardware)
        two.update(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        #expect(two.finalize().bytes == Self.hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"))
    }

    @Test(arguments: paths) func sha256AgreesWithSwiftCryptoAtEveryLength(hardware: Bool) {
        var seed: UInt64 = 0x1234_5678
        for length in 0...200 {
            let bytes = (0..<length).map { _ -> UInt8 in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: seed >> 56)
            }
            var mine = SHA256State(hardware: hardware)
            // Split in two updates at an awkward point, as a streamed message would arrive.
            let cut = length / 3
            mine.update(Array(bytes[..<cut]))
            mine.update(Array(bytes[cut...]))
            #expect(mine.finalize().bytes == Array(SHA256.hash(data: bytes)), "length \(length)")
        }
    }

    /// RFC 4231 test case 2 (short key) and 6 (key longer than a block).
    @Test(arguments: paths) func hmacMatchesRFC4231(hardware: Bool) {
        let two = HMACSHA256(key: Array("Jefe".utf8), hardware: hardware)
        let digest = Array("what do ya want for nothing?".utf8).withUnsafeBytes { two.authenticate($0) }
        #expect(digest.bytes == Self.hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        let six = HMACSHA256(key: [UInt8](repeating: 0xaa, count: 131), hardware: hardware)
        let text = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(text.withUnsafeBytes { six.authenticate($0) }.bytes
                == Self.hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
    }

    @Test(arguments: paths) func hmacAgreesWithSwiftCrypto(hardware: Bool) {
        for keyLength in [0, 1, 20, 32, 63, 64, 65, 100] {
            let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let prepared = HMACSHA256(key: key, hardware: hardware)
            for messageLength in [0, 1, 8, 55, 56, 64, 120] {
                let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
                let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
                // The prepared key is reused: copies of its states, never spent.
                #expect(message.withUnsafeBytes { prepared.authenticate($0) }.bytes == expected, "key \(keyLength), message \(messageLength)")
                #expect(message.withUnsafeBytes { prepared.authenticate($0) }.bytes == expected)
            }
        }
    }
}
