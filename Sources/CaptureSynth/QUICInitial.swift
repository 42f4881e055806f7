import Crypto
import CryptoExtras

/// QUIC client Initial packets (RFC 9000 §17.2.2) protected as RFC 9001 §5 says, for version 1
/// and version 2 (RFC 9369 §3.3, which changes the salt, the HKDF labels and the packet type bits).
public enum QUICVersion: UInt32, Sendable, Codable, CaseIterable {
    case v1 = 0x0000_0001
    case v2 = 0x6b33_43cf

    /// RFC 9001 §5.2 / RFC 9369 §3.3.1.
    var initialSalt: [UInt8] {
        switch self {
        case .v1: [0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a]
        case .v2: [0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9]
        }
    }

    /// RFC 9369 §3.3.2.
    var labelPrefix: String { self == .v1 ? "quic " : "quicv2 " }

    /// Long-header packet type of Initial: 0b00 in v1, 0b01 in v2 (RFC 9369 §3.2).
    var initialTypeBits: UInt8 { self == .v1 ? 0 : 1 }
}

/// Key, IV and header-protection key derived from the client's Destination Connection ID.
public struct QUICInitialKeys: Sendable {
    public let secret: [UInt8]
    public let key: [UInt8]
    public let iv: [UInt8]
    public let headerProtectionKey: [UInt8]

    public init(version: QUICVersion, destinationConnectionID: [UInt8], isClient: Bool = true) {
        let initial = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: destinationConnectionID), salt: version.initialSalt)
        let initialBytes = Array(initial)
        secret = Self.expandLabel(initialBytes, label: isClient ? "client in" : "server in", length: 32)
        key = Self.expandLabel(secret, label: version.labelPrefix + "key", length: 16)
        iv = Self.expandLabel(secret, label: version.labelPrefix + "iv", length: 12)
        headerProtectionKey = Self.expandLabel(secret, label: version.labelPrefix + "hp", length: 16)
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
    static func expandLabel(_ secret: [UInt8], label: String, length: Int) -> [UInt8] {
        var info: [UInt8] = []
        info.appendU16(UInt16(length))
        info.appendLengthPrefixed8(Array(("tls13 " + label).utf8))
        info.append(0)
        let out = HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
        return out.withUnsafeBytes { Array($0) }
    }
}

public enum QUICFrame {
    /// CRYPTO frame (type 0x06, RFC 9000 §19.6).
    public static func crypto(offset: UInt64, data: [UInt8]) -> [UInt8] {
        var f: [UInt8] = [0x06]
        appendVarInt(offset, to: &f)
        appendVarInt(UInt64(data.count), to: &f)
        f.append(contentsOf: data)
        return f
    }

    /// PING frame (type 0x01).
    public static let ping: [UInt8] = [0x01]

    /// RFC 9000 §16 variable-length integer, shortest encoding.
    public static func appendVarInt(_ value: UInt64, to b: inout [UInt8]) {
        switch value {
        case ..<64: b.append(UInt8(value))
        case ..<16384: b.appendU16(UInt16(value) | 0x4000)
        case ..<(1 << 30): b.appendU32(UInt32(value) | 0x8000_0000)
        default: b.appendU64(value | 0xC000_0000_0000_0000)
        }
    }
}

public struct QUICPacketError: Error, CustomStringConvertible, Sendable { public let description: String }

public enum QUICInitialPacket {
    /// Builds and protects one Initial packet. `payload` is the plaintext frames; if `padToPacketSize`
    /// is given, PADDING (zero bytes) is appended so the packet is exactly that long.
    public static func protect(version: QUICVersion, destinationConnectionID dcid: [UInt8], sourceConnectionID scid: [UInt8],
                               token: [UInt8] = [], packetNumber: UInt32, packetNumberLength: Int = 4,
                               payload: [UInt8], padToPacketSize: Int? = nil,
                               keys: QUICInitialKeys? = nil) throws -> [UInt8] {
        guard (1...4).contains(packetNumberLength), dcid.count <= 20, scid.count <= 20 else {
            throw QUICPacketError(description: "connection id > 20 bytes or packet number length outside 1...4")
        }
        var header: [UInt8] = [0xC0 | version.initialTypeBits << 4 | UInt8(packetNumberLength - 1)]
        header.appendU32(version.rawValue)
        header.appendLengthPrefixed8(dcid)
        header.appendLengthPrefixed8(scid)
        QUICFrame.appendVarInt(UInt64(token.count), to: &header)
        header.append(contentsOf: token)
        var plaintext = payload
        let fixed = header.count + 2 + packetNumberLength + 16  // 2: the Length varint, always 2 bytes here
        if let target = padToPacketSize, fixed + plaintext.count < target {
            plaintext.append(contentsOf: [UInt8](repeating: 0, count: target - fixed - plaintext.count))
        }
        // RFC 9001 §5.4.2: the sample starts 4 bytes after the packet number; make sure it exists.
        if packetNumberLength + plaintext.count < 4 { plaintext.append(contentsOf: [UInt8](repeating: 0, count: 4 - packetNumberLength - plaintext.count)) }
        let length = packetNumberLength + plaintext.count + 16
        guard length < 16384 else { throw QUICPacketError(description: "Initial payload too long: \(length)") }
        header.appendU16(UInt16(length) | 0x4000)
        let pnOffset = header.count
        for i in stride(from: packetNumberLength - 1, through: 0, by: -1) {
            header.append(UInt8(truncatingIfNeeded: packetNumber >> UInt32(8 * i)))
        }

        let keys = keys ?? QUICInitialKeys(version: version, destinationConnectionID: dcid)
        var nonce = keys.iv
        for i in 0..<4 { nonce[11 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> UInt32(8 * i)) }
        let sealed = try AES.GCM.seal(plaintext, using: SymmetricKey(data: keys.key), nonce: AES.GCM.Nonce(data: nonce),
                                      authenticating: header)
        var packet = header
        packet.append(contentsOf: sealed.ciphertext)
        packet.append(contentsOf: sealed.tag)

        var mask = Array(packet[(pnOffset + 4)..<(pnOffset + 20)])
        try AES.permute(&mask, key: SymmetricKey(data: keys.headerProtectionKey))
        packet[0] ^= mask[0] & 0x0f
        for i in 0..<packetNumberLength { packet[pnOffset + i] ^= mask[1 + i] }
        return packet
    }

