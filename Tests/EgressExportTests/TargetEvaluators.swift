import EgressPolicy
import Foundation
import PacketWire
import TestSupport
import Testing

/// One question to a target: a flow from a node to a name (its TLS SNI or
/// HTTP Host, address unknown) or to an address (no name), on a port.
struct Probe: CustomStringConvertible {
    var name: String?
    var address: IPAddress?
    var port: UInt16
    var transport: RuleTransport
    /// The profile rule the probe was made from, and how.
    var origin: String
    var kind: String

    var description: String { "\(kind) \(name ?? address.map { "\($0)" } ?? "?") \(transport.rawValue)/\(port) (from \(origin))" }
}

/// What each target decides for a probe, written from the target's documents,
/// reading the exported file as the target would, not through the exporter:
/// the set of its rules (by name, comment or target) that allow the flow.
enum TargetEvaluators {
    // MARK: Names, as each target documents its wildcards

    static func fold(_ s: String) -> String {
        var t = s.lowercased()
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// Azure Firewall application rules: `*` every name; `*.x` any name ending
    /// in `.x` (one or more labels, not the apex); else the name itself.
    static func azureFirewallMatches(_ target: String, _ name: String) -> Bool {
        let t = fold(target), n = fold(name)
        if t == "*" { return true }
        if t.hasPrefix("*.") { return n.hasSuffix(String(t.dropFirst(1))) && n.count > t.count - 1 }
        return t == n
    }

    /// Cilium: `matchName` literal; `matchPattern` `*` zero or more valid
    /// characters within one label, a leading `**.` one or more labels (not the
    /// apex), `*` alone every name.
    static func ciliumMatches(pattern: String?, name literal: String?, _ probe: String) -> Bool {
        let n = fold(probe)
        if let literal { return fold(literal) == n }
        guard let pattern else { return false }
        let p = fold(pattern)
        if p == "*" { return true }
        if p.hasPrefix("**.") {
            let rest = String(p.dropFirst(3))
            let labels = n.split(separator: ".", omittingEmptySubsequences: false)
            let restCount = rest.split(separator: ".").count
            guard labels.count > restCount else { return false }
            return labelsMatch(Array(labels.suffix(restCount)).map(String.init), rest.split(separator: ".").map(String.init))
        }
        let pl = p.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let nl = n.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return pl.count == nl.count && labelsMatch(nl, pl)
    }

    private static func labelsMatch(_ names: [String], _ patterns: [String]) -> Bool {
        zip(names, patterns).allSatisfy { n, p in
            // Within one label: `*` is any run of characters; compiled to a regular expression.
            let regex = "^" + p.split(separator: "*", omittingEmptySubsequences: false).map { NSRegularExpression.escapedPattern(for: String($0)) }
                .joined(separator: "[-a-z0-9_]*") + "$"
            return n.range(of: regex, options: .regularExpression) != nil
        }
    }

    /// AWS domain lists: `.x` is `x` and every subdomain; else the name itself.
    static func awsMatches(_ target: String, _ name: String) -> Bool {
        let t = fold(target), n = fold(name)
        if t.hasPrefix(".") { return n == String(t.dropFirst()) || n.hasSuffix(t) }
        return t == n
    }

    // MARK: Addresses and ports

    static func contains(_ prefixText: String, _ a: IPAddress) -> Bool {
        if prefixText == "*" { return true }
        return CIDR(prefixText)?.contains(a) ?? false
    }

    /// "443", "1000-2000", "*".
    static func portMatches(_ text: String, _ port: UInt16) -> Bool {
        if text == "*" { return true }
        let parts = text.split(separator: "-").compactMap { UInt16($0) }
        if parts.count == 2 { return parts[0] <= port && port <= parts[1] }
        return parts.first == port
    }

    // MARK: Targets

    /// Azure Firewall: network rules by destination address (tags resolved in the tag file,
    /// `*`), or destinationFqdns (the name itself); application rules by name, TCP and protocol port,
    /// the name matched by `targetFqdns` or by an FQDN tag in `fqdnTags`, which Azure expands to the
    /// tag's names: here the names Microsoft publishes for it (`FirewallFQDNTags`), what `explain` matches too.
    static func azureFirewall(_ template: [String: Any], catalog: ServiceTagCatalog, _ p: Probe) -> Set<String> {
        var allowed = Set<String>()
        for resource in template["resources"] as? [[String: Any]] ?? [] {
            let collections = ((resource["properties"] as? [String: Any])?["ruleCollections"] as? [[String: Any]]) ?? []
            for c in collections {
                for r in c["rules"] as? [[String: Any]] ?? [] {
                    let name = r["name"] as? String ?? "?"
                    if r["ruleType"] as? String == "ApplicationRule" {
                        guard let n = p.name, p.transport == .tcp else { continue }
                        let ports = (r["protocols"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int }
                        let tagged = (r["fqdnTags"] as? [String] ?? []).flatMap { FirewallFQDNTags.tag(named: $0)?.names ?? [] }
                        if ports.contains(Int(p.port)), ((r["targetFqdns"] as? [String] ?? []) + tagged).contains(where: { azureFirewallMatches($0, n) }) {
                            allowed.insert(name)
                        }
                    } else {
                        let protocols = r["ipProtocols"] as? [String] ?? []
                        guard protocols.contains(p.transport.rawValue.uppercased()) || protocols.contains("Any") else { continue }
                        guard (r["destinationPorts"] as? [String] ?? []).contains(where: { portMatches($0, p.port) }) else { continue }
                        var hit = false
                        if let a = p.address {
                            for d in r["destinationAddresses"] as? [String] ?? [] {
                                if let tag = catalog.tag(named: d) { hit = hit || tag.prefixes.contains { $0.contains(a) } } else { hit = hit || contains(d, a) }
                            }
                        } else if (r["destinationAddresses"] as? [String] ?? []).contains("*") {
                            hit = true
                        }
                        if let n = p.name, (r["destinationFqdns"] as? [String] ?? []).contains(where: { fold($0) == fold(n) }) { hit = true }
                        if hit { allowed.insert(name) }
                    }
                }
            }
        }
        return allowed
    }

    /// NSG: outbound Allow rules by destination prefix (a tag in the tag file, `*`, a CIDR), protocol and port.
    static func nsg(_ template: [String: Any], catalog: ServiceTagCatalog, _ p: Probe) -> Set<String> {
        var allowed = Set<String>()
        for resource in template["resources"] as? [[String: Any]] ?? [] {
            for r in ((resource["properties"] as? [String: Any])?["securityRules"] as? [[String: Any]]) ?? [] {
                let q = r["properties"] as? [String: Any] ?? [:]
                guard q["direction"] as? String == "Outbound", q["access"] as? String == "Allow" else { continue }
                let proto = q["protocol"] as? String ?? ""
                guard proto == "*" || proto.lowercased() == p.transport.rawValue else { continue }
                let ports = (q["destinationPortRanges"] as? [String]) ?? [(q["destinationPortRange"] as? String) ?? ""]
                guard ports.contains(where: { portMatches($0, p.port) }) else { continue }
                let prefixes = (q["destinationAddressPrefixes"] as? [String]) ?? [(q["destinationAddressPrefix"] as? String) ?? ""]
                let hit = prefixes.contains { d in
                    if d == "*" { return true }
                    guard let a = p.address else { return false }
                    if let tag = catalog.tag(named: d) { return tag.prefixes.contains { $0.contains(a) } }
                    return contains(d, a)
                }
                if hit { allowed.insert(r["name"] as? String ?? "?") }
            }
        }
        return allowed
    }

    /// Kubernetes NetworkPolicy: egress rules whose `to` has an ipBlock containing
    /// the address (no `to`: any), and whose ports (none: all) admit protocol and port.
    static func networkPolicy(_ doc: [String: Any], _ p: Probe) -> Set<String> {
        var allowed = Set<String>()
        let egress = ((doc["spec"] as? [String: Any])?["egress"] as? [[String: Any]]) ?? []
        for (i, e) in egress.enumerated() {
            let to = e["to"] as? [[String: Any]] ?? []
            let blocks = to.compactMap { ($0["ipBlock"] as? [String: Any])?["cidr"] as? String }
            guard blocks.count == to.count, !blocks.isEmpty else { continue } // the DNS rule selects pods, not addresses
            guard let a = p.address, blocks.contains(where: { contains($0, a) }) else { continue }
            if let ports = e["ports"] as? [[String: Any]] {
                let ok = ports.contains { q in
                    guard (q["protocol"] as? String ?? "TCP").lowercased() == p.transport.rawValue else { return false }
                    guard let port = q["port"] as? Int else { return true }
                    let end = q["endPort"] as? Int ?? port
                    return port <= Int(p.port) && Int(p.port) <= end
                }
                guard ok else { continue }
            }
            allowed.insert("egress[\(i)]")
        }
        return allowed
    }

    /// Cilium: egress rules with toFQDNs (by name), toCIDRSet (by address) or
    /// toEntities world (any peer outside the cluster), and toPorts (port 0: any port; ANY: either protocol).
    static func cilium(_ doc: [String: Any], _ p: Probe) -> Set<String> {
        var allowed = Set<String>()
        let egress = ((doc["spec"] as? [String: Any])?["egress"] as? [[String: Any]]) ?? []
        for (i, e) in egress.enumerated() {
            var hit = false
            if let fqdns = e["toFQDNs"] as? [[String: Any]], let n = p.name {
                hit = fqdns.contains { ciliumMatches(pattern: $0["matchPattern"] as? String, name: $0["matchName"] as? String, n) }
            }
            if let set = e["toCIDRSet"] as? [[String: Any]], let a = p.address {
                hit = hit || set.contains { contains($0["cidr"] as? String ?? "", a) }
            }
            if let entities = e["toEntities"] as? [String], entities.contains("world") || entities.contains("all") { hit = true }
            guard hit else { continue }
            if let toPorts = e["toPorts"] as? [[String: Any]] {
                let ok = toPorts.contains { tp in
                    (tp["ports"] as? [[String: Any]] ?? []).contains { q in
                        let proto = (q["protocol"] as? String ?? "ANY").lowercased()
                        guard proto == "any" || proto == p.transport.rawValue else { return false }
                        let port = Int(q["port"] as? String ?? "") ?? 0
                        if port == 0 { return true }
                        let end = q["endPort"] as? Int ?? port
                        return port <= Int(p.port) && Int(p.port) <= end
                    }
                }
                guard ok else { continue }
            }
            allowed.insert("egress[\(i)]")
        }
        return allowed
    }

    /// AWS domain list (ALLOWLIST, TLS_SNI and HTTP_HOST): a TCP flow whose name matches a target, any port.
    static func aws(_ input: [String: Any], _ p: Probe) -> Set<String> {
        guard let n = p.name, p.transport == .tcp else { return [] }
        let list = (((input["RuleGroup"] as? [String: Any])?["RulesSource"] as? [String: Any])?["RulesSourceList"] as? [String: Any]) ?? [:]
        guard list["GeneratedRulesType"] as? String == "ALLOWLIST" else { return [] }
        return Set((list["Targets"] as? [String] ?? []).filter { awsMatches($0, n) })
    }
}
