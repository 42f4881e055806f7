import Testing
@testable import CaptureSynth

@Suite struct PcapngWriterTests {
    @Test func littleEndianSectionInterfaceAndPacketBlocks() throws {
        let out = MemoryOutput()
        let writer = try PcapngWriter(output: out, interfaces: [CaptureInterface(linkType: .ethernet, snapLength: 65_535)],
                                      application: nil)
        try writer.write(frame: [0xaa, 0xbb, 0xcc, 0xdd, 0xee], timestamp: Timestamp(seconds: 1, nanoseconds: 500_000), interface: 0)
        #expect(out.bytes == [
            // Section Header Block
            0x0a, 0x0d, 0x0d, 0x0a,  // block type
            0x1c, 0x00, 0x00, 0x00,  // total length 28
            0x4d, 0x3c, 0x2b, 0x1a,  // byte-order magic 1a2b3c4d
            0x01, 0x00, 0x00, 0x00,  // version 1.0
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // section length -1
            0x1c, 0x00, 0x00, 0x00,  // total length again
            // Interface Description Block (no options: default µs resolution)
            0x01, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00,  // 20
            0x01, 0x00,              // LINKTYPE_ETHERNET
            0x00, 0x00,              // reserved
            0xff, 0xff, 0x00, 0x00,  // snaplen
            0x14, 0x00, 0x00, 0x00,
            // Enhanced Packet Block: 32 + 5 bytes padded to 8 = 40
            0x06, 0x00, 0x00, 0x00,
            0x28, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,  // interface 0
            0x00, 0x00, 0x00, 0x00,  // timestamp high: 1_000_500 µs = 0xf4434
            0x34, 0x44, 0x0f, 0x00,  // timestamp low
            0x05, 0x00, 0x00, 0x00,  // captured
            0x05, 0x00, 0x00, 0x00,  // original
            0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00, 0x00, 0x00,  // data + padding to 32 bits
            0x28, 0x00, 0x00, 0x00,
        ])
    }

    @Test func bigEndianTwoInterfacesWithNanosecondResolutionAndName() throws {
        let out = MemoryOutput()
        let writer = try PcapngWriter(output: out, interfaces: [
            CaptureInterface(linkType: .raw, snapLength: 100),
            CaptureInterface(linkType: .linuxSLL2, snapLength: 3, timestampResolution: 9, name: "eth1"),
        ], byteOrder: .bigEndian, application: "ab")
        try writer.write(frame: [9, 8, 7, 6], timestamp: Timestamp(seconds: 4_294, nanoseconds: 967_296_001), interface: 1)
        let shb: [UInt8] = [
            0x0a, 0x0d, 0x0d, 0x0a,
            0x00, 0x00, 0x00, 0x28,  // 40: 28 + shb_userappl option (4 + 4) + opt_endofopt (4)
            0x1a, 0x2b, 0x3c, 0x4d,
            0x00, 0x01, 0x00, 0x00,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x00, 0x04, 0x00, 0x02, 0x61, 0x62, 0x00, 0x00,  // shb_userappl "ab" padded
            0x00, 0x00, 0x00, 0x00,                          // opt_endofopt
            0x00, 0x00, 0x00, 0x28,
        ]
        let idb0: [UInt8] = [
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,
            0x00, 0x65, 0x00, 0x00,  // LINKTYPE_RAW 101
            0x00, 0x00, 0x00, 0x64,  // snaplen 100
            0x00, 0x00, 0x00, 0x14,
        ]
        let idb1: [UInt8] = [
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x28,  // 40
            0x01, 0x14, 0x00, 0x00,  // LINKTYPE_LINUX_SLL2 276
            0x00, 0x00, 0x00, 0x03,
            0x00, 0x02, 0x00, 0x04, 0x65, 0x74, 0x68, 0x31,  // if_name "eth1"
            0x00, 0x09, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00,  // if_tsresol 9 (ns), padded
            0x00, 0x00, 0x00, 0x00,                          // opt_endofopt
            0x00, 0x00, 0x00, 0x28,
        ]
        let epb: [UInt8] = [
            0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x24,  // 32 + 3 padded to 4 = 36
            0x00, 0x00, 0x00, 0x01,                          // interface 1
            0x00, 0x00, 0x03, 0xe8,                          // 4294.967296001 s = 4294967296001 ns = 0x3e8_00000001
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x03,                          // captured: snaplen 3
            0x00, 0x00, 0x00, 0x04,                          // original 4
            0x09, 0x08, 0x07, 0x00,
            0x00, 0x00, 0x00, 0x24,
        ]
        #expect(out.bytes == shb + idb0 + idb1 + epb)
    }

    @Test func everyBlockLengthIsAMultipleOfFourAndRepeatedAtTheEnd() throws {
        let out = MemoryOutput()
        let writer = try PcapngWriter(output: out, interfaces: [CaptureInterface(linkType: .ethernet)])
        for n in 0..<9 { try writer.write(frame: [UInt8](repeating: 0x5a, count: 60 + n), timestamp: Timestamp(seconds: UInt64(n))) }
        var offset = 0
        var blocks = 0
        let b = out.bytes
        while offset + 8 <= b.count {
            let length = Int(b[offset + 4]) | Int(b[offset + 5]) << 8 | Int(b[offset + 6]) << 16 | Int(b[offset + 7]) << 24
            #expect(length % 4 == 0)
            let end = offset + length
            try #require(end <= b.count)
            #expect(Array(b[(end - 4)..<end]) == Array(b[(offset + 4)..<(offset + 8)]))
            offset = end
            blocks += 1
        }
        #expect(offset == b.count)
        #expect(blocks == 2 + 9)
    }

    @Test func unknownInterfaceIsAnError() throws {
        let writer = try PcapngWriter(output: MemoryOutput(), interfaces: [CaptureInterface(linkType: .ethernet)])
        #expect(throws: CaptureWriterError.self) { try writer.write(frame: [], timestamp: Timestamp(seconds: 0), interface: 2) }
        #expect(throws: CaptureWriterError.self) { _ = try PcapngWriter(output: MemoryOutput(), interfaces: []) }
    }
}
