/// TLS ClientHello (RFC 8446 §4.1.2) shaped like a modern browser's, and its record-layer framing
/// (RFC 8446 §5.1), whole or split across records.
public struct ClientHelloSpec: Sendable {
    public enum KeyShareGroup: UInt16, Sendable {
        case x25519 = 0x001d
        case secp256r1 = 0x0017
        /// draft-ietf-tls-ecdhe-mlkem: 1184-byte ML-KEM-768 key + 32-byte X25519 share.
        case x25519MLKEM768 = 0x11ec

        var shareLength: Int {
            switch self {
            case .x25519: 32
            case .secp256r1: 65
            case .x25519MLKEM768: 1216
            }
        }
    }

    public var serverName: String?
    public var alpn: [String]
    /// Adds supported_versions offering TLS 1.3 and 1.2 (without it the hello is TLS 1.2 only).
    public var offerTLS13: Bool
    /// Adds an outer encrypted_client_hello extension (draft-ietf-tls-esni, type 0xfe0d).
    public var encryptedClientHello: Bool
    public var keyShares: [KeyShareGroup]
    /// RFC 7685 padding extension so the handshake message reaches this many bytes (nil: none).
    public var padToLength: Int?
    /// QUIC transport parameters (RFC 9000 §18); present only for QUIC, where session id is empty.
    public var quicTransportParameters: [UInt8]?

    public init(serverName: String?, alpn: [String] = ["h2", "http/1.1"], offerTLS13: Bool = true,
                encryptedClientHello: Bool = false, keyShares: [KeyShareGroup] = [.x25519],
                padToLength: Int? = 512, quicTransportParameters: [UInt8]? = nil) {
        self.serverName = serverName; self.alpn = alpn; self.offerTLS13 = offerTLS13
        self.encryptedClientHello = encryptedClientHello; self.keyShares = keyShares
        self.padToLength = padToLength; self.quicTransportParameters = quicTransportParameters
    }
}

public enum TLSExtensionType {
    public static let serverName: UInt16 = 0
    public static let statusRequest: UInt16 = 5
    public static let supportedGroups: UInt16 = 10
    public static let ecPointFormats: UInt16 = 11
    public static let signatureAlgorithms: UInt16 = 13
    public static let alpn: UInt16 = 16
    public static let padding: UInt16 = 21
    public static let extendedMasterSecret: UInt16 = 23
    public static let sessionTicket: UInt16 = 35
    public static let supportedVersions: UInt16 = 43
    public static let pskKeyExchangeModes: UInt16 = 45
    public static let keyShare: UInt16 = 51
    public static let quicTransportParameters: UInt16 = 57
    public static let encryptedClientHello: UInt16 = 0xfe0d
    public static let renegotiationInfo: UInt16 = 0xff01
}

