import EgressPolicy

/// An nftables `inet` table for the node itself (`nft -f FILE`): one named
/// interval set per service tag and family, filled from the tag file; the
/// nodes' addresses as sources when known; one accept rule per profile rule
/// and family in chain `allowed`, which the `output` chain (policy drop) jumps
/// to after established traffic and loopback. Names cannot be matched by an
/// address filter: each is listed as a comment with the reason.
enum NftablesExport {
    static let table = "egress_audit"

    static func export(_ input: ExportInput) -> ExportResult {
        var warnings: [ExportWarning] = [], untranslated: [Untranslated] = []
        var sets: [(name: String, type: String, elements: [String], comment: String)] = []
        var setByTag: [String: (v4: String?, v6: String?)] = [:]
        var used = Set<String>()
        func setName(_ base: String) -> String {
            var name = String(base.prefix(60)), n = 2
            while !used.insert(name).inserted { name = "\(base.prefix(56))_\(n)"; n += 1 }
            return name
        }
        func addSets(for tag: String, prefixes: [CIDR]) -> (v4: String?, v6: String?) {
            if let known = setByTag[tag] { return known }
            let base = "tag_" + ExportText.identifier(tag, separator: "_", limit: 50)
            let v4 = prefixes.filter(\.isIPv4).map(\.description), v6 = prefixes.filter { !$0.isIPv4 }.map(\.description)
            var result: (v4: String?, v6: String?) = (nil, nil)
            if !v4.isEmpty { result.v4 = setName(base + "_v4"); sets.append((result.v4!, "ipv4_addr", v4, "service tag \(tag)")) }
            if !v6.isEmpty { result.v6 = setName(base + "_v6"); sets.append((result.v6!, "ipv6_addr", v6, "service tag \(tag)")) }
            setByTag[tag] = result
            return result
        }
        let nodes4 = input.nodes.filter(\.isIPv4).map(\.description), nodes6 = input.nodes.filter { !$0.isIPv4 }.map(\.description)
        if !nodes4.isEmpty { used.insert("nodes_v4"); sets.append(("nodes_v4", "ipv4_addr", nodes4, "the audited nodes")) }
        if !nodes6.isEmpty { used.insert("nodes_v6"); sets.append(("nodes_v6", "ipv6_addr", nodes6, "the audited nodes")) }

        var ruleLines: [String] = []
        for rule in input.rules {
            guard rule.direction == .outbound else {
                untranslated.append(Untranslated(rule: rule.id, peer: "inbound", reason: "this table filters the node's own egress (hook output) only"))
                continue
            }
            var v4: [String] = [], v6: [String] = []   // set references or literal prefixes
            var literal4: [String] = [], literal6: [String] = []
            var any = rule.peers.isEmpty
            for peer in rule.peers {
                switch peer {
                case .name(let n):
                    untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(n)",
                        reason: "nftables matches addresses, not names (resolve at the edge: a proxy or Azure Firewall)"))
                case .cidr(let c):
                    if c.isIPv4 { literal4.append(c.description) } else { literal6.append(c.description) }
                case .serviceTag(let tag):
                    if tag.lowercased() == "internet" {
                        warnings.append(ExportWarning(rule: rule.id, message: "service tag Internet exported as any address (its RFC 6890 exclusions are not listed)"))
                        any = true
                        continue
                    }
                    guard let t = ExportText.tagWithPrefixes(tag, rule: rule, catalog: input.catalog, untranslated: &untranslated) else { continue }
                    let s = addSets(for: t.name, prefixes: t.prefixes)
                    if let a = s.v4 { v4.append("@" + a) }
                    if let b = s.v6 { v6.append("@" + b) }
                }
            }
            let ports = ExportText.ranges(rule.ports)
            let portText = ports.map { "{ " + $0.map(\.description).joined(separator: ", ") + " }" }
            let l4: String
            switch rule.transport {
            case .tcp: l4 = portText.map { "tcp dport \($0)" } ?? "meta l4proto tcp"
            case .udp: l4 = portText.map { "udp dport \($0)" } ?? "meta l4proto udp"
            case .any: l4 = "meta l4proto { tcp, udp }" + (portText.map { " th dport \($0)" } ?? "")
            }
            let comment = " comment " + ExportText.quoted(String(rule.id.prefix(120)))
            func emit(_ family: String, _ nodes: [String], _ destination: String?) {
                let source = nodes.isEmpty ? "" : "\(family) saddr @nodes_\(family == "ip" ? "v4" : "v6") "
                let daddr = destination.map { "\(family) daddr \($0) " } ?? (nodes.isEmpty ? "meta nfproto \(family == "ip" ? "ipv4" : "ipv6") " : "")
                ruleLines.append("\t\t\(source)\(daddr)\(l4) accept\(comment)")
            }
            if any {
                if nodes4.isEmpty && nodes6.isEmpty {
                    ruleLines.append("\t\t\(l4) accept\(comment)")
                } else {
                    if !nodes4.isEmpty { emit("ip", nodes4, nil) }
                    if !nodes6.isEmpty { emit("ip6", nodes6, nil) }
                }
                continue
            }
            for s in v4 { emit("ip", nodes4, s) }
            for s in v6 { emit("ip6", nodes6, s) }
            if !literal4.isEmpty { emit("ip", nodes4, "{ " + literal4.joined(separator: ", ") + " }") }
            if !literal6.isEmpty { emit("ip6", nodes6, "{ " + literal6.joined(separator: ", ") + " }") }
        }

        var out: [String] = ["#!/usr/sbin/nft -f", "# egress-audit export --format nftables: \(input.title)"]
        for note in input.notes { out.append("# \(note)") }
        out.append("# The output chain drops every egress not accepted below (established traffic and loopback excepted).")
        if !untranslated.isEmpty {
            out.append("# Not expressible by address, so not accepted here:")
            for u in untranslated { out.append("#   \(u.description)") }
        }
        for w in warnings { out.append("# widened: \(w.description)") }
        out.append("table inet \(table)")
        out.append("delete table inet \(table)")
        out.append("table inet \(table) {")
        for s in sets {
            out.append("\tset \(s.name) {")
            out.append("\t\ttype \(s.type)")
            out.append("\t\tflags interval")
            out.append("\t\tauto-merge")
            out.append("\t\tcomment " + ExportText.quoted(s.comment))
            var line = "\t\telements = { "
            for (i, e) in s.elements.enumerated() {
                let piece = e + (i == s.elements.count - 1 ? " }" : ", ")
                if line.count + piece.count > 120 { out.append(line.trimmingTrailing(" ")); line = "\t\t\t" }
                line += piece
            }
            out.append(line)
            out.append("\t}")
        }
        out.append("\tchain allowed {")
        out += ruleLines
        out.append("\t}")
        out.append("\tchain output {")
        out.append("\t\ttype filter hook output priority filter; policy drop;")
        out.append("\t\tct state established,related accept")
        out.append("\t\toifname \"lo\" accept")
        out.append("\t\tjump allowed")
        out.append("\t}")
        out.append("}")
        return ExportResult(format: .nftables, text: out.joined(separator: "\n") + "\n", warnings: warnings, untranslated: untranslated)
    }
}
