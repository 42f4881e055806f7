import CaptureSynth
import Foundation
import Testing
@testable import PacketCapture

/// A pcapng with several interfaces of one link type (a capture on `eth0` and
/// `eth1` of a gateway node), each with its own timestamp resolution: every
/// packet of every interface is read, with its own interface's clock units.
@Suite struct MultiInterfacePcapngTests {
    @Test func packetsOfEveryInterfaceAreReadWithTheirOwnResolution() throws {
        let output = MemoryOutput()
        let writer = try PcapngWriter(output: output, interfaces: [
            CaptureInterface(linkType: .ethernet, timestampResolution: 6, name: "eth0"),
            CaptureInterface(linkType: .ethernet, timestampResolution: 9, name: "eth1"),
        ])
        let frame = [UInt8](repeating: 0xab, count: 60)
        try writer.write(frame: frame, timestamp: Timestamp(seconds: 10, nanoseconds: 1_000), interface: 0)
        try writer.write(frame: frame, timestamp: Timestamp(seconds: 11, nanoseconds: 123), interface: 1)
        try writer.write(frame: frame, timestamp: Timestamp(seconds: 12, nanoseconds: 2_000), interface: 0)
        try writer.close()
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("two.pcapng").path
        try Data(output.bytes).write(to: URL(fileURLWithPath: path))

        for reader in [OfflineCapture.Reader.automatic, .libpcap] {
            let capture = try OfflineCapture(path: path, reader: reader)
            #expect(capture.format.container == .pcapng)
            var stamps: [Int64] = []
            try capture.forEachPacket { stamps.append($0.timestampNanoseconds) }
            // eth0 counts microseconds, eth1 nanoseconds: both come back as nanoseconds.
            #expect(stamps == [10_000_001_000, 11_000_000_123, 12_000_002_000], "\(reader)")
        }
    }

    /// Interfaces of different link types (a gateway node's Ethernet uplink and
    /// a Linux cooked capture of its `any` device): libpcap 1.10 refuses the
    /// file at the second interface; the mapped reader delivers every packet
    /// with its own interface's link type.
    @Test func interfacesOfDifferentLinkTypesAreReadWithTheirOwn() throws {
        let output = MemoryOutput()
        let writer = try PcapngWriter(output: output, interfaces: [
            CaptureInterface(linkType: .ethernet, name: "eth0"),
            CaptureInterface(linkType: .linuxSLL2, name: "any"),
        ])
        let frame = [UInt8](repeating: 0xab, count: 60), cooked = [UInt8](repeating: 0xcd, count: 40)
        try writer.write(frame: frame, timestamp: Timestamp(seconds: 10, nanoseconds: 1_000), interface: 0)
        try writer.write(frame: cooked, timestamp: Timestamp(seconds: 11, nanoseconds: 2_000), interface: 1)
        try writer.write(frame: frame, timestamp: Timestamp(seconds: 12, nanoseconds: 3_000), interface: 0)
        try writer.close()
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mixed.pcapng").path
        try Data(output.bytes).write(to: URL(fileURLWithPath: path))

        let capture = try OfflineCapture(path: path)
        #expect(capture.readerInUse == .mapped && capture.linkType == 1)
        var seen: [(Int64, Int, Int32)] = []
        try capture.forEachPacket { seen.append(($0.timestampNanoseconds, $0.bytes.count, $0.linkType)) }
        // DLT_EN10MB 1 and DLT_LINUX_SLL2 276, each packet with its interface's.
        #expect(seen.map(\.0) == [10_000_001_000, 11_000_002_000, 12_000_003_000])
        #expect(seen.map(\.1) == [60, 40, 60])
        #expect(seen.map(\.2) == [1, 276, 1])

        var libpcapSeen = 0
        #expect(throws: CaptureError.self) {
            try OfflineCapture(path: path, reader: .libpcap).forEachPacket { _ in libpcapSeen += 1 }
        }
        // The writer puts both IDBs before the packets: libpcap stops at the second, before any packet.
        #expect(libpcapSeen == 0)
    }
}
