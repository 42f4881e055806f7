/// A problem found while reading a QUIC long header.
public struct QUICIssue: Error, Equatable, Sendable {
    public enum What: Equatable, Sendable {
        case truncated
        /// Header form bit 0: a short-header (1-RTT) packet, not readable without keys.
        case shortHeader
        /// Fixed bit 0 in a v1/v2 packet (RFC 9000 §17.2: "MUST be set to 1").
        case fixedBitClear
        /// A connection ID longer than 20 bytes in a v1/v2 packet (RFC 9000 §17.2).
        case connectionIDTooLong
        /// The Length field runs past the datagram.
        case lengthPastEnd
        /// Length too small to hold a packet number and the header-protection sample.
        case lengthTooShort
    }

    public let what: What
    public let offset: Int
    public let needed: Int
    public let had: Int

    @inlinable
    public init(_ what: What, at offset: Int, needed: Int = 0, had: Int = 0) {
        self.what = what
        self.offset = offset
        self.needed = needed
        self.had = had
    }
}

/// QUIC version numbers this project knows the Initial layout of.
public enum QUICVersion {
    public static let negotiation: UInt32 = 0
    public static let v1: UInt32 = 0x0000_0001
    /// RFC 9369.
    public static let v2: UInt32 = 0x6B33_43CF
    /// draft-ietf-quic-transport-29, still seen in older captures.
    public static let draft29: UInt32 = 0xFF00_001D

    /// IETF drafts 0xff0000xx share the v1 packet layout.
    @inlinable
    public static func isDraft(_ version: UInt32) -> Bool { version & 0xFFFF_FF00 == 0xFF00_0000 }

    /// True when the long-header layout after the connection IDs is known.
    @inlinable
    public static func isKnown(_ version: UInt32) -> Bool { version == v1 || version == v2 || isDraft(version) }
}

public enum QUICPacketType: Equatable, Sendable {
    case initial, zeroRTT, handshake, retry, versionNegotiation
    /// A version whose layout beyond the connection IDs is unknown.
    case unknown

    /// The 2-bit long packet type, whose meaning differs between v1 (RFC 9000 §17.2)
    /// and v2 (RFC 9369 §3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00).
    public init(typeBits: UInt8, version: UInt32) {
        if version == QUICVersion.negotiation {
            self = .versionNegotiation
        } else if version == QUICVersion.v2 {
            switch typeBits & 3 {
            case 0: self = .retry
            case 1: self = .initial
            case 2: self = .zeroRTT
            default: self = .handshake
            }
        } else if QUICVersion.isKnown(version) {
            switch typeBits & 3 {
            case 0: self = .initial
            case 1: self = .zeroRTT
            case 2: self = .handshake
            default: self = .retry
            }
        } else {
            self = .unknown
        }
    }
}

/// A long-header QUIC packet's cleartext header (RFC 9000 §17.2, RFC 8999 §5.1):
///
/// ```
/// Header Form (1) = 1 | Fixed Bit (1) = 1 | Long Packet Type (2) | Type-Specific Bits (4)
/// Version (32) | DCID Length (8) | DCID (0..160) | SCID Length (8) | SCID (0..160)
/// Initial:           Token Length (i) | Token | Length (i) | Packet Number (8..32, protected) | Payload
/// 0-RTT, Handshake:  Length (i) | Packet Number | Payload
/// Retry:             Retry Token | Retry Integrity Tag (128)
/// Version Negotiation (version 0): Supported Version (32) ...
/// ```
///
/// Offsets are absolute within the datagram, so coalesced packets (RFC 9000
/// §12.2) are walked by parsing again at `end`.
public struct QUICLongHeader {
    /// Offset of the packet's first byte in the datagram.
    public let offset: Int
    /// First byte as sent (its low bits are header-protected).
    public let firstByte: UInt8
    public let version: UInt32
    public let type: QUICPacketType
    public let destinationConnectionID: ByteView
    public let sourceConnectionID: ByteView
    /// Initial token; the Retry token for Retry; empty otherwise.
    public let token: ByteView
    /// The Length field (packet number + payload + AEAD tag); 0 when the type has none.
    public let length: Int
    /// Offset of the (protected) packet number; equal to `end` when the type has none.
    public let packetNumberOffset: Int
    /// Offset just past this packet: the next coalesced packet starts here.
    public let end: Int

    public static let maxConnectionIDLength = 20

    @inlinable
    public static func isLongHeader(_ firstByte: UInt8) -> Bool { firstByte & 0x80 != 0 }

