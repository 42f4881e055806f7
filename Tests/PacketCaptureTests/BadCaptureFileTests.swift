import Foundation
import Testing
@testable import PacketCapture

/// Every way a file handed to `analyze` can be wrong gives one specific error
/// naming the file, and never a crash.
@Suite struct BadCaptureFileTests {
    let dir: URL

    init() throws { dir = try SharedData.temporaryDirectory() }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try SharedData.write(name, bytes, in: dir)
    }

    private func openError(_ path: String) -> CaptureError? {
        do { _ = try OfflineCapture(path: path); return nil } catch { return error }
    }

    /// A little-endian µs pcap global header for `dlt`.
    private func pcapHeader(dlt: UInt32) -> [UInt8] {
        [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0] + withUnsafeBytes(of: dlt.littleEndian, Array.init)
    }

    private func record(_ payload: [UInt8], ts: UInt32 = 1) -> [UInt8] {
        let n = UInt32(payload.count).littleEndian
        return withUnsafeBytes(of: ts.littleEndian, Array.init) + [0, 0, 0, 0] + withUnsafeBytes(of: n, Array.init) + withUnsafeBytes(of: n, Array.init) + payload
    }

    @Test func missingFile() {
        let path = dir.appendingPathComponent("nope.pcap").path
        let e = openError(path)
        #expect(e?.problem == .missing)
        #expect(e?.description == "\(path): no such file")
    }

    @Test func directory() {
        #expect(openError(dir.path)?.problem == .isDirectory)
    }

    @Test func emptyAndTinyFiles() throws {
        for bytes in [[], [0xd4], [0xd4, 0xc3, 0xb2]] as [[UInt8]] {
            guard case .truncatedHeader = openError(try write("tiny\(bytes.count)", bytes))?.problem else {
                Issue.record("\(bytes.count)-byte file not reported as a truncated header"); continue
            }
        }
    }

    @Test func truncatedGlobalHeader() throws {
        let e = openError(try write("hdr.pcap", Array(pcapHeader(dlt: 1).prefix(10))))
        guard case .truncatedHeader(let why) = e?.problem else { Issue.record("got \(String(describing: e))"); return }
        #expect(why.contains("24"), "libpcap's reason names the header size: \(why)")
    }

    @Test func notACapture() throws {
        let e = openError(try write("notes.txt", Array("hello, this is text\n".utf8)))
        guard case .notACapture(let why) = e?.problem else { Issue.record("got \(String(describing: e))"); return }
        #expect(why.contains("0x68656c6c"))
    }

    /// A link type the decoder does not read never rejects the file: its packets are read (and
    /// counted as not decoded further up), by both readers.
    @Test func unknownLinkTypeIsRead() throws {
        let path = try write("usr.pcap", pcapHeader(dlt: 147) + record([1, 2, 3]) + record([4, 5]))
        for reader in [OfflineCapture.Reader.automatic, .libpcap] {
            let capture = try OfflineCapture(path: path, reader: reader)
            #expect(capture.linkType == 147)
            var links: [Int32] = []
            #expect(try capture.forEachPacket { links.append($0.linkType) } == 2)
            #expect(links == [147, 147])
        }
    }

    @Test func truncatedLastRecordKeepsEarlierPackets() throws {
        let frame = [UInt8](repeating: 0xab, count: 60)
        var bytes = pcapHeader(dlt: 1) + record(frame) + record(frame) + record(frame)
        bytes.removeLast(7)
        let capture = try OfflineCapture(path: try write("cut.pcap", bytes))
        var seen = 0
        do {
            try capture.forEachPacket { _ in seen += 1 }
            Issue.record("a truncated record must be reported")
        } catch {
            guard case .truncatedRecord = error.problem else { Issue.record("got \(error)"); return }
            #expect(error.isPartialRead)
        }
        #expect(seen == 2)
    }

    @Test func truncatedRecordHeader() throws {
        var bytes = pcapHeader(dlt: 1) + record([UInt8](repeating: 1, count: 60))
        bytes += [1, 0, 0, 0, 0]  // 5 of a 16-byte record header
        let capture = try OfflineCapture(path: try write("cut2.pcap", bytes))
        var seen = 0
        #expect(throws: CaptureError.self) { try capture.forEachPacket { _ in seen += 1 } }
        #expect(seen == 1)
    }

    /// pcapng with two interfaces of different link types: libpcap 1.10 reads
    /// the first interface's packets and refuses at the other's; both facts
    /// reach the user. The mapped reader reads every packet, each with its
    /// own interface's link type.
    @Test func pcapngWithMixedLinkTypes() throws {
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        let shb = le32(0x0a0d_0d0a) + le32(28) + le32(0x1a2b_3c4d) + le16(1) + le16(0) + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] + le32(28)
        func idb(_ dlt: UInt16) -> [UInt8] { le32(1) + le32(20) + le16(dlt) + le16(0) + le32(65535) + le32(20) }
        func epb(_ iface: UInt32) -> [UInt8] {
            let data = [UInt8](repeating: 0x45, count: 20)
            return le32(6) + le32(32 + 20) + le32(iface) + le32(0) + le32(1) + le32(20) + le32(20) + data + le32(32 + 20)
        }
        let path = try write("mixed.pcapng", shb + idb(1) + epb(0) + idb(101) + epb(1) + epb(0))
        let capture = try OfflineCapture(path: path, reader: .libpcap)
        var seen = 0
        do {
            try capture.forEachPacket { _ in seen += 1 }
            Issue.record("libpcap is expected to refuse the second link type")
        } catch {
            guard case .libpcapRefused(let why) = error.problem else { Issue.record("got \(error)"); return }
            #expect(why.contains("different from the type of the first interface"), "\(why)")
            #expect(error.description.hasPrefix(path))
        }
        #expect(seen == 1)

        let mapped = try OfflineCapture(path: path)
        #expect(mapped.readerInUse == .mapped)
        var linkTypes: [Int32] = []
        #expect(try mapped.forEachPacket { linkTypes.append($0.linkType) } == 3)
        // LINKTYPE_ETHERNET 1, then LINKTYPE_RAW 101, which is DLT_RAW 12 on Linux.
        #expect(linkTypes == [1, 12, 1])
    }
}
