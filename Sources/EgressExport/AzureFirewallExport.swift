import EgressAudit
import EgressPolicy

/// An Azure Firewall Policy rule collection group as an ARM template
/// (`Microsoft.Network/firewallPolicies/ruleCollectionGroups`, API 2024-05-01):
/// application rules for names on TCP ports (`Http` on 80, `Https` on any
/// other port, matched by SNI), network rules for service tags and prefixes,
/// and network rules with `destinationFqdns` for literal names on UDP, on any
/// port or on port ranges (Azure resolves those through the firewall's DNS proxy).
/// An Azure Firewall FQDN tag the firewall offers (`FirewallFQDNTags.offeredByAzureFirewall`)
/// becomes an application rule with `fqdnTags`, which Azure expands to the tag's names itself.
enum AzureFirewallExport {
    /// Whether the rule's FQDN tag goes into an application rule's `fqdnTags` as it is: a tag
    /// Azure Firewall offers, on an outbound TCP rule whose ports are 80 and/or 443 only (an FQDN
    /// tag's protocols are `Http:80` and `Https:443`, https://learn.microsoft.com/azure/firewall/fqdn-tags).
    /// Otherwise the tag is exported as the names Microsoft publishes for it, like every other target.
    static func carriesNatively(_ rule: ExportRule, tag: String) -> Bool {
        guard FirewallFQDNTags.azureFirewallName(tag) != nil, rule.direction == .outbound, rule.transport == .tcp,
              let ports = ExportText.ranges(rule.ports), !ports.isEmpty else { return false }
        return ports.allSatisfy { $0.lower == $0.upper && ($0.lower == 80 || $0.lower == 443) }
    }

    /// `Http` on 80, `Https` on any other port: what an application rule's protocol list says.
    static func appProtocols(_ ports: [PortRange]) -> [AppProtocol] {
        ports.map { AppProtocol(protocolType: $0.lower == 80 ? "Http" : "Https", port: Int($0.lower)) }
    }

    struct Resource: Encodable {
        var type = "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
        var apiVersion = ARM.networkAPIVersion
        var name: String
        var properties: GroupProperties
    }

    struct GroupProperties: Encodable {
        var priority: Int
        var ruleCollections: [Collection]
    }

    struct Collection: Encodable {
        var ruleCollectionType = "FirewallPolicyFilterRuleCollection"
        var name: String
        var priority: Int
        var action = ["type": "Allow"]
        var rules: [Rule]
    }

    struct Rule: Encodable {
        var ruleType: String
        var name: String
        var description: String
        var sourceAddresses: [String]
        // Application rules
        var protocols: [AppProtocol]?
        var targetFqdns: [String]?
        var fqdnTags: [String]?
        // Network rules
        var ipProtocols: [String]?
        var destinationAddresses: [String]?
        var destinationFqdns: [String]?
        var destinationPorts: [String]?
    }

    struct AppProtocol: Encodable {
        var protocolType: String
        var port: Int
    }

