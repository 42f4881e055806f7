import EgressAudit
import EgressPolicy

/// An AWS Network Firewall stateful domain-list rule group, as the input of
/// `aws network-firewall create-rule-group --cli-input-json file://…`:
/// an ALLOWLIST of names inspected in TLS SNI and the HTTP Host header. A
/// domain list has neither ports nor addresses: a rule's ports are not
/// enforced (a warning names it) and tags and prefixes are listed with the reason.
enum AWSNetworkFirewallExport {
    struct Input: Encodable {
        var RuleGroupName: String
        var `Type` = "STATEFUL"
        var Capacity: Int
        var Description: String
        var RuleGroup: RuleGroup
    }

    struct RuleGroup: Encodable {
        var RulesSource: RulesSource
    }

    struct RulesSource: Encodable {
        var RulesSourceList: RulesSourceList
    }

    struct RulesSourceList: Encodable {
        var Targets: [String]
        var TargetTypes = ["TLS_SNI", "HTTP_HOST"]
        var GeneratedRulesType = "ALLOWLIST"
    }

    static func export(_ input: ExportInput) throws -> ExportResult {
        var untranslated: [Untranslated] = [], warnings: [ExportWarning] = []
        var targets: [String] = []
        for rule in input.rules {
            guard rule.direction == .outbound else {
                untranslated.append(Untranslated(rule: rule.id, peer: "inbound", reason: "a domain list filters egress by name"))
                continue
            }
            var named = false
            for peer in rule.peers {
                switch peer {
                case .name(let n):
                    switch NameTranslation.translate(n, to: .aws) {
                    case .failure(let r): untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(n)", reason: r.text))
                    case .success(let t):
                        named = true
                        if let why = t.widened { warnings.append(ExportWarning(rule: rule.id, message: why)) }
                        if !targets.contains(t.text) { targets.append(t.text) }
                    }
                case .serviceTag, .cidr:
                    untranslated.append(Untranslated(rule: rule.id, peer: ExportText.peerText(peer),
                        reason: "a domain list matches names only (addresses go in a 5-tuple or Suricata rule group)"))
                }
            }
            if named, rule.ports != .any {
                warnings.append(ExportWarning(rule: rule.id, message: "ports \(rule.ports) not enforced: a domain list matches TLS SNI and HTTP Host on any port"))
            }
        }
        let input = Input(RuleGroupName: ExportText.identifier(input.name, limit: 120) + "-egress",
                          Capacity: max(1, targets.count * 2), Description: String("Egress of \(input.title), by egress-audit export".prefix(512)),
                          RuleGroup: RuleGroup(RulesSource: RulesSource(RulesSourceList: RulesSourceList(Targets: targets))))
        return ExportResult(format: .awsNetworkFirewall, text: try ReportOutput.json(input), warnings: warnings, untranslated: untranslated)
    }
}
