import Crypto
import Testing
@testable import CaptureSynth

@Suite struct ScenarioTests {
    func generate(_ name: String, _ options: CaptureOptions) throws -> (bytes: [UInt8], plants: PlantList) {
        let out = MemoryOutput()
        let plants = try Scenario.generate(name, options: options, output: out)
        return (out.bytes, plants)
    }

    func digest(_ bytes: [UInt8]) -> String { hexString(Array(SHA256.hash(data: bytes))) }

    @Test(arguments: ["gateway-egress", "gateway-egress-vlan-ipv6", "bulk"])
    func sameSeedSameBytesOtherSeedOtherBytes(_ name: String) throws {
        let a = try generate(name, CaptureOptions(seed: 11, packets: 3000))
        let b = try generate(name, CaptureOptions(seed: 11, packets: 3000))
        let c = try generate(name, CaptureOptions(seed: 12, packets: 3000))
        #expect(digest(a.bytes) == digest(b.bytes))
        #expect(a.plants == b.plants)
        #expect(digest(a.bytes) != digest(c.bytes))
    }

    @Test(arguments: [0, 1, 7, 1000, 25_000])
    func bulkWritesExactlyTheRequestedPacketCount(_ n: Int) throws {
        let out = MemoryOutput()
        let plants = try Scenario.generate("bulk", options: CaptureOptions(format: .pcapng, packets: n), output: out)
        #expect(plants.packetCount == n)
        #expect(countPcapngPackets(out.bytes) == n)
        #expect(plants.flows.isEmpty)
        #expect(plants.destinations.count <= BulkScenario.defaultDestinationCount + 1)
    }

    /// Counts EPBs by walking block lengths (independent of the writer's own counter).
    func countPcapngPackets(_ b: [UInt8]) -> Int {
        var offset = 0, packets = 0
        while offset + 8 <= b.count {
            let type = UInt32(b[offset]) | UInt32(b[offset + 1]) << 8
            let length = Int(b[offset + 4]) | Int(b[offset + 5]) << 8 | Int(b[offset + 6]) << 16 | Int(b[offset + 7]) << 24
            if type == 6 { packets += 1 }
            guard length >= 12 else { return -1 }
            offset += length
        }
        return packets
    }

    @Test func gatewayPlantsCoverEveryOutcomeAndRoundTripAsJSON() throws {
        let (_, plants) = try generate("gateway-egress", CaptureOptions())
        let outcomes = Set(plants.flows.map(\.outcome))
        #expect(outcomes == [.established, .refused, .unanswered, .prohibited, .replied])
        #expect(plants.quicSNINames == ["cloudflare-quic.com", "www.google.com"])
        #expect(plants.connectTargets == ["contosostorage.blob.core.windows.net:443"])
        #expect(plants.sniNames.contains("cloudflare-ech.com") && plants.sniNames.contains("mcr.microsoft.com"))
        #expect(plants.dns.contains { $0.rcode == "nameError" } && plants.dns.contains { $0.rcode == "serverFailure" })
        #expect(plants.dns.contains { $0.cnames.count == 3 })
        #expect(plants.flows.contains { $0.delivery?.hasPrefix("outOfOrder") == true })
        let decoded = try PlantList.decode(from: plants.jsonData())
        #expect(decoded == plants)
    }

    @Test func multiInterfaceScenarioNeedsPcapng() {
        #expect(throws: ScenarioError.self) { _ = try generate("gateway-egress-multi", CaptureOptions(format: .pcap)) }
        #expect(throws: ScenarioError.self) { _ = try generate("no-such-scenario", CaptureOptions()) }
    }
}
