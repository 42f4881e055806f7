/// Per-flow-heavy gateway egress, the benchmark capture whose cost is in flows rather than bytes: four
/// self-hosted-gateway nodes, each connection after its own DNS lookup, about 8 packets per connection
/// (its lookup included), ~120,000 connections per million packets, destinations spread over ~8,000 names
/// (popularity ∝ 1/rank: a few names take a third of the flows, the rest form a long tail) and ~24,000
/// addresses. Exactly `packetLimit` packets; flows overlap in time (`FrameInterleaver`), so a million
/// packets span about two minutes, as on a busy node, and a capture cut at the limit ends mid-flow.
///
/// A connection is TLS with SNI (3 % without SNI, 10 % with a post-quantum key share over two segments),
/// HTTP with Host for OCSP/CRL/mirror names, or a QUIC Initial for Google names; most are left open
/// (long-lived), the rest closed with FIN or aborted with RST; 3 % unanswered SYNs (S0), 3 % refused (REJ).
/// Names are a mix of destinations `apim-self-hosted-gateway` (`--param apim-name=contoso`) documents
/// and undocumented ones; the rule ids are transcribed by hand from its YAML, not taken from the engine.
public struct PerFlowScenario {
    public static let defaultPacketCount = 1_000_000
    public static let profile = "apim-self-hosted-gateway"
    public static let parameters = ["apim-name": "contoso"]
    /// Required rules of the profile (without `--feature`); the other rule ids below belong to optional features.
    static let requiredRules: Set<String> = ["configuration-endpoint"]
    /// Name ranks fall into this many classes of doubling size, each drawn equally often: P(rank) ∝ ~1/rank.
    static let popularityClasses = 13
    static let nameCount = (1 << popularityClasses) - 1

