/// A problem found while reading TLS bytes: what, at which offset of the
/// input, and how many bytes were needed against how many there were.
public struct TLSIssue: Error, Equatable, Sendable {
    public enum What: Equatable, Sendable {
        /// A length field points past the end of its enclosing structure.
        case truncated
        /// A record longer than 2^14 + 256 bytes (RFC 8446 §5.2).
        case recordTooLong
        /// A vector whose length breaks its own rule (odd cipher-suite bytes, empty compression list…).
        case badLength
        /// An extension's body does not match its declared structure.
        case badExtension
        /// Bytes left over after the last field of a structure.
        case trailingBytes
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

/// The 5-byte TLS record header (RFC 8446 §5.1, RFC 5246 §6.2.1):
///
/// ```
/// ContentType type (1) | ProtocolVersion legacy_record_version (2) | uint16 length | fragment
/// ```
public struct TLSRecordHeader: Equatable, Sendable {
    public static let size = 5
    /// Largest record any version allows on the wire: 2^14 plus AEAD expansion (RFC 8446 §5.2).
    public static let maxFragmentLength = 16_384 + 256

    public enum ContentType {
        public static let changeCipherSpec: UInt8 = 20
        public static let alert: UInt8 = 21
        public static let handshake: UInt8 = 22
        public static let applicationData: UInt8 = 23
    }

    public let contentType: UInt8
    public let version: UInt16
    public let length: Int

    /// Reads a header at `offset`; nil when fewer than 5 bytes are there.
    public init?(_ bytes: ByteView, at offset: Int = 0) {
        guard bytes.contains(offset: offset, width: TLSRecordHeader.size) else { return nil }
        contentType = bytes.u8Unchecked(at: offset)
        version = bytes.u16Unchecked(at: offset + 1)
        length = Int(bytes.u16Unchecked(at: offset + 3))
    }

    /// Content type 20…24, version 3.x (SSL 3.0 to TLS 1.3 all carry major 3), length within limits.
    public var isPlausible: Bool {
        (20...24).contains(contentType) && version >> 8 == 3 && length <= TLSRecordHeader.maxFragmentLength
    }
}

/// How far `TLSHandshakeGatherer.gather` got.
public struct TLSGatherResult: Equatable, Sendable {
    public enum Stop: Equatable, Sendable {
        /// The stream ended; `needed` more bytes complete the record in progress (0 on a record boundary).
        case streamEnded(needed: Int)
        /// A record of another content type follows the handshake records.
        case otherContentType(UInt8)
        /// The caller's buffer filled up before the handshake records ended.
        case bufferFull
        /// A record header that is not TLS, or a record over the size limit.
        case malformed(TLSIssue)
    }

    /// Handshake bytes written to the buffer.
    public let copied: Int
    /// Number of record headers read.
    public let records: Int
    public let stop: Stop
}

/// Concatenates the fragments of consecutive handshake records (RFC 8446
/// §5.1: a handshake message may span records) into a caller buffer, so a
/// ClientHello split over several records parses as one message. Bounded by
/// the buffer; a partial last record contributes the bytes it has.
public enum TLSHandshakeGatherer {
    public static func gather(stream: ByteView, into buffer: UnsafeMutableRawBufferPointer) -> TLSGatherResult {
        var offset = 0
        var copied = 0
        var records = 0
        while true {
            guard let header = TLSRecordHeader(stream, at: offset) else {
                let left = stream.count - offset
                return TLSGatherResult(copied: copied, records: records, stop: .streamEnded(needed: left == 0 ? 0 : TLSRecordHeader.size - left))
            }
            guard header.isPlausible else {
                let what: TLSIssue.What = header.length > TLSRecordHeader.maxFragmentLength ? .recordTooLong : .badLength
                return TLSGatherResult(copied: copied, records: records, stop: .malformed(TLSIssue(what, at: offset, needed: TLSRecordHeader.maxFragmentLength, had: header.length)))
            }
            guard header.contentType == TLSRecordHeader.ContentType.handshake else {
                return TLSGatherResult(copied: copied, records: records, stop: .otherContentType(header.contentType))
            }
            records += 1
            let fragmentStart = offset + TLSRecordHeader.size
            let available = Swift.min(header.length, stream.count - fragmentStart)
            let room = buffer.count - copied
            let take = Swift.min(available, room)
            if take > 0, let fragment = stream.slice(from: fragmentStart, length: take) {
                fragment.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[copied..<(copied + take)]).copyMemory(from: source)
                }
                copied += take
            }
            if take < available {
                return TLSGatherResult(copied: copied, records: records, stop: .bufferFull)
            }
            if available < header.length {
                return TLSGatherResult(copied: copied, records: records, stop: .streamEnded(needed: header.length - available))
            }
            offset = fragmentStart + header.length
        }
    }
}
