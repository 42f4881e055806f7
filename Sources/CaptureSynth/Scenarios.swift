/// The scenario catalogue behind `egress-capgen`: names, and writing one to a capture output.
public enum CaptureFormat: String, Sendable, CaseIterable, Codable {
    case pcap
    case pcapng
}

public struct CaptureOptions: Sendable {
    public var format: CaptureFormat
    public var nanosecond: Bool
    public var byteOrder: ByteOrder
    public var seed: UInt64
    /// Exact packet count for `bulk` and `per-flow`; ignored by the fixed scenarios.
    public var packets: Int?
    public var snapLength: UInt32
    /// Number of flood SYNs for `flood` (its sessions come on top); ignored by the others.
    public var syns: Int?

    public init(format: CaptureFormat = .pcap, nanosecond: Bool = false, byteOrder: ByteOrder = .littleEndian, seed: UInt64 = 1,
                packets: Int? = nil, snapLength: UInt32 = 262_144, syns: Int? = nil) {
        self.format = format; self.nanosecond = nanosecond; self.byteOrder = byteOrder; self.seed = seed
        self.packets = packets; self.snapLength = snapLength; self.syns = syns
    }
}

public struct ScenarioError: Error, CustomStringConvertible, Sendable { public let description: String }

public enum Scenario {
    /// 2026-01-01T00:00:00Z: fixed so that captures are reproducible.
    public static let start = Timestamp(seconds: 1_767_225_600)

    public static let catalog: [(name: String, summary: String)] = [
        ("gateway-egress", "two gateway nodes on Ethernet: DNS, TLS (split/out-of-order/retransmitted ClientHellos, ECH), QUIC v1/v2, HTTP, CONNECT, S0/REJ/ICMP-prohibited, noise"),
        ("gateway-egress-vlan-ipv6", "the same over IPv6 where possible, node A on VLAN 100, node B on QinQ 200/10 with IPv6 extension headers"),
        ("gateway-egress-sll", "the same on Linux cooked capture v1 (any interface)"),
        ("gateway-egress-sll2", "the same on Linux cooked capture v2"),
        ("gateway-egress-raw", "the same on raw IP (LINKTYPE_RAW)"),
        ("gateway-egress-null", "the same on BSD loopback (LINKTYPE_NULL)"),
        ("gateway-egress-multi", "pcapng only: node A on an Ethernet interface, node B on a Linux SLL2 interface"),
        ("bulk", "realistic TLS flows over a bounded set of destinations, exactly --packets packets (default 10000)"),
        ("per-flow", "benchmark for apim-self-hosted-gateway (apim-name=contoso): ~8 packets per connection, each after its own DNS lookup, ~8,000 names, exactly --packets packets (default 1000000)"),
        ("flood", "benchmark for cassandra-mi (region=westus): --syns unanswered SYNs (default 10000000) from 16,000 nodes in 10.1.0.0/16 to distinct public addresses, six named sessions at start, middle and end"),
        ("demo-apim-self-hosted-gateway", "audit demo for profile apim-self-hosted-gateway: allowed, undocumented, wrong-port, blocked and failing-DNS traffic (--findings)"),
        ("demo-apim-vnet", "audit demo for profile apim-vnet: the same mix for an API Management instance in a VNet (--findings)"),
        ("demo-cassandra-mi", "audit demo for profile cassandra-mi: the same mix for a Cassandra managed instance data center (--findings)"),
        ("demo-aks", "audit demo for profile aks: AKS nodes reaching the API server, MCR, ARM and Entra ID, Docker Hub undocumented, the CNI binaries blocked (--findings)"),
        ("demo-container-apps", "audit demo for profile container-apps (consumption environment): Azure Monitor, AzureCloud and AMQP allowed, the AKS tunnel blocked (--findings)"),
    ]

    public static var names: [String] { catalog.map(\.name) }

    /// Writes scenario `name` to `output` and returns its plant list. The output is closed.
    public static func generate(_ name: String, options: CaptureOptions, output: any CaptureOutput) throws -> PlantList {
        try generateWithFindings(name, options: options, output: output).plants
    }

