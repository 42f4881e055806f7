import PacketWire

/// An IPv4 or IPv6 prefix (RFC 4632 CIDR notation, RFC 4291 §2.3 for IPv6).
///
/// The stored address is always the network address: host bits given in the
/// text (`10.1.2.3/8`) are cleared, and `hadHostBits` records that they were
/// there so a caller can warn. IPv4 prefixes keep `IPAddress`'s mapped form, so
/// `prefixLength` is always counted in the address's own family (0…32 for
/// IPv4, 0…128 for IPv6).
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int
    public let hadHostBits: Bool

    public var isIPv4: Bool { address.isIPv4 }

    /// One address: a /32, or a /128.
    public var isSingleAddress: Bool { prefixLength == (isIPv4 ? 32 : 128) }

    /// A prefix from a network address and a length; host bits are cleared.
    /// Nil when the length is outside the family's range.
    public init?(address: IPAddress, prefixLength: Int) {
        let maxLength = address.isIPv4 ? 32 : 128
        guard prefixLength >= 0, prefixLength <= maxLength else { return nil }
        let masked = CIDR.mask(address, prefixLength)
        self.address = masked
        self.prefixLength = prefixLength
        self.hadHostBits = masked != address
    }

    /// Parses `a.b.c.d/n` or `ipv6/n`. A bare address (no `/n`) is a host
    /// prefix (/32 or /128), which is what operators mean by "an IP".
    public init(parsing text: String) throws(CIDRParseError) {
        self = try Self.parse(text).cidr
    }

    /// `init(parsing:)`, and whether the text gave a length (`/n`): range files must.
    static func parse(_ text: String) throws(CIDRParseError) -> (cidr: CIDR, hasLength: Bool) {
        // Over the text's bytes: a Service Tags file has a hundred thousand prefixes.
        var bytes = text
        var hasLength = false
        var failure = CIDRParseError.Reason.badAddress
        let parsed: CIDR? = bytes.withUTF8 { utf8 in
            let all = UnsafeRawBufferPointer(utf8)
            let slash = all.firstIndex(of: UInt8(ascii: "/"))
            guard let address = IPAddress.parse(UnsafeRawBufferPointer(rebasing: all[..<(slash ?? all.count)])) else {
                return nil
            }
            var length = address.isIPv4 ? 32 : 128
            if let slash {
                hasLength = true
                let digits = all[(slash + 1)...]
                guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else {
                    failure = .badLength
                    return nil
                }
                length = digits.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
            }
            guard let cidr = CIDR(address: address, prefixLength: length) else {
                failure = .lengthOutOfRange
                return nil
            }
            return cidr
        }
        guard let parsed else { throw CIDRParseError(text: text, reason: failure) }
        return (parsed, hasLength)
    }

    /// Non-throwing parse.
    public init?(_ text: String) {
        guard let c = try? CIDR(parsing: text) else { return nil }
        self = c
    }

    /// True when `other` is inside this prefix (same family only: an IPv4
    /// prefix never contains an IPv6 address, even an IPv4-mapped one).
    public func contains(_ other: IPAddress) -> Bool {
        other.isIPv4 == isIPv4 && CIDR.mask(other, prefixLength) == address
    }

    /// True when every address of `other` is inside this prefix.
    public func contains(_ other: CIDR) -> Bool {
        other.isIPv4 == isIPv4 && other.prefixLength >= prefixLength && contains(other.address)
    }

    /// The first and last address as 128-bit keys (IPv4 in the low 32 bits of
    /// `low` with `high == 0`, i.e. in the family's own numbering).
    var firstKey: UInt128Key { UInt128Key(high: address.high, low: isIPv4 ? UInt64(address.ipv4) : address.low) }

    var lastKey: UInt128Key {
        let first = firstKey
        let hostBits = (isIPv4 ? 32 : 128) - prefixLength
        let hostMask = UInt128Key.lowOnes(hostBits)
        return UInt128Key(high: first.high | hostMask.high, low: first.low | hostMask.low)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// `a` with every bit past the first `length` cleared: the network of the
    /// prefix of that length that holds it (`length` in 0...32, or 0...128).
    @inlinable
    @inline(__always)
    public static func mask(_ a: IPAddress, _ length: Int) -> IPAddress {
        if a.isIPv4 {
            let m: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return IPAddress(ipv4: a.ipv4 & m)
        }
        let hm: UInt64 = length == 0 ? 0 : (length >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - length))
        let lm: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
        return IPAddress(ipv6High: a.high & hm, low: a.low & lm)
    }
}

/// Why a CIDR text did not parse.
public struct CIDRParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case badAddress, badLength, lengthOutOfRange
    }
    public let text: String
    public let reason: Reason

    public var description: String {
        switch reason {
        case .badAddress: "\"\(text)\" does not start with an IPv4 or IPv6 address"
        case .badLength: "\"\(text)\" has a prefix length that is not a decimal number"
        case .lengthOutOfRange: "\"\(text)\" has a prefix length beyond the family's (max 32 for IPv4, 128 for IPv6)"
        }
    }
}

/// A 128-bit unsigned key with the order of the address space.
struct UInt128Key: Hashable, Comparable, Sendable {
    var high: UInt64
    var low: UInt64

    static let zero = UInt128Key(high: 0, low: 0)
    static let max = UInt128Key(high: ~0, low: ~0)

    static func < (a: UInt128Key, b: UInt128Key) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// The key with the `n` lowest bits set (0 ≤ n ≤ 128).
    static func lowOnes(_ n: Int) -> UInt128Key {
        if n <= 0 { return .zero }
        if n >= 128 { return .max }
        if n >= 64 { return UInt128Key(high: n == 64 ? 0 : ~UInt64(0) >> UInt64(128 - n), low: ~0) }
        return UInt128Key(high: 0, low: ~UInt64(0) >> UInt64(64 - n))
    }

    /// The next key, or nil past the top of the space.
    var successor: UInt128Key? {
        if low != ~0 { return UInt128Key(high: high, low: low + 1) }
        if high != ~0 { return UInt128Key(high: high + 1, low: 0) }
        return nil
    }
}

extension CIDR {
    /// The two halves of this prefix (nil for a host prefix).
    public var halves: (CIDR, CIDR)? {
        let maxLength = isIPv4 ? 32 : 128
        guard prefixLength < maxLength else { return nil }
        let n = prefixLength + 1
        let upperAddress: IPAddress
        if isIPv4 {
            upperAddress = IPAddress(ipv4: address.ipv4 | UInt32(1) << UInt32(31 - prefixLength))
        } else if prefixLength < 64 {
            upperAddress = IPAddress(ipv6High: address.high | UInt64(1) << UInt64(63 - prefixLength), low: address.low)
        } else {
            upperAddress = IPAddress(ipv6High: address.high, low: address.low | UInt64(1) << UInt64(127 - prefixLength))
        }
        guard let lower = CIDR(address: address, prefixLength: n),
              let upper = CIDR(address: upperAddress, prefixLength: n) else { return nil }
        return (lower, upper)
    }

    /// The addresses of this prefix not in any of `others`, as the fewest
    /// aligned prefixes (split in halves until each half is wholly in or out).
    public func subtracting(_ others: [CIDR]) -> [CIDR] {
        let relevant = others.filter { $0.isIPv4 == isIPv4 && ($0.contains(self) || contains($0)) }
        if relevant.isEmpty { return [self] }
        if relevant.contains(where: { $0.contains(self) }) { return [] }
        guard let (lower, upper) = halves else { return [] }
        return lower.subtracting(relevant) + upper.subtracting(relevant)
    }
}
