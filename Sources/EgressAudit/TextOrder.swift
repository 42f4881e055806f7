/// Texts compared as `String`'s `<` and `==` compare them, by their UTF-8
/// bytes when both are ASCII.
///
/// `String` orders by Unicode canonical equivalence: for ASCII that is the
/// bytes' order, so two ASCII texts are compared a word of eight bytes at a
/// time. Any other pair goes through `String`'s own comparison, which
/// normalizes (a Kelvin sign U+212A equals "K"), so the order is always
/// exactly `String`'s. Why: a report sorts its destinations by their texts,
/// and comparing each pair as Strings (`!=`, then `<`) was 18 M instructions of
/// the 83 M that rendering 3,164 destinations took (callgrind, a per-flow capture).
struct TextOrder {
    let texts: [String]
    /// Every ASCII text's bytes, one after another, then eight zero bytes (so
    /// a word loaded at any text's last bytes stays inside).
    private let bytes: [UInt8]
    /// Per text: where its bytes start in `bytes` (-1: not ASCII) and how many there are.
    private let spans: [(start: Int, count: Int)]

    init(_ texts: [String]) {
        self.texts = texts
        var bytes: [UInt8] = []
        bytes.reserveCapacity(texts.reduce(8) { $0 + $1.utf8.count })
        spans = texts.map { text in
            // A text without contiguous UTF-8 (none on Linux) is compared as a String, like a non-ASCII one.
            text.utf8.withContiguousStorageIfAvailable { utf8 -> (Int, Int) in
                guard utf8.reduce(0, |) < 0x80 else { return (-1, 0) }
                defer { bytes.append(contentsOf: utf8) }
                return (bytes.count, utf8.count)
            } ?? (-1, 0)
        }
        bytes.append(contentsOf: repeatElement(0, count: 8))
        self.bytes = bytes
    }

    /// Negative, zero or positive as `texts[i]` is before, equal to or after `texts[j]`.
    func compare(_ i: Int, _ j: Int) -> Int {
        let a = spans[i], b = spans[j]
        guard a.start >= 0, b.start >= 0 else {
            return texts[i] == texts[j] ? 0 : texts[i] < texts[j] ? -1 : 1
        }
        let common = min(a.count, b.count)
        return bytes.withUnsafeBytes { raw in
            var k = 0
            while k < common {
                // Big-endian, so the first byte that differs decides; bytes past `common` masked off.
                var x = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: a.start + k, as: UInt64.self))
                var y = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: b.start + k, as: UInt64.self))
                if common - k < 8 {
                    let mask = ~UInt64(0) << (8 * (8 - (common - k)))
                    x &= mask
                    y &= mask
                }
                if x != y { return x < y ? -1 : 1 }
                k += 8
            }
            return a.count - b.count
        }
    }
}