    public static let nodes: [Node] = (0..<4).map { k in
        Node(name: "shgw-node-\(k)", ipv4: .v4(0x0A14_0104 + UInt32(k)), ipv6: GatewayEgressScenario.addr("fd20:1::\(4 + k)"),
             mac: MACAddress(0x00, 0x0d, 0x3a, 0x20, 0x14, UInt8(4 + k)), gatewayMAC: MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0x01),
             link: .ethernet(vlanTags: []))
    }

    enum Service { case https, http, quic }

    /// Who hosts a name: its addresses come from this /13 (rank in 13 bits, slot in 6).
    enum Provider: UInt32 {
        case azure = 0x1440_0000      // 20.64.0.0/13
        case microsoft = 0x0D68_0000  // 13.104.0.0/13
        case aws = 0x3400_0000        // 52.0.0.0/13
        case google = 0x2240_0000     // 34.64.0.0/13
        case cdn = 0x6810_0000        // 104.16.0.0/13
        case other = 0xB9C0_0000      // 185.192.0.0/13

        var rttMicroseconds: (base: UInt64, spread: Int) {
            switch self {
            case .azure: (1_500, 2_500)
            case .microsoft: (3_000, 7_000)
            case .aws, .google, .cdn: (8_000, 30_000)
            case .other: (20_000, 60_000)
            }
        }
    }

    struct Name {
        var name: String
        /// Rule of the profile that names it; nil: undocumented.
        var rule: String?
        var service: Service
        var provider: Provider
        var cnames: [String] = []
        /// How many addresses DNS rotates through for it (≤ 62).
        var slots: Int = 16

        /// Slot s ∈ 0..<slots of rank r; the low 6 bits stay in 1...62 so no address ends in .0 or .255.
        func address(rank: Int, slot: Int) -> UInt32 { provider.rawValue | UInt32(rank) << 6 | UInt32(slot + 1) }
    }

    /// What writing a frame proves (recorded when the frame is written, so a cut capture's plants stay true).
    enum Evidence {
        case lookup(rank: Int)
        case answer
        case connect(address: UInt32, port: UInt16, outcome: PlantFlow.Outcome)
        case serverName(rank: Int)
        case host(rank: Int)
        case quic(rank: Int, address: UInt32)
    }

    let c: CaptureComposer
    /// Every flow is written here first, from its own start time, by the shared builders.
    let f: CaptureComposer
    let buffer: FrameBuffer<Evidence>
    var interleaver = FrameInterleaver<Evidence>()
    var builders: GatewayEgressScenario
    let names: [Name]
    /// Per node, the last ephemeral port used for TCP and for UDP (DNS, QUIC) connections.
    var lastPorts: [(tcp: Int, udp: Int)]
    /// Per node and ephemeral port, the server its last TCP connection went to (0: none yet).
    var lastTCPServer: [[UInt32]]

    var summary: PerFlowPlants
    var seenNames: [Bool]
    var addresses: Set<UInt32> = []

    public init(composer: CaptureComposer) {
        c = composer
        let buffer = FrameBuffer<Evidence>()
        let flows = CaptureComposer(writer: buffer, fileByteOrder: composer.fileByteOrder, start: composer.clock, seed: composer.rng.next(),
                                    recordFlows: false)
        self.buffer = buffer
        f = flows
        builders = GatewayEgressScenario(variant: .init(name: "per-flow", nodes: Self.nodes, preferIPv6: false), composer: flows)
        names = (0..<Self.nameCount).map(Self.name)
        lastPorts = Self.nodes.map { _ in (flows.rng.below(Self.ephemeralPorts), flows.rng.below(Self.ephemeralPorts)) }
        lastTCPServer = Self.nodes.map { _ in Array(repeating: 0, count: Self.ephemeralPorts) }
        seenNames = Array(repeating: false, count: Self.nameCount)
        summary = PerFlowPlants(profile: Self.profile, parameters: Self.parameters,
                                nodes: Self.nodes.map { AuditNodePlant(name: $0.name, address: $0.ipv4.description) },
                                resolver: GatewayEgressScenario.dnsServerV4.description,
                                semantics: ["documented: a rule of the profile names it, required or of an optional feature "
                                            + "(without --feature the audit reports optional-feature names as undocumented); "
                                            + "requiredRuleNames: a required rule names it"])
    }

    // MARK: Names

    static let head: [Name] = [
        Name(name: "contoso.configuration.azure-api.net", rule: "configuration-endpoint", service: .https, provider: .azure,
             cnames: ["apimgmttmcontoso.trafficmanager.net", "apimgmths7q2x4m.cloudapp.net"]),
        Name(name: "dc.services.visualstudio.com", rule: "appinsights-dc-visualstudio", service: .https, provider: .azure,
             cnames: ["dc.applicationinsights.azure.com"]),
        Name(name: "login.microsoftonline.com", rule: "entra-login-microsoftonline", service: .https, provider: .microsoft,
             cnames: ["login.mso.msidentity.com", "ak.privatelink.msidentity.com"]),
        Name(name: "contoso.gateway.azure-api.net", rule: "gateway-endpoint", service: .https, provider: .azure),
        Name(name: "westus-0.in.applicationinsights.azure.com", rule: nil, service: .https, provider: .azure),
        Name(name: "contoso.management.azure-api.net", rule: "management-endpoint", service: .https, provider: .azure),
        Name(name: "management.azure.com", rule: "arm-management", service: .https, provider: .microsoft),
        Name(name: "ocsp.digicert.com", rule: nil, service: .http, provider: .cdn, cnames: ["ocsp.edge.digicert.com"]),
        Name(name: "rt.services.visualstudio.com", rule: "appinsights-live-metrics", service: .https, provider: .azure),
        Name(name: "www.google.com", rule: nil, service: .quic, provider: .google),
        Name(name: "dc.applicationinsights.azure.com", rule: "appinsights-ingestion", service: .https, provider: .azure),
        Name(name: "mcr.microsoft.com", rule: nil, service: .https, provider: .microsoft, cnames: ["mcr-microsoft-com.a-0016.a-msedge.net"]),
        Name(name: "crl.microsoft.com", rule: nil, service: .http, provider: .microsoft),
        Name(name: "westus.livediagnostics.monitor.azure.com", rule: "appinsights-livediagnostics", service: .https, provider: .azure),
        Name(name: "login.windows.net", rule: "entra-login-windows", service: .https, provider: .microsoft),
        Name(name: "global.handler.control.monitor.azure.com", rule: nil, service: .https, provider: .azure),
        Name(name: "westus.login.microsoft.com", rule: "entra-regional-login", service: .https, provider: .microsoft),
        Name(name: "api.github.com", rule: nil, service: .https, provider: .other),
        Name(name: "contosologs.blob.core.windows.net", rule: "storage-core", service: .https, provider: .azure,
             cnames: ["blob.by3prdstr09a.store.core.windows.net"]),
        Name(name: "contoso-events.servicebus.windows.net", rule: "eventhub-logging", service: .https, provider: .azure),
        Name(name: "azure.archive.ubuntu.com", rule: nil, service: .http, provider: .other),
        Name(name: "westus-0.monitoring.azure.com", rule: "azure-monitor-ingestion", service: .https, provider: .azure),
        Name(name: "contoso-kv.vault.azure.net", rule: "key-vault", service: .https, provider: .azure),
        Name(name: "graph.microsoft.com", rule: nil, service: .https, provider: .microsoft),
        Name(name: "pypi.org", rule: nil, service: .https, provider: .cdn),
        Name(name: "ctldl.windowsupdate.com", rule: nil, service: .http, provider: .microsoft),
        Name(name: "registry-1.docker.io", rule: nil, service: .https, provider: .aws),
        Name(name: "objects.githubusercontent.com", rule: nil, service: .https, provider: .cdn),
        Name(name: "packages.microsoft.com", rule: nil, service: .https, provider: .microsoft),
        Name(name: "contosotables.table.core.windows.net", rule: "storage-core", service: .https, provider: .azure),
        Name(name: "fonts.gstatic.com", rule: nil, service: .quic, provider: .google),
    ]

    static let words = ["contoso", "fabrikam", "northwind", "tailspin", "wingtip", "litware", "proseware", "adatum", "woodgrove", "relecloud"]

    /// Rank r's name: the head list, then a long tail from 20 templates (7 of them documented).
    static func name(_ rank: Int) -> Name {
        if rank < head.count { return head[rank] }
        let label = "\(words[(rank / 20) % words.count])\(rank)"
        let hash = UInt32(truncatingIfNeeded: rank) &* 0x9E37_79B1
        let slots = 1 + Int(hash >> 16) % 12
        var n: Name
        switch rank % 20 {
        case 0: n = Name(name: "\(label).blob.core.windows.net", rule: "storage-core", service: .https, provider: .azure,
                         cnames: ["blob.\(label)prdstr\(rank % 31).store.core.windows.net"])
        case 1: n = Name(name: "\(label).table.core.windows.net", rule: "storage-core", service: .https, provider: .azure)
        case 2: n = Name(name: "\(label).queue.core.windows.net", rule: "storage-core", service: .https, provider: .azure)
        case 3: n = Name(name: "\(label).servicebus.windows.net", rule: "eventhub-logging", service: .https, provider: .azure)
        case 4: n = Name(name: "\(label).monitoring.azure.com", rule: "azure-monitor-ingestion", service: .https, provider: .azure)
        case 5: n = Name(name: "\(label).vault.azure.net", rule: "key-vault", service: .https, provider: .azure)
        case 6: n = Name(name: "\(label).azurewebsites.net", rule: nil, service: .https, provider: .azure,
                         cnames: ["waws-prod-by1-\(rank % 97).sip.azurewebsites.windows.net"])
        case 7: n = Name(name: "\(label).azurecr.io", rule: nil, service: .https, provider: .azure)
        case 8: n = Name(name: "\(label).documents.azure.com", rule: nil, service: .https, provider: .azure)
        case 9: n = Name(name: "\(label).database.windows.net", rule: nil, service: .https, provider: .azure)
        case 10: n = Name(name: "\(label).s3.amazonaws.com", rule: nil, service: .https, provider: .aws, cnames: ["s3-1-w.amazonaws.com"])
        case 11: n = Name(name: "\(label).googleapis.com", rule: nil, service: .quic, provider: .google)
        case 12: n = Name(name: "\(label).cloudfront.net", rule: nil, service: .https, provider: .aws)
        case 13: n = Name(name: "api.\(label).com", rule: nil, service: .https, provider: .other)
        case 14: n = Name(name: "\(label).okta.com", rule: nil, service: .https, provider: .other)
        case 15: n = Name(name: "\(label).file.core.windows.net", rule: "storage-core", service: .https, provider: .azure)
        case 16: n = Name(name: "ocsp.\(label).com", rule: nil, service: .http, provider: .other)
        case 17: n = Name(name: "\(label).akamaized.net", rule: nil, service: .https, provider: .cdn,
                          cnames: ["\(label).akamaized.net.edgesuite.net", "a\(rank).dscb.akamai.net"])
        case 18: n = Name(name: "\(label).in.applicationinsights.azure.com", rule: nil, service: .https, provider: .azure)
        default: n = Name(name: "\(label).ingest.sentry.io", rule: nil, service: .https, provider: .other)
        }
        n.slots = slots
        return n
    }

    /// A class uniformly, then a rank uniformly inside it: class k holds ranks 2^k − 1 ..< 2^(k+1) − 1.
    mutating func drawRank() -> Int {
        let k = f.rng.below(Self.popularityClasses)
        return (1 << k) - 1 + f.rng.below(1 << k)
    }

    /// Linux's default ephemeral range, 32768–60999.
    static let ephemeralPorts = 28_232

    /// Each node walks its ephemeral range per transport, so a lookup's 5-tuple comes back only after 28,232
    /// lookups of that node (~130 s at a million packets, past UDP's 60 s idle timeout); random ports would
    /// repeat within seconds (4 nodes, ~120,000 lookups to one resolver) and merge lookups into one flow.
    mutating func udpPort(node k: Int) -> UInt16 {
        lastPorts[k].udp += 1
        return UInt16(32768 + lastPorts[k].udp % Self.ephemeralPorts)
    }

    /// The same walk for TCP, skipping a port whose previous connection went to the same server (as
    /// Linux's connect() will not reuse a 4-tuple in use), so no two connections share a 5-tuple even
    /// when a node makes more connections than it has ports.
    mutating func tcpPort(node k: Int, server: UInt32) -> UInt16 {
        while true {
            lastPorts[k].tcp += 1
            let index = lastPorts[k].tcp % Self.ephemeralPorts
            if lastTCPServer[k][index] != server {
                lastTCPServer[k][index] = server
                return UInt16(32768 + index)
            }
        }
    }

    // MARK: The script

    public mutating func run() throws {
        var start = c.clock
        while !c.isFull {
            try flow(start: start)
            interleaver.add(buffer.frames)
            buffer.frames.removeAll(keepingCapacity: true)
            start = start.adding(microseconds: UInt64(1 + f.rng.below(2_400)))
            while !c.isFull, let frame = interleaver.popEarliest(before: start) { try write(frame) }
        }
        summary.names = seenNames.count { $0 }
        summary.documentedNames = seenNames.indices.count { seenNames[$0] && names[$0].rule != nil }
        summary.requiredRuleNames = seenNames.indices.count { seenNames[$0] && names[$0].rule.map(Self.requiredRules.contains) == true }
        summary.undocumentedNames = summary.names - summary.documentedNames
        summary.addresses = addresses.count
        c.plants.perFlow = summary
    }

    mutating func write(_ frame: FrameInterleaver<Evidence>.Frame) throws {
        c.clock = frame.timestamp
        guard try c.emit(frame: frame.bytes, interface: frame.interface) else { return }
        guard let tag = frame.tag else { return }
        switch tag {
        case .lookup(let rank):
            summary.dnsQueries += 1
            c.plants.count(flows: 1)
            seenNames[rank] = true
        case .answer:
            summary.dnsAnswers += 1
        case .connect(let address, let port, let outcome):
            summary.tcpFlows += 1
            summary.tcpOutcomes[outcome.rawValue, default: 0] += 1
            c.plants.count(flows: 1)
            c.plants.synPorts.insert(port)
            addresses.insert(address)
        case .serverName(let rank):
            summary.serverNameFlows += 1
            c.plants.sni.insert(names[rank].name)
        case .host(let rank):
            summary.httpFlows += 1
            c.plants.httpHosts.insert(names[rank].name)
        case .quic(let rank, let address):
            summary.quicFlows += 1
            c.plants.count(flows: 1)
            c.plants.quicSNI.insert(names[rank].name)
            addresses.insert(address)
        }
    }

    /// One connection and its lookup, written whole into `buffer` from `start`.
    mutating func flow(start: Timestamp) throws {
        f.clock = start
        // The builders' own records describe the buffer, not the capture: the truth is kept in `write`.
        f.plants = PlantRecorder(recordFlows: false)
        let rank = drawRank()
        let d = names[rank]
        let k = f.rng.below(Self.nodes.count)
        let node = Self.nodes[k]
        let slot = f.rng.below(d.slots)
        let address = d.address(rank: rank, slot: slot)
        let (base, spread) = d.provider.rttMicroseconds
        let rtt = base + UInt64(f.rng.below(spread))

        var destination = GatewayEgressScenario.Destination(name: d.name, cnames: d.cnames, ipv4: .v4(address), ipv6: nil)
        if slot + 1 < d.slots && f.rng.chance(1, in: 3) { destination.extraIPv4 = 1 }
        let lookup = buffer.frames.count
        try builders.resolve(destination, node: node, clientPort: udpPort(node: k))
        buffer.tag(.lookup(rank: rank), at: lookup)
        buffer.tag(.answer, at: lookup + 1)

        if d.service == .quic && f.rng.chance(2, in: 3) {
            let first = buffer.frames.count
            try builders.quicConnection(to: .v4(address), node: node, sni: d.name, version: .v1, split: false,
                                        clientPort: udpPort(node: k))
            buffer.tag(.quic(rank: rank, address: address), at: first)
            return
        }

        let port: UInt16 = d.service == .http ? 80 : 443
        var conv = TCPConversation(node: node, server: .v4(address), serverPort: port, clientPort: tcpPort(node: k, server: address),
                                   rng: &f.rng)
        let syn = buffer.frames.count
        let roll = f.rng.below(100)
        if roll < 3 {
            try conv.unansweredSYN(f)
            buffer.tag(.connect(address: address, port: port, outcome: .unanswered), at: syn)
            return
        }
        if roll < 6 {
            try conv.refused(f, rttMicroseconds: rtt)
            buffer.tag(.connect(address: address, port: port, outcome: .refused), at: syn)
            return
        }
        try conv.handshake(f, rttMicroseconds: rtt)
        buffer.tag(.connect(address: address, port: port, outcome: .established), at: syn)
        f.advance(microseconds: 300)

        if d.service == .http {
            _ = try conv.clientSend(f, HTTPRequest.get(host: d.name, path: "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ\(rank)"))
            buffer.tagLast(.host(rank: rank))
            try conv.serverSend(f, HTTPRequest.okResponse(bodyLength: 300 + f.rng.below(900)), rttMicroseconds: rtt)
            try conv.close(f, rttMicroseconds: rtt)
            return
        }

        let withName = roll >= 9
        let spec = ClientHelloSpec(serverName: withName ? d.name : nil,
                                   keyShares: f.rng.chance(1, in: 10) ? [.x25519MLKEM768, .x25519] : [.x25519])
        let hello = TLSClientHello.handshakeMessage(spec, rng: &f.rng)
        let records = TLSClientHello.records(hello)
        _ = try conv.clientSend(f, records, cuts: Array(stride(from: 1440, to: records.count, by: 1440)))
        if withName { buffer.tagLast(.serverName(rank: rank)) }
        // ServerHello, change_cipher_spec and the encrypted rest of the server's flight in one segment.
        let serverHello = TLSServerHello.handshakeMessage(tls13: true, sessionID: TLSServerHello.sessionID(ofClientHello: hello), rng: &f.rng)
        var reply = TLSClientHello.records(serverHello)
        reply[1] = 0x03; reply[2] = 0x03
        reply += [20, 0x03, 0x03, 0x00, 0x01, 0x01]
        reply += TLSClientHello.applicationDataRecord(f.rng.bytes(500 + f.rng.below(700)))
        try conv.serverSend(f, reply, rttMicroseconds: rtt)

        let ending = f.rng.below(100)
        if ending < 76 { return } // long-lived: still open when the capture ends
        f.clock = f.clock.adding(milliseconds: UInt64(100 + f.rng.below(20_000)))
        if ending < 82 {
            try f.emit(ip: conv.clientPacket([.rst, .ack], sequence: conv.clientSequence), node: node, outbound: true)
            return
        }
        if ending < 84 {
            _ = try conv.clientSend(f, TLSClientHello.applicationDataRecord(f.rng.bytes(80 + f.rng.below(400))))
            try conv.serverSend(f, TLSClientHello.applicationDataRecord(f.rng.bytes(200 + f.rng.below(1000))), rttMicroseconds: rtt)
        }
        try conv.close(f, rttMicroseconds: rtt)
    }
}

