#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as the generator uses it (independent of PacketWire on purpose:
/// CaptureSynth is the decoder's outside witness).
public enum HostAddress: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    case v4(UInt32)
    case v6([UInt8])

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    public var isIPv4: Bool { if case .v4 = self { return true } else { return false } }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): return [UInt8(a >> 24), UInt8((a >> 16) & 0xff), UInt8((a >> 8) & 0xff), UInt8(a & 0xff)]
        case .v6(let b): return b.count == 16 ? b : Array((b + [UInt8](repeating: 0, count: 16)).prefix(16))
        }
    }

    /// RFC 5952 text (inet_ntop already produces the canonical form).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        switch self {
        case .v4:
            var a = in_addr()
            withUnsafeMutableBytes(of: &a) { $0.copyBytes(from: bytes) }
            _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
        case .v6:
            var a = in6_addr()
            withUnsafeMutableBytes(of: &a) { $0.copyBytes(from: bytes) }
            _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
        }
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: HostAddress, rhs: HostAddress) -> Bool {
        if lhs.isIPv4 != rhs.isIPv4 { return lhs.isIPv4 }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let a = HostAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IP address: \(text)"))
        }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A 48-bit IEEE 802 MAC address.
public struct MACAddress: Hashable, Sendable {
    public var bytes: [UInt8]
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) { bytes = [b0, b1, b2, b3, b4, b5] }
    public static let broadcast = MACAddress(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
    public static let zero = MACAddress(0, 0, 0, 0, 0, 0)

    /// RFC 1112 §6.4 / RFC 2464 §7 multicast MACs for a group address.
    public static func multicast(for group: HostAddress) -> MACAddress {
        let b = group.bytes
        if group.isIPv4 { return MACAddress(0x01, 0x00, 0x5e, b[1] & 0x7f, b[2], b[3]) }
        return MACAddress(0x33, 0x33, b[12], b[13], b[14], b[15])
    }
}
