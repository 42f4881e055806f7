/// IPv4 header (RFC 791 §3.1):
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// |         Identification        |Flags|      Fragment Offset    |
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// |                       Source Address                          |
/// |                    Destination Address                        |
/// |                    Options                    |    Padding    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The view holds the fixed 20 bytes; `headerLength` may say more (options).
public struct IPv4Header {
    public static let minimumLength = 20
    enum Field {
        static let versionIHL = 0
        static let totalLength = 2
        static let identification = 4
        static let flagsFragment = 6
        static let ttl = 8
        static let proto = 9
        static let source = 12
        static let destination = 16
    }

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.minimumLength) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var version: UInt8 { view.u8Unchecked(at: offset) >> 4 }
    /// IHL in 32-bit words.
    public var ihl: UInt8 { view.u8Unchecked(at: offset) & 0x0f }
    public var headerLength: Int { Int(ihl) * 4 }
    public var totalLength: Int { Int(view.u16Unchecked(at: offset + Field.totalLength)) }
    public var identification: UInt16 { view.u16Unchecked(at: offset + Field.identification) }
    public var dontFragment: Bool { view.u16Unchecked(at: offset + Field.flagsFragment) & 0x4000 != 0 }
    public var moreFragments: Bool { view.u16Unchecked(at: offset + Field.flagsFragment) & 0x2000 != 0 }
    /// Fragment offset in 8-octet units.
    public var fragmentOffset: UInt16 { view.u16Unchecked(at: offset + Field.flagsFragment) & 0x1fff }
    public var ttl: UInt8 { view.u8Unchecked(at: offset + Field.ttl) }
    public var protocolNumber: UInt8 { view.u8Unchecked(at: offset + Field.proto) }
    public var source: IPAddress { IPAddress(ipv4: view.u32Unchecked(at: offset + Field.source)) }
    public var destination: IPAddress { IPAddress(ipv4: view.u32Unchecked(at: offset + Field.destination)) }

    public var fragmentKind: FragmentKind {
        if fragmentOffset != 0 { return .later }
        return moreFragments ? .first : .none
    }
}

/// IP protocol numbers the decoder follows (IANA "Assigned Internet Protocol Numbers").
public enum IPProtocolNumber {
    public static let hopByHop: UInt8 = 0
    public static let icmp: UInt8 = 1
    public static let ipv4: UInt8 = 4
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6: UInt8 = 41
    public static let routing: UInt8 = 43
    public static let fragment: UInt8 = 44
    public static let gre: UInt8 = 47
    public static let esp: UInt8 = 50
    public static let authentication: UInt8 = 51
    public static let icmpv6: UInt8 = 58
    public static let noNextHeader: UInt8 = 59
    public static let destinationOptions: UInt8 = 60
    public static let sctp: UInt8 = 132
    public static let mobility: UInt8 = 135
    public static let hip: UInt8 = 139
    public static let shim6: UInt8 = 140
}
