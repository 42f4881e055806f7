/// "Gateway node egress": nodes resolve names and connect out, with every outcome and naming path
/// an egress auditor must recognise, plus background noise. Deterministic for a given seed.
public struct GatewayEgressScenario {
    public struct Variant: Sendable {
        public var name: String
        public var nodes: [Node]
        /// Use IPv6 for destinations that have an IPv6 address.
        public var preferIPv6: Bool
        public init(name: String, nodes: [Node], preferIPv6: Bool) { self.name = name; self.nodes = nodes; self.preferIPv6 = preferIPv6 }
    }

    struct Destination {
        var name: String
        var cnames: [String]
        var ipv4: HostAddress
        var ipv6: HostAddress?
        /// Further A records after `ipv4` (consecutive addresses), for large answers.
        var extraIPv4: Int = 0
    }

    static func addr(_ s: String) -> HostAddress { HostAddress(s) ?? .v4(0) }

    public static let dnsServerV4 = addr("168.63.129.16")
    public static let dnsServerV6 = addr("fd00:1::2")
    public static let routerV4 = addr("10.1.0.1")
    public static let routerV6 = addr("fd00:1::1")
    public static let proxy = addr("10.1.0.10")
    public static let proxyPort: UInt16 = 3128
    public static let ntpServer = addr("10.1.0.3")

