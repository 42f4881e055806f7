import FastHashing
import PacketWire

/// Every rule whose `FQDNPattern` matches a name, answered over raw bytes
/// without allocating.
///
/// Built once from `(pattern, ruleID)` entries into a trie over labels taken
/// right to left (`net` → `windows` → `core` → …). Each node has
/// - exact-label edges, all kept in one open-addressing hash table keyed by
///   (parent node, FNV-1a of the lower-cased label) and checked against the
///   stored label bytes;
/// - in-label glob edges (`prod*-black`, leftover `<region>`), tried in turn;
/// - at most one "exactly one label" edge (a whole non-leftmost `*`);
/// - the rules that end here (name fully consumed) and the rules of a leftmost
///   `*` (at least one more label remains).
///
/// A query walks every path the name can take (globs and `*` may fork it) by
/// recursion on the stack, folding case byte by byte, so it needs neither a
/// `String` nor an array. Names are dotted ASCII as they arrive in SNI or a
/// decoded DNS name; one trailing dot is ignored; a name with an empty label
/// (`a..b`, `.a`) matches nothing. See `FQDNPattern` for the pattern dialect.
public struct FQDNMatcher: Sendable {
    struct Node: Sendable {
        var terminalStart: Int32 = 0, terminalCount: Int32 = 0
        var deeperStart: Int32 = 0, deeperCount: Int32 = 0
        var globStart: Int32 = 0, globCount: Int32 = 0
        var anyOneLabelChild: Int32 = -1
    }

    struct GlobEdge: Sendable {
        var pieces: [[UInt8]]
        var child: Int32
    }

    private let nodes: [Node]
    private let ruleIDs: [Int32]
    private let globEdges: [GlobEdge]
    /// One exact edge; a probe touches one 24-byte slot.
    struct Slot: Sendable {
        var hash: UInt64 = 0
        var parent: Int32 = -1
        var child: Int32 = 0
        var labelStart: Int32 = 0
        var labelLength: Int32 = 0
    }

    // Exact-edge hash table (capacity a power of two; parent -1 = empty slot).
    private let slots: [Slot]
    private let labelBytes: [UInt8]
    private let slotMask: Int

    /// Number of trie nodes and exact edges (for sizing reports).
    public var statistics: (nodes: Int, exactEdges: Int, globEdges: Int) {
        (nodes.count, slots.lazy.filter { $0.parent >= 0 }.count, globEdges.count)
    }

