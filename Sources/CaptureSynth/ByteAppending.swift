// Appending fixed-width integers to byte arrays. Every wire format this module writes goes through here,
// so the byte order of each field is named at the call site.

/// Byte order of a capture file's own headers (pcap/pcapng records are written in the writer's order;
/// protocol fields inside frames are always network order).
public enum ByteOrder: String, Sendable, Codable, CaseIterable {
    case littleEndian
    case bigEndian
}

extension Array where Element == UInt8 {
    @inlinable mutating func appendU8(_ value: UInt8) { append(value) }

    @inlinable mutating func appendU16(_ value: UInt16, _ order: ByteOrder = .bigEndian) {
        switch order {
        case .bigEndian: append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
        case .littleEndian: append(UInt8(truncatingIfNeeded: value)); append(UInt8(truncatingIfNeeded: value >> 8))
        }
    }

    @inlinable mutating func appendU24(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable mutating func appendU32(_ value: UInt32, _ order: ByteOrder = .bigEndian) {
        switch order {
        case .bigEndian:
            for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        case .littleEndian:
            for shift in stride(from: 0, through: 24, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
    }

    @inlinable mutating func appendU64(_ value: UInt64, _ order: ByteOrder = .bigEndian) {
        switch order {
        case .bigEndian:
            for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        case .littleEndian:
            for shift in stride(from: 0, through: 56, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
    }

    /// Overwrites a big-endian 16-bit field already reserved in the array (lengths and checksums
    /// are known only after the body is written).
    @inlinable mutating func setU16(_ value: UInt16, at index: Int) {
        self[index] = UInt8(truncatingIfNeeded: value >> 8)
        self[index + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inlinable mutating func setU24(_ value: UInt32, at index: Int) {
        self[index] = UInt8(truncatingIfNeeded: value >> 16)
        self[index + 1] = UInt8(truncatingIfNeeded: value >> 8)
        self[index + 2] = UInt8(truncatingIfNeeded: value)
    }

    /// Appends `bytes` preceded by an 8-bit length (TLS `opaque<0..2^8-1>`).
    @inlinable mutating func appendLengthPrefixed8(_ bytes: [UInt8]) {
        append(UInt8(truncatingIfNeeded: bytes.count)); append(contentsOf: bytes)
    }

    /// Appends `bytes` preceded by a 16-bit big-endian length (TLS `opaque<0..2^16-1>`).
    @inlinable mutating func appendLengthPrefixed16(_ bytes: [UInt8]) {
        appendU16(UInt16(truncatingIfNeeded: bytes.count)); append(contentsOf: bytes)
    }
}

/// Hex text → bytes (whitespace ignored); `nil` on any other character or an odd digit count.
public func bytesFromHex(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var high: UInt8? = nil
    for scalar in text.unicodeScalars {
        let nibble: UInt8
        switch scalar {
        case "0"..."9": nibble = UInt8(scalar.value - 48)
        case "a"..."f": nibble = UInt8(scalar.value - 87)
        case "A"..."F": nibble = UInt8(scalar.value - 55)
        case " ", "\n", "\t", "\r": continue
        default: return nil
        }
        if let h = high { out.append(h << 4 | nibble); high = nil } else { high = nibble }
    }
    return high == nil ? out : nil
}

/// Bytes → lower-case hex text.
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
    return String(decoding: out, as: UTF8.self)
}
