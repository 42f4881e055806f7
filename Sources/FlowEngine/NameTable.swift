import CPrefetch
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
        /// Computed, not a stored `static let`: another module read that through a lazy global's accessor, an opaque call per use.
        @inlinable public static var none: NameID { NameID(rawValue: 0) }
        @inlinable public var isNone: Bool { rawValue == 0 }
        public static func < (a: NameID, b: NameID) -> Bool { a.rawValue < b.rawValue }
    }

    /// Longest name kept (DNS's limit, RFC 1035 §3.1); longer input is refused.
    public static let maximumLength = 255

    /// The names themselves, in storage that never moves (`NameStore`);
    /// shared by copies of this table, which see its first `count` names.
    private var store: NameStore
    /// Names this table holds (ids 1...count).
    public private(set) var count = 0
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
        store = NameStore(capacity: capacity)
    }

    /// The id of `name` (lower-cased on the fly; one trailing dot dropped),
    /// inserting it if new. Returns `.none` for an empty or over-long name or
    /// when the table is full.
    public mutating func intern(_ name: ByteView) -> NameID {
        guard let (length, hash) = Self.normalizedLengthAndHash(name, seed: seed) else { return .none }
        return intern(name, length: length, hash: hash)
    }

    /// `intern` with the name's hash already made (`hasher.hash(name)`: by the decode thread).
    public mutating func intern(_ name: ByteView, hash: UInt64) -> NameID {
        guard let length = Self.normalizedLength(name) else { return .none }
        assert(hash == name.caseFoldedHash(count: length, seed: seed), "a name hash not of this name or table")
        return intern(name, length: length, hash: hash)
    }

    /// Starts loading where a name of this `hash` would be found (a packet some way ahead).
    /// Mutating only so that a caller reaching it through a property reads the table in place, not a copy.
    public mutating func prefetch(hash: UInt64) { store.prefetch(hash: hash) }

    /// How this table hashes names, for a thread that reads them ahead of it.
    public var hasher: NameHasher { NameHasher(seed: seed) }

    /// This table's hash of a name, made on another thread (`PayloadPreviewer`).
    public struct NameHasher: Sendable {
        let seed: UInt64
        /// The hash `intern` gives `name`; nil for a name it refuses (empty or too long).
        public func hash(_ name: ByteView) -> UInt64? { NameTable.normalizedLengthAndHash(name, seed: seed)?.1 }
    }

    private mutating func intern(_ name: ByteView, length: Int, hash: UInt64) -> NameID {
        // Another copy of this table added names past ours: ours go in a store of their own.
        if store.count != count { store = store.copy(names: count) }
        let (slot, found) = store.find(name, length: length, hash: hash, below: count)
        if let found { return NameID(rawValue: found) }
        guard count < capacity else { refusedForCapacity += 1; return .none }
        count = store.append(name, length: length, hash: hash, slot: slot)
        return NameID(rawValue: Int32(count))
    }

    /// For a reader on another thread (the audit's): this copy now sees the
    /// first `count` names of the table it was copied from, which appended
    /// them to the same store. The owner read `count` after interning and
    /// published it (a release), and this thread read it after (an acquire);
    /// `string` and `withBytes` are what such a reader may call.
    public mutating func follow(ownerCount count: Int) {
        precondition(count >= self.count && count <= capacity, "follow: a name count the owner cannot have")
        self.count = count
    }

    /// The names in this table's storage: its own, and any a copy appended
    /// after it. On the thread that interns, while only this table appends,
    /// it is this table's `count` read through a copy (the audit's thread's
    /// producer side holds one) — the number a follower may be told.
    public var storedCount: Int { store.count }

    /// The id of `name` if it was interned before; never inserts.
    public func lookup(_ name: ByteView) -> NameID {
        guard let (length, hash) = Self.normalizedLengthAndHash(name, seed: seed) else { return .none }
        return store.find(name, length: length, hash: hash, below: count).found.map { NameID(rawValue: $0) } ?? .none
    }

    /// Length without one trailing dot; nil when empty or too long.
    @inline(__always)
    private static func normalizedLength(_ name: ByteView) -> Int? {
        var length = name.count
        if length > 0, name.u8Unchecked(at: length - 1) == UInt8(ascii: ".") { length -= 1 }
        guard length > 0, length <= Self.maximumLength else { return nil }
        return length
    }

    /// `normalizedLength`, and the hash; nil when empty or too long.
    private static func normalizedLengthAndHash(_ name: ByteView, seed: UInt64) -> (Int, UInt64)? {
        guard let length = normalizedLength(name) else { return nil }
        return (length, name.caseFoldedHash(count: length, seed: seed))
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
        guard id.rawValue > 0, Int(id.rawValue) <= count else { return "" }
        if !spellings.isEmpty, let spelled = spellings[id.rawValue] { return spelled }
        return String(decoding: store.bytes(Int(id.rawValue)), as: UTF8.self)
    }

    /// The stored bytes of `id` (empty for none), for a matcher that takes raw bytes and returns a large
    /// value (through `withBytes`' generic result, a profile's decision was copied and destroyed once
    /// more). A name never moves once stored, and the store lives while this table or a copy does: the
    /// view is valid as long as the table it came from.
    public func bytes(_ id: NameID) -> ByteView {
        guard id.rawValue > 0, Int(id.rawValue) <= count else { return .empty }
        return ByteView(store.bytes(Int(id.rawValue)))
    }

    /// The stored bytes of `id`, for matchers that take raw bytes.
    public func withBytes<R>(_ id: NameID, _ body: (ByteView) -> R) -> R {
        body(bytes(id))
    }
}

