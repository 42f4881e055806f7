import CPrefetch
import PacketWire

/// pcapng (draft-ietf-opsawg-pcapng) read from a mapping, block by block.
///
///     Every block                      Section Header (0x0a0d0d0a)
///      0 block type                     8 byte-order magic 0x1a2b3c4d
///      4 block total length (L)        12 major (1) | minor
///      8 body…                         16 section length (-1: unknown)
///    L-4 block total length again      24 options…
///
///     Interface Description (1)        Enhanced Packet (6)         Simple Packet (3)
///      8 link type | reserved           8 interface id              8 original length
///     12 snaplen                       12 timestamp high           12 packet data…
///     16 options (if_tsresol,          16 timestamp low
///        if_tsoffset)…                 20 captured length
///                                      24 original length
///                                      28 packet data…, padded to 4, options
///
/// The obsolete Packet Block (2) is laid out like the EPB with a 16-bit
/// interface id and a 16-bit drop count at 8. Every other block type (name
/// resolution, statistics, decryption secrets, custom, unknown) is skipped
/// by its length. Each section has its own byte order and interface list.
///
/// Unlike libpcap 1.10, interfaces may have different link types: every
/// packet carries its own interface's DLT. An interface whose link type
/// egress-audit does not decode still delivers its packets (the decoder
/// counts them as not decoded); only the first interface is checked at open.
struct PcapngBlockReader {
    /// One Interface Description Block's facts, in the units packets need.
    struct Interface {
        let linkType: Int32
        let snapshotLength: Int
        /// Timestamp units per second: 10^n or 2^n from if_tsresol (default 10^6).
        let ticksPerSecond: UInt64
        let binaryResolution: Bool
        /// if_tsoffset: seconds added to every timestamp.
        let offsetSeconds: UInt64

        /// libpcap's conversion (sf-pcapng.c): whole seconds plus the
        /// fraction rescaled to nanoseconds, wrapping where libpcap's
        /// unsigned arithmetic wraps so hostile values cannot trap.
        @inline(__always)
        func nanoseconds(ticks: UInt64) -> Int64 {
            let seconds = ticks / ticksPerSecond &+ offsetSeconds
            var fraction = ticks % ticksPerSecond
            if ticksPerSecond != 1_000_000_000 {
                if binaryResolution {
                    fraction = (fraction &* 1_000_000_000) / ticksPerSecond
                } else if ticksPerSecond < 1_000_000_000 {
                    fraction = fraction &* (1_000_000_000 / ticksPerSecond)
                } else {
                    fraction = fraction / (ticksPerSecond / 1_000_000_000)
                }
            }
            return Int64(bitPattern: seconds) &* 1_000_000_000 &+ Int64(bitPattern: fraction)
        }
    }

    enum BlockType {
        static let sectionHeader: UInt32 = 0x0a0d_0d0a
        static let interfaceDescription: UInt32 = 1
        static let obsoletePacket: UInt32 = 2
        static let simplePacket: UInt32 = 3
        static let enhancedPacket: UInt32 = 6
    }

    /// What one block turned out to be.
    enum Step {
        case packet(CapturedPacket)
        case interface
        case other
        case end
    }

    let base: UnsafeRawPointer
    let size: Int
    private(set) var offset = 0
    /// Byte order of the current section.
    private(set) var bigEndian = false
    private(set) var interfaces: ContiguousArray<Interface> = []
    private(set) var delivered = 0

    /// Reads up to and including the first Interface Description Block, so
    /// the capture's link type is known before any packet is read.
    init(file: UnsafeRawBufferPointer) throws(SavefileProblem) {
        guard let base = file.baseAddress else {
            throw .truncated(at: 0, what: "section header", needs: 28, has: 0)
        }
        self.base = base
        self.size = file.count
        interfaces.reserveCapacity(4)
        while interfaces.isEmpty {
            switch try step() {
            case .packet:
                throw .malformed("a packet block comes before any Interface Description Block")
            case .end:
                throw .malformed("the file has no Interface Description Block")
            case .interface, .other:
                continue
            }
        }
    }

    var firstInterface: Interface? { interfaces.first }

    /// Delivers the packets from where the last call stopped to the end.
    @inline(__always)
    /// `shouldStop` is asked every 256 packets.
    mutating func forEachPacket(_ populator: MappingPopulator? = nil, shouldStop: () -> Bool = { false },
                                _ body: (CapturedPacket) -> Void) throws(SavefileProblem) -> Int {
        var count = 0
        defer { delivered &+= count }
        while true {
            switch try step() {
            case .packet(let packet):
                body(packet)
                count &+= 1
                if count & 255 == 0 {
                    populator?.reader(at: offset)
                    if shouldStop() { return count }
                }
            case .end:
                return count
            case .interface, .other:
                continue
            }
        }
    }

