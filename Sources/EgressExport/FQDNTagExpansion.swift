import EgressPolicy

extension ExportInput {
    /// The input with each rule's Azure Firewall FQDN tags replaced by the names Microsoft
    /// publishes for them (`FirewallFQDNTags`), except the tags `keep` says the target
    /// carries itself. A tag whose published names are not the whole tag is listed as not
    /// translated; a rule left with no peer at all (only tags with no published names) is
    /// dropped, since an empty destination list means "any" to some targets.
    func expandingFQDNTags(keeping keep: (ExportRule, String) -> Bool = { _, _ in false }) -> ExportInput {
        var out = self
        out.rules = []
        for var rule in rules {
            let tags = rule.fqdnTags
            guard !tags.isEmpty else { out.rules.append(rule); continue }
            rule.fqdnTags = []
            for written in tags {
                if keep(rule, written) { rule.fqdnTags.append(written); continue }
                let tag = FirewallFQDNTags.tag(named: written)
                for name in tag?.names ?? [] where !rule.peers.contains(.name(name)) { rule.peers.append(.name(name)) }
                if !(tag?.complete ?? false) {
                    out.untranslated.append(Untranslated(
                        rule: rule.id, peer: "fqdnTag \(written)",
                        reason: tag?.names.isEmpty ?? true ? "Microsoft publishes no names for this Azure Firewall FQDN tag"
                            : "Microsoft publishes only part of this Azure Firewall FQDN tag's names; those are exported"))
                }
            }
            if rule.peers.isEmpty && rule.fqdnTags.isEmpty { continue }
            out.rules.append(rule)
        }
        return out
    }
}
