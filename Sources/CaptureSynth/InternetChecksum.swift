// RFC 1071 one's-complement sum, with the RFC 768 / RFC 8200 §8.1 pseudo-headers for UDP, TCP and ICMPv6.

/// Accumulates the 16-bit one's-complement sum of RFC 1071 over several pieces.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0
    private var pendingOdd: UInt8? = nil

    public init() {}

    public mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for b in bytes {
            if let high = pendingOdd { sum &+= UInt64(high) << 8 | UInt64(b); pendingOdd = nil } else { pendingOdd = b }
        }
    }

    public mutating func add(u16 value: UInt16) { add([UInt8(value >> 8), UInt8(value & 0xff)]) }

    public mutating func add(u32 value: UInt32) { add(u16: UInt16(value >> 16)); add(u16: UInt16(value & 0xffff)) }

    /// The checksum field value: complement of the folded sum (an odd trailing byte is padded with zero).
    public var value: UInt16 {
        var s = sum
        if let high = pendingOdd { s &+= UInt64(high) << 8 }
        while s > 0xffff { s = (s & 0xffff) &+ (s >> 16) }
        return ~UInt16(s)
    }

    /// Checksum of one contiguous block (IPv4 header, ICMPv4 message).
    public static func of<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var c = InternetChecksum(); c.add(bytes); return c.value
    }

    /// Checksum of a transport segment including the pseudo-header of its IP family
    /// (RFC 793 §3.1 / RFC 768 for IPv4; RFC 8200 §8.1 for IPv6).
    public static func transport(source: HostAddress, destination: HostAddress, protocol proto: UInt8, segment: [UInt8]) -> UInt16 {
        var c = InternetChecksum()
        c.add(source.bytes)
        c.add(destination.bytes)
        if source.isIPv4 {
            c.add(u16: UInt16(proto))
            c.add(u16: UInt16(truncatingIfNeeded: segment.count))
        } else {
            c.add(u32: UInt32(truncatingIfNeeded: segment.count))
            c.add(u32: UInt32(proto))
        }
        c.add(segment)
        let v = c.value
        // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
        return (proto == IPProtocolNumber.udp && v == 0) ? 0xffff : v
    }
}

/// IANA protocol numbers used by the builders.
public enum IPProtocolNumber {
    public static let hopByHop: UInt8 = 0
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6Fragment: UInt8 = 44
    public static let icmpv6: UInt8 = 58
    public static let noNextHeader: UInt8 = 59
    public static let destinationOptions: UInt8 = 60
}