    static func export(_ input: ExportInput) throws -> ExportResult {
        var warnings: [ExportWarning] = [], untranslated: [Untranslated] = []
        var application: [Rule] = [], network: [Rule] = []
        let sources = input.nodes.isEmpty ? ["*"] : input.nodes.map(\.description)
        var names = Set<String>()
        func unique(_ base: String) -> String {
            var name = String(base.prefix(70)), n = 2
            while !names.insert(name).inserted { name = "\(base.prefix(66))-\(n)"; n += 1 }
            return name
        }
        for rule in input.rules {
            guard rule.direction == .outbound else {
                untranslated.append(Untranslated(rule: rule.id, peer: "inbound", reason: "firewall policy filter rules here are for egress; inbound goes through the NSG (export --format nsg) or DNAT"))
                continue
            }
            let ports = ExportText.ranges(rule.ports)
            let single = ports.map { $0.allSatisfy { $0.lower == $0.upper } && $0.count <= 20 } ?? false
            let ipProtocols: [String] = rule.transport == .tcp ? ["TCP"] : rule.transport == .udp ? ["UDP"] : ["TCP", "UDP"]
            let portList = ports.map { $0.map(\.description) } ?? ["*"]
            var patterns: [String] = [], literals: [String] = [], addresses: [String] = []
            let description = String(rule.purpose.prefix(140))
            // The FQDN tags left after expansion are the ones `carriesNatively` kept: TCP 80/443 only.
            if !rule.fqdnTags.isEmpty, let ports {
                application.append(Rule(ruleType: "ApplicationRule", name: unique(rule.id + (rule.peers.isEmpty ? "" : "-tags")), description: description,
                                        sourceAddresses: sources, protocols: appProtocols(ports),
                                        fqdnTags: rule.fqdnTags.map { FirewallFQDNTags.azureFirewallName($0) ?? $0 }))
            }
            if rule.peers.isEmpty && rule.fqdnTags.isEmpty { addresses = ["*"] }
            for peer in rule.peers {
                switch peer {
                case .name(let written):
                    switch NameTranslation.translate(written, to: .azureFirewall) {
                    case .failure(let r): untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(written)", reason: r.text))
                    case .success(let n):
                        if let why = n.widened { warnings.append(ExportWarning(rule: rule.id, message: why)) }
                        if rule.transport == .tcp && single {
                            if !patterns.contains(n.text) { patterns.append(n.text) }
                        } else if !n.isPattern {
                            if !literals.contains(n.text) { literals.append(n.text) }
                        } else {
                            untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(written)",
                                reason: "a wildcard name on \(rule.transport.rawValue) port(s) \(rule.ports): application rules take TCP single ports, network rules literal names only"))
                        }
                    }
                case .serviceTag(let tag):
                    switch tag.lowercased() {
                    case "virtualnetwork":
                        untranslated.append(Untranslated(rule: rule.id, peer: "serviceTag \(tag)",
                            reason: "Azure Firewall has no VirtualNetwork tag; the virtual-network parameter's prefixes are exported instead when set"))
                    case "azureloadbalancer":
                        addresses.append("168.63.129.16")
                    case "internet":
                        warnings.append(ExportWarning(rule: rule.id, message: "service tag Internet widened to * (any address): Azure Firewall has no Internet tag"))
                        addresses.append("*")
                    default:
                        switch TagUsability.check(tag, feature: "FW", target: "Azure Firewall", rule: rule, catalog: input.catalog) {
                        case .usable(let name): addresses.append(name)
                        case .replaced(let name, let warning):
                            warnings.append(ExportWarning(rule: rule.id, message: warning))
                            addresses.append(name)
                        case .unusable(let reason): untranslated.append(Untranslated(rule: rule.id, peer: "serviceTag \(tag)", reason: reason))
                        }
                    }
                case .cidr(let c):
                    addresses.append(c.description)
                }
            }
            if !patterns.isEmpty, let ports {
                let unusual = ports.filter { $0.lower != 80 && $0.lower != 443 }.map(\.description)
                if !unusual.isEmpty {
                    warnings.append(ExportWarning(rule: rule.id, message: "application rules match TLS SNI (Https) or the HTTP Host: on port(s) \(unusual.joined(separator: ",")) the traffic must be TLS to be matched by name"))
                }
                application.append(Rule(ruleType: "ApplicationRule", name: unique(rule.id), description: description, sourceAddresses: sources,
                                        protocols: appProtocols(ports), targetFqdns: patterns))
            }
            if !literals.isEmpty {
                network.append(Rule(ruleType: "NetworkRule", name: unique(rule.id + "-fqdn"), description: description, sourceAddresses: sources,
                                    ipProtocols: ipProtocols, destinationFqdns: literals, destinationPorts: portList))
            }
            if !addresses.isEmpty {
                network.append(Rule(ruleType: "NetworkRule", name: unique(rule.id + (patterns.isEmpty && literals.isEmpty ? "" : "-ip")),
                                    description: description, sourceAddresses: sources, ipProtocols: ipProtocols,
                                    destinationAddresses: Array(Set(addresses)).sorted(), destinationPorts: portList))
            }
        }
        if network.contains(where: { $0.destinationFqdns != nil }) {
            warnings.append(ExportWarning(rule: "*", message: "network rules with destinationFqdns need the firewall policy's DNS proxy enabled"))
        }
        var collections: [Collection] = []
        if !network.isEmpty { collections.append(Collection(name: "egress-audit-network", priority: 200, rules: network)) }
        if !application.isEmpty { collections.append(Collection(name: "egress-audit-application", priority: 300, rules: application)) }
        let template = ARM.Template(
            parameters: ["firewallPolicyName": ARM.Parameter(description: "The existing firewall policy to add the rule collection group to.")],
            resources: [Resource(name: "[format('{0}/\(ExportText.identifier(input.name, limit: 60))', parameters('firewallPolicyName'))]",
                                 properties: GroupProperties(priority: 1000, ruleCollections: collections))])
        return ExportResult(format: .azureFirewall, text: try template.json(), warnings: warnings, untranslated: untranslated)
    }
}
