/// What a ClientHello says about where the client is going (RFC 8446 §4.1.2):
///
/// ```
/// HandshakeType msg_type (1) = 1 | uint24 length
/// ProtocolVersion legacy_version (2) | Random random (32)
/// opaque legacy_session_id<0..32> | CipherSuite cipher_suites<2..2^16-2>
/// opaque legacy_compression_methods<1..2^8-1> | Extension extensions<8..2^16-1>
/// ```
///
/// Every view borrows the parsed bytes (the packet, or the caller's gather
/// buffer) and is valid only while they are.
public struct TLSClientHelloFacts {
    /// The whole handshake message, 4-byte header included.
    public let message: ByteView
    public let legacyVersion: UInt16
    public let random: ByteView
    public let sessionID: ByteView
    /// Cipher suites, 2 bytes each.
    public let cipherSuites: ByteView
    public let compressionMethods: ByteView
    /// The extensions block (empty when a pre-TLS-1.3 client sent none).
    public let extensions: ByteView
    public let extensionCount: Int
    /// `host_name` of server_name (RFC 6066 §3), raw bytes; the outer/public
    /// name when `hasECH`.
    public let serverName: ByteView?
    /// `ProtocolNameList` content of ALPN (RFC 7301 §3.1).
    public let alpn: ByteView?
    /// supported_versions list content (RFC 8446 §4.2.1), 2 bytes per version.
    public let supportedVersions: ByteView?
    /// encrypted_client_hello (0xfe0d) present (draft-ietf-tls-esni §5).
    public let hasECH: Bool
    /// ECHClientHello type byte: 0 = outer, 1 = inner.
    public let echType: UInt8?

    /// ALPN protocol names in client preference order.
    public var alpnProtocols: LengthPrefixedList8 { LengthPrefixedList8(alpn ?? .empty) }

    /// Offered versions in order, GREASE values (RFC 8701, 0x?a?a) included.
    public var versions: UInt16List { UInt16List(supportedVersions ?? .empty) }

    /// The highest non-GREASE version offered: supported_versions when present, else legacy_version.
    public var highestVersion: UInt16 {
        var best: UInt16 = 0
        for v in versions where !TLSClientHello.isGREASE(v) {
            best = Swift.max(best, v)
        }
        return best == 0 ? legacyVersion : best
    }

    /// The server name as a String (allocates: off the per-packet path).
    public var serverNameString: String? {
        serverName.map { v in v.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    }

    /// Consecutive big-endian 16-bit values.
    public struct UInt16List: Sequence, IteratorProtocol {
        let view: ByteView
        var offset = 0
        init(_ view: ByteView) { self.view = view }
        public mutating func next() -> UInt16? {
            guard let v = view.u16(at: offset) else { return nil }
            offset += 2
            return v
        }
    }
}

/// The outcome of looking for a ClientHello in some bytes.
public enum TLSClientHelloParse {
    case complete(TLSClientHelloFacts)
    /// The message is not all here: `total` bytes of this input are needed.
    /// For a record stream this counts record headers: exact while the record
    /// in progress covers the rest, otherwise a lower bound (each further
    /// record adds 5 bytes). Before the handshake header arrives it is 9.
    case needMoreBytes(total: Int)
    /// Not a TLS handshake record, or a handshake message other than ClientHello.
    case notClientHello
    /// The message claims more than the caller's cap; nothing beyond the header was read.
    case tooLarge(claimed: Int)
    case malformed(TLSIssue)
}

public enum TLSClientHello {
    public static let handshakeType: UInt8 = 1
    /// Default cap on a ClientHello: generous for post-quantum key shares and padding.
    public static let defaultMaxLength = 65_536

    public enum ExtensionType {
        public static let serverName: UInt16 = 0
        public static let alpn: UInt16 = 16
        public static let supportedVersions: UInt16 = 43
        public static let encryptedClientHello: UInt16 = 0xFE0D
    }

    /// GREASE values (RFC 8701 §2): both bytes equal and of the form 0x?A.
    @inlinable
    public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }

