/// Many realistic flows over a bounded set of destinations, stopping at exactly `packetLimit` packets.
/// Memory is bounded by the destination count (cached ClientHellos, plant sets), not by packets.
public struct BulkScenario {
    public static let defaultDestinationCount = 2_000

    let c: CaptureComposer
    let nodes: [Node]
    let destinationCount: Int
    var hellos: [Int: [UInt8]] = [:]
    let pool: [UInt8]
    var dnsID: UInt16 = 1

    static let domains = [
        "blob.core.windows.net", "azurecr.io", "servicebus.windows.net", "vault.azure.net", "monitor.azure.com",
        "data.mcr.microsoft.com", "ods.opinsights.azure.com", "table.core.windows.net", "queue.core.windows.net",
        "azure-api.net", "azurewebsites.net", "documents.azure.com", "database.windows.net", "githubusercontent.com",
        "pypi.org", "npmjs.org", "ubuntu.com", "docker.io", "amazonaws.com", "googleapis.com",
    ]

    public init(composer: CaptureComposer, destinationCount: Int = BulkScenario.defaultDestinationCount) {
        c = composer
        self.destinationCount = max(1, destinationCount)
        let gw = MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0x01)
        nodes = (0..<8).map { k in
            Node(name: "gw-node-\(k)", ipv4: .v4(0x0A01_0004 + UInt32(k)), ipv6: HostAddress("fd00:1::\(4 + k)") ?? .v4(0),
                 mac: MACAddress(0x00, 0x0d, 0x3a, 0x10, 0x01, UInt8(k)), gatewayMAC: gw, link: .ethernet(vlanTags: []))
        }
        pool = composer.rng.bytes(65_536)
    }

    func name(_ i: Int) -> String { "svc\(i).\(Self.domains[i % Self.domains.count])" }

    /// Destination i: IPv6 for every tenth, else an address in 20.0.0.0/8 derived from i.
    func address(_ i: Int) -> HostAddress {
        if i % 10 == 9 { return HostAddress("2603:1020:\(i >> 8):\(i & 0xff)::10") ?? .v4(0) }
        return .v4(0x1400_0000 | UInt32(i & 0xffff) << 8 | UInt32(10 + i % 200))
    }

    mutating func randomBytes(_ count: Int) -> [UInt8] {
        let start = c.rng.below(pool.count - count)
        return Array(pool[start..<(start + count)])
    }

    mutating func hello(for i: Int) -> [UInt8] {
        if let h = hellos[i] { return h }
        let spec = ClientHelloSpec(serverName: name(i), alpn: i % 3 == 0 ? ["http/1.1"] : ["h2", "http/1.1"],
                                   keyShares: i % 4 == 0 ? [.x25519MLKEM768, .x25519] : [.x25519])
        let h = TLSClientHello.records(TLSClientHello.handshakeMessage(spec, rng: &c.rng))
        hellos[i] = h
        return h
    }

    public mutating func run() throws {
        let resolver = GatewayEgressScenario.dnsServerV4
        while !c.isFull {
            // Skewed popularity: a few destinations get most flows, as on a real gateway.
            let i = c.rng.below(c.rng.below(destinationCount) + 1)
            let n = nodes[c.rng.below(nodes.count)]
            let server = address(i)
            c.advance(microseconds: 800)
            if c.rng.chance(1, in: 6) { try resolve(i, node: n, resolver: resolver) }
            let roll = c.rng.below(100)
            var conv = TCPConversation(node: n, server: server, serverPort: roll < 3 ? 8443 : 443, rng: &c.rng)
            if roll < 2 {
                guard try conv.syn(c) else { break }
                c.plants.add(flow: conv.plant(.unanswered))
                c.clock = c.clock.adding(milliseconds: 1000)
                try c.emit(ip: conv.clientPacket(.syn, sequence: conv.clientSequence), node: n, outbound: true)
                continue
            }
            if roll < 3 {
                try conv.refused(c, rttMicroseconds: 20_000)
                c.plants.add(flow: conv.plant(.refused))
                continue
            }
            let before = c.packetCount
            try conv.handshake(c, rttMicroseconds: 10_000 + UInt64(i % 50) * 1000)
            if c.packetCount > before { c.plants.add(flow: conv.plant(.established)) }
            let records = hello(for: i)
            // Only a ClientHello written whole counts: a reader cannot name a flow from half of one.
            if try conv.clientSend(c, records, cuts: Array(stride(from: 1440, to: records.count, by: 1440))) {
                c.plants.sni.insert(name(i))
            }
            try conv.serverSend(c, TLSClientHello.applicationDataRecord(randomBytes(1200 + c.rng.below(3000))), rttMicroseconds: 20_000)
            for _ in 0..<c.rng.below(6) {
                _ = try conv.clientSend(c, TLSClientHello.applicationDataRecord(randomBytes(60 + c.rng.below(600))))
                try conv.serverSend(c, TLSClientHello.applicationDataRecord(randomBytes(100 + c.rng.below(2800))), rttMicroseconds: 20_000)
            }
            try conv.close(c, rttMicroseconds: 20_000)
        }
    }

    mutating func resolve(_ i: Int, node n: Node, resolver: HostAddress) throws {
        dnsID &+= 1
        let server = address(i)
        let qtype: DNSRecordType = server.isIPv4 ? .a : .aaaa
        let query = DNSMessageFields(id: dnsID, isResponse: false, questionName: name(i), questionType: qtype)
        var response = DNSMessageFields(id: dnsID, isResponse: true, questionName: name(i), questionType: qtype)
        response.answers = [DNSRecord(name: name(i), ttl: 300, data: .address(server))]
        let port = c.rng.ephemeralPort()
        guard try c.emit(ip: UDPExchange.packet(from: n.ipv4, port, to: resolver, 53, payload: DNSMessage.build(query)), node: n, outbound: true)
        else { return }
        // Planted once the query is written (at a packet limit the very last answer may be cut off).
        c.plants.add(dns: PlantDNS(qname: name(i), qtype: qtype == .a ? "A" : "AAAA", rcode: "noError", transport: "udp",
                                   cnames: [], addresses: [server.description]))
        c.advance(microseconds: 1_500)
        try c.emit(ip: UDPExchange.packet(from: resolver, 53, to: n.ipv4, port, payload: DNSMessage.build(response), ttl: 128),
                   node: n, outbound: false)
        c.plants.destinations.insert(resolver)
        c.advance(microseconds: 200)
    }
}