/// A name table's names in storage that never moves once written, so that a
/// reader on another thread can read a name while the owner adds others: the
/// bytes in 64 KiB chunks (a name is at most 255 bytes, so none straddles
/// two), and each id's place in blocks of 4,096 words; both directories are
/// sized for the table's capacity at the start. The hash index (`slots`,
/// `hashes`) is the owner's alone.
///
/// A slot holds what a lookup needs, so a hit reads the slot and the name's
/// bytes, no more: the lower 32 bits of the name's hash (compared before the
/// bytes; they also hold its home slot, so growing reads only the slots), its
/// id, and its place (where its bytes lie, and their length). A slot of ids
/// alone cost three dependent cache misses before the bytes (the id's hash,
/// its place, then the bytes): a third of interning on a per-flow capture.
///
/// Copies of a `NameTable` share one store and see its first `count` names;
/// only a copy whose `count` is the store's may append (any other copies its
/// names into a store of its own first), so each copy keeps value semantics.
final class NameStore: @unchecked Sendable {
    static let chunkSize = 1 << 16
    static let blockSize = 1 << 12
    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private let chunkLimit: Int
    /// Each id's place: chunk << 32 | offset << 8 | length (id 0, the empty name, is not stored).
    private let blocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    private let blockLimit: Int
    // The owner's alone (the thread that interns): unchecked, as a dynamic exclusivity check
    // on each access cost two calls per interned name (callgrind: 6.3 M instructions on 100,000 packets).
    @exclusivity(unchecked) private var chunk = -1
    @exclusivity(unchecked) private var used = NameStore.chunkSize
    /// Names appended (ids 1...count).
    @exclusivity(unchecked) private(set) var count = 0
    /// Each id's full hash (for `copy`; lookups read the slots' lower 32 bits).
    @exclusivity(unchecked) private var hashes: [UInt64] = [0]
    /// Open addressing, `mask + 1` slots; key 0 = empty. A pointer, not an array: reading an
    /// array held by a class retained and released its buffer around each look-ahead (`prefetch`).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var mask: Int

