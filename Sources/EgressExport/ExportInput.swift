import EgressAudit
import EgressPolicy
import PacketWire

/// One peer an exported rule allows: a name pattern (Azure Firewall dialect,
/// as profiles write them), a service tag (as the catalog spells it), or a prefix.
public enum ExportPeer: Sendable, Hashable {
    case name(String)
    case serviceTag(String)
    case cidr(CIDR)
}

/// One rule to export, on one side: outbound (destinations) or inbound (sources).
public struct ExportRule: Sendable {
    /// The profile rule's id, or the destination it was seen at (`--from-report`).
    public var id: String
    public var purpose: String
    /// `.outbound` or `.inbound` (a profile's `both` rule becomes one of each).
    public var direction: RuleDirection
    public var transport: RuleTransport
    public var ports: PortSpec
    /// Empty (and no `fqdnTags`): the rule names no peer ("*"), any address.
    public var peers: [ExportPeer]
    /// Azure Firewall FQDN tags the rule names (as the profile writes them). A target that has
    /// the tag carries it whole; the others get its published names (`expandingFQDNTags`).
    public var fqdnTags: [String]
    /// The addresses a report saw (`--from-report`): a target that cannot use
    /// the tag chosen for them picks the narrowest tag it can use instead.
    public var observed: [IPAddress]

    public init(id: String, purpose: String, direction: RuleDirection, transport: RuleTransport, ports: PortSpec, peers: [ExportPeer],
                fqdnTags: [String] = [], observed: [IPAddress] = []) {
        self.id = id
        self.purpose = purpose
        self.direction = direction
        self.transport = transport
        self.ports = ports
        self.peers = peers
        self.fqdnTags = fqdnTags
        self.observed = observed
    }
}

/// What an export is made from: the rules, the audited nodes (sources of
/// outbound rules, when known) and the tag catalog that gives tags addresses.
public struct ExportInput: Sendable {
    /// Names the output (`apim-vnet`, `apim-vnet-observed`).
    public var name: String
    public var title: String
    public var rules: [ExportRule]
    public var nodes: [CIDR]
    public var catalog: ServiceTagCatalog
    /// Said before any rule (what was left out on the way in).
    public var notes: [String]
    /// Peers the input could not carry whole: every export lists them as not translated.
    public var untranslated: [Untranslated] = []

    public init(name: String, title: String, rules: [ExportRule], nodes: [CIDR], catalog: ServiceTagCatalog, notes: [String] = []) {
        self.name = name
        self.title = title
        self.rules = rules
        self.nodes = nodes
        self.catalog = catalog
        self.notes = notes
    }

    /// The documented rules: every enabled rule of the expanded profile
    /// (required, and optional ones whose feature is on), tags resolved as
    /// the audit resolves them. Nodes: the `virtual-network` parameter.
    public init(profile compiled: CompiledProfile) {
        var rules: [ExportRule] = []
        var skipped: [String] = []
        for rule in compiled.rules {
            if case .optional(let feature, false) = rule.requirement {
                skipped.append("\(rule.id) (feature \(feature))")
                continue
            }
            let sides: [(RuleDirection, [ProfileEndpoint])]
            switch rule.direction {
            case .outbound: sides = [(.outbound, rule.destinations)]
            case .inbound: sides = [(.inbound, rule.sources)]
            case .both: sides = [(.outbound, rule.destinations), (.inbound, rule.sources)]
            }
            for (direction, endpoints) in sides {
                var peers: [ExportPeer] = []
                var fqdnTags: [String] = []
                for e in endpoints {
                    switch e {
                    case .fqdn(let pattern): peers.append(.name(pattern))
                    case .cidr(let text): if let c = CIDR(text) { peers.append(.cidr(c)) }
                    case .serviceTag(let written):
                        let resolved = CompiledProfile.resolve(written, in: compiled.catalog)
                        peers.append(.serviceTag(resolved.tag?.name ?? written))
                    case .fqdnTag(let tagName): fqdnTags.append(tagName)
                    }
                }
                // A rule left with no peer is not exported at all: an empty destination list means "any".
                if peers.isEmpty && fqdnTags.isEmpty && !endpoints.isEmpty { continue }
                rules.append(ExportRule(id: rule.id, purpose: rule.purpose, direction: direction, transport: rule.transport,
                                        ports: rule.ports, peers: peers, fqdnTags: fqdnTags))
            }
        }
        let e = compiled.expanded
        let nodes = (e.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
        let parameters = e.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var notes = ["from profile \(e.profileID)" + (parameters.isEmpty ? "" : " (\(parameters))")
            + (e.enabledFeatures.isEmpty ? "" : ", features \(e.enabledFeatures.sorted().joined(separator: ","))")]
        if !skipped.isEmpty { notes.append("not exported, feature disabled: " + skipped.joined(separator: ", ")) }
        self.init(name: e.profileID, title: e.title, rules: rules, nodes: nodes, catalog: compiled.catalog, notes: notes)
    }

    /// Least privilege: only what the report saw and allowed. A named
    /// destination becomes its exact name; an address-only one the narrowest
    /// service tag covering its addresses (`ServiceTagCatalog.narrowestTag`:
    /// regional before global), else its addresses. Ports as seen.
    public init(report: AuditReport, catalog: ServiceTagCatalog) {
        var rules: [ExportRule] = []
        var notes = ["from the allowed egress of a report of profile \(report.profile.id)"]
        var sampled: [String] = []
        for d in report.allowed {
            let direction: RuleDirection = d.direction == "inbound" ? .inbound : .outbound
            var byTransport: [RuleTransport: [PortRange]] = [:]
            for p in d.ports {
                let parts = p.split(separator: "/")
                guard parts.count == 2, let port = Int(parts[1]), let range = PortRange(port) else { continue }
                byTransport[parts[0] == "udp" ? .udp : .tcp, default: []].append(range)
            }
            let addresses = d.addresses.compactMap(IPAddress.init)
            if d.addressCount > d.addresses.count || d.portCount > d.ports.count { sampled.append(d.destination) }
            var peers: [ExportPeer]
            if d.nameSource != .address {
                peers = [.name(d.destination)]
            } else if let tag = catalog.narrowestTag(covering: addresses),
                      ![ServiceTagCatalog.internet, ServiceTagCatalog.virtualNetwork].contains(tag.name) {
                peers = [.serviceTag(tag.name)]
            } else {
                peers = addresses.compactMap { CIDR(address: $0, prefixLength: $0.isIPv4 ? 32 : 128) }.map { .cidr($0) }
            }
            for (transport, ports) in byTransport.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                rules.append(ExportRule(id: d.destination, purpose: "seen and allowed by \(d.rules.joined(separator: ", "))",
                                        direction: direction, transport: transport, ports: .ranges(ports.sorted { $0.lower < $1.lower }),
                                        peers: peers, observed: d.nameSource == .address ? addresses : []))
            }
        }
        if !sampled.isEmpty {
            notes.append("addresses or ports past the report's caps (a sample is exported): " + sampled.joined(separator: ", "))
        }
        let nodes = report.nodes.addresses.compactMap { CIDR($0) }
        self.init(name: report.profile.id + "-observed", title: "Least privilege for the egress observed (\(report.profile.id))",
                  rules: rules, nodes: nodes, catalog: catalog, notes: notes)
    }
}
