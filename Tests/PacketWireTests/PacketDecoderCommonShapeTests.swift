import TestSupport
import Testing
@testable import PacketWire

/// The common-shape path (`decodeCommonShape`) against the general decoder
/// (`decodeInSteps`), field by field: on frames of the shape, on every
/// single-byte change and every cut of them, and on every packet of the real
/// captures. The general decoder is itself checked against tshark
/// (`PacketDecoderRealCaptureTests`) and the RFCs (`PacketDecoderTests`).
@Suite struct PacketDecoderCommonShapeTests {
    /// Every field of `packet` as text (through reflection, so a field added
    /// later is compared too), the payload as its offset and length in the frame.
    static func fields(_ packet: DecodedPacket, frame: UnsafeRawBufferPointer) -> [String] {
        var packet = packet
        let payload = packet.payload.base.map { "\($0 - UnsafeRawPointer(frame.baseAddress!)):\(packet.payload.count)" }
            ?? "none:\(packet.payload.count)"
        let prefix = packet.logPrefix.base.map { "\($0 - UnsafeRawPointer(frame.baseAddress!)):\(packet.logPrefix.count)" }
            ?? "none:\(packet.logPrefix.count)"
        packet.payload = .empty
        packet.logPrefix = .empty
        return Mirror(reflecting: packet).children.map { "\($0.label ?? "?")=\($0.value)" }
            + ["payload bytes=\(payload)", "logPrefix bytes=\(prefix)"]
    }

    struct Outcome {
        var same: Bool
        var tookCommonPath: Bool
        /// The fields that differ, general decoder first.
        var differences: String
    }

    /// Decodes `bytes` both ways (`decode`, which takes the common path when it
    /// can, and the general decoder alone).
    static func compare(_ bytes: [UInt8], linkType: LinkType = .ethernet, originalLength: Int? = nil) -> Outcome {
        let decoder = PacketDecoder()
        return bytes.withUnsafeBytes { raw in
            let frame = ByteView(raw)
            let original = originalLength ?? bytes.count
            var general = DecodedPacket()
            decoder.decodeInSteps(frame, linkType: linkType, originalLength: original, into: &general)
            var viaDecode = DecodedPacket()
            decoder.decode(frame, linkType: linkType, originalLength: original, into: &viaDecode)
            var probe = DecodedPacket()
            let took = linkType == .ethernet && decoder.decodeCommonShape(frame, originalLength: original, into: &probe)
            let a = fields(general, frame: raw), b = fields(viaDecode, frame: raw)
            let differences = zip(a, b).filter { $0 != $1 }.map { "\($0) | \($1)" }.joined(separator: "; ")
            return Outcome(same: a == b, tookCommonPath: took, differences: differences)
        }
    }

