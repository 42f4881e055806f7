import Foundation

/// JSON text in the one layout every report uses, byte for byte that of
/// Foundation's `JSONEncoder` with `.prettyPrinted`, `.sortedKeys` and
/// `.withoutEscapingSlashes`: two-space indent, `"key" : value`, empty
/// containers as `[` newline, blank line, `]`, strings escaped as it escapes them.
///
/// Why by hand: an audit of a million packets has thousands of destinations,
/// and the encoder spent longer on them than the audit did. Callers write an
/// object's keys in sorted order themselves (debug builds check that), and hand
/// small, rarely-written values to `encoded(_:)`, which splices the encoder's
/// own text in. `ReportJSONTests` holds the result equal to the encoder's.
struct JSONTextWriter {
    /// The text so far (a copy: read it once, at the end).
    var bytes: [UInt8] { out.array }
    private var out: ByteSink
    private var depth = 0
    /// No element yet in the innermost open container.
    private var empty = false
    #if DEBUG
    private var lastKeys: [String?] = []
    #endif

    init(reservingCapacity capacity: Int = 1 << 16) {
        out = ByteSink(capacity: capacity)
    }

    var text: String { out.withBytes { String(decoding: $0, as: UTF8.self) } }

    // MARK: Containers

    mutating func beginObject() {
        open(UInt8(ascii: "{"))
        #if DEBUG
        lastKeys.append(nil)
        #endif
    }

    mutating func endObject() {
        close(UInt8(ascii: "}"))
        #if DEBUG
        lastKeys.removeLast()
        #endif
    }

    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts the member `name` (a literal: ASCII, nothing to escape) of the innermost object; its value follows.
    /// (Inlined: the name's length is then a constant, and the copy of its bytes a few stores.)
    @inline(__always)
    mutating func key(_ name: StaticString) {
        #if DEBUG
        checkOrder(name.description)
        #endif
        // Separator, indent, name and `" : ` in one write: a report has a dozen keys per destination.
        let n = name.utf8CodeUnitCount
        let first = empty
        empty = false
        let spaces = depth * 2
        out.write(upTo: 2 + spaces + n + 5) { p in
            var i = Self.separator(first: first, spaces: spaces, at: p)
            p[i] = UInt8(ascii: "\"")
            ByteSink.copy(name.utf8Start, count: n, to: p + i + 1)
            i += n + 1
            p[i] = UInt8(ascii: "\""); p[i + 1] = 0x20; p[i + 2] = 0x3a; p[i + 3] = 0x20 // `" : `
            return i + 4
        }
    }

    /// Starts a member whose name is data (a map's keys), escaped like any string.
    mutating func key(text name: String) {
        #if DEBUG
        checkOrder(name)
        #endif
        startElement()
        string(name)
        out.append(0x20); out.append(0x3a); out.append(0x20) // " : "
    }

    #if DEBUG
    private mutating func checkOrder(_ name: String) {
        if let previous = lastKeys[lastKeys.count - 1] {
            assert(previous < name, "JSON keys out of order: \(previous) before \(name)")
        }
        lastKeys[lastKeys.count - 1] = name
    }
    #endif

    /// Starts the next element of the innermost array; its value follows.
    mutating func element() { startElement() }

    /// An array of `items`, each written by `body`.
    mutating func array<C: Collection>(_ items: C, _ body: (inout JSONTextWriter, C.Element) -> Void) {
        beginArray()
        for item in items {
            element()
            body(&self, item)
        }
        endArray()
    }

    mutating func stringArray(_ items: [String]) {
        array(items) { w, s in w.string(s) }
    }

    // MARK: Scalars

