/// Record types this project reads (IANA DNS parameters).
public enum DNSRecordType {
    public static let a: UInt16 = 1
    public static let ns: UInt16 = 2
    public static let cname: UInt16 = 5
    public static let soa: UInt16 = 6
    public static let ptr: UInt16 = 12
    public static let aaaa: UInt16 = 28
    public static let opt: UInt16 = 41
    public static let svcb: UInt16 = 64
    public static let https: UInt16 = 65
}

public enum DNSSection: Equatable, Sendable {
    case answer, authority, additional
}

/// One resource record (RFC 1035 §4.1.3):
///
/// ```
/// NAME (variable) | TYPE (2) | CLASS (2) | TTL (4) | RDLENGTH (2) | RDATA (RDLENGTH)
/// ```
public struct DNSRecord {
    public let section: DNSSection
    /// Offset of the owner name in the message.
    public let nameOffset: Int
    public let type: UInt16
    /// CLASS without the mDNS cache-flush bit (RFC 6762 §10.2).
    public let recordClass: UInt16
    public let cacheFlush: Bool
    public let ttl: UInt32
    /// Offset of RDATA in the message (names inside RDATA decode against the whole message).
    public let dataOffset: Int
    public let data: ByteView

    /// The address of an A record (RDLENGTH checked to be 4 by the iterator).
    public var ipv4: IPAddress? {
        type == DNSRecordType.a ? IPAddress.ipv4(in: data, at: 0) : nil
    }

    /// The address of an AAAA record (RFC 3596).
    public var ipv6: IPAddress? {
        type == DNSRecordType.aaaa ? IPAddress.ipv6(in: data, at: 0) : nil
    }

    /// A or AAAA address.
    public var address: IPAddress? { ipv4 ?? ipv6 }

    /// The SVCB/HTTPS view (RFC 9460 §2.2) for types 64 and 65.
    public var serviceBinding: DNSServiceBinding? {
        guard type == DNSRecordType.svcb || type == DNSRecordType.https else { return nil }
        return DNSServiceBinding(data: data, dataOffset: dataOffset)
    }
}

/// Iterates every resource record after the questions; `next()` throws when
/// a record does not fit (counts claiming more than the bytes, RDLENGTH past
/// the end, a bad name, an A record that is not 4 bytes…), then stops.
public struct DNSRecordIterator {
    let bytes: ByteView
    var offset: Int
    var answers: Int
    var authorities: Int
    var additionals: Int
    var failed = false
    /// Where two names already checked start (-1: none): the first question's
    /// (`DNSMessage.firstQuestionNameCanBePointedAt`) and the last CNAME target's. Owner names of later
    /// records point at them (`c0 0c`; the pointer after a CNAME); see `ownerNameEnd(at:)`.
    var checkedNames: (question: Int, cnameTarget: Int) = (-1, -1)

    init(message: DNSMessage) {
        bytes = message.bytes
        if message.firstQuestionNameCanBePointedAt { checkedNames.question = DNSHeader.size }
        offset = message.recordsOffset
        answers = message.header.answerCount
        authorities = message.header.authorityCount
        additionals = message.header.additionalCount
    }

    public mutating func next() throws(DNSIssue) -> DNSRecord? {
        guard !failed else { return nil }
        let section: DNSSection
        if answers > 0 {
            answers -= 1; section = .answer
        } else if authorities > 0 {
            authorities -= 1; section = .authority
        } else if additionals > 0 {
            additionals -= 1; section = .additional
        } else {
            return nil
        }
        do {
            return try read(section)
        } catch {
            failed = true
            throw error
        }
    }

