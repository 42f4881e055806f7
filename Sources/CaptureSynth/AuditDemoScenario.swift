/// Audit demonstrations: for each built-in profile, the egress of that service's nodes with a deliberate
/// mix of allowed, undocumented, wrong-port, blocked and missing traffic, and the findings an audit must
/// report (`AuditFindingPlants`). Rule ids are transcribed by hand from the profiles' YAML
/// (`Sources/EgressPolicy/BuiltinProfiles/`) so the ground truth does not come from the engine.
public struct AuditDemoScenario {
    public enum Demo: String, CaseIterable, Sendable {
        case apimSelfHostedGateway = "demo-apim-self-hosted-gateway"
        case apimVNet = "demo-apim-vnet"
        case cassandraMI = "demo-cassandra-mi"
        case aks = "demo-aks"
        case containerApps = "demo-container-apps"

        var profile: String {
            switch self {
            case .apimSelfHostedGateway: "apim-self-hosted-gateway"
            case .apimVNet: "apim-vnet"
            case .cassandraMI: "cassandra-mi"
            case .aks: "aks"
            case .containerApps: "container-apps"
            }
        }

        var nodePrefix: String {
            switch self {
            case .apimSelfHostedGateway: "shgw-node"
            case .apimVNet: "apim-node"
            case .cassandraMI: "cassandra-node"
            case .aks: "aks-node"
            case .containerApps: "aca-node"
            }
        }
    }

    /// Azure Public service tags, change 376; every tag address below was looked up in it.
    public static let serviceTagFile = "ServiceTags_Public_20251109.json"

    /// A VNet subnet of the demo nodes (virtual-network 10.10.0.0/16); the subnet's default gateway answers ICMP.
    static let router = GatewayEgressScenario.addr("10.10.1.1")

    /// What the tag file says about each address the demos use: every containing tag, and the prefix cited as
    /// evidence (tag, prefix). Addresses outside every tag have an empty list (non-Azure hosts).
    static let addressFacts: [String: (tags: [String], cite: ServiceTagCitation?)] = [
        // ApiManagement.WestUS 40.112.243.240/28
        "40.112.243.245": (["ApiManagement", "ApiManagement.WestUS", "AzureCloud", "AzureCloud.westus"],
                           ServiceTagCitation(tag: "ApiManagement.WestUS", prefix: "40.112.243.240/28")),
        // AzureActiveDirectory 20.190.128.0/18
        "20.190.151.68": (["AzureActiveDirectory", "AzureActiveDirectory.ServiceEndpoint", "AzureCloud", "AzureCloud.eastus"],
                          ServiceTagCitation(tag: "AzureActiveDirectory", prefix: "20.190.128.0/18")),
        // AzureKeyVault.WestUS 40.112.242.144/30
        "40.112.242.145": (["AzureCloud", "AzureCloud.westus", "AzureKeyVault", "AzureKeyVault.WestUS"],
                           ServiceTagCitation(tag: "AzureKeyVault.WestUS", prefix: "40.112.242.144/30")),
        "40.112.242.146": (["AzureCloud", "AzureCloud.westus", "AzureKeyVault", "AzureKeyVault.WestUS"],
                           ServiceTagCitation(tag: "AzureKeyVault.WestUS", prefix: "40.112.242.144/30")),
        // Storage.WestUS 13.88.144.112/28 and 13.93.168.80/28
        "13.88.144.116": (["AzureCloud", "AzureCloud.westus", "Storage", "Storage.WestUS"],
                          ServiceTagCitation(tag: "Storage.WestUS", prefix: "13.88.144.112/28")),
        "13.88.144.118": (["AzureCloud", "AzureCloud.westus", "Storage", "Storage.WestUS"],
                          ServiceTagCitation(tag: "Storage.WestUS", prefix: "13.88.144.112/28")),
        "13.93.168.85": (["AzureCloud", "AzureCloud.westus", "Storage", "Storage.WestUS"],
                         ServiceTagCitation(tag: "Storage.WestUS", prefix: "13.93.168.80/28")),
        // Sql.WestUS 13.86.216.0/25
        "13.86.216.10": (["AzureCloud", "AzureCloud.westus", "Sql", "Sql.WestUS"],
                         ServiceTagCitation(tag: "Sql.WestUS", prefix: "13.86.216.0/25")),
        // AzureMonitor.WestUS 13.86.218.224/28
        "13.86.218.230": (["AzureCloud", "AzureCloud.westus", "AzureMonitor", "AzureMonitor.WestUS"],
                          ServiceTagCitation(tag: "AzureMonitor.WestUS", prefix: "13.86.218.224/28")),
        "13.86.218.232": (["AzureCloud", "AzureCloud.westus", "AzureMonitor", "AzureMonitor.WestUS"],
                          ServiceTagCitation(tag: "AzureMonitor.WestUS", prefix: "13.86.218.224/28")),
        // EventHub.WestUS 20.66.7.0/24
        "20.66.7.20": (["AzureCloud", "AzureCloud.westus", "EventHub", "EventHub.WestUS"],
                       ServiceTagCitation(tag: "EventHub.WestUS", prefix: "20.66.7.0/24")),
        // AzureResourceManager.WestUS 4.150.240.0/23 (a tag no demo profile allows)
        "4.150.240.10": (["AzureCloud", "AzureCloud.westus", "AzureResourceManager", "AzureResourceManager.WestUS"],
                         ServiceTagCitation(tag: "AzureResourceManager.WestUS", prefix: "4.150.240.0/23")),
        // AzureFrontDoor.Frontend 13.107.213.0/24: in no other tag of the file
        "13.107.213.40": (["AzureFrontDoor.Frontend"], ServiceTagCitation(tag: "AzureFrontDoor.Frontend", prefix: "13.107.213.0/24")),
        // Outside Azure: Cloudflare (pastebin.com), GitHub (api.github.com, objects.githubusercontent.com), Microsoft 365.
        "104.20.29.150": ([], nil),
        // Outside Azure too, for the AKS and Container Apps demos (Docker Hub, CDNs).
        "44.208.254.194": ([], nil),
        "151.101.2.132": ([], nil),
        "23.202.231.169": ([], nil),
        "185.125.190.36": ([], nil),
        "140.82.112.6": ([], nil),
        "185.199.108.133": ([], nil),
        "52.113.194.132": ([], nil),
        // Azure's platform resolver and the nodes themselves: in no tag of the file.
        "168.63.129.16": ([], nil),
        "10.10.1.4": ([], nil),
        "10.10.1.5": ([], nil),
    ]

