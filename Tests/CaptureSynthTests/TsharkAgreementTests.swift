import Foundation
import TestSupport
import Testing
@testable import CaptureSynth

/// tshark, an independent dissector, must see in each generated capture exactly what the plant list says.
@Suite(.requires(.tshark))
struct TsharkAgreementTests {
    static let tshark = Prerequisite.tshark.path

    struct Row {
        var protocols: String
        var sni: [String]
        var dnsNames: [String]
        var tcpDestinationPort: String
        var syn: String
        var ack: String
        var httpHosts: [String]
        var malformed: String
        var checksums: [String]
        var udpDestinationPort: String
        var tcpSourcePort: String
        var destination: String
    }

    static func run(_ path: String) throws -> [Row] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(tshark, "tshark is not on PATH"))
        p.arguments = ["-n", "-r", path,
                       "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "udp.try_heuristic_first:TRUE",
                       "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                       "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                       "-e", "frame.number", "-e", "tls.handshake.extensions_server_name", "-e", "dns.qry.name",
                       "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "http.host", "-e", "_ws.malformed",
                       "-e", "frame.protocols", "-e", "tcp.checksum.status", "-e", "udp.checksum.status", "-e", "ip.checksum.status",
                       "-e", "icmp.checksum.status", "-e", "icmpv6.checksum.status", "-e", "udp.dstport",
                       "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func list(_ s: String) -> [String] { s.isEmpty ? [] : s.split(separator: ",").map(String.init) }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) + Array(repeating: "", count: 20)
            return Row(protocols: f[8], sni: list(f[1]), dnsNames: list(f[2]), tcpDestinationPort: f[3], syn: f[4], ack: f[5],
                       httpHosts: list(f[6]), malformed: f[7], checksums: list(f[9]) + list(f[10]) + list(f[11]) + list(f[12]) + list(f[13]),
                       udpDestinationPort: f[14], tcpSourcePort: f[15], destination: f[16] + f[17])
        }
    }

    static let cases: [(String, CaptureOptions)] = [
        ("gateway-egress", CaptureOptions()),
        ("gateway-egress", CaptureOptions(format: .pcapng, seed: 5)),
        ("gateway-egress", CaptureOptions(nanosecond: true, byteOrder: .bigEndian, seed: 6)),
        ("gateway-egress-vlan-ipv6", CaptureOptions(format: .pcapng, nanosecond: true)),
        ("gateway-egress-sll", CaptureOptions(seed: 2)),
        ("gateway-egress-sll2", CaptureOptions(format: .pcapng, byteOrder: .bigEndian, seed: 3)),
        ("gateway-egress-raw", CaptureOptions(seed: 4)),
        ("gateway-egress-null", CaptureOptions(byteOrder: .bigEndian, seed: 8)),
        ("gateway-egress-multi", CaptureOptions(format: .pcapng, nanosecond: true, seed: 9)),
        // More seeds: other ephemeral ports, connection ids and random payloads.
        ("gateway-egress", CaptureOptions(seed: 101)),
        ("gateway-egress", CaptureOptions(seed: 102)),
        ("gateway-egress-vlan-ipv6", CaptureOptions(seed: 103)),
        ("gateway-egress-sll", CaptureOptions(format: .pcapng, seed: 104)),
    ]

    @Test(arguments: 0..<cases.count)
    func tsharkSeesWhatWasPlanted(_ index: Int) throws {
        let (name, options) = Self.cases[index]
        let path = TestScratch.path("capturesynth-tshark-\(index).\(options.format.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plants = try Scenario.generate(name, options: options, output: FileOutput(path: path))
        let rows = try Self.run(path)

        #expect(rows.count == plants.packetCount)
        #expect(rows.filter { !$0.malformed.isEmpty }.count == 0)
        // tshark checksum status: 0 bad, 1 good, 2 unverified (e.g. quoted headers inside ICMP).
        #expect(rows.flatMap(\.checksums).filter { $0 == "0" }.isEmpty)

        let isQUIC = { (r: Row) in r.protocols.split(separator: ":").contains("quic") }
        #expect(Set(rows.filter { !isQUIC($0) }.flatMap(\.sni)) == Set(plants.sniNames))
        #expect(Set(rows.filter(isQUIC).flatMap(\.sni)) == Set(plants.quicSNINames))
        #expect(Set(rows.flatMap(\.httpHosts)) == Set(plants.httpHosts))
        let unicastDNS = rows.filter { $0.udpDestinationPort != "5353" }.flatMap(\.dnsNames)
        #expect(Set(unicastDNS) == Set(plants.dns.map(\.qname)))
        #expect(Set(rows.filter { $0.udpDestinationPort == "5353" }.flatMap(\.dnsNames)) == Set(plants.mdnsNames))
        let synPorts = rows.filter { $0.syn == "1" && $0.ack == "0" && !$0.protocols.contains("icmp") }.compactMap { UInt16($0.tcpDestinationPort) }
        #expect(Set(synPorts) == Set(plants.synDestinationPorts))

        // Every planted TCP flow starts with a SYN tshark sees with the same ports and server address.
        let syns = Set(rows.filter { $0.syn == "1" && $0.ack == "0" && !$0.protocols.contains("icmp") }
            .map { "\($0.tcpSourcePort)>\($0.destination):\($0.tcpDestinationPort)" })
        let planted = Set(plants.flows.filter { $0.transport == "tcp" }.map { "\($0.clientPort)>\($0.server):\($0.serverPort)" })
        #expect(planted == syns)
    }

    @Test func bulkCaptureIsCleanAndNamesMatch() throws {
        let path = TestScratch.path("capturesynth-tshark-bulk.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plants = try Scenario.generate("bulk", options: CaptureOptions(seed: 3, packets: 20_000), output: FileOutput(path: path))
        let rows = try Self.run(path)
        #expect(rows.count == 20_000)
        #expect(rows.filter { !$0.malformed.isEmpty }.count == 0)
        #expect(rows.flatMap(\.checksums).filter { $0 == "0" }.isEmpty)
        #expect(Set(rows.flatMap(\.sni)) == Set(plants.sniNames))
        #expect(Set(rows.flatMap(\.dnsNames)) == Set(plants.dns.map(\.qname)))
        #expect(Set(rows.filter { $0.syn == "1" && $0.ack == "0" }.compactMap { UInt16($0.tcpDestinationPort) }) == Set(plants.synDestinationPorts))
    }
}
