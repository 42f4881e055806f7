import PacketWire

/// A frame that may appear in an Initial packet (RFC 9000 §12.4, table 3:
/// PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE of type 0x1c).
public enum QUICFrame {
    /// A run of PADDING (0x00) bytes, counted as one frame.
    case padding(count: Int)
    case ping
    /// ACK (0x02) or ACK with ECN counts (0x03): the largest acknowledged and the number of extra ranges.
    case ack(largest: UInt64, rangeCount: UInt64)
    /// CRYPTO (0x06): handshake bytes at `offset` of the crypto stream.
    case crypto(offset: UInt64, data: ByteView)
    /// CONNECTION_CLOSE (0x1c transport, 0x1d application).
    case connectionClose(errorCode: UInt64, frameType: UInt64?, reason: ByteView)
}

public struct QUICFrameIssue: Error, Equatable, Sendable {
    public enum What: Equatable, Sendable {
        /// A frame runs past the end of the payload.
        case truncated
        /// CRYPTO offset + length beyond 2^62 - 1 (RFC 9000 §19.6).
        case cryptoOffsetOverflow
    }

    public let what: What
    public let offset: Int
}

/// Reads frames from a decrypted Initial payload. Stops (returns nil) at the
/// end or at a frame type not allowed in Initial packets, which it keeps in
/// `unexpectedFrameType`; throws on a malformed frame.
public struct QUICFrameReader {
    var reader: ByteReader
    public private(set) var unexpectedFrameType: UInt64? = nil

    public init(_ payload: ByteView) { reader = ByteReader(payload) }

    public mutating func next() throws(QUICFrameIssue) -> QUICFrame? {
        guard unexpectedFrameType == nil else { return nil }
        let start = reader.offset
        guard let type = reader.readQUICVarInt() else {
            if reader.isAtEnd { return nil }
            throw QUICFrameIssue(what: .truncated, offset: start)
        }
        switch type {
        case 0x00:
            var count = 1
            while reader.peekU8() == 0 {
                _ = reader.readU8()
                count += 1
            }
            return .padding(count: count)
        case 0x01:
            return .ping
        case 0x02, 0x03:
            guard let largest = reader.readQUICVarInt(), reader.readQUICVarInt() != nil,
                  let rangeCount = reader.readQUICVarInt(), reader.readQUICVarInt() != nil
            else { throw QUICFrameIssue(what: .truncated, offset: start) }
            // Each extra range is a Gap and a Range Length; a bogus count stops at the end of the bytes.
            var remaining = rangeCount
            while remaining > 0 {
                guard reader.readQUICVarInt() != nil, reader.readQUICVarInt() != nil else {
                    throw QUICFrameIssue(what: .truncated, offset: start)
                }
                remaining -= 1
            }
            if type == 0x03 {
                for _ in 0..<3 where reader.readQUICVarInt() == nil {
                    throw QUICFrameIssue(what: .truncated, offset: start)
                }
            }
            return .ack(largest: largest, rangeCount: rangeCount)
        case 0x06:
            guard let offset = reader.readQUICVarInt(), let length = reader.readQUICVarInt(),
                  length <= UInt64(reader.remaining), let data = reader.readBytes(Int(length))
            else { throw QUICFrameIssue(what: .truncated, offset: start) }
            guard offset <= (1 << 62) - 1 - length else { throw QUICFrameIssue(what: .cryptoOffsetOverflow, offset: start) }
            return .crypto(offset: offset, data: data)
        case 0x1C, 0x1D:
            guard let code = reader.readQUICVarInt() else { throw QUICFrameIssue(what: .truncated, offset: start) }
            var frameType: UInt64? = nil
            if type == 0x1C {
                guard let t = reader.readQUICVarInt() else { throw QUICFrameIssue(what: .truncated, offset: start) }
                frameType = t
            }
            guard let length = reader.readQUICVarInt(), length <= UInt64(reader.remaining),
                  let reason = reader.readBytes(Int(length))
            else { throw QUICFrameIssue(what: .truncated, offset: start) }
            return .connectionClose(errorCode: code, frameType: frameType, reason: reason)
        default:
            unexpectedFrameType = type
            return nil
        }
    }
}
