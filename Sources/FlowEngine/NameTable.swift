import FastHashing
import PacketWire

/// Interned host names: each distinct name (ASCII, compared and stored lower
/// case) gets a small integer id the first time it is seen; after that,
/// looking it up again allocates nothing. Flows and DNS answers carry ids,
/// and a `String` is made only when a report is written.
public struct NameTable {
    /// A name's id; `NameID.none` (0) means "no name".
    public struct NameID: Hashable, Sendable, Comparable {
        public let rawValue: Int32
        @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let none = NameID(rawValue: 0)
        @inlinable public var isNone: Bool { rawValue == 0 }
        public static func < (a: NameID, b: NameID) -> Bool { a.rawValue < b.rawValue }
    }

    /// Longest name kept (DNS's limit, RFC 1035 §3.1); longer input is refused.
    public static let maximumLength = 255

    private var arena: [UInt8] = []
    private var starts: [Int32] = [0]   // starts[id] … starts[id+1]; id 0 is the empty name
    private var hashes: [UInt64] = [0]
    private var slots: [Int32]          // open addressing: id, 0 = empty
    private var mask: Int
    /// First spellings of labels (`internLabel`) that were not all lower case.
    private var spellings: [Int32: String] = [:]
    /// Names are never forgotten; the cap bounds memory under a flood of random names.
    public let capacity: Int
    public private(set) var refusedForCapacity = 0
    /// Names come from the network: a per-process seed keeps crafted ones from sharing a probe run.
    private let seed: UInt64

    public init(capacity: Int = 1 << 18, seed: UInt64 = FastHash.randomSeed()) {
        self.capacity = capacity
        self.seed = seed
        var size = 1024
        while size < capacity * 2 && size < (1 << 30) { size <<= 1 }
        size = Swift.min(size, 1 << 16)  // start small; grows with use
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        arena.reserveCapacity(16 * 1024)
    }

    public var count: Int { starts.count - 1 }

    /// The id of `name` (lower-cased on the fly; one trailing dot dropped),
    /// inserting it if new. Returns `.none` for an empty or over-long name or
    /// when the table is full.
    public mutating func intern(_ name: ByteView) -> NameID {
        guard let (length, hash) = normalizedLengthAndHash(name) else { return .none }
        let (slot, found) = find(name, length: length, hash: hash)
        if let found { return found }
        guard count < capacity else { refusedForCapacity += 1; return .none }
        for i in 0..<length { arena.append(asciiLower(name.u8Unchecked(at: i))) }
        starts.append(Int32(arena.count))
        hashes.append(hash)
        let id = Int32(count)
        slots[slot] = id
        if count * 2 > slots.count { grow() }
        return NameID(rawValue: id)
    }

    /// The id of `name` if it was interned before; never inserts.
    public func lookup(_ name: ByteView) -> NameID {
        guard let (length, hash) = normalizedLengthAndHash(name) else { return .none }
        return find(name, length: length, hash: hash).found ?? .none
    }

    /// Length without one trailing dot, and the hash; nil when empty or too long.
    private func normalizedLengthAndHash(_ name: ByteView) -> (Int, UInt64)? {
        var length = name.count
        if length > 0, name.u8Unchecked(at: length - 1) == UInt8(ascii: ".") { length -= 1 }
        guard length > 0, length <= Self.maximumLength else { return nil }
        return (length, name.caseFoldedHash(count: length, seed: seed))
    }

    /// The slot holding `name`, or the empty slot where it would go.
    private func find(_ name: ByteView, length: Int, hash: UInt64) -> (slot: Int, found: NameID?) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[slot]
            if id == 0 { return (slot, nil) }
            if hashes[Int(id)] == hash && equals(Int(id), name, length: length) { return (slot, NameID(rawValue: id)) }
            slot = (slot + 1) & mask
        }
    }

    /// `intern`, remembering the first spelling for `string` (a label shown to
    /// people, such as a firewall's rule name); spellings that differ only in
    /// case share its id. Labels are few (a firewall has few rules): the
    /// spellings sit in a dictionary, off the names' path.
    public mutating func internLabel(_ text: String) -> NameID {
        let id = intern(text)
        if !id.isNone, spellings[id.rawValue] == nil, text.contains(where: { $0.isUppercase }) { spellings[id.rawValue] = text }
        return id
    }

    /// Interns a Swift string (tests, profiles, CLI input).
    public mutating func intern(_ name: String) -> NameID {
        var utf8 = Array(name.utf8)
        return utf8.withUnsafeMutableBytes { intern(ByteView(UnsafeRawBufferPointer($0))) }
    }

    /// The id of a Swift string if it was interned before; never inserts.
    public func lookup(_ name: String) -> NameID {
        var utf8 = Array(name.utf8)
        return utf8.withUnsafeMutableBytes { lookup(ByteView(UnsafeRawBufferPointer($0))) }
    }

    /// The name for `id` (allocates a String: for reports).
    public func string(_ id: NameID) -> String {
        guard id.rawValue > 0, Int(id.rawValue) < starts.count else { return "" }
        if !spellings.isEmpty, let spelled = spellings[id.rawValue] { return spelled }
        let lo = Int(starts[Int(id.rawValue) - 1]), hi = Int(starts[Int(id.rawValue)])
        return String(decoding: arena[lo..<hi], as: UTF8.self)
    }

    /// The stored bytes of `id`, for matchers that take raw bytes.
    public func withBytes<R>(_ id: NameID, _ body: (ByteView) -> R) -> R {
        guard id.rawValue > 0, Int(id.rawValue) < starts.count else { return body(.empty) }
        let lo = Int(starts[Int(id.rawValue) - 1]), hi = Int(starts[Int(id.rawValue)])
        return arena.withUnsafeBytes { body(ByteView(UnsafeRawBufferPointer(rebasing: $0[lo..<hi]))) }
    }

    private func equals(_ id: Int, _ name: ByteView, length: Int) -> Bool {
        let lo = Int(starts[id - 1]), hi = Int(starts[id])
        guard hi - lo == length else { return false }
        return arena.withUnsafeBytes { name.prefix(length).caseFoldedEquals(UnsafeRawBufferPointer(rebasing: $0[lo..<hi])) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [Int32](repeating: 0, count: size)
        let m = size - 1
        for id in 1...count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & m
            while fresh[slot] != 0 { slot = (slot + 1) & m }
            fresh[slot] = Int32(id)
        }
        slots = fresh
        mask = m
    }
}
