import Crypto
import PacketWire

/// Initial packet protection keys (RFC 9001 §5.2, RFC 9369 §3.3.1): derived
/// from the client's first Destination Connection ID, so any observer can
/// read Initial packets. Derived once per QUIC connection, not per packet.
///
/// ```
/// initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id)
/// client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32)
/// key = HKDF-Expand-Label(secret, "quic key", "", 16)   // "quicv2 key" in v2
/// iv  = HKDF-Expand-Label(secret, "quic iv", "", 12)    // "quicv2 iv"
/// hp  = HKDF-Expand-Label(secret, "quic hp", "", 16)    // "quicv2 hp"
/// ```
public struct QUICInitialKeys: Sendable {
    public enum Perspective: Sendable {
        /// Keys protecting what the client sends (the ClientHello).
        case client
        /// Keys protecting what the server sends.
        case server
    }

    public let version: UInt32
    /// AEAD_AES_128_GCM key.
    public let key: SymmetricKey
    /// 12-byte AEAD IV; the nonce is this XOR the packet number (RFC 9001 §5.3).
    public let iv: [UInt8]
    /// AES-128 header-protection key (RFC 9001 §5.4.3).
    public let headerProtectionKey: SymmetricKey

    /// The key's bytes (tests and diagnostics).
    public var keyBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }
    public var headerProtectionKeyBytes: [UInt8] { headerProtectionKey.withUnsafeBytes { Array($0) } }

    /// Nil for a version whose Initial salt is unknown.
    public init?(version: UInt32, destinationConnectionID: ByteView, perspective: Perspective = .client) {
        self.init(version: version, destinationConnectionID: destinationConnectionID.copyBytes(), perspective: perspective)
    }

    public init?(version: UInt32, destinationConnectionID: [UInt8], perspective: Perspective = .client) {
        guard let salt = QUICInitialKeys.initialSalt(for: version) else { return nil }
        let isV2 = version == QUICVersion.v2
        let initialSecret = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: destinationConnectionID), salt: salt)
        let secret = QUICInitialKeys.expandLabel(
            secret: initialSecret.withUnsafeBytes { Array($0) }, label: perspective == .client ? "client in" : "server in", length: 32
        ).withUnsafeBytes { Array($0) }
        self.version = version
        self.key = QUICInitialKeys.expandLabel(secret: secret, label: isV2 ? "quicv2 key" : "quic key", length: 16)
        self.iv = QUICInitialKeys.expandLabel(secret: secret, label: isV2 ? "quicv2 iv" : "quic iv", length: 12)
            .withUnsafeBytes { Array($0) }
        self.headerProtectionKey = QUICInitialKeys.expandLabel(secret: secret, label: isV2 ? "quicv2 hp" : "quic hp", length: 16)
    }

    /// The Initial salt of `version` (RFC 9001 §5.2, RFC 9369 §3.3.1, and the
    /// IETF drafts still seen in old captures), or nil when unknown.
    public static func initialSalt(for version: UInt32) -> [UInt8]? {
        switch version {
        case QUICVersion.v1, 0xFF00_0021, 0xFF00_0022:
            return [0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17, 0x9A, 0xE6, 0xA4, 0xC8, 0x0C, 0xAD, 0xCC, 0xBB, 0x7F, 0x0A]
        case QUICVersion.v2:
            return [0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93, 0x81, 0xBE, 0x6E, 0x26, 0x9D, 0xCB, 0xF9, 0xBD, 0x2E, 0xD9]
        case 0xFF00_001D...0xFF00_0020:  // drafts 29–32
            return [0xAF, 0xBF, 0xEC, 0x28, 0x99, 0x93, 0xD2, 0x4C, 0x9E, 0x97, 0x86, 0xF1, 0x9C, 0x61, 0x11, 0xE0, 0x43, 0x90, 0xA8, 0x99]
        case 0xFF00_0017...0xFF00_001C:  // drafts 23–28
            return [0xC3, 0xEE, 0xF7, 0x12, 0xC7, 0x2E, 0xBB, 0x5A, 0x11, 0xA7, 0xD2, 0x43, 0x2B, 0xB4, 0x63, 0x65, 0xBE, 0xF9, 0xF5, 0x02]
        default:
            return nil
        }
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context:
    /// `uint16 length | opaque label<7..255> = "tls13 " + label | opaque context<0..255> = ""`.
    public static func expandLabel(secret: [UInt8], label: String, length: Int) -> SymmetricKey {
        let full = Array("tls13 ".utf8) + Array(label.utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), UInt8(full.count)]
        info += full
        info.append(0)
        return HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
    }
}
