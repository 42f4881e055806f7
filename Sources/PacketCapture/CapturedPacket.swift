import PacketWire

/// One packet as libpcap handed it over: borrowed bytes, valid only inside the
/// callback that receives it (the next read reuses libpcap's buffer).
public struct CapturedPacket {
    /// Capture time in nanoseconds since the Unix epoch (files of microsecond
    /// precision are scaled; libpcap is opened in nanosecond mode).
    public let timestampNanoseconds: Int64
    /// Bytes present in the capture (≤ `originalLength` when snaplen cut it).
    public let bytes: ByteView
    /// Length of the packet on the wire.
    public let originalLength: Int
    /// DLT of the interface that captured it.
    public let linkType: Int32

    @inlinable
    public init(timestampNanoseconds: Int64, bytes: ByteView, originalLength: Int, linkType: Int32) {
        self.timestampNanoseconds = timestampNanoseconds
        self.bytes = bytes
        self.originalLength = originalLength
        self.linkType = linkType
    }

    @inlinable public var isTruncated: Bool { bytes.count < originalLength }
}
