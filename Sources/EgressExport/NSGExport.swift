import EgressAudit
import EgressPolicy

/// Network security group rules as an ARM template
/// (`Microsoft.Network/networkSecurityGroups`, API 2024-05-01): one Allow rule
/// per service tag (an NSG rule takes one tag, alone) and one per rule's
/// prefixes, priorities from 100 up. Names are what an NSG cannot match: each
/// is listed with the reason and the azure-firewall export's rule covering it.
///
/// No deny rule is added: the NSG's default rules (AllowInternetOutBound at
/// 65001) stay in force, so these rules document and order what is allowed;
/// a `DenyAllOutbound` at 4096 would also cut the name-only egress the NSG cannot list.
enum NSGExport {
    struct Resource: Encodable {
        var type = "Microsoft.Network/networkSecurityGroups"
        var apiVersion = ARM.networkAPIVersion
        var name = "[parameters('networkSecurityGroupName')]"
        var location = "[parameters('location')]"
        var properties: Properties
    }

    struct Properties: Encodable {
        var securityRules: [SecurityRule]
    }

    struct SecurityRule: Encodable {
        var name: String
        var properties: RuleProperties
    }

    struct RuleProperties: Encodable {
        var description: String
        var `protocol`: String
        var sourcePortRange = "*"
        var sourceAddressPrefix: String?
        var sourceAddressPrefixes: [String]?
        var destinationAddressPrefix: String?
        var destinationAddressPrefixes: [String]?
        var destinationPortRange: String?
        var destinationPortRanges: [String]?
        var access = "Allow"
        var priority: Int
        var direction: String
    }

    static func export(_ input: ExportInput) throws -> ExportResult {
        var warnings: [ExportWarning] = [], untranslated: [Untranslated] = []
        var rules: [SecurityRule] = []
        var priority = 100
        var names = Set<String>()
        let local: (String?, [String]?)
        switch input.nodes.count {
        case 0: local = ("VirtualNetwork", nil)
        case 1: local = (input.nodes[0].description, nil)
        default: local = (nil, input.nodes.map(\.description))
        }
        for rule in input.rules {
            let proto = rule.transport == .tcp ? "Tcp" : rule.transport == .udp ? "Udp" : "*"
            let ports = ExportText.ranges(rule.ports)?.map(\.description)
            // One NSG rule per tag; the prefixes together; "*" when the rule names no peer.
            var groups: [(suffix: String, prefix: String?, prefixes: [String]?)] = []
            var cidrs: [String] = []
            if rule.peers.isEmpty { groups.append(("any", "*", nil)) }
            for peer in rule.peers {
                switch peer {
                case .name(let n):
                    untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(n)",
                        reason: "an NSG matches addresses, not names; the azure-firewall export's rule \(rule.id) covers it"))
                case .cidr(let c):
                    cidrs.append(c.description)
                case .serviceTag(let tag):
                    switch TagUsability.check(tag, feature: "NSG", target: "an NSG", rule: rule, catalog: input.catalog) {
                    case .usable(let name): groups.append((ExportText.identifier(name), name, nil))
                    case .replaced(let name, let warning):
                        warnings.append(ExportWarning(rule: rule.id, message: warning))
                        groups.append((ExportText.identifier(name), name, nil))
                    case .unusable(let reason): untranslated.append(Untranslated(rule: rule.id, peer: "serviceTag \(tag)", reason: reason))
                    }
                }
            }
            if !cidrs.isEmpty { groups.append(("prefixes", cidrs.count == 1 ? cidrs[0] : nil, cidrs.count == 1 ? nil : cidrs)) }
            for g in groups {
                guard priority <= 4096 else {
                    warnings.append(ExportWarning(rule: rule.id, message: "left out: an NSG has priorities 100-4096 only"))
                    break
                }
                var name = ExportText.identifier("\(rule.id)-\(g.suffix)", limit: 76)
                if !names.insert(name).inserted { name += "-\(priority)"; names.insert(name) }
                let outbound = rule.direction == .outbound
                var p = RuleProperties(description: String(rule.purpose.prefix(140)), protocol: proto, priority: priority,
                                       direction: outbound ? "Outbound" : "Inbound")
                if outbound {
                    (p.sourceAddressPrefix, p.sourceAddressPrefixes) = local
                    (p.destinationAddressPrefix, p.destinationAddressPrefixes) = (g.prefix, g.prefixes)
                } else {
                    (p.sourceAddressPrefix, p.sourceAddressPrefixes) = (g.prefix, g.prefixes)
                    (p.destinationAddressPrefix, p.destinationAddressPrefixes) = local
                }
                if let ports, ports.count > 1 { p.destinationPortRanges = ports } else { p.destinationPortRange = ports?.first ?? "*" }
                rules.append(SecurityRule(name: name, properties: p))
                priority += 1
            }
        }
        let template = ARM.Template(
            parameters: [
                "networkSecurityGroupName": ARM.Parameter(defaultValue: ExportText.identifier(input.name, limit: 60) + "-egress",
                                                         description: "The network security group to create or update."),
                "location": ARM.Parameter(defaultValue: "[resourceGroup().location]", description: "Its region."),
            ],
            resources: [Resource(properties: Properties(securityRules: rules))])
        return ExportResult(format: .nsg, text: try template.json(), warnings: warnings, untranslated: untranslated)
    }
}