    /// The client's first flight as UDP payloads: the ClientHello in CRYPTO frames, each datagram padded
    /// to 1200 bytes (RFC 9000 §14.1). With `split`, the ClientHello is cut in two and sent out of order:
    /// packet 0 carries [CRYPTO second half, PING], packet 1 carries [CRYPTO first half], so a receiver
    /// must reassemble by CRYPTO offset, not by arrival.
    public static func clientFirstFlight(version: QUICVersion, destinationConnectionID dcid: [UInt8], sourceConnectionID scid: [UInt8],
                                         clientHello: [UInt8], split: Bool, datagramSize: Int = 1200) throws -> [[UInt8]] {
        if !split {
            return [try protect(version: version, destinationConnectionID: dcid, sourceConnectionID: scid, packetNumber: 0,
                                payload: QUICFrame.crypto(offset: 0, data: clientHello), padToPacketSize: datagramSize)]
        }
        let cut = clientHello.count / 2
        let first = QUICFrame.crypto(offset: 0, data: Array(clientHello[..<cut]))
        let second = QUICFrame.crypto(offset: UInt64(cut), data: Array(clientHello[cut...]))
        return [
            try protect(version: version, destinationConnectionID: dcid, sourceConnectionID: scid, packetNumber: 0,
                        payload: second + QUICFrame.ping, padToPacketSize: datagramSize),
            try protect(version: version, destinationConnectionID: dcid, sourceConnectionID: scid, packetNumber: 1,
                        payload: first, padToPacketSize: datagramSize),
        ]
    }

    /// The server's first Initial: ACK of the client's packet 0 and a CRYPTO frame with the ServerHello,
    /// protected with the server keys derived from the client's original DCID (RFC 9001 §5.2).
    public static func serverInitial(version: QUICVersion, originalDestinationConnectionID odcid: [UInt8],
                                     clientSourceConnectionID: [UInt8], serverConnectionID: [UInt8],
                                     serverHello: [UInt8]) throws -> [UInt8] {
        let ack: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00] // ACK largest 0, delay 0, no extra ranges, first range 0
        return try protect(version: version, destinationConnectionID: clientSourceConnectionID, sourceConnectionID: serverConnectionID,
                           packetNumber: 0, packetNumberLength: 2, payload: ack + QUICFrame.crypto(offset: 0, data: serverHello),
                           keys: QUICInitialKeys(version: version, destinationConnectionID: odcid, isClient: false))
    }

    /// Minimal client transport parameters (RFC 9000 §18.2): initial_source_connection_id plus a few limits.
    public static func transportParameters(sourceConnectionID scid: [UInt8]) -> [UInt8] {
        var tp: [UInt8] = []
        func param(_ id: UInt64, _ value: [UInt8]) {
            QUICFrame.appendVarInt(id, to: &tp); QUICFrame.appendVarInt(UInt64(value.count), to: &tp); tp.append(contentsOf: value)
        }
        func intParam(_ id: UInt64, _ v: UInt64) { var b: [UInt8] = []; QUICFrame.appendVarInt(v, to: &b); param(id, b) }
        intParam(0x01, 30_000)     // max_idle_timeout
        intParam(0x04, 1_048_576)  // initial_max_data
        intParam(0x08, 100)        // initial_max_streams_bidi
        param(0x0f, scid)          // initial_source_connection_id
        return tp
    }
}
