/// A problem found while reading a DNS message: what, where, and how many
/// bytes were needed against how many there were (zero when not a length issue).
public struct DNSIssue: Error, Equatable, Sendable {
    public enum What: Equatable, Sendable {
        /// The message ended inside a header, name, question or record.
        case truncated
        /// A compression pointer points at or after the segment it came from
        /// (RFC 1035 §4.1.4: pointers refer to a *prior* occurrence); this
        /// also catches self-pointers and every pointer cycle.
        case forwardPointer
        /// More pointer hops than any legal name can need.
        case tooManyPointers
        /// A label length byte with the reserved top bits 01 or 10 (RFC 6891 §5 retired them).
        case reservedLabelType
        /// A name longer than 255 bytes in wire form (RFC 1035 §2.3.4).
        case nameTooLong
        /// RDATA whose length does not fit its type (A ≠ 4, AAAA ≠ 16, SVCB params past the end…).
        case badRecordData
        /// A message shorter than the 12-byte header, or a TCP length prefix below it.
        case tooShort
    }

    public let what: What
    /// Byte offset inside the message where the problem was seen.
    public let offset: Int
    public let needed: Int
    public let had: Int

    @inlinable
    public init(_ what: What, at offset: Int, needed: Int = 0, had: Int = 0) {
        self.what = what
        self.offset = offset
        self.needed = needed
        self.had = had
    }
}

