/// A SYN flood out of a Cassandra managed-instance subnet, the benchmark capture for bounded memory:
/// `synCount` SYNs from 16,000 node addresses in 10.1.0.0/16 to as many distinct public addresses on
/// tcp/443, none answered (a scan, or nodes spraying data out), and six complete named sessions (DNS query
/// and answer, handshake, ClientHello with SNI, data, FIN) at the start, in the middle and at the end: at
/// each place one to a destination profile `cassandra-mi` (`--param region=westus`) documents and one it
/// does not. Streams: each SYN is written as it is built, so memory does not grow with `synCount`.
public struct FloodScenario {
    public static let defaultSYNCount = 10_000_000
    public static let nodeCount = 16_000
    public static let nodePrefix = "10.1.0.0/16"
    public static let profile = "cassandra-mi"
    public static let parameters = ["region": "westus"]

    /// Node k: 10.1.(k / 250).(4 + k % 250), so 64 /24 subnets of 250 hosts each.
    static func nodeAddress(_ k: Int) -> UInt32 { 0x0A01_0000 | UInt32(k / 250) << 8 | UInt32(4 + k % 250) }

    static func node(_ k: Int) -> Node {
        Node(name: "cassandra-node-\(k)", ipv4: .v4(nodeAddress(k)), ipv6: GatewayEgressScenario.addr("fd01::\(String(k, radix: 16))"),
             mac: MACAddress(0x00, 0x0d, 0x3a, 0x30, UInt8(k >> 8), UInt8(k & 0xff)),
             gatewayMAC: MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0x01), link: .ethernet(vlanTags: []))
    }

    struct Session {
        var position: String
        var name: String
        var address: String
        var node: Int
        /// The rule of `cassandra-mi` naming it, transcribed by hand from the profile's YAML; nil: undocumented.
        var rule: String?
    }

    /// Addresses from the demos' service-tag facts (`AuditDemoScenario.addressFacts`): the documented names
    /// sit in their own tags; pastebin.com's Cloudflare address and the documentation ranges are in none.
    static let sessions: [Session] = [
        Session(position: "start", name: "cassbackupwestus.blob.core.windows.net", address: "13.88.144.116", node: 0, rule: "fqdn-blob-backups"),
        Session(position: "start", name: "pastebin.com", address: "104.20.29.150", node: 1, rule: nil),
        Session(position: "middle", name: "login.microsoftonline.com", address: "20.190.151.68", node: 8_000, rule: "fqdn-login"),
        Session(position: "middle", name: "exfil.example.net", address: "203.0.113.77", node: 8_001, rule: nil),
        Session(position: "end", name: "vmc-p-westus.vault.azure.net", address: "40.112.242.145", node: 15_998, rule: "fqdn-vmc-vault"),
        Session(position: "end", name: "transfer.example.org", address: "198.51.100.23", node: 15_999, rule: nil),
    ]

    let c: CaptureComposer
    let synCount: Int
    let nodes: [Node]
    var script: GatewayEgressScenario
    /// Bit k: node k has sent a flood SYN.
    var senders: [UInt64]
    var addressCounter: UInt32 = 0
    let addressKey: UInt32
    let sessionAddresses: Set<UInt32>
    var plants: FloodPlants

    public init(composer: CaptureComposer, synCount: Int = FloodScenario.defaultSYNCount) {
        c = composer
        self.synCount = max(0, synCount)
        nodes = (0..<Self.nodeCount).map(Self.node)
        script = GatewayEgressScenario(variant: .init(name: "flood", nodes: [nodes[0]], preferIPv6: false), composer: composer)
        senders = Array(repeating: 0, count: (Self.nodeCount + 63) / 64)
        addressKey = composer.rng.u32()
        sessionAddresses = Set(Self.sessions.compactMap { s in
            if case .v4(let a) = GatewayEgressScenario.addr(s.address) { return a } else { return nil }
        })
        plants = FloodPlants(profile: Self.profile, parameters: Self.parameters, nodePrefix: Self.nodePrefix, destinationPort: 443,
                             synCount: 0, nodeAddressCount: 0, resolver: GatewayEgressScenario.dnsServerV4.description, sessions: [])
    }

    public mutating func run() throws {
        try sessions(at: "start")
        try flood(synCount / 2)
        try sessions(at: "middle")
        try flood(synCount - synCount / 2)
        try sessions(at: "end")
        plants.nodeAddressCount = senders.reduce(0) { $0 + $1.nonzeroBitCount }
        c.plants.flood = plants
    }

    mutating func sessions(at position: String) throws {
        for s in Self.sessions where s.position == position {
            let node = nodes[s.node]
            let d = GatewayEgressScenario.Destination(name: s.name, cnames: [], ipv4: GatewayEgressScenario.addr(s.address), ipv6: nil)
            c.advance(microseconds: 20_000)
            try script.resolve(d, node: node)
            try script.tlsConnection(to: d.ipv4, node: node, plan: .init(sni: s.name))
            plants.sessions.append(FloodSessionPlant(position: position, name: s.name, address: s.address, node: node.name,
                                                     nodeAddress: node.ipv4.description, documented: s.rule != nil, rule: s.rule))
        }
        c.advance(microseconds: 20_000)
    }

    mutating func flood(_ count: Int) throws {
        guard count > 0 else { return }
        c.plants.synPorts.insert(443)
        for _ in 0..<count {
            let k = c.rng.below(Self.nodeCount)
            let node = nodes[k]
            let server = HostAddress.v4(nextPublicAddress())
            let tcp = TCPFields(sourcePort: c.rng.ephemeralPort(), destinationPort: 443, sequence: c.rng.u32(), flags: .syn,
                                options: TCPOption.linuxSYN(timestamp: c.rng.u32()))
            let packet = IPPacket.build(source: node.ipv4, destination: server, protocolNumber: IPProtocolNumber.tcp,
                                        payload: TCPSegment.build(tcp, payload: [], source: node.ipv4, destination: server),
                                        identification: c.rng.u16())
            guard try c.emit(ip: packet, node: node, outbound: true) else { return }
            senders[k >> 6] |= 1 << UInt64(k & 63)
            plants.synCount += 1
            c.plants.count(flows: 1)
            c.advance(microseconds: 8)
        }
    }

    /// Distinct without remembering: a bijection of 32-bit counters (murmur3's finaliser), keeping only
    /// public unicast results that are not a planted session's address.
    mutating func nextPublicAddress() -> UInt32 {
        while true {
            var x = addressCounter &+ addressKey
            addressCounter &+= 1
            x ^= x >> 16; x &*= 0x85EB_CA6B
            x ^= x >> 13; x &*= 0xC2B2_AE35
            x ^= x >> 16
            if Self.isPublicUnicast(x) && !sessionAddresses.contains(x) { return x }
        }
    }

    /// RFC 6890's special-purpose IPv4 blocks, multicast and reserved space: (prefix, length).
    static let special: [(prefix: UInt32, length: UInt32)] = [
        (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
        (0xC000_0000, 24), (0xC000_0200, 24), (0xC058_6300, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24),
        (0xCB00_7100, 24), (0xE000_0000, 3),
    ]

    static func isPublicUnicast(_ a: UInt32) -> Bool {
        !special.contains { a >> (32 - $0.length) == $0.prefix >> (32 - $0.length) }
    }
}

/// Truth of a `flood` capture beyond the plant list's sets: the flood's size and the planted sessions.
/// The plant list's `flows` and `dns` list only the sessions; its `flowCount` counts the flood's flows too.
public struct FloodPlants: Codable, Sendable, Equatable {
    /// The built-in profile the capture is meant for and its `--param` values.
    public var profile: String
    public var parameters: [String: String]
    /// Every node address, flood and sessions, is in this prefix (the audit's `--node`).
    public var nodePrefix: String
    public var destinationPort: UInt16
    /// Flood SYNs: each to its own public address, none answered.
    public var synCount: Int
    /// Distinct node addresses the flood's SYNs come from.
    public var nodeAddressCount: Int
    public var resolver: String
    /// The complete named sessions, in capture order.
    public var sessions: [FloodSessionPlant]
}

public struct FloodSessionPlant: Codable, Sendable, Equatable {
    /// `start`, `middle` (after half the SYNs) or `end`.
    public var position: String
    public var name: String
    public var address: String
    public var node: String
    public var nodeAddress: String
    /// Whether a rule of the profile names it (all of them are required rules of `cassandra-mi`).
    public var documented: Bool
    public var rule: String?
}
