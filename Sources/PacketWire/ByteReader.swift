/// A cursor over a `ByteView` for length-prefixed formats (DNS, TLS, QUIC):
/// `read*` consumes, `peek*` looks without consuming. Every read returns nil
/// when the bytes run out, and then the reader stays where it was.
public struct ByteReader {
    public let view: ByteView
    /// The cursor; settable so a parser can seek back to a saved position.
    public var offset: Int

    @inlinable
    public init(_ view: ByteView, offset: Int = 0) {
        self.view = view
        self.offset = offset
    }

    @inlinable public var remaining: Int { view.count - offset }
    @inlinable public var isAtEnd: Bool { offset >= view.count }

    @inlinable
    public mutating func readU8() -> UInt8? {
        guard let v = view.u8(at: offset) else { return nil }
        offset += 1
        return v
    }

    @inlinable
    public mutating func readU16() -> UInt16? {
        guard let v = view.u16(at: offset) else { return nil }
        offset += 2
        return v
    }

    @inlinable
    public mutating func readU24() -> UInt32? {
        guard let v = view.u24(at: offset) else { return nil }
        offset += 3
        return v
    }

    @inlinable
    public mutating func readU32() -> UInt32? {
        guard let v = view.u32(at: offset) else { return nil }
        offset += 4
        return v
    }

    @inlinable
    public mutating func readU64() -> UInt64? {
        guard let v = view.u64(at: offset) else { return nil }
        offset += 8
        return v
    }

    /// The next `length` bytes as a view, consumed.
    @inlinable
    public mutating func readBytes(_ length: Int) -> ByteView? {
        guard let v = view.slice(from: offset, length: length) else { return nil }
        offset += length
        return v
    }

    /// A view prefixed by a 1-byte length (TLS `opaque <0..2^8-1>`).
    @inlinable
    public mutating func readLengthPrefixed8() -> ByteView? {
        let start = offset
        guard let n = readU8(), let v = readBytes(Int(n)) else { offset = start; return nil }
        return v
    }

    /// A view prefixed by a 2-byte length (TLS `opaque <0..2^16-1>`).
    @inlinable
    public mutating func readLengthPrefixed16() -> ByteView? {
        let start = offset
        guard let n = readU16(), let v = readBytes(Int(n)) else { offset = start; return nil }
        return v
    }

    /// A QUIC variable-length integer (RFC 9000 §16).
    @inlinable
    public mutating func readQUICVarInt() -> UInt64? {
        guard let first = view.u8(at: offset) else { return nil }
        let length = 1 << Int(first >> 6)
        guard view.contains(offset: offset, width: length) else { return nil }
        var value = UInt64(first & 0x3f)
        for i in 1..<length {
            value = value << 8 | UInt64(view.u8Unchecked(at: offset + i))
        }
        offset += length
        return value
    }

    @inlinable
    public mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, n <= remaining else { return false }
        offset += n
        return true
    }

    @inlinable public func peekU8() -> UInt8? { view.u8(at: offset) }
}