    public static func parse(_ datagram: ByteView, at offset: Int = 0) throws(QUICIssue) -> QUICLongHeader {
        guard let first = datagram.u8(at: offset) else { throw QUICIssue(.truncated, at: offset, needed: 1, had: 0) }
        guard isLongHeader(first) else { throw QUICIssue(.shortHeader, at: offset) }
        var r = ByteReader(datagram, offset: offset + 1)
        guard let version = r.readU32() else { throw QUICIssue(.truncated, at: r.offset, needed: 4, had: r.remaining) }
        let known = QUICVersion.isKnown(version)
        guard let dcid = r.readLengthPrefixed8() else { throw QUICIssue(.truncated, at: r.offset, needed: 1, had: r.remaining) }
        guard let scid = r.readLengthPrefixed8() else { throw QUICIssue(.truncated, at: r.offset, needed: 1, had: r.remaining) }
        let type = QUICPacketType(typeBits: first >> 4, version: version)
        if known {
            // Invariants allow 255-byte IDs (RFC 8999 §5.1); v1 and v2 cap them at 20.
            guard dcid.count <= maxConnectionIDLength, scid.count <= maxConnectionIDLength else {
                throw QUICIssue(.connectionIDTooLong, at: offset + 5, needed: maxConnectionIDLength, had: Swift.max(dcid.count, scid.count))
            }
            guard first & 0x40 != 0 else { throw QUICIssue(.fixedBitClear, at: offset) }
        }
        switch type {
        case .versionNegotiation, .unknown:
            return QUICLongHeader(
                offset: offset, firstByte: first, version: version, type: type, destinationConnectionID: dcid,
                sourceConnectionID: scid, token: .empty, length: 0, packetNumberOffset: datagram.count, end: datagram.count)
        case .retry:
            let rest = datagram.count - r.offset
            guard rest >= 16, let token = datagram.slice(from: r.offset, length: rest - 16) else {
                throw QUICIssue(.truncated, at: r.offset, needed: 16, had: rest)
            }
            return QUICLongHeader(
                offset: offset, firstByte: first, version: version, type: type, destinationConnectionID: dcid,
                sourceConnectionID: scid, token: token, length: 0, packetNumberOffset: datagram.count, end: datagram.count)
        case .initial, .zeroRTT, .handshake:
            var token = ByteView.empty
            if type == .initial {
                let at = r.offset
                guard let tokenLength = r.readQUICVarInt() else { throw QUICIssue(.truncated, at: at, needed: 1, had: r.remaining) }
                guard tokenLength <= UInt64(r.remaining), let t = r.readBytes(Int(tokenLength)) else {
                    throw QUICIssue(.truncated, at: r.offset, needed: Int(clamping: tokenLength), had: r.remaining)
                }
                token = t
            }
            let at = r.offset
            guard let length = r.readQUICVarInt() else { throw QUICIssue(.truncated, at: at, needed: 1, had: r.remaining) }
            guard length <= UInt64(r.remaining) else {
                throw QUICIssue(.lengthPastEnd, at: at, needed: Int(clamping: length), had: r.remaining)
            }
            // RFC 9001 §5.4.2: a packet number (≥1 byte) plus a 16-byte sample taken 4 bytes after its start.
            guard length >= 20 else { throw QUICIssue(.lengthTooShort, at: at, needed: 20, had: Int(length)) }
            return QUICLongHeader(
                offset: offset, firstByte: first, version: version, type: type, destinationConnectionID: dcid,
                sourceConnectionID: scid, token: token, length: Int(length), packetNumberOffset: r.offset,
                end: r.offset + Int(length))
        }
    }
}

/// Walks the long-header packets coalesced in one UDP datagram (RFC 9000
/// §12.2). Stops at the end, at a short-header packet (which runs to the
/// end), or at the first unreadable header, which it keeps in `issue`.
/// Padding after the last packet (zero bytes, as some clients send) ends the walk quietly.
public struct QUICPacketIterator: Sequence, IteratorProtocol {
    let datagram: ByteView
    var offset: Int = 0
    public private(set) var issue: QUICIssue? = nil

    public init(_ datagram: ByteView) { self.datagram = datagram }

    public mutating func next() -> QUICLongHeader? {
        guard offset < datagram.count, let first = datagram.u8(at: offset), QUICLongHeader.isLongHeader(first) else {
            offset = datagram.count
            return nil
        }
        do {
            let header = try QUICLongHeader.parse(datagram, at: offset)
            offset = header.end
            return header
        } catch {
            issue = error
            offset = datagram.count
            return nil
        }
    }
}
