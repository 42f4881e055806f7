import FastHashing

/// A non-owning, bounds-checked view of bytes borrowed from a capture buffer.
///
/// This is the one place in PacketWire that touches raw pointers. Every other
/// view (Ethernet, IPv4, TCP, DNS, TLS, …) reads through it, so the module's
/// memory safety argument is this file: each read checks `offset + width <=
/// count` before it dereferences, and the `unchecked` twins are only called by
/// views that validated the same bound once, up front (their callers say so).
///
/// A `ByteView` is only valid while the buffer it was made from is alive: for
/// a captured packet, for the duration of the capture callback. It must not be
/// stored past that; values that outlive the packet (names, addresses) are
/// copied out explicitly.
public struct ByteView {
    @usableFromInline let base: UnsafeRawPointer?
    public let count: Int

    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.base = buffer.baseAddress
        self.count = buffer.count
    }

    @inlinable
    init(base: UnsafeRawPointer?, count: Int) {
        self.base = base
        self.count = count
    }

    public static var empty: ByteView { ByteView(base: nil, count: 0) }

    @inlinable public var isEmpty: Bool { count == 0 }

    /// True when `width` bytes starting at `offset` lie inside the view.
    @inlinable
    public func contains(offset: Int, width: Int) -> Bool {
        offset >= 0 && width >= 0 && offset <= count && width <= count &- offset
    }

    // MARK: Checked reads (nil past the end)

    @inlinable
    public func u8(at offset: Int) -> UInt8? {
        guard contains(offset: offset, width: 1) else { return nil }
        return u8Unchecked(at: offset)
    }

    /// Big-endian (network order) 16-bit read.
    @inlinable
    public func u16(at offset: Int) -> UInt16? {
        guard contains(offset: offset, width: 2) else { return nil }
        return u16Unchecked(at: offset)
    }

    /// Big-endian 24-bit read (TLS handshake lengths).
    @inlinable
    public func u24(at offset: Int) -> UInt32? {
        guard contains(offset: offset, width: 3) else { return nil }
        return UInt32(u8Unchecked(at: offset)) << 16 | UInt32(u16Unchecked(at: offset + 1))
    }

    /// Big-endian 32-bit read.
    @inlinable
    public func u32(at offset: Int) -> UInt32? {
        guard contains(offset: offset, width: 4) else { return nil }
        return u32Unchecked(at: offset)
    }

    /// Big-endian 64-bit read.
    @inlinable
    public func u64(at offset: Int) -> UInt64? {
        guard contains(offset: offset, width: 8) else { return nil }
        return u64Unchecked(at: offset)
    }

    /// Little-endian 16-bit read (BSD NULL headers and other host-order fields).
    @inlinable
    public func u16LE(at offset: Int) -> UInt16? {
        guard contains(offset: offset, width: 2) else { return nil }
        return u16Unchecked(at: offset).byteSwapped
    }

    /// Little-endian 32-bit read.
    @inlinable
    public func u32LE(at offset: Int) -> UInt32? {
        guard contains(offset: offset, width: 4) else { return nil }
        return u32Unchecked(at: offset).byteSwapped
    }

    // MARK: Unchecked reads (caller validated `contains(offset:width:)`)

    @inlinable
    public func u8Unchecked(at offset: Int) -> UInt8 {
        assert(contains(offset: offset, width: 1))
        // SAFETY: the caller proved offset < count; base is non-nil when count > 0.
        return base.unsafelyUnwrapped.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable
    public func u16Unchecked(at offset: Int) -> UInt16 {
        assert(contains(offset: offset, width: 2))
        // SAFETY: the caller proved offset + 2 <= count; loadUnaligned has no alignment demand.
        return UInt16(bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable
    public func u32Unchecked(at offset: Int) -> UInt32 {
        assert(contains(offset: offset, width: 4))
        // SAFETY: as above, for 4 bytes.
        return UInt32(bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    public func u64Unchecked(at offset: Int) -> UInt64 {
        assert(contains(offset: offset, width: 8))
        // SAFETY: as above, for 8 bytes.
        return UInt64(bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// `FastHash.caseFolded` over `count` bytes from `offset` (host names:
    /// ASCII case ignored); the range must lie inside the view.
    @inlinable
    public func caseFoldedHash(from offset: Int = 0, count length: Int, seed: UInt64) -> UInt64 {
        precondition(offset >= 0 && length >= 0 && offset + length <= count, "caseFoldedHash outside the view")
        return FastHash.caseFolded(base.map { $0 + offset }, count: length, seed: seed)
    }

    /// True when the view's bytes, ASCII letters folded to lower case, equal
    /// `lowered` (bytes already lower case), eight at a time.
    @inlinable
    public func caseFoldedEquals(_ lowered: UnsafeRawBufferPointer) -> Bool {
        guard lowered.count == count else { return false }
        guard count > 0, let a = base, let b = lowered.baseAddress else { return true }
        var i = 0
        // SAFETY: every load lies in [0, count) of both buffers.
        while i + 8 <= count {
            if FastHash.lowerASCII(a.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        guard i < count else { return true }
        return FastHash.lowerASCII(FastHash.tail(a, from: i, count: count)) == FastHash.tail(b, from: i, count: count)
    }

    // MARK: Sub-views

    /// The `length` bytes starting at `offset`, or nil when they are not all inside.
    @inlinable
    public func slice(from offset: Int, length: Int) -> ByteView? {
        guard contains(offset: offset, width: length) else { return nil }
        return ByteView(base: base.map { $0 + offset }, count: length)
    }

    /// `slice` of a range the caller checked (`contains(offset:width:)`).
    @inlinable
    func sliceUnchecked(from offset: Int, length: Int) -> ByteView {
        ByteView(base: base.map { $0 + offset }, count: length)
    }

    /// Everything from `offset` to the end, or nil when `offset` is past the end.
    @inlinable
    public func suffix(from offset: Int) -> ByteView? {
        guard offset >= 0, offset <= count else { return nil }
        return ByteView(base: base.map { $0 + offset }, count: count - offset)
    }

    /// The first `length` bytes, clamped to the view (used to honour an
    /// IP total length shorter than the frame, i.e. Ethernet padding).
    @inlinable
    public func prefix(_ length: Int) -> ByteView {
        ByteView(base: base, count: Swift.max(0, Swift.min(length, count)))
    }

    /// Byte offset of this view's first byte inside `outer`, when it lies inside it.
    @inlinable
    public func offset(in outer: ByteView) -> Int? {
        guard let b = base, let ob = outer.base else { return count == 0 ? 0 : nil }
        let d = b - ob
        return d >= 0 && d <= outer.count ? d : nil
    }

    // MARK: Copy-out and comparison (off the per-packet path)

    /// Runs `body` over the raw bytes; the pointer must not escape.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// An owned copy (allocates: use only for values that outlive the packet).
    public func copyBytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// True when the bytes equal `other` byte for byte.
    @inlinable
    public func elementsEqual(_ other: ByteView) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return memcmpEqual(base.unsafelyUnwrapped, other.base.unsafelyUnwrapped, count)
    }

    /// True when the bytes equal the ASCII string `literal`, ignoring ASCII case.
    public func equalsASCIICaseInsensitive(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        let lit = literal.utf8Start
        for i in 0..<count where asciiLower(u8Unchecked(at: i)) != asciiLower(lit[i]) {
            return false
        }
        return true
    }
}

@inlinable
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
        return false
    }
    return true
}

/// ASCII lower-casing of one byte; other bytes pass through unchanged.
@inlinable
public func asciiLower(_ b: UInt8) -> UInt8 {
    (b &- 0x41) < 26 ? b | 0x20 : b
}
