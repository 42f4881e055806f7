import Foundation

/// Ground truth of a generated capture: what was planted, so decoders and tshark can be checked against it.
public struct PlantList: Codable, Sendable, Equatable {
    public var scenario: String
    public var seed: UInt64
    public var packetCount: Int
    public var flowCount: Int
    /// Per-flow detail; omitted (empty) for bulk captures, which keep only the aggregate sets.
    public var flows: [PlantFlow]
    /// Destination ports of every TCP SYN (without ACK), sorted, unique.
    public var synDestinationPorts: [UInt16]
    /// SNI names of TLS ClientHellos over TCP (including inside CONNECT tunnels).
    public var sniNames: [String]
    /// SNI names of ClientHellos carried in QUIC Initial packets.
    public var quicSNINames: [String]
    /// Host header values of all HTTP requests (CONNECT requests included).
    public var httpHosts: [String]
    /// Authority of CONNECT requests (host:port).
    public var connectTargets: [String]
    /// Unicast DNS queries (port 53) and their answers.
    public var dns: [PlantDNS]
    /// Names asked by mDNS (port 5353) background noise.
    public var mdnsNames: [String]
    /// Distinct destination addresses the nodes sent to (bounded: a few thousand for bulk; empty for
    /// per-flow, whose tens of thousands are counted in `perFlow`; the planted sessions only for flood).
    public var destinations: [String]
    /// Aggregate truth of the `per-flow` benchmark capture (nil for the other scenarios).
    public var perFlow: PerFlowPlants?
    /// The planted sessions and the SYN counts of the `flood` benchmark capture (nil for the other scenarios).
    public var flood: FloodPlants?
}

public struct PlantFlow: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Handshake completed, data exchanged, closed with FIN.
        case established
        /// SYN answered by RST (Zeek REJ).
        case refused
        /// SYN retransmitted without answer (Zeek S0).
        case unanswered
        /// SYN answered by ICMP/ICMPv6 destination unreachable, administratively prohibited.
        case prohibited
        /// UDP exchange with a reply (DNS, QUIC, NTP).
        case replied
        /// UDP sent without reply.
        case unreplied
    }
    public var transport: String
    public var client: String
    public var clientPort: UInt16
    public var server: String
    public var serverPort: UInt16
    public var outcome: Outcome
    public var node: String
    public var sni: String?
    public var alpn: [String]?
    public var ech: Bool?
    public var quicSNI: String?
    public var quicVersion: String?
    public var httpHost: String?
    public var connectTarget: String?
    public var delivery: String?
}

public struct PlantDNS: Codable, Sendable, Equatable, Hashable {
    public var qname: String
    public var qtype: String
    public var rcode: String
    public var transport: String
    /// CNAME targets in answer order, then addresses.
    public var cnames: [String]
    public var addresses: [String]
}

/// Collects plants as packets are actually written (a flow cut short by a packet limit only
/// contributes what made it into the file).
public struct PlantRecorder: Sendable {
    public var recordFlows: Bool
    var flows: [PlantFlow] = []
    var flowCount = 0
    var synPorts: Set<UInt16> = []
    var sni: Set<String> = []
    var quicSNI: Set<String> = []
    var httpHosts: Set<String> = []
    var connectTargets: Set<String> = []
    var dns: [PlantDNS] = []
    var dnsSeen: Set<PlantDNS> = []
    var mdns: Set<String> = []
    var destinations: Set<HostAddress> = []
    var perFlow: PerFlowPlants?
    var flood: FloodPlants?

    public init(recordFlows: Bool) { self.recordFlows = recordFlows }

    mutating func add(flow: PlantFlow) {
        flowCount += 1
        if recordFlows { flows.append(flow) }
    }

    /// Counts flows that are not listed (a flood's single-SYN flows).
    mutating func count(flows n: Int) { flowCount += n }

    mutating func add(dns entry: PlantDNS) {
        if recordFlows { dns.append(entry) } else if dnsSeen.insert(entry).inserted { dns.append(entry) }
    }

    func list(scenario: String, seed: UInt64, packetCount: Int) -> PlantList {
        PlantList(scenario: scenario, seed: seed, packetCount: packetCount, flowCount: flowCount, flows: flows,
                  synDestinationPorts: synPorts.sorted(), sniNames: sni.sorted(), quicSNINames: quicSNI.sorted(),
                  httpHosts: httpHosts.sorted(), connectTargets: connectTargets.sorted(), dns: dns,
                  mdnsNames: mdns.sorted(), destinations: destinations.sorted().map(\.description), perFlow: perFlow, flood: flood)
    }
}

extension PlantList {
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decode(from data: Data) throws -> PlantList { try JSONDecoder().decode(PlantList.self, from: data) }
}
