import TestSupport
import Testing
@testable import CaptureSynth

@Suite struct PcapWriterTests {
    @Test func microsecondLittleEndianGlobalHeaderAndRecord() throws {
        let out = MemoryOutput()
        let writer = try PcapWriter(output: out, linkType: .ethernet, snapLength: 65_535)
        try writer.write(frame: [0xde, 0xad, 0xbe, 0xef, 0x01], timestamp: Timestamp(seconds: 0x5f5e_1000, nanoseconds: 123_456_789))
        try writer.close()
        #expect(out.bytes == [
            0xd4, 0xc3, 0xb2, 0xa1,  // magic a1b2c3d4 (µs), little-endian
            0x02, 0x00, 0x04, 0x00,  // version 2.4
            0x00, 0x00, 0x00, 0x00,  // thiszone
            0x00, 0x00, 0x00, 0x00,  // sigfigs
            0xff, 0xff, 0x00, 0x00,  // snaplen 65535
            0x01, 0x00, 0x00, 0x00,  // LINKTYPE_ETHERNET
            0x00, 0x10, 0x5e, 0x5f,  // ts_sec 0x5f5e1000
            0x40, 0xe2, 0x01, 0x00,  // ts_usec 123456 (0x1e240), ns truncated
            0x05, 0x00, 0x00, 0x00,  // incl_len 5
            0x05, 0x00, 0x00, 0x00,  // orig_len 5
            0xde, 0xad, 0xbe, 0xef, 0x01,
        ])
    }

    @Test func nanosecondBigEndianHeaderAndSnaplenTruncation() throws {
        let out = MemoryOutput()
        let writer = try PcapWriter(output: out, linkType: .linuxSLL2, snapLength: 4, nanosecond: true, byteOrder: .bigEndian)
        try writer.write(frame: [1, 2, 3, 4, 5, 6], timestamp: Timestamp(seconds: 1, nanoseconds: 999_999_999))
        #expect(out.bytes == [
            0xa1, 0xb2, 0x3c, 0x4d,  // magic a1b23c4d (ns), big-endian
            0x00, 0x02, 0x00, 0x04,  // version 2.4
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x04,  // snaplen 4
            0x00, 0x00, 0x01, 0x14,  // LINKTYPE_LINUX_SLL2 = 276
            0x00, 0x00, 0x00, 0x01,  // ts_sec 1
            0x3b, 0x9a, 0xc9, 0xff,  // ts_nsec 999999999
            0x00, 0x00, 0x00, 0x04,  // incl_len: cut to snaplen
            0x00, 0x00, 0x00, 0x06,  // orig_len: what was on the wire
            1, 2, 3, 4,
        ])
    }

    @Test func classicPcapRejectsASecondInterface() throws {
        let writer = try PcapWriter(output: MemoryOutput(), linkType: .raw)
        #expect(throws: CaptureWriterError.self) { try writer.write(frame: [0x45], timestamp: Timestamp(seconds: 0), interface: 1) }
    }

    @Test func fileOutputStreamsToDiskAndTruncatedFilesAreJustPrefixes() throws {
        let path = TestScratch.path("capturesynth.pcap")
        let writer = try PcapWriter(output: FileOutput(path: path), linkType: .raw)
        for i in 0..<1000 { try writer.write(frame: [0x45, UInt8(i & 0xff)], timestamp: Timestamp(seconds: UInt64(i))) }
        try writer.close()
        let size = try fileSize(path)
        #expect(size == 24 + 1000 * (16 + 2))
        unlink(path)
    }
}

#if canImport(Glibc)
import Glibc
#endif

func fileSize(_ path: String) throws -> Int {
    var s = stat()
    guard stat(path, &s) == 0 else { throw CaptureWriterError(description: "stat \(path)") }
    return Int(s.st_size)
}

@Suite struct TruncatedRecordTests {
    @Test func pcapTruncatedRecordKeepsTheHeaderThatPromisesMore() throws {
        let out = MemoryOutput()
        let writer = try PcapWriter(output: out, linkType: .raw)
        try writer.writeTruncatedRecord(frame: [0x45, 0, 0, 20, 9, 9], timestamp: Timestamp(seconds: 2), keeping: 16 + 2)
        #expect(out.bytes.count == 24 + 18)
        #expect(Array(out.bytes[24...]) == [2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 0x45, 0])
        #expect(writer.recordCount == 0)
    }

    @Test func pcapngTruncatedBlockStopsMidBody() throws {
        let out = MemoryOutput()
        let writer = try PcapngWriter(output: out, interfaces: [CaptureInterface(linkType: .raw)], application: nil)
        let before = out.bytes.count
        try writer.writeTruncatedRecord(frame: [1, 2, 3, 4, 5, 6, 7, 8], timestamp: Timestamp(seconds: 0), keeping: 10)
        #expect(Array(out.bytes[before...]) == [6, 0, 0, 0, 40, 0, 0, 0, 0, 0])  // type, total length 40, half the interface id
    }
}
