import CaptureSynth
@testable import EgressAudit
import Testing

/// `TextOrder` must order exactly as `String` does: every pair of a mixed set
/// (ASCII of every length around the eight-byte word, shared prefixes, NUL,
/// non-ASCII, canonically equal spellings) compared both ways.
@Suite struct TextOrderTests {
    static let texts: [String] = {
        var texts = ["", "a", "b", "A", "Z", "\u{0}", "a\u{0}", "a\u{0}b", "ab", "abc", "abcdefg", "abcdefgh", "abcdefghi",
                     "abcdefgh\u{0}", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnopq", "abcdefgg",
                     "adatum1140.blob.core.windows.net", "adatum1141.table.core.windows.net", "adatum114.blob.core.windows.net",
                     "10.0.0.1", "10.0.0.10", "10.0.0.2", "2001:db8::1", "*.example.com", "(other names)", "~", "\u{7f}",
                     // Non-ASCII: the Kelvin sign equals "K" as a String, "é" two ways, a name in another script.
                     "K", "\u{212A}", "Ka", "\u{212A}a", "é", "e\u{301}", "café.example", "cafe\u{301}.example", "пример.рф", "例え.jp"]
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let length = Int(rng.next() % 20)
            texts.append(String(decoding: (0..<length).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 3) }, as: UTF8.self))
        }
        return texts
    }()

    @Test func ordersAsStringDoes() {
        let order = TextOrder(Self.texts)
        for i in Self.texts.indices {
            for j in Self.texts.indices {
                let a = Self.texts[i], b = Self.texts[j]
                let expected = a == b ? 0 : a < b ? -1 : 1
                let c = order.compare(i, j)
                #expect((c > 0 ? 1 : c < 0 ? -1 : 0) == expected, "\(a.debugDescription) vs \(b.debugDescription)")
            }
        }
    }
}
