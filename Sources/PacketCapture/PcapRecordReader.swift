import CPrefetch
import PacketWire

/// Classic pcap (the libpcap savefile format, draft-ietf-opsawg-pcap) read
/// from a mapping: every field is in the writer's byte order, told by the magic.
///
///     File header (24 bytes)              Record header (16 bytes)
///      0 magic                             0 timestamp seconds
///      4 version major (2) | minor (4)     4 µs or ns (by magic)
///      8 thiszone (unused)                 8 captured length
///     12 sigfigs (unused)                 12 original length
///     16 snaplen                          16 captured bytes…
///     20 FCS bits | link type
///
/// Values are interpreted as libpcap's sf-pcap.c does, so both readers agree:
/// the same DLT and snapshot length, the same timestamps, the old-version
/// length swap, records longer than snaplen cut to it.
struct PcapRecordReader {
    static let fileHeaderLength = 24
    static let recordHeaderLength = 16
    /// How far ahead of the record being read the next lines are requested
    /// (`egress_prefetch`): measured best of 2–16 KiB on the bulk capture.
    static let prefetchDistance = 8192

    /// sf-pcap.c: before 2.3 writers swapped caplen and len; 2.3 files may
    /// have either order (caplen can never exceed len, which tells).
    enum LengthOrder { case normal, maybeSwapped, swapped }

    let base: UnsafeRawPointer
    let size: Int
    let bigEndian: Bool
    /// 1 for nanosecond files, 1000 for microsecond ones.
    let subsecondScale: Int64
    let lengthOrder: LengthOrder
    let linkType: Int32
    let snapshotLength: Int
    let maximumCaptureLength: Int
    /// Where the next record header starts.
    private(set) var offset = PcapRecordReader.fileHeaderLength
    /// Packets delivered so far, over every call (errors say "after packet N").
    private(set) var delivered = 0

    /// Reads the file header. `file` is the whole (non-empty) mapping.
    init(file: UnsafeRawBufferPointer) throws(SavefileProblem) {
        guard let base = file.baseAddress, file.count >= Self.fileHeaderLength else {
            throw .truncated(at: 0, what: "pcap file header", needs: Self.fileHeaderLength, has: file.count)
        }
        self.base = base
        self.size = file.count
        let magic = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        switch magic {
        case 0xa1b2_c3d4: (bigEndian, subsecondScale) = (true, 1000)
        case 0xd4c3_b2a1: (bigEndian, subsecondScale) = (false, 1000)
        case 0xa1b2_3c4d: (bigEndian, subsecondScale) = (true, 1)
        case 0x4d3c_b2a1: (bigEndian, subsecondScale) = (false, 1)
        default:
            throw .malformed("magic 0x\(String(magic, radix: 16)) is not a pcap magic")
        }
        let major = base.savefileU16(at: 4, bigEndian: bigEndian)
        let minor = base.savefileU16(at: 6, bigEndian: bigEndian)
        // sf-pcap.c accepts 2.0–2.4, and 543.0 (DG/UX tcpdump).
        switch (major, minor) {
        case (2, 0..<3): lengthOrder = .swapped
        case (2, 3): lengthOrder = .maybeSwapped
        case (2, 4): lengthOrder = .normal
        case (543, 0): lengthOrder = .swapped
        default: throw .malformed("pcap version \(major).\(minor) is not one libpcap reads (2.0 to 2.4)")
        }
        let linkField = base.savefileU32(at: 20, bigEndian: bigEndian)
        linkType = SavefileLinkType.dlt(fromLinkType: SavefileLinkType.classicLinkType(linkField))
        snapshotLength = SavefileLinkType.adjustedSnapshotLength(base.savefileU32(at: 16, bigEndian: bigEndian), dlt: linkType)
        maximumCaptureLength = SavefileLinkType.maximumSnapshotLength(dlt: linkType)
    }

    /// Delivers the records from where the last call stopped to the end.
    /// Throws after delivering every record before a bad one.
    @inline(__always)
    /// `shouldStop` is asked every 256 packets.
    mutating func forEachPacket(_ populator: MappingPopulator? = nil, shouldStop: () -> Bool = { false },
                                _ body: (CapturedPacket) -> Void) throws(SavefileProblem) -> Int {
        let base = self.base, size = self.size, bigEndian = self.bigEndian
        let scale = subsecondScale, linkType = self.linkType
        let snapshot = snapshotLength, maximum = maximumCaptureLength
        let swapsAlways = lengthOrder == .swapped, swapsWhenInverted = lengthOrder == .maybeSwapped
        var offset = self.offset
        var count = 0
        defer {
            self.offset = offset
            self.delivered += count
        }
        while offset < size {
            // offset < size, so size - offset is positive and cannot overflow.
            let room = size &- offset
            guard room >= Self.recordHeaderLength else {
                throw .truncated(at: offset, what: "record header", needs: Self.recordHeaderLength, has: room)
            }
            // In bounds: offset + 16 <= size.
            let seconds = Int32(bitPattern: base.savefileU32(at: offset, bigEndian: bigEndian))
            let subseconds = Int32(bitPattern: base.savefileU32(at: offset &+ 4, bigEndian: bigEndian))
            var captured = base.savefileU32(at: offset &+ 8, bigEndian: bigEndian)
            var original = base.savefileU32(at: offset &+ 12, bigEndian: bigEndian)
            if swapsAlways || (swapsWhenInverted && captured > original) {
                swap(&captured, &original)
            }
            // UInt32 → Int is exact on 64-bit; every sum below is of values ≤ 2^32.
            let capturedLength = Int(captured)
            guard capturedLength <= maximum else {
                throw .malformed("record at offset \(offset) has captured length \(capturedLength), more than the maximum of \(maximum)")
            }
            let recordLength = Self.recordHeaderLength &+ capturedLength
            guard recordLength <= room else {
                throw .truncated(at: offset, what: "record", needs: recordLength, has: room)
            }
            // sf-pcap.c: a record longer than the file's snaplen (old Solaris
            // writers) is cut to snaplen; the rest is skipped.
            let delivered = capturedLength <= snapshot ? capturedLength : snapshot
            egress_prefetch(base + (offset &+ Self.prefetchDistance))
            let nanoseconds = Int64(seconds) &* 1_000_000_000 &+ Int64(subseconds) &* scale
            body(CapturedPacket(timestampNanoseconds: nanoseconds,
                                bytes: ByteView(UnsafeRawBufferPointer(start: base + (offset &+ Self.recordHeaderLength), count: delivered)),
                                originalLength: Int(original), linkType: linkType))
            count &+= 1
            offset &+= recordLength
            if count & 255 == 0 {
                populator?.reader(at: offset)
                if shouldStop() { break }
            }
        }
        return count
    }
}
