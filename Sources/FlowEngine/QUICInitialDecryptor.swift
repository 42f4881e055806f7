import Crypto
import CryptoExtras
import PacketWire

/// Why an Initial packet could not be opened.
public enum QUICDecryptFailure: Error, Equatable, Sendable {
    /// Not an Initial packet (Handshake, 0-RTT, Retry… are not readable by an observer).
    case notInitial
    /// The packet's version has no known Initial salt, or the keys are for another version.
    case unsupportedVersion
    /// The header-protection sample or the AEAD tag lies outside the packet.
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

/// Removes Initial packet protection (RFC 9001 §5.3, §5.4): header
/// protection with AES-ECB of a 16-byte sample, then AEAD_AES_128_GCM with
/// nonce = iv XOR packet number and the unprotected header as associated data.
/// Runs only on a flow's first flight (a handful of packets), so the
/// allocations of the crypto API are not on the per-packet path.
public struct QUICInitialDecryptor: Sendable {
    public private(set) var counters = QUICDecryptCounters()

    public init() {}

    /// Opens the packet or counts why not; never traps on any input.
    public mutating func open(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64? = nil
    ) -> QUICOpenedPacket? {
        do {
            let packet = try QUICInitialDecryptor.openPacket(header, in: datagram, keys: keys, largestPacketNumber: largestPacketNumber)
            counters.opened += 1
            return packet
        } catch {
            switch error {
            case .notInitial: counters.notInitial += 1
            case .unsupportedVersion: counters.unsupportedVersion += 1
            case .truncated: counters.truncated += 1
            case .authenticationFailed: counters.authenticationFailed += 1
            }
            return nil
        }
    }

    public static func openPacket(
        _ header: QUICLongHeader, in datagram: ByteView, keys: QUICInitialKeys, largestPacketNumber: UInt64? = nil
    ) throws(QUICDecryptFailure) -> QUICOpenedPacket {
        guard header.type == .initial else { throw .notInitial }
        guard keys.version == header.version else { throw .unsupportedVersion }
        let pnOffset = header.packetNumberOffset
        // RFC 9001 §5.4.2: the sample starts 4 bytes after the packet number's first byte.
        guard header.end <= datagram.count, pnOffset + 4 + 16 <= header.end,
              let sampleView = datagram.slice(from: pnOffset + 4, length: 16),
              let firstByte = datagram.u8(at: header.offset)
        else { throw .truncated }

        var mask = sampleView.copyBytes()
        do {
            try AES.permute(&mask, key: keys.headerProtectionKey)
        } catch {
            throw .unsupportedVersion
        }
        // Long header: the low 4 bits of the first byte are protected (RFC 9001 §5.4.1).
        let first = firstByte ^ (mask[0] & 0x0F)
        let pnLength = Int(first & 0x03) + 1
        let headerLength = pnOffset + pnLength - header.offset
        let payloadStart = pnOffset + pnLength
        guard header.end - payloadStart >= 16, let headerView = datagram.slice(from: header.offset, length: headerLength) else {
            throw .truncated
        }
        var aad = headerView.copyBytes()
        aad[0] = first
        var truncatedPN: UInt64 = 0
        for i in 0..<pnLength {
            let index = headerLength - pnLength + i
            aad[index] ^= mask[1 + i]
            truncatedPN = truncatedPN << 8 | UInt64(aad[index])
        }
        let packetNumber = decodePacketNumber(truncated: truncatedPN, length: pnLength, largest: largestPacketNumber)

        var nonce = keys.iv
        for i in 0..<8 {
            nonce[nonce.count - 1 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(i)))
        }
        guard let ciphertext = datagram.slice(from: payloadStart, length: header.end - payloadStart - 16),
              let tag = datagram.slice(from: header.end - 16, length: 16)
        else { throw .truncated }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: nonce), ciphertext: ciphertext.copyBytes(), tag: tag.copyBytes())
            let plaintext = try AES.GCM.open(box, using: keys.key, authenticating: aad)
            return QUICOpenedPacket(
                packetNumber: packetNumber, packetNumberLength: pnLength, header: aad, payload: Array(plaintext))
        } catch {
            throw .authenticationFailed
        }
    }

    /// Packet number recovery (RFC 9000 §A.3): the candidate closest to
    /// `largest + 1` among values ending in the received `length` bytes.
    /// With no packet received yet the expected number is 0.
    public static func decodePacketNumber(truncated: UInt64, length: Int, largest: UInt64?) -> UInt64 {
        let bits = UInt64(length * 8)
        let expected = largest.map { $0 &+ 1 } ?? 0
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
