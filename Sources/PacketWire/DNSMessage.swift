/// DNS response code (RFC 1035 §4.1.1, RFC 6895 §2.3); unknown values kept as they are.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)  // NXDOMAIN
    /// NotImp (RFC 1035 §4.1.1): the server does not support the kind of query.
    public static let notImp = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(rawValue)"
        }
    }
}

/// The fixed 12-byte DNS header (RFC 1035 §4.1.1):
///
/// ```
///   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
/// |                      ID                       |
/// |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
/// |                    QDCOUNT                    |
/// |                    ANCOUNT                    |
/// |                    NSCOUNT                    |
/// |                    ARCOUNT                    |
/// ```
public struct DNSHeader: Equatable, Sendable {
    public static let size = 12

    public let id: UInt16
    public let flags: UInt16
    public let questionCount: Int
    public let answerCount: Int
    public let authorityCount: Int
    public let additionalCount: Int

    @inlinable public var isResponse: Bool { flags & 0x8000 != 0 }
    @inlinable public var opcode: UInt8 { UInt8((flags >> 11) & 0x0F) }
    @inlinable public var isAuthoritative: Bool { flags & 0x0400 != 0 }
    @inlinable public var isTruncated: Bool { flags & 0x0200 != 0 }
    @inlinable public var recursionDesired: Bool { flags & 0x0100 != 0 }
    @inlinable public var recursionAvailable: Bool { flags & 0x0080 != 0 }
    @inlinable public var responseCode: DNSResponseCode { DNSResponseCode(rawValue: UInt8(flags & 0x000F)) }

    /// The QR bit of the message in `bytes` (false when it is shorter than a header): whether a
    /// caller needs the first question's name before the message is read.
    @inlinable
    public static func isResponse(_ bytes: ByteView) -> Bool {
        bytes.count >= DNSHeader.size && bytes.u8Unchecked(at: 2) & 0x80 != 0
    }

    init?(_ bytes: ByteView) {
        guard bytes.contains(offset: 0, width: DNSHeader.size) else { return nil }
        id = bytes.u16Unchecked(at: 0)
        flags = bytes.u16Unchecked(at: 2)
        questionCount = Int(bytes.u16Unchecked(at: 4))
        answerCount = Int(bytes.u16Unchecked(at: 6))
        authorityCount = Int(bytes.u16Unchecked(at: 8))
        additionalCount = Int(bytes.u16Unchecked(at: 10))
    }
}

/// One question entry: QNAME, QTYPE, QCLASS (RFC 1035 §4.1.2).
public struct DNSQuestion: Equatable, Sendable {
    /// Offset of QNAME in the message (decode it with `DNSName.decode`).
    public let nameOffset: Int
    public let type: UInt16
    /// QCLASS without the mDNS unicast-response bit (RFC 6762 §5.4).
    public let recordClass: UInt16
    /// mDNS "QU" bit: the top bit of QCLASS.
    public let unicastResponse: Bool
}

/// A DNS message (RFC 1035 §4.1) over borrowed bytes: unicast DNS, mDNS and
/// LLMNR alike (the caller tells them apart by port). Construction validates
/// the header and walks the question section; records are read lazily by
/// `records()`, which validates each one as it goes.
public struct DNSMessage {
    public let bytes: ByteView
    public let header: DNSHeader
    /// Offset of the first resource record (just past the questions).
    public let recordsOffset: Int

    public init(_ bytes: ByteView) throws(DNSIssue) {
        var discard = DNSName.DiscardedName()
        try self.init(bytes, firstName: &discard)
    }

    /// The same, and the first question's name decoded into `name` as it is
    /// checked (decoding it afterwards walked it a second time); empty when
    /// there is no question.
    public init(_ bytes: ByteView, firstQuestionName name: inout DNSNameBuffer) throws(DNSIssue) {
        name.reset()
        try self.init(bytes, firstName: &name)
    }

