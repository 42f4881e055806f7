import EgressPolicy
import PacketWire

/// The nftables table as `nft` reads it, for the rules the export writes:
/// named interval sets (`set N { type …; elements = { … } }`) and the accept
/// rules of chain `allowed`, each a conjunction of matches (nft(8), "MATCHES":
/// `ip|ip6 saddr|daddr` against a set or an anonymous set, `meta nfproto`,
/// `meta l4proto`, `tcp|udp|th dport`).
struct NftablesEvaluator {
    var sets: [String: [CIDR]] = [:]
    /// Rule lines of chain `allowed`, tokenised, with their comment.
    var rules: [(tokens: [String], comment: String)] = []

    init(_ text: String) {
        var currentSet: String?
        var inAllowed = false
        var pending = ""
        for raw in text.split(separator: "\n").map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("set "), line.hasSuffix("{") {
                currentSet = String(line.dropFirst(4).dropLast().trimmingCharacters(in: .whitespaces))
                sets[currentSet!] = []
                continue
            }
            if let name = currentSet {
                if line.hasPrefix("elements") || !pending.isEmpty { pending += " " + line }
                if !pending.isEmpty, pending.contains("}") {
                    let inner = pending.split(separator: "{", maxSplits: 1).last.map { $0.split(separator: "}").first ?? "" } ?? ""
                    sets[name] = inner.split(separator: ",").compactMap { CIDR($0.trimmingCharacters(in: .whitespaces)) }
                    pending = ""
                    continue
                }
                if line == "}" && pending.isEmpty { currentSet = nil }
                continue
            }
            if line == "chain allowed {" { inAllowed = true; continue }
            if inAllowed {
                if line == "}" { inAllowed = false; continue }
                var comment = ""
                var body = line
                if let r = line.range(of: " comment \"") {
                    comment = String(line[r.upperBound...].dropLast())
                    body = String(line[..<r.lowerBound])
                }
                // Braces are their own tokens; commas separate list items.
                let tokens = body.replacingOccurrences(of: "{", with: " { ").replacingOccurrences(of: "}", with: " } ")
                    .replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
                rules.append((tokens, comment))
            }
        }
    }

    /// The comments of the accept rules a packet from `source` matching the probe meets.
    func allowed(_ p: Probe, source: IPAddress?) -> Set<String> {
        var out = Set<String>()
        for (tokens, comment) in rules where matches(tokens, p, source: source) { out.insert(comment) }
        return out
    }

    private func matches(_ t: [String], _ p: Probe, source: IPAddress?) -> Bool {
        var i = 0
        // The values after a keyword: one token, or a `{ … }` list.
        func values() -> [String] {
            if t[i] == "{" {
                var v: [String] = []
                i += 1
                while t[i] != "}" { v.append(t[i]); i += 1 }
                i += 1
                return v
            }
            defer { i += 1 }
            return [t[i]]
        }
        func addressIn(_ vs: [String], _ a: IPAddress?) -> Bool {
            guard let a else { return false }
            return vs.contains { v in
                v.hasPrefix("@") ? (sets[String(v.dropFirst())] ?? []).contains { $0.contains(a) } : (CIDR(v)?.contains(a) ?? false)
            }
        }
        func portIn(_ vs: [String]) -> Bool {
            vs.contains { v in
                let r = v.split(separator: "-").compactMap { UInt16($0) }
                return r.count == 2 ? (r[0] <= p.port && p.port <= r[1]) : r.first == p.port
            }
        }
        while i < t.count {
            let word = t[i]
            switch word {
            case "accept": return true
            case "ip", "ip6":
                let field = t[i + 1]
                i += 2
                let vs = values()
                let a = field == "saddr" ? source : p.address
                guard let a, a.isIPv4 == (word == "ip"), addressIn(vs, a) else { return false }
            case "meta":
                let key = t[i + 1]
                i += 2
                let vs = values()
                if key == "nfproto" {
                    guard let a = p.address, vs.contains(a.isIPv4 ? "ipv4" : "ipv6") else { return false }
                } else if key == "l4proto" {
                    guard vs.contains(p.transport.rawValue) else { return false }
                } else { return false }
            case "tcp", "udp", "th":
                guard t[i + 1] == "dport" else { return false }
                if word != "th", word != p.transport.rawValue { return false }
                i += 2
                guard portIn(values()) else { return false }
            default:
                return false
            }
        }
        return false
    }
}
