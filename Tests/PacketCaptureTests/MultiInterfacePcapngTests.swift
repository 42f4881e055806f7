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

        let capture = try OfflineCapture(path: path)
        #expect(capture.format.container == .pcapng)
        var stamps: [Int64] = []
        try capture.forEachPacket { stamps.append($0.timestampNanoseconds) }
        // eth0 counts microseconds, eth1 nanoseconds: both come back as nanoseconds.
        #expect(stamps == [10_000_001_000, 11_000_000_123, 12_000_002_000])
    }
}
