import PacketWire

/// Initial packet protection keys (RFC 9001 §5.2, RFC 9369 §3.3.1): derived
/// from the client's first Destination Connection ID, so any observer can
/// read Initial packets. Derived once per QUIC connection, not per packet,
/// and held inline: no heap, so a connection read costs no allocation.
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
    /// AEAD_AES_128_GCM key (RFC 9001 §5.3).
    let packetKey: AES128Key
    /// AES-128 header-protection key (RFC 9001 §5.4.3).
    let headerProtectionKey: AES128Key
    /// The AEAD IV is this expansion's first 12 bytes; the nonce is the IV XOR the packet number (RFC 9001 §5.3).
    let ivExpansion: SHA256State.Digest

    /// The keys' bytes (tests, and the capture generator's own sealing).
    public var keyBytes: [UInt8] { packetKey.bytes }
    public var iv: [UInt8] { ivExpansion.withBytes { Array($0.prefix(12)) } }
    public var headerProtectionKeyBytes: [UInt8] { headerProtectionKey.bytes }

    /// Nil for a version whose Initial salt is unknown.
    public init?(version: UInt32, destinationConnectionID: ByteView, perspective: Perspective = .client) {
        guard let extract = QUICInitialKeys.saltKey(for: version) else { return nil }
        // initial_secret = HKDF-Extract(salt, DCID) = HMAC(salt, DCID): the salt's key is prepared once.
        let initialSecret = destinationConnectionID.withUnsafeBytes { extract.authenticate($0) }
        self.init(version: version, initialSecret: initialSecret, perspective: perspective)
    }

    public init?(version: UInt32, destinationConnectionID: [UInt8], perspective: Perspective = .client) {
        guard let keys = destinationConnectionID.withUnsafeBytes({
            QUICInitialKeys(version: version, destinationConnectionID: ByteView($0), perspective: perspective)
        }) else { return nil }
        self = keys
    }

    private init(version: UInt32, initialSecret: SHA256State.Digest, perspective: Perspective) {
        let isV2 = version == QUICVersion.v2
        let secret = initialSecret.withBytes { prk in
            QUICInitialKeys.expandLabel(HMACSHA256(key: prk), label: perspective == .client ? "client in" : "server in", length: 32)
        }
        let keyed = secret.withBytes { HMACSHA256(key: $0) }
        self.version = version
        packetKey = QUICInitialKeys.expandLabel(keyed, label: isV2 ? "quicv2 key" : "quic key", length: 16).withBytes {
            AES128Key(UnsafeRawBufferPointer(rebasing: $0.prefix(16)))
        }
        ivExpansion = QUICInitialKeys.expandLabel(keyed, label: isV2 ? "quicv2 iv" : "quic iv", length: 12)
        headerProtectionKey = QUICInitialKeys.expandLabel(keyed, label: isV2 ? "quicv2 hp" : "quic hp", length: 16).withBytes {
            AES128Key(UnsafeRawBufferPointer(rebasing: $0.prefix(16)))
        }
    }

    /// The Initial salts (RFC 9001 §5.2, RFC 9369 §3.3.1, and the IETF drafts
    /// still seen in old captures), by `saltIndex`.
    private static let salts: [[UInt8]] = [
        [0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17, 0x9A, 0xE6, 0xA4, 0xC8, 0x0C, 0xAD, 0xCC, 0xBB, 0x7F, 0x0A],
        [0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93, 0x81, 0xBE, 0x6E, 0x26, 0x9D, 0xCB, 0xF9, 0xBD, 0x2E, 0xD9],
        [0xAF, 0xBF, 0xEC, 0x28, 0x99, 0x93, 0xD2, 0x4C, 0x9E, 0x97, 0x86, 0xF1, 0x9C, 0x61, 0x11, 0xE0, 0x43, 0x90, 0xA8, 0x99],
        [0xC3, 0xEE, 0xF7, 0x12, 0xC7, 0x2E, 0xBB, 0x5A, 0x11, 0xA7, 0xD2, 0x43, 0x2B, 0xB4, 0x63, 0x65, 0xBE, 0xF9, 0xF5, 0x02],
    ]

    /// Each salt as a prepared HMAC key (HKDF-Extract's), made once.
    private static let saltKeys: [HMACSHA256] = salts.map { HMACSHA256(key: $0) }

    /// Which salt `version` uses; nil when unknown.
    private static func saltIndex(for version: UInt32) -> Int? {
        switch version {
        case QUICVersion.v1, 0xFF00_0021, 0xFF00_0022: 0
        case QUICVersion.v2: 1
        case 0xFF00_001D...0xFF00_0020: 2  // drafts 29–32
        case 0xFF00_0017...0xFF00_001C: 3  // drafts 23–28
        default: nil
        }
    }

    private static func saltKey(for version: UInt32) -> HMACSHA256? {
        saltIndex(for: version).map { saltKeys[$0] }
    }

    /// The Initial salt of `version`, or nil when unknown.
    public static func initialSalt(for version: UInt32) -> [UInt8]? {
        saltIndex(for: version).map { salts[$0] }
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) of `secret` with an empty context.
    public static func expandLabel(secret: [UInt8], label: StaticString, length: Int) -> [UInt8] {
        expandLabel(HMACSHA256(key: secret), label: label, length: length).withBytes { Array($0.prefix(length)) }
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context:
    /// `uint16 length | opaque label<7..255> = "tls13 " + label | opaque context<0..255> = ""`,
    /// HKDF-Expand (RFC 5869 §2.3) of at most one block (32 bytes, all QUIC's
    /// Initial keys need): T(1) = HMAC(secret, info | 0x01), whose first
    /// `length` bytes are the output (`length` is part of the info, so it still matters).
    static func expandLabel(_ secret: HMACSHA256, label: StaticString, length: Int) -> SHA256State.Digest {
        precondition(length <= 32)
        // uint16 length | uint8 label length | "tls13 " + label | uint8 0 (context) | 0x01 (counter): at most 64 bytes here.
        var info: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let used: Int = withUnsafeMutableBytes(of: &info) { raw in
            raw[0] = UInt8(truncatingIfNeeded: length >> 8)
            raw[1] = UInt8(truncatingIfNeeded: length)
            let prefix: StaticString = "tls13 "
            raw[2] = UInt8(prefix.utf8CodeUnitCount + label.utf8CodeUnitCount)
            var n = 3
            prefix.withUTF8Buffer { bytes in for b in bytes { raw[n] = b; n += 1 } }
            label.withUTF8Buffer { bytes in for b in bytes { raw[n] = b; n += 1 } }
            raw[n] = 0       // empty context
            raw[n + 1] = 1   // T(1)
            return n + 2
        }
        return withUnsafeBytes(of: &info) { secret.authenticate(UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
    }
}
