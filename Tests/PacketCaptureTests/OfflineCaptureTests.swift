import CPcap
import Foundation
import TestSupport
import Testing
@testable import PacketCapture
import PacketWire

/// Reads a capture and returns (packets, a digest of every record's timestamp,
/// lengths and bytes) so two encodings of the same packets can be compared.
private func readAll(_ path: String) throws -> (count: Int, digest: UInt64, error: CaptureError?) {
    let capture = try OfflineCapture(path: path)
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ v: UInt64) { digest = (digest ^ v) &* 0x0000_0100_0000_01b3 }
    var n = 0
    do {
        n = try capture.forEachPacket { p in
            mix(UInt64(bitPattern: p.timestampNanoseconds))
            mix(UInt64(p.originalLength))
            mix(UInt64(p.bytes.count))
            p.bytes.withUnsafeBytes { for b in $0 { mix(UInt64(b)) } }
        }
        return (n, digest, nil)
    } catch {
        return (n, digest, error)
    }
}

@Suite struct OfflineCaptureTests {
    @Test(.requires(.shared))
    func packetCountsMatchTshark() throws {
        let entries = try SharedData.manifest()
        #expect(entries.count >= RealCaptures.manifestEntryCount)
        for entry in entries {
            for reader in [OfflineCapture.Reader.automatic, .libpcap] {
                let path = SharedData.realCaptures.appendingPathComponent(entry.file).path
                let capture = try OfflineCapture(path: path, reader: reader)
                // libpcap reports DLTs (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux): compare names.
                #expect(LinkType(rawValue: capture.linkType).name == entry.link_type_names.first, "\(entry.file)")
                #expect(capture.format.container.rawValue == entry.file_format, "\(entry.file)")
                if let order = entry.byte_order { #expect(capture.format.byteOrder.rawValue == order, "\(entry.file)") }
                var truncated = 0
                let n = try capture.forEachPacket { if $0.isTruncated { truncated += 1 } }
                #expect(n == entry.packet_count, "\(entry.file): \(capture.readerInUse) read \(n), tshark \(entry.packet_count)")
                if let t = entry.truncated_frames { #expect(truncated == t, "\(entry.file)") }
            }
        }
    }

    @Test(.requires(.shared, .gzip))
    func gzipCapturesReadLikeTheOriginal() throws {
        let gzip = try #require(Prerequisite.gzip.path)
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["zeek-dhe.pcap", "ja4-tls-sni.pcapng", "ndpi-fuzz-2006-06-26-2594.pcap"] {
            let src = SharedData.realCaptures.appendingPathComponent(name).path
            let gz = dir.appendingPathComponent(name + ".gz").path
            let (status, data) = try SharedData.run(gzip, ["-c", src])
            #expect(status == 0)
            try data.write(to: URL(fileURLWithPath: gz))
            let plain = try readAll(src)
            let packed = try readAll(gz)
            #expect(plain.error == nil && packed.error == nil)
            #expect(plain.count == packed.count && plain.count > 0, "\(name)")
            #expect(plain.digest == packed.digest, "\(name)")
            #expect(try OfflineCapture(path: gz).format.gzip)
        }
    }

    /// editcap (Wireshark) rewrites the same packets as pcapng and as nanosecond
    /// pcap: an independent writer for the formats libpcap must read alike.
    @Test(.requires(.shared, .editcap))
    func formatsConvertedByEditcapReadAlike() throws {
        let editcap = try #require(Prerequisite.editcap.path)
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = SharedData.realCaptures.appendingPathComponent("zeek-tls-conn-with-extensions.pcap").path
        let original = try readAll(src)
        for (format, container, precision) in [("pcapng", "pcapng", nil), ("nsecpcap", "pcap", "nanosecond"), ("pcap", "pcap", "microsecond")] as [(String, String, String?)] {
            let out = dir.appendingPathComponent("out.\(format)").path
            #expect(try SharedData.run(editcap, ["-F", format, src, out]).status == 0)
            let capture = try OfflineCapture(path: out)
            #expect(capture.format.container.rawValue == container)
            #expect(capture.format.precision?.rawValue == precision)
            let converted = try readAll(out)
            #expect(converted.count == original.count)
            #expect(converted.digest == original.digest, "\(format): timestamps or bytes differ")
        }
    }

    @Test func nanosecondTimestampsKeepTheirPrecision() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Hand-written nanosecond pcap, big-endian: one 60-byte Ethernet frame at 1.000000123 s.
        var file: [UInt8] = [0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1]
        file += [0, 0, 0, 1, 0, 0, 0, 123, 0, 0, 0, 60, 0, 0, 0, 60] + [UInt8](repeating: 0, count: 60)
        let path = dir.appendingPathComponent("ns.pcap").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        let capture = try OfflineCapture(path: path)
        #expect(capture.format == CaptureFileFormat(container: .pcap, byteOrder: .big, precision: .nanosecond, gzip: false))
        var stamps: [Int64] = []
        try capture.forEachPacket { stamps.append($0.timestampNanoseconds) }
        #expect(stamps == [1_000_000_123])
    }
}

/// `LinkType.known` names every link type as libpcap does (its own table, not ours).
@Suite struct LinkTypeNamesAgreeWithLibpcap {
    @Test func everyKnownNameIsLibpcaps() {
        for entry in LinkType.known {
            // libpcap names DLT values; the files' LINKTYPE_RAW (101) and OpenBSD's DLT_RAW (14) are RAW to it.
            let dlt: Int32 = entry.rawValue == 101 || entry.rawValue == 14 ? 12 : entry.rawValue
            let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) }
            #expect(name == entry.name, "\(entry.rawValue)")
        }
    }
}