    struct Slot {
        /// The hash's lower 32 bits << 32 | id (0: empty).
        var key: UInt64
        /// As in `blocks`: chunk << 32 | offset << 8 | length.
        var place: UInt64
        static let empty = Slot(key: 0, place: 0)
    }
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        // Each chunk but the last is filled to within one name of its end.
        chunkLimit = capacity * NameTable.maximumLength / (Self.chunkSize - NameTable.maximumLength) + 2
        blockLimit = capacity / Self.blockSize + 2
        chunks = .allocate(capacity: chunkLimit)
        chunks.initialize(repeating: nil, count: chunkLimit)
        blocks = .allocate(capacity: blockLimit)
        blocks.initialize(repeating: nil, count: blockLimit)
        var size = 1024
        while size < capacity * 2 && size < (1 << 30) { size <<= 1 }
        size = Swift.min(size, 1 << 16)  // start small; grows with use
        slots = .allocate(capacity: size)
        slots.initialize(repeating: .empty, count: size)
        mask = size - 1
    }

    deinit {
        slots.deallocate()
        for i in 0..<chunkLimit { chunks[i]?.deallocate() }
        for i in 0..<blockLimit { blocks[i]?.deallocate() }
        chunks.deallocate()
        blocks.deallocate()
    }

    /// The bytes of name `id` (1...count).
    @inline(__always)
    func bytes(_ id: Int) -> UnsafeRawBufferPointer {
        bytes(place: blocks[id / Self.blockSize].unsafelyUnwrapped[id % Self.blockSize])
    }

    /// The bytes at `place` (chunk << 32 | offset << 8 | length).
    @inline(__always)
    private func bytes(place: UInt64) -> UnsafeRawBufferPointer {
        let base = chunks[Int(place >> 32)].unsafelyUnwrapped + Int(place >> 8 & 0xff_ffff)
        return UnsafeRawBufferPointer(start: base, count: Int(place & 0xff))
    }

    /// Starts loading the home slot of a name whose hash is `hash` (a packet some way ahead).
    @inline(__always)
    func prefetch(hash: UInt64) {
        egress_prefetch_table(slots + (Int(truncatingIfNeeded: hash) & mask))
    }

    /// The slot holding `name` among ids below `limit + 1`, or the empty slot where it would go.
    func find(_ name: ByteView, length: Int, hash: UInt64, below limit: Int) -> (slot: Int, found: Int32?) {
        let tag = hash << 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[slot]
            if s.key == 0 { return (slot, nil) }
            if s.key & 0xFFFF_FFFF_0000_0000 == tag, Int(s.place & 0xff) == length {
                let id = Int32(truncatingIfNeeded: s.key)
                if Int(id) <= limit, name.prefix(length).caseFoldedEquals(bytes(place: s.place)) { return (slot, id) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `name`'s first `length` bytes, lower-cased, at `slot` (from `find`); returns its id.
    func append(_ name: ByteView, length: Int, hash: UInt64, slot: Int) -> Int {
        if used + length > Self.chunkSize {
            chunk += 1
            precondition(chunk < chunkLimit, "NameStore: more chunks than the capacity needs")
            chunks[chunk] = .allocate(capacity: Self.chunkSize)
            used = 0
        }
        let target = chunks[chunk].unsafelyUnwrapped + used
        for i in 0..<length { target[i] = asciiLower(name.u8Unchecked(at: i)) }
        let id = count + 1
        if blocks[id / Self.blockSize] == nil { blocks[id / Self.blockSize] = .allocate(capacity: Self.blockSize) }
        let place = UInt64(chunk) << 32 | UInt64(used) << 8 | UInt64(length)
        blocks[id / Self.blockSize].unsafelyUnwrapped[id % Self.blockSize] = place
        used += length
        hashes.append(hash)
        slots[slot] = Slot(key: hash << 32 | UInt64(id), place: place)
        count = id
        if count * 2 > mask + 1 { grow() }
        return id
    }

    /// A store of its own holding this one's first `names` names (a copy of a table appends to it).
    func copy(names: Int) -> NameStore {
        let fresh = NameStore(capacity: capacity)
        for id in stride(from: 1, through: names, by: 1) {
            let b = bytes(id)
            let name = ByteView(b)
            let (slot, _) = fresh.find(name, length: b.count, hash: hashes[id], below: fresh.count)
            _ = fresh.append(name, length: b.count, hash: hashes[id], slot: slot)
        }
        return fresh
    }

    private func grow() {
        let old = slots, oldCount = mask + 1
        let size = oldCount * 2
        precondition(size <= 1 << 32, "NameStore: a slot's hash bits hold its home for at most 2^32 slots")
        let fresh = UnsafeMutablePointer<Slot>.allocate(capacity: size)
        fresh.initialize(repeating: .empty, count: size)
        let m = size - 1
        // Each slot moves by the hash bits it keeps: no name or hash is read.
        for i in 0..<oldCount where old[i].key != 0 {
            let s = old[i]
            var slot = Int(truncatingIfNeeded: s.key >> 32) & m
            while fresh[slot].key != 0 { slot = (slot + 1) & m }
            fresh[slot] = s
        }
        slots = fresh
        mask = m
        old.deallocate()
    }
}
