import CPcap
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

extension CapturedPacket {
    /// The packet libpcap just returned from `pcap_next_ex`. Handles are
    /// opened in nanosecond mode, so `ts.tv_usec` carries nanoseconds.
    @inline(__always)
    init(_ header: UnsafePointer<pcap_pkthdr>, _ data: UnsafePointer<UInt8>?, linkType: Int32) {
        let h = header.pointee
        self.init(timestampNanoseconds: Int64(h.ts.tv_sec) &* 1_000_000_000 &+ Int64(h.ts.tv_usec),
                  bytes: ByteView(UnsafeRawBufferPointer(start: data, count: Int(h.caplen))),
                  originalLength: Int(h.len), linkType: linkType)
    }
}
