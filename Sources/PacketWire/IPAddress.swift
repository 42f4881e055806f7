import FastHashing

/// An IPv4 or IPv6 address as a value: two 64-bit words, no allocation.
///
/// IPv4 addresses are kept in their IPv4-mapped IPv6 form (`::ffff:a.b.c.d`,
/// RFC 4291 §2.5.5.2) plus a flag, so one type keys flow tables and prefix
/// lookups for both families while still printing as the family it came from.
public struct IPAddress: Hashable, Sendable, Comparable {
    /// The high and low 64 bits of the 128-bit (mapped) address.
    public let high: UInt64
    public let low: UInt64
    public let isIPv4: Bool

    @inlinable
    public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(value)
        self.isIPv4 = true
    }

    @inlinable
    public init(ipv6High high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        self.isIPv4 = false
    }

    /// The IPv4 value; meaningful only when `isIPv4`.
    @inlinable public var ipv4: UInt32 { UInt32(truncatingIfNeeded: low) }

    @inlinable public var isIPv6: Bool { !isIPv4 }

    // Written out (the synthesized ones compare and hash the same three
    // fields) so flow-table lookups in other modules inline them.
    @inlinable
    public static func == (a: IPAddress, b: IPAddress) -> Bool {
        a.low == b.low && a.high == b.high && a.isIPv4 == b.isIPv4
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high)
        hasher.combine(low)
        hasher.combine(isIPv4)
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isIPv4 != b.isIPv4 { return a.isIPv4 }
        return (a.high, a.low) < (b.high, b.low)
    }

    /// Reads 4 bytes (IPv4) at `offset`; nil when they are not all there.
    @inlinable
    public static func ipv4(in view: ByteView, at offset: Int) -> IPAddress? {
        view.u32(at: offset).map { IPAddress(ipv4: $0) }
    }

    /// Reads 16 bytes (IPv6) at `offset`; nil when they are not all there.
    @inlinable
    public static func ipv6(in view: ByteView, at offset: Int) -> IPAddress? {
        guard let h = view.u64(at: offset), let l = view.u64(at: offset + 8) else { return nil }
        return IPAddress(ipv6High: h, low: l)
    }
}

// MARK: Text form (off the per-packet path)

extension IPAddress: CustomStringConvertible, LosslessStringConvertible {
    /// Dotted quad for IPv4; RFC 5952 canonical text for IPv6 (lower case,
    /// longest run of two or more zero groups compressed, first one on ties).
    public var description: String {
        if isIPv4 {
            // Dotted quad written straight into the string's storage (reports print thousands).
            let v = ipv4
            return String(unsafeUninitializedCapacity: 15) { out in
                var i = 0
                for shift in [24, 16, 8, 0] as [UInt32] {
                    let octet = (v >> shift) & 0xff
                    if octet >= 100 { out[i] = UInt8(48 + octet / 100); i += 1 }
                    if octet >= 10 { out[i] = UInt8(48 + octet / 10 % 10); i += 1 }
                    out[i] = UInt8(48 + octet % 10); i += 1
                    if shift > 0 { out[i] = 0x2E; i += 1 }
                }
                return i
            }
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))
            groups[4 + i] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else {
                i += 1
            }
        }
        var out = ""
        var k = 0
        while k < 8 {
            if k == bestStart {
                out += "::"
                k += bestLen
                continue
            }
            if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
            out += String(groups[k], radix: 16)
            k += 1
        }
        return out
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (what `inet_pton` accepts: no leading
    /// zeros in an IPv4 octet, hex groups of one to four digits, at most one `::`, a dotted quad
    /// only as the last two groups; no zone, no spaces).
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ IPAddress.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// `init(_:)` over the text's UTF-8 bytes (a tag file's prefixes are parsed by the hundred thousand:
    /// splitting Strings into Substrings and Characters was most of a Service Tags file's loading).
    public static func parse(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        if text.contains(UInt8(ascii: ":")) {
            return parseIPv6(text).map { IPAddress(ipv6High: $0.0, low: $0.1) }
        }
        return parseIPv4(text).map { IPAddress(ipv4: $0) }
    }

    static func parseIPv4(_ text: UnsafeRawBufferPointer) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, parts = 0, leadingZero = false
        for c in text {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0; digits = 0
            } else if c &- UInt8(ascii: "0") < 10 {
                // A second digit after a leading zero ("01") is refused, as inet_pton does.
                guard digits < 3, !leadingZero || digits == 0 else { return nil }
                leadingZero = digits == 0 && c == UInt8(ascii: "0")
                octet = octet * 10 + UInt32(c &- UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | octet
    }

    static func parseIPv6(_ text: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        var groups = SIMD8<UInt16>()
        var count = 0, gap = -1, i = 0
        let n = text.count
        if n >= 2, text[0] == UInt8(ascii: ":"), text[1] == UInt8(ascii: ":") {
            gap = 0
            i = 2
        } else if n >= 1, text[0] == UInt8(ascii: ":") {
            return nil
        }
        while i < n {
            let start = i
            var value: UInt16 = 0, digits = 0
            while i < n, let h = Self.hexValue(text[i]) {
                digits += 1
                guard digits <= 4 else { return nil }
                value = value << 4 | UInt16(h)
                i += 1
            }
            if i < n, text[i] == UInt8(ascii: ".") {
                // A dotted quad: the last two groups, and the end of the text.
                guard count <= 6, let v4 = parseIPv4(UnsafeRawBufferPointer(rebasing: text[start...])) else { return nil }
                groups[count] = UInt16(truncatingIfNeeded: v4 >> 16)
                groups[count + 1] = UInt16(truncatingIfNeeded: v4)
                count += 2
                i = n
                break
            }
            guard digits > 0, count < 8 else { return nil }
            groups[count] = value
            count += 1
            if i == n { break }
            guard text[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < n, text[i] == UInt8(ascii: ":") {
                guard gap < 0 else { return nil }
                gap = count
                i += 1
            } else if i == n {
                return nil  // a trailing single colon
            }
        }
        if gap < 0 {
            guard count == 8 else { return nil }
        } else {
            // `::` stands for at least one group: the groups after it move to the end.
            guard count <= 7 else { return nil }
            let after = count - gap
            var moved = SIMD8<UInt16>()
            for k in 0 ..< gap { moved[k] = groups[k] }
            for k in 0 ..< after { moved[8 - after + k] = groups[gap + k] }
            groups = moved
        }
        var h: UInt64 = 0, l: UInt64 = 0
        for k in 0 ..< 4 { h = h << 16 | UInt64(groups[k]) }
        for k in 4 ..< 8 { l = l << 16 | UInt64(groups[k]) }
        return (h, l)
    }

    @inline(__always)
    private static func hexValue(_ c: UInt8) -> UInt8? {
        if c &- UInt8(ascii: "0") < 10 { return c &- UInt8(ascii: "0") }
        let lower = c | 0x20
        if lower &- UInt8(ascii: "a") < 6 { return lower &- UInt8(ascii: "a") &+ 10 }
        return nil
    }
}

extension IPAddress: FastHashable {
    /// Two words: the family flag folded into the high half (an IPv4 address's is zero).
    @inlinable @inline(__always)
    public func mix(into hash: inout FastHash.Accumulator) {
        hash.mix(high ^ (isIPv4 ? 0x0000_0000_0000_5151 : 0))
        hash.mix(low)
    }
}