/// Caller-owned storage for one decoded domain name in presentation order
/// (`www.example.com`, no trailing dot, the root as empty), at most 255 bytes.
///
/// It lives on the stack or inside a reused struct: decoding writes into it
/// without touching the heap. Label bytes are copied as they are (no case
/// folding, no escaping); a label containing a `.` byte is therefore
/// ambiguous in this form, which is fine for matching host names.
public struct DNSNameBuffer: Sendable, DNSName.LabelSink {
    // 32 × 8 = 256 bytes of inline storage: a fixed-size buffer without InlineArray.
    @usableFromInline var storage: (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Number of valid bytes.
    public internal(set) var count: Int = 0
    /// Number of labels (0 for the root).
    public internal(set) var labelCount: Int = 0

    public static let capacity = 256

    public init() {}

    /// Appends "." (unless first) and `count` label bytes read from `source`
    /// at `offset`; the caller checked the source range, and the 255-byte
    /// limit keeps the text within the 256 bytes (checked again here).
    mutating func appendLabel(_ source: ByteView, at offset: Int, count n: Int) {
        var i = count
        withUnsafeMutableBytes(of: &storage) { raw in
            if i > 0, i < raw.count {
                raw[i] = 0x2E
                i += 1
            }
            let take = Swift.min(n, raw.count - i)
            if take > 0 {
                source.withUnsafeBytes { bytes in
                    // SAFETY: offset + n ≤ source.count (checked by the caller), i + take ≤ 256.
                    raw.baseAddress!.advanced(by: i).copyMemory(from: bytes.baseAddress!.advanced(by: offset), byteCount: take)
                }
                i += take
            }
        }
        count = i
        labelCount += 1
    }

    mutating func reset() {
        count = 0
        labelCount = 0
    }

    /// Runs `body` over the name's bytes, where they are; the view must not escape.
    /// (Mutating only to read the storage in place: `withUnsafeBytes(of:)` on a
    /// value copied all 256 bytes first, for every name read, on the decode thread.)
    @inlinable
    public mutating func withView<R>(_ body: (ByteView) throws -> R) rethrows -> R {
        let n = count
        return try withUnsafeBytes(of: &storage) { raw in
            try body(ByteView(UnsafeRawBufferPointer(rebasing: raw.prefix(n))))
        }
    }

    /// True when the name equals `literal` ignoring ASCII case.
    public func equals(_ literal: StaticString) -> Bool {
        var name = self
        return name.withView { $0.equalsASCIICaseInsensitive(literal) }
    }

    /// True when both names are equal ignoring ASCII case (DNS names compare case-insensitively, RFC 4343).
    public func equalsIgnoringCase(_ other: DNSNameBuffer) -> Bool {
        guard count == other.count else { return false }
        var a = self, b = other
        return a.withView { a in
            b.withView { b in
                for i in 0..<a.count where asciiLower(a.u8Unchecked(at: i)) != asciiLower(b.u8Unchecked(at: i)) {
                    return false
                }
                return true
            }
        }
    }

    /// The name as a `String` (allocates: off the per-packet path). Bytes that
    /// are not valid UTF-8 are replaced, as in `String(decoding:as:)`.
    public var string: String {
        var name = self
        return name.withView { v in v.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    }
}

/// Domain name decoding (RFC 1035 §3.1, §4.1.4) with compression.
public enum DNSName {
    /// A hop budget no legal name reaches: 255 bytes hold at most 127 labels,
    /// but a pointer per label beyond a handful never happens in practice.
    public static let maxPointerHops = 64
    public static let maxWireLength = 255

    /// Decodes the name starting at `offset` in `message` into `name` and
    /// returns the offset just past the name *where it starts* (after the
    /// first pointer, if any) so the caller can continue with the next field.
    ///
    /// Every pointer must point before the start of the segment that holds it,
    /// so decoding only ever moves backwards and ends; the hop cap is a second fence.
    public static func decode(in message: ByteView, at offset: Int, into name: inout DNSNameBuffer) throws(DNSIssue) -> Int {
        name.reset()
        var hops = 0
        return try walk(message, at: offset, into: &name, hops: &hops)
    }

    /// Validates the name at `offset` (same rules as `decode`) and returns the
    /// offset just past it, without keeping the text.
    public static func skip(in message: ByteView, at offset: Int) throws(DNSIssue) -> Int {
        var discard = DiscardedName()
        var hops = 0
        return try walk(message, at: offset, into: &discard, hops: &hops)
    }

    /// Where a walk puts the labels it reads: the name buffer, or nowhere (a skip).
    protocol LabelSink {
        mutating func appendLabel(_ source: ByteView, at offset: Int, count n: Int)
    }

    struct DiscardedName: LabelSink {
        @inline(__always) mutating func appendLabel(_ source: ByteView, at offset: Int, count n: Int) {}
    }

    /// Specialised per sink: a skip copies nothing and has no 256-byte buffer to clear.
    /// `hops`: how many compression pointers the name followed.
    static func walk<Sink: LabelSink>(_ message: ByteView, at offset: Int, into name: inout Sink,
                                              hops: inout Int) throws(DNSIssue) -> Int {
        var position = offset
        var segmentStart = offset
        var resumeAt: Int? = nil
        hops = 0
        var wireLength = 0
        while true {
            guard let length = message.u8(at: position) else {
                throw DNSIssue(.truncated, at: position, needed: 1, had: 0)
            }
            switch length & 0xC0 {
            case 0xC0:
                guard let low = message.u8(at: position + 1) else {
                    throw DNSIssue(.truncated, at: position, needed: 2, had: message.count - position)
                }
                let target = Int(length & 0x3F) << 8 | Int(low)
                guard target < segmentStart else { throw DNSIssue(.forwardPointer, at: position) }
                hops += 1
                guard hops <= maxPointerHops else { throw DNSIssue(.tooManyPointers, at: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
                segmentStart = target
            case 0x00:
                if length == 0 {
                    wireLength += 1
                    guard wireLength <= maxWireLength else { throw DNSIssue(.nameTooLong, at: position) }
                    return resumeAt ?? position + 1
                }
                let n = Int(length)
                wireLength += n + 1
                guard wireLength < maxWireLength else { throw DNSIssue(.nameTooLong, at: position) }
                guard message.contains(offset: position + 1, width: n) else {
                    throw DNSIssue(.truncated, at: position + 1, needed: n, had: message.count - position - 1)
                }
                name.appendLabel(message, at: position + 1, count: n)
                position += n + 1
            default:
                throw DNSIssue(.reservedLabelType, at: position)
            }
        }
    }
}
