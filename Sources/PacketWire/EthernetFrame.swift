/// Ethernet II header (IEEE 802.3 clause 3.2, DIX framing):
///
/// ```
///  0                   6                  12        14
/// +-------------------+-------------------+---------+
/// | destination MAC   | source MAC        | type    |
/// +-------------------+-------------------+---------+
/// ```
/// A type below 0x0600 is an 802.3 length (LLC follows), not an ethertype.
public struct EthernetFrame {
    public static let headerLength = 14
    enum Field {
        static let destination = 0
        static let source = 6
        static let etherType = 12
    }

    public let view: ByteView
    public let offset: Int

    /// Nil when the 14 header bytes are not all in `view`.
    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.headerLength) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var etherType: UInt16 { view.u16Unchecked(at: offset + Field.etherType) }
    public var destinationMAC: ByteView { view.slice(from: offset + Field.destination, length: 6) ?? .empty }
    public var sourceMAC: ByteView { view.slice(from: offset + Field.source, length: 6) ?? .empty }
    /// Offset of the first byte after the header.
    public var payloadOffset: Int { offset + Self.headerLength }
}

/// Ethertypes the decoder dispatches on (IEEE registry; RFC 7042).
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let transparentEthernetBridging: UInt16 = 0x6558
    public static let rarp: UInt16 = 0x8035
    public static let vlan: UInt16 = 0x8100
    public static let ipv6: UInt16 = 0x86DD
    public static let mplsUnicast: UInt16 = 0x8847
    public static let mplsMulticast: UInt16 = 0x8848
    public static let pppoeDiscovery: UInt16 = 0x8863
    public static let pppoeSession: UInt16 = 0x8864
    public static let providerBridging: UInt16 = 0x88A8
    public static let lldp: UInt16 = 0x88CC
    /// Pre-802.1ad QinQ outer tag used by older switches.
    public static let qinqLegacy: UInt16 = 0x9100
    /// Smallest value that is an ethertype rather than an 802.3 length.
    public static let minimumEtherType: UInt16 = 0x0600
}