    private init<Sink: DNSName.LabelSink>(_ bytes: ByteView, firstName: inout Sink) throws(DNSIssue) {
        guard let header = DNSHeader(bytes) else {
            throw DNSIssue(.tooShort, at: 0, needed: DNSHeader.size, had: bytes.count)
        }
        self.bytes = bytes
        self.header = header
        // The questions are checked by the iterator that reads them: the first is kept as it passes.
        var questions = DNSQuestionIterator(bytes: bytes, offset: DNSHeader.size, remaining: header.questionCount)
        var hops = 0
        let first = try questions.next(into: &firstName, hops: &hops)
        while try questions.next() != nil {}
        recordsOffset = questions.offset
        firstQuestion = first
        // A first question whose name followed the most pointers a name may cannot be pointed at (one hop more).
        firstQuestionNameCanBePointedAt = first != nil && hops < DNSName.maxPointerHops
    }

    /// The first question, which is the one every resolver sends (read as the
    /// questions are checked: reading it again walked its name a second time).
    public let firstQuestion: DNSQuestion?

    /// The first question's name, at offset 12, was checked and may be pointed at: a record's owner
    /// name that is only a pointer to it (`c0 0c`, nearly every answer's) is a valid name without a
    /// second walk (`DNSRecordIterator`).
    let firstQuestionNameCanBePointedAt: Bool

    public func questions() -> DNSQuestionIterator {
        DNSQuestionIterator(bytes: bytes, offset: DNSHeader.size, remaining: header.questionCount)
    }

    /// Answer, authority and additional records in wire order.
    public func records() -> DNSRecordIterator {
        DNSRecordIterator(message: self)
    }

    /// Decodes the name at `offset` of this message into `name`.
    public func decodeName(at offset: Int, into name: inout DNSNameBuffer) throws(DNSIssue) {
        _ = try DNSName.decode(in: bytes, at: offset, into: &name)
    }
}

/// Iterates the question section; `next()` throws on a malformed entry.
public struct DNSQuestionIterator {
    let bytes: ByteView
    var offset: Int
    var remaining: Int

    public mutating func next() throws(DNSIssue) -> DNSQuestion? {
        var discard = DNSName.DiscardedName()
        var hops = 0
        return try next(into: &discard, hops: &hops)
    }

    /// The next question, its name's labels put in `name` and the pointers it followed counted in `hops`.
    mutating func next<Sink: DNSName.LabelSink>(into name: inout Sink, hops: inout Int) throws(DNSIssue) -> DNSQuestion? {
        guard remaining > 0 else { return nil }
        let nameOffset = offset
        let end = try DNSName.walk(bytes, at: offset, into: &name, hops: &hops)
        guard let type = bytes.u16(at: end), let cls = bytes.u16(at: end + 2) else {
            remaining = 0
            throw DNSIssue(.truncated, at: end, needed: 4, had: bytes.count - end)
        }
        offset = end + 4
        remaining -= 1
        return DNSQuestion(nameOffset: nameOffset, type: type, recordClass: cls & 0x7FFF, unicastResponse: cls & 0x8000 != 0)
    }
}

/// TCP framing of DNS (RFC 1035 §4.2.2, RFC 7766 §8): each message is
/// preceded by a 2-byte length; a segment may carry several messages, and a
/// message may span segments. The caller owns the reassembled stream.
public enum DNSTCPFrame: Equatable {
    /// A whole message and the offset of the next length prefix.
    case message(offset: Int, length: Int, next: Int)
    /// The stream ends inside a length prefix or a message: `needed` more bytes complete it.
    case needMore(needed: Int)
    /// A length prefix too small to hold a DNS header.
    case malformed(DNSIssue)
    /// Nothing left at this offset.
    case end

    /// Reads the frame starting at `offset` of `stream`.
    public static func next(in stream: ByteView, at offset: Int) -> DNSTCPFrame {
        let available = stream.count - offset
        guard offset >= 0, available > 0 else { return .end }
        guard let length16 = stream.u16(at: offset) else { return .needMore(needed: 2 - available) }
        let length = Int(length16)
        guard length >= DNSHeader.size else {
            return .malformed(DNSIssue(.tooShort, at: offset, needed: DNSHeader.size, had: length))
        }
        let have = available - 2
        guard have >= length else { return .needMore(needed: length - have) }
        return .message(offset: offset + 2, length: length, next: offset + 2 + length)
    }
}
