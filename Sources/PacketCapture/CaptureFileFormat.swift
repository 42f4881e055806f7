/// What the first bytes of a capture file say it is, read before libpcap opens
/// it (`CaptureInput` peeks them, inflated when gzip), so reports can state the format and errors can be specific.
public struct CaptureFileFormat: Sendable, Equatable {
    public enum Container: String, Sendable { case pcap, pcapng }
    public enum ByteOrder: String, Sendable { case little, big }
    public enum Precision: String, Sendable { case microsecond, nanosecond }

    public let container: Container
    public let byteOrder: ByteOrder
    /// nil for pcapng, where each interface declares its own resolution.
    public let precision: Precision?
    public let gzip: Bool

    /// Classifies the magic number at the start of an (inflated) file.
    static func classify(magic: [UInt8], gzip: Bool) -> CaptureFileFormat? {
        guard magic.count >= 4 else { return nil }
        let be = UInt32(magic[0]) << 24 | UInt32(magic[1]) << 16 | UInt32(magic[2]) << 8 | UInt32(magic[3])
        switch be {
        case 0xa1b2_c3d4: return .init(container: .pcap, byteOrder: .big, precision: .microsecond, gzip: gzip)
        case 0xd4c3_b2a1: return .init(container: .pcap, byteOrder: .little, precision: .microsecond, gzip: gzip)
        case 0xa1b2_3c4d: return .init(container: .pcap, byteOrder: .big, precision: .nanosecond, gzip: gzip)
        case 0x4d3c_b2a1: return .init(container: .pcap, byteOrder: .little, precision: .nanosecond, gzip: gzip)
        case 0x0a0d_0d0a:
            // Section Header Block: the byte-order magic 1a2b3c4d follows the block length.
            guard magic.count >= 12 else { return nil }
            let bom = UInt32(magic[8]) << 24 | UInt32(magic[9]) << 16 | UInt32(magic[10]) << 8 | UInt32(magic[11])
            switch bom {
            case 0x1a2b_3c4d: return .init(container: .pcapng, byteOrder: .big, precision: nil, gzip: gzip)
            case 0x4d3c_2b1a: return .init(container: .pcapng, byteOrder: .little, precision: nil, gzip: gzip)
            default: return nil
            }
        default: return nil
        }
    }
}
