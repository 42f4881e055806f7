import Foundation
import Testing
import PacketCapture

/// The bare libpcap loop `bench` divides by reads the same packets as our
/// reader, and fails as one `CaptureError` where libpcap cannot go on.
@Suite struct BareReadLoopTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    @Test func countsWhatOfflineCaptureReadsInEveryBundledCapture() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.captures.path).filter { $0.contains(".pcap") }.sorted()
        #expect(names.count >= 10)
        for name in names {
            let path = Self.captures.appendingPathComponent(name).path
            var bytes = 0
            let packets = try OfflineCapture(path: path).forEachPacket { bytes += $0.bytes.count }
            if name.hasPrefix("gateway-egress-multi") {
                // Two link types in one pcapng: libpcap stops at the second interface's first packet.
                #expect(throws: CaptureError.self) { try BareReadLoop.run(path: path) }
                continue
            }
            let totals = try BareReadLoop.run(path: path)
            #expect(totals.packets == packets && totals.capturedBytes == bytes, "\(name)")
        }
    }

    @Test func aMissingFileIsACaptureError() {
        #expect(throws: CaptureError.self) { try BareReadLoop.run(path: "/nonexistent/bare.pcap") }
    }
}
