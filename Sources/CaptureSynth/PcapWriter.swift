/// Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
///
///     global header (24 bytes)                 record header (16 bytes)
///     +0  magic     a1b2c3d4 (µs) / a1b23c4d (ns)  +0  ts_sec
///     +4  version_major 2, +6 version_minor 4      +4  ts_usec or ts_nsec
///     +8  thiszone 0, +12 sigfigs 0                +8  incl_len (≤ snaplen)
///     +16 snaplen, +20 linktype                    +12 orig_len
///
/// All fields in the writer's byte order; a reader detects it from the magic.
public final class PcapWriter: CaptureWriter {
    public let output: any CaptureOutput
    public let byteOrder: ByteOrder
    public let nanosecond: Bool
    public let snapLength: UInt32
    public let linkType: LinkType
    public private(set) var recordCount = 0
    private var record: [UInt8] = []

    public static func globalHeader(linkType: LinkType, snapLength: UInt32, nanosecond: Bool, byteOrder: ByteOrder) -> [UInt8] {
        var h: [UInt8] = []
        h.appendU32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4, byteOrder)
        h.appendU16(2, byteOrder)
        h.appendU16(4, byteOrder)
        h.appendU32(0, byteOrder)
        h.appendU32(0, byteOrder)
        h.appendU32(snapLength, byteOrder)
        h.appendU32(UInt32(linkType.rawValue), byteOrder)
        return h
    }

    public init(output: any CaptureOutput, linkType: LinkType, snapLength: UInt32 = 262_144, nanosecond: Bool = false,
                byteOrder: ByteOrder = .littleEndian) throws {
        self.output = output
        self.linkType = linkType
        self.snapLength = snapLength
        self.nanosecond = nanosecond
        self.byteOrder = byteOrder
        record.reserveCapacity(16 + Int(min(snapLength, 65_536)))
        try output.write(Self.globalHeader(linkType: linkType, snapLength: snapLength, nanosecond: nanosecond, byteOrder: byteOrder))
    }

    public func write(frame: [UInt8], timestamp: Timestamp, interface: Int) throws {
        try buildRecord(frame: frame, timestamp: timestamp, interface: interface)
        try output.write(record)
        recordCount += 1
    }

    /// Test hook for reader error paths: writes only the first `keeping` bytes of the record
    /// (header included) that `write` would write, as a capture cut off mid-record looks.
    public func writeTruncatedRecord(frame: [UInt8], timestamp: Timestamp, keeping: Int) throws {
        try buildRecord(frame: frame, timestamp: timestamp, interface: 0)
        try output.write(Array(record.prefix(max(0, keeping))))
    }

    private func buildRecord(frame: [UInt8], timestamp: Timestamp, interface: Int) throws {
        guard interface == 0 else { throw CaptureWriterError(description: "classic pcap has one interface; got \(interface)") }
        let captured = min(frame.count, Int(snapLength))
        record.removeAll(keepingCapacity: true)
        record.appendU32(UInt32(truncatingIfNeeded: timestamp.seconds), byteOrder)
        let fraction = nanosecond ? timestamp.subsecondNanoseconds : timestamp.subsecondNanoseconds / 1000
        record.appendU32(UInt32(truncatingIfNeeded: fraction), byteOrder)
        record.appendU32(UInt32(captured), byteOrder)
        record.appendU32(UInt32(truncatingIfNeeded: frame.count), byteOrder)
        record.append(contentsOf: frame[0..<captured])
    }

    public func close() throws { try output.close() }
}