    /// Parses a ClientHello from a TLS record stream (the client's first
    /// flight as reassembled so far). When the message fits in the first
    /// record it is read in place; when it spans records, the fragments are
    /// gathered into `scratch`, whose size is the cap (`tooLarge` beyond it),
    /// and the returned views point into `scratch`.
    public static func parse(records stream: ByteView, scratch: UnsafeMutableRawBufferPointer) -> TLSClientHelloParse {
        guard let record = TLSRecordHeader(stream) else {
            if let first = stream.u8(at: 0), first != TLSRecordHeader.ContentType.handshake { return .notClientHello }
            if let major = stream.u8(at: 1), major != 3 { return .notClientHello }
            return .needMoreBytes(total: TLSRecordHeader.size + 4)
        }
        guard record.contentType == TLSRecordHeader.ContentType.handshake, record.version >> 8 == 3 else {
            return .notClientHello
        }
        guard record.length <= TLSRecordHeader.maxFragmentLength else {
            return .malformed(TLSIssue(.recordTooLong, at: 3, needed: TLSRecordHeader.maxFragmentLength, had: record.length))
        }
        let fragmentStart = TLSRecordHeader.size
        if let type = stream.u8(at: fragmentStart), type != handshakeType { return .notClientHello }
        // A handshake header split across records is rare; gathering handles it.
        guard record.length >= 4 else { return parseGathered(stream, scratch: scratch) }
        guard let bodyLength = stream.u24(at: fragmentStart + 1) else {
            return .needMoreBytes(total: fragmentStart + 4)
        }
        let total = 4 + Int(bodyLength)
        guard total <= scratch.count || total <= record.length else { return .tooLarge(claimed: total) }
        if total <= record.length {
            guard let message = stream.slice(from: fragmentStart, length: total) else {
                return .needMoreBytes(total: fragmentStart + total)
            }
            return parse(handshake: message, maxLength: total)
        }
        return parseGathered(stream, scratch: scratch)
    }

    private static func parseGathered(_ stream: ByteView, scratch: UnsafeMutableRawBufferPointer) -> TLSClientHelloParse {
        let gathered = TLSHandshakeGatherer.gather(stream: stream, into: scratch)
        if case .malformed(let issue) = gathered.stop { return .malformed(issue) }
        let view = ByteView(UnsafeRawBufferPointer(rebasing: scratch[0..<gathered.copied]))
        switch parse(handshake: view, maxLength: scratch.count) {
        case .needMoreBytes(let total):
            if case .otherContentType = gathered.stop {
                return .malformed(TLSIssue(.truncated, at: 0, needed: total, had: gathered.copied))
            }
            // Stream bytes: the message plus the headers seen, plus one more header
            // unless the record in progress already covers the rest (then exact).
            var coveredByCurrentRecord = false
            if case .streamEnded(let needed) = gathered.stop {
                coveredByCurrentRecord = needed > 0 && needed >= total - gathered.copied
            }
            let headers = gathered.records + (coveredByCurrentRecord ? 0 : 1)
            return .needMoreBytes(total: total + TLSRecordHeader.size * headers)
        case let other:
            return other
        }
    }

    /// Parses a ClientHello handshake message (4-byte header first), as
    /// carried in QUIC CRYPTO frames or gathered from records.
    public static func parse(handshake bytes: ByteView, maxLength: Int = defaultMaxLength) -> TLSClientHelloParse {
        guard let type = bytes.u8(at: 0) else { return .needMoreBytes(total: 4) }
        guard type == handshakeType else { return .notClientHello }
        guard let bodyLength = bytes.u24(at: 1) else { return .needMoreBytes(total: 4) }
        let total = 4 + Int(bodyLength)
        guard total <= maxLength else { return .tooLarge(claimed: total) }
        guard let message = bytes.slice(from: 0, length: total) else { return .needMoreBytes(total: total) }
        do {
            return .complete(try readBody(message))
        } catch {
            return .malformed(error)
        }
    }

