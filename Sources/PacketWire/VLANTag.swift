/// An 802.1Q / 802.1ad tag, i.e. the 4 bytes after a 0x8100/0x88a8/0x9100 type:
///
/// ```
///  0       3 4                16               32
/// +---+---+------------------+----------------+
/// |PCP|DEI| VLAN identifier  | inner type     |
/// +---+---+------------------+----------------+
/// ```
public struct VLANTag {
    public static let length = 4

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var vlanID: UInt16 { view.u16Unchecked(at: offset) & 0x0fff }
    public var priority: UInt8 { UInt8(truncatingIfNeeded: view.u16Unchecked(at: offset) >> 13) }
    public var innerEtherType: UInt16 { view.u16Unchecked(at: offset + 2) }

    /// True for the tag protocol identifiers that stack (802.1Q, 802.1ad, legacy QinQ).
    @inlinable
    public static func isTagType(_ etherType: UInt16) -> Bool {
        etherType == EtherType.vlan || etherType == EtherType.providerBridging || etherType == EtherType.qinqLegacy
    }
}
