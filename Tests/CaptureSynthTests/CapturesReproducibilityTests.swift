import Foundation
import Testing
@testable import CaptureSynth

/// The committed files in Captures/ are exactly what Captures/README.md's commands produce.
@Suite struct CapturesReproducibilityTests {
    static let capturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Captures")

    static let cases: [(file: String, scenario: String, options: CaptureOptions, plants: String)] = [
        ("gateway-egress.pcap", "gateway-egress", CaptureOptions(), "gateway-egress.plants.json"),
        ("gateway-egress.pcapng", "gateway-egress", CaptureOptions(format: .pcapng), "gateway-egress.plants.json"),
        ("gateway-egress-ns-be.pcap", "gateway-egress", CaptureOptions(nanosecond: true, byteOrder: .bigEndian, seed: 6), "gateway-egress-ns-be.plants.json"),
        ("gateway-egress-vlan-ipv6.pcapng", "gateway-egress-vlan-ipv6", CaptureOptions(format: .pcapng, nanosecond: true), "gateway-egress-vlan-ipv6.plants.json"),
        ("gateway-egress-sll2.pcap", "gateway-egress-sll2", CaptureOptions(seed: 3), "gateway-egress-sll2.plants.json"),
        ("gateway-egress-multi.pcapng", "gateway-egress-multi", CaptureOptions(format: .pcapng, seed: 9), "gateway-egress-multi.plants.json"),
        ("bulk-300.pcap", "bulk", CaptureOptions(seed: 1, packets: 300), "bulk-300.plants.json"),
    ]

    @Test(arguments: 0..<cases.count)
    func committedCaptureMatchesRegeneration(_ index: Int) throws {
        let c = Self.cases[index]
        let url = Self.capturesDirectory.appendingPathComponent(c.file)
        guard let committed = FileManager.default.contents(atPath: url.path) else {
            Issue.record("missing \(url.path)")
            return
        }
        let out = MemoryOutput()
        let plants = try Scenario.generate(c.scenario, options: c.options, output: out)
        #expect(out.bytes == [UInt8](committed))
        // Every committed capture has its plant list beside it: a missing one is a failure, not a skip.
        let json = try #require(FileManager.default.contents(atPath: Self.capturesDirectory.appendingPathComponent(c.plants).path),
                                "missing \(c.plants)")
        #expect(try PlantList.decode(from: json) == plants)
    }
}
