/// IPv4 (RFC 791) and IPv6 (RFC 8200) packet builders. The transport checksum is the caller's
/// (TransportSegments computes it with the pseudo-header of the final destination).
public struct IPv4Fields: Sendable {
    public var source: UInt32
    public var destination: UInt32
    public var protocolNumber: UInt8
    public var ttl: UInt8 = 64
    public var tos: UInt8 = 0
    public var identification: UInt16 = 0
    public var dontFragment = true
    public var moreFragments = false
    /// In 8-byte units (RFC 791 §3.1).
    public var fragmentOffset: UInt16 = 0
    /// Raw options; padded with EOL (0) to a multiple of 4.
    public var options: [UInt8] = []

    public init(source: UInt32, destination: UInt32, protocolNumber: UInt8) {
        self.source = source; self.destination = destination; self.protocolNumber = protocolNumber
    }
}

public enum IPv4Packet {
    public static func build(_ fields: IPv4Fields, payload: [UInt8]) -> [UInt8] {
        var options = fields.options
        while options.count % 4 != 0 { options.append(0) }
        let headerLength = 20 + options.count
        var p: [UInt8] = []
        p.reserveCapacity(headerLength + payload.count)
        p.appendU8(0x40 | UInt8(truncatingIfNeeded: headerLength / 4))
        p.appendU8(fields.tos)
        p.appendU16(UInt16(truncatingIfNeeded: headerLength + payload.count))
        p.appendU16(fields.identification)
        var flagsOffset = fields.fragmentOffset & 0x1fff
        if fields.dontFragment { flagsOffset |= 0x4000 }
        if fields.moreFragments { flagsOffset |= 0x2000 }
        p.appendU16(flagsOffset)
        p.appendU8(fields.ttl)
        p.appendU8(fields.protocolNumber)
        p.appendU16(0)
        p.appendU32(fields.source)
        p.appendU32(fields.destination)
        p.append(contentsOf: options)
        p.setU16(InternetChecksum.of(p[0..<headerLength]), at: 10)
        p.append(contentsOf: payload)
        return p
    }

    /// Splits `payload` (an already checksummed transport segment) into RFC 791 fragments whose
    /// data parts are at most `maxData` bytes (rounded down to a multiple of 8).
    public static func fragments(_ fields: IPv4Fields, payload: [UInt8], maxData: Int) -> [[UInt8]] {
        let step = max(8, maxData - maxData % 8)
        var out: [[UInt8]] = []
        var offset = 0
        repeat {
            let end = min(payload.count, offset + step)
            var f = fields
            f.dontFragment = false
            f.fragmentOffset = UInt16(truncatingIfNeeded: offset / 8)
            f.moreFragments = end < payload.count
            out.append(build(f, payload: Array(payload[offset..<end])))
            offset = end
        } while offset < payload.count
        return out
    }
}

/// IPv6 extension headers the builder can insert between the fixed header and the upper layer.
public enum IPv6ExtensionHeader: Sendable {
    /// Hop-by-hop options (RFC 8200 §4.3); `options` are TLVs, padded with PadN to 8n bytes.
    case hopByHop(options: [UInt8])
    case destinationOptions(options: [UInt8])
    /// Fragment header (RFC 8200 §4.5); `offset` in 8-byte units.
    case fragment(offset: UInt16, moreFragments: Bool, identification: UInt32)

    var protocolNumber: UInt8 {
        switch self {
        case .hopByHop: IPProtocolNumber.hopByHop
        case .destinationOptions: IPProtocolNumber.destinationOptions
        case .fragment: IPProtocolNumber.ipv6Fragment
        }
    }

    func encoded(nextHeader: UInt8) -> [UInt8] {
        switch self {
        case .hopByHop(let options), .destinationOptions(let options):
            var body = options
            let total = (2 + body.count + 7) / 8 * 8
            let pad = total - 2 - body.count
            if pad == 1 { body.append(0) }                         // Pad1
            else if pad > 1 { body.append(1); body.append(UInt8(pad - 2)); body.append(contentsOf: [UInt8](repeating: 0, count: pad - 2)) } // PadN
            return [nextHeader, UInt8(truncatingIfNeeded: total / 8 - 1)] + body
        case .fragment(let offset, let more, let identification):
            var b: [UInt8] = [nextHeader, 0]
            b.appendU16((offset & 0x1fff) << 3 | (more ? 1 : 0))
            b.appendU32(identification)
            return b
        }
    }
}

public struct IPv6Fields: Sendable {
    public var source: [UInt8]
    public var destination: [UInt8]
    public var nextHeader: UInt8
    public var hopLimit: UInt8 = 64
    public var trafficClass: UInt8 = 0
    public var flowLabel: UInt32 = 0
    public var extensionHeaders: [IPv6ExtensionHeader] = []

    public init(source: [UInt8], destination: [UInt8], nextHeader: UInt8) {
        self.source = source; self.destination = destination; self.nextHeader = nextHeader
    }
}

public enum IPv6Packet {
    public static func build(_ fields: IPv6Fields, payload: [UInt8]) -> [UInt8] {
        var extensions: [UInt8] = []
        var headers = fields.extensionHeaders
        // Chain: fixed header → ext[0] → … → upper layer; each header names the one after it.
        for (i, header) in headers.enumerated() {
            let next = i + 1 < headers.count ? headers[i + 1].protocolNumber : fields.nextHeader
            extensions.append(contentsOf: header.encoded(nextHeader: next))
        }
        let first = headers.first?.protocolNumber ?? fields.nextHeader
        headers.removeAll()
        var p: [UInt8] = []
        p.reserveCapacity(40 + extensions.count + payload.count)
        p.appendU32(6 << 28 | UInt32(fields.trafficClass) << 20 | (fields.flowLabel & 0xfffff))
        p.appendU16(UInt16(truncatingIfNeeded: extensions.count + payload.count))
        p.appendU8(first)
        p.appendU8(fields.hopLimit)
        p.append(contentsOf: fields.source)
        p.append(contentsOf: fields.destination)
        p.append(contentsOf: extensions)
        p.append(contentsOf: payload)
        return p
    }
}

/// Picks the family from the addresses: the convenience every scenario uses.
public enum IPPacket {
    public static func build(source: HostAddress, destination: HostAddress, protocolNumber: UInt8, payload: [UInt8],
                             ttl: UInt8 = 64, identification: UInt16 = 0,
                             ipv6Extensions: [IPv6ExtensionHeader] = []) -> [UInt8] {
        switch (source, destination) {
        case (.v4(let s), .v4(let d)):
            var f = IPv4Fields(source: s, destination: d, protocolNumber: protocolNumber)
            f.ttl = ttl
            f.identification = identification
            return IPv4Packet.build(f, payload: payload)
        default:
            var f = IPv6Fields(source: source.bytes, destination: destination.bytes, nextHeader: protocolNumber)
            f.hopLimit = ttl
            f.extensionHeaders = ipv6Extensions
            return IPv6Packet.build(f, payload: payload)
        }
    }
}
