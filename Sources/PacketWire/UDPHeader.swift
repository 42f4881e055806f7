/// UDP header (RFC 768):
///
/// ```
/// |          Source Port          |       Destination Port        |
/// |            Length             |           Checksum            |
/// ```
/// Length counts the 8-byte header plus data.
public struct UDPHeader {
    public static let length = 8

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var sourcePort: UInt16 { view.u16Unchecked(at: offset) }
    public var destinationPort: UInt16 { view.u16Unchecked(at: offset + 2) }
    public var length: Int { Int(view.u16Unchecked(at: offset + 4)) }
    public var checksum: UInt16 { view.u16Unchecked(at: offset + 6) }
    public var payloadOffset: Int { offset + Self.length }
}
