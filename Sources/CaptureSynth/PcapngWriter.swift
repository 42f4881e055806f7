/// pcapng files (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface Description Block
/// per interface, then Enhanced Packet Blocks. Every block is
///
///     +0 block type | +4 total length | body (padded to 32 bits) | total length again
///
/// and every field is in the section's byte order (the SHB's byte-order magic 1a2b3c4d tells readers which).
public final class PcapngWriter: CaptureWriter {
    public enum BlockType {
        public static let sectionHeader: UInt32 = 0x0A0D_0D0A
        public static let interfaceDescription: UInt32 = 0x0000_0001
        public static let enhancedPacket: UInt32 = 0x0000_0006
    }

    enum OptionCode {
        static let endOfOptions: UInt16 = 0
        static let comment: UInt16 = 1
        static let shbUserApplication: UInt16 = 4
        static let ifName: UInt16 = 2
        static let ifTsresol: UInt16 = 9
    }

    public let output: any CaptureOutput
    public let byteOrder: ByteOrder
    public let interfaces: [CaptureInterface]
    public private(set) var recordCount = 0
    private var block: [UInt8] = []

    public init(output: any CaptureOutput, interfaces: [CaptureInterface], byteOrder: ByteOrder = .littleEndian,
                application: String? = "egress-capgen") throws {
        guard !interfaces.isEmpty else { throw CaptureWriterError(description: "pcapng needs at least one interface") }
        self.output = output
        self.interfaces = interfaces
        self.byteOrder = byteOrder
        try output.write(Self.sectionHeaderBlock(byteOrder: byteOrder, application: application))
        for interface in interfaces {
            try output.write(Self.interfaceDescriptionBlock(interface, byteOrder: byteOrder))
        }
    }

    public static func sectionHeaderBlock(byteOrder: ByteOrder, application: String?) -> [UInt8] {
        var body: [UInt8] = []
        body.appendU32(0x1A2B_3C4D, byteOrder)
        body.appendU16(1, byteOrder)
        body.appendU16(0, byteOrder)
        body.appendU64(UInt64.max, byteOrder) // section length unknown (-1): we stream
        if let application {
            appendOption(&body, code: OptionCode.shbUserApplication, value: Array(application.utf8), byteOrder)
            appendOption(&body, code: OptionCode.endOfOptions, value: [], byteOrder)
        }
        return wrap(type: BlockType.sectionHeader, body: body, byteOrder)
    }

    public static func interfaceDescriptionBlock(_ interface: CaptureInterface, byteOrder: ByteOrder) -> [UInt8] {
        var body: [UInt8] = []
        body.appendU16(interface.linkType.rawValue, byteOrder)
        body.appendU16(0, byteOrder)
        body.appendU32(interface.snapLength, byteOrder)
        var hasOptions = false
        if let name = interface.name {
            appendOption(&body, code: OptionCode.ifName, value: Array(name.utf8), byteOrder); hasOptions = true
        }
        if interface.timestampResolution != 6 {
            appendOption(&body, code: OptionCode.ifTsresol, value: [interface.timestampResolution], byteOrder); hasOptions = true
        }
        if hasOptions { appendOption(&body, code: OptionCode.endOfOptions, value: [], byteOrder) }
        return wrap(type: BlockType.interfaceDescription, body: body, byteOrder)
    }

    static func appendOption(_ body: inout [UInt8], code: UInt16, value: [UInt8], _ order: ByteOrder) {
        body.appendU16(code, order)
        body.appendU16(UInt16(truncatingIfNeeded: value.count), order)
        body.append(contentsOf: value)
        body.append(contentsOf: [UInt8](repeating: 0, count: (4 - value.count % 4) % 4))
    }

    static func wrap(type: UInt32, body: [UInt8], _ order: ByteOrder) -> [UInt8] {
        let padded = body.count + (4 - body.count % 4) % 4
        let total = UInt32(truncatingIfNeeded: 12 + padded)
        var b: [UInt8] = []
        b.reserveCapacity(Int(total))
        b.appendU32(type, order)
        b.appendU32(total, order)
        b.append(contentsOf: body)
        b.append(contentsOf: [UInt8](repeating: 0, count: padded - body.count))
        b.appendU32(total, order)
        return b
    }

    /// Timestamp in the interface's units (10^-tsresol s), as EPB's high and low 32-bit words.
    static func units(_ timestamp: Timestamp, resolution: UInt8) -> UInt64 {
        if resolution >= 9 {
            var v = timestamp.nanoseconds
            for _ in 9..<Int(resolution) { v = v &* 10 }
            return v
        }
        var divisor: UInt64 = 1
        for _ in Int(resolution)..<9 { divisor *= 10 }
        return timestamp.nanoseconds / divisor
    }

    public func write(frame: [UInt8], timestamp: Timestamp, interface: Int) throws {
        try buildBlock(frame: frame, timestamp: timestamp, interface: interface)
        try output.write(block)
        recordCount += 1
    }

    /// Test hook for reader error paths: writes only the first `keeping` bytes of the Enhanced
    /// Packet Block that `write` would write.
    public func writeTruncatedRecord(frame: [UInt8], timestamp: Timestamp, interface: Int = 0, keeping: Int) throws {
        try buildBlock(frame: frame, timestamp: timestamp, interface: interface)
        try output.write(Array(block.prefix(max(0, keeping))))
    }

    private func buildBlock(frame: [UInt8], timestamp: Timestamp, interface: Int) throws {
        guard interfaces.indices.contains(interface) else {
            throw CaptureWriterError(description: "no interface \(interface) (have \(interfaces.count))")
        }
        let ifc = interfaces[interface]
        let captured = min(frame.count, Int(ifc.snapLength))
        let padded = captured + (4 - captured % 4) % 4
        let total = UInt32(truncatingIfNeeded: 32 + padded)
        let t = Self.units(timestamp, resolution: ifc.timestampResolution)
        block.removeAll(keepingCapacity: true)
        block.appendU32(BlockType.enhancedPacket, byteOrder)
        block.appendU32(total, byteOrder)
        block.appendU32(UInt32(interface), byteOrder)
        block.appendU32(UInt32(truncatingIfNeeded: t >> 32), byteOrder)
        block.appendU32(UInt32(truncatingIfNeeded: t), byteOrder)
        block.appendU32(UInt32(captured), byteOrder)
        block.appendU32(UInt32(truncatingIfNeeded: frame.count), byteOrder)
        block.append(contentsOf: frame[0..<captured])
        for _ in captured..<padded { block.append(0) }
        block.appendU32(total, byteOrder)
    }

    public func close() throws { try output.close() }
}