    /// The offset past the owner name at `offset`, checked as `DNSName.skip` checks it. A name that
    /// is only a pointer to one of `checkedNames` needs no walk: both lie before this record, so
    /// the pointer points back (RFC 1035 §4.1.4), and from there the walk would be the one already
    /// made, one hop more (which a name that followed the most hops allowed is not given).
    private func ownerNameEnd(at offset: Int) throws(DNSIssue) -> Int {
        if let word = bytes.u16(at: offset), word >= 0xC000 {
            let target = Int(word & 0x3FFF)
            if target == checkedNames.question || target == checkedNames.cnameTarget { return offset + 2 }
        }
        return try DNSName.skip(in: bytes, at: offset)
    }

    private mutating func read(_ section: DNSSection) throws(DNSIssue) -> DNSRecord {
        let nameOffset = offset
        let fixed = try ownerNameEnd(at: offset)
        guard bytes.contains(offset: fixed, width: 10) else {
            throw DNSIssue(.truncated, at: fixed, needed: 10, had: bytes.count - fixed)
        }
        let type = bytes.u16Unchecked(at: fixed)
        let cls = bytes.u16Unchecked(at: fixed + 2)
        let ttl = bytes.u32Unchecked(at: fixed + 4)
        let length = Int(bytes.u16Unchecked(at: fixed + 8))
        let dataOffset = fixed + 10
        guard let data = bytes.slice(from: dataOffset, length: length) else {
            throw DNSIssue(.truncated, at: dataOffset, needed: length, had: bytes.count - dataOffset)
        }
        switch type {
        case DNSRecordType.a where length != 4, DNSRecordType.aaaa where length != 16:
            throw DNSIssue(.badRecordData, at: dataOffset, needed: type == DNSRecordType.a ? 4 : 16, had: length)
        case DNSRecordType.cname:
            // The target must be a valid name that ends inside RDATA.
            var discard = DNSName.DiscardedName()
            var hops = 0
            let end = try DNSName.walk(bytes, at: dataOffset, into: &discard, hops: &hops)
            guard end == dataOffset + length else {
                throw DNSIssue(.badRecordData, at: dataOffset, needed: end - dataOffset, had: length)
            }
            checkedNames.cnameTarget = hops < DNSName.maxPointerHops ? dataOffset : -1
        case DNSRecordType.svcb, DNSRecordType.https:
            try DNSServiceBinding.validate(data: data, dataOffset: dataOffset)
        default:
            break
        }
        offset = dataOffset + length
        // OPT (RFC 6891) reuses CLASS as the UDP size: keep it whole.
        let isOPT = type == DNSRecordType.opt
        return DNSRecord(
            section: section, nameOffset: nameOffset, type: type,
            recordClass: isOPT ? cls : cls & 0x7FFF, cacheFlush: !isOPT && cls & 0x8000 != 0,
            ttl: ttl, dataOffset: dataOffset, data: data)
    }
}

/// SVCB/HTTPS RDATA (RFC 9460 §2.2):
///
/// ```
/// SvcPriority (2) | TargetName (uncompressed name) | SvcParams: { key (2) | length (2) | value }*
/// ```
/// Keys used here: `alpn` (1), `ipv4hint` (4), `ech` (5), `ipv6hint` (6).
public struct DNSServiceBinding {
    public let data: ByteView
    /// Offset of RDATA in the message.
    public let dataOffset: Int
    public let priority: UInt16
    /// Offset of TargetName inside `data` (RFC 9460 §2.2 forbids compression there).
    public let targetOffset: Int
    /// Offset of the first SvcParam inside `data`.
    public let paramsOffset: Int

    public enum Key {
        public static let alpn: UInt16 = 1
        public static let noDefaultALPN: UInt16 = 2
        public static let port: UInt16 = 3
        public static let ipv4hint: UInt16 = 4
        public static let ech: UInt16 = 5
        public static let ipv6hint: UInt16 = 6
    }

    init?(data: ByteView, dataOffset: Int) {
        guard let priority = data.u16(at: 0),
              let end = try? DNSName.skip(in: data, at: 2) else { return nil }
        self.data = data
        self.dataOffset = dataOffset
        self.priority = priority
        self.targetOffset = 2
        self.paramsOffset = end
    }