/// Aggregate truth of a `per-flow` capture: counts where the other scenarios list (a million-packet capture
/// would list ~120,000 connections, ~8,000 names and ~24,000 addresses). Counted as frames are written, so a
/// capture cut at its packet limit counts what it holds: a TCP flow once its first SYN is in, a name once
/// its query is in, an SNI once its whole ClientHello is in.
public struct PerFlowPlants: Codable, Sendable, Equatable {
    /// The built-in profile the capture is meant for and its `--param` values.
    public var profile: String
    public var parameters: [String: String]
    public var nodes: [AuditNodePlant]
    public var resolver: String
    /// TCP connections, each preceded by its own lookup.
    public var tcpFlows = 0
    /// TCP connections by planted outcome (`established`, `refused`, `unanswered`).
    public var tcpOutcomes: [String: Int] = [:]
    /// QUIC connections (one client Initial carrying the SNI, one server Initial), each after its lookup.
    public var quicFlows = 0
    /// DNS queries over UDP, one per connection, each a flow of its own (a node's source port comes back
    /// only after 28,232 of its lookups, past UDP's idle timeout).
    public var dnsQueries = 0
    public var dnsAnswers = 0
    /// TLS connections whose whole ClientHello carries an SNI (the others send none).
    public var serverNameFlows = 0
    /// HTTP connections with a Host header.
    public var httpFlows = 0
    /// Distinct names looked up, and how many of them the profile documents.
    public var names = 0
    public var documentedNames = 0
    public var requiredRuleNames = 0
    public var undocumentedNames = 0
    /// Distinct server addresses connected to (TCP SYN or QUIC Initial).
    public var addresses = 0
    /// How `documentedNames` and `requiredRuleNames` were decided.
    public var semantics: [String]

    init(profile: String, parameters: [String: String], nodes: [AuditNodePlant], resolver: String, semantics: [String]) {
        self.profile = profile; self.parameters = parameters; self.nodes = nodes; self.resolver = resolver; self.semantics = semantics
    }
}