public enum TLSClientHello {
    /// The handshake message: msg_type 1, uint24 length, ClientHello body.
    public static func handshakeMessage(_ spec: ClientHelloSpec, rng: inout SeededGenerator) -> [UInt8] {
        let isQUIC = spec.quicTransportParameters != nil
        var body: [UInt8] = []
        body.appendU16(0x0303)                          // legacy_version TLS 1.2
        body.append(contentsOf: rng.bytes(32))          // random
        body.appendLengthPrefixed8(isQUIC ? [] : rng.bytes(32)) // legacy_session_id (RFC 9001 §8.4: empty in QUIC)
        var suites: [UInt8] = []
        let suiteList: [UInt16] = spec.offerTLS13
            ? [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8]
            : [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009c, 0x009d]
        for s in (isQUIC ? [0x1301, 0x1302, 0x1303] : suiteList) { suites.appendU16(s) }
        body.appendLengthPrefixed16(suites)
        body.appendLengthPrefixed8([0])                 // compression: null

        var ext: [UInt8] = []
        func add(_ type: UInt16, _ data: [UInt8]) { ext.appendU16(type); ext.appendLengthPrefixed16(data) }

        if let name = spec.serverName {
            var entry: [UInt8] = [0]                    // name_type host_name
            entry.appendLengthPrefixed16(Array(name.utf8))
            var list: [UInt8] = []
            list.appendLengthPrefixed16(entry)
            add(TLSExtensionType.serverName, list)
        }
        add(TLSExtensionType.extendedMasterSecret, [])
        if !isQUIC { add(TLSExtensionType.renegotiationInfo, [0]) }
        var groups: [UInt8] = []
        for g: UInt16 in [0x11ec, 0x001d, 0x0017, 0x0018] { groups.appendU16(g) }
        add(TLSExtensionType.supportedGroups, [UInt8]([0]) + [UInt8(groups.count)] + groups)
        if !isQUIC { add(TLSExtensionType.ecPointFormats, [1, 0]) }
        if !isQUIC { add(TLSExtensionType.sessionTicket, []) }
        if !spec.alpn.isEmpty {
            var list: [UInt8] = []
            for p in spec.alpn { list.appendLengthPrefixed8(Array(p.utf8)) }
            var data: [UInt8] = []
            data.appendLengthPrefixed16(list)
            add(TLSExtensionType.alpn, data)
        }
        add(TLSExtensionType.statusRequest, [1, 0, 0, 0, 0])
        var sigs: [UInt8] = []
        for s: UInt16 in [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601] { sigs.appendU16(s) }
        var sigData: [UInt8] = []
        sigData.appendLengthPrefixed16(sigs)
        add(TLSExtensionType.signatureAlgorithms, sigData)
        if spec.offerTLS13 {
            var shares: [UInt8] = []
            for g in spec.keyShares {
                shares.appendU16(g.rawValue)
                shares.appendLengthPrefixed16(rng.bytes(g.shareLength))
            }
            var data: [UInt8] = []
            data.appendLengthPrefixed16(shares)
            add(TLSExtensionType.keyShare, data)
            add(TLSExtensionType.pskKeyExchangeModes, [1, 1])
            add(TLSExtensionType.supportedVersions, isQUIC ? [2, 0x03, 0x04] : [4, 0x03, 0x04, 0x03, 0x03])
        }
        if let tp = spec.quicTransportParameters { add(TLSExtensionType.quicTransportParameters, tp) }
        if spec.encryptedClientHello {
            // ECHClientHello outer: type 0, HPKE suite (HKDF-SHA256, AES-128-GCM), config_id, enc (X25519), payload.
            var ech: [UInt8] = [0]
            ech.appendU16(0x0001); ech.appendU16(0x0001)
            ech.append(UInt8(truncatingIfNeeded: rng.next()))
            ech.appendLengthPrefixed16(rng.bytes(32))
            ech.appendLengthPrefixed16(rng.bytes(144 + 32 * rng.below(4)))
            add(TLSExtensionType.encryptedClientHello, ech)
        }
        if let target = spec.padToLength, !isQUIC {
            // 4 (handshake header) + body + 2 (extensions length) + ext + 4 (padding ext header).
            let current = 4 + body.count + 2 + ext.count + 4
            if current < target { add(TLSExtensionType.padding, [UInt8](repeating: 0, count: target - current)) }
        }
        body.appendLengthPrefixed16(ext)

        var message: [UInt8] = [1]
        message.appendU24(UInt32(truncatingIfNeeded: body.count))
        message.append(contentsOf: body)
        return message
    }

    /// Wraps handshake bytes in TLS records of at most `maxFragment` bytes each (content type 22,
    /// legacy_record_version 0x0301 as clients send in the first flight).
    public static func records(_ handshake: [UInt8], maxFragment: Int = 16_384) -> [UInt8] {
        recordsBySize(handshake, step: max(1, maxFragment))
    }

    /// Splits handshake bytes into records whose fragments have the given sizes (the last record takes the rest).
    public static func records(_ handshake: [UInt8], fragmentSizes: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        var sizes = fragmentSizes[...]
        while offset < handshake.count {
            let size = sizes.popFirst().map { max(1, $0) } ?? (handshake.count - offset)
            let end = min(handshake.count, offset + size)
            out.append(22)
            out.appendU16(0x0301)
            out.appendLengthPrefixed16(Array(handshake[offset..<end]))
            offset = end
        }
        return out
    }

    static func recordsBySize(_ handshake: [UInt8], step: Int) -> [UInt8] {
        var sizes: [Int] = []
        var remaining = handshake.count
        while remaining > 0 { sizes.append(min(step, remaining)); remaining -= step }
        return records(handshake, fragmentSizes: sizes)
    }

    /// An application_data record (type 23) with opaque content, as seen after the handshake.
    public static func applicationDataRecord(_ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [23]
        out.appendU16(0x0303)
        out.appendLengthPrefixed16(content)
        return out
    }
}