    mutating func int(_ value: Int) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            unsigned(value.magnitude)
        } else {
            unsigned(UInt(value))
        }
    }

    mutating func int(_ value: UInt64) { unsigned(UInt(value)) }
    mutating func int(_ value: UInt16) { unsigned(UInt(value)) }

    /// Decimal digits, most significant first, without a String in between.
    private mutating func unsigned(_ value: UInt) {
        var digits = 1, limit: UInt = 10
        while digits < 20 && value >= limit {
            digits += 1
            limit &*= 10
        }
        out.write(upTo: digits) { p in
            var v = value, j = digits
            repeat {
                j -= 1
                p[j] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            } while j > 0
            return digits
        }
    }

    mutating func bool(_ value: Bool) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A string, escaped as JSONEncoder escapes: `"` and `\`, the short forms
    /// of backspace, form feed, newline, carriage return and tab, `\u00XX` for
    /// the other control characters; everything else (slashes, non-ASCII) as is.
    mutating func string(_ value: String) {
        // Most strings need no escape: one copy, with both quotes, in one write.
        let plain = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !Self.needsEscape(utf8) else { return false }
            let n = utf8.count
            out.write(upTo: n + 2) { p in
                p[0] = UInt8(ascii: "\"")
                if let source = utf8.baseAddress { ByteSink.copy(source, count: n, to: p + 1) }
                p[n + 1] = UInt8(ascii: "\"")
                return n + 2
            }
            return true
        }
        if plain != true { escaped(value) }
    }

    /// `string`'s way for a string with bytes to escape (or without contiguous UTF-8).
    private mutating func escaped(_ value: String) {
        out.append(UInt8(ascii: "\""))
        var s = value
        s.withUTF8 { utf8 in
            var start = 0
            for (i, c) in utf8.enumerated() where c < 0x20 || c == 0x22 || c == 0x5c {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                switch c {
                case 0x22: out.append(contentsOf: [0x5c, 0x22])
                case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
                case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
                case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
                case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
                case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xf)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// True when a byte is below 0x20 or is `"` or `\`: eight bytes per step
    /// (per byte b: b - 0x20 borrows into the top bit iff b < 0x20; b ^ 0x22
    /// and b ^ 0x5C are zero iff b is the quote or the backslash).
    static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(utf8)
        guard raw.count >= 8 else {
            for c in raw where c < 0x20 || c == 0x22 || c == 0x5C { return true }
            return false
        }
        var i = 0
        while i + 8 < raw.count {
            if escapes(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        // The last eight bytes (overlapping the ones checked): no byte-by-byte tail.
        return escapes(raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self))
    }

    @inline(__always)
    private static func escapes(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        // Bytes ≥ 0x80 (UTF-8 continuation) are masked off: they never need escaping.
        let control = (w | highs) &- (ones &* 0x20)
        return (~control & highs & ~w) | zeroByte(w ^ (ones &* 0x22)) | zeroByte(w ^ (ones &* 0x5C)) != 0
    }

    /// A value as JSONEncoder writes it, indented to where it lands here.
    mutating func encoded<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        // Newlines occur in the text only between tokens (strings escape
        // theirs); the blank line inside an empty container stays blank.
        var previous: UInt8 = 0
        for byte in data {
            if previous == 0x0a && byte != 0x0a { indent() }
            out.append(byte)
            previous = byte
        }
    }

    // MARK: Layout

    private mutating func open(_ bracket: UInt8) {
        out.append(bracket)
        depth += 1
        empty = true
    }

    private mutating func close(_ bracket: UInt8) {
        let blank = empty
        depth -= 1
        empty = false
        let spaces = depth * 2
        out.write(upTo: 3 + spaces) { p in
            p[0] = 0x0a
            var i = 1
            if blank { p[1] = 0x0a; i = 2 }
            Self.fillSpaces(p + i, spaces)
            p[i + spaces] = bracket
            return i + spaces + 1
        }
    }

    private mutating func startElement() {
        let first = empty
        empty = false
        let spaces = depth * 2
        out.write(upTo: 2 + spaces) { p in Self.separator(first: first, spaces: spaces, at: p) }
    }

    /// What comes before an element: `,` unless it is the container's first, a newline, the
    /// indent. Written at `p`; returns how many bytes (at most 2 + `spaces`).
    @inline(__always)
    private static func separator(first: Bool, spaces: Int, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var i = 0
        if !first { p[0] = 0x2c; i = 1 }
        p[i] = 0x0a
        fillSpaces(p + i + 1, spaces)
        return i + 1 + spaces
    }

    /// An indent is a few spaces: stored eight at a time into the sink's slack, not through `memset`.
    @inline(__always)
    private static func fillSpaces(_ p: UnsafeMutablePointer<UInt8>, _ count: Int) {
        var k = 0
        repeat {
            // SAFETY: at most 7 bytes past `count`, within `ByteSink.slack`.
            UnsafeMutableRawPointer(p + k).storeBytes(of: 0x2020_2020_2020_2020 as UInt64, as: UInt64.self)
            k += 8
        } while k < count
    }

    private mutating func indent() {
        out.append(repeating: 0x20, count: depth * 2)
    }
}

/// Growable bytes for the writer: appends are a bounds check and a store
/// (an `Array`'s append checks uniqueness and capacity every time, and the
/// report is millions of appends). Owned by one writer; copying a writer
/// that is still writing is not supported (`JSONTextWriter` is never copied).
final class ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Room for up to `n` more bytes, which `body` writes from the pointer it is given; it
    /// returns how many it wrote. (One capacity check for a run of small writes.) Past the `n`
    /// bytes there are `slack` more, which `body` may overwrite freely (whole words, say): they
    /// are not counted, and what comes next writes over them.
    @inline(__always)
    func write(upTo n: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + n + Self.slack > capacity { grow(to: count + n + Self.slack) }
        count += body(base + count)
    }

    static let slack = 8

    /// Copies `count` bytes from `source` to `target` (not overlapping): up to 32 as two to four
    /// words, overlapping where they must (most keys and strings of a report are that short, and
    /// a `memcpy` call cost more than the copy), longer ones through `memcpy`.
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, count: Int, to target: UnsafeMutablePointer<UInt8>) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        // SAFETY: every load is within the `count` bytes at `source`, every store within the `count` at `target`.
        @inline(__always) func word(_ offset: Int) { to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self) }
        switch count {
        case 16...32:
            word(0); word(8); word(count - 16); word(count - 8)
        case 8..<16:
            word(0); word(count - 8)
        case 4..<8:
            to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self), toByteOffset: count - 4, as: UInt32.self)
        case 0..<4:
            for k in 0..<count { target[k] = source[k] }
        default:
            target.update(from: source, count: count)
        }
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        if count + n > capacity { grow(to: count + n) }
        (base + count).initialize(repeating: byte, count: n)
        count += n
    }

    func append(contentsOf bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) != nil { return }
        for b in bytes { append(b) }
    }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = size
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    var array: [UInt8] { withBytes { Array($0) } }
}

extension JSONTextWriter {
    /// The newline that ends a report file.
    mutating func newline() { out.append(0x0a) }
}