    /// Frames of the common shape: a SYN with options, a data segment, a FIN
    /// without payload, a DNS query, a UDP length shorter than the datagram,
    /// and an Ethernet-padded short frame.
    static let frames: [(String, [UInt8])] = {
        let synOptions: [UInt8] = [0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07, 0x04, 0x02, 0x00, 0x00]
        func tcp(_ flags: UInt8, dataOffset: UInt8 = 5, options: [UInt8] = [], payload: [UInt8] = []) -> [UInt8] {
            let segment: [UInt8] = [0xc3, 0x50, 0x01, 0xbb,  // 50000 → 443
                                    0x11, 0x22, 0x33, 0x44,  // sequence
                                    0x55, 0x66, 0x77, 0x88,  // acknowledgment
                                    dataOffset << 4, flags,  // data offset, flags
                                    0xfa, 0xf0,              // window
                                    0x00, 0x00, 0x00, 0x00]  // checksum, urgent pointer
                + options + payload
            return ethernetHeader(type: 0x0800) + ipv4Header(totalLength: 20 + segment.count, protocol: 6) + segment
        }
        let query: [UInt8] = [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                              7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 3, 0x63, 0x6f, 0x6d, 0, 0, 1, 0, 1]
        let dns = ethernetHeader(type: 0x0800) + ipv4Header(totalLength: 28 + query.count, protocol: 17)
            + udpHeader(length: 8 + query.count) + query
        // UDP length 12 inside a 40-byte datagram: 4 bytes of payload, the rest is not UDP's.
        let shortUDP = ethernetHeader(type: 0x0800) + ipv4Header(totalLength: 40, protocol: 17)
            + udpHeader(length: 12, source: 5000, destination: 6000) + [1, 2, 3, 4] + [UInt8](repeating: 0xee, count: 8)
        // A bare ACK padded to Ethernet's 60 bytes: the total length ends the datagram, not the frame.
        let padded = tcp(0x10) + [0, 0, 0, 0, 0, 0]
        return [
            ("syn", tcp(0x02, dataOffset: 8, options: synOptions)),
            ("data", tcp(0x18, payload: Array("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8))),
            ("fin", tcp(0x11)),
            ("dns", dns),
            ("short-udp", shortUDP),
            ("padded", padded),
        ]
    }()

    @Test func framesOfTheShapeTakeTheCommonPathAndDecodeAlike() {
        for (name, bytes) in Self.frames {
            let outcome = Self.compare(bytes)
            #expect(outcome.tookCommonPath, "\(name)")
            #expect(outcome.same, "\(name): \(outcome.differences)")
        }
    }

    /// Each byte of each frame's headers set to values that matter (0, all
    /// ones, each bit flipped), each frame cut at every length (as a
    /// snaplen would, and as a frame that simply ends), and the wire length
    /// varied: whichever path decodes it, the fields agree.
    @Test func everyMutationDecodesAlike() {
        var common = 0, general = 0, mismatches: [String] = []
        func check(_ name: String, _ bytes: [UInt8], originalLength: Int? = nil) {
            let outcome = Self.compare(bytes, originalLength: originalLength)
            if outcome.tookCommonPath { common += 1 } else { general += 1 }
            if !outcome.same, mismatches.count < 5 {
                mismatches.append("\(name): \(outcome.differences)")
            }
        }
        for (name, frame) in Self.frames {
            let headerBytes = Swift.min(frame.count, 14 + 20 + 20)
            for position in 0..<headerBytes {
                var values: [UInt8] = [0x00, 0xff]
                for bit in 0..<8 { values.append(frame[position] ^ UInt8(1 << bit)) }
                for value in values {
                    var mutated = frame
                    mutated[position] = value
                    check("\(name) byte \(position) = \(value)", mutated)
                }
            }
            for cut in 0..<frame.count {
                let prefix = Array(frame.prefix(cut))
                check("\(name) cut at \(cut) of \(frame.count)", prefix, originalLength: frame.count)
                check("\(name) ending at \(cut)", prefix)
            }
            check("\(name) wire length shorter", frame, originalLength: frame.count - 1)
            check("\(name) wire length 0", frame, originalLength: 0)
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // Both paths were exercised: the comparison is not of one path with itself.
        #expect(common > 300)
        #expect(general > 300)
    }

    @Test(.requires(.shared)) func everyRealCapturePacketDecodesAlike() throws {
        let entries = try PacketDecoderRealCaptureTests.manifest()
        #expect(entries.count >= RealCaptures.manifestEntryCount)
        var common = 0, total = 0, mismatches: [String] = []
        for entry in entries {
            let records = try readCaptureFile(realCapturesFolder + "/" + entry.file)
            for (index, record) in records.enumerated() {
                let outcome = Self.compare(Array(record.bytes), linkType: LinkType(rawValue: record.linkType),
                                           originalLength: record.originalLength)
                total += 1
                if outcome.tookCommonPath { common += 1 }
                if !outcome.same, mismatches.count < 5 {
                    mismatches.append("\(entry.file) packet \(index + 1): \(outcome.differences)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(common > 1000, "\(common) of \(total) packets took the common path")
        #expect(common < total)
    }
}
