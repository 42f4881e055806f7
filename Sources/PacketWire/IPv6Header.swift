/// IPv6 fixed header (RFC 8200 §3):
///
/// ```
/// +-------+---------------+---------------------------------------+
/// |Version| Traffic Class |              Flow Label               |
/// +-------+---------------+-------+---------------+---------------+
/// |         Payload Length        |  Next Header  |   Hop Limit   |
/// +-------------------------------+---------------+---------------+
/// |                 Source Address (16)                           |
/// |              Destination Address (16)                         |
/// +---------------------------------------------------------------+
/// ```
public struct IPv6Header {
    public static let length = 40
    enum Field {
        static let payloadLength = 4
        static let nextHeader = 6
        static let hopLimit = 7
        static let source = 8
        static let destination = 24
    }

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var version: UInt8 { view.u8Unchecked(at: offset) >> 4 }
    public var payloadLength: Int { Int(view.u16Unchecked(at: offset + Field.payloadLength)) }
    public var nextHeader: UInt8 { view.u8Unchecked(at: offset + Field.nextHeader) }
    public var hopLimit: UInt8 { view.u8Unchecked(at: offset + Field.hopLimit) }
    public var source: IPAddress {
        IPAddress(ipv6High: view.u64Unchecked(at: offset + Field.source), low: view.u64Unchecked(at: offset + Field.source + 8))
    }
    public var destination: IPAddress {
        IPAddress(ipv6High: view.u64Unchecked(at: offset + Field.destination),
                  low: view.u64Unchecked(at: offset + Field.destination + 8))
    }
    public var payloadOffset: Int { offset + Self.length }
}

/// One IPv6 extension header (RFC 8200 §4). All share the first two bytes:
/// next header and a length whose unit depends on the type — 8 octets not
/// counting the first 8 for hop-by-hop, routing, destination options and
/// the RFC 6564 uniform-format ones; 4 octets minus 2 for AH (RFC 4302 §2.2);
/// the fragment header is always 8 bytes:
///
/// ```
/// Fragment: | Next Header | Reserved | Fragment Offset (13) |Res|M| Identification (32) |
/// ```
public struct IPv6ExtensionHeader {
    /// True for the next-header values walked as extension headers.
    @inlinable
    public static func isExtension(_ nextHeader: UInt8) -> Bool {
        switch nextHeader {
        case IPProtocolNumber.hopByHop, IPProtocolNumber.routing, IPProtocolNumber.fragment,
             IPProtocolNumber.destinationOptions, IPProtocolNumber.authentication,
             IPProtocolNumber.mobility, IPProtocolNumber.hip, IPProtocolNumber.shim6:
            true
        default:
            false
        }
    }

    /// Smallest legal AH (next, length, reserved, SPI, sequence number).
    public static let minimumAuthenticationLength = 12

    /// The header's length in bytes from its type and second byte.
    @inlinable
    public static func length(type: UInt8, lengthField: UInt8) -> Int {
        switch type {
        case IPProtocolNumber.fragment: 8
        case IPProtocolNumber.authentication: (Int(lengthField) + 2) * 4
        default: (Int(lengthField) + 1) * 8
        }
    }

    public let view: ByteView
    public let offset: Int
    public let type: UInt8

    /// Nil unless at least the first two bytes (8 for a fragment header) are present.
    @inlinable
    public init?(_ view: ByteView, at offset: Int, type: UInt8) {
        guard view.contains(offset: offset, width: type == IPProtocolNumber.fragment ? 8 : 2) else { return nil }
        self.view = view
        self.offset = offset
        self.type = type
    }

    public var nextHeader: UInt8 { view.u8Unchecked(at: offset) }
    public var length: Int { Self.length(type: type, lengthField: view.u8Unchecked(at: offset + 1)) }

    /// Fragment header only: offset in 8-octet units.
    public var fragmentOffset: UInt16 { type == IPProtocolNumber.fragment ? view.u16Unchecked(at: offset + 2) >> 3 : 0 }
    /// Fragment header only: M flag.
    public var moreFragments: Bool { type == IPProtocolNumber.fragment && view.u16Unchecked(at: offset + 2) & 1 != 0 }
}