    public static func nodes(for demo: Demo) -> [Node] {
        let gw = MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0x01)
        return [("a", "10.10.1.4", "fd10:10:1::4", UInt8(4)), ("b", "10.10.1.5", "fd10:10:1::5", UInt8(5))].map { suffix, v4, v6, last in
            Node(name: "\(demo.nodePrefix)-\(suffix)", ipv4: GatewayEgressScenario.addr(v4), ipv6: GatewayEgressScenario.addr(v6),
                 mac: MACAddress(0x00, 0x0d, 0x3a, 0x20, 0x01, last), gatewayMAC: gw, link: .ethernet(vlanTags: []), interface: 0)
        }
    }

    let demo: Demo
    let c: CaptureComposer
    var script: GatewayEgressScenario
    var items: [AuditFindingPlant] = []
    /// (rule, node, succeeded) for every planted attempt at a rule's destinations.
    var evidence: [(rule: String, node: String, ok: Bool)] = []

    public init(demo: Demo, composer: CaptureComposer) {
        self.demo = demo
        self.c = composer
        self.script = GatewayEgressScenario(variant: .init(name: demo.rawValue, nodes: Self.nodes(for: demo), preferIPv6: false), composer: composer)
    }

    func node(_ i: Int) -> Node { script.node(i) }

    // MARK: Steps

    static func destination(_ name: String, _ address: String, cnames: [String] = []) -> GatewayEgressScenario.Destination {
        .init(name: name, cnames: cnames, ipv4: GatewayEgressScenario.addr(address), ipv6: nil)
    }

    mutating func item(_ kind: AuditFindingPlant.Kind, rule: String?, name: String?, address: String?, port: UInt16?, transport: String?,
                       flows: [PlantFlow], why: String, dnsName: String? = nil, rcode: String? = nil, cite: Bool = false, also: [String] = []) {
        let facts = address.flatMap { Self.addressFacts[$0] }
        items.append(AuditFindingPlant(kind: kind, rule: rule, alsoRules: also.isEmpty ? nil : also, name: name, dnsName: dnsName, address: address, port: port, transport: transport,
                                       serviceTag: cite ? facts?.cite : nil, containingTags: facts?.tags, rcode: rcode,
                                       flows: flows.map(AuditFlowReference.init), why: why))
    }

    var lastFlow: PlantFlow? { c.plants.flows.last }

    /// DNS (when `name` is given) then a TLS connection; `sni` defaults to the name, nil name means an IP-only flow.
    mutating func tls(_ n: Node, name: String?, address: String, port: UInt16 = 443, sni: String? = nil, cnames: [String] = []) throws -> PlantFlow? {
        let server = GatewayEgressScenario.addr(address)
        if let name { try script.resolve(Self.destination(name, address, cnames: cnames), node: n) }
        var plan = GatewayEgressScenario.TLSPlan(sni: sni ?? name)
        if name == nil && sni == nil { plan.alpn = [] }
        try script.tlsConnection(to: server, port: port, node: n, plan: plan)
        c.advance(microseconds: 20_000)
        return lastFlow
    }

    /// The same case in every demo: DNS names 185.199.108.133 files.contoso-partner.net,
    /// the ClientHello says objects.githubusercontent.com — a name mismatch, and
    /// undocumented by the SNI's name.
    mutating func plantNameMismatch(from n: Node) throws {
        let f = try tls(n, name: "files.contoso-partner.net", address: "185.199.108.133", sni: "objects.githubusercontent.com")
        item(.nameMismatch, rule: nil, name: "objects.githubusercontent.com", address: "185.199.108.133", port: 443, transport: "tcp",
             flows: f.map { [$0] } ?? [], why: Self.mismatchWhy, dnsName: "files.contoso-partner.net")
        item(.undocumented, rule: nil, name: "objects.githubusercontent.com", address: "185.199.108.133", port: 443, transport: "tcp",
             flows: f.map { [$0] } ?? [], why: Self.mismatchUndocumentedWhy)
    }

    /// DNS then an HTTP/1.1 GET on port 80 (Host = name).
    mutating func http(_ n: Node, name: String, address: String) throws -> PlantFlow? {
        let d = Self.destination(name, address)
        try script.resolve(d, node: n)
        try script.httpGet(d, node: n)
        c.advance(microseconds: 20_000)
        return lastFlow
    }

    /// DNS then a SYN retransmitted at t, t+1 s, t+3 s without answer (Zeek S0).
    mutating func unanswered(_ n: Node, name: String, address: String, port: UInt16) throws -> PlantFlow {
        try script.resolve(Self.destination(name, address), node: n)
        let conv = TCPConversation(node: n, server: GatewayEgressScenario.addr(address), serverPort: port, rng: &c.rng)
        try conv.unansweredSYN(c)
        let flow = conv.plant(.unanswered)
        c.plants.add(flow: flow)
        c.advance(microseconds: 50_000)
        return flow
    }

    /// DNS then a SYN answered by the subnet gateway's ICMP type 3 code 13 (RFC 1812 §5.2.7.1).
    mutating func prohibited(_ n: Node, name: String, address: String, port: UInt16) throws -> PlantFlow {
        try script.resolve(Self.destination(name, address), node: n)
        let conv = TCPConversation(node: n, server: GatewayEgressScenario.addr(address), serverPort: port, rng: &c.rng)
        try conv.prohibited(c, router: Self.router, rttMicroseconds: script.rttLong)
        let flow = conv.plant(.prohibited)
        c.plants.add(flow: flow)
        c.advance(microseconds: 50_000)
        return flow
    }

    mutating func failingDNS(_ n: Node, name: String, rcode: DNSResponseCode) throws {
        try script.resolve(Self.destination(name, "0.0.0.0"), node: n, rcode: rcode)
        c.advance(microseconds: 20_000)
    }

    /// A TLS flow (`tls`) planted as one finding of `kind`. An allowed flow is the evidence for its
    /// rule and the rules it also meets; an undocumented or wrong-port one is evidence for none.
    mutating func reach(_ kind: AuditFindingPlant.Kind, rule: String?, from n: Node, name: String?, address: String, port: UInt16 = 443,
                        cnames: [String] = [], why: String, cite: Bool = false, also: [String] = []) throws {
        let f = try tls(n, name: name, address: address, port: port, cnames: cnames)
        if kind == .allowedRequired || kind == .allowedOptional { used((rule.map { [$0] } ?? []) + also, by: f) }
        item(kind, rule: rule, name: name, address: address, port: port, transport: "tcp", flows: f.map { [$0] } ?? [], why: why,
             cite: cite, also: also)
    }

    /// Plain HTTP (`http`) on port 80 to a name `rule` allows on other ports: a wrong-port finding.
    mutating func plainHTTP(rule: String, from n: Node, name: String, address: String, why: String) throws {
        let f = try http(n, name: name, address: address)
        item(.wrongPort, rule: rule, name: name, address: address, port: 80, transport: "tcp", flows: f.map { [$0] } ?? [], why: why)
    }

    /// SYNs left unanswered (from one node) then answered by ICMP admin-prohibited (for another), toward
    /// `rules`' destination: the evidence of both for each rule, and a blocked-required finding per rule.
    mutating func blocked(_ rules: [String], name: String, address: String, port: UInt16, unansweredFrom first: Node, prohibitedFrom second: Node,
                          why: String, cite: Bool = false) throws {
        let s0 = try unanswered(first, name: name, address: address, port: port)
        let icmp = try prohibited(second, name: name, address: address, port: port)
        used(rules, by: s0)
        used(rules, by: icmp)
        for rule in rules {
            item(.blockedRequired, rule: rule, name: name, address: address, port: port, transport: "tcp", flows: [s0, icmp], why: why, cite: cite)
        }
    }

    /// The first DNS exchange a node made (the evidence for a DNS rule).
    var firstDNSFlow: PlantFlow? { c.plants.flows.first { $0.serverPort == 53 } }

    mutating func used(_ rules: [String], by flow: PlantFlow?) {
        guard let flow else { return }
        for r in rules { evidence.append((r, flow.node, flow.outcome == .established || flow.outcome == .replied)) }
    }

    // MARK: Statuses

    /// Statuses from the planted evidence: satisfied = one successful flow; attempted-but-failing = attempts, none successful.
    func statuses(_ rules: [String], optional: Bool) -> [AuditRuleStatusPlant] {
        rules.map { rule in
            let attempts = evidence.filter { $0.rule == rule }
            func status(_ list: [(rule: String, node: String, ok: Bool)]) -> AuditRuleStatusPlant.Status {
                if optional { return list.isEmpty ? .unused : .used }
                if list.contains(where: \.ok) { return .satisfied }
                return list.isEmpty ? .notSeen : .attemptedButFailing
            }
            let overall = status(attempts)
            var perNode: [String: AuditRuleStatusPlant.Status] = [:]
            for n in script.variant.nodes { perNode[n.name] = status(attempts.filter { $0.node == n.name }) }
            // Only a rule satisfied somewhere and failing elsewhere needs the per-node view.
            let split = overall == .satisfied && perNode.values.contains(.attemptedButFailing)
            return AuditRuleStatusPlant(rule: rule, status: overall, nodes: split ? perNode : nil)
        }
    }

    // MARK: Run

    public static func generate(_ demo: Demo, composer: CaptureComposer, seed: UInt64) throws -> AuditFindingPlants {
        var s = AuditDemoScenario(demo: demo, composer: composer)
        let setup: Setup
        switch demo {
        case .apimSelfHostedGateway: setup = try s.selfHostedGateway()
        case .apimVNet: setup = try s.apimVNet()
        case .cassandraMI: setup = try s.cassandraMI()
        case .aks: setup = try s.aks()
        case .containerApps: setup = try s.containerApps()
        }
        let required = s.statuses(setup.requiredRules, optional: false)
        let optional = s.statuses(setup.optionalRules, optional: true)
        for r in required where r.status == .notSeen {
            s.item(.requiredNeverSeen, rule: r.rule, name: nil, address: nil, port: nil, transport: nil, flows: [],
                   why: setup.neverSeenWhy[r.rule] ?? "Required rule left without traffic on purpose: no flow to its destinations.")
        }
        for r in optional where r.status == .unused {
            s.item(.unusedOptional, rule: r.rule, name: nil, address: nil, port: nil, transport: nil, flows: [],
                   why: "The rule's feature is enabled but nothing in the capture uses the rule.")
        }
        return AuditFindingPlants(
            scenario: demo.rawValue, seed: seed, profile: demo.profile, parameters: setup.parameters, features: setup.features,
            nodes: s.script.variant.nodes.map { AuditNodePlant(name: $0.name, address: $0.ipv4.description) },
            resolver: GatewayEgressScenario.dnsServerV4.description, serviceTagFile: serviceTagFile, semantics: semantics + setup.notes,
            findings: s.items, requiredRules: required, optionalRules: optional)
    }

    static let semantics = [
        "A flow satisfies (or uses) every rule that allows it, by its name or by its address: a rule whose destinations are an FQDN or a service tag is met by either.",
        "A required rule is satisfied by one established flow; attempted-but-failing when every flow toward it failed (unanswered SYNs, ICMP administratively prohibited); notSeen otherwise. Where a rule is satisfied on one node and failing on another, nodes gives each node's status and a blockedRequired item names the failing node's flows.",
        "A flow's name is its TLS SNI, else its HTTP Host, else this client's DNS answer for the address; IP-only flows have none and are judged by address.",
        "DNS queries to the resolver are name-resolution evidence; they are findings only through the profile's DNS rule, if it has one (168.63.129.16 is Azure's platform address, which NSGs do not filter).",
        "Optional rules of features not listed in features are outside the demo: no item concerns them.",
    ]

    struct Setup {
        var parameters: [String: String]
        var features: [String]
        var requiredRules: [String]
        var optionalRules: [String]
        var neverSeenWhy: [String: String] = [:]
        var notes: [String] = []
    }
}

