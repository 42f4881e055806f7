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

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an
    /// embedded IPv4 tail). Returns nil for anything else.
    public init?(_ text: String) {
        if !text.contains(":") {
            guard let v = IPAddress.parseIPv4(Substring(text)) else { return nil }
            self.init(ipv4: v)
            return
        }
        guard let (h, l) = IPAddress.parseIPv6(text) else { return nil }
        self.init(ipv6High: h, low: l)
    }

    static func parseIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = UInt32(part), n <= 255,
                  !(part.count > 1 && part.first == "0") else { return nil }
            value = value << 8 | n
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseIPv6(_ text: String) -> (UInt64, UInt64)? {
        // Split on the one allowed "::" without Foundation.
        var halves: [String] = []
        if let r = text.firstRange(of: "::") {
            halves = [String(text[..<r.lowerBound]), String(text[r.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        } else {
            halves = [text]
        }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in pieces.enumerated() {
                if i == pieces.count - 1, p.contains(".") {
                    guard let v4 = parseIPv4(p) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xffff))
                } else {
                    guard !p.isEmpty, p.count <= 4, let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(all[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(all[i]) }
        return (h, l)
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
