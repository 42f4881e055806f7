/// A ServerHello (RFC 8446 §4.1.3) answering a ClientHello, so captures look like real handshakes.
public enum TLSServerHello {
    /// TLS 1.3 (supported_versions 0x0304, x25519 key share) or TLS 1.2 (no extensions) ServerHello message.
    public static func handshakeMessage(tls13: Bool, sessionID: [UInt8], rng: inout SeededGenerator) -> [UInt8] {
        var body: [UInt8] = []
        body.appendU16(0x0303)
        body.append(contentsOf: rng.bytes(32))
        body.appendLengthPrefixed8(sessionID)
        body.appendU16(tls13 ? 0x1301 : 0xc02f)
        body.append(0)
        var ext: [UInt8] = []
        if tls13 {
            ext.appendU16(TLSExtensionType.supportedVersions); ext.appendU16(2); ext.appendU16(0x0304)
            ext.appendU16(TLSExtensionType.keyShare); ext.appendU16(36); ext.appendU16(0x001d)
            ext.appendLengthPrefixed16(rng.bytes(32))
        } else {
            ext.appendU16(TLSExtensionType.renegotiationInfo); ext.appendU16(1); ext.append(0)
        }
        body.appendLengthPrefixed16(ext)
        var message: [UInt8] = [2]
        message.appendU24(UInt32(truncatingIfNeeded: body.count))
        message.append(contentsOf: body)
        return message
    }

    /// The legacy_session_id a ClientHello handshake message carries (echoed by the server).
    public static func sessionID(ofClientHello hello: [UInt8]) -> [UInt8] {
        // msg_type(1) length(3) version(2) random(32) → session id length at 38.
        guard hello.count > 38 else { return [] }
        let n = Int(hello[38])
        guard hello.count >= 39 + n else { return [] }
        return Array(hello[39..<(39 + n)])
    }
}
