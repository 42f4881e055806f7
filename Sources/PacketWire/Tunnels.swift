/// Encapsulations peeled on the way to the innermost IP header.

/// One MPLS label stack entry (RFC 3032 §2.1):
///
/// ```
/// |                Label (20)             | TC  |S|     TTL       |
/// ```
/// S (bottom of stack) marks the last entry; RFC 3032 gives no payload type,
/// so the first nibble after it is taken as the IP version (RFC 4928 §2).
public struct MPLSLabel {
    public static let length = 4

    public let entry: UInt32

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard let e = view.u32(at: offset) else { return nil }
        entry = e
    }

    public var label: UInt32 { entry >> 12 }
    public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: (entry >> 9) & 0x7) }
    public var isBottomOfStack: Bool { entry & 0x100 != 0 }
    public var ttl: UInt8 { UInt8(truncatingIfNeeded: entry) }
}

/// GRE header (RFC 2784 with RFC 2890 key and sequence):
///
/// ```
/// |C|R|K|S| Reserved0 | Ver |        Protocol Type          |
/// |  Checksum (C or R) |  Reserved1/Offset (C or R)         |
/// |                       Key (K)                           |
/// |                 Sequence Number (S)                     |
/// ```
/// Version 1 is PPTP's enhanced GRE, not followed here.
public struct GREHeader {
    public static let minimumLength = 4

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.minimumLength) else { return nil }
        self.view = view
        self.offset = offset
    }

    var flagsVersion: UInt16 { view.u16Unchecked(at: offset) }
    public var hasChecksum: Bool { flagsVersion & 0x8000 != 0 }
    /// RFC 1701 source routing (deprecated; not followed).
    public var hasRouting: Bool { flagsVersion & 0x4000 != 0 }
    public var hasKey: Bool { flagsVersion & 0x2000 != 0 }
    public var hasSequence: Bool { flagsVersion & 0x1000 != 0 }
    public var version: UInt8 { UInt8(truncatingIfNeeded: flagsVersion & 0x7) }
    public var protocolType: UInt16 { view.u16Unchecked(at: offset + 2) }

    /// Header length implied by the flags.
    public var headerLength: Int {
        4 + (hasChecksum || hasRouting ? 4 : 0) + (hasKey ? 4 : 0) + (hasSequence ? 4 : 0)
    }

    /// The key when K is set and present in the view.
    public var key: UInt32? {
        guard hasKey else { return nil }
        return view.u32(at: offset + 4 + (hasChecksum || hasRouting ? 4 : 0))
    }
}

/// VXLAN header (RFC 7348 §5), after UDP destination port 4789:
///
/// ```
/// |R|R|R|R|I|R|R|R|            Reserved                           |
/// |                VXLAN Network Identifier (VNI) |   Reserved    |
/// ```
/// An inner Ethernet frame follows.
public struct VXLANHeader {
    public static let length = 8
    public static let udpPort: UInt16 = 4789

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    /// The I flag: the VNI is valid. RFC 7348 requires it set.
    public var hasValidVNI: Bool { view.u8Unchecked(at: offset) & 0x08 != 0 }
    public var vni: UInt32 { view.u32Unchecked(at: offset + 4) >> 8 }
    public var payloadOffset: Int { offset + Self.length }
}

/// PPPoE session header (RFC 2516 §4) followed by the 2-byte PPP protocol:
///
/// ```
/// |  VER  | TYPE  |      CODE     |          SESSION_ID           |
/// |            LENGTH             |   PPP protocol (in payload)   |
/// ```
/// LENGTH counts the PPPoE payload, i.e. from the PPP protocol field on.
public struct PPPoESessionHeader {
    public static let length = 6
    public static let pppProtocolLength = 2
    public static let pppIPv4: UInt16 = 0x0021
    public static let pppIPv6: UInt16 = 0x0057

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    /// VER and TYPE nibbles; both must be 1 (0x11).
    public var versionType: UInt8 { view.u8Unchecked(at: offset) }
    public var code: UInt8 { view.u8Unchecked(at: offset + 1) }
    public var sessionID: UInt16 { view.u16Unchecked(at: offset + 2) }
    public var payloadLength: Int { Int(view.u16Unchecked(at: offset + 4)) }
    /// The PPP protocol, when its 2 bytes are in the view.
    public var pppProtocol: UInt16? { view.u16(at: offset + Self.length) }
}
