import Testing
import PacketWire

/// `ByteView.caseFoldedEquals` against its definition (byte by byte, ASCII letters folded), over
/// every length to 40: names in any case equal their lower-case form, and a name changed in any
/// one byte (its last bytes included, read in one overlapping load) does not.
@Suite struct ByteViewCaseFoldTests {
    @Test func caseFoldedEqualsIsItsByteByByteDefinition() {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-.".utf8)
        for length in 0...40 {
            let lowered = (0..<length).map { letters[($0 * 7 + length) % letters.count] }
            let mixed = lowered.enumerated().map { $1 >= 0x61 && $1 <= 0x7a && $0 % 2 == 0 ? $1 - 0x20 : $1 }
            #expect(equals(mixed, lowered), "length \(length)")
            for position in 0..<length {
                var changed = mixed
                changed[position] = changed[position] == 0x2d ? 0x2e : 0x2d  // '-' or '.': no case to fold
                #expect(!equals(changed, lowered), "length \(length), byte \(position)")
                // 0x20 apart but not letters ('[' and '{'): not folded, so not equal.
                var bracket = lowered
                bracket[position] = 0x7b
                var other = lowered
                other[position] = 0x5b
                #expect(!equals(other, bracket), "length \(length), byte \(position)")
            }
        }
        #expect(!equals(Array("abc".utf8), Array("abcd".utf8)))
    }

    private func equals(_ view: [UInt8], _ lowered: [UInt8]) -> Bool {
        view.withUnsafeBytes { v in lowered.withUnsafeBytes { ByteView(v).caseFoldedEquals($0) } }
    }
}
