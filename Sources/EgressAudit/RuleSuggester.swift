import Foundation

/// The least-privilege rule set: from the egress that was seen and allowed,
/// the fewest rules (in the profile format) that allow exactly that — each
/// name seen as an exact FQDN, each address-only destination as the service
/// tag that allowed it (else the address), ports as seen, destinations with
/// the same transport and ports folded into one rule.
public enum RuleSuggester {
    /// One destination to open: `kind` is fqdn, serviceTag or cidr.
    public struct Item: Hashable, Sendable, Codable {
        public var kind: String
        public var value: String
        public var transport: String
        public var port: UInt16
    }

    /// The suggested profile as YAML (loads with `ProfileLoader`).
    public static func yaml(profileID: String, items: Set<Item>, observed: String) -> String {
        // destination → ports, per transport.
        var ports: [String: [String: Set<UInt16>]] = [:]
        var kinds: [String: String] = [:]
        for i in items {
            ports[i.transport, default: [:]][i.value, default: []].insert(i.port)
            kinds[i.value] = i.kind
        }
        // Fold destinations sharing transport and port set.
        var groups: [String: [String]] = [:]
        for (transport, byDestination) in ports {
            for (destination, set) in byDestination {
                let key = transport + " " + set.sorted().map(String.init).joined(separator: ",")
                groups[key, default: []].append(destination)
            }
        }
        var lines: [String] = [
            // A composition's id (a+b) is not an identifier; the suggestion's is a-b-observed.
            "id: \(profileID.replacingOccurrences(of: "+", with: "-"))-observed",
            "title: \(quote("Least-privilege rules for the egress observed (" + profileID + ")"))",
            "dialect: azure-firewall",
            "source:",
            "  - id: observed",
            "    title: \(quote(observed))",
            "rules:",
        ]
        for (n, key) in groups.keys.sorted().enumerated() {
            let parts = key.split(separator: " ")
            let transport = String(parts[0]), portList = String(parts[1])
            let destinations = groups[key, default: []].sorted()
            lines.append("  - id: observed-\(n + 1)")
            lines.append("    direction: outbound")
            lines.append("    destinations:")
            for d in destinations { lines.append("      - {\(kinds[d] ?? "fqdn"): \(quote(d))}") }
            let portValues = portList.split(separator: ",")
            lines.append("    ports: " + (portValues.count == 1 ? String(portValues[0]) : "[\(portList.replacingOccurrences(of: ",", with: ", "))]"))
            lines.append("    transport: \(transport)")
            lines.append("    required: true")
            lines.append("    purpose: \(quote("Seen and allowed: \(destinations.count) destination\(destinations.count == 1 ? "" : "s")"))")
            lines.append("    source: {document: observed}")
        }
        if groups.isEmpty { lines.removeLast(); lines.append("rules: []") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