    /// Writes scenario `name` to `output` and returns its plant list and, for the `demo-*` scenarios, the
    /// audit findings planted in it (nil for the others). The output is closed.
    public static func generateWithFindings(_ name: String, options: CaptureOptions, output: any CaptureOutput) throws
        -> (plants: PlantList, findings: AuditFindingPlants?)
    {
        let demo = AuditDemoScenario.Demo(rawValue: name)
        let nodes: [Node]
        var preferIPv6 = false
        switch name {
        case "gateway-egress", "bulk": nodes = GatewayEgressScenario.nodes(link: .ethernet(vlanTags: []))
        case "per-flow": nodes = PerFlowScenario.nodes
        case "flood": nodes = [FloodScenario.node(0)]
        case "gateway-egress-vlan-ipv6":
            nodes = GatewayEgressScenario.nodes(link: .ethernet(vlanTags: [VLANTag(identifier: 100)]),
                                                secondLink: .ethernet(vlanTags: [VLANTag(identifier: 200), VLANTag(identifier: 10, priority: 5)]))
            preferIPv6 = true
        case "gateway-egress-sll": nodes = GatewayEgressScenario.nodes(link: .linuxSLL)
        case "gateway-egress-sll2": nodes = GatewayEgressScenario.nodes(link: .linuxSLL2(interfaceIndex: 2))
        case "gateway-egress-raw": nodes = GatewayEgressScenario.nodes(link: .raw)
        case "gateway-egress-null": nodes = GatewayEgressScenario.nodes(link: .null)
        case _ where demo != nil: nodes = demo.map(AuditDemoScenario.nodes(for:)) ?? []
        case "gateway-egress-multi":
            guard options.format == .pcapng else { throw ScenarioError(description: "gateway-egress-multi needs --format pcapng (several interfaces)") }
            nodes = GatewayEgressScenario.nodes(link: .ethernet(vlanTags: []), secondLink: .linuxSLL2(interfaceIndex: 3), separateInterfaces: true)
        default:
            throw ScenarioError(description: "unknown scenario '\(name)'; known: \(names.joined(separator: ", "))")
        }

        var interfaces: [CaptureInterface] = []
        for n in nodes where n.interface == interfaces.count {
            interfaces.append(CaptureInterface(linkType: n.link.linkType, snapLength: options.snapLength,
                                               timestampResolution: options.nanosecond ? 9 : 6, name: "eth\(interfaces.count)"))
        }
        let writer: any CaptureWriter
        switch options.format {
        case .pcap:
            writer = try PcapWriter(output: output, linkType: interfaces[0].linkType, snapLength: options.snapLength,
                                    nanosecond: options.nanosecond, byteOrder: options.byteOrder)
        case .pcapng:
            writer = try PcapngWriter(output: output, interfaces: interfaces, byteOrder: options.byteOrder)
        }

        let limit: Int? = switch name {
        case "bulk": max(0, options.packets ?? 10_000)
        case "per-flow": max(0, options.packets ?? PerFlowScenario.defaultPacketCount)
        default: nil
        }
        // Scenarios with an exact packet count keep aggregate plants only (no per-flow list).
        let composer = CaptureComposer(writer: writer, fileByteOrder: options.byteOrder, start: start, seed: options.seed,
                                       recordFlows: limit == nil, packetLimit: limit)
        var findings: AuditFindingPlants?
        if name == "bulk" {
            var bulk = BulkScenario(composer: composer)
            try bulk.run()
        } else if name == "per-flow" {
            var perFlow = PerFlowScenario(composer: composer)
            try perFlow.run()
        } else if name == "flood" {
            var flood = FloodScenario(composer: composer, synCount: options.syns ?? FloodScenario.defaultSYNCount)
            try flood.run()
        } else if let demo {
            findings = try AuditDemoScenario.generate(demo, composer: composer, seed: options.seed)
        } else {
            var script = GatewayEgressScenario(variant: .init(name: name, nodes: nodes, preferIPv6: preferIPv6), composer: composer)
            try script.run()
        }
        try writer.close()
        return (composer.plants.list(scenario: name, seed: options.seed, packetCount: composer.packetCount), findings)
    }
}