    /// Reads the block at `offset` and moves past it.
    @inline(__always)
    private mutating func step() throws(SavefileProblem) -> Step {
        let start = offset
        guard start < size else { return .end }
        let room = size &- start
        guard room >= 12 else {
            throw .truncated(at: start, what: "block", needs: 12, has: room)
        }
        // In bounds below: room >= 12.
        let type = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: start, as: UInt32.self))
        if type == BlockType.sectionHeader {
            // The type reads the same in both orders; the byte-order magic
            // says how to read the rest of this section.
            switch UInt32(bigEndian: base.loadUnaligned(fromByteOffset: start &+ 8, as: UInt32.self)) {
            case 0x1a2b_3c4d: bigEndian = true
            case 0x4d3c_2b1a: bigEndian = false
            case let other:
                throw .malformed("section header at offset \(start) has byte-order magic 0x\(String(other, radix: 16)), expected 1a2b3c4d")
            }
        }
        let bigEndian = self.bigEndian
        let blockType = bigEndian ? type : type.byteSwapped
        let length32 = base.savefileU32(at: start &+ 4, bigEndian: bigEndian)
        let length = Int(length32)
        guard length >= 12, length & 3 == 0 else {
            throw .malformed("\(Self.name(blockType)) at offset \(start) has length \(length), not a multiple of 4 of at least 12")
        }
        guard length <= room else {
            throw .truncated(at: start, what: Self.name(blockType), needs: length, has: room)
        }
        // In bounds: start + length <= size, so the trailer is readable.
        let trailer = base.savefileU32(at: start &+ length &- 4, bigEndian: bigEndian)
        guard trailer == length32 else {
            throw .malformed("\(Self.name(blockType)) at offset \(start) has length \(length) but its trailing copy says \(trailer)")
        }
        offset = start &+ length

        switch blockType {
        case BlockType.enhancedPacket, BlockType.obsoletePacket:
            guard length >= 32 else {
                throw .malformed("packet block at offset \(start) has length \(length), less than the 32 its fields need")
            }
            let interfaceID = blockType == BlockType.enhancedPacket
                ? Int(base.savefileU32(at: start &+ 8, bigEndian: bigEndian))
                : Int(base.savefileU16(at: start &+ 8, bigEndian: bigEndian))
            let interface = try self.interface(interfaceID, at: start)
            let ticks = UInt64(base.savefileU32(at: start &+ 12, bigEndian: bigEndian)) << 32
                | UInt64(base.savefileU32(at: start &+ 16, bigEndian: bigEndian))
            let captured = Int(base.savefileU32(at: start &+ 20, bigEndian: bigEndian))
            let original = Int(base.savefileU32(at: start &+ 24, bigEndian: bigEndian))
            let dataRoom = length &- 32
            guard captured <= dataRoom else {
                throw .malformed("packet block at offset \(start) has captured length \(captured), more than the \(dataRoom) bytes its length \(length) leaves")
            }
            // libpcap refuses what the interface's snaplen says cannot be there.
            guard captured <= interface.snapshotLength else {
                throw .malformed("packet block at offset \(start) has captured length \(captured), more than its interface's snaplen \(interface.snapshotLength)")
            }
            egress_prefetch(base + (start &+ PcapRecordReader.prefetchDistance))
            return .packet(CapturedPacket(timestampNanoseconds: interface.nanoseconds(ticks: ticks),
                                          bytes: ByteView(UnsafeRawBufferPointer(start: base + (start &+ 28), count: captured)),
                                          originalLength: original, linkType: interface.linkType))

        case BlockType.simplePacket:
            guard length >= 16 else {
                throw .malformed("simple packet block at offset \(start) has length \(length), less than the 16 its fields need")
            }
            let interface = try self.interface(0, at: start)
            let original = Int(base.savefileU32(at: start &+ 8, bigEndian: bigEndian))
            // No captured length in an SPB: the original length cut by the
            // interface's snaplen and by the room the block has.
            let captured = min(original, interface.snapshotLength, length &- 16)
            // No timestamp either: libpcap reports time 0 (plus if_tsoffset).
            return .packet(CapturedPacket(timestampNanoseconds: interface.nanoseconds(ticks: 0),
                                          bytes: ByteView(UnsafeRawBufferPointer(start: base + (start &+ 12), count: captured)),
                                          originalLength: original, linkType: interface.linkType))

        case BlockType.interfaceDescription:
            guard length >= 20 else {
                throw .malformed("interface description block at offset \(start) has length \(length), less than the 20 its fields need")
            }
            interfaces.append(try Self.interfaceDescription(base: base, at: start, length: length, bigEndian: bigEndian))
            return .interface

        case BlockType.sectionHeader:
            guard length >= 28 else {
                throw .malformed("section header at offset \(start) has length \(length), less than the 28 its fields need")
            }
            let major = base.savefileU16(at: start &+ 12, bigEndian: bigEndian)
            let minor = base.savefileU16(at: start &+ 14, bigEndian: bigEndian)
            guard major == 1 else {
                throw .malformed("section header at offset \(start) has version \(major).\(minor), this reader knows 1.x")
            }
            // A new section: its interfaces are numbered from 0 again.
            interfaces.removeAll(keepingCapacity: true)
            return .other

        default:
            return .other
        }
    }

    /// How errors name a block (built only on the error path).
    private static func name(_ type: UInt32) -> String {
        switch type {
        case BlockType.sectionHeader: return "section header"
        case BlockType.interfaceDescription: return "interface description block"
        case BlockType.obsoletePacket: return "packet block (obsolete)"
        case BlockType.simplePacket: return "simple packet block"
        case BlockType.enhancedPacket: return "enhanced packet block"
        default: return "block of type \(type)"
        }
    }

    @inline(__always)
    private func interface(_ id: Int, at start: Int) throws(SavefileProblem) -> Interface {
        guard id < interfaces.count else {
            throw .malformed("packet block at offset \(start) names interface \(id), but its section has \(interfaces.count) Interface Description Block\(interfaces.count == 1 ? "" : "s")")
        }
        return interfaces[id]
    }

    /// Parses an IDB whose `length` (≥ 20) was checked against the file.
    private static func interfaceDescription(base: UnsafeRawPointer, at start: Int, length: Int, bigEndian: Bool) throws(SavefileProblem) -> Interface {
        let linkType = SavefileLinkType.dlt(fromLinkType: UInt32(base.savefileU16(at: start &+ 8, bigEndian: bigEndian)))
        let snapshot = SavefileLinkType.adjustedSnapshotLength(base.savefileU32(at: start &+ 12, bigEndian: bigEndian), dlt: linkType)
        var ticksPerSecond: UInt64 = 1_000_000
        var binary = false
        var offsetSeconds: UInt64 = 0
        var sawResolution = false, sawOffset = false
        // Options: code (2), length (2), value padded to 4; opt_endofopt (0) ends them.
        var cursor = start &+ 16
        let end = start &+ length &- 4
        func bad(_ why: String) -> SavefileProblem {
            .malformed("interface description block at offset \(start): \(why)")
        }
        while cursor < end {
            guard end &- cursor >= 4 else { throw bad("option header at offset \(cursor) runs past the block") }
            let code = base.savefileU16(at: cursor, bigEndian: bigEndian)
            let valueLength = Int(base.savefileU16(at: cursor &+ 2, bigEndian: bigEndian))
            let padded = (valueLength &+ 3) & ~3
            let value = cursor &+ 4
            guard padded <= end &- value else { throw bad("option \(code) at offset \(cursor) runs past the block") }
            switch code {
            case 0:
                cursor = end
                continue
            case 9:  // if_tsresol
                guard valueLength == 1, !sawResolution else { throw bad("if_tsresol must appear once with 1 byte") }
                sawResolution = true
                let resolution = base.load(fromByteOffset: value, as: UInt8.self)
                let exponent = UInt64(resolution & 0x7f)
                if resolution & 0x80 != 0 {
                    guard exponent <= 63 else { throw bad("if_tsresol 2^-\(exponent) is finer than libpcap reads") }
                    ticksPerSecond = 1 << exponent
                    binary = true
                } else {
                    guard exponent <= 19 else { throw bad("if_tsresol 10^-\(exponent) is finer than libpcap reads") }
                    ticksPerSecond = 1
                    for _ in 0..<exponent { ticksPerSecond &*= 10 }
                    binary = false
                }
            case 14:  // if_tsoffset
                guard valueLength == 8, !sawOffset else { throw bad("if_tsoffset must appear once with 8 bytes") }
                sawOffset = true
                offsetSeconds = base.savefileU64(at: value, bigEndian: bigEndian)
            default:
                break
            }
            cursor = value &+ padded
        }
        return Interface(linkType: linkType, snapshotLength: snapshot, ticksPerSecond: ticksPerSecond,
                         binaryResolution: binary, offsetSeconds: offsetSeconds)
    }
}
