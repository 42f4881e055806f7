import CaptureRuntime
import Foundation
import Testing
@testable import EgressAudit

/// The bundled captures in `Captures/` against the plant lists the generator
/// wrote beside them: what was put on the wire is what the pipeline finds.
@Suite struct GeneratedCaptureTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    struct Plants: Decodable {
        struct Flow: Decodable {
            let client: String
            let clientPort: Int
            let server: String
            let serverPort: Int
            let transport: String
            let outcome: String
            let sni: String?
            let quicSNI: String?
            let httpHost: String?
            let connectTarget: String?
            let alpn: [String]?
            let ech: Bool?
        }
        struct DNS: Decodable {
            let qname: String
            let qtype: String
            let addresses: [String]
            let cnames: [String]
            let rcode: String
        }
        let packetCount: Int
        let synDestinationPorts: [Int]
        let sniNames: [String]
        let quicSNINames: [String]
        let flows: [Flow]
        let dns: [DNS]
    }

    static let pairs: [(capture: String, plants: String)] = [
        ("gateway-egress.pcap", "gateway-egress.plants.json"),
        ("gateway-egress.pcapng", "gateway-egress.plants.json"),
        ("gateway-egress-ns-be.pcap", "gateway-egress-ns-be.plants.json"),
        ("gateway-egress-vlan-ipv6.pcapng", "gateway-egress-vlan-ipv6.plants.json"),
        ("gateway-egress-sll2.pcap", "gateway-egress-sll2.plants.json"),
        ("bulk-300.pcap", "bulk-300.plants.json"),
        ("gateway-egress-multi.pcapng", "gateway-egress-multi.plants.json"),
    ]

    @Test(arguments: pairs)
    func everyPlantedFlowIsFoundAndNamed(capture: String, plants: String) throws {
        let planted = try JSONDecoder().decode(Plants.self, from: Data(contentsOf: Self.captures.appendingPathComponent(plants)))
        var analyzer = CapturePipeline(keepsFlows: true)
        analyzer.read(path: Self.captures.appendingPathComponent(capture).path)
        analyzer.finish()
        #expect(analyzer.errors.isEmpty)
        #expect(analyzer.summary.packets == planted.packetCount)
        #expect(analyzer.summary.malformed == 0)
        // Every fragment the generator wrote belongs to a datagram that completes.
        #expect(analyzer.summary.fragmentsHeld == 0 && analyzer.summary.fragmentsDropped == 0)
        #expect(analyzer.summary.reassembledFragments == analyzer.summary.firstFragments + analyzer.summary.laterFragments)
        #expect(analyzer.summary.synDestinationPorts == planted.synDestinationPorts)

        let flows = analyzer.flowEntries
        #expect(Set(flows.compactMap(\.sni)) == Set(planted.sniNames.map { $0.lowercased() }), "\(capture): SNI names")
        #expect(Set(flows.compactMap(\.quicSNI)) == Set(planted.quicSNINames.map { $0.lowercased() }), "\(capture): QUIC SNI names")
        func find(_ p: Plants.Flow) -> FlowEntry? {
            flows.first { $0.transport == p.transport && $0.initiator == p.client && $0.initiatorPort == p.clientPort
                && $0.responder == p.server && $0.responderPort == p.serverPort }
        }
        for p in planted.flows {
            guard let f = find(p) else {
                Issue.record("\(capture): planted flow \(p.transport) \(p.client):\(p.clientPort) → \(p.server):\(p.serverPort) not found (or its initiator is wrong)")
                continue
            }
            let expectedOutcome = p.outcome == "replied" ? "established" : p.outcome
            #expect(f.outcome == expectedOutcome, "\(capture): \(p.server):\(p.serverPort)")
            #expect(f.sni == p.sni?.lowercased(), "\(capture): SNI of \(p.server):\(p.serverPort)")
            #expect(f.quicSNI == p.quicSNI?.lowercased(), "\(capture): QUIC SNI of \(p.server):\(p.serverPort)")
            let plantedHost = p.httpHost.map { NamingAgreementTests.hostWithoutPort($0).lowercased() }
            #expect(f.httpHost == plantedHost, "\(capture): Host of \(p.server):\(p.serverPort)")
            #expect(f.connect == p.connectTarget?.lowercased(), "\(capture): CONNECT of \(p.server):\(p.serverPort)")
            if let alpn = p.alpn { #expect(f.alpn == alpn.first, "\(capture): ALPN of \(p.server):\(p.serverPort)") }
            #expect(f.ech == (p.ech ?? false), "\(capture): ECH of \(p.server):\(p.serverPort)")
        }
        // Anything found beyond the plants must be link-local noise (mDNS to ff02::fb / 224.0.0.251).
        // (The bulk scenario's plant list carries names and counts, not flows.)
        let plantedKeys = Set(planted.flows.map { "\($0.transport) \($0.client):\($0.clientPort) \($0.server):\($0.serverPort)" })
        for f in flows where !planted.flows.isEmpty && !plantedKeys.contains("\(f.transport) \(f.initiator):\(f.initiatorPort) \(f.responder):\(f.responderPort)") {
            #expect(f.responderPort == 5353, "\(capture): unplanted flow \(f.transport) \(f.initiator):\(f.initiatorPort) → \(f.responder):\(f.responderPort)")
        }

        let answers = Dictionary(grouping: analyzer.dnsEntries.filter { !$0.linkLocal }, by: { "\($0.name) \($0.type)" })
        for d in planted.dns {
            let ours = answers["\(d.qname.lowercased()) \(d.qtype)"] ?? []
            #expect(!ours.isEmpty, "\(capture): DNS answer for \(d.qname) not seen")
            let values = Set(ours.flatMap(\.answers))
            let expected = Set(d.addresses + d.cnames.map { $0.lowercased() })
            // assets.contoso-cdn.net's 783-byte answer arrives in three IP fragments: read once reassembled.
            #expect(values == expected, "\(capture): answers for \(d.qname)")
            let rcode = ["noError": "NOERROR", "nameError": "NXDOMAIN", "serverFailure": "SERVFAIL"][d.rcode] ?? d.rcode
            #expect(ours.contains { $0.rcode == rcode }, "\(capture): rcode for \(d.qname)")
        }
    }

    /// The 783-byte answer for assets.contoso-cdn.net in IP fragments, as tshark sees it:
    /// IPv4 id 0x9172 in frames 222–225 (3 × 290 + 49 bytes on the wire), IPv6 Fragment
    /// headers id 0x9172c539 in frames 220–223 (3 × 322 + 81 bytes); 43 answers once reassembled.
    @Test(arguments: [("gateway-egress.pcap", "10.1.0.4", "168.63.129.16", 919),
                      ("gateway-egress-vlan-ipv6.pcapng", "fd00:1::4", "fd00:1::2", 1047)])
    func fragmentedDNSAnswerIsReassembledAndTracked(capture: String, client: String, server: String, wireBytes: Int) throws {
        var analyzer = CapturePipeline(keepsFlows: true)
        analyzer.read(path: Self.captures.appendingPathComponent(capture).path)
        analyzer.finish()
        let s = analyzer.summary
        #expect(s.firstFragments == 1 && s.laterFragments == 3)
        #expect(s.reassembledDatagrams == 1 && s.reassembledFragments == 4 && s.fragmentsHeld == 0)
        #expect(s.fragmentDatagramsOversize == 0 && s.fragmentDatagramsTimedOut == 0 && s.fragmentDatagramsEvicted == 0)
        // Packets are still the captured frames, fragments included.
        #expect(s.packets == (try #require(analyzer.files.first)).packets)
        let flow = try #require(analyzer.flowEntries.first {
            $0.transport == "udp" && $0.initiator == client && $0.initiatorPort == 59874 && $0.responder == server
                && $0.responderPort == 53 })
        // The datagram is one packet to the flow, and costs its fragments' wire bytes.
        #expect(flow.packetsReceived == 1 && flow.bytesReceived == UInt64(wireBytes))
        let answer = try #require(analyzer.dnsEntries.first { $0.name == "assets.contoso-cdn.net" && $0.type == "A" })
        #expect(answer.answers.count == 43)
    }

    /// Interfaces of different link types in one pcapng (Ethernet and SLL2): libpcap
    /// 1.10 refuses such a file, and the operator is told which file and why.
    /// A pcapng whose interfaces have different link types (libpcap 1.10 refuses
    /// those): our reader takes each packet with its own interface's link type.
    @Test func mixedLinkTypePcapngIsReadToItsEnd() throws {
        var analyzer = CapturePipeline()
        let path = Self.captures.appendingPathComponent("gateway-egress-multi.pcapng").path
        analyzer.read(path: path)
        analyzer.finish()
        #expect(analyzer.errors.isEmpty)
        // Ground truth: the generator's plant list (its flows and names: `everyPlantedFlowIsFoundAndNamed`).
        let planted = try JSONDecoder().decode(Plants.self, from: Data(contentsOf: Self.captures.appendingPathComponent("gateway-egress-multi.plants.json")))
        #expect(analyzer.files.first?.packets == planted.packetCount)
        #expect(analyzer.summary.malformed == 0)
        #expect(analyzer.summary.linkTypes.count >= 2, "\(analyzer.summary.linkTypes)")
    }
}
