/// Linux cooked capture headers (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
/// and LINKTYPE_LINUX_SLL2.html), written for the `any` device.
///
/// SLL (16 bytes):
/// ```
/// 0 packet type | 2 ARPHRD type | 4 address length | 6 address (8) | 14 protocol
/// ```
/// SLL2 (20 bytes):
/// ```
/// 0 protocol | 2 reserved | 4 interface index | 8 ARPHRD type | 10 packet type
/// 11 address length | 12 address (8)
/// ```
/// The protocol field is an ethertype for the cases decoded here.
public struct LinuxCookedHeader {
    public static let sllLength = 16
    public static let sll2Length = 20

    public let view: ByteView
    public let offset: Int
    public let isVersion2: Bool

    @inlinable
    public init?(_ view: ByteView, at offset: Int, version2: Bool) {
        guard view.contains(offset: offset, width: version2 ? Self.sll2Length : Self.sllLength) else { return nil }
        self.view = view
        self.offset = offset
        self.isVersion2 = version2
    }

    public var headerLength: Int { isVersion2 ? Self.sll2Length : Self.sllLength }
    public var payloadOffset: Int { offset + headerLength }

    public var packetType: UInt16 {
        isVersion2 ? UInt16(view.u8Unchecked(at: offset + 10)) : view.u16Unchecked(at: offset)
    }

    public var arphrdType: UInt16 { view.u16Unchecked(at: offset + (isVersion2 ? 8 : 2)) }
    public var protocolType: UInt16 { view.u16Unchecked(at: offset + (isVersion2 ? 0 : 14)) }
    /// SLL2 only (0 for SLL).
    public var interfaceIndex: UInt32 { isVersion2 ? view.u32Unchecked(at: offset + 4) : 0 }
    public var direction: LinkDirection { LinkDirection(sllPacketType: packetType) }
}
