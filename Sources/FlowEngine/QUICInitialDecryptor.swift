import PacketWire

/// Why an Initial packet could not be opened.
public enum QUICDecryptFailure: Error, Equatable, Sendable {
    /// Not an Initial packet (Handshake, 0-RTT, Retry… are not readable by an observer).
    case notInitial
    /// The keys are for another version than the packet's.
    case unsupportedVersion
    /// The header-protection sample or the AEAD tag lies outside the packet (or it is longer than a UDP payload).
    case truncated
    /// AEAD authentication failed: wrong keys (another DCID), corruption or garbage.
    case authenticationFailed
}

/// An Initial packet with protection removed.
public struct QUICOpenedPacket: Sendable {
    public let packetNumber: UInt64
    public let packetNumberLength: Int
    /// The unprotected header, first byte to the end of the packet number (the AEAD's associated data).
    public let header: [UInt8]
    /// The decrypted frames.
    public let payload: [UInt8]
}

/// How many Initial packets were opened and why the others were not.
public struct QUICDecryptCounters: Equatable, Sendable {
    public var opened = 0
    public var notInitial = 0
    public var unsupportedVersion = 0
    public var truncated = 0
    public var authenticationFailed = 0

    public init() {}

    public var failures: Int { notInitial + unsupportedVersion + truncated + authenticationFailed }
}

/// Removes Initial packet pro/// The numbers of an Initial packet opened into a decryptor's memory.
public struct QUICOpenedInitial: Sendable {
    public let packetNumber: UInt64
    public let packetNumberLength: Int
    /// Bytes of the unprotected header (first byte to the end of the packet number).
    public let headerLength: Int
    /// Bytes of decrypted frames.
    public let payloadLength: Int
}

/// Removes Initial packet protection (RFC 9001 §5.3, §5.4): header
/// protection with AES-ECB of a 16-byte sample, then AEAD_AES_128_GCM with
/// nonce = iv XOR packet number and the unprotected header as associated data.
///
/// The unprotected header and the frames are written into memory the
/// decryptor allocated once (room for a UDP payload's worth of each), and lent
/// to the caller: opening a packet allocates nothing.
public struct QUICInitialDecryptor: Sendable {
    public private(set) var counters = QUICDecryptCounters()
    /// The header at 0, the frames at `packetCapacity`.
    private let scratch = ScratchBuffer(size: 2 * Self.packetCapacity)

    /// The longest packet opened: a UDP payload's largest.
    static let packetCapacity = 65_536

    public init() {}

    /// Opens the packet and lends `body` its numbers and its frames (valid only
    /// during the call); nil, counted by why, when it cannot be opened. Never
    /// traps on any input. `counting: false` leaves the counters alone (a
    /// first try with keys that may be stale).
    public mutating func withOpened<R>(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64? = nil,
        counting: Bool = true, _ body: (QUICOpenedInitial, ByteView) throws -> R
    ) rethrows -> R? {
        let opened: QUICOpenedInitial
        do {
            opened = try Self.unprotect(header, in: datagram, keys: keys, largestPacketNumber: largestPacketNumber, into: scratch.buffer)
        } catch {
            guard counting else { return nil }
            switch error {
            case .notInitial: counters.notInitial += 1
            case .unsupportedVersion: counters.unsupportedVersion += 1
            case .truncated: counters.truncated += 1
            case .authenticationFailed: counters.authenticationFailed += 1
            }
            return nil
        }
        if counting { counters.opened += 1 }
        return try body(opened, Self.frames(of: opened, in: scratch.buffer))
    }

    /// Opens the packet into arrays of its own (tests, tools): counted as `withOpened` counts.
    public mutating func open(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64? = nil
    ) -> QUICOpenedPacket? {
        let scratch = scratch.buffer
        return withOpened(header, in: datagram, keys: keys, largestPacketNumber: largestPacketNumber) { opened, _ in
            Self.copied(opened, from: scratch)
        }
    }

    /// Opens the packet or throws why not (tests, tools): arrays of its own, no counters.
    public static func openPacket(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64? = nil
    ) throws(QUICDecryptFailure) -> QUICOpenedPacket {
        let scratch = ScratchBuffer(size: 2 * packetCapacity)
        let opened = try unprotect(header, in: datagram, keys: keys, largestPacketNumber: largestPacketNumber, into: scratch.buffer)
        return copied(opened, from: scratch.buffer)
    }

    /// The frames of a packet `unprotect` opened into `scratch`.
    private static func frames(of opened: QUICOpenedInitial, in scratch: UnsafeMutableRawBufferPointer) -> ByteView {
        ByteView(UnsafeRawBufferPointer(rebasing: scratch[packetCapacity..<(packetCapacity + opened.payloadLength)]))
    }