    public init<S: Sequence>(_ entries: S) where S.Element == (FQDNPattern, Int32) {
        var b = Builder()
        for (pattern, id) in entries { b.add(pattern, id) }
        var nodes: [Node] = []
        var ruleIDs: [Int32] = []
        var globEdges: [GlobEdge] = []
        nodes.reserveCapacity(b.nodes.count)
        for n in b.nodes {
            var node = Node()
            node.terminalStart = Int32(ruleIDs.count)
            node.terminalCount = Int32(n.terminal.count)
            ruleIDs.append(contentsOf: n.terminal)
            node.deeperStart = Int32(ruleIDs.count)
            node.deeperCount = Int32(n.deeper.count)
            ruleIDs.append(contentsOf: n.deeper)
            node.globStart = Int32(globEdges.count)
            node.globCount = Int32(n.globs.count)
            for (pieces, child) in n.globs { globEdges.append(GlobEdge(pieces: pieces, child: child)) }
            node.anyOneLabelChild = n.anyOneLabel
            nodes.append(node)
        }
        var capacity = 16
        while capacity < b.exact.count * 2 { capacity <<= 1 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var arena: [UInt8] = []
        for (key, c) in b.exact {
            let h = FQDNMatcher.labelHash(key.label, parent: key.parent)
            var i = Int(truncatingIfNeeded: h) & (capacity - 1)
            while slots[i].parent >= 0 { i = (i + 1) & (capacity - 1) }
            slots[i] = Slot(hash: h, parent: key.parent, child: c, labelStart: Int32(arena.count), labelLength: Int32(key.label.count))
            arena.append(contentsOf: key.label)
        }
        self.nodes = nodes
        self.ruleIDs = ruleIDs
        self.globEdges = globEdges
        self.slots = slots
        labelBytes = arena
        slotMask = capacity - 1
    }

    // MARK: Queries

    /// Calls `body` once per matching (pattern, ruleID) entry. The same
    /// rule ID given with two patterns that both match is reported twice;
    /// `matches(_:into:)` reports each ID once.
    public func forEachMatch(_ name: ByteView, _ body: (Int32) -> Void) {
        var end = name.count
        if end > 0, name.u8Unchecked(at: end - 1) == UInt8(ascii: ".") { end -= 1 }
        guard end > 0 else { return }
        // Reject empty labels up front: the walk reports `*` rules before it reaches them.
        if name.u8Unchecked(at: 0) == UInt8(ascii: ".") || name.u8Unchecked(at: end - 1) == UInt8(ascii: ".")
            || Self.hasTwoDotsInARow(name, end) { return }
        visit(0, name, end, body)
    }

    /// Where the label that ends at `end` starts: just past the last dot before
    /// `end` (0 when there is none), eight bytes at a time.
    @inline(__always)
    static func labelStart(_ name: ByteView, _ end: Int) -> Int {
        var i = end
        while i >= 8 {
            // Big-endian: byte i - 1 is the lowest of the word, its flag bit 7.
            let dots = FastHash.bytes(equalTo: UInt8(ascii: "."), in: name.u64Unchecked(at: i - 8))
            if dots != 0 { return i - dots.trailingZeroBitCount / 8 }
            i -= 8
        }
        while i > 0, name.u8Unchecked(at: i - 1) != UInt8(ascii: ".") { i -= 1 }
        return i
    }

    /// True when `name[0 ..< end]` holds two dots in a row, eight bytes at a
    /// time (byte by byte, the check was a quarter of a name's lookup).
    @inline(__always)
    static func hasTwoDotsInARow(_ name: ByteView, _ end: Int) -> Bool {
        var i = 0, lastWasDot = false
        while i + 8 <= end {
            // Big-endian: byte k of the name is byte k from the top of the word.
            let dots = FastHash.bytes(equalTo: UInt8(ascii: "."), in: name.u64Unchecked(at: i))
            if dots & (dots << 8) != 0 || (lastWasDot && dots >> 63 != 0) { return true }
            lastWasDot = dots & 0x80 != 0
            i += 8
        }
        while i < end {
            let isDot = name.u8Unchecked(at: i) == UInt8(ascii: ".")
            if isDot && lastWasDot { return true }
            lastWasDot = isDot
            i += 1
        }
        return false
    }

    /// Collects the matching rule IDs into `buffer` (cleared first, each ID once).
    public func matches(_ name: ByteView, into buffer: inout MatchBuffer) {
        buffer.removeAll()
        forEachMatch(name) { buffer.insert($0) }
    }

    /// True when any pattern matches.
    public func matchesAny(_ name: ByteView) -> Bool {
        var found = false
        forEachMatch(name) { _ in found = true }
        return found
    }

    /// Convenience for tests and the CLI (allocates): matching IDs, ascending.
    public func matches(_ name: String) -> [Int32] {
        var text = name
        var buffer = MatchBuffer()
        text.withUTF8 { matches(ByteView(UnsafeRawBufferPointer($0)), into: &buffer) }
        return buffer.ids.sorted()
    }

    /// `end` is the exclusive end of the labels still to consume (`-1`: none left).
    private func visit(_ nodeIndex: Int, _ name: ByteView, _ end: Int, _ body: (Int32) -> Void) {
        let node = nodes[nodeIndex]
        if end < 0 {
            for k in 0 ..< Int(node.terminalCount) { body(ruleIDs[Int(node.terminalStart) + k]) }
            return
        }
        let start = Self.labelStart(name, end)
        let h = name.caseFoldedHash(from: start, count: end - start, seed: UInt64(UInt32(bitPattern: Int32(nodeIndex))))
        for k in 0 ..< Int(node.deeperCount) { body(ruleIDs[Int(node.deeperStart) + k]) }
        let next = start == 0 ? -1 : start - 1

        var i = Int(truncatingIfNeeded: h) & slotMask
        while true {
            let slot = slots[i]
            if slot.parent < 0 { break }
            if slot.parent == Int32(nodeIndex), slot.hash == h, labelEquals(slot, name, start, end) {
                visit(Int(slot.child), name, next, body)
                break
            }
            i = (i + 1) & slotMask
        }
        if node.globCount > 0 {
            for g in Int(node.globStart) ..< Int(node.globStart + node.globCount) {
                let edge = globEdges[g]
                if FQDNMatcher.globMatches(edge.pieces, name, start, end) {
                    visit(Int(edge.child), name, next, body)
                }
            }
        }
        if node.anyOneLabelChild >= 0 {
            visit(Int(node.anyOneLabelChild), name, next, body)
        }
    }

    private func labelEquals(_ slot: Slot, _ name: ByteView, _ start: Int, _ end: Int) -> Bool {
        let length = Int(slot.labelLength)
        guard length == end - start else { return false }
        let base = Int(slot.labelStart)
        for k in 0 ..< length where labelBytes[base + k] != asciiLowerByte(name.u8Unchecked(at: start + k)) {
            return false
        }
        return true
    }

    /// First piece anchors the start, last piece the end, middle pieces are
    /// found leftmost-first in between (greedy leftmost is exact for `*` globs).
    static func globMatches(_ pieces: [[UInt8]], _ name: ByteView, _ start: Int, _ end: Int) -> Bool {
        let first = pieces[0]
        let last = pieces[pieces.count - 1]
        guard end - start >= first.count + last.count else { return false }
        func equal(_ piece: [UInt8], at position: Int) -> Bool {
            for k in 0 ..< piece.count where piece[k] != asciiLowerByte(name.u8Unchecked(at: position + k)) {
                return false
            }
            return true
        }
        guard equal(first, at: start), equal(last, at: end - last.count) else { return false }
        var position = start + first.count
        let limit = end - last.count
        if pieces.count > 2 {
            for p in 1 ..< pieces.count - 1 {
                let piece = pieces[p]
                var found = false
                while position + piece.count <= limit {
                    if equal(piece, at: position) { found = true; break }
                    position += 1
                }
                guard found else { return false }
                position += piece.count
            }
        }
        return true
    }

    // MARK: Hashing (FastHash over the lower-cased label, seeded by the parent node)

    /// An exact edge's hash: the label's bytes (lower case), seeded by its parent node, as `visit` hashes the query's label.
    static func labelHash(_ label: [UInt8], parent: Int32) -> UInt64 {
        label.withUnsafeBytes { FastHash.caseFolded($0.baseAddress, count: $0.count, seed: UInt64(UInt32(bitPattern: parent))) }
    }

    // MARK: Build

    struct Builder {
        struct EdgeKey: Hashable {
            var parent: Int32
            var label: [UInt8]
        }
        struct BuildNode {
            var terminal: [Int32] = []
            var deeper: [Int32] = []
            var globs: [([[UInt8]], Int32)] = []
            var anyOneLabel: Int32 = -1
        }
        var nodes: [BuildNode] = [BuildNode()]
        var exact: [EdgeKey: Int32] = [:]

        mutating func newNode() -> Int32 {
            nodes.append(BuildNode())
            return Int32(nodes.count - 1)
        }

        mutating func add(_ pattern: FQDNPattern, _ id: Int32) {
            var node: Int32 = 0
            for label in pattern.labels.reversed() {
                switch label {
                case .exact(let bytes):
                    let key = EdgeKey(parent: node, label: bytes)
                    if let c = exact[key] { node = c } else {
                        let c = newNode()
                        exact[key] = c
                        node = c
                    }
                case .glob(let pieces):
                    if let existing = nodes[Int(node)].globs.first(where: { $0.0 == pieces }) {
                        node = existing.1
                    } else {
                        let c = newNode()
                        nodes[Int(node)].globs.append((pieces, c))
                        node = c
                    }
                case .anyOneLabel:
                    if nodes[Int(node)].anyOneLabel >= 0 { node = nodes[Int(node)].anyOneLabel } else {
                        let c = newNode()
                        nodes[Int(node)].anyOneLabel = c
                        node = c
                    }
                case .oneOrMoreLabels:
                    // Only ever the leftmost label, hence the last step of the walk.
                    if !nodes[Int(node)].deeper.contains(id) { nodes[Int(node)].deeper.append(id) }
                    return
                }
            }
            if !nodes[Int(node)].terminal.contains(id) { nodes[Int(node)].terminal.append(id) }
        }
    }
}

/// Reusable storage for matching rule IDs: keep one per worker and pass it to
/// every lookup; once it has grown to the largest answer, lookups stop
/// allocating.
public struct MatchBuffer: Sendable {
    public private(set) var ids: [Int32] = []

    public init(capacity: Int = 16) {
        ids.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { ids.isEmpty }
    public var count: Int { ids.count }

    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
    }

    /// Adds `id` unless present (answers are a handful of IDs, so a scan is cheapest).
    public mutating func insert(_ id: Int32) {
        if !ids.contains(id) { ids.append(id) }
    }
}