    /// The usual two nodes of a gateway pool, both on `link` (interface 0, or 0 and 1 with `separateInterfaces`).
    public static func nodes(link: LinkEncapsulation, secondLink: LinkEncapsulation? = nil, separateInterfaces: Bool = false) -> [Node] {
        let gw = MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0x01)
        var b = Node(name: "gw-node-b", ipv4: addr("10.1.0.5"), ipv6: addr("fd00:1::5"), mac: MACAddress(0x00, 0x0d, 0x3a, 0x10, 0x00, 0x05),
                     gatewayMAC: gw, link: secondLink ?? link, interface: separateInterfaces ? 1 : 0)
        if case .ethernet(let tags) = b.link, !tags.isEmpty {
            b.ipv6Extensions = [.hopByHop(options: []), .destinationOptions(options: [])]
        }
        return [
            Node(name: "gw-node-a", ipv4: addr("10.1.0.4"), ipv6: addr("fd00:1::4"), mac: MACAddress(0x00, 0x0d, 0x3a, 0x10, 0x00, 0x04),
                 gatewayMAC: gw, link: link, interface: 0),
            b,
        ]
    }

    let variant: Variant
    let c: CaptureComposer
    var dnsID: UInt16 = 0x1000

    public init(variant: Variant, composer: CaptureComposer) {
        self.variant = variant
        self.c = composer
    }

    var rttShort: UInt64 { 2_000 }
    var rttLong: UInt64 { 24_000 }

    func node(_ i: Int) -> Node { variant.nodes[i % variant.nodes.count] }

    func target(_ d: Destination) -> HostAddress { variant.preferIPv6 ? (d.ipv6 ?? d.ipv4) : d.ipv4 }

    // MARK: DNS

    /// One DNS query/response over UDP (or TCP) from `node` to the resolver; records the plant.
    /// `clientPort` nil: a random ephemeral port for a UDP query.
    mutating func resolve(_ d: Destination, node n: Node, type: DNSRecordType? = nil, rcode: DNSResponseCode = .noError,
                          overTCP: Bool = false, fragmentSize: Int? = nil, clientPort: UInt16? = nil) throws {
        let qtype = type ?? (target(d).isIPv4 ? .a : .aaaa)
        let server = variant.preferIPv6 ? Self.dnsServerV6 : Self.dnsServerV4
        let client = n.address(ipv6: !server.isIPv4)
        dnsID &+= UInt16(1 + c.rng.below(97))
        var query = DNSMessageFields(id: dnsID, isResponse: false, questionName: d.name, questionType: qtype)
        query.recursionAvailable = false
        var response = DNSMessageFields(id: dnsID, isResponse: true, questionName: d.name, questionType: qtype)
        response.responseCode = rcode
        var addresses: [String] = []
        if rcode == .noError {
            var owner = d.name
            for cname in d.cnames {
                response.answers.append(DNSRecord(name: owner, ttl: 3600, data: .canonicalName(cname)))
                owner = cname
            }
            let answer = qtype == .aaaa ? (d.ipv6 ?? d.ipv4) : d.ipv4
            response.answers.append(DNSRecord(name: owner, ttl: 60, data: .address(answer)))
            addresses.append(answer.description)
            if case .v4(let first) = answer, qtype == .a {
                for k in 0..<d.extraIPv4 {
                    let extra = HostAddress.v4(first &+ UInt32(k + 1))
                    response.answers.append(DNSRecord(name: owner, ttl: 60, data: .address(extra)))
                    addresses.append(extra.description)
                }
            }
        }
        let plant = PlantDNS(qname: d.name, qtype: qtype == .aaaa ? "AAAA" : "A", rcode: "\(rcode)", transport: overTCP ? "tcp" : "udp",
                             cnames: rcode == .noError ? d.cnames : [], addresses: addresses)
        if overTCP {
            var conv = TCPConversation(node: n, server: server, serverPort: 53, rng: &c.rng)
            try conv.handshake(c, rttMicroseconds: rttShort)
            c.advance(microseconds: 100)
            _ = try conv.clientSend(c, DNSMessage.tcpFramed(DNSMessage.build(query)))
            try conv.serverSend(c, DNSMessage.tcpFramed(DNSMessage.build(response)), rttMicroseconds: rttShort)
            try conv.close(c, rttMicroseconds: rttShort)
            c.plants.add(flow: conv.plant(.established))
        } else {
            let port = clientPort ?? c.rng.ephemeralPort()
            try c.emit(ip: UDPExchange.packet(from: client, port, to: server, 53, payload: DNSMessage.build(query)), node: n, outbound: true)
            c.advance(microseconds: rttShort)
            let reply = DNSMessage.build(response)
            if case .v4(let s) = server, case .v4(let d) = client, let size = fragmentSize {
                // A large answer arriving in RFC 791 fragments: only the first carries the UDP header.
                var f = IPv4Fields(source: s, destination: d, protocolNumber: IPProtocolNumber.udp)
                f.ttl = 128
                f.identification = c.rng.u16()
                let datagram = UDPDatagram.build(sourcePort: 53, destinationPort: port, payload: reply, source: server, destination: client)
                for fragment in IPv4Packet.fragments(f, payload: datagram, maxData: size) {
                    try c.emit(ip: fragment, node: n, outbound: false)
                    c.advance(microseconds: 20)
                }
            } else if !server.isIPv4, let size = fragmentSize {
                // The same over IPv6: the resolver fragments with a Fragment extension header.
                var f = IPv6Fields(source: server.bytes, destination: client.bytes, nextHeader: IPProtocolNumber.udp)
                f.hopLimit = 128
                let datagram = UDPDatagram.build(sourcePort: 53, destinationPort: port, payload: reply, source: server, destination: client)
                for fragment in IPv6Packet.fragments(f, payload: datagram, maxData: size, identification: c.rng.u32()) {
                    try c.emit(ip: fragment, node: n, outbound: false)
                    c.advance(microseconds: 20)
                }
            } else {
                try c.emit(ip: UDPExchange.packet(from: server, 53, to: client, port, payload: reply, ttl: 128), node: n, outbound: false)
            }
            var flow = PlantFlow(transport: "udp", client: client.description, clientPort: port, server: server.description,
                                 serverPort: 53, outcome: .replied, node: n.name)
            if fragmentSize != nil { flow.delivery = server.isIPv4 ? "response in IPv4 fragments" : "response in IPv6 fragments" }
            c.plants.add(flow: flow)
        }
        c.plants.destinations.insert(server)
        c.plants.add(dns: plant)
        c.advance(microseconds: 300)
    }

    // MARK: TLS over TCP

    struct TLSPlan {
        var sni: String?
        var alpn: [String] = ["h2", "http/1.1"]
        var tls13 = true
        var ech = false
        var postQuantum = false
        var recordSizes: [Int] = []
        var cuts: [Int] = []
        var delivery: TCPConversation.Delivery = .inOrder
    }

    mutating func tlsConnection(to server: HostAddress, port: UInt16 = 443, node n: Node, plan: TLSPlan) throws {
        var conv = TCPConversation(node: n, server: server, serverPort: port, rng: &c.rng)
        try conv.handshake(c, rttMicroseconds: rttLong)
        c.advance(microseconds: 400)
        try sendHello(&conv, plan: plan)
        try exchangeData(&conv)
        try conv.close(c, rttMicroseconds: rttLong)
        var flow = conv.plant(.established, delivery: plan.delivery == .inOrder && plan.cuts.isEmpty ? nil : describe(plan))
        flow.sni = plan.sni
        flow.alpn = plan.alpn
        flow.ech = plan.ech
        c.plants.add(flow: flow)
    }

    func describe(_ plan: TLSPlan) -> String {
        "\(plan.delivery.rawValue), records \(plan.recordSizes.isEmpty ? "1" : "\(plan.recordSizes.count + 1)"), cuts \(plan.cuts)"
    }

    /// ClientHello (possibly several records, cut into segments) and the server's ServerHello.
    mutating func sendHello(_ conv: inout TCPConversation, plan: TLSPlan) throws {
        let spec = ClientHelloSpec(serverName: plan.sni, alpn: plan.alpn, offerTLS13: plan.tls13, encryptedClientHello: plan.ech,
                                   keyShares: plan.postQuantum ? [.x25519MLKEM768, .x25519] : [.x25519])
        let hello = TLSClientHello.handshakeMessage(spec, rng: &c.rng)
        let records = plan.recordSizes.isEmpty ? TLSClientHello.records(hello) : TLSClientHello.records(hello, fragmentSizes: plan.recordSizes)
        // Segments no larger than the peer's MSS (1440) unless the plan cuts explicitly.
        var cuts = plan.cuts
        if cuts.isEmpty { cuts = Array(stride(from: 1440, to: records.count, by: 1440)) }
        _ = try conv.clientSend(c, records, cuts: cuts, delivery: plan.delivery)
        if let name = plan.sni { c.plants.sni.insert(name) }
        let serverHello = TLSServerHello.handshakeMessage(tls13: plan.tls13, sessionID: TLSServerHello.sessionID(ofClientHello: hello), rng: &c.rng)
        var reply = TLSClientHello.records(serverHello)
        reply[1] = 0x03; reply[2] = 0x03
        if plan.tls13 { reply += [20, 0x03, 0x03, 0x00, 0x01, 0x01] } // change_cipher_spec (RFC 8446 D.4 middlebox compatibility)
        reply += TLSClientHello.applicationDataRecord(c.rng.bytes(2400 + c.rng.below(1200)))
        try conv.serverSend(c, reply, rttMicroseconds: rttLong)
    }

    mutating func exchangeData(_ conv: inout TCPConversation) throws {
        for _ in 0..<(1 + c.rng.below(3)) {
            c.advance(microseconds: 500)
            _ = try conv.clientSend(c, TLSClientHello.applicationDataRecord(c.rng.bytes(80 + c.rng.below(400))))
            try conv.serverSend(c, TLSClientHello.applicationDataRecord(c.rng.bytes(200 + c.rng.below(2000))), rttMicroseconds: rttLong)
        }
    }

    // MARK: QUIC

    /// `clientPort` nil: a random ephemeral port.
    mutating func quicConnection(to server: HostAddress, node n: Node, sni: String, version: QUICVersion, split: Bool,
                                 clientPort: UInt16? = nil) throws {
        let client = n.address(ipv6: !server.isIPv4)
        let port = clientPort ?? c.rng.ephemeralPort()
        let dcid = c.rng.bytes(8)
        let scid = c.rng.bytes(8)
        let spec = ClientHelloSpec(serverName: sni, alpn: ["h3"], keyShares: [.x25519], padToLength: nil,
                                   quicTransportParameters: QUICInitialPacket.transportParameters(sourceConnectionID: scid))
        let hello = TLSClientHello.handshakeMessage(spec, rng: &c.rng)
        for datagram in try QUICInitialPacket.clientFirstFlight(version: version, destinationConnectionID: dcid, sourceConnectionID: scid,
                                                                 clientHello: hello, split: split) {
            try c.emit(ip: UDPExchange.packet(from: client, port, to: server, 443, payload: datagram), node: n, outbound: true)
            c.advance(microseconds: 100)
        }
        c.plants.quicSNI.insert(sni)
        c.plants.destinations.insert(server)
        c.advance(microseconds: rttLong)
        let serverHello = TLSServerHello.handshakeMessage(tls13: true, sessionID: [], rng: &c.rng)
        let reply = try QUICInitialPacket.serverInitial(version: version, originalDestinationConnectionID: dcid, clientSourceConnectionID: scid,
                                                        serverConnectionID: c.rng.bytes(8), serverHello: serverHello)
        try c.emit(ip: UDPExchange.packet(from: server, 443, to: client, port, payload: reply, ttl: 56), node: n, outbound: false)
        var flow = PlantFlow(transport: "udp", client: client.description, clientPort: port, server: server.description, serverPort: 443,
                             outcome: .replied, node: n.name)
        flow.quicSNI = sni
        flow.quicVersion = version == .v1 ? "v1" : "v2"
        flow.delivery = split ? "crypto split over 2 Initials, out of order" : nil
        c.plants.add(flow: flow)
        c.advance(microseconds: 5_000)
    }

    // MARK: HTTP

    mutating func httpGet(_ d: Destination, node n: Node) throws {
        var conv = TCPConversation(node: n, server: target(d), serverPort: 80, rng: &c.rng)
        try conv.handshake(c, rttMicroseconds: rttLong)
        _ = try conv.clientSend(c, HTTPRequest.get(host: d.name, path: "/pub/keys/release.asc"))
        c.plants.httpHosts.insert(d.name)
        try conv.serverSend(c, HTTPRequest.okResponse(bodyLength: 600), rttMicroseconds: rttLong)
        try conv.close(c, rttMicroseconds: rttLong)
        var flow = conv.plant(.established)
        flow.httpHost = d.name
        c.plants.add(flow: flow)
    }

    /// CONNECT through the forward proxy, then TLS inside the tunnel (the SNI repeats the target host).
    mutating func proxyConnect(host: String, node n: Node) throws {
        let target = "\(host):443"
        var conv = TCPConversation(node: n, server: Self.proxy, serverPort: Self.proxyPort, rng: &c.rng)
        try conv.handshake(c, rttMicroseconds: rttShort)
        _ = try conv.clientSend(c, HTTPRequest.connect(target: target))
        c.plants.httpHosts.insert(target)
        c.plants.connectTargets.insert(target)
        try conv.serverSend(c, HTTPRequest.connectionEstablished, rttMicroseconds: rttLong)
        try sendHello(&conv, plan: TLSPlan(sni: host))
        try exchangeData(&conv)
        try conv.close(c, rttMicroseconds: rttShort)
        var flow = conv.plant(.established)
        flow.httpHost = target
        flow.connectTarget = target
        flow.sni = host
        flow.alpn = ["h2", "http/1.1"]
        flow.ech = false
        c.plants.add(flow: flow)
    }

    // MARK: Noise

    mutating func noise(node n: Node) throws {
        if case .ethernet(let tags) = n.link {
            let arp = LinkFrame.arpRequest(senderMAC: n.mac, senderIP: n.ipv4, targetIP: Self.routerV4)
            if tags.isEmpty { try c.emit(frame: arp, interface: n.interface) }
        }
        c.advance(microseconds: 700)
        // mDNS (RFC 6762) one-shot query from the node, IPv4 and IPv6.
        for group in [Self.addr("224.0.0.251"), Self.addr("ff02::fb")] {
            let name = "_googlecast._tcp.local"
            var q = DNSMessageFields(id: 0, isResponse: false, questionName: name, questionType: .ptr)
            q.recursionDesired = false
            q.recursionAvailable = false
            let source = group.isIPv4 ? n.ipv4 : Self.addr("fe80::20d:3aff:fe10:\(n.name.hasSuffix("a") ? "4" : "5")")
            try c.emit(ip: UDPExchange.packet(from: source, 5353, to: group, 5353, payload: DNSMessage.build(q), ttl: 255), node: n, outbound: true)
            c.plants.mdns.insert(name)
            c.advance(microseconds: 300)
        }
        // NTP client request and server reply (RFC 5905 §7.3: LI 0, VN 4, mode 3/4).
        let port = c.rng.ephemeralPort()
        var request = [UInt8](repeating: 0, count: 48)
        request[0] = 0x23
        request.replaceSubrange(40..<48, with: c.rng.bytes(8))
        try c.emit(ip: UDPExchange.packet(from: n.ipv4, port, to: Self.ntpServer, 123, payload: request), node: n, outbound: true)
        c.advance(microseconds: rttShort)
        var reply = [UInt8](repeating: 0, count: 48)
        reply[0] = 0x24; reply[1] = 2; reply[2] = 3; reply[3] = 0xe9
        reply.replaceSubrange(24..<32, with: request[40..<48])
        reply.replaceSubrange(32..<48, with: c.rng.bytes(16))
        try c.emit(ip: UDPExchange.packet(from: Self.ntpServer, 123, to: n.ipv4, port, payload: reply), node: n, outbound: false)
        c.plants.add(flow: PlantFlow(transport: "udp", client: n.ipv4.description, clientPort: port, server: Self.ntpServer.description,
                                     serverPort: 123, outcome: .replied, node: n.name))
        c.plants.destinations.insert(Self.ntpServer)
        c.advance(microseconds: 20_000)
    }

    // MARK: The script

    static let catalog: [String: Destination] = {
        let list = [
            Destination(name: "mcr.microsoft.com", cnames: ["mcr-microsoft-com.a-0016.a-msedge.net"], ipv4: addr("204.79.197.219"), ipv6: addr("2620:1ec:29:1::219")),
            Destination(name: "login.microsoftonline.com", cnames: ["login.mso.msidentity.com", "ak.privatelink.msidentity.com", "www.tm.ak.prd.aadg.trafficmanager.net"],
                        ipv4: addr("20.190.160.20"), ipv6: addr("2603:1037:1:c8::20")),
            Destination(name: "management.azure.com", cnames: ["management.privatelink.azure.com", "arm-frontdoor-prod.trafficmanager.net"],
                        ipv4: addr("4.150.240.10"), ipv6: addr("2603:1030:403::10")),
            Destination(name: "packages.microsoft.com", cnames: [], ipv4: addr("13.107.246.40"), ipv6: addr("2620:1ec:bdf::40")),
            Destination(name: "acs-mirror.azureedge.net", cnames: ["acs-mirror.ec.azureedge.net"], ipv4: addr("152.199.19.161"), ipv6: nil),
            Destination(name: "api.github.com", cnames: [], ipv4: addr("140.82.121.6"), ipv6: nil),
            Destination(name: "pastebin.com", cnames: [], ipv4: addr("104.20.68.143"), ipv6: addr("2606:4700:10::6814:448f")),
            Destination(name: "security.ubuntu.com", cnames: [], ipv4: addr("91.189.91.82"), ipv6: addr("2620:2d:4000:1::102")),
            Destination(name: "www.google.com", cnames: [], ipv4: addr("142.250.74.36"), ipv6: addr("2a00:1450:4001:80b::2004")),
            Destination(name: "cloudflare-quic.com", cnames: [], ipv4: addr("104.16.124.96"), ipv6: addr("2606:4700::6810:7c60")),
            Destination(name: "dc.services.visualstudio.com", cnames: ["dc.applicationinsights.azure.com"], ipv4: addr("20.50.88.235"), ipv6: nil),
            Destination(name: "blackholed.contoso.net", cnames: [], ipv4: addr("203.0.113.50"), ipv6: addr("2001:db8:50::50")),
            Destination(name: "metrics.contoso.com", cnames: [], ipv4: addr("198.51.100.20"), ipv6: addr("2001:db8:20::20")),
            Destination(name: "registry-1.docker.io", cnames: [], ipv4: addr("54.236.113.205"), ipv6: nil),
            Destination(name: "ghcr.io", cnames: [], ipv4: addr("140.82.121.34"), ipv6: addr("2001:db8:34::34")),
            Destination(name: "nodeconfig.contoso.com", cnames: [], ipv4: addr("10.20.0.8"), ipv6: nil),
            Destination(name: "assets.contoso-cdn.net", cnames: ["assets.contoso-cdn.net.edgesuite.net", "a1492.dscb.akamai.net"],
                        ipv4: addr("23.55.220.10"), ipv6: nil, extraIPv4: 40),
            Destination(name: "doesnotexist.contoso.invalid", cnames: [], ipv4: addr("0.0.0.0"), ipv6: nil),
            Destination(name: "dnssec-failed.org", cnames: [], ipv4: addr("0.0.0.0"), ipv6: nil),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }()

    static func dest(_ name: String) -> Destination {
        catalog[name] ?? Destination(name: name, cnames: [], ipv4: addr("192.0.2.1"), ipv6: nil)
    }

    public mutating func run() throws {
        let a = node(0), b = node(1)
        try noise(node: a)

        var d = Self.dest("mcr.microsoft.com")
        try resolve(d, node: a)
        try tlsConnection(to: target(d), node: a, plan: TLSPlan(sni: d.name, postQuantum: true))

        d = Self.dest("login.microsoftonline.com")
        try resolve(d, node: b)
        try tlsConnection(to: target(d), node: b, plan: TLSPlan(sni: d.name, recordSizes: [100, 150], cuts: [7, 180, 301]))

        d = Self.dest("management.azure.com")
        try resolve(d, node: a, type: .aaaa)
        try tlsConnection(to: d.ipv6 ?? d.ipv4, node: a, plan: TLSPlan(sni: d.name, cuts: [60, 250], delivery: .outOfOrder))

        d = Self.dest("packages.microsoft.com")
        try resolve(d, node: b)
        try tlsConnection(to: target(d), node: b, plan: TLSPlan(sni: d.name, cuts: [200], delivery: .retransmitOverlap))

        d = Self.dest("acs-mirror.azureedge.net")
        try resolve(d, node: a)
        try tlsConnection(to: d.ipv4, node: a, plan: TLSPlan(sni: d.name, alpn: ["http/1.1"], tls13: false))

        d = Self.dest("api.github.com")
        try resolve(d, node: b)
        try tlsConnection(to: d.ipv4, node: b, plan: TLSPlan(sni: d.name, ech: true))

        d = Self.dest("pastebin.com")
        try resolve(d, node: a)
        try tlsConnection(to: target(d), node: a, plan: TLSPlan(sni: "cloudflare-ech.com", ech: true))

        d = Self.dest("dc.services.visualstudio.com")
        try resolve(d, node: b)
        try tlsConnection(to: d.ipv4, node: b, plan: TLSPlan(sni: d.name, alpn: []))

        try noise(node: b)

        d = Self.dest("www.google.com")
        try resolve(d, node: a)
        try quicConnection(to: target(d), node: a, sni: d.name, version: .v1, split: false)

        d = Self.dest("cloudflare-quic.com")
        try resolve(d, node: b)
        try quicConnection(to: d.ipv4, node: b, sni: d.name, version: .v2, split: true)
        try resolve(d, node: a, type: .aaaa)
        try quicConnection(to: d.ipv6 ?? d.ipv4, node: a, sni: d.name, version: .v1, split: true)

        d = Self.dest("security.ubuntu.com")
        try resolve(d, node: b)
        try httpGet(d, node: b)

        try proxyConnect(host: "contosostorage.blob.core.windows.net", node: a)

        try resolve(Self.dest("nodeconfig.contoso.com"), node: b, overTCP: true)
        try resolve(Self.dest("assets.contoso-cdn.net"), node: a, type: .a, fragmentSize: 256)
        try resolve(Self.dest("doesnotexist.contoso.invalid"), node: a, rcode: .nameError)
        try resolve(Self.dest("dnssec-failed.org"), node: b, rcode: .serverFailure)

        d = Self.dest("blackholed.contoso.net")
        try resolve(d, node: a)
        let silent = TCPConversation(node: a, server: target(d), serverPort: 443, rng: &c.rng)
        try silent.unansweredSYN(c)
        c.plants.add(flow: silent.plant(.unanswered))
        c.advance(microseconds: 50_000)

        d = Self.dest("metrics.contoso.com")
        try resolve(d, node: b)
        var refused = TCPConversation(node: b, server: target(d), serverPort: 8443, rng: &c.rng)
        try refused.refused(c, rttMicroseconds: rttLong)
        c.plants.add(flow: refused.plant(.refused))
        c.advance(microseconds: 50_000)

        d = Self.dest("registry-1.docker.io")
        try resolve(d, node: a)
        let blockedV4 = TCPConversation(node: a, server: d.ipv4, serverPort: 443, rng: &c.rng)
        try blockedV4.prohibited(c, router: Self.routerV4, rttMicroseconds: rttLong)
        c.plants.add(flow: blockedV4.plant(.prohibited))
        c.advance(microseconds: 50_000)

        d = Self.dest("ghcr.io")
        try resolve(d, node: b, type: .aaaa)
        let blockedV6 = TCPConversation(node: b, server: d.ipv6 ?? d.ipv4, serverPort: 443, rng: &c.rng)
        try blockedV6.prohibited(c, router: Self.routerV6, rttMicroseconds: rttLong)
        c.plants.add(flow: blockedV6.plant(.prohibited))
        c.advance(microseconds: 50_000)

        try noise(node: a)
    }
}
