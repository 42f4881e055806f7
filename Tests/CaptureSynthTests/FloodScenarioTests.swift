import Foundation
import TestSupport
import Testing
@testable import CaptureSynth

@Suite struct FloodScenarioTests {
    func generate(syns: Int, seed: UInt64 = 1) throws -> (bytes: [UInt8], plants: PlantList) {
        let out = MemoryOutput()
        let plants = try Scenario.generate("flood", options: CaptureOptions(seed: seed, syns: syns), output: out)
        return (out.bytes, plants)
    }

    @Test(arguments: [0, 1, 3, 5_000])
    func writesTheRequestedSYNsAndEverySession(_ n: Int) throws {
        let (bytes, plants) = try generate(syns: n)
        let flood = try #require(plants.flood)
        #expect(flood.synCount == n)
        #expect(countPcapRecords(bytes) == plants.packetCount)
        #expect(flood.sessions.map(\.position) == ["start", "start", "middle", "middle", "end", "end"])
        #expect(flood.sessions.filter(\.documented).count == 3)
        // Listed flows are the sessions' (a lookup and a connection each); the flood's are only counted.
        #expect(plants.flows.count == 12)
        #expect(plants.flowCount == n + 12)
        #expect(Set(plants.sniNames) == Set(flood.sessions.map(\.name)))
        #expect(flood.nodeAddressCount <= min(n, FloodScenario.nodeCount))
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try generate(syns: 2_000, seed: 3), b = try generate(syns: 2_000, seed: 3), c = try generate(syns: 2_000, seed: 4)
        #expect(a.bytes == b.bytes && a.plants == b.plants)
        #expect(a.bytes != c.bytes)
    }

    @Test func floodAddressesAreDistinctAndPublic() throws {
        let writer = try PcapWriter(output: MemoryOutput(), linkType: .ethernet)
        var scenario = FloodScenario(composer: CaptureComposer(writer: writer, fileByteOrder: .littleEndian, start: Scenario.start, seed: 9,
                                                               recordFlows: true))
        var seen: Set<UInt32> = []
        for _ in 0..<200_000 { seen.insert(scenario.nextPublicAddress()) }
        #expect(seen.count == 200_000)
        #expect(seen.allSatisfy(FloodScenario.isPublicUnicast))
        // 10.1.2.4 (a node), 203.0.113.77 (TEST-NET-3), 224.0.0.251 (mDNS) are not; 13.88.144.116 (Azure Storage) is.
        #expect([0x0A01_0204, 0xCB00_714D, 0xE000_00FB].map(FloodScenario.isPublicUnicast) == [false, false, false])
        #expect(FloodScenario.isPublicUnicast(0x0D58_9074))
    }

    /// tshark, an independent dissector, must count and name what the plant list says was written.
    @Test(.requires(.tshark))
    func tsharkSeesWhatWasPlanted() throws {
        let folder = try TemporaryFolder("capturesynth-flood")
        defer { folder.remove() }
        let path = folder.path("flood.pcap")
        let syns = 20_000
        let plants = try Scenario.generate("flood", options: CaptureOptions(seed: 5, syns: syns), output: FileOutput(path: path))
        let flood = try #require(plants.flood)

        let fields = ["frame.number", "ip.src", "ip.dst", "tcp.flags.syn", "tcp.flags.ack", "tcp.dstport", "dns.flags.response",
                      "dns.qry.name", "dns.a", "tls.handshake.extensions_server_name", "_ws.malformed",
                      "tcp.checksum.status", "ip.checksum.status"]
        let rows = try Tshark.fields(path, fields)
        #expect(rows.count == plants.packetCount)
        #expect(rows.filter { !$0[10].isEmpty }.isEmpty, "malformed frames")
        let checksumStatuses: [String] = rows.flatMap { row in row[11...12].flatMap(Tshark.list) }
        #expect(!checksumStatuses.contains("0"), "bad checksums")

        let sessionAddresses = Set(flood.sessions.map(\.address))
        let isFloodSYN = { (row: [String]) in row[3] == "1" && row[4] == "0" && !sessionAddresses.contains(row[2]) }
        let floodSYNs = rows.filter(isFloodSYN)
        #expect(floodSYNs.count == syns)
        #expect(floodSYNs.count == flood.synCount)
        #expect(floodSYNs.allSatisfy { $0[5] == "443" })
        // Each SYN to its own public address; none of them answers.
        let targets = Set(floodSYNs.map { $0[2] })
        #expect(targets.count == syns)
        let isPublic = { (text: String) -> Bool in
            if case .v4(let a) = HostAddress(text) { FloodScenario.isPublicUnicast(a) } else { false }
        }
        #expect(targets.allSatisfy(isPublic))
        #expect(rows.filter { targets.contains($0[1]) }.isEmpty)

        // Senders: all in 10.1.0.0/16, as many as the plant list says.
        let senders = Set(floodSYNs.map { $0[1] })
        #expect(senders.count == flood.nodeAddressCount)
        #expect(senders.allSatisfy { $0.hasPrefix("10.1.") })
        #expect(flood.nodeAddressCount > 10_000)

        #expect(try Tshark.tcpConversationCount(path) == syns + flood.sessions.count)

        // The sessions: looked up and answered with their address, named by SNI, at the start, middle and end.
        let answers = Set(rows.filter { $0[6] == "1" }.flatMap { row in Tshark.list(row[8]).map { "\(row[7])=\($0)" } })
        #expect(answers == Set(flood.sessions.map { "\($0.name)=\($0.address)" }))
        let named = rows.filter { !$0[9].isEmpty }
        #expect(Set(named.map(\.[9])) == Set(flood.sessions.map(\.name)))
        #expect(Set(plants.sniNames) == Set(flood.sessions.map(\.name)))
        let first = Int(floodSYNs.first?[0] ?? "") ?? 0, last = Int(floodSYNs.last?[0] ?? "") ?? 0
        for session in flood.sessions {
            let hello = try #require(named.first { $0[9] == session.name })
            #expect(hello[1] == session.nodeAddress && hello[2] == session.address)
            let frame = Int(hello[0]) ?? 0
            switch session.position {
            case "start": #expect(frame < first, "\(session.name)")
            case "middle": #expect(frame > first && frame < last, "\(session.name)")
            default: #expect(frame > last, "\(session.name)")
            }
        }
    }
}