    static func validate(data: ByteView, dataOffset: Int) throws(DNSIssue) {
        guard data.count >= 3 else { throw DNSIssue(.badRecordData, at: dataOffset, needed: 3, had: data.count) }
        let end: Int
        do {
            end = try DNSName.skip(in: data, at: 2)
        } catch {
            throw DNSIssue(error.what, at: dataOffset + error.offset, needed: error.needed, had: error.had)
        }
        var offset = end
        var previousKey = -1
        while offset < data.count {
            guard let key = data.u16(at: offset), let length = data.u16(at: offset + 2) else {
                throw DNSIssue(.badRecordData, at: dataOffset + offset, needed: 4, had: data.count - offset)
            }
            // RFC 9460 §2.2: keys appear in strictly increasing order.
            guard Int(key) > previousKey else { throw DNSIssue(.badRecordData, at: dataOffset + offset) }
            previousKey = Int(key)
            guard data.contains(offset: offset + 4, width: Int(length)) else {
                throw DNSIssue(.badRecordData, at: dataOffset + offset + 4, needed: Int(length), had: data.count - offset - 4)
            }
            offset += 4 + Int(length)
        }
    }

    /// The value of SvcParam `key`, if present.
    public func value(for key: UInt16) -> ByteView? {
        var offset = paramsOffset
        while let k = data.u16(at: offset), let length = data.u16(at: offset + 2) {
            guard let value = data.slice(from: offset + 4, length: Int(length)) else { return nil }
            if k == key { return value }
            offset += 4 + Int(length)
        }
        return nil
    }

    /// Alias mode (priority 0, RFC 9460 §2.4.2).
    public var isAliasMode: Bool { priority == 0 }

    /// `ech` present (an ECHConfigList for the target; RFC 9460 §7.3 / draft-ietf-tls-svcb-ech).
    public var hasECH: Bool { value(for: Key.ech) != nil }

    /// ALPN protocol ids: `alpn-id` entries, each 1-byte length + bytes (RFC 9460 §7.1.1).
    public var alpnIDs: LengthPrefixedList8 { LengthPrefixedList8(value(for: Key.alpn) ?? .empty) }

    /// IPv4 hints (RFC 9460 §7.3): consecutive 4-byte addresses.
    public var ipv4Hints: AddressList { AddressList(value(for: Key.ipv4hint) ?? .empty, width: 4) }

    /// IPv6 hints: consecutive 16-byte addresses.
    public var ipv6Hints: AddressList { AddressList(value(for: Key.ipv6hint) ?? .empty, width: 16) }

    /// Consecutive fixed-width addresses.
    public struct AddressList: Sequence, IteratorProtocol {
        let view: ByteView
        let width: Int
        var offset = 0

        init(_ view: ByteView, width: Int) {
            self.view = view
            self.width = width
        }

        public mutating func next() -> IPAddress? {
            let address = width == 4 ? IPAddress.ipv4(in: view, at: offset) : IPAddress.ipv6(in: view, at: offset)
            if address != nil { offset += width }
            return address
        }
    }
}

/// A list of 1-byte-length-prefixed strings (TLS ALPN `ProtocolNameList`
/// entries, SVCB `alpn` values). Stops at the first entry that does not fit.
public struct LengthPrefixedList8: Sequence, IteratorProtocol {
    let view: ByteView
    var offset = 0

    public init(_ view: ByteView) { self.view = view }

    public mutating func next() -> ByteView? {
        guard let n = view.u8(at: offset), let item = view.slice(from: offset + 1, length: Int(n)) else { return nil }
        offset += 1 + Int(n)
        return item
    }

    /// The entries as strings (allocates: off the per-packet path).
    public var strings: [String] {
        var copy = LengthPrefixedList8(view)
        var out: [String] = []
        while let item = copy.next() {
            out.append(item.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        return out
    }
}
