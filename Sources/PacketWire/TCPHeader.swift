/// TCP header (RFC 9293 §3.1):
///
/// ```
/// |          Source Port          |       Destination Port        |
/// |                        Sequence Number                        |
/// |                    Acknowledgment Number                      |
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// |           Checksum            |         Urgent Pointer        |
/// |                    Options (data offset > 5)                  |
/// ```
public struct TCPHeader {
    public static let minimumLength = 20
    enum Field {
        static let sourcePort = 0
        static let destinationPort = 2
        static let sequence = 4
        static let acknowledgment = 8
        static let dataOffset = 12
        static let flags = 13
        static let window = 14
    }

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.minimumLength) else { return nil }
        self.view = view
        self.offset = offset
    }

    public var sourcePort: UInt16 { view.u16Unchecked(at: offset + Field.sourcePort) }
    public var destinationPort: UInt16 { view.u16Unchecked(at: offset + Field.destinationPort) }
    public var sequenceNumber: UInt32 { view.u32Unchecked(at: offset + Field.sequence) }
    public var acknowledgmentNumber: UInt32 { view.u32Unchecked(at: offset + Field.acknowledgment) }
    /// Data offset in 32-bit words.
    public var dataOffset: UInt8 { view.u8Unchecked(at: offset + Field.dataOffset) >> 4 }
    public var headerLength: Int { Int(dataOffset) * 4 }
    public var flags: TCPFlags { TCPFlags(rawValue: view.u8Unchecked(at: offset + Field.flags)) }
    public var window: UInt16 { view.u16Unchecked(at: offset + Field.window) }
}

/// The eight TCP control bits of byte 13.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    @inlinable public static var fin: TCPFlags { TCPFlags(rawValue: 0x01) }
    @inlinable public static var syn: TCPFlags { TCPFlags(rawValue: 0x02) }
    @inlinable public static var rst: TCPFlags { TCPFlags(rawValue: 0x04) }
    @inlinable public static var psh: TCPFlags { TCPFlags(rawValue: 0x08) }
    @inlinable public static var ack: TCPFlags { TCPFlags(rawValue: 0x10) }
    @inlinable public static var urg: TCPFlags { TCPFlags(rawValue: 0x20) }
    /// ECN-Echo (RFC 3168).
    @inlinable public static var ece: TCPFlags { TCPFlags(rawValue: 0x40) }
    /// Congestion Window Reduced (RFC 3168).
    @inlinable public static var cwr: TCPFlags { TCPFlags(rawValue: 0x80) }

    /// tcpdump-style letters in bit order, e.g. "SA" for SYN+ACK (off the hot path).
    public var letters: String {
        var s = ""
        for (flag, letter) in [(TCPFlags.fin, "F"), (.syn, "S"), (.rst, "R"), (.psh, "P"), (.ack, "A"),
                               (.urg, "U"), (.ece, "E"), (.cwr, "C")] where contains(flag) {
            s += letter
        }
        return s
    }
}

/// The TCP fields flows use; all zero unless `DecodedPacket.transport == .tcp`
/// and the 20-byte header was captured (`hasHeader`).
public struct TCPFacts: Equatable, Sendable {
    public var flags: TCPFlags = []
    public var sequenceNumber: UInt32 = 0
    public var acknowledgmentNumber: UInt32 = 0
    public var window: UInt16 = 0
    /// Header length in bytes (data offset × 4).
    public var headerLength: Int = 0
    /// False when only the ports made it into the capture.
    public var hasHeader: Bool = false

    @inlinable public init() {}

    /// The facts of a header read whole.
    @inlinable
    public init(_ header: TCPHeader) {
        flags = header.flags
        sequenceNumber = header.sequenceNumber
        acknowledgmentNumber = header.acknowledgmentNumber
        window = header.window
        headerLength = header.headerLength
        hasHeader = true
    }
}
