/// TCP (RFC 9293), UDP (RFC 768), ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) builders with correct checksums.
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
}

public enum TCPOption: Sendable, Hashable {
    case endOfList
    case noOperation
    case maximumSegmentSize(UInt16)
    case windowScale(UInt8)
    case sackPermitted
    case timestamps(value: UInt32, echoReply: UInt32)

    func append(to b: inout [UInt8]) {
        switch self {
        case .endOfList: b.append(0)
        case .noOperation: b.append(1)
        case .maximumSegmentSize(let mss): b.append(2); b.append(4); b.appendU16(mss)
        case .windowScale(let shift): b.append(3); b.append(3); b.append(shift)
        case .sackPermitted: b.append(4); b.append(2)
        case .timestamps(let v, let e): b.append(8); b.append(10); b.appendU32(v); b.appendU32(e)
        }
    }

    /// What Linux sends in a SYN: MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes).
    public static func linuxSYN(mss: UInt16 = 1460, timestamp: UInt32, echo: UInt32 = 0, windowScale: UInt8 = 7) -> [TCPOption] {
        [.maximumSegmentSize(mss), .sackPermitted, .timestamps(value: timestamp, echoReply: echo), .noOperation, .windowScale(windowScale)]
    }
}

public struct TCPFields: Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32 = 0
    public var flags: TCPFlags
    public var window: UInt16 = 64_240
    public var urgentPointer: UInt16 = 0
    public var options: [TCPOption] = []

    public init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32 = 0, flags: TCPFlags,
                window: UInt16 = 64_240, options: [TCPOption] = []) {
        self.sourcePort = sourcePort; self.destinationPort = destinationPort
        self.sequence = sequence; self.acknowledgment = acknowledgment
        self.flags = flags; self.window = window; self.options = options
    }
}

public enum TCPSegment {
    public static func build(_ fields: TCPFields, payload: [UInt8], source: HostAddress, destination: HostAddress) -> [UInt8] {
        var options: [UInt8] = []
        for option in fields.options { option.append(to: &options) }
        while options.count % 4 != 0 { options.append(0) }
        let headerLength = 20 + options.count
        var s: [UInt8] = []
        s.reserveCapacity(headerLength + payload.count)
        s.appendU16(fields.sourcePort)
        s.appendU16(fields.destinationPort)
        s.appendU32(fields.sequence)
        s.appendU32(fields.acknowledgment)
        s.appendU8(UInt8(truncatingIfNeeded: headerLength / 4) << 4)
        s.appendU8(fields.flags.rawValue)
        s.appendU16(fields.window)
        s.appendU16(0)
        s.appendU16(fields.urgentPointer)
        s.append(contentsOf: options)
        s.append(contentsOf: payload)
        s.setU16(InternetChecksum.transport(source: source, destination: destination, protocol: IPProtocolNumber.tcp, segment: s), at: 16)
        return s
    }
}

public enum UDPDatagram {
    public static func build(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8],
                             source: HostAddress, destination: HostAddress) -> [UInt8] {
        var d: [UInt8] = []
        d.reserveCapacity(8 + payload.count)
        d.appendU16(sourcePort)
        d.appendU16(destinationPort)
        d.appendU16(UInt16(truncatingIfNeeded: 8 + payload.count))
        d.appendU16(0)
        d.append(contentsOf: payload)
        d.setU16(InternetChecksum.transport(source: source, destination: destination, protocol: IPProtocolNumber.udp, segment: d), at: 6)
        return d
    }
}

/// ICMPv4 destination-unreachable codes (RFC 792, RFC 1812 §5.2.7.1).
public enum ICMPv4UnreachableCode: UInt8, Sendable, Codable {
    case network = 0, host = 1, protocolUnreachable = 2, port = 3
    case administrativelyProhibited = 13
}

/// ICMPv6 destination-unreachable codes (RFC 4443 §3.1).
public enum ICMPv6UnreachableCode: UInt8, Sendable, Codable {
    case noRoute = 0, administrativelyProhibited = 1, address = 3, port = 4, rejectRoute = 6
}

public enum ICMPMessage {
    /// Type 3: quotes the original IP header plus the first 8 bytes of its payload (RFC 792).
    public static func ipv4DestinationUnreachable(code: ICMPv4UnreachableCode, original: [UInt8]) -> [UInt8] {
        let ihl = original.isEmpty ? 0 : Int(original[0] & 0x0f) * 4
        let quoted = Array(original.prefix(ihl + 8))
        var m: [UInt8] = [3, code.rawValue, 0, 0, 0, 0, 0, 0]
        m.append(contentsOf: quoted)
        m.setU16(InternetChecksum.of(m), at: 2)
        return m
    }

    /// Type 1: quotes as much of the invoking packet as fits the IPv6 minimum MTU (RFC 4443 §3.1).
    public static func ipv6DestinationUnreachable(code: ICMPv6UnreachableCode, original: [UInt8],
                                                  source: HostAddress, destination: HostAddress) -> [UInt8] {
        var m: [UInt8] = [1, code.rawValue, 0, 0, 0, 0, 0, 0]
        m.append(contentsOf: original.prefix(1280 - 40 - 8))
        m.setU16(InternetChecksum.transport(source: source, destination: destination, protocol: IPProtocolNumber.icmpv6, segment: m), at: 2)
        return m
    }
}