// MARK: The demonstrations

extension AuditDemoScenario {
    static let undocumentedIPOnlyWhy =
        "IP-only TLS (no SNI, no DNS) to an address the profile's tags do not contain; the tag file places it in AzureFrontDoor.Frontend."
    static let mismatchUndocumentedWhy =
        "The name-mismatch flow's destination is undocumented too: no rule allows it by its SNI, its DNS name or its address."
    static let mismatchWhy = "The client's DNS answer named the address files.contoso-partner.net, but the ClientHello's SNI says objects.githubusercontent.com."

    /// `apim-self-hosted-gateway`: its one required rule is the configuration endpoint, reached from node a and blocked from node b.
    mutating func selfHostedGateway() throws -> Setup {
        let a = node(0), b = node(1)
        let config = "contoso.configuration.azure-api.net"
        try reach(.allowedRequired, rule: "configuration-endpoint", from: a, name: config, address: "40.112.243.245", cnames: ["apimgmt-contoso-westus.cloudapp.net"],
                  why: "Configuration sync from node a with SNI: the one mandatory destination, established.")

        try reach(.allowedOptional, rule: "entra-login-microsoftonline", from: a, name: "login.microsoftonline.com", address: "20.190.151.68",
                  why: "Token issuance (feature entra-id).")

        try reach(.allowedOptional, rule: "key-vault", from: a, name: "contoso-kv.vault.azure.net", address: "40.112.242.145",
                  why: "Secrets from the vault named by vault-name (feature key-vault).")

        try failingDNS(b, name: config, rcode: .serverFailure)
        item(.failingDNS, rule: "configuration-endpoint", name: config, address: nil, port: nil, transport: "udp", flows: [],
             why: "Node b's first lookup of the configuration endpoint fails with SERVFAIL (a private DNS zone out of reach).", rcode: "serverFailure")
        try blocked(["configuration-endpoint"], name: config, address: "40.112.243.245", port: 443, unansweredFrom: b, prohibitedFrom: b,
                    why: "Node b never reaches its configuration endpoint: SYNs unanswered with retransmits, then ICMP admin-prohibited (3/13) from 10.10.1.1.")

        try reach(.undocumented, rule: nil, from: b, name: "pastebin.com", address: "104.20.29.150",
                  why: "No rule names pastebin.com and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: a, name: "api.github.com", address: "140.82.112.6",
                  why: "No rule names api.github.com and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: b, name: nil, address: "13.107.213.40", why: Self.undocumentedIPOnlyWhy, cite: true)

        try plainHTTP(rule: "entra-login-microsoftonline", from: a, name: "login.microsoftonline.com", address: "20.190.151.68",
                      why: "Plain HTTP GET (Host login.microsoftonline.com) on port 80; the rule allows only TCP 443.")

        try plantNameMismatch(from: a)

        return Setup(
            parameters: ["apim-name": "contoso", "region": "westus", "cloud": "public", "vault-name": "contoso-kv"],
            features: ["entra-id", "key-vault"],
            requiredRules: ["configuration-endpoint"],
            optionalRules: ["entra-regional-login", "entra-login-microsoftonline", "entra-login-windows", "key-vault"],
            notes: ["This profile has one required rule (configuration-endpoint), so it cannot be both satisfied and never seen: it is satisfied on node a and attempted-but-failing on node b; no requiredNeverSeen item exists."])
    }

    /// `apim-vnet` (stv2, internal VNet, Premium): Storage, Key Vault and Entra reached; SQL blocked; inbound rows never seen.
    mutating func apimVNet() throws -> Setup {
        let a = node(0), b = node(1)
        let f = try tls(a, name: "contosoapimst.blob.core.windows.net", address: "13.88.144.116")
        if let dns = firstDNSFlow {
            used(["dns"], by: dns)
            item(.allowedRequired, rule: "dns", name: nil, address: GatewayEgressScenario.dnsServerV4.description, port: 53, transport: "udp",
                 flows: [dns], why: "Every lookup goes to 168.63.129.16:53, the profile's DNS rule (this is the first).")
        }
        used(["storage"], by: f)
        item(.allowedRequired, rule: "storage", name: "contosoapimst.blob.core.windows.net", address: "13.88.144.116", port: 443, transport: "tcp",
             flows: f.map { [$0] } ?? [], why: "No FQDN rule names the account; its address is in Storage.WestUS, allowed on 443.", cite: true)

        try reach(.allowedRequired, rule: "keyvault-stv2", from: a, name: "contoso-apim-kv.vault.azure.net", address: "40.112.242.145",
                  why: "Key Vault by address (AzureKeyVault.WestUS) on 443.", cite: true)

        try reach(.allowedRequired, rule: "entra-login", from: b, name: "login.microsoftonline.com", address: "20.190.151.68",
                  why: "Entra ID by name.")

        try failingDNS(b, name: "westus.login.microsoft.com", rcode: .serverFailure)
        item(.failingDNS, rule: "entra-regional-login", name: "westus.login.microsoft.com", address: nil, port: nil, transport: "udp", flows: [],
             why: "The regional Entra endpoint fails to resolve (SERVFAIL); no connection follows.", rcode: "serverFailure")

        let sql = "contoso-apim-sql.database.windows.net"
        try blocked(["sql"], name: sql, address: "13.86.216.10", port: 1433, unansweredFrom: a, prohibitedFrom: b,
                    why: "Azure SQL (Sql.WestUS, 1433) blocked from both nodes: unanswered SYNs from node a, ICMP admin-prohibited for node b.",
                    cite: true)

        try reach(.allowedOptional, rule: "azure-monitor", from: a, name: nil, address: "13.86.218.230", port: 1886,
                  why: "IP-only TLS to AzureMonitor.WestUS on 1886 (feature azure-monitor).", cite: true)
        try reach(.allowedOptional, rule: "azure-monitor-endpoints-public", from: b, name: "gcs.prod.monitoring.core.windows.net", address: "13.86.218.232",
                  why: "Azure Monitor endpoint by name; its address is also in AzureMonitor.WestUS.", also: ["azure-monitor"])

        try reach(.undocumented, rule: nil, from: a, name: "api.github.com", address: "140.82.112.6",
                  why: "No rule names api.github.com and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: b, name: nil, address: "13.107.213.40", why: Self.undocumentedIPOnlyWhy, cite: true)

        try reach(.wrongPort, rule: "storage", from: a, name: nil, address: "13.93.168.85", port: 8080,
                  why: "A Storage.WestUS address on TCP 8080; the storage rule allows 443 only.", cite: true)

        try plantNameMismatch(from: b)

        return Setup(
            parameters: ["region": "westus", "cloud": "public", "platform": "stv2", "vnet-mode": "internal",
                         "sku": "premium", "virtual-network": "10.10.0.0/16"],
            features: ["azure-monitor", "cert-chain"],
            requiredRules: ["inbound-management", "storage", "sql", "keyvault-stv2", "load-balancer-stv2", "dns", "entra-regional-login", "entra-login"],
            optionalRules: ["azure-monitor", "cert-chain", "azure-monitor-endpoints-public"],
            neverSeenWhy: [
                "inbound-management": "Inbound 3443 from ApiManagement: the capture holds no inbound connection.",
                "load-balancer-stv2": "Inbound 6390 from AzureLoadBalancer (Premium): the capture holds no inbound probe.",
                "entra-regional-login": "westus.login.microsoft.com never connected (its lookup failed with SERVFAIL).",
            ],
            notes: ["vnet-mode internal drops inbound-client (external only); platform stv2 and sku premium make keyvault-stv2 and load-balancer-stv2 apply."])
    }

    /// `cassandra-mi`: Storage, Key Vault, Entra, ARM and packages reached; Event Hubs blocked; most FQDN rows never seen.
    mutating func cassandraMI() throws -> Setup {
        let a = node(0), b = node(1)
        let storageFamily = ["fqdn-snovap-blob", "fqdn-store-core", "fqdn-blob-backups", "tag-storage", "tag-storage-regional"]
        try reach(.allowedRequired, rule: "fqdn-snovap-blob", from: a, name: "snovapwestus.blob.core.windows.net", address: "13.88.144.116",
                  why: "Control-plane storage by name; the address (Storage.WestUS) also meets tag-storage, tag-storage-regional, fqdn-store-core and fqdn-blob-backups.",
                  cite: true, also: storageFamily.filter { $0 != "fqdn-snovap-blob" })
        try reach(.allowedRequired, rule: "tag-storage-regional", from: b, name: nil, address: "13.88.144.118",
                  why: "IP-only TLS to Storage.WestUS on 443: allowed by address alone.",
                  cite: true, also: storageFamily.filter { $0 != "tag-storage-regional" })

        try reach(.allowedRequired, rule: "fqdn-vmc-vault", from: a, name: "vmc-p-westus.vault.azure.net", address: "40.112.242.146",
                  why: "The regional vault by name; the address is in AzureKeyVault.WestUS (tag-keyvault).", cite: true, also: ["tag-keyvault"])

        try reach(.allowedRequired, rule: "fqdn-login", from: b, name: "login.microsoftonline.com", address: "20.190.151.68",
                  why: "Entra ID by name; the address is in AzureActiveDirectory (tag-azureactivedirectory).",
                  cite: true, also: ["tag-azureactivedirectory"])

        try reach(.allowedRequired, rule: "fqdn-management", from: a, name: "management.azure.com", address: "4.150.240.10",
                  why: "Azure Resource Manager by name (its tag, AzureResourceManager, is not in the profile).")

        try reach(.allowedRequired, rule: "fqdn-packages", from: b, name: "packages.microsoft.com", address: "52.113.194.132",
                  why: "Security scanner definitions by name.")

        try reach(.allowedRequired, rule: "vnet-7001-gossip", from: a, name: nil, address: b.ipv4.description, port: 7001,
                  why: "Gossip (TLS) from node a to node b inside the VNet (10.10.0.0/16).")

        let logs = "cassandra-logs-westus.servicebus.windows.net"
        try blocked(["fqdn-servicebus", "tag-eventhub"], name: logs, address: "20.66.7.20", port: 443, unansweredFrom: a, prohibitedFrom: b,
                    why: "Log forwarding to Event Hubs (EventHub.WestUS) blocked from both nodes: unanswered SYNs from node a, ICMP admin-prohibited for node b.",
                    cite: true)

        try failingDNS(a, name: "westus-dsms.dsms.core.windows.net", rcode: .nameError)
        item(.failingDNS, rule: "fqdn-regional-dsms", name: "westus-dsms.dsms.core.windows.net", address: nil, port: nil, transport: "udp", flows: [],
             why: "The logging certificate endpoint does not resolve (NXDOMAIN); no connection follows.", rcode: "nameError")

        try reach(.undocumented, rule: nil, from: b, name: "pastebin.com", address: "104.20.29.150",
                  why: "No rule names pastebin.com and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: a, name: nil, address: "13.107.213.40", why: Self.undocumentedIPOnlyWhy, cite: true)

        try reach(.wrongPort, rule: "tag-storage", from: b, name: nil, address: "13.93.168.85", port: 8080,
                  why: "A Storage.WestUS address on TCP 8080; every Storage rule allows 443 only.",
                  cite: true, also: storageFamily.filter { $0 != "tag-storage" })
        try plainHTTP(rule: "fqdn-management", from: a, name: "management.azure.com", address: "4.150.240.10",
                      why: "Plain HTTP GET (Host management.azure.com) on port 80; the rule allows only TCP 443.")

        try plantNameMismatch(from: b)

        return Setup(
            parameters: ["region": "westus", "cloud": "public", "virtual-network": "10.10.0.0/16"],
            features: [],
            requiredRules: [
                "tag-storage", "tag-keyvault", "tag-eventhub", "tag-azuremonitor", "tag-azureactivedirectory", "tag-guestandhybridmanagement",
                "tag-apimanagement", "tag-storage-regional", "fqdn-snovap-blob", "fqdn-store-core", "fqdn-blob-backups", "fqdn-vmc-vault",
                "fqdn-management", "fqdn-servicebus", "fqdn-jarvis", "fqdn-login", "fqdn-packages", "fqdn-azure-microsoft", "fqdn-regional-dsms",
                "fqdn-gcs-monitoring", "fqdn-global-metrics", "fqdn-scanner-packages", "fqdn-crl", "fqdn-global-dsms",
                "vnet-8443", "vnet-9443", "vnet-7001-gossip", "vnet-9042-cql", "vnet-7199",
            ],
            optionalRules: [],
            neverSeenWhy: ["fqdn-regional-dsms": "westus-dsms.dsms.core.windows.net never connected (its lookup failed with NXDOMAIN)."],
            notes: ["cassandra-mi has no features, hence no optional rules; its DNS traffic to 168.63.129.16 is not a finding (no DNS rule, platform address)."])
    }
}

extension AuditDemoScenario {
    /// `aks` (region westus, public cloud, feature azure-monitor): API server, MCR, ARM and Entra ID reached; the
    /// CNI binaries blocked; packages.microsoft.com failing in DNS; images pulled from Docker Hub (undocumented).
    /// Rule ids typed from aks.yaml (other-services.md §1b, §1c).
    mutating func aks() throws -> Setup {
        let a = node(0), b = node(1)
        let apiServer = "contoso-aks-dns-4f1e2a7b.hcp.westus.azmk8s.io"
        try reach(.allowedRequired, rule: "api-server", from: a, name: apiServer, address: "40.112.243.245",
                  why: "The cluster's API server by name: *.hcp.<region>.azmk8s.io with region westus.")
        try reach(.allowedRequired, rule: "mcr", from: b, name: "mcr.microsoft.com", address: "151.101.2.132",
                  why: "First-party images from MCR by name.")
        try reach(.allowedRequired, rule: "mcr-cdn", from: a, name: "westus.data.mcr.microsoft.com", address: "23.202.231.169",
                  why: "MCR content through its CDN (*.data.mcr.microsoft.com).")
        try reach(.allowedRequired, rule: "entra-id", from: b, name: "login.microsoftonline.com", address: "20.190.151.68", why: "Entra ID by name.")
        try reach(.allowedRequired, rule: "arm", from: a, name: "management.azure.com", address: "4.150.240.10",
                  why: "Azure Resource Manager by name.")

        let mirror = "acs-mirror.azureedge.net"
        try blocked(["binaries"], name: mirror, address: "185.125.190.36", port: 443, unansweredFrom: a, prohibitedFrom: b,
                    why: "The kubenet / Azure CNI binaries blocked from both nodes: unanswered SYNs from node a, ICMP admin-prohibited for node b.")

        try failingDNS(b, name: "packages.microsoft.com", rcode: .serverFailure)
        item(.failingDNS, rule: "packages", name: "packages.microsoft.com", address: nil, port: nil, transport: "udp", flows: [],
             why: "The Microsoft package repository fails to resolve (SERVFAIL); no connection follows.", rcode: "serverFailure")

        try reach(.allowedOptional, rule: "monitor-tag", from: a, name: nil, address: "13.86.218.230",
                  why: "IP-only TLS to AzureMonitor.WestUS on 443 (feature azure-monitor, the service-tag row).", cite: true)
        try reach(.allowedOptional, rule: "monitor-telemetry", from: b, name: "dc.services.visualstudio.com", address: "13.86.218.232",
                  why: "Agent telemetry by name; its address is also in AzureMonitor.WestUS.", also: ["monitor-tag"])

        try reach(.undocumented, rule: nil, from: a, name: "registry-1.docker.io", address: "44.208.254.194",
                  why: "Images pulled from Docker Hub: no rule names registry-1.docker.io and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: b, name: nil, address: "13.107.213.40", why: Self.undocumentedIPOnlyWhy, cite: true)

        try plainHTTP(rule: "mcr", from: a, name: "mcr.microsoft.com", address: "151.101.2.132",
                      why: "Plain HTTP GET (Host mcr.microsoft.com) on port 80; the rule allows only TCP 443.")

        try plantNameMismatch(from: b)

        return Setup(
            parameters: ["region": "westus", "cloud": "public"],
            features: ["azure-monitor"],
            requiredRules: ["api-server", "mcr", "mcr-cdn", "arm", "entra-id", "packages", "binaries"],
            optionalRules: ["monitor-tag", "monitor-telemetry", "monitor-ingest", "monitor-metrics", "monitor-prometheus", "monitor-dcr"],
            neverSeenWhy: ["packages": "packages.microsoft.com never connected (its lookup failed with SERVFAIL)."],
            notes: ["cloud public and api-server-access public (its default) keep the public FQDN rows; the sovereign rows drop out. The DNS traffic to 168.63.129.16 is not a finding (aks has no DNS rule)."])
    }

    /// `container-apps` (consumption environment, region westus): Azure Monitor, AzureCloud, AMQP and the
    /// environment subnet reached; the underlying AKS tunnel (TCP 9000) blocked; Docker Hub undocumented.
    /// Rule ids typed from container-apps.yaml (other-services.md §3b).
    mutating func containerApps() throws -> Setup {
        let a = node(0), b = node(1)
        try reach(.allowedRequired, rule: "azure-monitor", from: a, name: nil, address: "13.86.218.230",
                  why: "IP-only TLS to AzureMonitor.WestUS on 443; the address is in AzureCloud too.", cite: true, also: ["azure-cloud"])
        try reach(.allowedRequired, rule: "azure-cloud", from: b, name: "management.azure.com", address: "4.150.240.10",
                  why: "No rule names it, but its address is in AzureCloud (AzureCloud.westus), allowed on 443.")
        if let dns = firstDNSFlow {
            used(["azure-dns"], by: dns)
            item(.allowedRequired, rule: "azure-dns", name: nil, address: GatewayEgressScenario.dnsServerV4.description, port: 53, transport: "udp",
                 flows: [dns], why: "Every lookup goes to 168.63.129.16:53, which the page says not to block (this is the first).")
        }
        let bus = "contoso-env.servicebus.windows.net"
        try reach(.allowedRequired, rule: "control-plane-amqp", from: a, name: bus, address: "20.66.7.20", port: 5671,
                  why: "AMQP over TLS on 5671: the control-plane row allows any destination (\"*\") on 5671-5672.")
        try reach(.allowedRequired, rule: "environment-subnet", from: a, name: nil, address: b.ipv4.description, port: 8443,
                  why: "Node a to node b inside the environment subnet (virtual-network 10.10.0.0/16): any port.")

        let tunnel = "contoso-env-7c1d.hcp.westus.azmk8s.io"
        try blocked(["aks-tunnel-tcp"], name: tunnel, address: "40.112.243.245", port: 9000, unansweredFrom: a, prohibitedFrom: b,
                    why: "The underlying AKS tunnel to AzureCloud.westus on TCP 9000 blocked from both nodes: unanswered SYNs from node a, ICMP admin-prohibited for node b.")

        try reach(.undocumented, rule: nil, from: b, name: "registry-1.docker.io", address: "44.208.254.194",
                  why: "Images pulled from Docker Hub: no rule names it and its address is in no Azure tag.")
        try reach(.undocumented, rule: nil, from: a, name: nil, address: "13.107.213.40", why: Self.undocumentedIPOnlyWhy, cite: true)

        try plainHTTP(rule: "azure-cloud", from: a, name: "management.azure.com", address: "4.150.240.10",
                      why: "Plain HTTP on port 80 to an AzureCloud address; the AzureCloud rule allows TCP 443 only.")

        try plantNameMismatch(from: b)

        return Setup(
            parameters: ["environment": "consumption", "region": "westus", "virtual-network": "10.10.0.0/16"],
            features: [],
            requiredRules: ["azure-monitor", "azure-cloud", "ntp", "environment-subnet", "aks-tunnel-udp", "aks-tunnel-tcp", "control-plane-amqp", "azure-dns"],
            optionalRules: [],
            neverSeenWhy: [
                "ntp": "No UDP 123 traffic in the capture.",
                "aks-tunnel-udp": "No UDP 1194 traffic in the capture (the TCP 9000 variant was tried and blocked).",
            ],
            notes: [
                "container-apps has no features (no optional rules) and no FQDN rule, so no failing lookup can be one a required rule needs: no failingDNS item.",
                "The environment-subnet rule allows any port inside the VNet, so the profile documents DNS: lookups to 168.63.129.16 are judged by the azure-dns rule (\"Do not block Azure DNS\").",
                "environment consumption drops the workload-profiles rows (MicrosoftContainerRegistry, AzureFrontDoor.FirstParty).",
            ])
    }
}
