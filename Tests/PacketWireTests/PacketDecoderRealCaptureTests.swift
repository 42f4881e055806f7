import Foundation
import TestSupport
import Testing
@testable import PacketWire

/// Agreement with tshark's ground truth in `../shared/captures/real/manifest.json`
/// (see its README): innermost 5-tuple flows, SYN destination ports, and
/// snaplen-truncated frames, for every capture there.
@Suite(.requires(.shared))
struct PacketDecoderRealCaptureTests {
    struct Entry {
        var file: String
        var packetCount: Int
        var flowsTCP: Int
        var flowsUDP: Int
        var tcpDestinationPorts: [Int]
        var truncatedFrames: Int
    }

    static func manifest() throws -> [Entry] {
        let data = try #require(FileManager.default.contents(atPath: realCapturesFolder + "/manifest.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let captures = try #require(root["captures"] as? [[String: Any]])
        return captures.compactMap { c in
            guard let file = c["file"] as? String, let count = c["packet_count"] as? Int,
                  let tcp = c["flows_tcp"] as? Int, let udp = c["flows_udp"] as? Int,
                  let ports = c["tcp_dst_ports"] as? [Int], let truncated = c["truncated_frames"] as? Int else { return nil }
            return Entry(file: file, packetCount: count, flowsTCP: tcp, flowsUDP: udp, tcpDestinationPorts: ports,
                         truncatedFrames: truncated)
        }
    }

    struct FlowKey: Hashable {
        var transport: TransportKind
        var a: IPAddress, aPort: UInt16
        var b: IPAddress, bPort: UInt16

        init(_ p: DecodedPacket) {
            transport = p.transport
            // Direction-insensitive, as the manifest counts them.
            if (p.source, p.sourcePort) < (p.destination, p.destinationPort) {
                (a, aPort, b, bPort) = (p.source, p.sourcePort, p.destination, p.destinationPort)
            } else {
                (a, aPort, b, bPort) = (p.destination, p.destinationPort, p.source, p.sourcePort)
            }
        }
    }

    @Test func everyCaptureAgreesWithTshark() throws {
        let entries = try Self.manifest()
        #expect(entries.count >= RealCaptures.manifestEntryCount)
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var totals = DecodeCounters()
        for entry in entries {
            let records = try readCaptureFile(realCapturesFolder + "/" + entry.file)
            var flows = Set<FlowKey>()
            var synPorts = Set<Int>()
            var truncated = 0
            var counters = DecodeCounters()
            for r in records {
                r.bytes.withUnsafeBytes { raw in
                    decoder.decode(ByteView(raw), linkType: LinkType(rawValue: r.linkType), originalLength: r.originalLength,
                                   into: &packet)
                }
                counters.record(packet, wireLength: r.originalLength)
                if packet.truncated { truncated += 1 }
                // tshark lists the ports of every frame whose TCP/UDP header it reached, malformed or not.
                if packet.hasPorts && (packet.transport == .tcp || packet.transport == .udp) {
                    flows.insert(FlowKey(packet))
                }
                if packet.transport == .tcp && packet.tcp.flags.contains(.syn) && !packet.tcp.flags.contains(.ack) {
                    synPorts.insert(Int(packet.destinationPort))
                }
            }
            totals.merge(counters)
            #expect(records.count == entry.packetCount, "\(entry.file): frames")
            #expect(flows.count { $0.transport == .tcp } == entry.flowsTCP, "\(entry.file): TCP flows")
            #expect(flows.count { $0.transport == .udp } == entry.flowsUDP, "\(entry.file): UDP flows")
            #expect(synPorts.sorted() == entry.tcpDestinationPorts, "\(entry.file): SYN destination ports")
            #expect(truncated == entry.truncatedFrames, "\(entry.file): truncated frames")
        }
        print("real captures: \(totals.packets) frames, \(totals.decoded) decoded, not decoded \(totals.notDecodedBreakdown), "
            + "malformed \(totals.malformedBreakdown.map { "\($0.layer.name)/\($0.reason.name)=\($0.count)" })")
    }
}
