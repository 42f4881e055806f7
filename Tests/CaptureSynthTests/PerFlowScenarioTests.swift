import Foundation
import TestSupport
import Testing
@testable import CaptureSynth

@Suite struct PerFlowScenarioTests {
    func generate(packets: Int, seed: UInt64 = 1) throws -> (bytes: [UInt8], plants: PlantList) {
        let out = MemoryOutput()
        let plants = try Scenario.generate("per-flow", options: CaptureOptions(seed: seed, packets: packets), output: out)
        return (out.bytes, plants)
    }

    @Test(arguments: [0, 1, 2, 7, 100, 2_500])
    func writesExactlyTheRequestedPacketCount(_ n: Int) throws {
        let (bytes, plants) = try generate(packets: n)
        #expect(plants.packetCount == n)
        #expect(countPcapRecords(bytes) == n)
        #expect(plants.flows.isEmpty && plants.dns.isEmpty && plants.destinations.isEmpty)
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try generate(packets: 3_000, seed: 11), b = try generate(packets: 3_000, seed: 11), c = try generate(packets: 3_000, seed: 12)
        #expect(a.bytes == b.bytes && a.plants == b.plants)
        #expect(a.bytes != c.bytes)
    }

    @Test func plantsAddUp() throws {
        let plants = try generate(packets: 10_000).plants
        let p = try #require(plants.perFlow)
        #expect(plants.flowCount == p.tcpFlows + p.quicFlows + p.dnsQueries)
        #expect(p.tcpOutcomes.values.reduce(0, +) == p.tcpFlows)
        #expect(p.names == p.documentedNames + p.undocumentedNames)
        // The configuration endpoint is the most popular name and the only one a required rule names.
        #expect(p.requiredRuleNames == 1)
        #expect(p.documentedNames > 50 && p.undocumentedNames > 100)
        // Every connection has its own lookup (at the cut, a lookup may be in without its connection).
        #expect(p.dnsQueries >= p.tcpFlows + p.quicFlows && p.dnsQueries - (p.tcpFlows + p.quicFlows) <= 5)
        #expect(p.tcpOutcomes["unanswered", default: 0] > 0 && p.tcpOutcomes["refused", default: 0] > 0)
        #expect(p.serverNameFlows > p.tcpFlows * 3 / 4)
        #expect(p.httpFlows > 0 && p.quicFlows > 0)
        #expect(plants.sniNames.count > 300 && !plants.quicSNINames.isEmpty && !plants.httpHosts.isEmpty)
    }

    /// tshark, an independent dissector, must count and name what the plant list says was written.
    @Test(.requires(.tshark))
    func tsharkSeesWhatWasPlanted() throws {
        let folder = try TemporaryFolder("capturesynth-per-flow")
        defer { folder.remove() }
        let path = folder.path("per-flow.pcap")
        let plants = try Scenario.generate("per-flow", options: CaptureOptions(seed: 7, packets: 10_000), output: FileOutput(path: path))
        let p = try #require(plants.perFlow)

        let fields = ["frame.protocols", "ip.src", "ip.dst", "tcp.flags.syn", "tcp.flags.ack", "udp.srcport", "udp.dstport",
                      "dns.flags.response", "dns.qry.name", "dns.a", "tls.handshake.extensions_server_name", "http.host", "_ws.malformed",
                      "tcp.checksum.status", "udp.checksum.status", "ip.checksum.status"]
        let rows = try Tshark.fields(path, fields)
        #expect(rows.count == 10_000)
        #expect(rows.count == plants.packetCount)
        #expect(rows.filter { !$0[12].isEmpty }.isEmpty, "malformed frames")
        // tshark checksum status: 0 bad, 1 good, 2 unverified.
        let checksumStatuses: [String] = rows.flatMap { row in row[13...15].flatMap(Tshark.list) }
        #expect(!checksumStatuses.contains("0"), "bad checksums")

        let conversations = try Tshark.tcpConversationCount(path)
        #expect(conversations == p.tcpFlows)

        // DNS: every query and answer the plant list counts, one lookup per connection.
        let queries = rows.filter { $0[6] == "53" && $0[7] == "0" }
        let answers = rows.filter { $0[5] == "53" && $0[7] == "1" }
        #expect(queries.count == p.dnsQueries)
        #expect(answers.count == p.dnsAnswers)
        let quicInitials = rows.filter { $0[0].contains(":quic") && $0[6] == "443" }
        #expect(quicInitials.count == p.quicFlows)
        #expect(abs(answers.count - (conversations + quicInitials.count)) <= conversations / 100 + 3)
        #expect(Set(queries.flatMap { Tshark.list($0[8]) }).count == p.names)

        // Each SYN goes to an address an earlier answer gave the same node.
        var answered: Set<String> = []
        var unresolvedSYNs = 0, syns: [[String]] = []
        for row in rows {
            if row[5] == "53" && row[7] == "1" { for a in Tshark.list(row[9]) { answered.insert("\(row[2])>\(a)") } }
            if row[3] == "1" && row[4] == "0" {
                syns.append(row)
                if !answered.contains("\(row[1])>\(row[2])") { unresolvedSYNs += 1 }
            }
        }
        #expect(unresolvedSYNs == 0)
        #expect(Set(syns.map { $0[2] } + quicInitials.map { $0[2] }).count == p.addresses)

        // About 8 packets per connection, its lookup included.
        let perConnection = Double(rows.count) / Double(conversations + quicInitials.count)
        #expect(perConnection > 7 && perConnection < 9.5, "\(perConnection) packets per connection")

        // Names: SNI over TCP, SNI in QUIC Initials (tshark decrypts them), HTTP Host.
        // (Differences, not whole sets, so that a failure names only the names that differ.)
        let isQUIC = { (row: [String]) in row[0].split(separator: ":").contains("quic") }
        let tlsNames = Set(rows.filter { !isQUIC($0) }.flatMap { Tshark.list($0[10]) })
        #expect(tlsNames.symmetricDifference(plants.sniNames).sorted() == [])
        #expect(tlsNames.count == plants.sniNames.count)
        let quicNames = Set(rows.filter(isQUIC).flatMap { Tshark.list($0[10]) })
        #expect(quicNames.symmetricDifference(plants.quicSNINames).sorted() == [])
        #expect(!quicNames.isEmpty)
        #expect(rows.filter { !isQUIC($0) && !$0[10].isEmpty }.count == p.serverNameFlows)
        let hosts = Set(rows.flatMap { Tshark.list($0[11]) })
        #expect(hosts.symmetricDifference(plants.httpHosts).sorted() == [])
        #expect(!hosts.isEmpty)
    }
}
