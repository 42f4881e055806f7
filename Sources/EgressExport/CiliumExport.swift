import EgressPolicy

/// A CiliumNetworkPolicy (cilium.io/v2) for the pods of `app: <name>` (the
/// self-hosted gateway): `toFQDNs` with `matchName` for literal names and
/// `matchPattern` for wildcards (`**.` for Azure's any-depth `*.`), `toCIDRSet`
/// for tags and prefixes, `toPorts` for ports; and the DNS rule `toFQDNs`
/// needs: egress to kube-dns on 53 with `rules.dns` `matchPattern: "*"`, so
/// Cilium's DNS proxy sees the answers it learns addresses from.
enum CiliumExport {
    static func export(_ input: ExportInput) -> ExportResult {
        var untranslated: [Untranslated] = [], warnings: [ExportWarning] = []
        let name = ExportText.identifier(input.name, limit: 63)
        var egress: [String] = []
        egress.append("""
          # DNS visibility: toFQDNs learns addresses from the answers Cilium's DNS proxy sees.
          - toEndpoints:
            - matchLabels:
                k8s:io.kubernetes.pod.namespace: kube-system
                k8s:k8s-app: kube-dns
            toPorts:
            - ports:
              - port: "53"
                protocol: ANY
              rules:
                dns:
                - matchPattern: "*"
        """)
        for rule in input.rules {
            guard rule.direction == .outbound else {
                untranslated.append(Untranslated(rule: rule.id, peer: "inbound", reason: "this policy lists egress only"))
                continue
            }
            var fqdns: [String] = [], cidrs: [String] = []
            var any = rule.peers.isEmpty
            for peer in rule.peers {
                switch peer {
                case .name(let n):
                    switch NameTranslation.translate(n, to: .cilium) {
                    case .failure(let r): untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(n)", reason: r.text))
                    case .success(let t):
                        let line = "- \(t.isPattern ? "matchPattern" : "matchName"): \(ExportText.quoted(t.text))"
                        if !fqdns.contains(line) { fqdns.append(line) }
                    }
                case .cidr(let c): cidrs.append(c.description)
                case .serviceTag(let tag):
                    if tag.lowercased() == "internet" {
                        warnings.append(ExportWarning(rule: rule.id, message: "service tag Internet exported as the world entity (any address outside the cluster)"))
                        any = true
                        continue
                    }
                    guard let t = ExportText.tagWithPrefixes(tag, rule: rule, catalog: input.catalog, untranslated: &untranslated) else { continue }
                    cidrs += t.prefixes.map(\.description)
                }
            }
            let ports = portsBlock(rule)
            let head = "  # \(rule.id): \(rule.purpose.replacingOccurrences(of: "\n", with: " "))"
            if !fqdns.isEmpty {
                egress.append(head + "\n  - toFQDNs:\n" + fqdns.map { "    " + $0 }.joined(separator: "\n") + ports)
            }
            if !cidrs.isEmpty {
                egress.append(head + "\n  - toCIDRSet:\n" + cidrs.map { "    - cidr: \($0)" }.joined(separator: "\n") + ports)
            }
            if any {
                egress.append(head + "\n  - toEntities:\n    - world" + ports)
            }
        }
        var out = ["# egress-audit export --format cilium: \(input.title)"]
        for note in input.notes { out.append("# \(note)") }
        for u in untranslated { out.append("# not exported: \(u.description)") }
        for w in warnings { out.append("# widened: \(w.description)") }
        out += [
            "apiVersion: cilium.io/v2",
            "kind: CiliumNetworkPolicy",
            "metadata:",
            "  name: \(name)-egress",
            "spec:",
            "  description: \(ExportText.quoted("Egress of \(input.title), by egress-audit export"))",
            "  endpointSelector:",
            "    matchLabels:",
            "      app: \(name)",
            "  egress:",
        ]
        out += egress
        return ExportResult(format: .cilium, text: out.joined(separator: "\n") + "\n", warnings: warnings, untranslated: untranslated)
    }

    /// `toPorts` of a rule (empty: any port).
    private static func portsBlock(_ rule: ExportRule) -> String {
        guard let ranges = ExportText.ranges(rule.ports) else {
            guard rule.transport != .any else { return "" }
            return "\n    toPorts:\n    - ports:\n      - port: \"0\"\n        protocol: \(rule.transport.rawValue.uppercased())"
        }
        let proto = rule.transport == .any ? "ANY" : rule.transport.rawValue.uppercased()
        var lines = ["", "    toPorts:", "    - ports:"]
        for r in ranges {
            lines.append("      - port: \"\(r.lower)\"")
            if r.upper != r.lower { lines.append("        endPort: \(r.upper)") }
            lines.append("        protocol: \(proto)")
        }
        return lines.joined(separator: "\n")
    }
}