    private static func readBody(_ message: ByteView) throws(TLSIssue) -> TLSClientHelloFacts {
        var r = ByteReader(message, offset: 4)
        guard let legacyVersion = r.readU16(), let random = r.readBytes(32) else {
            throw TLSIssue(.truncated, at: r.offset, needed: 34, had: r.remaining)
        }
        guard let sessionID = r.readLengthPrefixed8() else { throw truncatedVector(r) }
        guard sessionID.count <= 32 else { throw TLSIssue(.badLength, at: r.offset - sessionID.count - 1, needed: 32, had: sessionID.count) }
        guard let suites = r.readLengthPrefixed16() else { throw truncatedVector(r) }
        guard suites.count >= 2, suites.count % 2 == 0 else {
            throw TLSIssue(.badLength, at: r.offset - suites.count - 2, needed: 2, had: suites.count)
        }
        guard let compression = r.readLengthPrefixed8() else { throw truncatedVector(r) }
        guard compression.count >= 1 else { throw TLSIssue(.badLength, at: r.offset - 1, needed: 1, had: 0) }

        var extensions = ByteView.empty
        if !r.isAtEnd {
            guard let block = r.readLengthPrefixed16() else { throw truncatedVector(r) }
            guard r.isAtEnd else { throw TLSIssue(.trailingBytes, at: r.offset, needed: 0, had: r.remaining) }
            extensions = block
        }
        let extensionsStart = r.offset - extensions.count

        var serverName: ByteView? = nil
        var alpn: ByteView? = nil
        var versions: ByteView? = nil
        var hasECH = false
        var echType: UInt8? = nil
        var count = 0
        // Each extension: type (2) | length (2) | body, bounds checked once per extension (through a
        // ByteReader, each of the three reads checked its own: ~60 instructions an extension, and a
        // browser's ClientHello has a dozen or more).
        let end = extensions.count
        var offset = 0
        while offset < end {
            let at = extensionsStart + offset
            let left = end &- offset
            // As reading the type, then the length-prefixed body, reports it: what was left before the read that failed.
            guard left >= 4 else { throw TLSIssue(.truncated, at: at, needed: 4, had: left < 2 ? left : left - 2) }
            let type = extensions.u16Unchecked(at: offset)
            let length = Int(extensions.u16Unchecked(at: offset &+ 2))
            guard length <= left &- 4 else { throw TLSIssue(.truncated, at: at, needed: 4, had: left - 2) }
            let body = extensions.sliceUnchecked(from: offset &+ 4, length: length)
            offset = offset &+ 4 &+ length
            count += 1
            let bodyAt = at + 4
            switch type {
            case ExtensionType.serverName:
                if serverName == nil { serverName = try hostName(in: body, at: bodyAt) }
            case ExtensionType.alpn:
                var b = ByteReader(body)
                guard let list = b.readLengthPrefixed16(), b.isAtEnd, list.count >= 2 else {
                    throw TLSIssue(.badExtension, at: bodyAt, needed: 2, had: body.count)
                }
                // Every ProtocolName is non-empty and the entries fill the list exactly.
                var p = ByteReader(list)
                while !p.isAtEnd {
                    guard let name = p.readLengthPrefixed8(), name.count > 0 else {
                        throw TLSIssue(.badExtension, at: bodyAt + 2 + p.offset, needed: 1, had: p.remaining)
                    }
                }
                alpn = list
            case ExtensionType.supportedVersions:
                var b = ByteReader(body)
                guard let list = b.readLengthPrefixed8(), b.isAtEnd, list.count >= 2, list.count % 2 == 0 else {
                    throw TLSIssue(.badExtension, at: bodyAt, needed: 3, had: body.count)
                }
                versions = list
            case ExtensionType.encryptedClientHello:
                hasECH = true
                echType = body.u8(at: 0)
            default:
                break
            }
        }
        return TLSClientHelloFacts(
            message: message, legacyVersion: legacyVersion, random: random, sessionID: sessionID,
            cipherSuites: suites, compressionMethods: compression, extensions: extensions, extensionCount: count,
            serverName: serverName, alpn: alpn, supportedVersions: versions, hasECH: hasECH, echType: echType)
    }

    /// server_name (RFC 6066 §3): `ServerName server_name_list<1..2^16-1>`,
    /// each `NameType name_type (1) | HostName <1..2^16-1>`; the first host_name (type 0) wins.
    private static func hostName(in body: ByteView, at bodyAt: Int) throws(TLSIssue) -> ByteView? {
        // An empty body is legal in a ServerHello only; a client must send a list.
        var b = ByteReader(body)
        guard let list = b.readLengthPrefixed16(), b.isAtEnd, list.count >= 3 else {
            throw TLSIssue(.badExtension, at: bodyAt, needed: 5, had: body.count)
        }
        var l = ByteReader(list)
        var found: ByteView? = nil
        while !l.isAtEnd {
            guard let nameType = l.readU8(), let name = l.readLengthPrefixed16() else {
                throw TLSIssue(.badExtension, at: bodyAt + 2 + l.offset, needed: 3, had: l.remaining)
            }
            if nameType == 0, found == nil {
                guard name.count > 0 else { throw TLSIssue(.badExtension, at: bodyAt + 2 + l.offset - 2, needed: 1, had: 0) }
                found = name
            }
        }
        return found
    }

    private static func truncatedVector(_ r: ByteReader) -> TLSIssue {
        TLSIssue(.truncated, at: r.offset, needed: 1, had: r.remaining)
    }
}