    /// A packet `unprotect` opened into `scratch`, as arrays of its own.
    private static func copied(_ opened: QUICOpenedInitial, from scratch: UnsafeMutableRawBufferPointer) -> QUICOpenedPacket {
        QUICOpenedPacket(packetNumber: opened.packetNumber, packetNumberLength: opened.packetNumberLength,
                         header: Array(UnsafeRawBufferPointer(rebasing: scratch[0..<opened.headerLength])),
                         payload: frames(of: opened, in: scratch).copyBytes())
    }

    /// The one way a packet is opened: its header unprotected into `scratch` at
    /// 0, its frames decrypted into `scratch` at `packetCapacity`.
    static func unprotect(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64?,
        into scratch: UnsafeMutableRawBufferPointer
    ) throws(QUICDecryptFailure) -> QUICOpenedInitial {
        guard header.type == .initial else { throw .notInitial }
        guard keys.version == header.version else { throw .unsupportedVersion }
        let pnOffset = header.packetNumberOffset
        // RFC 9001 §5.4.2: the sample starts 4 bytes after the packet number's first byte.
        guard header.end <= datagram.count, header.end - header.offset <= packetCapacity, pnOffset + 4 + 16 <= header.end,
              let sample = datagram.slice(from: pnOffset + 4, length: 16),
              let firstByte = datagram.u8(at: header.offset)
        else { throw .truncated }

        var mask: (UInt64, UInt64) = (0, 0)
        sample.withUnsafeBytes { bytes in withUnsafeMutableBytes(of: &mask) { $0.copyMemory(from: bytes) } }
        keys.headerProtectionKey.encrypt(&mask)
        return try withUnsafeBytes(of: mask) { (mask) throws(QUICDecryptFailure) -> QUICOpenedInitial in
            // Long header: the low 4 bits of the first byte are protected (RFC 9001 §5.4.1).
            let first = firstByte ^ (mask[0] & 0x0F)
            let pnLength = Int(first & 0x03) + 1
            let headerLength = pnOffset + pnLength - header.offset
            let payloadStart = pnOffset + pnLength
            guard header.end - payloadStart >= 16, let headerView = datagram.slice(from: header.offset, length: headerLength),
                  let ciphertext = datagram.slice(from: payloadStart, length: header.end - payloadStart - 16),
                  let tag = datagram.slice(from: header.end - 16, length: 16)
            else { throw .truncated }
            let aad = scratch.baseAddress!
            headerView.withUnsafeBytes { aad.copyMemory(from: $0.baseAddress!, byteCount: headerLength) }
            aad.storeBytes(of: first, as: UInt8.self)
            var truncatedPN: UInt64 = 0
            for i in 0..<pnLength {
                let index = headerLength - pnLength + i
                let byte = aad.load(fromByteOffset: index, as: UInt8.self) ^ mask[1 + i]
                aad.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
                truncatedPN = truncatedPN << 8 | UInt64(byte)
            }
            let packetNumber = decodePacketNumber(truncated: truncatedPN, length: pnLength, largest: largestPacketNumber)

            var nonce = keys.ivExpansion
            withUnsafeMutableBytes(of: &nonce) { n in
                for i in 0..<8 { n[11 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(i))) }
            }
            let authentic = withUnsafeBytes(of: nonce) { nonce in
                ciphertext.withUnsafeBytes { ciphertext in
                    tag.withUnsafeBytes { tag in
                        keys.packetKey.open(nonce: nonce, aad: UnsafeRawBufferPointer(start: aad, count: headerLength), ciphertext: ciphertext,
                                            tag: tag, into: scratch.baseAddress! + packetCapacity)
                    }
                }
            }
            guard authentic else { throw .authenticationFailed }
            return QUICOpenedInitial(packetNumber: packetNumber, packetNumberLength: pnLength, headerLength: headerLength,
                                     payloadLength: ciphertext.count)
        }
    }

    /// Packet number recovery (RFC 9000 §A.3): the candidate closest to
    /// `largest + 1` among values ending in the received `length` bytes.
    /// With no packet received yet the expected number is 0.
    public static func decodePacketNumber(truncated: UInt64, length: Int, largest: UInt64?) -> UInt64 {
        let bits = UInt64(length * 8)
        // Packet numbers stop at 2^62 - 1 (RFC 9000 §12.3); clamping keeps the arithmetic below in range.
        let expected = largest.map { Swift.min($0, (1 << 62) - 1) + 1 } ?? 0
        let window: UInt64 = 1 << bits
        let halfWindow = window / 2
        let mask = window - 1
        let candidate = (expected & ~mask) | truncated
        if expected >= halfWindow, candidate <= expected - halfWindow, candidate < (1 << 62) - window {
            return candidate + window
        }
        if candidate > expected + halfWindow, candidate >= window {
            return candidate - window
        }
        return candidate
    }
}
