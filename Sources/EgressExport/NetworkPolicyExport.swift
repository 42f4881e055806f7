import EgressPolicy

/// A Kubernetes NetworkPolicy (networking.k8s.io/v1) for the pods of
/// `app: <name>`: `ipBlock` peers for tags and prefixes, ports and `endPort`,
/// and DNS to kube-dns so the pods can still resolve. A NetworkPolicy has no
/// names: every name is listed with the reason.
enum NetworkPolicyExport {
    static func export(_ input: ExportInput) -> ExportResult {
        var untranslated: [Untranslated] = [], warnings: [ExportWarning] = []
        let name = ExportText.identifier(input.name, limit: 63)
        var egress: [String] = ["""
          # DNS to kube-dns, so the pods can resolve.
          - to:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: kube-system
              podSelector:
                matchLabels:
                  k8s-app: kube-dns
            ports:
            - protocol: UDP
              port: 53
            - protocol: TCP
              port: 53
        """]
        for rule in input.rules {
            guard rule.direction == .outbound else {
                untranslated.append(Untranslated(rule: rule.id, peer: "inbound", reason: "this policy lists egress only"))
                continue
            }
            var cidrs: [String] = []
            var any = rule.peers.isEmpty
            for peer in rule.peers {
                switch peer {
                case .name(let n):
                    untranslated.append(Untranslated(rule: rule.id, peer: "fqdn \(n)", reason: "a NetworkPolicy has ipBlock peers only, no names"))
                case .cidr(let c): cidrs.append(c.description)
                case .serviceTag(let tag):
                    if tag.lowercased() == "internet" {
                        warnings.append(ExportWarning(rule: rule.id, message: "service tag Internet exported as ipBlock 0.0.0.0/0 and ::/0"))
                        any = true
                        continue
                    }
                    guard let t = ExportText.tagWithPrefixes(tag, rule: rule, catalog: input.catalog, untranslated: &untranslated) else { continue }
                    cidrs += t.prefixes.map(\.description)
                }
            }
            if any { cidrs += ["0.0.0.0/0", "::/0"] }
            guard !cidrs.isEmpty else { continue }
            var lines = ["  # \(rule.id): \(rule.purpose.replacingOccurrences(of: "\n", with: " "))", "  - to:"]
            lines += cidrs.map { "    - ipBlock:\n        cidr: \($0)" }
            let protocols = rule.transport == .any ? ["TCP", "UDP"] : [rule.transport.rawValue.uppercased()]
            if let ranges = ExportText.ranges(rule.ports) {
                lines.append("    ports:")
                for p in protocols {
                    for r in ranges {
                        lines.append("    - protocol: \(p)\n      port: \(r.lower)" + (r.upper != r.lower ? "\n      endPort: \(r.upper)" : ""))
                    }
                }
            } else if rule.transport != .any {
                lines.append("    ports:\n    - protocol: \(protocols[0])")
            }
            egress.append(lines.joined(separator: "\n"))
        }
        var out = ["# egress-audit export --format networkpolicy: \(input.title)"]
        for note in input.notes { out.append("# \(note)") }
        for u in untranslated { out.append("# not exported: \(u.description)") }
        for w in warnings { out.append("# widened: \(w.description)") }
        out += [
            "apiVersion: networking.k8s.io/v1",
            "kind: NetworkPolicy",
            "metadata:",
            "  name: \(name)-egress",
            "spec:",
            "  podSelector:",
            "    matchLabels:",
            "      app: \(name)",
            "  policyTypes:",
            "  - Egress",
            "  egress:",
        ]
        out += egress
        return ExportResult(format: .networkpolicy, text: out.joined(separator: "\n") + "\n", warnings: warnings, untranslated: untranslated)
    }
}
